/**
 * The placement advisor: where each service runs (EC2 on-demand, EC2 Spot, Fargate, Fargate Spot)
 * and on how many instances of which type, for the cheapest month that keeps the advisor's placement rule
 * (advisor.ts: zone spread, room for one rolling deployment, burstable types at their baseline CPU,
 * awsvpc tasks within their instance's network interfaces). Pure.
 *
 * Rules a choice keeps:
 * - Spot only for a service that tolerates losing a task: two or more tasks at its lowest count,
 *   or declared `interruptible` (a job only when declared: a run lost is a run missed).
 * - Graviton (arm64) instances hold only services that build here or declare `multiArch`.
 * - A service stays on EC2 when no Fargate size holds it or its stop timeout is above Fargate's.
 *
 * The search, per instance type: every service starts at its cheapest Fargate mode; services are
 * then moved to EC2 in order of what Fargate charges per instance they would fill (the most
 * expensive on Fargate for their footprint first), and each prefix of that order is priced with
 * the fewest instances that hold it, all on-demand and with its Spot-tolerant services on the Spot
 * group above their on-demand base. The cheapest (type, prefix) wins, "no EC2" included. A
 * prefix search is not an exhaustive one: what it may miss is said in docs/memory-and-capacity.md.
 */
import { fargateMaxStopTimeoutSeconds, serviceConnectAgentOnEc2 } from "../facts/aws";
import { defaultOnDemandBase } from "../facts/fleet";
import { Capacity, onEc2 } from "../model/catalog";
import { InstanceType, instanceTypes } from "../model/instanceTypes";
import { fewestInstances, shapeOf, Workload } from "./advisor";
import { Ec2CapacityReport, peakTasks } from "./capacity";
import { CostReport, fargateSizeOf, fargateTaskHour, PriceBook, priceBook as defaultPriceBook, taskLoad } from "./cost";
import { usd } from "./costItems";
import { PlanFacts, placedOnInstance, ServiceFacts } from "./facts";

/** Where a service runs in a choice. */
export type Mode = Capacity;

export interface FleetChoice {
    /** The EC2 instance type, null when no service runs on EC2. */
    readonly instanceType: string | null;
    readonly count: number;
    /** Instances of the Spot group (fleet:cluster.ec2.spot), of the same type; 0 without `ec2-spot` services. */
    readonly spotCount: number;
    /** Every service's capacity. */
    readonly placement: Readonly<Record<string, Mode>>;
    /** A month of compute: EC2 instances with their root volumes, and Fargate tasks (USD). */
    readonly compute: number;
    /** The stack's monthly estimate under this choice: the plan's, with this compute (USD). */
    readonly monthly: number;
    /** Reserved by the EC2 services at their peak counts / registered on `count` instances; null without EC2. */
    readonly utilisation: { readonly memory: number; readonly cpu: number } | null;
}

export interface Move {
    readonly service: string;
    readonly from: Capacity;
    readonly to: Mode;
    /**
     * The move changes the task's network mode (bridge on EC2, awsvpc on Fargate; a Service Connect
     * service is awsvpc on both), which replaces its ECS service and target group (infra/service.ts).
     */
    readonly replaces: boolean;
}

export interface PlacementAdvice {
    readonly current: FleetChoice;
    /** The current choice when nothing cheaper by at least a dollar a month keeps the rules. */
    readonly recommendation: FleetChoice;
    readonly moves: readonly Move[];
    /** current.monthly − recommendation.monthly (0 when the plan is already the advice). */
    readonly monthlySaving: number;
    /**
     * The `Pulumi.<stack>.yaml` config that applies the recommendation, keyed as under `config:`
     * and merged into it as it is (empty when there is nothing to change).
     */
    readonly settings: Readonly<Record<string, unknown>>;
    /** The advice in one line. */
    readonly summary: string;
    /** Instance types priced (with the stack's architecture rule) and how many held the EC2 services. */
    readonly candidates: number;
}

/** Prefixes priced per instance type before the search narrows (see the loop in advisePlacement). */
const prefixSamples = 32;

/** Below this a cheaper choice is not worth a change of capacity (USD a month). */
const worthwhileSaving = 1;

const modeNames: Record<Mode, string> = { ec2: "EC2", "ec2-spot": "EC2 Spot", fargate: "Fargate", "fargate-spot": "Fargate Spot" };

