/**
 * `npm run ops -- run <service|job> --stack <name> [--detach] [--timeout 30m] [-- <command...>]`:
 * a one-off task (a migration, a backfill) from what the stack runs now: a service's current task
 * definition and network settings, read from its ECS service, or a job's, read from its schedule's
 * target. The container's command is replaced when one is given. It waits for the task to stop,
 * printing the task's log lines as they arrive, and exits with the container's exit code;
 * `--detach` prints the task id and returns.
 */
import {
    AwsVpcConfiguration,
    CapacityProviderStrategyItem,
    DescribeTasksCommand,
    LaunchType,
    NetworkConfiguration,
    PlacementStrategy,
    RunTaskCommand,
    Task,
} from "@aws-sdk/client-ecs";
import { FilteredLogEvent, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { limitedServicePart, servicePhysicalNames } from "../model/naming";
import { call, Clients } from "./aws";
import { discoverCluster, FleetCluster } from "./discovery";
import { EntryKind } from "./entries";
import { OpsError } from "./errors";
import { StackContext } from "./fleetModel";

/** Who started a task, as ECS keeps it (RunTask startedBy: up to 36 letters, digits, -, / and _). */
export const opsStartedBy = "fleet-ops";

/** How long ops waits, and how it waits: the real clock, or a test's. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}
export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export interface RunOptions {
    readonly name: string;
    readonly kind: EntryKind;
    /** Replaces the container's command; the task definition's own when absent. */
    readonly command?: readonly string[];
    readonly detach: boolean;
    /** How long to wait for the task to stop before giving up (the task goes on). */
    readonly timeoutMs: number;
    /** Between two looks at the task. @default 3000 */
    readonly pollMs?: number;
}

/** What RunTask is given, as the stack runs the entry now. */
export interface Launch {
    /** Where it was read: `ECS service api-3f2a1b0` or `schedule nightly-schedule-1a2b3c4`. */
    readonly from: string;
    readonly taskDefinition: string;
    readonly networkConfiguration?: NetworkConfiguration;
    readonly capacityProviderStrategy?: CapacityProviderStrategyItem[];
    readonly launchType?: LaunchType;
    readonly placementStrategy?: PlacementStrategy[];
}

/** A service's launch: its ECS service's current task definition, network, capacity and placement. */
export function serviceLaunch(cluster: FleetCluster, name: string, stack: string): Launch {
    const service = cluster.services.get(name);
    if (!service?.taskDefinition) {
        throw new OpsError(
            `${name} is not deployed: cluster ${cluster.name} has no ECS service tagged fleet:service=${name} (pulumi up -s ${stack})`,
        );
    }
    return {
        from: `ECS service ${service.serviceName}`,
        taskDefinition: service.taskDefinition,
        networkConfiguration: service.networkConfiguration,
        ...(service.capacityProviderStrategy?.length
            ? { capacityProviderStrategy: service.capacityProviderStrategy }
            : service.launchType
              ? { launchType: service.launchType }
              : {}),
        ...(service.placementStrategy?.length ? { placementStrategy: service.placementStrategy } : {}),
    };
}

/**
 * A job's launch: its schedule's ECS target in the stack's cluster. The schedule is auto-named
 * `<job, shortened>-schedule-<7 characters>` (model/naming.ts); schedules of other stacks' jobs of
 * the same name target their own clusters.
 */
