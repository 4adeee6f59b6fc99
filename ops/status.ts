/**
 * `npm run ops -- status --stack <name>`: per service, the task counts, the current deployment's
 * rollout (and circuit-breaker rollbacks), failing targets, the last events and the tasks stopped
 * in the last hour with their reasons. Not steady (a deployment in progress or failed, fewer tasks
 * running than desired, tasks pending, unhealthy targets) exits 1, so CI can gate on it.
 */
import { Deployment, Service } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { fleetTagKeys } from "../model/naming";
import { ecsStoppedTaskVisibilityHours } from "../facts/aws";
import { call, Clients } from "./aws";
import { discoverCluster, FleetCluster } from "./discovery";
import { StackContext } from "./fleetModel";
import { StoppedTask, stoppedTasks } from "./tasks";

/** How far back "recently stopped" looks: the hour ECS is sure to list a stopped task for. */
export const stoppedWindowMs = ecsStoppedTaskVisibilityHours * 3_600_000;
/** Service events shown per service, newest first. */
export const eventsShown = 3;

export interface ServiceStatus {
    readonly name: string;
    readonly ecsName: string;
    readonly desired: number;
    readonly running: number;
    readonly pending: number;
    readonly rollout: string;
    readonly deployments: readonly string[];
    /** Deployments that failed: the circuit breaker stopped them (and rolled back, as fleet configures it). */
    readonly rollbacks: readonly string[];
    readonly unhealthyTargets: readonly string[];
    readonly targets: number;
    readonly events: readonly string[];
    readonly stopped: readonly StoppedTask[];
    readonly steady: boolean;
    readonly why: readonly string[];
}

function describeDeployment(d: Deployment): string {
    return (
        `${d.status ?? "?"} ${d.id ?? "?"} ${d.rolloutState ?? "(no rollout state)"}: ${d.runningCount ?? 0}/${d.desiredCount ?? 0} ` +
        `running${d.failedTasks ? `, ${d.failedTasks} failed` : ""}`
    );
}

async function targetHealth(clients: Clients, service: Service): Promise<{ total: number; unhealthy: string[] }> {
    let total = 0;
    const unhealthy: string[] = [];
    for (const lb of service.loadBalancers ?? []) {
        if (!lb.targetGroupArn) continue;
        const health = await call(clients, "elasticloadbalancing:DescribeTargetHealth", () =>
            clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: lb.targetGroupArn })),
        );
        const group = lb.targetGroupArn
            .split(":")
            .pop()!
            .replace(/^targetgroup\//, "")
            .split("/")[0];
        for (const target of health.TargetHealthDescriptions ?? ([] as TargetHealthDescription[])) {
            total++;
            const state = target.TargetHealth?.State;
            // Draining targets are on their way out; initial ones are still starting.
            if (state === "healthy" || state === "draining" || state === "initial") continue;
            const where = `${target.Target?.Id ?? "?"}${target.Target?.Port ? `:${target.Target.Port}` : ""}`;
            const reason = target.TargetHealth?.Reason;
            const why = reason ? ` (${reason}: ${target.TargetHealth?.Description ?? ""})` : "";
            unhealthy.push(`${group} ${where} ${state ?? "unknown"}${why}`);
        }
    }
    return { total, unhealthy };
}

