/**
 * The arithmetic of `npm run ops -- tune`: from what a service really used (Container Insights,
 * hourly) and the tasks killed at its hard limit, the memory reservation, memory limit and CPU it
 * should ask for. Pure and table-tested (test/opsTune.test.ts); tune.ts does the reading.
 */
import { Capacity, memorySchema, serviceSchema } from "../model/catalog";
import { largestFargateSize, FargateSize, smallestFargateSize } from "../model/fargate";

/** The thresholds of a proposal. Every one is stated in docs/ops.md ("What tune assumes"). */
export interface TuneSettings {
    /** The share of hours whose mean task use the reservation covers (nearest-rank percentile). */
    readonly percentile: number;
    /** Added above that percentile for the reservation. */
    readonly reservationMargin: number;
    /** Added above the largest task ever seen for the limit. */
    readonly limitHeadroom: number;
    /** After an OOM kill the peak seen is the old limit itself: the limit grows by this factor at least. */
    readonly oomLimitFactor: number;
    /** Hours of data below which no proposal is made. */
    readonly minimumHours: number;
    /** A reservation moves only when it is off by more than this share of itself (no churn for a few MiB). */
    readonly reservationTolerance: number;
    /** A limit is lowered only when it is more than this many times the one proposed. */
    readonly limitSlackFactor: number;
    /** Memory proposals are rounded up to a multiple of this (MiB). */
    readonly memoryStepMiB: number;
    /** CPU units are proposed above this percentile of hourly use plus this margin... */
    readonly cpuMargin: number;
    /** ...only when the current value is more than this many times the proposal, or below what is used. */
    readonly cpuFarOffFactor: number;
    /** CPU proposals are rounded up to a multiple of this (units). */
    readonly cpuStep: number;
}

export const tuneDefaults: TuneSettings = {
    percentile: 0.95,
    reservationMargin: 0.15,
    limitHeadroom: 0.25,
    oomLimitFactor: 1.5,
    minimumHours: 24,
    reservationTolerance: 0.1,
    limitSlackFactor: 1.5,
    memoryStepMiB: 8,
    cpuMargin: 0.25,
    cpuFarOffFactor: 2,
    cpuStep: 128,
};

/** AWS's and fleet's floors, read from the catalog's schema (one fact, one place). */
export const minimumReservationMiB: number = memorySchema.shape.reservation.minValue ?? 6;
export const minimumCpuUnits: number = serviceSchema.shape.cpu.unwrap().minValue ?? 128;
export const maximumCpuUnits: number = serviceSchema.shape.cpu.unwrap().maxValue ?? 16384;

/** What was observed of one service over the window, one value per hourly period with data. */
export interface Observed {
    /** Length of a period in seconds (3600). */
    readonly periodSeconds: number;
    /** The mean task's memory (MiB) per period: CloudWatch's Average of MemoryUtilized. */
    readonly memoryAverages: readonly number[];
    /** The largest task's memory (MiB) per period: the Maximum of MemoryUtilized. */
    readonly memoryMaxima: readonly number[];
    /** The mean task's CPU units per period: the Average of CpuUtilized (empty when unknown). */
    readonly cpuAverages: readonly number[];
    /** Tasks stopped with OutOfMemoryError that ECS still lists. */
    readonly oomKills: number;
}

/** A service's current sizing and where it runs. */
export interface Current {
    readonly reservation: number;
    readonly limit: number;
    readonly cpu: number;
    readonly capacity: Capacity;
}

/** The hard ceilings of the capacity the service runs on. */
export interface Ceilings {
    /** MiB the ECS agent registers on the stack's instance type (EC2 services only). */
    readonly ec2RegisteredMemoryMiB?: number;
    readonly ec2InstanceType?: string;
}

export interface Change {
    readonly field: "memory.reservation" | "memory.limit" | "cpu";
    readonly from: number;
    readonly to: number;
    readonly why: string;
}

export interface Figures {
    readonly hours: number;
    /** The percentile of the hourly mean task memory (MiB). */
    readonly memoryPercentile: number;
    /** The largest task memory seen (MiB). */
    readonly memoryPeak: number;
    /** The percentile of hourly mean task CPU units, when known. */
    readonly cpuPercentile?: number;
    readonly oomKills: number;
}

export type Proposal =
    | { readonly kind: "refused"; readonly reason: string }
    | {
          readonly kind: "proposal";
          readonly figures: Figures;
          readonly memory: { readonly reservation: number; readonly limit: number };
          readonly cpu: number;
          /** Only what changes; empty when the service is sized right. */
          readonly changes: readonly Change[];
          /** Ceilings that cut a proposal short, and what to do about them. */
          readonly notes: readonly string[];
          /** Fargate task size before and after (Fargate services). */
          readonly fargate?: { readonly before?: FargateSize; readonly after?: FargateSize };
      };