/** Whether losing a task to Spot is acceptable for the service (see above). */
export function toleratesSpot(service: ServiceFacts): boolean {
    if (service.interruptible) return true;
    if (service.job) return false;
    return Math.min(service.desired, service.min ?? service.desired) >= 2;
}

/** Whether the service can run on Graviton: its image is built for the instances, or declared multi-arch. */
export const runsOnArm = (service: ServiceFacts) => service.builds || service.multiArch === true;

/** What a task of the service reserves on an instance were it on EC2 (advisor.ts AdvisorTask). */
function onInstance(service: ServiceFacts, agent: { memoryMiB: number; cpu: number }) {
    if (onEc2(service.capacity)) return placedOnInstance(service);
    // A Fargate service moved to EC2: in Service Connect it gets a task memory and runs in awsvpc.
    return service.serviceConnect
        ? { memory: service.limit + agent.memoryMiB, cpu: service.cpu + agent.cpu, enis: 1 }
        : { memory: service.reservation, cpu: service.cpu, enis: 0 };
}

interface Candidate {
    readonly service: ServiceFacts;
    /** Its cheapest Fargate mode and that month's cost; undefined when it must stay on EC2. */
    readonly fargate?: { readonly mode: Mode; readonly monthly: number };
    readonly task: { readonly memory: number; readonly cpu: number; readonly enis: number };
    readonly tasks: number;
}

