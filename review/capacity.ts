/**
 * EC2 capacity arithmetic: how many instances the desired tasks need when ECS bin-packs them by
 * memory reservation. Pure, table-tested.
 */
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
    /** How jobs and scheduled minimums were counted, per service (empty when none). */
    readonly assumptions: readonly string[];
    readonly warnings: readonly string[];
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

/** What the count assumes for jobs and scheduled scaling, said in the report. */
function taskAssumptions(services: readonly ServiceFacts[]): string[] {
    return services.flatMap((s) =>
        s.job
            ? [`${s.name}: a job, its one task counted as placed`]
            : s.scheduledMin && s.scheduledMin.highest > s.desired
              ? [`${s.name}: ${s.scheduledMin.highest} tasks, its highest scheduled minimum`]
              : [],
    );
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
    const services = facts.services.filter((s) => s.capacity === "ec2");
    const tasks: Task[] = services.flatMap((s) => {
        const task = { service: s.name, ...placedOnInstance(s) };
        return Array.from({ length: peakTasks(s) }, () => task);
    });
    const reservedMiB = tasks.reduce((sum, t) => sum + t.memory, 0);
    const enisPerInstance = type ? awsvpcTaskLimit(type, ec2.eniTrunking ?? false) : Infinity;
    const packed = type ? packTasks(tasks, registered, cpuUnits, enisPerInstance) : { instances: 0, unplaceable: [] };
    for (const service of services) {
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
    const spreadFloor = Math.min(facts.platform.availabilityZones, Math.max(0, ...services.map(peakTasks)));
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
        assumptions: taskAssumptions(services),
        warnings,
    };
}
