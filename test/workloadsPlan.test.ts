/**
 * The whole program over a catalog of workers and jobs (test/fixtures/catalogWorkloads.ts) on a
 * prod-like stack with mandatory policy: it plans policy-clean, the stack file names the worker's
 * queue, and the model section, capacity, cost and job rows account for jobs and scheduled
 * minimums, by hand-computed figures.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { PlanDocument } from "../plan/runProgram";
import { priceBook } from "../review/cost";
import { planPolicy } from "../review/guards";
import { renderText, review, Review } from "../review/render";
import { prodSettingsRoot } from "./support/fixtures";
import { planAt } from "./support/planCli";

const repo = path.resolve(__dirname, "..");
const fixtures = path.join(repo, "test", "fixtures");

let plan: PlanDocument;
let report: Review;
before(async () => {
    // The prod-like fixture stack without its per-service tuning (other services), naming the worker's queue instead.
    const root = prodSettingsRoot(
        "jobs",
        "  fleet:services:\n    worker:\n" +
            "      scaling: { queue: { name: orders-prod } }\n      access: { sqs: { orders-prod: consume } }\n",
    );
    plan = await planAt("workers and jobs", root, "jobs", undefined, path.join(fixtures, "catalogWorkloads.ts"));
    report = review(plan, undefined, { now: new Date("2026-12-01T12:00:00Z") });
});

const byName = (name: string) => plan.resources.filter((r) => r.name === name);

describe("a plan with workers and jobs", () => {
    it("is policy-clean on a mandatory stack", () => {
        assert.deepEqual(report.policy?.violations, []);
    });

    it("fails ECS.2/ECS.16 when a job's schedule would give its task a public IP", () => {
        const resources = plan.resources.map((r) =>
            r.name === "sweep-schedule"
                ? {
                      ...r,
                      inputs: {
                          ...r.inputs,
                          target: {
                              ...(r.inputs.target as any),
                              ecsParameters: {
                                  ...(r.inputs.target as any).ecsParameters,
                                  networkConfiguration: {
                                      ...(r.inputs.target as any).ecsParameters.networkConfiguration,
                                      assignPublicIp: true,
                                  },
                              },
                          },
                      },
                  }
                : r,
        );
        assert.deepEqual(
            planPolicy({ ...plan, resources }).violations.map((v) => v.message),
            [
                "[ECS.2/ECS.16] aws:scheduler/schedule:Schedule sweep-schedule " +
                    "(service sweep): assigns public IP addresses to its tasks. " +
                    "Fix: set assignPublicIp false and run tasks in private subnets behind " +
                    "NAT, or waive ECS.2/ECS.16 for sweep with a reason in " +
                    "fleet:policy.waivers.",
            ],
        );
    });

    it("scales the worker on the queue the stack file names", () => {
        const policy = byName("worker-queue")[0];
        const metrics = (policy.inputs.targetTrackingScalingPolicyConfiguration as any).customizedMetricSpecification.metrics;
        assert.deepEqual(metrics[0].metricStat.metric.dimensions, [{ name: "QueueName", value: "orders-prod" }]);
    });

    it("runs the jobs by schedule, with no ECS service", () => {
        assert.deepEqual(
            plan.resources.filter((r) => r.type === "aws:scheduler/schedule:Schedule").map((r) => [r.name, r.inputs.scheduleExpression]),
            [
                ["nightly-schedule", "cron(30 2 * * ? *)"],
                ["sweep-schedule", "rate(15 minutes)"],
            ],
        );
        assert.deepEqual(
            plan.resources
                .filter((r) => r.type === "aws:ecs/service:Service")
                .map((r) => r.name)
                .sort(),
            ["web", "worker"],
        );
    });

    it("writes jobs and scheduled minimums into the model section", () => {
        const services = Object.fromEntries(plan.model!.services.map((s) => [s.name, s]));
        assert.deepEqual(services.nightly.job, {
            schedule: "cron(30 2 * * ? *)",
            timezone: "Europe/Berlin",
            runsPerYear: 365,
            durationMinutes: 20,
        });
        assert.equal(services.nightly.desired, 0);
        assert.deepEqual(services.sweep.job, { schedule: "rate(15 minutes)", timezone: "UTC", runsPerYear: 35040 });
        // 4 tasks for 11 hours on the 261 weekdays of 2025, 2 the rest of the year.
        assert.deepEqual(services.web.scheduledMin, { highest: 4, average: (4 * 11 * 261 + 2 * (8760 - 11 * 261)) / 8760 });
        assert.equal(services.worker.scheduledMin, undefined);
        assert.equal(services.worker.job, undefined);
    });

    it("plans EC2 room for the highest scheduled minimum and a job's task", () => {
        const capacity = report.capacity!;
        // web 4 × 128 + worker 1 × 256 + nightly 1 × 256 (sweep runs on Fargate).
        assert.equal(capacity.tasks, 6);
        assert.equal(capacity.reservedMiB, 1024);
        assert.deepEqual(capacity.assumptions, [
            "nightly: a job, its one task counted as placed",
            "web: 4 tasks, its highest scheduled minimum",
        ]);
    });

    it("costs a job by its task-hours and a scheduled service by its hour-weighted minimum", () => {
        const prices = priceBook.regions["us-east-1"];
        const cost = Object.fromEntries(report.cost.services.map((s) => [s.service, s]));
        // rate(15 minutes) with the assumed 15-minute run: one Fargate 256/512 task all month.
        const sweepTaskHours = (35040 / 12) * (15 / 60);
        assert.equal(sweepTaskHours, 730);
        // The review prints cents, and its totals add the printed rows (review/costTable.ts): within half a cent.
        const cent = 0.005 + 1e-9;
        assert.ok(Math.abs(cost.sweep.compute - sweepTaskHours * (0.25 * prices.fargateVcpuHour + 0.5 * prices.fargateGbHour)) < cent);
        assert.equal(cost.sweep.detail, "2920 runs × 15 min (assumed) = 730 task-hours × Fargate 256/512");
        // EC2 shares by memory reserved over time: web's weighted minimum, worker's one task, nightly's 365/12 × 20 min.
        const web = ((4 * 11 * 261 + 2 * (8760 - 11 * 261)) / 8760) * 128;
        const worker = 256;
        const nightly = ((365 / 12) * (20 / 60) * 256) / priceBook.hoursPerMonth;
        const ec2 = report.cost.shared.find((l) => l.item === "EC2 instances")!.monthly;
        assert.ok(Math.abs(cost.nightly.compute - (ec2 * nightly) / (web + worker + nightly)) < cent);
        assert.ok(Math.abs(cost.web.compute - (ec2 * web) / (web + worker + nightly)) < cent);
        assert.equal(
            cost.nightly.detail,
            "1% of the EC2 instances (by memory reserved while it runs: 30.4 runs × 20 min = 10.1 task-hours)",
        );
    });

    it("lists each job with its next runs in its time zone", () => {
        assert.deepEqual(report.jobs, [
            {
                service: "nightly",
                schedule: "cron(30 2 * * ? *)",
                timezone: "Europe/Berlin",
                // 02:30 in Berlin is 01:30 UTC in winter.
                nextRuns: ["2026-12-02T01:30:00.000Z", "2026-12-03T01:30:00.000Z", "2026-12-04T01:30:00.000Z"],
                runsPerMonth: 365 / 12,
                minutesPerRun: 20,
                assumed: false,
                taskHoursPerMonth: ((365 / 12) * 20) / 60,
            },
            {
                service: "sweep",
                schedule: "rate(15 minutes)",
                timezone: "UTC",
                nextRuns: [],
                runsPerMonth: 2920,
                minutesPerRun: 15,
                assumed: true,
                taskHoursPerMonth: 730,
            },
        ]);
        const text = renderText(report);
        assert.ok(
            text.includes("nightly  cron(30 2 * * ? *)  Europe/Berlin  2026-12-02 01:30, 2026-12-03 01:30, 2026-12-04 01:30  30.4"),
            text,
        );
        assert.ok(!text.includes("nightly  no load balancer"), "a job has no rolling deployment");
    });

    it("never prints the job's generated secret", () => {
        const password = plan.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
        assert.equal(password.name, "nightly-REPORT_TOKEN");
        const text = JSON.stringify(plan) + renderText(report);
        assert.ok(!/mock-[0-9a-f]{32}/.test(text));
    });
});
