/**
 * The capacity advisor: for a stack with EC2 capacity, the cheapest instance type and count (from
 * the candidates priced in data/prices.json) that holds the fleet, next to the stack's current
 * type held to the same rule. Pure.
 *
 * "Holds the fleet" means, on `count` instances of a type:
 * - every EC2 task (desired count) is placed, by its memory reservation within the memory the
 *   agent registers (model/instanceTypes.ts registeredMemoryMiB: installed, less the kernel's
 *   share, less ECS_RESERVED_MEMORY) and by its CPU units within vCPUs × 1024 (a burstable
 *   type's baseline share of that: shapeOf);
 * - the Auto Scaling group balances instances over the stack's zones and ECS places each task as
 *   fleet's services ask (infra/service.ts): spread over zones first (the zone with the fewest
 *   tasks of the service), then bin-packed by memory (the fullest instance that still fits);
 * - at least one instance in each zone a service spreads over (min(zones, largest task count)),
 *   and the group's minimum size;
 * - a rolling deployment's extra copy (deploymentMaximumPercent, facts/fleet.ts) of the largest
 *   service, by memory and by CPU, placed on top, one deployment at a time: a deployment starts
 *   without waiting for managed scaling to add an instance.
 * Among the feasible choices the cheapest monthly wins; ties go to fewer instances, then the name.
 */
import { awsvpcTaskLimit, InstanceType, instanceTypes, registeredMemoryMiB } from "../model/instanceTypes";
import { cpuUnitsPerVcpu } from "../facts/aws";
import { lowReservedMemoryUtilisation, rollingDeployment } from "../facts/fleet";
import { PriceBook, priceBook as defaultPriceBook } from "./cost";
import { usd } from "./costItems";
import { PlanFacts, placedOnInstance, ServiceFacts } from "./facts";

export interface CapacityChoice {
    readonly instanceType: string;
    readonly count: number;
    /** On-demand instance hours a month (USD). */
    readonly monthly: number;
    /** Reserved by the fleet's tasks at their desired counts / registered on `count` instances. */
    readonly utilisation: { readonly memory: number; readonly cpu: number };
}

export interface CapacityAdvice {
    readonly current: CapacityChoice | null;
    readonly recommendation: CapacityChoice | null;
    /** current.monthly − recommendation.monthly, when both are known. */
    readonly monthlySaving: number | null;
    /** Whether Graviton (arm64) types were candidates, and why. */
    readonly graviton: { readonly considered: boolean; readonly reason: string };
    /** The rule the choices were held to, in one sentence. */
    readonly rule: string;
    /** Candidate types evaluated (priced and known), and how many could hold the fleet at all. */
    readonly candidates: number;
    readonly warnings: readonly string[];
    /**
     * Below 50% of registered memory reserved: what the type's view can say (a better type, or none).
     * Apart from `warnings`: the review says it only when the placement advisor has nothing better.
     */
    readonly utilisationWarning?: string;
}

/** One task to place: its service and reservation. */
export interface AdvisorTask {
    readonly service: string;
    readonly memory: number;
    readonly cpu: number;
    /** Network interfaces it takes: 1 in awsvpc. */
    readonly enis: number;
}

/** What a type offers a task: the agent's registered memory, the CPU units, and the awsvpc tasks it holds (unlimited when absent). */
export interface InstanceShape {
    readonly memory: number;
    readonly cpu: number;
    readonly enis?: number;
}

/** The EC2 workload the advisor sizes: services with their reservations and counts, the zones, the group's minimum. */
export interface Workload {
    readonly services: readonly (Pick<ServiceFacts, "name" | "reservation" | "cpu" | "desired" | "deployment"> & {
        /** 1 for a task in awsvpc (it takes one of the instance's network interfaces); 0 or absent in bridge. */
        readonly enis?: number;
    })[];
    readonly zones: number;
    readonly minSize: number;
    /** The account's awsvpcTrunking is on (fleet:cluster.ec2.eniTrunking): each type's trunk limit applies. */
    readonly eniTrunking?: boolean;
}

/**
 * The shape of a type under a stack's ECS_RESERVED_MEMORY. A burstable type offers its baseline
 * CPU only: a task's CPU units are a share it may use all the time, which a burstable instance
 * sustains only up to its baseline without spending (or, unlimited, paying for) credits.
 */
export function shapeOf(type: InstanceType, reservedMemoryMiB: number, eniTrunking = false): InstanceShape {
    return {
        memory: registeredMemoryMiB(type, reservedMemoryMiB),
        cpu: Math.floor(type.vcpus * cpuUnitsPerVcpu * (type.baselineCpuFraction ?? 1)),
        enis: awsvpcTaskLimit(type, eniTrunking),
    };
}