/** Nearest-rank percentile: the smallest value with at least `p` of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) throw new Error("percentile of no values");
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;
const roundDown = (value: number, step: number) => Math.floor(value / step) * step;
const mib = (value: number) => `${Math.round(value)} MiB`;
const pct = (share: number) => `${Math.round(share * 100)}%`;

/** The proposal for one service, or why none is made. */
export function proposeSizing(
    current: Current,
    observed: Observed,
    ceilings: Ceilings = {},
    settings: TuneSettings = tuneDefaults,
): Proposal {
    const hours = (observed.memoryAverages.length * observed.periodSeconds) / 3600;
    if (hours < settings.minimumHours) {
        return {
            kind: "refused",
            reason:
                `${hours} hour(s) of Container Insights memory data in the window; tune needs at least ${settings.minimumHours}: ` +
                `let the service run longer or widen --days`,
        };
    }
    const step = settings.memoryStepMiB;
    const p = percentile(observed.memoryAverages, settings.percentile);
    const peak = Math.max(...observed.memoryMaxima, ...observed.memoryAverages);
    const label = `p${Math.round(settings.percentile * 100)}`;
    const changes: Change[] = [];
    const notes: string[] = [];

    // Reservation: what placement sets aside, from a high percentile of what the mean task uses.
    const reservationTarget = Math.max(minimumReservationMiB, roundUp(p * (1 + settings.reservationMargin), step));
    let reservation = current.reservation;
    if (Math.abs(reservationTarget - current.reservation) > current.reservation * settings.reservationTolerance) {
        reservation = reservationTarget;
        changes.push({
            field: "memory.reservation",
            from: current.reservation,
            to: reservation,
            why: `${label} of the mean task's hourly use is ${mib(p)}; + ${pct(settings.reservationMargin)} margin`,
        });
    }

    // Limit: above the largest task seen; after an OOM kill that peak is the old limit, so it grows.
    let limitTarget = roundUp(peak * (1 + settings.limitHeadroom), step);
    let limitWhy = `the largest task used ${mib(peak)}; + ${pct(settings.limitHeadroom)} headroom`;
    if (observed.oomKills > 0) {
        const raised = roundUp(current.limit * settings.oomLimitFactor, step);
        if (raised > limitTarget) {
            limitTarget = raised;
            limitWhy =
                `${observed.oomKills} task(s) killed with OutOfMemoryError at ` +
                `the ${mib(current.limit)} limit; raised ${settings.oomLimitFactor}×`;
        }
    }
    limitTarget = Math.max(limitTarget, reservation + step);
    let limit = current.limit;
    if (limitTarget > current.limit || current.limit > limitTarget * settings.limitSlackFactor || current.limit <= reservation) {
        limit = Math.max(limitTarget, reservation + step);
        if (limit < current.limit) limitWhy += `; ${mib(current.limit)} is more than ${settings.limitSlackFactor}× that`;
    }

    // Ceilings: the instance's registered memory on EC2, the largest task size on Fargate.
    const ceiling = current.capacity === "ec2" ? ceilings.ec2RegisteredMemoryMiB : largestFargateSize.memory;
    if (ceiling !== undefined && limit > ceiling) {
        notes.push(
            current.capacity === "ec2"
                ? `memory.limit ${mib(limit)} wanted, but ` +
                      `a ${ceilings.ec2InstanceType ?? "container instance"} registers ` +
                      `only ${mib(ceiling)} for tasks: ` +
                      `capped there; set a larger fleet:cluster.ec2.instanceType or move the service to Fargate`
                : `memory.limit ${mib(limit)} wanted, but the largest Fargate task ` +
                      `has ${mib(ceiling)}: capped there; run the service on ec2 capacity`,
        );
        limit = ceiling;
        if (reservation >= limit) reservation = roundDown(limit - 1, step) || limit - 1;
        const reservationChange = changes.find((c) => c.field === "memory.reservation");
        if (reservationChange && reservationChange.to !== reservation) {
            changes.splice(changes.indexOf(reservationChange), 1, {
                ...reservationChange,
                to: reservation,
                why: `${reservationChange.why}; kept below the cap`,
            });
        }
    }
    if (limit !== current.limit) changes.push({ field: "memory.limit", from: current.limit, to: limit, why: limitWhy });

    // CPU: only when far off, since CPU is a share on EC2 and a task-size step on Fargate.
    let cpu = current.cpu;
    let cpuPercentile: number | undefined;
    if (observed.cpuAverages.length > 0) {
        cpuPercentile = percentile(observed.cpuAverages, settings.percentile);
        const target = Math.min(
            maximumCpuUnits,
            Math.max(minimumCpuUnits, roundUp(cpuPercentile * (1 + settings.cpuMargin), settings.cpuStep)),
        );
        if (current.cpu > target * settings.cpuFarOffFactor || cpuPercentile > current.cpu) {
            cpu = target;
            changes.push({
                field: "cpu",
                from: current.cpu,
                to: cpu,
                why: `${label} of the mean task's hourly use is ${Math.round(cpuPercentile)} units; + ${pct(settings.cpuMargin)} margin`,
            });
        }
    }

    const fargate =
        current.capacity === "ec2"
            ? undefined
            : { before: smallestFargateSize(current.cpu, current.limit), after: smallestFargateSize(cpu, limit) };
    return {
        kind: "proposal",
        figures: { hours, memoryPercentile: p, memoryPeak: peak, cpuPercentile, oomKills: observed.oomKills },
        memory: { reservation, limit },
        cpu,
        changes,
        notes,
        fargate,
    };
}
