/**
 * `ops run` against a scripted ECS, for what moto cannot produce (test/opsRunMoto.test.ts): a
 * container that exits non-zero, a task that never starts, RunTask placing nothing. Then what
 * rollback says of two revisions (describeChanges, values never shown), and the command line:
 * help, the task's command after `--`, options of the wrong command.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { TaskDefinition } from "@aws-sdk/client-ecs";
import { Clients } from "../ops/aws";
import { usage } from "../ops/cli";
import { readStack } from "../ops/fleetModel";
import { describeChanges } from "../ops/rollback";
import { Clock, runOneOff } from "../ops/run";
import { runOps } from "./support/ops";

const context = readStack(path.join(__dirname, "fixtures", "stacks"), "dev");
const clusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/fleet-dev-0a1b2c3";
const taskArn = "arn:aws:ecs:us-east-1:123456789012:task/fleet-dev-0a1b2c3/0123456789abcdef";

/** An ECS that knows one cluster, the service `api`, and runs tasks that go through `statuses`, one per DescribeTasks. */
function scriptedClients(task: { statuses: string[]; exitCode?: number; stopCode?: string; reason?: string; failure?: string }) {
    const sent: { command: string; input: any }[] = [];
    let describes = 0;
    const ecs = {
        send: async (command: { constructor: { name: string }; input: any }) => {
            const name = command.constructor.name;
            sent.push({ command: name, input: command.input });
            switch (name) {
                case "ListClustersCommand":
                    return { clusterArns: [clusterArn] };
                case "DescribeClustersCommand":
                    return {
                        clusters: [
                            {
                                clusterArn,
                                clusterName: "fleet-dev-0a1b2c3",
                                status: "ACTIVE",
                                tags: [
                                    { key: "fleet:project", value: "fleet" },
                                    { key: "fleet:stack", value: "dev" },
                                ],
                            },
                        ],
                    };
                case "ListServicesCommand":
                    return { serviceArns: ["arn:aws:ecs:us-east-1:123456789012:service/fleet-dev-0a1b2c3/api-1a2b3c4"] };
                case "DescribeServicesCommand":
                    return {
                        services: [
                            {
                                serviceName: "api-1a2b3c4",
                                status: "ACTIVE",
                                taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/fleet-dev-api:7",
                                capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }],
                                networkConfiguration: {
                                    awsvpcConfiguration: {
                                        subnets: ["subnet-0a"],
                                        securityGroups: ["sg-0api"],
                                        assignPublicIp: "DISABLED",
                                    },
                                },
                                tags: [{ key: "fleet:service", value: "api" }],
                            },
                        ],
                    };
                case "RunTaskCommand":
                    return task.failure
                        ? {
                              tasks: [],
                              failures: [{ reason: task.failure, arn: "arn:aws:ecs:us-east-1:123456789012:container-instance/x" }],
                          }
                        : { tasks: [{ taskArn, lastStatus: "PROVISIONING" }] };
                case "DescribeTasksCommand": {
                    const status = task.statuses[Math.min(describes++, task.statuses.length - 1)];
                    const stopped = status === "STOPPED";
                    return {
                        tasks: [
                            {
                                taskArn,
                                lastStatus: status,
                                stopCode: stopped ? task.stopCode : undefined,
                                stoppedReason: stopped ? task.reason : undefined,
                                containers: [{ name: "api", exitCode: stopped ? task.exitCode : undefined }],
                            },
                        ],
                    };
                }
            }
            throw new Error(`unscripted ${name}`);
        },
    };
    const logs = {
        send: async () => ({
            events: [
                { eventId: "1", timestamp: 1, message: "applying 0042_orders.sql\n" },
                { eventId: "2", timestamp: 2, message: "ERROR: relation orders already exists" },
            ],
        }),
    };
    return { clients: { region: "us-east-1", ecs, logs } as unknown as Clients, sent };
}

const clock = (): Clock & { slept: number[] } => {
    let now = 0;
    const slept: number[] = [];
    return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
};

async function run(script: Parameters<typeof scriptedClients>[0], command?: string[]) {
    const { clients, sent } = scriptedClients(script);
    const out: string[] = [];
    const err: string[] = [];
    const time = clock();
    const code = await runOneOff(
        clients,
        context,
        { name: "api", kind: "service", command, detach: false, timeoutMs: 600_000, pollMs: 5000 },
        (t) => out.push(t),
        (t) => err.push(t),
        time,
    );
    return { code, out, err, sent, slept: time.slept };
}

