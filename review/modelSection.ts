/**
 * The plan's `model` section: the facts the reports need, taken from the resolved fleet (what the
 * resources were built from) and written into the plan JSON next to the resources, so that the
 * reports read what the model knew instead of re-learning it from registered inputs. Pure.
 *
 * Numbers and names only: no environment, no secret (not even its name), no image reference.
 *
 * The section is part of the plan JSON, an interface other tools read: extend it, never rename a
 * field. A change that an older section cannot answer (a field the reports need that it lacks)
 * bumps `version`; a plan whose section has another version, or none (a base plan an older fleet
 * wrote), has no facts, and the review compares its resources only (facts.ts).
 */
import { Capacity, Protocol } from "../model/catalog";
import { serviceLogicalNames } from "../model/naming";
import { ResolvedFleet, ResolvedService } from "../model/fleet";
import { averageScheduledMin, parseCron, parseSchedule, referenceOffsetMinutes, runsPerYear } from "../model/schedule";

export const modelSectionVersion = 1;

export interface TargetGroupFacts {
    /** Logical name (the physical name gets a random suffix at deploy). */
    readonly name: string;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly healthyThreshold: number;
    readonly deregistrationDelay: number;
}

export interface ServiceFacts {
    readonly name: string;
    readonly capacity: Capacity;
    /** Sums over the task's containers (MiB): the soft reservation and the hard limit. */
    readonly reservation: number;
    readonly limit: number;
    /** CPU units of the task's containers. */
    readonly cpu: number;
    /** Task-level size (Fargate). */
    readonly fargateSize?: { readonly cpu: number; readonly memory: number };
    /**
     * Task-level size of an EC2 task, set only where AWS requires one (Service Connect): placement
     * reserves it instead of the soft reservation. Absent otherwise, and in older sections.
     */
    readonly ec2TaskSize?: { readonly cpu: number; readonly memory: number };
    /**
     * `awsvpc` for an EC2 service in awsvpc (Service Connect): each task takes one of its instance's
     * network interfaces. Absent for bridge and Fargate, and in older sections.
     */
    readonly network?: "awsvpc";
    readonly desired: number;
    /** Autoscaling bounds, when the service scales. */
    readonly min?: number;
    readonly max?: number;
    /** Seconds between SIGTERM and SIGKILL (the longest of the task's containers). */
    readonly stopTimeout: number;
    /** Seconds ECS ignores load-balancer health checks after a task starts; 0 without a load balancer. */
    readonly gracePeriodSeconds: number;
    /** Absent for a service the load balancer does not route to. */
    readonly targetGroup?: TargetGroupFacts;
    /**
     * Whether the image is built from source (for the cluster's architecture, so it can move to
     * Graviton); false for a published image.
     */
    readonly builds: boolean;
    /** Scheduled scaling: the minimums the scheduled actions set. Absent without a schedule. */
    readonly scheduledMin?: ScheduledMinFacts;
    /** A job (run by a schedule, `desired` 0). Absent for a service. */
    readonly job?: JobFacts;
    /** What the container mounts (`volumes`), by path. Absent without volumes, and in sections written before them. */
    readonly volumes?: readonly VolumeFacts[];
    /** Set when a deployment stops the old tasks before starting new ones (`deployment: recreate`); absent for rolling. */
    readonly deployment?: "recreate";
}

/** A volume of a service: a per-task scratch volume, or a stack file system through the service's access point (as uid:gid). */
export type VolumeFacts =
    | { readonly path: string; readonly kind: "scratch" }
    | { readonly path: string; readonly kind: "efs"; readonly fileSystem: string; readonly uid: number; readonly gid: number };

/** The volumes' facts: what the review shows of them (the task definition volume names are an implementation detail). */
export function volumeFacts(volumes: ResolvedService["volumes"]): Pick<ServiceFacts, "volumes"> {
    if (!volumes?.length) return {};
    return {
        volumes: volumes.map((v) =>
            v.kind === "scratch"
                ? { path: v.path, kind: "scratch" }
                : { path: v.path, kind: "efs", fileSystem: v.fileSystem, uid: v.uid, gid: v.gid },
        ),
    };
}

/**
 * What placement reserves for one task of an EC2 service: its task-level size where it has one
 * (Service Connect), else its containers' soft reservation and CPU; and a network interface of
 * the instance when it runs in awsvpc.
 */
export function placedOnInstance(service: ServiceFacts): { readonly memory: number; readonly cpu: number; readonly enis: number } {
    return {
        memory: service.ec2TaskSize?.memory ?? service.reservation,
        cpu: service.ec2TaskSize?.cpu ?? service.cpu,
        enis: service.network === "awsvpc" ? 1 : 0,
    };
}

export interface ScheduledMinFacts {
    /** The highest minimum any scheduled action sets: what capacity must hold. */
    readonly highest: number;
    /** The minimum in force on average over a year, weighted by the hours each holds (schedule.ts). */
    readonly average: number;
}