export function advisePlacement(
    facts: PlanFacts,
    cost: CostReport,
    capacity: Ec2CapacityReport | undefined,
    book: PriceBook = defaultPriceBook,
): PlacementAdvice {
    const prices = book.regions[cost.priceRegion];
    const hours = book.hoursPerMonth;
    const ec2 = facts.platform.ec2;
    const agent = ec2?.serviceConnectAgent ?? serviceConnectAgentOnEc2;
    const reservedMemoryMiB = ec2?.reservedMemoryMiB ?? 256;
    const rootVolumeGiB = ec2?.rootVolumeGiB ?? 30;
    const rootVolumeMonthly = rootVolumeGiB * (prices.other?.ebsGp3GbMonth ?? 0);

    const candidates: Candidate[] = facts.services.map((service) => {
        const size = fargateSizeOf(service);
        const stays = !size || service.stopTimeout > fargateMaxStopTimeoutSeconds;
        const onDemand = size ? taskLoad(service, book).tasks * fargateTaskHour(prices, size) * hours : 0;
        const fargate: Candidate["fargate"] = stays
            ? undefined
            : toleratesSpot(service)
              ? { mode: "fargate-spot", monthly: onDemand * (1 - book.assumptions.fargateSpotDiscount) }
              : { mode: "fargate", monthly: onDemand };
        return { service, fargate, task: onInstance(service, agent), tasks: peakTasks(service) };
    });

    const workloadOf = (group: readonly { c: Candidate; tasks: number }[], minSize: number): Workload => ({
        services: group
            .filter((g) => g.tasks > 0)
            .map(({ c, tasks }) => ({
                name: c.service.name,
                reservation: c.task.memory,
                cpu: c.task.cpu,
                enis: c.task.enis,
                desired: tasks,
                // A job starts no deployment copy: its runs are replaced, not rolled.
                deployment: c.service.job ? ("recreate" as const) : c.service.deployment,
            })),
        zones: facts.platform.availabilityZones,
        minSize,
        eniTrunking: ec2?.eniTrunking ?? false,
    });
    // EC2 Spot: an ec2-spot service keeps its base on the on-demand group (a job runs on Spot alone).
    const spotDiscount = book.assumptions.ec2SpotDiscount;
    const base = (c: Candidate) => (c.service.job ? 0 : Math.min(c.tasks, c.service.onDemandBase ?? defaultOnDemandBase));

    /** `placed` on `type`, those in `onSpot` as ec2-spot; undefined when something cannot be placed. */
    const price = (
        type: string | null,
        placed: readonly Candidate[],
        onSpot: ReadonlySet<Candidate> = new Set(),
    ): FleetChoice | undefined => {
        const onFargate = candidates.filter((c) => !placed.includes(c));
        if (onFargate.some((c) => !c.fargate)) return undefined;
        let [count, spotCount, ec2Monthly] = [0, 0, 0];
        let utilisation: FleetChoice["utilisation"] = null;
        if (type !== null && placed.length > 0) {
            const shape = shapeOf(instanceTypes[type], reservedMemoryMiB, ec2?.eniTrunking ?? false);
            const onDemand = placed.map((c) => ({ c, tasks: onSpot.has(c) ? base(c) : c.tasks }));
            const spot = [...onSpot].map((c) => ({ c, tasks: c.tasks - base(c) }));
            const fewest = onDemand.some((g) => g.tasks > 0) ? fewestInstances(workloadOf(onDemand, ec2?.minSize ?? 0), shape) : 0;
            const fewestSpot = spot.some((g) => g.tasks > 0) ? fewestInstances(workloadOf(spot, ec2?.spot?.minSize ?? 0), shape) : 0;
            if (fewest === undefined || fewestSpot === undefined) return undefined;
            [count, spotCount] = [fewest, fewestSpot];
            const hourly = prices.ec2Hour[type] * hours;
            ec2Monthly = count * (hourly + rootVolumeMonthly) + spotCount * (hourly * (1 - (spotDiscount ?? 0)) + rootVolumeMonthly);
            const reserved = (key: "memory" | "cpu") => placed.reduce((sum, c) => sum + c.tasks * c.task[key], 0);
            const instances = count + spotCount;
            utilisation = { memory: reserved("memory") / (instances * shape.memory), cpu: reserved("cpu") / (instances * shape.cpu) };
        }
        const placement = Object.fromEntries(
            candidates.map((c) => [c.service.name, onSpot.has(c) ? "ec2-spot" : placed.includes(c) ? "ec2" : c.fargate!.mode] as const),
        ) as Record<string, Mode>;
        const compute = ec2Monthly + onFargate.reduce((sum, c) => sum + c.fargate!.monthly, 0);
        return { instanceType: count + spotCount > 0 ? type : null, count, spotCount, placement, compute, monthly: 0, utilisation };
    };

    const types = Object.keys(prices.ec2Hour)
        .filter((name) => instanceTypes[name] !== undefined)
        .sort();
    const stayers = candidates.filter((c) => !c.fargate);
    let best = stayers.length === 0 ? price(null, []) : undefined;
    let feasibleTypes = 0;
    for (const name of types) {
        const type: InstanceType = instanceTypes[name];
        const eligible = candidates.filter((c) => type.architecture !== "arm64" || runsOnArm(c.service));
        if (stayers.some((c) => !eligible.includes(c))) continue;
        const shape = shapeOf(type, reservedMemoryMiB, ec2?.eniTrunking ?? false);
        // Fargate's price per instance a service would fill: the most expensive there move first.
        const footprint = (c: Candidate) => c.tasks * Math.max(c.task.memory / shape.memory, c.task.cpu / shape.cpu, 1e-9);
        const movable = eligible
            .filter((c) => c.fargate)
            .sort(
                (a, b) =>
                    b.fargate!.monthly / footprint(b) - a.fargate!.monthly / footprint(a) || a.service.name.localeCompare(b.service.name),
            );
        let held = false;
        let typeBest: { k: number; option: FleetChoice } | undefined;
        const tryPrefix = (k: number) => {
            const placed = [...stayers, ...movable.slice(0, k)];
            // On demand, and with the services that tolerate Spot on the Spot group, where Spot is priced.
            const tolerant = new Set(placed.filter((c) => toleratesSpot(c.service)));
            const options = [price(name, placed), spotDiscount !== undefined && tolerant.size ? price(name, placed, tolerant) : undefined];
            for (const option of options) {
                if (!option) continue;
                if (option.count + option.spotCount > 0) held = true;
                if (!typeBest || cheaperChoice(option, typeBest.option)) typeBest = { k, option };
            }
        };
        // Every prefix of a small fleet; of a large one, evenly spaced prefixes, then every one
        // around the cheapest of them (a placement is seconds of packing at 200 services otherwise).
        const step = Math.max(1, Math.ceil(movable.length / prefixSamples));
        for (let k = 0; k <= movable.length; k += step) tryPrefix(k);
        if (step > 1) {
            tryPrefix(movable.length);
            const around = typeBest?.k ?? 0;
            for (let k = Math.max(0, around - step + 1); k < Math.min(movable.length, around + step); k++) if (k % step) tryPrefix(k);
        }
        if (held) feasibleTypes++;
        if (typeBest && (!best || cheaperChoice(typeBest.option, best))) best = typeBest.option;
    }

    const current: FleetChoice = {
        instanceType: capacity && capacity.instances > 0 ? capacity.instanceType : null,
        count: capacity?.instances ?? 0,
        spotCount: capacity?.spot?.instances ?? 0,
        placement: Object.fromEntries(facts.services.map((s) => [s.name, s.capacity])),
        compute: currentCompute(facts, cost),
        monthly: cost.total,
        utilisation: capacity && capacity.instances > 0 ? { memory: capacity.utilisation, cpu: capacity.cpuUtilisation } : null,
    };
    const advised = best && { ...best, monthly: cost.total - current.compute + best.compute };
    const recommendation = advised && advised.monthly <= current.monthly - worthwhileSaving ? advised : current;
    const moves: Move[] = facts.services
        .filter((s) => recommendation.placement[s.name] !== s.capacity)
        .map((s) => ({
            service: s.name,
            from: s.capacity,
            to: recommendation.placement[s.name],
            replaces: !s.serviceConnect && onEc2(s.capacity) !== onEc2(recommendation.placement[s.name]),
        }));
    const settings = recommendation === current ? {} : settingsFor(facts, recommendation, moves);
    return {
        current,
        recommendation,
        moves,
        monthlySaving: current.monthly - recommendation.monthly,
        settings,
        summary: summaryOf(current, recommendation, moves, facts),
        candidates: feasibleTypes,
    };
}

