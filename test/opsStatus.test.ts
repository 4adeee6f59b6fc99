/**
 * ops status: what a service's description says, for the states moto cannot produce (a rollout
 * the circuit breaker failed and rolled back, service events, stop times): assessService is pure,
 * and the rendering is asserted line by line.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Service } from "@aws-sdk/client-ecs";
import { readStack } from "../ops/fleetModel";
import { assessService, renderStatus } from "../ops/status";

const now = new Date("2026-12-01T12:00:00.000Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

const rolledBack: Service = {
    serviceName: "api-0a1b2c3",
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deployments: [
        {
            id: "ecs-svc/111",
            status: "PRIMARY",
            rolloutState: "IN_PROGRESS",
            rolloutStateReason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/000.",
            desiredCount: 2,
            runningCount: 2,
        },
        {
            id: "ecs-svc/222",
            status: "ACTIVE",
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
            desiredCount: 0,
            runningCount: 0,
            failedTasks: 3,
        },
    ],
    events: [
        { id: "1", createdAt: minutesAgo(30), message: "(service api-0a1b2c3) has started 1 tasks: (task 1)." },
        {
            id: "2",
            createdAt: minutesAgo(10),
            message: "(service api-0a1b2c3) deployment ecs-svc/222 deployment failed: tasks failed to start.",
        },
        { id: "3", createdAt: minutesAgo(20), message: "(service api-0a1b2c3) has stopped 1 running tasks: (task 2)." },
        { id: "4", createdAt: minutesAgo(40), message: "(service api-0a1b2c3) has reached a steady state." },
    ],
};

describe("assessService", () => {
    it("a circuit-breaker rollback: not steady, the failed deployment named, the last three events newest first", () => {
        const status = assessService("api", rolledBack, { total: 0, unhealthy: [] }, [], now);
        assert.equal(status.steady, false);
        assert.deepEqual(status.why, ["2 deployments in flight", "rollout IN_PROGRESS"]);
        assert.deepEqual(status.rollbacks, ["ecs-svc/222: ECS deployment circuit breaker: tasks failed to start."]);
        assert.deepEqual(status.events, [
            "2026-12-01T11:50:00.000Z (service api-0a1b2c3) deployment ecs-svc/222 deployment failed: tasks failed to start.",
            "2026-12-01T11:40:00.000Z (service api-0a1b2c3) has stopped 1 running tasks: (task 2).",
            "2026-12-01T11:30:00.000Z (service api-0a1b2c3) has started 1 tasks: (task 1).",
        ]);
    });

    it("steady: one completed deployment, all tasks running, no failing target; tasks stopped over an hour ago are left out", () => {
        const service: Service = {
            serviceName: "web-1",
            desiredCount: 1,
            runningCount: 1,
            pendingCount: 0,
            deployments: [{ id: "ecs-svc/9", status: "PRIMARY", rolloutState: "COMPLETED", desiredCount: 1, runningCount: 1 }],
        };
        const stopped = [
            { id: "old", stoppedAt: minutesAgo(61), reason: "Essential container in task exited", oom: false },
            { id: "recent", stoppedAt: minutesAgo(5), reason: "OutOfMemoryError: Container killed due to memory usage", oom: true },
        ];
        const status = assessService("web", service, { total: 2, unhealthy: [] }, stopped, now);
        assert.equal(status.steady, true);
        assert.deepEqual(
            status.stopped.map((t) => t.id),
            ["recent"],
        );
    });

    it("renders one block per service and the verdict last", () => {
        const context = readStack(path.join(__dirname, "fixtures", "stacks"), "dev");
        const status = assessService(
            "api",
            rolledBack,
            { total: 2, unhealthy: ["api-tg-1 10.0.1.5:8080 unhealthy (Target.Timeout: Request timed out)"] },
            [],
            now,
        );
        assert.equal(
            renderStatus(
                context,
                { arn: "arn:aws:ecs:us-east-1:123456789012:cluster/fleet-dev-x", name: "fleet-dev-x", services: new Map() },
                [status],
            ),
            [
                "stack dev: cluster fleet-dev-x in us-east-1, 1 service(s)",
                "",
                "api (api-0a1b2c3): NOT STEADY (2 deployments in flight, rollout " +
                    "IN_PROGRESS, 1 unhealthy target(s)); desired 2, running 2, pending 0",
                "  rollout: ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/000.",
                "  deployment: PRIMARY ecs-svc/111 IN_PROGRESS: 2/2 running",
                "  deployment: ACTIVE ecs-svc/222 FAILED: 0/0 running, 3 failed",
                "  failed deployment ecs-svc/222: ECS deployment circuit breaker: tasks failed to start.",
                "  unhealthy target: api-tg-1 10.0.1.5:8080 unhealthy (Target.Timeout: Request timed out)",
                "  event: 2026-12-01T11:50:00.000Z (service api-0a1b2c3) deployment ecs-svc/222 deployment failed: tasks failed to start.",
                "  event: 2026-12-01T11:40:00.000Z (service api-0a1b2c3) has stopped 1 running tasks: (task 2).",
                "  event: 2026-12-01T11:30:00.000Z (service api-0a1b2c3) has started 1 tasks: (task 1).",
                "",
                "1 of 1 service(s) not at steady state: api",
            ].join("\n"),
        );
    });
});
