/**
 * `npm run ops -- tune --stack <name> [--days 14] [--write]`: reads each service's Container
 * Insights metrics (hourly, over the window) and its OOM-killed tasks, proposes memory and CPU
 * with tuneMath.ts, shows the effect on EC2 packing and the monthly cost with the plan's own
 * models (review/capacity.ts, review/cost.ts), and with --write puts the proposals in the stack file.
 */
import * as fs from "fs";
import { GetMetricDataCommand, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { Service } from "@aws-sdk/client-ecs";
import { Catalog } from "../model/catalog";
import { fleetTagKeys } from "../model/naming";
import { ResolvedFleet, ResolvedService } from "../model/fleet";
import { getMetricDataMaxQueries } from "../facts/aws";
import { Ec2CapacityReport } from "../review/capacity";
import { CostReport } from "../review/cost";
import { call, chunks, Clients } from "./aws";
import { discoverCluster, FleetCluster } from "./discovery";
import { OpsError } from "./errors";
import { capacityAndCost, resolveStack, SizingOverrides, StackContext } from "./fleetModel";
import { applySizingEdits, SizingEdit } from "./stackWriter";
import { stoppedTasks } from "./tasks";
import { Current, Observed, Proposal, proposeSizing, tuneDefaults } from "./tuneMath";

/** Container Insights' namespace and the per-service dimensions it publishes. */
export const containerInsightsNamespace = "ECS/ContainerInsights";
/** One value per hour: CloudWatch keeps hourly data longest (cloudWatchHourlyRetentionDays), so any --days up to that works. */
export const periodSeconds = 3600;

export interface TuneOptions {
    readonly days: number;
    readonly write: boolean;
}

export interface ServiceTune {
    readonly service: string;
    readonly capacity: string;
    /** Why the service was skipped (not deployed, no data); otherwise its proposal. */
    readonly skipped?: string;
    readonly proposal?: Proposal;
}

const metrics = [
    { key: "memAvg", metric: "MemoryUtilized", stat: "Average" },
    { key: "memMax", metric: "MemoryUtilized", stat: "Maximum" },
    { key: "cpuAvg", metric: "CpuUtilized", stat: "Average" },
] as const;
type MetricKey = (typeof metrics)[number]["key"];

/** Every service's hourly series in as few GetMetricData calls as the API allows. */
async function readMetrics(
    clients: Clients,
    cluster: FleetCluster,
    services: readonly { name: string; ecs: Service }[],
    start: Date,
    end: Date,
): Promise<Map<string, Record<MetricKey, number[]>>> {
    const queries: { query: MetricDataQuery; service: string; key: MetricKey }[] = [];
    services.forEach((s, i) => {
        for (const m of metrics) {
            queries.push({
                service: s.name,
                key: m.key,
                query: {
                    Id: `s${i}_${m.key}`,
                    MetricStat: {
                        Metric: {
                            Namespace: containerInsightsNamespace,
                            MetricName: m.metric,
                            Dimensions: [
                                { Name: "ClusterName", Value: cluster.name },
                                { Name: "ServiceName", Value: s.ecs.serviceName! },
                            ],
                        },
                        Period: periodSeconds,
                        Stat: m.stat,
                    },
                },
            });
        }
    });
    const byId = new Map(queries.map((q) => [q.query.Id!, q]));
    const result = new Map<string, Record<MetricKey, number[]>>(services.map((s) => [s.name, { memAvg: [], memMax: [], cpuAvg: [] }]));
    for (const batch of chunks(queries, getMetricDataMaxQueries)) {
        let nextToken: string | undefined;
        do {
            const page = await call(clients, "cloudwatch:GetMetricData", () =>
                clients.cloudwatch.send(
                    new GetMetricDataCommand({
                        StartTime: start,
                        EndTime: end,
                        MetricDataQueries: batch.map((q) => q.query),
                        NextToken: nextToken,
                    }),
                ),
            );
            for (const series of page.MetricDataResults ?? []) {
                const q = byId.get(series.Id ?? "");
                if (q) result.get(q.service)![q.key].push(...(series.Values ?? []));
            }
            nextToken = page.NextToken;
        } while (nextToken);
    }
    return result;
}

function currentOf(service: ResolvedService): Current {
    const capacity = service.capacity.kind === "ec2" ? "ec2" : service.capacity.spot ? "fargate-spot" : "fargate";
    return { reservation: service.memory.reservation, limit: service.memory.limit, cpu: service.cpu, capacity };
}

/** The proposals of every service of the fleet (skipped ones say why). */
export async function tuneFleet(
    clients: Clients,
    fleet: ResolvedFleet,
    cluster: FleetCluster,
    days: number,
    now: Date,
): Promise<ServiceTune[]> {
    const deployed: { name: string; ecs: Service }[] = [];
    const results = new Map<string, ServiceTune>();
    for (const service of fleet.services) {
        const ecs = cluster.services.get(service.name);
        if (!ecs) {
            results.set(service.name, {
                service: service.name,
                capacity: currentOf(service).capacity,
                skipped:
                    `no ECS service tagged ${fleetTagKeys.service}=${service.name} in ` +
                    `cluster ${cluster.name}: not deployed yet (pulumi up), skipped`,
            });
        } else deployed.push({ name: service.name, ecs });
    }
    const start = new Date(now.getTime() - days * 86_400_000);
    const series = await readMetrics(clients, cluster, deployed, start, now);
    const ec2 = fleet.cluster.ec2;
    for (const { name, ecs } of deployed) {
        const spec = fleet.services.find((s) => s.name === name)!;
        const current = currentOf(spec);
        const data = series.get(name)!;
        if (data.memAvg.length === 0) {
            results.set(name, {
                service: name,
                capacity: current.capacity,
                skipped:
                    `no Container Insights memory data for ECS service ${ecs.serviceName} in the last ${days} day(s): skipped ` +
                    `(its tasks ran no full hour in the window, or Container Insights was turned on since; try again later)`,
            });
            continue;
        }
        const oomKills = (await stoppedTasks(clients, cluster.arn, ecs)).filter((t) => t.oom).length;
        const observed: Observed = {
            periodSeconds,
            memoryAverages: data.memAvg,
            memoryMaxima: data.memMax,
            cpuAverages: data.cpuAvg,
            oomKills,
        };
        const proposal = proposeSizing(current, observed, {
            ec2RegisteredMemoryMiB: ec2?.registeredMemoryMiB,
            ec2InstanceType: ec2?.instanceType,
        });
        results.set(name, { service: name, capacity: current.capacity, proposal });
    }
    return fleet.services.map((s) => results.get(s.name)!);
}

const money = (n: number) => `$${n.toFixed(2)}`;

function renderService(t: ServiceTune): string[] {
    if (t.skipped) return [`${t.service} (${t.capacity}): ${t.skipped}`];
    const p = t.proposal!;
    if (p.kind === "refused") return [`${t.service} (${t.capacity}): no proposal: ${p.reason}`];
    const f = p.figures;
    const lines = [
        `${t.service} (${t.capacity}): ${f.hours} h of data; ` +
            `p${Math.round(tuneDefaults.percentile * 100)} of the mean ` +
            `task ${Math.round(f.memoryPercentile)} MiB, ` +
            `largest task ${Math.round(f.memoryPeak)} MiB` +
            (f.cpuPercentile !== undefined
                ? `, p${Math.round(tuneDefaults.percentile * 100)} CPU ${Math.round(f.cpuPercentile)} units`
                : "") +
            (f.oomKills > 0 ? `, ${f.oomKills} OOM kill(s)` : ""),
    ];
    if (p.changes.length === 0) lines.push(`  sized right: memory ${p.memory.reservation}/${p.memory.limit} MiB, cpu ${p.cpu}`);
    for (const c of p.changes) lines.push(`  ${c.field}: ${c.from} → ${c.to}${c.field === "cpu" ? " units" : " MiB"} (${c.why})`);
    if (p.fargate && p.changes.length > 0) {
        const size = (s?: { cpu: number; memory: number }) => (s ? `${s.cpu}/${s.memory}` : "none");
        if (size(p.fargate.before) !== size(p.fargate.after))
            lines.push(`  Fargate task size: ${size(p.fargate.before)} → ${size(p.fargate.after)}`);
    }
    for (const n of p.notes) lines.push(`  note: ${n}`);
    return lines;
}

function renderCapacity(before?: Ec2CapacityReport, after?: Ec2CapacityReport): string[] {
    if (!before || !after) return [];
    const util = (r: Ec2CapacityReport) => `${Math.round(r.utilisation * 100)}%`;
    return [
        `EC2 packing (${before.instanceType}, ${before.registeredMemoryMiB} MiB registered per instance): ` +
            `${before.instances} → ${after.instances} instance(s) (${after.instancesReason}); ` +
            `reserved ${before.reservedMiB} → ${after.reservedMiB} MiB; utilisation ${util(before)} → ${util(after)}`,
        ...after.warnings.map((w) => `  warning: ${w}`),
    ];
}

function renderCost(before: CostReport, after: CostReport): string[] {
    const delta = after.total - before.total;
    const lines = [
        `monthly cost (${after.priceRegion} prices of ${after.priceDate}): ${money(before.total)} → ${money(after.total)} ` +
            (delta < 0 ? `(saves ${money(-delta)})` : delta > 0 ? `(costs ${money(delta)} more)` : "(no change)"),
    ];
    for (const a of after.services) {
        const b = before.services.find((s) => s.service === a.service);
        if (b && Math.abs(b.monthly - a.monthly) >= 0.005)
            lines.push(`  ${a.service}: ${money(b.monthly)} → ${money(a.monthly)} (${a.detail})`);
    }
    const ec2Before = before.shared.find((l) => l.item === "EC2 instances");
    const ec2After = after.shared.find((l) => l.item === "EC2 instances");
    if (ec2Before && ec2After && ec2Before.monthly !== ec2After.monthly) {
        lines.push(`  EC2 instances: ${money(ec2Before.monthly)} → ${money(ec2After.monthly)} (${ec2After.detail})`);
    }
    return lines;
}

/** Runs tune; returns the exit code. */
export async function runTune(
    clients: Clients,
    context: StackContext,
    catalog: Catalog,
    options: TuneOptions,
    out: (text: string) => void,
    now = new Date(),
): Promise<number> {
    const fleet = resolveStack(context, catalog);
    const cluster = await discoverCluster(clients, context.names);
    const stack = context.config.stack;
    if (cluster.containerInsights !== "enabled" && cluster.containerInsights !== "enhanced") {
        throw new OpsError(
            `Container Insights is ${cluster.containerInsights ?? "not set"} on ` +
                `cluster ${cluster.name}: set fleet:cluster.containerInsights: enabled ` +
                `in Pulumi.${stack}.yaml and pulumi up; tune needs ${tuneDefaults.minimumHours} h of its metrics after that`,
        );
    }
    const tunes = await tuneFleet(clients, fleet, cluster, options.days, now);
    out(`stack ${stack}: cluster ${cluster.name} in ${context.config.region}, the last ${options.days} day(s) of Container Insights`);
    for (const t of tunes) out(renderService(t).join("\n"));

    const overrides: Record<string, { reservation: number; limit: number; cpu: number }> = {};
    const edits: SizingEdit[] = [];
    for (const t of tunes) {
        const p = t.proposal;
        if (p?.kind !== "proposal" || p.changes.length === 0) continue;
        overrides[t.service] = { reservation: p.memory.reservation, limit: p.memory.limit, cpu: p.cpu };
        const changed = new Set(p.changes.map((c) => c.field));
        edits.push({
            service: t.service,
            reservation: changed.has("memory.reservation") ? p.memory.reservation : undefined,
            limit: changed.has("memory.limit") ? p.memory.limit : undefined,
            cpu: changed.has("cpu") ? p.cpu : undefined,
        });
    }
    if (edits.length === 0) {
        out("\nno change proposed");
        return 0;
    }
    const before = capacityAndCost(fleet, context.config.region);
    const afterFleet = resolveStack(context, catalog, overrides as SizingOverrides);
    const after = capacityAndCost(afterFleet, context.config.region);
    out(["", ...renderCapacity(before.capacity, after.capacity), ...renderCost(before.cost, after.cost)].join("\n"));

    if (options.write) {
        const text = fs.readFileSync(context.stackFile, "utf8");
        fs.writeFileSync(context.stackFile, applySizingEdits(text, context.config.project, edits));
        out(`\nwrote ${edits.length} service(s) to Pulumi.${stack}.yaml: review with npm run plan -- --stack ${stack}`);
    } else {
        out(`\n--write puts these in Pulumi.${stack}.yaml under ${context.config.project}:services`);
    }
    return 0;
}