/** Extra tasks a rolling deployment of a service starts while its old tasks still run. */
export const deploymentExtraTasks = (desired: number, deployment?: "recreate") =>
    deployment === "recreate" ? 0 : Math.ceil((desired * (rollingDeployment.maximumPercent - 100)) / 100);

/** Fewest instances the zone spread and the group's minimum ask for, whatever the packing. */
export function instanceFloor(workload: Workload): number {
    const tasks = Math.max(0, ...workload.services.map((s) => s.desired));
    return Math.max(workload.minSize, Math.min(workload.zones, tasks), tasks > 0 ? 1 : 0);
}

interface Instance {
    readonly zone: number;
    memory: number;
    cpu: number;
    enis: number;
}

/** Places tasks one by one as ECS's spread(zone) then binpack(memory) does; false when one fits nowhere. */
function place(instances: Instance[], perZone: Map<string, number[]>, tasks: readonly AdvisorTask[], zones: number): boolean {
    for (const task of tasks) {
        const counts = perZone.get(task.service) ?? Array.from({ length: zones }, () => 0);
        perZone.set(task.service, counts);
        const fitting = instances.filter((i) => i.memory >= task.memory && i.cpu >= task.cpu && i.enis >= task.enis);
        if (fitting.length === 0) return false;
        const fewest = Math.min(...fitting.map((i) => counts[i.zone]));
        // Bin-pack within the spread's choice: the instance with the least memory left that fits.
        const target = fitting.filter((i) => counts[i.zone] === fewest).reduce((best, i) => (i.memory < best.memory ? i : best));
        target.memory -= task.memory;
        target.cpu -= task.cpu;
        target.enis -= task.enis;
        counts[target.zone] += 1;
    }
    return true;
}

const tasksOf = (service: Workload["services"][number], count: number): AdvisorTask[] =>
    Array.from({ length: count }, () => ({
        service: service.name,
        memory: service.reservation,
        cpu: service.cpu,
        enis: service.enis ?? 0,
    }));

/**
 * The services whose deployment copy is the largest: by memory reserved, and by CPU. A `recreate`
 * service starts no copy (it stops its tasks first), so it is never one of them.
 */
export function largestServices(all: Workload["services"]): Workload["services"] {
    const services = all.filter((s) => s.deployment !== "recreate");
    if (services.length === 0) return [];
    const by = (key: "reservation" | "cpu") =>
        services.reduce((best, s) =>
            s.desired * s[key] > best.desired * best[key] || (s.desired * s[key] === best.desired * best[key] && s.name < best.name)
                ? s
                : best,
        );
    const memory = by("reservation");
    const cpu = by("cpu");
    return memory === cpu ? [memory] : [memory, cpu];
}

/** Whether `count` instances of `shape` hold the workload under the rule above. */
export function holds(workload: Workload, shape: InstanceShape, count: number): boolean {
    const services = workload.services.filter((s) => s.desired > 0);
    if (count < instanceFloor(workload)) return false;
    if (services.length === 0) return true;
    // The group balances its instances over the zones: counts differ by one at most.
    const zones = Math.min(workload.zones, count);
    const fresh = (): Instance[] =>
        Array.from({ length: count }, (_, i) => ({ zone: i % zones, memory: shape.memory, cpu: shape.cpu, enis: shape.enis ?? Infinity }));
    // Larger tasks first, as placement of a whole fleet at once would favour; the order is fixed for reproducibility.
    const fleet = services
        .flatMap((s) => tasksOf(s, s.desired))
        .sort((a, b) => b.memory - a.memory || b.cpu - a.cpu || a.service.localeCompare(b.service));
    const instances = fresh();
    const perZone = new Map<string, number[]>();
    if (!place(instances, perZone, fleet, zones)) return false;
    return largestServices(services).every((deploying) => {
        const copy = instances.map((i) => ({ ...i }));
        const counts = new Map([...perZone].map(([service, c]) => [service, [...c]]));
        return place(copy, counts, tasksOf(deploying, deploymentExtraTasks(deploying.desired, deploying.deployment)), zones);
    });
}