export interface JobFacts {
    /** `cron(...)` or `rate(...)`. */
    readonly schedule: string;
    /** The zone a cron reads in. */
    readonly timezone: string;
    /** Runs in a year (a cron's in 2025; a rate's over 365 days). */
    readonly runsPerYear: number;
    /** Minutes a run takes, when the catalog declares it (jobDurationMinutes); the cost report assumes otherwise. */
    readonly durationMinutes?: number;
}

/** A job's facts from its schedule, as the resources carry it. */
export function jobFacts(schedule: string, timezone: string, durationMinutes?: number): JobFacts {
    const parsed = parseSchedule(schedule);
    return {
        schedule,
        timezone,
        runsPerYear: parsed.ok ? runsPerYear(parsed.value) : 0,
        ...(durationMinutes !== undefined ? { durationMinutes } : {}),
    };
}

/** The minimums scheduled actions leave in force; undefined without actions. */
export function scheduledMinFacts(actions: readonly { cron: string; min: number; timezone?: string }[]): ScheduledMinFacts | undefined {
    if (actions.length === 0) return undefined;
    const changes = actions.flatMap((action) => {
        const parsed = parseCron(action.cron);
        return parsed.ok ? [{ cron: parsed.value, min: action.min, offsetMinutes: referenceOffsetMinutes(action.timezone) }] : [];
    });
    const highest = Math.max(...actions.map((a) => a.min));
    return { highest, average: averageScheduledMin(changes) ?? highest };
}

export interface RuleFacts {
    readonly priority: number;
    readonly hosts: readonly string[];
    readonly paths: readonly string[];
    readonly service: string;
    /** Logical name of the target group the rule forwards to. */
    readonly targetGroup: string;
}

export interface Ec2Facts {
    readonly instanceType: string;
    readonly minSize: number;
    readonly maxSize: number;
    /** `ECS_RESERVED_MEMORY`: MiB kept back from tasks on every instance. */
    readonly reservedMemoryMiB: number;
    /** MiB the ECS agent registers per instance for tasks (model/instanceTypes.ts). */
    readonly registeredMemoryMiB: number;
    /** `fleet:cluster.ec2.eniTrunking`: the account's awsvpcTrunking is on. Absent in older sections (false). */
    readonly eniTrunking?: boolean;
    /** awsvpc tasks an instance holds (model/instanceTypes.ts awsvpcTaskLimit). Absent in older sections. */
    readonly awsvpcTasksPerInstance?: number;
}

export interface ModelPlatformFacts {
    readonly region: string;
    /** Availability zones of the load balancer (one public address each). */
    readonly availabilityZones: number;
    /** NAT gateways created; undefined for an existing VPC (not ours to count). */
    readonly natGateways?: number;
    /** Absent when the stack runs no EC2 capacity. */
    readonly ec2?: Ec2Facts;
}

/** One `access` grant of a service's task role. */
export interface GrantFacts {
    readonly service: string;
    /** s3, sqs, sns or dynamodb. */
    readonly kind: string;
    /** As written: a name, `bucket/prefix/*`, or an ARN. */
    readonly resource: string;
    readonly level: string;
    /** The customer-managed key of an SSE-KMS resource. */
    readonly kmsKey?: string;
}

/** A server's port and what it speaks there (`protocol`). */
export interface PortFacts {
    readonly service: string;
    readonly port: number;
    readonly protocol: Protocol;
}

/** One Service Connect call: who calls whom, on which port, through which variable. */
export interface ConnectionFacts {
    readonly caller: string;
    readonly target: string;
    readonly port: number;
    readonly variable: string;
    /** What connects sets the variable to: a URL (http, http2) or host:port (grpc, tcp). */
    readonly url: string;
    /** What the target speaks; absent in older sections (http). */
    readonly protocol?: Protocol;
    /** The caller sets the variable itself (in env or secrets) and keeps its own value; absent when connects sets it. */
    readonly kept?: "env" | "secrets";
}

/** `fleet:dns`: the zone, the alias records, and the certificate fleet requests (absent with a given one). */
export interface DnsFacts {
    readonly zone: string;
    readonly records: readonly string[];
    readonly certificateNames?: readonly string[];
}

/** The plan JSON's `model` section. */
export interface ModelSection {
    readonly version: typeof modelSectionVersion;
    readonly platform: ModelPlatformFacts;
    /** In name order. */
    readonly services: readonly ServiceFacts[];
    /** Listener rules in evaluation order. */
    readonly rules: readonly RuleFacts[];
    /** Task-role grants (`access`), by service; absent in plans written before it existed. */
    readonly access?: readonly GrantFacts[];
    /** Each server's port and protocol, in name order; absent in plans written before it existed. */
    readonly ports?: readonly PortFacts[];
    /** Service Connect calls (`connects`); absent in plans written before it existed. */
    readonly connections?: readonly ConnectionFacts[];
    /** Absent without `fleet:dns`. */
    readonly dns?: DnsFacts;
    /** Catalog services turned off in this stack (`fleet:services.<name>.enabled: false`). */
    readonly disabled?: readonly string[];
    /** What the model found valid but likely wrong (ResolvedFleet.warnings); absent in older sections. */
    readonly warnings?: readonly string[];
}

