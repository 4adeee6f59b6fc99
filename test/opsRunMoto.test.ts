/**
 * `ops run`, `ops rollback` and the catalog checks against emulated AWS (moto's server mode), as
 * test/opsMoto.test.ts runs the read-only commands: a stack's cluster and services with the
 * program's tags, a job's schedule in EventBridge Scheduler, the task's log stream. Skipped, with
 * the reason, where moto is not installed.
 *
 * How moto 5.2 stops tasks, and how the test uses it: its state manager moves a task one status on
 * at each DescribeTasks, up to STOPPED, and StopTask stops every container with exit code 0. The
 * test holds tasks where RunTask puts them (a manual transition that never comes), drives the wait
 * with an injected clock (no real sleeping), and from the clock's sleep writes the task's log lines
 * and stops it with StopTask; ops prints the lines and exits 0. A non-zero exit code, and a task
 * that never started, are asserted against a scripted ECS in test/opsRun.test.ts. RunTask of
 * awsvpc tasks fails in moto, and EC2 placement needs registered container instances, so the
 * services here are bridge-mode with the FARGATE launch type, which moto does not check against
 * the task definition (as in test/opsMoto.test.ts).
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
    CreateClusterCommand,
    CreateServiceCommand,
    DescribeServicesCommand,
    DescribeTaskDefinitionCommand,
    DescribeTasksCommand,
    DeregisterTaskDefinitionCommand,
    ECSClient,
    ListTasksCommand,
    RegisterTaskDefinitionCommand,
    StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { Clock } from "../ops/run";
import { runOps } from "./support/ops";
import { findMoto, freePort, waitForServer } from "./support/moto";

const fixtures = path.join(__dirname, "fixtures");
const region = "us-east-1";

const moto = findMoto();

/** The test's catalog: a routed service, a worker, a job; and its stack file. */
const catalogModule = [
    "export const services = {",
    '    api: { image: "example/api:2", port: 8080, routes: [{ host: "api" }], memory: { reservation: 128, limit: 256 } },',
    '    worker: { image: "example/api:2", command: ["node", "worker.js"], memory: { reservation: 128, limit: 256 } },',
    '    nightly: { image: "example/api:2", command: ["node", "report.js"], memory: { reservation: 128, limit: 256 },',
    '        schedule: "rate(1 day)" },',
    "};",
    "",
].join("\n");
const stackFile = [
    "config:",
    "  aws:region: us-east-1",
    "  fleet:domain: runs.acme.io",
    "  fleet:network: { natGateways: single }",
    "  fleet:cluster: { defaultCapacity: ec2, ec2: { instanceType: t3.medium, maxSize: 2 } }",
    "",
].join("\n");

