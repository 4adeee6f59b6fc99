/**
 * Workers and jobs in the catalog: valid ones resolve as expected, a stack naming its own queue
 * included. Every invalid queue scaling, scheduled scaling and job entry is a case of the corpus
 * (test/fixtures/problems/workloads.ts), asserted by test/problems.test.ts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { resolveFleet } from "../model/resolve";
import { fleetInput } from "./support/fleetInput";

const baseConfig: Record<string, unknown> = {
    domain: "example.com",
    network: { natGateways: "single" },
    cluster: { defaultCapacity: "fargate" },
};

const input = (config: Record<string, unknown>) => fleetInput({ ...baseConfig, ...config }, { stack: "dev" });

const ok = { image: "redis:7", memory: { reservation: 64, limit: 128 } };

describe("resolution of workers and jobs", () => {
    it("a stack names its own queue and keeps the catalog's backlogPerTask", () => {
        const catalog = {
            worker: {
                ...ok,
                scaling: { min: 1, max: 8, queue: { name: "orders-dev", backlogPerTask: 50 } },
                access: { sqs: { "orders-dev": "consume" as const } },
            },
        };
        // The stack names the queue for both: the worker scales on it and consumes it.
        const override = { scaling: { queue: { name: "orders-prod" } }, access: { sqs: { "orders-prod": "consume" } } };
        const result = resolveFleet(catalog, input({ services: { worker: override } }));
        assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
        assert.deepEqual(result.fleet.services[0].scaling, { min: 1, max: 8, queue: { name: "orders-prod", backlogPerTask: 50 } });
    });

    it("a queue given by ARN in the stack's region is accepted", () => {
        const arn = "arn:aws:sqs:eu-west-1:123456789012:orders";
        const catalog = {
            worker: {
                ...ok,
                scaling: { min: 1, max: 8, queue: { name: arn, backlogPerTask: 50 } },
                access: { sqs: { orders: "consume" as const } },
            },
        };
        const result = resolveFleet(catalog, fleetInput(baseConfig, { stack: "dev", region: "eu-west-1" }));
        assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    });

    it("a stack overriding other scaling fields keeps the catalog's queue", () => {
        const catalog = {
            worker: {
                ...ok,
                scaling: { min: 1, max: 8, queue: { name: "orders", backlogPerTask: 50 } },
                access: { sqs: { orders: "consume" as const } },
            },
        };
        const result = resolveFleet(catalog, input({ services: { worker: { scaling: { max: 20 } } } }));
        assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
        assert.deepEqual(result.fleet.services[0].scaling, { min: 1, max: 20, queue: { name: "orders", backlogPerTask: 50 } });
    });

    it("a job has a schedule and no task kept running; a service has no job", () => {
        const catalog = {
            nightly: { ...ok, schedule: " cron(0 3 * * ? *) ", timezone: "Europe/Berlin", jobDurationMinutes: 20 },
            web: ok,
        };
        const result = resolveFleet(catalog, input({}));
        assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
        const [nightly, web] = result.fleet.services;
        assert.deepEqual(nightly.job, { schedule: "cron(0 3 * * ? *)", timezone: "Europe/Berlin", durationMinutes: 20 });
        assert.equal(nightly.desiredCount, 0);
        assert.equal("job" in web, false);
        assert.equal(web.desiredCount, 1);
    });

    it("resolves the worker and job of docs/workers-and-jobs.md as written, the worker's queue named by its stack file", () => {
        const section = fs.readFileSync(path.join(__dirname, "..", "docs", "workers-and-jobs.md"), "utf8");
        // Each ts block is one catalog entry (`name: { ... },`), as a user pastes it into services/index.ts.
        const entries = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((block) => new Function(`return ({${block[1]}});`)());
        const catalog = Object.assign({}, ...entries);
        const stackFile = YAML.parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]);
        assert.deepEqual(Object.keys(catalog), ["orders-worker", "nightly-report"]);
        const result = resolveFleet(catalog, input({ services: stackFile["fleet:services"] }));
        assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
        const [job, worker] = result.fleet.services;
        assert.deepEqual(worker.scaling?.queue, { name: "orders-prod", backlogPerTask: 100 });
        assert.equal(worker.scaling?.schedule?.length, 2);
        assert.deepEqual(job.job, { schedule: "cron(30 2 * * ? *)", timezone: "Europe/Berlin", durationMinutes: 20 });
    });
});
