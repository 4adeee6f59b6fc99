/**
 * The rules of a job (an entry with `schedule`) and of the worker fields of `scaling`, as
 * resolve.ts applies them to one parsed entry: what a job may not have, what queue scaling needs of
 * the stack. Pure.
 */
import { resolveGrants } from "./access";
import { arnRegion, sqsQueueName } from "./awsNames";
import { ParsedService } from "./catalog";
import { ResolvedJob, StackSettings } from "./fleet";
import type { AddProblem } from "./problems";

/** The entry's job, when it has a schedule, after the rules a job must follow; undefined for a service. */
export function resolveJob(spec: ParsedService, raw: Readonly<Record<string, unknown>>, add: AddProblem): ResolvedJob | undefined {
    if (spec.schedule === undefined) {
        if (spec.timezone !== undefined) {
            add(
                "jobs/time-zone-without-schedule",
                "timezone",
                spec.timezone,
                "is set but the entry has no schedule",
                "add schedule to make it a job, or remove timezone",
            );
        }
        if (spec.jobDurationMinutes !== undefined) {
            add(
                "jobs/duration-without-schedule",
                "jobDurationMinutes",
                spec.jobDurationMinutes,
                "is set but the entry has no schedule",
                "add schedule to make it a job, or remove jobDurationMinutes",
            );
        }
        return undefined;
    }
    const job = "is a job (it has a schedule), which runs a task per schedule and takes no traffic";
    if (spec.port !== undefined)
        add("jobs/port-on-job", "port", spec.port, `${job}, so it has no port`, "remove port, or remove schedule to run it as a service");
    if (spec.routes.length > 0) {
        add(
            "jobs/routes-on-job",
            "routes",
            raw.routes,
            `${job}, so it is not on the load balancer`,
            "remove routes, or remove schedule to run it as a service",
        );
    }
    if (spec.connects?.length) {
        add(
            "jobs/connects-on-job",
            "connects",
            raw.connects,
            `${job}; Service Connect serves only the tasks of ECS services, so the addresses connects gives a job's task ` +
                "would never resolve",
            "call the service by its host on the load balancer (its routes), or run the work as a service (remove schedule)",
        );
    }
    if (spec.scaling !== undefined) {
        add(
            "jobs/scaling-on-job",
            "scaling",
            raw.scaling,
            "is for a service; a job runs one task per schedule",
            "remove scaling, or remove schedule to run it as a service",
        );
    }
    if (raw.deployment !== undefined) {
        add(
            "jobs/deployment-on-job",
            "deployment",
            spec.deployment,
            "is for a service; a job's run starts the current task definition, with nothing to replace",
            "remove deployment, or remove schedule to run it as a service",
        );
    }
    if (spec.desiredCount !== undefined) {
        add(
            "jobs/desired-count-on-job",
            "desiredCount",
            spec.desiredCount,
            "is for a service; a job runs one task per schedule",
            "remove desiredCount, or remove schedule to run it as a service",
        );
    }
    if (spec.timezone !== undefined && spec.schedule.trim().startsWith("rate(")) {
        add(
            "jobs/time-zone-with-rate",
            "timezone",
            spec.timezone,
            "only applies to a cron schedule, and schedule is a rate",
            "remove timezone, or use a cron schedule",
        );
    }
    return { schedule: spec.schedule.trim(), timezone: spec.timezone, durationMinutes: spec.jobDurationMinutes };
}

/** Queue scaling divides by ECS's RunningTaskCount, which only Container Insights publishes. */
export function checkQueueScaling(spec: ParsedService, settings: StackSettings, stack: string, add: AddProblem, region?: string): void {
    // The target tracks the queue's CloudWatch metric in the stack's region: a queue elsewhere has none there.
    const queueRegion = spec.scaling?.queue && arnRegion(spec.scaling.queue.name);
    if (region && queueRegion && queueRegion !== region) {
        add(
            "scaling/queue-other-region",
            "scaling.queue.name",
            spec.scaling!.queue!.name,
            `is a queue in ${queueRegion}, but the scaling policy reads its backlog from CloudWatch in the stack's region, ` +
                `${region} (aws:region), where that queue has no metrics, so the worker would never scale`,
            `use a queue in ${region}, or scale on cpuPercent`,
        );
    }
    const queue = spec.scaling?.queue;
    if (queue !== undefined) {
        // The worker scales on the queue's backlog, so it is meant to consume it: its task role must be allowed to.
        const consumed = resolveGrants(spec.access).filter((g) => g.kind === "sqs" && g.level === "consume");
        const name = sqsQueueName(queue.name);
        if (name !== undefined && !consumed.some((grant) => sqsQueueName(grant.resource) === name)) {
            add(
                "scaling/queue-not-consumed",
                "scaling.queue.name",
                queue.name,
                consumed.length > 0
                    ? `is the queue the worker scales on, but its access lets it consume ${consumed.map((g) => g.resource).join(", ")} ` +
                          "alone: it would scale on a backlog it cannot read"
                    : "is the queue the worker scales on, but its access lets it consume no queue: its task role could not read it",
                `add access: { sqs: { "${queue.name}": "consume" } }, or scale on the queue it consumes`,
            );
        }
    }
    if (spec.scaling?.queue !== undefined && settings.cluster.containerInsights === "disabled") {
        add(
            "scaling/queue-without-container-insights",
            "scaling.queue",
            spec.scaling.queue.name,
            `needs the running task count from Container Insights, which stack ${stack} turns off`,
            `set fleet:cluster.containerInsights to enabled in Pulumi.${stack}.yaml, or scale on cpuPercent`,
        );
    }
}