/** The target group's logical name, as infra/service.ts registers it. */
const targetGroupName = (service: string) => serviceLogicalNames(service).targetGroup;

/** Whether the load balancer routes to the service (it gets a target group and listener rules). */
const routed = (service: ResolvedService) => service.port !== undefined && service.rules.length > 0;

function serviceFacts(service: ResolvedService): ServiceFacts {
    const health = service.health;
    return {
        name: service.name,
        capacity: service.capacity.kind === "ec2" ? "ec2" : service.capacity.spot ? "fargate-spot" : "fargate",
        reservation: service.memory.reservation,
        limit: service.memory.limit,
        cpu: service.cpu,
        fargateSize:
            service.capacity.kind === "fargate" ? { cpu: service.capacity.size.cpu, memory: service.capacity.size.memory } : undefined,
        ...(service.capacity.kind === "ec2" && service.capacity.task ? { ec2TaskSize: { ...service.capacity.task } } : {}),
        ...(service.capacity.kind === "ec2" && service.networkMode === "awsvpc" ? { network: "awsvpc" as const } : {}),
        desired: service.desiredCount,
        min: service.scaling?.min,
        max: service.scaling?.max,
        stopTimeout: service.stopTimeout,
        // ECS accepts a grace period only on a service behind a load balancer.
        gracePeriodSeconds: routed(service) ? health.gracePeriodSeconds : 0,
        targetGroup: routed(service)
            ? {
                  name: targetGroupName(service.name),
                  intervalSeconds: health.intervalSeconds,
                  timeoutSeconds: health.timeoutSeconds,
                  healthyThreshold: health.healthyThreshold,
                  deregistrationDelay: service.deregistrationDelay,
              }
            : undefined,
        builds: service.image.kind === "build",
        ...(service.deployment === "recreate" ? { deployment: "recreate" as const } : {}),
        ...workloadFacts(service),
        ...volumeFacts(service.volumes),
    };
}

/** A job's schedule and a service's scheduled minimums; nothing for a plain service (its facts stay as they were). */
function workloadFacts(service: ResolvedService): Pick<ServiceFacts, "scheduledMin" | "job"> {
    const scheduled = scheduledMinFacts(service.scaling?.schedule ?? []);
    return {
        ...(scheduled ? { scheduledMin: scheduled } : {}),
        ...(service.job ? { job: jobFacts(service.job.schedule, service.job.timezone ?? "UTC", service.job.durationMinutes) } : {}),
    };
}

/** The `model` section of a plan of `fleet`, deployed to `region`. */
export function modelSection(fleet: ResolvedFleet, region: string): ModelSection {
    const network = fleet.network;
    const ec2 = fleet.cluster.ec2;
    const routedServices = new Set(fleet.services.filter(routed).map((s) => s.name));
    return {
        version: modelSectionVersion,
        platform: {
            region,
            // An existing VPC: the load balancer spans its public subnets, one per zone.
            availabilityZones: network.kind === "create" ? network.availabilityZones : network.publicSubnetIds.length,
            natGateways: network.kind === "create" ? (network.natGateways === "single" ? 1 : network.availabilityZones) : undefined,
            ec2: ec2
                ? {
                      instanceType: ec2.instanceType,
                      minSize: ec2.minSize,
                      maxSize: ec2.maxSize,
                      reservedMemoryMiB: ec2.reservedMemoryMiB,
                      registeredMemoryMiB: ec2.registeredMemoryMiB,
                      eniTrunking: ec2.eniTrunking,
                      awsvpcTasksPerInstance: ec2.awsvpcTasksPerInstance,
                  }
                : undefined,
        },
        services: fleet.services.map(serviceFacts),
        rules: fleet.rules
            .filter((rule) => routedServices.has(rule.service))
            .map((rule) => ({
                priority: rule.priority,
                hosts: [...rule.hosts],
                paths: [...rule.paths],
                service: rule.service,
                targetGroup: targetGroupName(rule.service),
            }))
            .sort((a, b) => a.priority - b.priority),
        ports: fleet.services.flatMap((s) => (s.port !== undefined ? [{ service: s.name, port: s.port, protocol: s.protocol }] : [])),
        access: fleet.services.flatMap((service) => service.grants.map((grant) => ({ service: service.name, ...grant }))),
        connections: fleet.services.flatMap((service) =>
            service.connects.map((c) => ({
                caller: service.name,
                target: c.target,
                port: c.port,
                variable: c.variable,
                url: c.url,
                protocol: c.protocol,
                ...(c.kept ? { kept: c.kept } : {}),
            })),
        ),
        dns: fleet.resolvedDns
            ? {
                  zone: fleet.resolvedDns.zone,
                  records: fleet.resolvedDns.records.map((r) => r.name),
                  certificateNames: fleet.resolvedDns.certificate?.names,
              }
            : undefined,
        disabled: fleet.disabled,
        warnings: fleet.warnings,
    };
}
