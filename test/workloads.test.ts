/**
 * Workers and jobs in the catalog: every invalid queue scaling, scheduled scaling and job entry has
 * its exact message (service, field, value, fix), and valid ones resolve as expected, a stack
 * naming its own queue included.
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

const errorsOf = (catalog: unknown, config: Record<string, unknown> = {}) => {
    const result = resolveFleet(catalog, input(config));
    return result.ok ? [] : result.errors;
};

const ok = { image: "redis:7", memory: { reservation: 64, limit: 128 } };
const weekdays = "cron(0 8 ? * MON-FRI *)";
const scaling = (extra: Record<string, unknown>) => ({ min: 1, max: 4, cpuPercent: 50, ...extra });
const cronFix = 'write six fields, e.g. "cron(0 8 ? * MON-FRI *)" (08:00 on weekdays)';
const scheduleFix =
    'use "cron(minutes hours day-of-month month day-of-week year)" or "rate(<n> minute(s)|hour(s)|day(s))", e.g. "rate(15 minutes)"';
const job = "is a job (it has a schedule), which runs a task per schedule and takes no traffic";

/** [what, catalog, stack config, exact messages] */
const cases: [string, unknown, Record<string, unknown>, string[]][] = [
    [
        "a scheduled action with ? in neither day field",
        { svc: { ...ok, scaling: scaling({ schedule: [{ cron: "cron(0 8 * * MON-FRI *)", min: 2, max: 4 }] }) } },
        {},
        [
            `service "svc": scaling.schedule[0].cron = "cron(0 8 * * MON-FRI *)": ` +
                `sets both day-of-month and day-of-week: AWS needs ? in one of them ` +
                `(e.g. ? for day-of-month with MON-FRI); ${cronFix}.`,
        ],
    ],
    [
        "a scheduled action in Unix cron syntax",
        { svc: { ...ok, scaling: scaling({ schedule: [{ cron: "0 8 * * 1-5", min: 2, max: 4 }] }) } },
        {},
        [`service "svc": scaling.schedule[0].cron = "0 8 * * 1-5": is not a cron expression; ${cronFix}.`],
    ],
    [
        "a scheduled action with five fields",
        {
            svc: {
                ...ok,
                scaling: scaling({
                    schedule: [
                        { cron: weekdays, min: 2, max: 4 },
                        { cron: "cron(0 18 ? * MON-FRI)", min: 1, max: 4 },
                    ],
                }),
            },
        },
        {},
        [
            `service "svc": scaling.schedule[1].cron = "cron(0 18 ? * MON-FRI)": ` +
                `has 5 fields; AWS cron has six: minutes hours day-of-month month ` +
                `day-of-week year; ${cronFix}.`,
        ],
    ],
    [
        "a scheduled action in an unknown time zone",
        { svc: { ...ok, scaling: scaling({ schedule: [{ cron: weekdays, min: 2, max: 4, timezone: "Europe/Berlinn" }] }) } },
        {},
        [
            'service "svc": scaling.schedule[0].timezone = "Europe/Berlinn": is ' +
                'not an IANA time zone; use a name such as "Europe/Berlin", ' +
                '"America/New_York" or "UTC".',
        ],
    ],
    [
        "a scheduled action with min above max",
        { svc: { ...ok, scaling: scaling({ schedule: [{ cron: weekdays, min: 5, max: 4 }] }) } },
        {},
        ['service "svc": scaling.schedule[0].min = 5: is above max (4); lower min or raise max.'],
    ],
    [
        "two scheduled actions at the same time",
        {
            svc: {
                ...ok,
                scaling: scaling({
                    schedule: [
                        { cron: weekdays, min: 2, max: 4 },
                        { cron: weekdays, min: 3, max: 4 },
                    ],
                }),
            },
        },
        {},
        [
            `service "svc": scaling.schedule[1].cron = "${weekdays}": repeats ` +
                `scaling.schedule[0] (same cron and timezone), so only one of them ` +
                `would take effect; merge the two entries or change one's cron.`,
        ],
    ],
    [
        "queue scaling without a queue name",
        { svc: { ...ok, scaling: { min: 1, max: 4, queue: { backlogPerTask: 100 } } } },
        {},
        [
            `service "svc": scaling.queue.name = (missing): is required: queue ` +
                `scaling needs the queue's name; set it in the catalog or under ` +
                `fleet:services.<service>.scaling.queue.name, e.g. "orders".`,
        ],
    ],
    [
        "queue scaling with a name SQS refuses",
        { svc: { ...ok, scaling: { min: 1, max: 4, queue: { name: "orders queue", backlogPerTask: 100 } } } },
        {},
        [
            'service "svc": scaling.queue.name = "orders queue": is not an SQS ' +
                "queue name (1-80 characters of A-Z a-z 0-9 - _, a FIFO queue's " +
                "ending in .fifo) or queue ARN; use the queue's name, e.g. orders or " +
                "orders.fifo, or arn:aws:sqs:<region>:<account>:<name>.",
        ],
    ],
    [
        "queue scaling without backlogPerTask",
        { svc: { ...ok, scaling: { min: 1, max: 4, queue: { name: "orders" } } } },
        {},
        [
            'service "svc": scaling.queue.backlogPerTask = (missing): is required; ' +
                "use the messages one task works through in an acceptable delay, e.g. 100.",
        ],
    ],
    [
        "queue scaling from zero tasks",
        { svc: { ...ok, scaling: { min: 0, max: 4, queue: { name: "orders", backlogPerTask: 100 } } } },
        {},
        [
            'service "svc": scaling.min = 0: is 0 with queue scaling: backlog per ' +
                "task divides by the running tasks, so with none running it has no " +
                "value and the service never scales out; set scaling.min to 1 or more.",
        ],
    ],
    [
        "queue scaling with a scheduled minimum of zero tasks",
        {
            svc: {
                ...ok,
                scaling: {
                    min: 1,
                    max: 4,
                    queue: { name: "orders", backlogPerTask: 100 },
                    schedule: [{ cron: "cron(0 20 * * ? *)", min: 0, max: 4 }],
                },
            },
        },
        {},
        [
            'service "svc": scaling.schedule[0].min = 0: is 0 with queue scaling: once ' +
                "the tasks scale in to none, backlog per task has no value and the service " +
                "never scales out again; set it to 1 or more.",
        ],
    ],
    [
        "queue scaling without Container Insights",
        { svc: { ...ok, scaling: { min: 1, max: 4, queue: { name: "orders", backlogPerTask: 100 } } } },
        { cluster: { defaultCapacity: "fargate", containerInsights: "disabled" } },
        [
            'service "svc": scaling.queue = "orders": needs the running task count ' +
                "from Container Insights, which stack dev turns off; set " +
                "fleet:cluster.containerInsights to enabled in Pulumi.dev.yaml, or " +
                "scale on cpuPercent.",
        ],
    ],
    [
        "a bad queue name from the stack file",
        { svc: { ...ok, scaling: { min: 1, max: 4, queue: { backlogPerTask: 100 } } } },
        { services: { svc: { scaling: { queue: { name: "orders!" } } } } },
        [
            'service "svc" (set in fleet:services.svc of Pulumi.dev.yaml): ' +
                'scaling.queue.name = "orders!": is not an SQS queue name (1-80 ' +
                "characters of A-Z a-z 0-9 - _, a FIFO queue's ending in .fifo) or " +
                "queue ARN; use the queue's name, e.g. orders or orders.fifo, or " +
                "arn:aws:sqs:<region>:<account>:<name>.",
        ],
    ],
    [
        "a job with a port and routes",
        { nightly: { ...ok, schedule: "cron(0 3 * * ? *)", port: 8080, routes: [{ path: "/report/*" }] } },
        {},
        [
            `service "nightly": port = 8080: ${job}, so it has no port; remove port, or remove schedule to run it as a service.`,
            `service "nightly": routes = [{"path":"/report/*"}]: ${job}, so it is ` +
                `not on the load balancer; remove routes, or remove schedule to run it ` +
                `as a service.`,
        ],
    ],
    [
        "a job with scaling and a desired count",
        { nightly: { ...ok, schedule: "rate(1 hour)", desiredCount: 2, scaling: { min: 1, max: 2, cpuPercent: 50 } } },
        {},
        [
            'service "nightly": scaling = {"min":1,"max":2,"cpuPercent":50}: is ' +
                "for a service; a job runs one task per schedule; remove scaling, or " +
                "remove schedule to run it as a service.",
            'service "nightly": desiredCount = 2: is for a service; a job runs one ' +
                "task per schedule; remove desiredCount, or remove schedule to run it " +
                "as a service.",
        ],
    ],
    [
        "a rate in the plural for 1",
        { nightly: { ...ok, schedule: "rate(1 hours)" } },
        {},
        [`service "nightly": schedule = "rate(1 hours)": says 1 hours: AWS wants rate(1 hour); ${scheduleFix}.`],
    ],
    [
        "a rate of zero",
        { nightly: { ...ok, schedule: "rate(0 minutes)" } },
        {},
        [`service "nightly": schedule = "rate(0 minutes)": has the value 0, which must be a positive whole number; ${scheduleFix}.`],
    ],
    [
        "a rate in weeks",
        { nightly: { ...ok, schedule: "rate(1 week)" } },
        {},
        [`service "nightly": schedule = "rate(1 week)": has the unit week; use minute(s), hour(s) or day(s); ${scheduleFix}.`],
    ],
    [
        "a job cron with both day fields",
        { nightly: { ...ok, schedule: "cron(0 3 * * * *)" } },
        {},
        [
            `service "nightly": schedule = "cron(0 3 * * * *)": sets both ` +
                `day-of-month and day-of-week: AWS needs ? in one of them (e.g. ? for ` +
                `day-of-month with MON-FRI); ${scheduleFix}.`,
        ],
    ],
    [
        "a schedule that is neither cron nor rate",
        { nightly: { ...ok, schedule: "daily" } },
        {},
        [`service "nightly": schedule = "daily": is neither cron(...) nor rate(...); ${scheduleFix}.`],
    ],
    [
        "a timezone and a duration on a service",
        { svc: { ...ok, timezone: "Europe/Berlin", jobDurationMinutes: 5 } },
        {},
        [
            'service "svc": timezone = "Europe/Berlin": is set but the entry has ' +
                "no schedule; add schedule to make it a job, or remove timezone.",
            'service "svc": jobDurationMinutes = 5: is set but the entry has no ' +
                "schedule; add schedule to make it a job, or remove jobDurationMinutes.",
        ],
    ],
    [
        "a timezone on a rate",
        { nightly: { ...ok, schedule: "rate(5 minutes)", timezone: "Europe/Berlin" } },
        {},
        [
            'service "nightly": timezone = "Europe/Berlin": only applies to a cron ' +
                "schedule, and schedule is a rate; remove timezone, or use a cron " +
                "schedule.",
        ],
    ],
];

