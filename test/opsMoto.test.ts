/**
 * ops against emulated AWS: moto's server mode on a free loopback port, seeded through the real
 * AWS APIs with what a deployed stack looks like (a cluster and services carrying the program's
 * tags, tasks, a stopped task killed at its memory limit, a target group with a failing target,
 * log events, Container Insights metrics), then `status`, `logs` and `tune` run against it with
 * AWS_ENDPOINT_URL and dummy credentials. Skipped, with the reason, where moto is not installed.
 *
 * What moto 5.2 cannot emulate, and how the seed works around it: services report running and
 * pending counts from MOTO_ECS_SERVICE_RUNNING (one per service here), not from their tasks;
 * ListTasks ignores serviceName (ops filters on the task's `service:<name>` group, as AWS sets
 * it); stopped tasks carry no stoppedAt and no container-level reason (the OOM reason is the
 * task's); services have no events; GetMetricData answers Average and Maximum but fails on
 * percentile statistics (ops computes percentiles itself); a target is unhealthy only when its
 * EC2 instance is stopped; RunTask places EC2 tasks against a container instance's fixed emulated
 * memory, so the seeded tasks are started with the FARGATE launch type (moto does not check it
 * against the bridge-mode task definition).
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { CloudWatchClient, MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
    CreateClusterCommand,
    CreateServiceCommand,
    ECSClient,
    RegisterTaskDefinitionCommand,
    RunTaskCommand,
    StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { makeClients } from "../ops/aws";
import { readStack } from "../ops/fleetModel";
import { runLogs } from "../ops/logs";
import { runOps } from "./support/ops";
import { findMoto, freePort, waitForServer } from "./support/moto";

const fixtures = path.join(__dirname, "fixtures");
const catalog = path.join(fixtures, "catalog.ts");
const region = "us-east-1";

const moto = findMoto();

/** A stack file for the test's own stack: EC2 capacity on t3.medium (3737 MiB registered), api and web sized large by hand. */
const opsStack = (name: string, insights: string) =>
    [
        `# Fixture of test/opsMoto.test.ts: the stack "${name}" as ops finds it in the emulated account.`,
        "config:",
        "  aws:region: us-east-1",
        `  fleet:domain: ${name}.fleet.example.com`,
        "  fleet:network:",
        "    cidrBlock: 10.30.0.0/16",
        "    availabilityZones: 2",
        "    natGateways: single",
        "  fleet:cluster:",
        `    containerInsights: ${insights}`,
        "    defaultCapacity: ec2",
        "    ec2: { instanceType: t3.medium, minSize: 1, maxSize: 4, reservedMemoryMiB: 256 }",
        "  fleet:apiDatabasePassword:",
        "    secure: v1:b3BzOm5vdC1hLXJlYWwtc2VjcmV0:QUJDREVGR0hJSktMTU5PUA==",
        "  # Sized by hand before anyone measured.",
        "  fleet:services:",
        "    api:",
        "      memory: { reservation: 3000, limit: 3500 } # a guess",
        "    web:",
        "      memory: { reservation: 1024, limit: 2048 }",
        "    docs:",
        "      capacity: fargate",
        "",
    ].join("\n");