/** Cheapest first (to the cent); ties go to fewer instances, then the type's name. */
function cheaperChoice(a: FleetChoice, b: FleetChoice): boolean {
    const cents = (x: number) => Math.round(x * 100);
    if (cents(a.compute) !== cents(b.compute)) return a.compute < b.compute;
    if (a.count !== b.count) return a.count < b.count;
    return (a.instanceType ?? "") < (b.instanceType ?? "");
}

/** The plan's own compute, as its cost report counts it: EC2 instances, their root volumes, Fargate tasks. */
function currentCompute(facts: PlanFacts, cost: CostReport): number {
    const ec2 = cost.shared
        .filter((l) => l.item === "EC2 instances" || l.item === "EC2 Spot instances")
        .reduce((sum, l) => sum + l.monthly, 0);
    const volumes = cost.items.find((i) => i.item === "EC2 root volumes")?.monthly ?? 0;
    const instanced = new Set(facts.services.filter((s) => onEc2(s.capacity)).map((s) => s.name));
    return ec2 + volumes + cost.services.filter((s) => !instanced.has(s.service)).reduce((sum, s) => sum + s.compute, 0);
}

/**
 * The stack config that applies a choice: each moved service's capacity, and the EC2 group's type
 * and bounds (a group with no EC2 service left keeps no instance: minSize 0).
 */
function settingsFor(facts: PlanFacts, choice: FleetChoice, moves: readonly Move[]): Record<string, unknown> {
    const settings: Record<string, unknown> = {};
    const ec2 = facts.platform.ec2;
    if (choice.instanceType) {
        const group: Record<string, unknown> = {};
        if (ec2?.instanceType !== choice.instanceType) group.instanceType = choice.instanceType;
        if (!ec2) group.maxSize = choice.count * 2;
        else if (choice.count > ec2.maxSize) group.maxSize = choice.count;
        if (ec2 && ec2.minSize > choice.count) group.minSize = choice.count;
        // A Spot group for the ec2-spot services, where the stack has none or too small a one.
        if (choice.spotCount > 0 && !ec2?.spot) group.spot = { maxSize: choice.spotCount * 2 };
        else if (choice.spotCount > 0 && ec2?.spot && choice.spotCount > ec2.spot.maxSize) group.spot = { maxSize: choice.spotCount };
        if (Object.keys(group).length) settings["fleet:cluster"] = { ec2: group };
    } else if (ec2 && ec2.minSize > 0) {
        settings["fleet:cluster"] = { ec2: { minSize: 0 } };
    }
    if (moves.length) settings["fleet:services"] = Object.fromEntries(moves.map((m) => [m.service, { capacity: m.to }]));
    return settings;
}