describe("validation of workers and jobs", () => {
    for (const [what, catalog, config, expected] of cases) {
        it(what, () => assert.deepEqual(errorsOf(catalog, config), expected));
    }
});

describe("resolution of workers and jobs", () => {
    it("a stack names its own queue and keeps the catalog's backlogPerTask", () => {
        const catalog = { worker: { ...ok, scaling: { min: 1, max: 8, queue: { name: "orders-dev", backlogPerTask: 50 } } } };
        const result = resolveFleet(catalog, input({ services: { worker: { scaling: { queue: { name: "orders-prod" } } } } }));
        assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
        assert.deepEqual(result.fleet.services[0].scaling, { min: 1, max: 8, queue: { name: "orders-prod", backlogPerTask: 50 } });
    });

    it("a queue given by ARN must be in the stack's region, where the policy reads its backlog", () => {
        const arn = (region: string) => `arn:aws:sqs:${region}:123456789012:orders`;
        const catalog = (region: string) => ({
            worker: { ...ok, scaling: { min: 1, max: 8, queue: { name: arn(region), backlogPerTask: 50 } } },
        });
        const problems = (region: string) => {
            const result = resolveFleet(catalog(region), fleetInput(baseConfig, { stack: "dev", region: "eu-west-1" }));
            return result.ok ? [] : result.errors;
        };
        assert.deepEqual(problems("us-east-1"), [
            `service "worker": scaling.queue.name = "${arn("us-east-1")}": is a queue in us-east-1, but the scaling ` +
                "policy reads its backlog from CloudWatch in the stack's region, eu-west-1 (aws:region), where that queue " +
                "has no metrics, so the worker would never scale; use a queue in eu-west-1, or scale on cpuPercent.",
        ]);
        assert.deepEqual(problems("eu-west-1"), []);
    });

    it("a stack overriding other scaling fields keeps the catalog's queue", () => {
        const catalog = { worker: { ...ok, scaling: { min: 1, max: 8, queue: { name: "orders", backlogPerTask: 50 } } } };
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