/** The fewest instances of `shape` that hold the workload; undefined when a task fits no instance of it. */
export function fewestInstances(workload: Workload, shape: InstanceShape): number | undefined {
    const services = workload.services.filter((s) => s.desired > 0);
    const enisPerInstance = shape.enis ?? Infinity;
    if (services.some((s) => s.reservation > shape.memory || s.cpu > shape.cpu || (s.enis ?? 0) > enisPerInstance)) return undefined;
    const tasks = services.flatMap((s) => tasksOf(s, s.desired));
    const memory = tasks.reduce((sum, t) => sum + t.memory, 0);
    const cpu = tasks.reduce((sum, t) => sum + t.cpu, 0);
    const enis = tasks.reduce((sum, t) => sum + t.enis, 0);
    // No packing beats the totals; one instance per task (fleet and copy) in every zone always holds.
    const lower = Math.max(
        instanceFloor(workload),
        Math.ceil(memory / shape.memory),
        Math.ceil(cpu / shape.cpu),
        Math.ceil(enis / enisPerInstance),
    );
    const copies = Math.max(0, ...services.map((s) => deploymentExtraTasks(s.desired, s.deployment)));
    const upper = Math.max(lower, (tasks.length + copies) * Math.max(1, workload.zones));
    for (let count = lower; count <= upper; count++) if (holds(workload, shape, count)) return count;
    return undefined;
}

/**
 * The EC2 workload of a plan's facts. A service's reservation and CPU here are what placement
 * reserves per task (its task size under Service Connect).
 */
export function workloadOf(facts: PlanFacts): Workload {
    return {
        services: facts.services
            .filter((s) => s.capacity === "ec2")
            .map((s) => {
                const placed = placedOnInstance(s);
                return { ...s, reservation: placed.memory, cpu: placed.cpu, enis: placed.enis };
            }),
        zones: facts.platform.availabilityZones,
        minSize: facts.platform.ec2?.minSize ?? 0,
        eniTrunking: facts.platform.ec2?.eniTrunking ?? false,
    };
}

function choice(
    workload: Workload,
    instanceType: string,
    shape: InstanceShape,
    count: number,
    hourly: number,
    hours: number,
): CapacityChoice {
    const services = workload.services;
    const memory = services.reduce((sum, s) => sum + s.desired * s.reservation, 0);
    const cpu = services.reduce((sum, s) => sum + s.desired * s.cpu, 0);
    return {
        instanceType,
        count,
        monthly: count * hourly * hours,
        utilisation: { memory: count > 0 ? memory / (count * shape.memory) : 0, cpu: count > 0 ? cpu / (count * shape.cpu) : 0 },
    };
}

/** Cheapest first; ties to fewer instances, then the type's name. */
export function cheaper(a: CapacityChoice, b: CapacityChoice): boolean {
    const cents = (x: number) => Math.round(x * 1e6);
    if (cents(a.monthly) !== cents(b.monthly)) return a.monthly < b.monthly;
    if (a.count !== b.count) return a.count < b.count;
    return a.instanceType < b.instanceType;
}

/**
 * Graviton only where the images allow: a service that builds from source gets linux/arm64 when
 * the cluster's type is arm64 (model/resolve.ts), but a published image may have no arm64
 * variant, and the plan cannot see its manifest.
 */
export function gravitonRule(services: readonly ServiceFacts[]): CapacityAdvice["graviton"] {
    const published = services.filter((s) => !s.builds).map((s) => s.name);
    if (published.length === 0) {
        return {
            considered: true,
            reason:
                "Graviton (arm64) types considered: every EC2 service builds from source, " +
                "and fleet builds for linux/arm64 on arm64 capacity",
        };
    }
    return {
        considered: false,
        reason:
            `Graviton (arm64) types not considered: ${published.join(", ")} ` +
            `${published.length === 1 ? "runs a published image" : "run published images"} ` +
            "that may have no arm64 variant (build from source, or move to Fargate, to let the advisor consider Graviton)",
    };
}

const percent = (x: number) => `${(x * 100).toFixed(0)}%`;

