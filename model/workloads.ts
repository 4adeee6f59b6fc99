/**
 * The catalog fields of workers and jobs: scaling on a queue's backlog, scheduled changes of the
 * scaling bounds, and a job's schedule. zod schemas used by catalog.ts; the rules that need
 * several fields or the stack are in resolve.ts (`resolveJob`, `checkQueueScaling`).
 */
import { createHash } from "crypto";
import { z } from "zod";
import { sqsQueueName } from "./awsNames";
import { isTimeZone, parseCron, parseSchedule } from "./schedule";
import { nameError, refuse, said, wholeNumber } from "./schema";

const tasks = (min: number) => wholeNumber(min, 1000, `use ${min}-1000 tasks`);

const queueFix = 'use { name: "orders", backlogPerTask: 100 }';
/** Target tracking on the queue's visible messages per running task. */
export const queueScalingSchema = z.strictObject(
    {
        /**
         * The SQS queue's name or ARN (same region and account). Often set per stack under
         * `fleet:services.<name>.scaling.queue.name`.
         */
        name: z
            .string({
                error: said(
                    "not-a-string",
                    "must be the SQS queue's name or ARN",
                    'set it in the catalog or under fleet:services.<service>.scaling.queue.name, e.g. "orders"',
                    "is required: queue scaling needs the queue's name",
                ),
            })
            .refine((name) => sqsQueueName(name) !== undefined, {
                error: nameError(
                    "scaling/queue-name-invalid",
                    "is not an SQS queue name (1-80 characters of A-Z a-z 0-9 - _, a FIFO queue's ending in .fifo) or queue ARN",
                    "use the queue's name, e.g. orders or orders.fifo, or arn:aws:sqs:<region>:<account>:<name>",
                ),
            }),
        /** Messages one task should have waiting: the target of backlog per task. */
        backlogPerTask: wholeNumber(1, 1_000_000, "use the messages one task works through in an acceptable delay, e.g. 100"),
    },
    { error: said("not-an-object", "must be an object", queueFix) },
);

/** A cron expression, as Application Auto Scaling and EventBridge Scheduler take it. */
const cronSchema = z
    .string({ error: said("not-a-string", "must be a cron expression", 'use e.g. "cron(0 8 ? * MON-FRI *)"') })
    .superRefine((cron, ctx) => {
        const parsed = parseCron(cron);
        if (!parsed.ok)
            refuse(
                ctx,
                "scaling/cron-invalid",
                [],
                cron,
                parsed.problem,
                'write six fields, e.g. "cron(0 8 ? * MON-FRI *)" (08:00 on weekdays)',
            );
    });

/** An IANA time zone. */
export const timeZoneSchema = z
    .string({ error: said("not-a-string", "must be an IANA time zone name", 'use e.g. "Europe/Berlin"') })
    .refine(isTimeZone, {
        error: said(
            "catalog/time-zone-unknown",
            "is not an IANA time zone",
            'use a name such as "Europe/Berlin", "America/New_York" or "UTC"',
        ),
    });

/** One scheduled change of the scaling bounds (an Application Auto Scaling scheduled action). */
export const scheduledScalingSchema = z
    .strictObject(
        {
            /** When the bounds change: `cron(minutes hours day-of-month month day-of-week year)`. */
            cron: cronSchema,
            /** Fewest tasks from then on. */
            min: tasks(0),
            /** Most tasks from then on. */
            max: tasks(1),
            /** The zone the cron reads in. @default "UTC" */
            timezone: timeZoneSchema.optional(),
        },
        { error: said("not-an-object", "must be an object", 'write { cron: "cron(0 8 ? * MON-FRI *)", min: 4, max: 20 }') },
    )
    .superRefine((entry, ctx) => {
        if (entry.min > entry.max)
            refuse(ctx, "scaling/schedule-min-above-max", ["min"], entry.min, `is above max (${entry.max})`, "lower min or raise max");
    });

/** A job's schedule: `cron(...)` or `rate(...)`, as EventBridge Scheduler takes it. */
export const jobScheduleSchema = z
    .string({ error: said("not-a-string", "must be a schedule expression", 'use e.g. "cron(0 3 * * ? *)" or "rate(1 hour)"') })
    .superRefine((expression, ctx) => {
        const parsed = parseSchedule(expression);
        if (!parsed.ok) {
            refuse(
                ctx,
                "jobs/schedule-invalid",
                [],
                expression,
                parsed.problem,
                'use "cron(minutes hours day-of-month month day-of-week year)" or ' +
                    '"rate(<n> minute(s)|hour(s)|day(s))", e.g. "rate(15 minutes)"',
            );
        }
    });

/** Minutes a run of a job typically takes: for the cost and capacity estimates only (ECS sets no limit). */
export const jobDurationSchema = wholeNumber(1, 7 * 24 * 60, "use the minutes a typical run takes, e.g. 10");

/** The key of a scheduled change: its cron and zone (its resource's logical name derives from it). */
export const scheduledScalingKey = (entry: { readonly cron: string; readonly timezone?: string }) =>
    `${entry.cron.trim()}${entry.timezone ? ` ${entry.timezone}` : ""}`;

/** A short stable key of a scheduled change, for its logical name: the same cron and zone, the same resource. */
export const scheduledScalingId = (entry: { readonly cron: string; readonly timezone?: string }) =>
    createHash("sha256").update(scheduledScalingKey(entry)).digest("hex").slice(0, 8);

/** Rules of `scaling` across its queue and schedule (the shapes are valid). */
export function scalingRules(
    scaling: {
        readonly min: number;
        readonly queue?: unknown;
        readonly schedule?: readonly { readonly cron: string; readonly timezone?: string; readonly min: number }[];
    },
    ctx: z.RefinementCtx,
): void {
    if (scaling.queue !== undefined && scaling.min === 0) {
        // Backlog per task divides by the running tasks: with none, the metric has no value and target tracking never scales out.
        refuse(
            ctx,
            "scaling/queue-min-zero",
            ["min"],
            0,
            "is 0 with queue scaling: backlog per task divides by the running tasks, " +
                "so with none running it has no value and the service never scales out",
            "set scaling.min to 1 or more",
        );
    }
    const seen = new Map<string, number>();
    (scaling.schedule ?? []).forEach((entry, index) => {
        if (scaling.queue !== undefined && entry.min === 0) {
            // A scheduled minimum of 0 lets the service reach no tasks, where the backlog per task has no value.
            refuse(
                ctx,
                "scaling/queue-schedule-min-zero",
                ["schedule", index, "min"],
                0,
                "is 0 with queue scaling: once the tasks scale in to none, backlog per task has no value " +
                    "and the service never scales out again",
                "set it to 1 or more",
            );
        }
        const key = scheduledScalingKey(entry);
        const first = seen.get(key);
        if (first !== undefined) {
            refuse(
                ctx,
                "scaling/schedule-repeated",
                ["schedule", index, "cron"],
                entry.cron,
                `repeats scaling.schedule[${first}] (same cron and timezone), so only one of them would take effect`,
                "merge the two entries or change one's cron",
            );
        } else {
            seen.set(key, index);
        }
    });
}