export async function jobLaunch(clients: Clients, cluster: FleetCluster, name: string, stack: string): Promise<Launch> {
    const prefix = `${limitedServicePart(name, "jobSchedule")}-schedule-`;
    let nextToken: string | undefined;
    do {
        const page = await call(clients, "scheduler:ListSchedules", () =>
            clients.scheduler.send(new ListSchedulesCommand({ NamePrefix: prefix, NextToken: nextToken })),
        );
        for (const summary of page.Schedules ?? []) {
            if (summary.Target?.Arn !== cluster.arn) continue;
            const schedule = await call(clients, "scheduler:GetSchedule", () =>
                clients.scheduler.send(new GetScheduleCommand({ Name: summary.Name, GroupName: summary.GroupName })),
            );
            const ecs = schedule.Target?.EcsParameters;
            if (!ecs?.TaskDefinitionArn) continue;
            const vpc = ecs.NetworkConfiguration?.awsvpcConfiguration;
            const awsvpcConfiguration: AwsVpcConfiguration | undefined = vpc
                ? { subnets: vpc.Subnets, securityGroups: vpc.SecurityGroups, assignPublicIp: vpc.AssignPublicIp }
                : undefined;
            return {
                from: `schedule ${summary.Name}`,
                taskDefinition: ecs.TaskDefinitionArn,
                ...(awsvpcConfiguration ? { networkConfiguration: { awsvpcConfiguration } } : {}),
                ...(ecs.CapacityProviderStrategy?.length
                    ? {
                          capacityProviderStrategy: ecs.CapacityProviderStrategy.map((item) => ({
                              capacityProvider: item.capacityProvider,
                              weight: item.weight,
                              base: item.base,
                          })),
                      }
                    : ecs.LaunchType
                      ? { launchType: ecs.LaunchType as LaunchType }
                      : {}),
                ...(ecs.PlacementStrategy?.length
                    ? { placementStrategy: ecs.PlacementStrategy.map((s) => ({ type: s.type, field: s.field })) }
                    : {}),
            };
        }
        nextToken = page.NextToken;
    } while (nextToken);
    throw new OpsError(
        `${name} is not deployed: no EventBridge Scheduler schedule named ${prefix}* targets cluster ${cluster.name} ` +
            `(pulumi up -s ${stack})`,
    );
}

/** `1h 30m`, `90s`: a duration as messages say it. */
export function sayDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    return minutes < 60
        ? `${minutes}m${seconds % 60 ? ` ${seconds % 60}s` : ""}`
        : `${Math.floor(minutes / 60)}h${minutes % 60 ? ` ${minutes % 60}m` : ""}`;
}

/**
 * The task's log lines as they arrive: its awslogs stream `<name>/<name>/<task id>` in the entry's
 * log group (model/containerDefinition.ts), each event printed once.
 */
class TaskLog {
    private start = 0;
    private readonly seen = new Set<string>();

    constructor(
        private readonly clients: Clients,
        private readonly group: string,
        private readonly stream: string,
        private readonly out: (text: string) => void,
    ) {}

    async print(): Promise<void> {
        const events: FilteredLogEvent[] = [];
        let nextToken: string | undefined;
        do {
            let page;
            try {
                page = await this.clients.logs.send(
                    new FilterLogEventsCommand({
                        logGroupName: this.group,
                        logStreamNames: [this.stream],
                        startTime: this.start,
                        nextToken,
                    }),
                );
            } catch (error) {
                // The stream appears with the container's first line; the group is the stack's.
                if ((error as { name?: string }).name === "ResourceNotFoundException") return;
                page = await call(this.clients, "logs:FilterLogEvents", () => Promise.reject(error));
            }
            events.push(...(page.events ?? []));
            nextToken = page.nextToken;
        } while (nextToken);
        events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || (a.eventId ?? "").localeCompare(b.eventId ?? ""));
        for (const event of events) {
            const id = event.eventId ?? `${event.timestamp}/${event.message}`;
            if (this.seen.has(id)) continue;
            this.seen.add(id);
            this.start = Math.max(this.start, event.timestamp ?? 0);
            this.out((event.message ?? "").replace(/\n$/, ""));
        }
    }
}

/** Why a task stopped, from the task and its containers. */
function stopReasons(task: Task): string {
    const reasons = [task.stopCode, task.stoppedReason, ...(task.containers ?? []).map((c) => c.reason)].filter((r): r is string => !!r);
    return [...new Set(reasons)].join("; ") || "no reason given";
}