describe("ops run, scripted", () => {
    it("exits with the container's exit code, after its log lines, having waited on the injected clock", async () => {
        const result = await run({ statuses: ["PENDING", "RUNNING", "STOPPED"], exitCode: 3 }, ["npm", "run", "migrate"]);
        assert.equal(result.code, 3);
        assert.deepEqual(result.out, ["applying 0042_orders.sql", "ERROR: relation orders already exists"]);
        assert.deepEqual(result.err, [
            "started task 0123456789abcdef of api (fleet-dev-api:7, from ECS service api-1a2b3c4) in cluster fleet-dev-0a1b2c3; " +
                "waiting for it to stop",
            "task 0123456789abcdef exited with code 3",
        ]);
        assert.deepEqual(result.slept, [5000, 5000]);
        const runTask = result.sent.find((s) => s.command === "RunTaskCommand")!.input;
        assert.deepEqual(runTask, {
            cluster: clusterArn,
            taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/fleet-dev-api:7",
            count: 1,
            networkConfiguration: {
                awsvpcConfiguration: { subnets: ["subnet-0a"], securityGroups: ["sg-0api"], assignPublicIp: "DISABLED" },
            },
            capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }],
            launchType: undefined,
            placementStrategy: undefined,
            overrides: { containerOverrides: [{ name: "api", command: ["npm", "run", "migrate"] }] },
            startedBy: "fleet-ops",
            group: "fleet-ops:api",
            enableECSManagedTags: true,
            propagateTags: "TASK_DEFINITION",
        });
    });

    it("a task that never started: its stop code and reason, exit 1", async () => {
        const result = await run({
            statuses: ["STOPPED"],
            stopCode: "TaskFailedToStart",
            reason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
        });
        assert.equal(result.code, 1);
        assert.equal(
            result.err[1],
            "task 0123456789abcdef stopped without an exit code: TaskFailedToStart; " +
                "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
        );
        assert.deepEqual(result.slept, []);
    });

    it("RunTask placing nothing: ECS's reason, one line", async () => {
        await assert.rejects(run({ statuses: [], failure: "RESOURCE:MEMORY" }), {
            name: "OpsError",
            message: "ECS started no task of api from arn:aws:ecs:us-east-1:123456789012:task-definition/fleet-dev-api:7: RESOURCE:MEMORY",
        });
    });
});

describe("ops rollback: what changes", () => {
    const definition = (image: string, memory: number, env: Record<string, string>, secrets: string[]): TaskDefinition => ({
        cpu: "256",
        memory: "512",
        containerDefinitions: [
            {
                name: "api",
                image,
                memory,
                memoryReservation: 128,
                command: ["node", "server.js"],
                environment: Object.entries(env).map(([name, value]) => ({ name, value })),
                secrets: secrets.map((name) => ({ name, valueFrom: `/fleet/dev/api/${name}` })),
            },
        ],
    });

    it("names the image, sizes and variables that change, never a variable's value", () => {
        const current = definition("api@sha256:bbb", 512, { LOG_LEVEL: "debug", FEATURE_X: "on" }, ["DATABASE_PASSWORD", "API_KEY"]);
        const previous = definition("api@sha256:aaa", 256, { LOG_LEVEL: "info", OLD_FLAG: "1" }, ["DATABASE_PASSWORD"]);
        assert.deepEqual(describeChanges(current, previous), [
            "image: api@sha256:bbb → api@sha256:aaa",
            "memory: 512 MiB → 256 MiB",
            "environment added: OLD_FLAG",
            "environment removed: FEATURE_X",
            "environment changed: LOG_LEVEL",
            "secrets removed: API_KEY",
        ]);
        assert.deepEqual(describeChanges(current, current), []);
    });
});

describe("ops: the command line of run, rollback and help", () => {
    const ops = (...args: string[]) => runOps(args);

    it("help prints the usage, exit 0", async () => {
        assert.deepEqual(await ops("help"), { code: 0, out: usage, err: "" });
        assert.match(usage, /npm run ops -- run <service\|job> --stack <name> \[--detach\] \[--timeout 30m\] \[-- <command\.\.\.>\]/);
        assert.match(usage, /npm run ops -- rollback <service> --stack <name>/);
    });

    it("refuses a command after -- to anything but run, an empty one, and run's options on another command", async () => {
        const root = path.join(__dirname, "fixtures", "stacks");
        assert.deepEqual(await ops("logs", "api", "--stack", "dev", "--", "ls"), {
            code: 2,
            out: "",
            err: `ops: only run takes a command after --\n${usage}`,
        });
        const empty = await ops("run", "api", "--stack", "dev", "--");
        assert.equal(empty.code, 2);
        assert.match(empty.err, /^ops: nothing after --: give the task's command/);
        assert.deepEqual(await ops("rollback", "api", "--stack", "dev", "--root", root, "--detach"), {
            code: 2,
            out: "",
            err: "ops rollback: --detach and --timeout are run's, not rollback's",
        });
        const timeout = await ops("run", "api", "--stack", "dev", "--root", root, "--timeout", "soon");
        assert.deepEqual(
            [timeout.code, timeout.err],
            [2, "ops run: --timeout soon: use a positive number and a unit s, m, h or d (e.g. 10m, 2h, 1d)"],
        );
    });
});
