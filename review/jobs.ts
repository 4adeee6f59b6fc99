/**
 * The jobs of a plan, for the review: each one's schedule, its next runs (computed offline from
 * `now`, in its time zone), runs and task-hours a month. Pure, table-tested.
 */
import { nextCronRuns, parseSchedule } from "../model/schedule";
import { priceBook, PriceBook } from "./cost";
import { ServiceFacts } from "./facts";

export interface JobRow {
    readonly service: string;
    readonly schedule: string;
    readonly timezone: string;
    /** ISO instants of the next runs of a cron; a rate's runs start when the schedule is created. */
    readonly nextRuns: readonly string[];
    readonly runsPerMonth: number;
    readonly minutesPerRun: number;
    /** Whether the minutes are the price book's assumption rather than the catalog's jobDurationMinutes. */
    readonly assumed: boolean;
    readonly taskHoursPerMonth: number;
}

/** How many next runs the review lists per job. */
export const nextRunsListed = 3;

export function jobRows(services: readonly ServiceFacts[], now: Date, book: PriceBook = priceBook): JobRow[] {
    return services.flatMap((service) => {
        const job = service.job;
        if (!job) return [];
        const parsed = parseSchedule(job.schedule);
        const minutes = job.durationMinutes ?? book.assumptions.jobMinutesPerRun;
        const runsPerMonth = job.runsPerYear / 12;
        return [
            {
                service: service.name,
                schedule: job.schedule,
                timezone: job.timezone,
                nextRuns:
                    parsed.ok && parsed.value.kind === "cron"
                        ? nextCronRuns(parsed.value, now, nextRunsListed, job.timezone).map((d) => d.toISOString())
                        : [],
                runsPerMonth,
                minutesPerRun: minutes,
                assumed: job.durationMinutes === undefined,
                taskHoursPerMonth: (runsPerMonth * minutes) / 60,
            },
        ];
    });
}
