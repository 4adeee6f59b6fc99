/**
 * EC2 capacity arithmetic: how many instances the desired tasks need when ECS bin-packs them by
 * memory reservation, on the on-demand group and, with fleet:cluster.ec2.spot, on the Spot group
 * apart. Pure, table-tested.
 */
import { onEc2 } from "../model/catalog";
import { awsvpcTaskLimit, instanceTypes, kernelReserveFraction } from "../model/instanceTypes";
import { cpuUnitsPerVcpu } from "../facts/aws";
import { PlanFacts, placedOnInstance, ServiceFacts } from "./facts";

export interface Ec2CapacityReport {
    readonly instanceType: string;
    /** Memory the agent registers per instance, and how it is derived. */
    readonly registeredMemoryMiB: number;
    readonly registeredMemoryNote: string;
    readonly cpuUnits: number;
    /** Tasks placed on EC2 at their desired counts. */
    readonly tasks: number;
    readonly reservedMiB: number;
    /** ceil(sum of reservations / registered memory): no packing can do better. */
    readonly lowerBound: number;
    /** First-fit decreasing by reservation (then CPU), as binpack-by-memory placement approximates. */
    readonly packedInstances: number;
    /** The group's minimum and the zone spread can ask for more than packing does. */
    readonly instances: number;
    readonly instancesReason: string;
    /** Sum of reservations / (instances × registered memory). */
    readonly utilisation: number;
    /** Sum of the tasks' CPU units / (instances × the type's CPU units). */
    readonly cpuUtilisation: number;
    /** How jobs and scheduled minimums were counted, per service (empty when none). */
    readonly assumptions: readonly string[];
    readonly warnings: readonly string[];
    /** The Spot group's own packing (fleet:cluster.ec2.spot); absent without one. */
    readonly spot?: SpotCapacityReport;
}

/**
 * The Spot group, packed as the on-demand group is but apart (ECS places a task on one capacity
 * provider, so tasks of the two groups never share an instance), with the tasks of `ec2-spot`
 * services above their on-demand base. Its instances are counted as the main instance type: every
 * Spot type is at least as large (stackSettings.ts), and which one price-capacity-optimized launches
 * is not known before it does, so the count is an upper bound.
 */
export interface SpotCapacityReport {
    /** The types the group may launch, the main type first. */
    readonly instanceTypes: readonly string[];
    readonly tasks: number;
    readonly reservedMiB: number;
    readonly lowerBound: number;
    readonly packedInstances: number;
    /** Raised to the group's minimum and the zone spread, capped at its maximum. */
    readonly instances: number;
    readonly instancesReason: string;
    readonly utilisation: number;
}

interface Task {
    readonly service: string;
    readonly memory: number;
    readonly cpu: number;
    /** Network interfaces of the instance it takes: 1 in awsvpc, 0 (or absent) in bridge. */
    readonly enis?: number;
}

/**
 * Packs tasks into as few instances as first-fit decreasing finds; tasks that fit nowhere are
 * returned apart. `enisPerInstance`: the awsvpc tasks an instance holds (unlimited when absent).
 */
export function packTasks(
    tasks: readonly Task[],
    memoryPerInstance: number,
    cpuPerInstance: number,
    enisPerInstance = Infinity,
): { instances: number; unplaceable: Task[] } {
    const bins: { memory: number; cpu: number; enis: number }[] = [];
    const unplaceable: Task[] = [];
    const ordered = [...tasks].sort((a, b) => b.memory - a.memory || b.cpu - a.cpu || a.service.localeCompare(b.service));
    for (const task of ordered) {
        const enis = task.enis ?? 0;
        if (task.memory > memoryPerInstance || task.cpu > cpuPerInstance || enis > enisPerInstance) {
            unplaceable.push(task);
            continue;
        }
        const bin = bins.find(
            (b) => b.memory + task.memory <= memoryPerInstance && b.cpu + task.cpu <= cpuPerInstance && b.enis + enis <= enisPerInstance,
        );
        if (bin) {
            bin.memory += task.memory;
            bin.cpu += task.cpu;
            bin.enis += enis;
        } else {
            bins.push({ memory: task.memory, cpu: task.cpu, enis });
        }
    }
    return { instances: bins.length, unplaceable };
}

/**
 * The tasks a service needs room for: its desired count, or the highest minimum its scheduled
 * scaling sets when that is more; a job's one task, counted as placed (a run may come at any time).
 */
export function peakTasks(service: ServiceFacts): number {
    return service.job ? 1 : Math.max(service.desired, service.scheduledMin?.highest ?? 0);
}

/**
 * How a service's tasks (`tasks`, its peak or its average count) split over the two EC2 groups: an
 * `ec2` service's all on-demand; an `ec2-spot` service's first `onDemandBase` on-demand (its
 * strategy's base) and the rest on Spot, a job's run on Spot (infra/cluster.ts capacityProviderStrategy).
 */