/** EC2 through its Query API (moto accepts any signature): the VPC and instances target groups need. */
async function ec2(endpoint: string, params: Record<string, string>): Promise<string> {
    const response = await fetch(endpoint, {
        method: "POST",
        headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`EC2 ${params.Action}: ${text}`);
    return text;
}

const hourAgo = (now: number, hours: number) => new Date(now - hours * 3_600_000);

describe(
    "ops against moto (emulated AWS)",
    { skip: moto ? false : "moto_server not installed: pip install 'moto[server]' to run it" },
    () => {
        let child: ChildProcess | undefined;
        let endpoint = "";
        let root = "";
        const savedEnv = { ...process.env };
        const ids: Record<string, string> = {};
        const now = Date.now();

        const killServer = () => {
            if (child?.pid && child.exitCode === null) {
                try {
                    process.kill(-child.pid, "SIGKILL"); // its process group: the script and anything it started
                } catch {
                    // already gone
                }
            }
        };

        before(async () => {
            const port = await freePort();
            endpoint = `http://127.0.0.1:${port}`;
            // Every service reports one running task: desired 1 is steady, desired 2 is not.
            child = spawn(moto![0], [...moto!.slice(1), "-H", "127.0.0.1", "-p", String(port)], {
                detached: true,
                stdio: "ignore",
                env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: "1" },
            });
            process.once("exit", killServer);
            await waitForServer(endpoint, child);

            process.env.AWS_ENDPOINT_URL = endpoint;
            process.env.AWS_ACCESS_KEY_ID = "testing";
            process.env.AWS_SECRET_ACCESS_KEY = "testing";
            process.env.AWS_EC2_METADATA_DISABLED = "true";
            process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
            delete process.env.AWS_PROFILE;
            delete process.env.AWS_SESSION_TOKEN;

            root = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ops-"));
            fs.cpSync(path.join(fixtures, "stacks"), root, { recursive: true });
            fs.writeFileSync(path.join(root, "Pulumi.ops.yaml"), opsStack("ops", "enabled"));
            fs.writeFileSync(path.join(root, "Pulumi.dark.yaml"), opsStack("dark", "disabled"));
            fs.writeFileSync(path.join(root, "Pulumi.ghost.yaml"), opsStack("ghost", "enabled"));

            const config = { region };
            const ecs = new ECSClient(config);
            const elb = new ElasticLoadBalancingV2Client(config);
            const cw = new CloudWatchClient(config);
            const logs = new CloudWatchLogsClient(config);
            const tags = (stack: string) => [
                { key: "fleet:project", value: "fleet" },
                { key: "fleet:stack", value: stack },
            ];

            // Clusters: the stack's, another stack's (must be ignored), and one with Container Insights off.
            const cluster = "fleet-ops-a1b2c3d";
            await ecs.send(
                new CreateClusterCommand({
                    clusterName: cluster,
                    tags: tags("ops"),
                    settings: [{ name: "containerInsights", value: "enabled" }],
                }),
            );
            await ecs.send(
                new CreateClusterCommand({
                    clusterName: "fleet-dev-e4f5a6b",
                    tags: tags("dev"),
                    settings: [{ name: "containerInsights", value: "enabled" }],
                }),
            );
            await ecs.send(
                new CreateClusterCommand({
                    clusterName: "fleet-dark-c7d8e9f",
                    tags: tags("dark"),
                    settings: [{ name: "containerInsights", value: "disabled" }],
                }),
            );

            // A VPC and two instances behind web's target group: one healthy, one stopped (a failing target).
            const vpc = /<vpcId>([^<]+)/.exec(await ec2(endpoint, { Action: "CreateVpc", CidrBlock: "10.30.0.0/16" }))![1];
            const run = await ec2(endpoint, {
                Action: "RunInstances",
                ImageId: "ami-12c6146b",
                MinCount: "2",
                MaxCount: "2",
                InstanceType: "t3.medium",
            });
            const [healthy, failing] = [...run.matchAll(/<instanceId>([^<]+)/g)].map((m) => m[1]);
            const tg = await elb.send(
                new CreateTargetGroupCommand({ Name: "web-tg-1a2b3c4", Protocol: "HTTP", Port: 8080, VpcId: vpc, TargetType: "instance" }),
            );
            const tgArn = tg.TargetGroups![0].TargetGroupArn!;
            await elb.send(
                new RegisterTargetsCommand({
                    TargetGroupArn: tgArn,
                    Targets: [
                        { Id: healthy, Port: 32768 },
                        { Id: failing, Port: 32769 },
                    ],
                }),
            );
            await ec2(endpoint, { Action: "StopInstances", "InstanceId.1": failing });

            // Services with the program's tags and Pulumi-style physical names; docs is not deployed.
            const services: Record<string, { desired: number; memory: number; reservation: number }> = {
                api: { desired: 1, memory: 3500, reservation: 3000 },
                web: { desired: 2, memory: 2048, reservation: 1024 },
                worker: { desired: 1, memory: 256, reservation: 128 },
                status: { desired: 1, memory: 64, reservation: 32 },
            };
            for (const [name, spec] of Object.entries(services)) {
                const family = `fleet-ops-${name}`;
                const td = await ecs.send(
                    new RegisterTaskDefinitionCommand({
                        family,
                        networkMode: "bridge",
                        requiresCompatibilities: ["EC2"],
                        containerDefinitions: [
                            { name, image: `example/${name}:1`, memory: spec.memory, memoryReservation: spec.reservation, cpu: 256 },
                        ],
                    }),
                );
                const ecsName = `${name}-${name.length}f3a9c1`;
                ids[name] = ecsName;
                await ecs.send(
                    new CreateServiceCommand({
                        cluster,
                        serviceName: ecsName,
                        taskDefinition: td.taskDefinition!.taskDefinitionArn,
                        desiredCount: spec.desired,
                        launchType: "EC2",
                        loadBalancers: name === "web" ? [{ targetGroupArn: tgArn, containerName: "web", containerPort: 8080 }] : undefined,
                        tags: [...tags("ops"), { key: "fleet:service", value: name }],
                        propagateTags: "SERVICE",
                    }),
                );
                const task = await ecs.send(
                    new RunTaskCommand({
                        cluster,
                        taskDefinition: td.taskDefinition!.taskDefinitionArn,
                        launchType: "FARGATE",
                        group: `service:${ecsName}`,
                        startedBy: "ecs-svc/1",
                    }),
                );
                ids[`${name}Task`] = task.tasks![0].taskArn!.split("/").pop()!;
            }
            // Another stack's service of the same catalog name, in its own cluster: never reported.
            await ecs.send(
                new CreateServiceCommand({
                    cluster: "fleet-dev-e4f5a6b",
                    serviceName: "api-dev0001",
                    desiredCount: 3,
                    tags: [...tags("dev"), { key: "fleet:service", value: "api" }],
                }),
            );

            // Stopped tasks: worker killed at its limit, api replaced by a deployment.
            const stop = async (name: string, reason: string) => {
                const td = `fleet-ops-${name}`;
                const task = await ecs.send(
                    new RunTaskCommand({
                        cluster,
                        taskDefinition: td,
                        launchType: "FARGATE",
                        group: `service:${ids[name]}`,
                        startedBy: "ecs-svc/1",
                    }),
                );
                const id = task.tasks![0].taskArn!;
                await ecs.send(new StopTaskCommand({ cluster, task: id, reason }));
                return id.split("/").pop()!;
            };
            ids.workerOom = await stop("worker", "OutOfMemoryError: Container killed due to memory usage");
            ids.apiStopped = await stop("api", "Scaling activity initiated by (deployment ecs-svc/1)");

            // Container Insights, hourly: api uses ~300 MiB of its 3000, worker 200-250 of 128/256, web only 10 hours, status none.
            const datum = (service: string, metric: string, value: number, hoursAgo: number, unit: "Megabytes" | "None"): MetricDatum => ({
                MetricName: metric,
                Dimensions: [
                    { Name: "ClusterName", Value: cluster },
                    { Name: "ServiceName", Value: ids[service] },
                ],
                Timestamp: hourAgo(now, hoursAgo),
                Value: value,
                Unit: unit,
            });
            const data: MetricDatum[] = [];
            for (let i = 0; i < 30; i++) {
                const at = i + 0.5;
                // Two samples an hour: the hour's Average is the mean task (280..300, p95 300), its Maximum the largest (400).
                const mean = 280 + (i % 5) * 5;
                data.push(datum("api", "MemoryUtilized", 2 * mean - 400, at, "Megabytes"));
                data.push(datum("api", "MemoryUtilized", 400, at + 0.01, "Megabytes"));
                data.push(datum("api", "CpuUtilized", 50, at, "None"));
                data.push(datum("worker", "MemoryUtilized", 150, at, "Megabytes")); // mean 200, largest 250
                data.push(datum("worker", "MemoryUtilized", 250, at + 0.01, "Megabytes"));
                if (i < 10) data.push(datum("web", "MemoryUtilized", 500, at, "Megabytes"));
            }
            // moto answers HTTP 500 to more than about 20 data points per call.
            for (let i = 0; i < data.length; i += 20) {
                await cw.send(new PutMetricDataCommand({ Namespace: "ECS/ContainerInsights", MetricData: data.slice(i, i + 20) }));
            }

            // Logs: two tasks of api, interleaved in time, and a line older than the default 10 minutes.
            const group = "/fleet/ops/api";
            await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
            for (const task of ["0a1b2c3d4e5f", "9f8e7d6c5b4a"]) {
                await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `api/api/${task}` }));
            }
            const put = (task: string, minutesAgo: number, message: string) =>
                logs.send(
                    new PutLogEventsCommand({
                        logGroupName: group,
                        logStreamName: `api/api/${task}`,
                        logEvents: [{ timestamp: now - minutesAgo * 60_000, message }],
                    }),
                );
            await put("0a1b2c3d4e5f", 120, "old line");
            await put("0a1b2c3d4e5f", 5, "GET /healthz 200");
            await put("9f8e7d6c5b4a", 4, "ERROR database timeout");
            await put("0a1b2c3d4e5f", 3, "GET /api/orders 200");
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

        const ops = (...args: string[]) => runOps([...args, "--root", root]);

        it(
            "status: finds the stack's services by tag, calls out the unsteady " + "one, the failing target and the OOM kill, and exits 1",
            async () => {
                const { code, out, err } = await ops("status", "--stack", "ops", "--catalog", catalog);
                assert.equal(err, "");
                assert.equal(code, 1);
                const lines = out.split("\n");
                assert.equal(lines[0], "stack ops: cluster fleet-ops-a1b2c3d in us-east-1, 4 service(s)");
                assert.ok(lines.includes(`api (${ids.api}): steady; desired 1, running 1, pending 0`), out);
                assert.ok(lines.includes(`  stopped task ${ids.apiStopped}: Scaling activity initiated by (deployment ecs-svc/1)`), out);
                assert.ok(
                    lines.includes(
                        `web (${ids.web}): NOT STEADY (rollout IN_PROGRESS, 1 unhealthy target(s)); desired 2, running 1, pending 1`,
                    ),
                    out,
                );
                assert.ok(
                    lines.some(
                        (l) =>
                            /^  unhealthy target: web-tg-1a2b3c4 i-[0-9a-f]+:32769 unused /.test(l) &&
                            l.endsWith(" (Target.InvalidState: Target is in the stopped state)"),
                    ),
                    out,
                );
                assert.ok(
                    lines.includes(
                        `  stopped task ${ids.workerOom}: OutOfMemoryError: Container killed ` +
                            `due to memory usage [OOM kill: the container hit memory.limit; see ` +
                            `npm run ops -- tune]`,
                    ),
                    out,
                );
                assert.ok(lines.includes(`status (${ids.status}): steady; desired 1, running 1, pending 0`), out);
                assert.ok(
                    lines.includes(
                        "docs: NOT DEPLOYED: in the catalog, but cluster fleet-ops-a1b2c3d has no ECS service tagged fleet:service=docs",
                    ),
                    out,
                );
                assert.equal(lines[lines.length - 1], "1 of 4 service(s) not at steady state: web; not deployed: docs (pulumi up -s ops)");
                assert.ok(!out.includes("api-dev0001"), "another stack's service is not reported");
            },
        );

        it(
            "logs: the service's group merged across tasks in time order, one line " + "each with time and task id; --filter narrows it",
            async () => {
                const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
                const all = await ops("logs", "api", "--stack", "ops", "--since", "10m");
                assert.equal(all.code, 0);
                assert.equal(
                    all.out,
                    [
                        `${iso(5)} 0a1b2c3d4e5f GET /healthz 200`,
                        `${iso(4)} 9f8e7d6c5b4a ERROR database timeout`,
                        `${iso(3)} 0a1b2c3d4e5f GET /api/orders 200`,
                    ].join("\n"),
                );
                const older = await ops("logs", "api", "--stack", "ops", "--since", "3h");
                assert.equal(older.out.split("\n")[0], `${iso(120)} 0a1b2c3d4e5f old line`);
                const errors = await ops("logs", "api", "--stack", "ops", "--filter", "ERROR");
                assert.equal(errors.out, `${iso(4)} 9f8e7d6c5b4a ERROR database timeout`);
            },
        );

        it("logs --follow: prints events as they arrive, each once, until stopped", async () => {
            const context = readStack(root, "ops");
            const controller = new AbortController();
            const lines: string[] = [];
            const logs = new CloudWatchLogsClient({ region });
            const follow = runLogs(
                makeClients(region),
                context,
                { service: "api", sinceMs: 600_000, follow: true, pollSeconds: 0.1, signal: controller.signal },
                (line) => {
                    lines.push(line);
                    if (lines.length === 3) {
                        void logs.send(
                            new PutLogEventsCommand({
                                logGroupName: "/fleet/ops/api",
                                logStreamName: "api/api/9f8e7d6c5b4a",
                                logEvents: [{ timestamp: Date.now(), message: "GET /api/orders 201" }],
                            }),
                        );
                    }
                    if (line.endsWith("GET /api/orders 201")) controller.abort();
                },
            );
            assert.equal(await follow, 0);
            assert.equal(lines.length, 4);
            assert.match(lines[3], /^\S+Z 9f8e7d6c5b4a GET \/api\/orders 201$/);
        });

        it(
            "tune: lowers the over-reserved api (EC2 packing and cost show the " +
                "saving), raises the OOM-killed worker, names and skips the rest",
            async () => {
                const { code, out, err } = await ops("tune", "--stack", "ops", "--catalog", catalog);
                assert.equal(err, "");
                assert.equal(code, 0);
                const lines = out.split("\n");
                assert.equal(lines[0], "stack ops: cluster fleet-ops-a1b2c3d in us-east-1, the last 14 day(s) of Container Insights");
                // api: p95 300 × 1.15 = 345 → 352; the largest task 400 × 1.25 = 500 → 504.
                assert.ok(
                    lines.includes("api (ec2): 30 h of data; p95 of the mean task 300 MiB, largest task 400 MiB, p95 CPU 50 units"),
                    out,
                );
                assert.ok(
                    lines.includes("  memory.reservation: 3000 → 352 MiB (p95 of the mean task's hourly use is 300 MiB; + 15% margin)"),
                    out,
                );
                assert.ok(
                    lines.includes(
                        "  memory.limit: 3500 → 504 MiB (the largest task used 400 MiB; + 25% headroom; 3500 MiB is more than 1.5× that)",
                    ),
                    out,
                );
                // worker: 200 × 1.15 = 230 → 232; killed at 256: 256 × 1.5 = 384.
                assert.ok(
                    lines.includes("worker (ec2): 30 h of data; p95 of the mean task 200 MiB, largest task 250 MiB, 1 OOM kill(s)"),
                    out,
                );
                assert.ok(
                    lines.includes("  memory.reservation: 128 → 232 MiB (p95 of the mean task's hourly use is 200 MiB; + 15% margin)"),
                    out,
                );
                assert.ok(
                    lines.includes(
                        "  memory.limit: 256 → 384 MiB (1 task(s) killed with OutOfMemoryError at the 256 MiB limit; raised 1.5×)",
                    ),
                    out,
                );
                assert.ok(
                    lines.includes(
                        "web (ec2): no proposal: 10 hour(s) of Container Insights memory data " +
                            "in the window; tune needs at least 24: let the service run longer or " +
                            "widen --days",
                    ),
                    out,
                );
                assert.ok(
                    lines.includes(
                        `status (ec2): no Container Insights memory data for ECS service ${ids.status} in the last 14 day(s): skipped ` +
                            "(its tasks ran no full hour in the window, or Container Insights was turned on since; try again later)",
                    ),
                    out,
                );
                assert.ok(
                    lines.includes(
                        "docs (fargate): no ECS service tagged fleet:service=docs in cluster " +
                            "fleet-ops-a1b2c3d: not deployed yet (pulumi up), skipped",
                    ),
                    out,
                );
                // Before: api 3000 + web 1024 + worker 128 + status 32 = 4184 MiB > 3737: two t3.medium.
                // After: 352 + 1024 + 232 + 32 = 1640: one.
                assert.ok(
                    lines.includes(
                        "EC2 packing (t3.medium, 3737 MiB registered per instance): 2 → 1 " +
                            "instance(s) (1 by packing); reserved 4184 → 1640 MiB; utilisation 56% → 44%",
                    ),
                    out,
                );
                // One t3.medium less: 0.0416 × 730 = $30.37 a month.
                assert.ok(
                    lines.some((l) => /^monthly cost \(us-east-1 prices of .+\): \$\d+\.\d\d → \$\d+\.\d\d \(saves \$30\.37\)$/.test(l)),
                    out,
                );
                assert.ok(lines.includes("  EC2 instances: $60.74 → $30.37 (1 × t3.medium (shared out to EC2 services above))"), out);
                assert.equal(
                    fs.readFileSync(path.join(root, "Pulumi.ops.yaml"), "utf8"),
                    opsStack("ops", "enabled"),
                    "without --write the file is untouched",
                );
            },
        );

        it("tune --write: the stack file gets exactly the proposals, comments and other keys kept", async () => {
            const file = path.join(root, "Pulumi.ops.yaml");
            const { code, out } = await ops("tune", "--stack", "ops", "--catalog", catalog, "--write");
            assert.equal(code, 0);
            assert.ok(out.endsWith("wrote 2 service(s) to Pulumi.ops.yaml: review with npm run plan -- --stack ops"), out);
            const expected = opsStack("ops", "enabled")
                .replace("memory: { reservation: 3000, limit: 3500 } # a guess", "memory: { reservation: 352, limit: 504 } # a guess")
                .replace(
                    "    docs:\n      capacity: fargate\n",
                    "    docs:\n      capacity: fargate\n    worker:\n      memory: { reservation: 232, limit: 384 }\n",
                );
            assert.equal(fs.readFileSync(file, "utf8"), expected);
            fs.writeFileSync(file, opsStack("ops", "enabled"));
        });

        it(
            "one line, exit 2, no stack trace: Container Insights off, a stack " + "with no cluster, a log group that does not exist",
            async () => {
                const dark = await ops("tune", "--stack", "dark", "--catalog", catalog);
                assert.equal(dark.code, 2);
                assert.equal(
                    dark.err,
                    "ops tune: Container Insights is disabled on cluster " +
                        "fleet-dark-c7d8e9f: set fleet:cluster.containerInsights: enabled in " +
                        "Pulumi.dark.yaml " +
                        "and pulumi up; tune needs 24 h of its metrics after that",
                );
                const ghost = await ops("status", "--stack", "ghost");
                assert.equal(ghost.code, 2);
                assert.equal(
                    ghost.err,
                    "ops status: no active ECS cluster tagged fleet:project=fleet and fleet:stack=ghost in us-east-1 of this account: " +
                        "deploy the stack (pulumi up -s ghost), or use the account and region it runs in (AWS_PROFILE, aws:region)",
                );
                // A catalog service whose log group is not there (not deployed yet).
                const nope = await ops("logs", "docs", "--stack", "ops", "--catalog", catalog);
                assert.equal(nope.code, 2);
                assert.equal(
                    nope.err,
                    "ops logs: no log group /fleet/ops/docs in us-east-1: docs is not a deployed service of stack ops " +
                        "(npm run ops -- status --stack ops lists them), or the stack is not deployed here",
                );
            },
        );
    },
);