/** Names listed in one line before the rest are counted ("a, b and 3 more"): a line stays a line at 200 services. */
const namesInALine = 8;

const list = (all: readonly string[]) => {
    const names = all.length > namesInALine ? [...all.slice(0, namesInALine - 1), `${all.length - namesInALine + 1} more`] : all;
    return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
};

function summaryOf(current: FleetChoice, recommendation: FleetChoice, moves: readonly Move[], facts: PlanFacts): string {
    if (recommendation === current) return "the plan is already the cheapest placement the advisor finds";
    const byMode = (["fargate-spot", "fargate", "ec2-spot", "ec2"] as const)
        .map((mode) => ({ mode, names: moves.filter((m) => m.to === mode).map((m) => m.service) }))
        .filter((g) => g.names.length > 0)
        .map((g) => `${list(g.names)} to ${modeNames[g.mode]}`);
    const parts = byMode.length ? [`move ${byMode.join(", ")}`] : [];
    const ec2 = facts.platform.ec2;
    if (recommendation.instanceType) {
        const spot = recommendation.spotCount > 0 ? ` (${recommendation.spotCount} of them Spot)` : "";
        const changed =
            recommendation.instanceType !== current.instanceType ||
            recommendation.count !== current.count ||
            recommendation.spotCount !== current.spotCount;
        if (changed) parts.push(`run ${recommendation.count + recommendation.spotCount} × ${recommendation.instanceType}${spot}`);
    } else if (ec2 && current.count + current.spotCount > 0) {
        parts.push("run no EC2 instance");
    }
    const saving = current.monthly - recommendation.monthly;
    return `${parts.join(" and ")}: ${usd(saving)} a month less (${usd(recommendation.monthly)} instead of ${usd(current.monthly)})`;
}

/** A config object as `key: value` pairs of dotted keys, for one line of text. */
export function settingPairs(settings: Readonly<Record<string, unknown>>, prefix = ""): string[] {
    return Object.entries(settings).flatMap(([key, value]) =>
        value !== null && typeof value === "object" && !Array.isArray(value)
            ? settingPairs(value as Record<string, unknown>, `${prefix}${key}.`)
            : [`${prefix}${key}: ${String(value)}`],
    );
}

const describeChoice = (c: FleetChoice) => {
    const onFargate = Object.values(c.placement).filter((m) => !onEc2(m)).length;
    const ec2 = c.instanceType
        ? `${c.count + c.spotCount} × ${c.instanceType}${c.spotCount ? ` (${c.spotCount} of them Spot)` : ""}`
        : "no EC2 instance";
    const util = c.utilisation
        ? ` (${(c.utilisation.memory * 100).toFixed(0)}% of registered memory, ${(c.utilisation.cpu * 100).toFixed(0)}% of CPU reserved)`
        : "";
    return `${ec2}${util} and ${onFargate} of ${Object.keys(c.placement).length} services on Fargate: ${usd(c.monthly)} a month`;
};

/** The placement advice as report lines (text or Markdown), with the settings that apply it. */
export function placementLines(advice: PlacementAdvice, markdown: boolean): string[] {
    const item = markdown ? "- " : "  ";
    const code = (s: string) => (markdown ? `\`${s}\`` : s);
    const lines = [
        `Placement advisor (EC2, Fargate, Fargate Spot per service; ${advice.candidates} instance types hold the EC2 services):`,
        `${item}current: ${describeChoice(advice.current)}`,
    ];
    if (advice.recommendation === advice.current) return [...lines, `${item}${advice.summary}`, ""];
    lines.push(`${item}advice: ${advice.summary}`, `${item}advised: ${describeChoice(advice.recommendation)}`);
    const pairs = settingPairs(advice.settings);
    lines.push(
        pairs.length <= namesInALine
            ? `${item}settings (Pulumi.<stack>.yaml): ${pairs.map(code).join("; ")}`
            : `${item}settings (Pulumi.<stack>.yaml): ${pairs.length}, in the plan JSON's review.capacity.recommendation.settings`,
    );
    const replaced = advice.moves.filter((m) => m.replaces).map((m) => m.service);
    if (replaced.length)
        lines.push(
            `${item}moving ${list(replaced)} between EC2 and Fargate replaces ${replaced.length === 1 ? "its" : "their"} ECS service`,
        );
    return [...lines, ""];
}