/**
 * Starts the task; unless detached, waits (at most `timeoutMs`) for it to stop, printing its log
 * lines on `out` and what happens on `err`, and returns the container's exit code.
 */
export async function runOneOff(
    clients: Clients,
    context: StackContext,
    options: RunOptions,
    out: (text: string) => void,
    err: (text: string) => void,
    clock: Clock = realClock,
): Promise<number> {
    const stack = context.config.stack;
    const { name } = options;
    const cluster = await discoverCluster(clients, context.names);
    const launch = options.kind === "service" ? serviceLaunch(cluster, name, stack) : await jobLaunch(clients, cluster, name, stack);
    const started = await call(clients, "ecs:RunTask", () =>
        clients.ecs.send(
            new RunTaskCommand({
                cluster: cluster.arn,
                taskDefinition: launch.taskDefinition,
                count: 1,
                networkConfiguration: launch.networkConfiguration,
                capacityProviderStrategy: launch.capacityProviderStrategy,
                launchType: launch.launchType,
                placementStrategy: launch.placementStrategy,
                // The container is named after the entry (model/containerDefinition.ts).
                overrides: options.command ? { containerOverrides: [{ name, command: [...options.command] }] } : undefined,
                startedBy: opsStartedBy,
                // Not the schedule's `family:<family>` group: a one-off run of a job pages no one (model/alerts.ts).
                group: `${opsStartedBy}:${name}`,
                enableECSManagedTags: true,
                propagateTags: "TASK_DEFINITION",
            }),
        ),
    );
    const task = started.tasks?.[0];
    if (!task?.taskArn) {
        const failure = started.failures?.[0];
        throw new OpsError(
            `ECS started no task of ${name} from ${launch.taskDefinition}: ${failure?.reason ?? "no reason given"}` +
                (failure?.detail ? ` (${failure.detail})` : ""),
        );
    }
    const id = task.taskArn.split("/").pop()!;
    const revision = launch.taskDefinition.split("/").pop();
    if (options.detach) {
        out(id);
        err(
            `started task ${id} of ${name} (${revision}, from ${launch.from}) in cluster ${cluster.name}; ` +
                `its logs: npm run ops -- logs ${name} --stack ${stack} --follow`,
        );
        return 0;
    }
    err(`started task ${id} of ${name} (${revision}, from ${launch.from}) in cluster ${cluster.name}; waiting for it to stop`);
    const log = new TaskLog(clients, servicePhysicalNames.logGroup(context.names, name), `${name}/${name}/${id}`, out);
    const deadline = clock.now() + options.timeoutMs;
    let current: Task | undefined;
    for (;;) {
        const described = await call(clients, "ecs:DescribeTasks", () =>
            clients.ecs.send(new DescribeTasksCommand({ cluster: cluster.arn, tasks: [task.taskArn!] })),
        );
        current = described.tasks?.[0];
        await log.print();
        if (current?.lastStatus === "STOPPED") break;
        if (clock.now() >= deadline) {
            throw new OpsError(
                `task ${id} of ${name} is still ${current?.lastStatus ?? "unknown"} after ${sayDuration(options.timeoutMs)}; ` +
                    `it goes on: npm run ops -- logs ${name} --stack ${stack} --follow, or stop it with ` +
                    `aws ecs stop-task --cluster ${cluster.name} --task ${id}`,
            );
        }
        await clock.sleep(options.pollMs ?? 3000);
    }
    // The last lines a container writes as it stops reach CloudWatch Logs just after.
    await log.print();
    const container = current.containers?.find((c) => c.name === name) ?? current.containers?.[0];
    if (container?.exitCode === undefined || container.exitCode === null) {
        err(`task ${id} stopped without an exit code: ${stopReasons(current)}`);
        return 1;
    }
    err(`task ${id} exited with code ${container.exitCode}`);
    return container.exitCode;
}