export function adviseCapacity(facts: PlanFacts, book: PriceBook = defaultPriceBook): CapacityAdvice | undefined {
    const ec2 = facts.platform.ec2;
    if (!ec2) return undefined;
    const prices = book.regions[facts.platform.region] ?? book.regions[book.fallbackRegion];
    const hours = book.hoursPerMonth;
    const workload = workloadOf(facts);
    // A group no service runs on has no type to choose (the placement advisor says whether one should).
    if (!workload.services.some((s) => s.desired > 0)) return undefined;
    const ec2Services = facts.services.filter((s) => s.capacity === "ec2");
    const graviton = gravitonRule(ec2Services);
    const warnings: string[] = [];

    const evaluate = (name: string, type: InstanceType): CapacityChoice | undefined => {
        const hourly = prices.ec2Hour[name];
        if (hourly === undefined) return undefined;
        const shape = shapeOf(type, ec2.reservedMemoryMiB, workload.eniTrunking);
        const count = fewestInstances(workload, shape);
        return count === undefined ? undefined : choice(workload, name, shape, count, hourly, hours);
    };

    const candidates = Object.keys(prices.ec2Hour)
        .filter((name) => instanceTypes[name] !== undefined)
        .filter((name) => graviton.considered || instanceTypes[name].architecture !== "arm64")
        .sort();
    let recommendation: CapacityChoice | null = null;
    let feasible = 0;
    for (const name of candidates) {
        const option = evaluate(name, instanceTypes[name]);
        if (!option) continue;
        feasible++;
        if (!recommendation || cheaper(option, recommendation)) recommendation = option;
    }

    const currentType = instanceTypes[ec2.instanceType];
    const current = currentType ? (evaluate(ec2.instanceType, currentType) ?? null) : null;
    if (!current) warnings.push(`capacity advisor: ${ec2.instanceType} has no price in data/prices.json or cannot hold every task`);
    let utilisationWarning: string | undefined;
    if (current && current.utilisation.memory < lowReservedMemoryUtilisation) {
        const floor = instanceFloor(workload);
        const better =
            recommendation && recommendation.instanceType !== current.instanceType
                ? `; ${recommendation.count} × ${recommendation.instanceType} holds the same fleet ` +
                  `at ${percent(recommendation.utilisation.memory)}`
                : current.count === floor
                  ? `; no candidate does better: the zone spread and the group's minimum need ${floor} instance(s); ` +
                    "fewer zones, or Fargate for the smallest services, would raise it"
                  : "";
        utilisationWarning =
            `capacity: ${current.count} × ${current.instanceType} would have ` +
            `${percent(current.utilisation.memory)} of registered memory reserved ` +
            `(below ${percent(lowReservedMemoryUtilisation)})${better}`;
    }
    if (recommendation && recommendation.count > ec2.maxSize) {
        warnings.push(
            `capacity: ${recommendation.count} × ${recommendation.instanceType} is above ` +
                `fleet:cluster.ec2.maxSize (${ec2.maxSize}): raise it with the type`,
        );
    }
    const copy = largestServices(workload.services.filter((s) => s.desired > 0))
        .map((s) => s.name)
        .join(" or ");
    return {
        current,
        recommendation,
        monthlySaving: current && recommendation ? current.monthly - recommendation.monthly : null,
        graviton,
        rule:
            "every EC2 task placed by memory reservation and CPU, " +
            `spread over ${facts.platform.availabilityZones} zone(s) then bin-packed, ` +
            `at least ${instanceFloor(workload)} instance(s) (zone spread, group minimum)` +
            (copy ? `, with room for a rolling deployment's extra copy of ${copy} (maximum ${rollingDeployment.maximumPercent}%)` : "") +
            (workload.services.some((s) => s.enis)
                ? ", each awsvpc task taking one of its instance's network interfaces " +
                  `(${workload.eniTrunking ? "with" : "without"} ENI trunking)`
                : ""),
        candidates: candidates.length,
        ...(utilisationWarning ? { utilisationWarning } : {}),
        warnings:
            feasible === 0 && workload.services.length > 0
                ? [...warnings, "capacity advisor: no candidate type holds every task"]
                : warnings,
    };
}

const describe = (c: CapacityChoice) =>
    `${c.count} × ${c.instanceType}, ${usd(c.monthly)}/month, ` +
    `${percent(c.utilisation.memory)} of registered memory and ${percent(c.utilisation.cpu)} of CPU reserved`;

/** The advice as report lines (text or Markdown). */
export function adviceLines(advice: CapacityAdvice, markdown: boolean): string[] {
    const item = markdown ? "- " : "  ";
    const lines = [`Capacity advisor (${advice.candidates} candidate types from data/prices.json; ${advice.rule}):`];
    lines.push(`${item}current: ${advice.current ? describe(advice.current) : "not priced"}`);
    lines.push(`${item}recommended: ${advice.recommendation ? describe(advice.recommendation) : "no candidate holds every task"}`);
    if (advice.monthlySaving !== null && advice.current && advice.recommendation) {
        const same =
            (advice.current.instanceType === advice.recommendation.instanceType && advice.current.count === advice.recommendation.count) ||
            advice.monthlySaving < 0.005;
        lines.push(
            same
                ? `${item}the current type is already the cheapest that holds the fleet`
                : `${item}saves ${usd(advice.monthlySaving)} a month: ` +
                      `set fleet:cluster.ec2.instanceType to ${advice.recommendation.instanceType}`,
        );
    }
    lines.push(`${item}${advice.graviton.reason}`);
    return lines;
}