export function ec2GroupTasks(service: ServiceFacts, tasks: number): { readonly onDemand: number; readonly spot: number } {
    if (service.capacity === "ec2") return { onDemand: tasks, spot: 0 };
    if (service.capacity !== "ec2-spot") return { onDemand: 0, spot: 0 };
    const onDemand = service.job ? 0 : Math.min(tasks, service.onDemandBase ?? 0);
    return { onDemand, spot: tasks - onDemand };
}

/** What the count assumes for jobs and scheduled scaling, said in the report. */
function taskAssumptions(services: readonly ServiceFacts[]): string[] {
    return services.flatMap((s) => [
        ...(s.job
            ? [`${s.name}: a job, its one task counted as placed${s.capacity === "ec2-spot" ? " (on Spot)" : ""}`]
            : s.scheduledMin && s.scheduledMin.highest > s.desired
              ? [`${s.name}: ${s.scheduledMin.highest} tasks, its highest scheduled minimum`]
              : []),
        ...(s.capacity === "ec2-spot" && !s.job ? [spotSplit(s)] : []),
    ]);
}

/** Where an ec2-spot service's tasks are counted. */
function spotSplit(service: ServiceFacts): string {
    const { onDemand, spot } = ec2GroupTasks(service, peakTasks(service));
    return `${service.name}: ${onDemand} task(s) on on-demand (its base), ${spot} on Spot`;
}

export function ec2Capacity(facts: PlanFacts): Ec2CapacityReport | undefined {
    const ec2 = facts.platform.ec2;
    if (!ec2) return undefined;
    const type = instanceTypes[ec2.instanceType];
    const warnings: string[] = [];
    if (!type) {
        warnings.push(`instance type ${ec2.instanceType} is not in model/instanceTypes.ts: capacity cannot be estimated`);
    }
    // What the model computed (model/instanceTypes.ts).
    const registered = type ? ec2.registeredMemoryMiB : 0;
    const cpuUnits = (type?.vcpus ?? 0) * cpuUnitsPerVcpu;
    const services = facts.services.filter((s) => ec2GroupTasks(s, peakTasks(s)).onDemand > 0 || s.capacity === "ec2");
    const onDemandTasks = (s: ServiceFacts) => ec2GroupTasks(s, peakTasks(s)).onDemand;
    const tasks: Task[] = services.flatMap((s) => {
        const task = { service: s.name, ...placedOnInstance(s) };
        return Array.from({ length: onDemandTasks(s) }, () => task);
    });
    const reservedMiB = tasks.reduce((sum, t) => sum + t.memory, 0);
    const enisPerInstance = type ? awsvpcTaskLimit(type, ec2.eniTrunking ?? false) : Infinity;
    const packed = type ? packTasks(tasks, registered, cpuUnits, enisPerInstance) : { instances: 0, unplaceable: [] };
    // Every Spot type is at least the main type (stackSettings.ts): a task that fits on neither group is found here.
    for (const service of facts.services.filter((s) => onEc2(s.capacity))) {
        const placed = placedOnInstance(service);
        if (type && (placed.memory > registered || placed.cpu > cpuUnits)) {
            warnings.push(
                `${service.name}: a task reserves ${placed.memory} MiB ` +
                    `and ${placed.cpu} CPU units, but a ${ec2.instanceType} ` +
                    `registers ${registered} MiB and ${cpuUnits} units: it can never be placed`,
            );
        }
    }
    const lowerBound = registered > 0 ? Math.ceil(reservedMiB / registered) : 0;
    // Placement spreads each service over zones before packing: a service with n tasks lands on
    // min(n, zones) instances at least.
    const spreadFloor = Math.min(facts.platform.availabilityZones, Math.max(0, ...services.map(onDemandTasks)));
    const instances = Math.min(Math.max(packed.instances, spreadFloor, ec2.minSize), Math.max(ec2.maxSize, ec2.minSize));
    // Each awsvpc task takes one of the instance's network interfaces: say so when they, not
    // memory or CPU, decide the count.
    const byResources = type ? packTasks(tasks, registered, cpuUnits).instances : 0;
    const trunking = ec2.eniTrunking ?? false;
    const eniBound = packed.instances > byResources;
    const reasons = [
        eniBound
            ? `${packed.instances} by packing (${enisPerInstance} awsvpc tasks per instance, ${trunking ? "with" : "without"} ENI trunking)`
            : `${packed.instances} by packing`,
    ];
    if (trunking && type && type.awsvpcTasks.trunk === undefined && tasks.some((t) => t.enis)) {
        warnings.push(
            `capacity: fleet:cluster.ec2.eniTrunking is true, but ${ec2.instanceType} is not among the types AWS lists for ENI ` +
                `trunking: each instance holds ${enisPerInstance} awsvpc tasks; choose a type that supports it (c6i, m6i, r6i, Graviton)`,
        );
    }
    if (eniBound && !trunking && type?.awsvpcTasks.trunk !== undefined) {
        warnings.push(
            `capacity: the Service Connect services' awsvpc tasks need ${packed.instances} × ${ec2.instanceType} ` +
                `(${enisPerInstance} network interfaces for tasks each), where memory and CPU need ${byResources}: turn on the ` +
                `account's awsvpcTrunking (aws ecs put-account-setting-default --name awsvpcTrunking --value enabled) and set ` +
                `fleet:cluster.ec2.eniTrunking to true, for ${type.awsvpcTasks.trunk} per instance`,
        );
    }
    if (spreadFloor > packed.instances) reasons.push(`${spreadFloor} to spread tasks over zones`);
    if (ec2.minSize > Math.max(packed.instances, spreadFloor)) reasons.push(`the group's minimum of ${ec2.minSize}`);
    if (Math.max(packed.instances, spreadFloor) > ec2.maxSize) {
        warnings.push(
            `the tasks need ${Math.max(packed.instances, spreadFloor)} instances ` +
                `but the group's maximum is ${ec2.maxSize}: raise ` +
                `fleet:cluster.ec2.maxSize`,
        );
    }
    return {
        instanceType: ec2.instanceType,
        registeredMemoryMiB: registered,
        registeredMemoryNote: type
            ? `${type.memoryMiB} MiB installed, less ${kernelReserveFraction * 100}% ` +
              `the kernel keeps, less ECS_RESERVED_MEMORY=${ec2.reservedMemoryMiB}`
            : "unknown instance type",
        cpuUnits,
        tasks: tasks.length,
        reservedMiB,
        lowerBound,
        packedInstances: packed.instances,
        instances,
        instancesReason: reasons.join(", "),
        utilisation: instances > 0 && registered > 0 ? reservedMiB / (instances * registered) : 0,
        cpuUtilisation: instances > 0 && cpuUnits > 0 ? tasks.reduce((sum, t) => sum + t.cpu, 0) / (instances * cpuUnits) : 0,
        assumptions: taskAssumptions(facts.services.filter((s) => onEc2(s.capacity))),
        warnings,
        ...(ec2.spot && type ? { spot: spotCapacity(facts, registered, cpuUnits, enisPerInstance, warnings) } : {}),
    };
}