describe(
    "ops run and rollback against moto (emulated AWS)",
    { skip: moto ? false : "moto_server not installed: pip install 'moto[server]' to run it" },
    () => {
        let child: ChildProcess | undefined;
        let root = "";
        let catalog = "";
        const savedEnv = { ...process.env };
        const cluster = "fleet-runs-0a1b2c3";
        const clusterArn = `arn:aws:ecs:${region}:123456789012:cluster/${cluster}`;
        let ecs: ECSClient;
        let logs: CloudWatchLogsClient;
        const revisions: string[] = [];

        const killServer = () => {
            if (child?.pid && child.exitCode === null) {
                try {
                    process.kill(-child.pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
        };

        before(async () => {
            const port = await freePort();
            const endpoint = `http://127.0.0.1:${port}`;
            child = spawn(moto![0], [...moto!.slice(1), "-H", "127.0.0.1", "-p", String(port)], { detached: true, stdio: "ignore" });
            process.once("exit", killServer);
            await waitForServer(endpoint, child);
            // Tasks stay as RunTask leaves them until StopTask: no status moves on by itself.
            const held = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
                method: "POST",
                body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000 } }),
            });
            assert.ok(held.ok, await held.text());
            Object.assign(process.env, {
                AWS_ENDPOINT_URL: endpoint,
                AWS_ACCESS_KEY_ID: "testing",
                AWS_SECRET_ACCESS_KEY: "testing",
                AWS_EC2_METADATA_DISABLED: "true",
                AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            });
            delete process.env.AWS_PROFILE;
            delete process.env.AWS_SESSION_TOKEN;

            root = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ops-run-"));
            fs.copyFileSync(path.join(fixtures, "stacks", "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
            fs.writeFileSync(path.join(root, "Pulumi.runs.yaml"), stackFile);
            // Beside the stack file, outside the checkout: the run leaves nothing behind.
            catalog = path.join(root, "catalog.ts");
            fs.writeFileSync(catalog, catalogModule);

            ecs = new ECSClient({ region });
            logs = new CloudWatchLogsClient({ region });
            const tags = [
                { key: "fleet:project", value: "fleet" },
                { key: "fleet:stack", value: "runs" },
            ];
            await ecs.send(new CreateClusterCommand({ clusterName: cluster, tags }));
            // api: three revisions, as three deploys leave them; Pulumi deregisters the ones it replaced.
            for (const [image, memory] of [
                ["example/api:1", 256],
                ["example/api:2", 256],
                ["example/api:3", 512],
            ] as const) {
                const registered = await ecs.send(
                    new RegisterTaskDefinitionCommand({
                        family: "fleet-runs-api",
                        networkMode: "bridge",
                        requiresCompatibilities: ["EC2"],
                        containerDefinitions: [
                            {
                                name: "api",
                                image,
                                memory,
                                memoryReservation: 128,
                                environment: [{ name: "LOG_LEVEL", value: memory === 512 ? "debug" : "info" }],
                            },
                        ],
                        tags: [...tags, { key: "fleet:service", value: "api" }],
                    }),
                );
                revisions.push(registered.taskDefinition!.taskDefinitionArn!);
            }
            await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: revisions[1] }));
            await ecs.send(
                new CreateServiceCommand({
                    cluster,
                    serviceName: "api-1f2e3d4",
                    taskDefinition: revisions[2],
                    desiredCount: 1,
                    launchType: "FARGATE",
                    tags: [...tags, { key: "fleet:service", value: "api" }],
                }),
            );
            const job = await ecs.send(
                new RegisterTaskDefinitionCommand({
                    family: "fleet-runs-nightly",
                    networkMode: "bridge",
                    requiresCompatibilities: ["EC2"],
                    containerDefinitions: [{ name: "nightly", image: "example/api:2", memory: 256, command: ["node", "report.js"] }],
                }),
            );
            await new SchedulerClient({ region }).send(
                new CreateScheduleCommand({
                    Name: "nightly-schedule-5e6f7a8",
                    ScheduleExpression: "rate(1 day)",
                    FlexibleTimeWindow: { Mode: "OFF" },
                    Target: {
                        Arn: clusterArn,
                        RoleArn: "arn:aws:iam::123456789012:role/nightly-scheduler-1a2b3c4",
                        EcsParameters: { TaskDefinitionArn: job.taskDefinition!.taskDefinitionArn!, TaskCount: 1, LaunchType: "FARGATE" },
                    },
                }),
            );
            await logs.send(new CreateLogGroupCommand({ logGroupName: "/fleet/runs/api" }));
        });

        after(async () => {
            process.env = savedEnv;
            if (child && child.exitCode === null) {
                const exited = new Promise((resolve) => child!.once("exit", resolve));
                try {
                    process.kill(-child.pid!, "SIGTERM");
                } catch {
                    // already gone
                }
                const timer = setTimeout(killServer, 3000);
                await exited;
                clearTimeout(timer);
            }
            process.off("exit", killServer);
            if (root) fs.rmSync(root, { recursive: true, force: true });
        });

        /** A clock that never sleeps for real: each sleep advances it, and may act on the emulated account first. */
        const fakeClock = (onSleep: (n: number) => Promise<void> = async () => {}): Clock & { slept: number } => {
            let now = 1_000_000;
            const clock = {
                slept: 0,
                now: () => now,
                sleep: async (ms: number) => {
                    clock.slept++;
                    await onSleep(clock.slept);
                    now += ms;
                },
            };
            return clock;
        };

        // The stack's options go before `--`: what follows is the task's command.
        const ops = (args: string[], clock?: Clock) => {
            const dashes = args.indexOf("--") < 0 ? args.length : args.indexOf("--");
            return runOps([...args.slice(0, dashes), "--root", root, "--catalog", catalog, ...args.slice(dashes)], clock);
        };

        const taskOf = async (id: string) => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [id] }))).tasks![0];

        it("run --detach: the service's current revision, its command replaced, started by fleet-ops; prints its id", async () => {
            const { code, out, err } = await ops(["run", "api", "--stack", "runs", "--detach", "--", "node", "migrate.js", "--dry-run"]);
            assert.equal(code, 0, err);
            assert.match(out, /^[0-9a-f-]{32,36}$/);
            assert.equal(
                err,
                `started task ${out} of api (fleet-runs-api:3, from ECS service api-1f2e3d4) in cluster ${cluster}; ` +
                    "its logs: npm run ops -- logs api --stack runs --follow",
            );
            const task = await taskOf(out);
            assert.equal(task.taskDefinitionArn, revisions[2]);
            assert.equal(task.startedBy, "fleet-ops");
            assert.equal(task.group, "fleet-ops:api");
            assert.deepEqual(task.overrides?.containerOverrides, [{ name: "api", command: ["node", "migrate.js", "--dry-run"] }]);
        });

        it("run <job>: the task definition and launch of the job's schedule in the stack's cluster", async () => {
            const { code, out, err } = await ops(["run", "nightly", "--stack", "runs", "--detach"]);
            assert.equal(code, 0, err);
            assert.match(
                err,
                new RegExp(`^started task ${out} of nightly \\(fleet-runs-nightly:1, from schedule nightly-schedule-5e6f7a8\\)`),
            );
            const task = await taskOf(out);
            assert.equal(task.taskDefinitionArn?.split("/").pop(), "fleet-runs-nightly:1");
            assert.equal(task.overrides?.containerOverrides?.length ?? 0, 0);
        });

        it("run, waiting: prints the task's log lines and says how it stopped; no real sleep", async () => {
            const clock = fakeClock(async (n) => {
                if (n !== 2) return;
                // The task writes two lines and stops while ops waits.
                const running = (await ecs.send(new ListTasksCommand({ cluster, startedBy: "fleet-ops" }))).taskArns ?? [];
                for (const arn of running) {
                    const task = await taskOf(arn);
                    if (task.lastStatus === "STOPPED" || task.group !== "fleet-ops:api") continue;
                    const id = arn.split("/").pop()!;
                    const stream = `api/api/${id}`;
                    await logs.send(new CreateLogStreamCommand({ logGroupName: "/fleet/runs/api", logStreamName: stream }));
                    await logs.send(
                        new PutLogEventsCommand({
                            logGroupName: "/fleet/runs/api",
                            logStreamName: stream,
                            logEvents: [
                                { timestamp: Date.now() - 2000, message: "migrating 3 tables" },
                                { timestamp: Date.now() - 1000, message: "done" },
                            ],
                        }),
                    );
                    await ecs.send(new StopTaskCommand({ cluster, task: arn, reason: "Essential container in task exited" }));
                }
            });
            const { code, out, err } = await ops(["run", "api", "--stack", "runs", "--", "node", "migrate.js"], clock);
            assert.equal(out, "migrating 3 tables\ndone");
            const id = /started task (\S+) /.exec(err)![1];
            assert.equal(
                err,
                [
                    `started task ${id} of api (fleet-runs-api:3, from ECS service api-1f2e3d4) in cluster ${cluster}; ` +
                        "waiting for it to stop",
                    // moto stops every container with code 0: a non-zero one is the scripted ECS's (test/opsRun.test.ts).
                    `task ${id} exited with code 0`,
                ].join("\n"),
            );
            assert.equal(code, 0);
            assert.equal(clock.slept, 2);
        });

        it("run, waiting at most --timeout: a task still running is named, with how to follow or stop it; exit 2", async () => {
            const clock = fakeClock();
            const { code, err } = await ops(["run", "api", "--stack", "runs", "--timeout", "1m"], clock);
            assert.equal(code, 2);
            const id = /started task (\S+) /.exec(err)![1];
            assert.equal(
                err.split("\n")[1],
                `ops run: task ${id} of api is still RUNNING after 1m; it goes on: npm run ops -- logs api --stack runs --follow, ` +
                    `or stop it with aws ecs stop-task --cluster ${cluster} --task ${id}`,
            );
            assert.equal(clock.slept, 20);
            await ecs.send(new StopTaskCommand({ cluster, task: id }));
        });

        it("rollback: back one revision, registered again (Pulumi deregistered it); what changed and what pulumi up does", async () => {
            const { code, out, err } = await ops(["rollback", "api", "--stack", "runs"]);
            assert.equal(code, 0, err);
            assert.deepEqual(out.split("\n"), [
                "api (api-1f2e3d4): rolled back from fleet-runs-api:3 to fleet-runs-api:2, " +
                    "registered again as fleet-runs-api:4 (Pulumi had deregistered it)",
                "  image: example/api:3 → example/api:2",
                "  memory: 512 MiB → 256 MiB",
                "  environment changed: LOG_LEVEL",
                "ECS now replaces the tasks in a rolling deployment: npm run ops -- status --stack runs",
                "warning: the stack still deploys fleet-runs-api:3: the next pulumi up that changes api (or any pulumi up --refresh) " +
                    "moves it forward again; revert the change in the catalog or Pulumi.runs.yaml to keep this rollback",
            ]);
            const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ["api-1f2e3d4"] }))).services![0];
            assert.equal(service.taskDefinition?.split("/").pop(), "fleet-runs-api:4");
            const copy = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "fleet-runs-api:4", include: ["TAGS"] })))!;
            assert.equal(copy.taskDefinition?.containerDefinitions?.[0].image, "example/api:2");
            assert.deepEqual(
                copy.tags?.find((t) => t.key === "fleet:service"),
                { key: "fleet:service", value: "api" },
            );
        });

        it("names are checked against the catalog before any AWS call", async () => {
            const unknown = await ops(["logs", "apii", "--stack", "runs"]);
            assert.deepEqual(
                [unknown.code, unknown.err],
                [
                    2,
                    `ops logs: apii is not in the catalog (${path.relative(process.cwd(), catalog)}) (did you mean "api"?); ` +
                        "its services and jobs in stack runs: api, nightly, worker",
                ],
            );
            const job = await ops(["rollback", "nightly", "--stack", "runs"]);
            assert.deepEqual(
                [job.code, job.err],
                [
                    2,
                    "ops rollback: nightly is a job (it has a schedule), and rollback takes a service; " +
                        "its services in stack runs: api, worker",
                ],
            );
            const undeployed = await ops(["run", "worker", "--stack", "runs", "--detach"]);
            assert.deepEqual(
                [undeployed.code, undeployed.err],
                [
                    2,
                    `ops run: worker is not deployed: cluster ${cluster} has no ECS service tagged ` +
                        "fleet:service=worker (pulumi up -s runs)",
                ],
            );
        });
    },
);