/** What a service's description, target health and stopped tasks say: pure, so every state can be table-tested. */
export function assessService(
    name: string,
    service: Service,
    targets: { total: number; unhealthy: readonly string[] },
    stopped: readonly StoppedTask[],
    now: Date,
): ServiceStatus {
    const deployments = service.deployments ?? [];
    const primary = deployments.find((d) => d.status === "PRIMARY") ?? deployments[0];
    // The circuit breaker marks the deployment it stops FAILED; with rollback on, a new PRIMARY deployment restores the last good one.
    const rollbacks = deployments.filter((d) => d.rolloutState === "FAILED");
    const recent = stopped.filter((t) => t.stoppedAt === undefined || now.getTime() - t.stoppedAt.getTime() <= stoppedWindowMs);
    const desired = service.desiredCount ?? 0;
    const running = service.runningCount ?? 0;
    const pending = service.pendingCount ?? 0;
    const why: string[] = [];
    if (running !== desired) why.push(`${running} of ${desired} desired tasks running`);
    if (pending > 0) why.push(`${pending} pending`);
    if (deployments.length > 1) why.push(`${deployments.length} deployments in flight`);
    if (primary?.rolloutState && primary.rolloutState !== "COMPLETED") why.push(`rollout ${primary.rolloutState}`);
    if (targets.unhealthy.length > 0) why.push(`${targets.unhealthy.length} unhealthy target(s)`);
    return {
        name,
        ecsName: service.serviceName ?? "?",
        desired,
        running,
        pending,
        rollout: primary
            ? `${primary.rolloutState ?? "no rollout state"}${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ""}`
            : "no deployment",
        deployments: deployments.map(describeDeployment),
        rollbacks: rollbacks.map((d) => `${d.id ?? "?"}: ${d.rolloutStateReason ?? d.rolloutState}`),
        unhealthyTargets: targets.unhealthy,
        targets: targets.total,
        events: [...(service.events ?? [])]
            .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
            .slice(0, eventsShown)
            .map((e) => `${e.createdAt?.toISOString() ?? "?"} ${e.message ?? ""}`),
        stopped: recent,
        steady: why.length === 0,
        why,
    };
}

export async function serviceStatus(
    clients: Clients,
    cluster: FleetCluster,
    name: string,
    service: Service,
    now: Date,
): Promise<ServiceStatus> {
    const targets = await targetHealth(clients, service);
    const stopped = await stoppedTasks(clients, cluster.arn, service);
    return assessService(name, service, targets, stopped, now);
}

export function renderStatus(context: StackContext, cluster: FleetCluster, statuses: readonly ServiceStatus[]): string {
    const lines = [`stack ${context.config.stack}: cluster ${cluster.name} in ${context.config.region}, ${statuses.length} service(s)`];
    for (const s of statuses) {
        lines.push("");
        lines.push(
            `${s.name} (${s.ecsName}): ${s.steady ? "steady" : `NOT STEADY: ${s.why.join(", ")}`}; ` +
                `desired ${s.desired}, running ${s.running}, pending ${s.pending}`,
        );
        lines.push(`  rollout: ${s.rollout}`);
        if (s.deployments.length > 1) for (const d of s.deployments) lines.push(`  deployment: ${d}`);
        for (const r of s.rollbacks) lines.push(`  failed deployment ${r}`);
        if (s.targets > 0) {
            lines.push(`  targets: ${s.targets - s.unhealthyTargets.length} of ${s.targets} healthy`);
            for (const t of s.unhealthyTargets) lines.push(`    unhealthy: ${t}`);
        }
        for (const e of s.events) lines.push(`  event: ${e}`);
        for (const t of s.stopped) {
            const when = t.stoppedAt ? ` at ${t.stoppedAt.toISOString()}` : "";
            const oom = t.oom ? " [OOM kill: the container hit memory.limit; see npm run ops -- tune]" : "";
            lines.push(`  stopped task ${t.id}${when}: ${t.reason || "no reason given"}${oom}`);
        }
    }
    const unsteady = statuses.filter((s) => !s.steady);
    lines.push("");
    lines.push(
        unsteady.length === 0
            ? `all ${statuses.length} service(s) at steady state`
            : `${unsteady.length} of ${statuses.length} service(s) not at steady state: ${unsteady.map((s) => s.name).join(", ")}`,
    );
    return lines.join("\n");
}

/** Prints the status; returns the exit code (1 when a service is not at steady state). */
export async function runStatus(clients: Clients, context: StackContext, out: (text: string) => void, now = new Date()): Promise<number> {
    const cluster = await discoverCluster(clients, context.names);
    if (cluster.services.size === 0) {
        out(
            `stack ${context.config.stack}: cluster ${cluster.name} has no ECS ` +
                `service tagged ${fleetTagKeys.service}: deploy the services (pulumi up)`,
        );
        return 1;
    }
    const statuses: ServiceStatus[] = [];
    for (const [name, service] of cluster.services) statuses.push(await serviceStatus(clients, cluster, name, service, now));
    out(renderStatus(context, cluster, statuses));
    return statuses.every((s) => s.steady) ? 0 : 1;
}