/** The Spot group's packing: the main type's shape (see SpotCapacityReport), the group's sizes. */
function spotCapacity(facts: PlanFacts, registered: number, cpuUnits: number, enis: number, warnings: string[]): SpotCapacityReport {
    const spot = facts.platform.ec2!.spot!;
    const onSpot = (s: ServiceFacts) => ec2GroupTasks(s, peakTasks(s)).spot;
    const services = facts.services.filter((s) => onSpot(s) > 0);
    const tasks: Task[] = services.flatMap((s) => Array.from({ length: onSpot(s) }, () => ({ service: s.name, ...placedOnInstance(s) })));
    const reservedMiB = tasks.reduce((sum, t) => sum + t.memory, 0);
    const packed = packTasks(tasks, registered, cpuUnits, enis);
    const spreadFloor = Math.min(facts.platform.availabilityZones, Math.max(0, ...services.map(onSpot)));
    const needed = Math.max(packed.instances, spreadFloor);
    const instances = Math.min(Math.max(needed, spot.minSize), Math.max(spot.maxSize, spot.minSize));
    const reasons = [`${packed.instances} by packing`];
    if (spreadFloor > packed.instances) reasons.push(`${spreadFloor} to spread tasks over zones`);
    if (spot.minSize > needed) reasons.push(`the group's minimum of ${spot.minSize}`);
    if (needed > spot.maxSize)
        warnings.push(
            `the Spot tasks need ${needed} instances but the Spot group's maximum is ${spot.maxSize}: raise fleet:cluster.ec2.spot.maxSize`,
        );
    return {
        instanceTypes: spot.instanceTypes,
        tasks: tasks.length,
        reservedMiB,
        lowerBound: registered > 0 ? Math.ceil(reservedMiB / registered) : 0,
        packedInstances: packed.instances,
        instances,
        instancesReason: reasons.join(", "),
        utilisation: instances > 0 && registered > 0 ? reservedMiB / (instances * registered) : 0,
    };
}

/** The Spot group's lines of the capacity report (review/render.ts prints them after the on-demand group's). */
export function spotCapacityLines(c: SpotCapacityReport): string[] {
    return [
        `EC2 Spot capacity (${c.instanceTypes.join(", ")}; counted as ${c.instanceTypes[0]}, the smallest): ${c.tasks} tasks reserve ` +
            `${c.reservedMiB} MiB: at least ${c.lowerBound} instance(s) by memory, ${c.packedInstances} when bin-packed; ` +
            `${c.instances} planned (${c.instancesReason}), ${(c.utilisation * 100).toFixed(0)}% of registered memory reserved.`,
    ];
}
