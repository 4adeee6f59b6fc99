/**
 * The report arithmetic of workers and jobs, as tables: the tasks capacity must hold, the tasks a
 * month's cost counts, and the job rows, against hand-computed figures.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { peakTasks } from "../review/capacity";
import { PriceBook, priceBook, taskLoad } from "../review/cost";
import { ServiceFacts } from "../review/facts";
import { jobRows } from "../review/jobs";

const base: ServiceFacts = {
    name: "svc",
    capacity: "ec2",
    reservation: 128,
    limit: 256,
    cpu: 256,
    desired: 2,
    stopTimeout: 30,
    gracePeriodSeconds: 0,
    builds: false,
};
const book: PriceBook = { ...priceBook, assumptions: { ...priceBook.assumptions, jobMinutesPerRun: 10 } };
const nightly = { schedule: "cron(0 3 * * ? *)", timezone: "America/New_York", runsPerYear: 365 };

describe("tasks of workers and jobs", () => {
    it("capacity holds the desired count, the highest scheduled minimum when above it, and one task per job", () => {
        const table: [ServiceFacts, number][] = [
            [base, 2],
            [{ ...base, scheduledMin: { highest: 6, average: 3 } }, 6],
            [{ ...base, desired: 8, scheduledMin: { highest: 6, average: 3 } }, 8],
            [{ ...base, desired: 0, job: nightly }, 1],
        ];
        for (const [service, tasks] of table) assert.equal(peakTasks(service), tasks, JSON.stringify(service));
    });

    it("cost counts the desired count, the hour-weighted scheduled minimum, or a job's task-hours", () => {
        assert.deepEqual(taskLoad(base, book), { tasks: 2, detail: "2" });
        assert.deepEqual(taskLoad({ ...base, scheduledMin: { highest: 6, average: 2.5 } }, book), {
            tasks: 2.5,
            detail: "2.5 tasks (scheduled minimums by hours)",
        });
        // 365 / 12 runs × 10 assumed minutes = 5.07 task-hours of 730.
        assert.deepEqual(taskLoad({ ...base, desired: 0, job: nightly }, book), {
            tasks: ((365 / 12) * (10 / 60)) / 730,
            detail: "30.4 runs × 10 min (assumed) = 5.1 task-hours",
        });
        assert.deepEqual(taskLoad({ ...base, desired: 0, job: { ...nightly, durationMinutes: 60 } }, book), {
            tasks: 365 / 12 / 730,
            detail: "30.4 runs × 60 min = 30.4 task-hours",
        });
    });

    it("lists a job's next runs in its zone, and a rate's as starting with the schedule", () => {
        const rows = jobRows(
            [
                { ...base, name: "nightly", desired: 0, job: nightly },
                { ...base, name: "sweep", desired: 0, job: { schedule: "rate(1 hour)", timezone: "UTC", runsPerYear: 8760 } },
                base,
            ],
            new Date("2026-07-01T12:00:00Z"),
            book,
        );
        assert.deepEqual(rows, [
            {
                service: "nightly",
                schedule: "cron(0 3 * * ? *)",
                timezone: "America/New_York",
                // 03:00 in New York is 07:00 UTC in summer.
                nextRuns: ["2026-07-02T07:00:00.000Z", "2026-07-03T07:00:00.000Z", "2026-07-04T07:00:00.000Z"],
                runsPerMonth: 365 / 12,
                minutesPerRun: 10,
                assumed: true,
                taskHoursPerMonth: ((365 / 12) * 10) / 60,
            },
            {
                service: "sweep",
                schedule: "rate(1 hour)",
                timezone: "UTC",
                nextRuns: [],
                runsPerMonth: 730,
                minutesPerRun: 10,
                assumed: true,
                taskHoursPerMonth: (730 * 10) / 60,
            },
        ]);
    });
});
