/**
 * What a plan document says about the fleet, read from the registered inputs (what would be
 * deployed), so that the reports work on any plan JSON, including an older base plan.
 */
import { Capacity } from "../model/catalog";
import { awsDefaultHealthCheck, deregistrationDelay, ecsDefaultStopTimeoutSeconds } from "../policy/limits";
import { Fleet } from "../policy/rules";
import { PlanDocument, PlanResource } from "../plan/runProgram";

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
    /** Sums over the task's containers. */
    readonly reservation: number;
    readonly limit: number;
    readonly cpu: number;
    /** Task-level size (Fargate). */
    readonly fargateSize?: { readonly cpu: number; readonly memory: number };
    readonly desired: number;
    readonly min?: number;
    readonly max?: number;
    readonly stopTimeout: number;
    readonly gracePeriodSeconds: number;
    readonly targetGroup?: TargetGroupFacts;
}

export interface RuleFacts {
    readonly priority: number;
    readonly hosts: readonly string[];
    readonly paths: readonly string[];
    readonly service: string;
    readonly targetGroup: string;
}

export interface PlatformFacts {
    readonly region: string;
    /** Availability zones of the load balancer (one public address each). */
    readonly availabilityZones: number;
    /** NAT gateways created; undefined for an existing VPC (not ours to count). */
    readonly natGateways?: number;
    readonly loadBalancers: number;
    readonly ec2?: {
        readonly instanceType: string;
        readonly minSize: number;
        readonly maxSize: number;
        /** `ECS_RESERVED_MEMORY` from the instances' user data. */
        readonly reservedMemoryMiB: number;
    };
}

export interface FleetFacts {
    readonly stack: string;
    readonly platform: PlatformFacts;
    readonly services: readonly ServiceFacts[];
    readonly rules: readonly RuleFacts[];
}

/** A plan's resources as the policy rules see them, with their lookups (the service of a resource among them). */
export function planFleet(plan: PlanDocument): Fleet {
    return new Fleet(plan.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent })));
}

const num = (value: unknown, fallback = 0): number => (typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : fallback);

function capacityOf(service: PlanResource | undefined): Capacity {
    const strategy = (service?.inputs.capacityProviderStrategies ?? []) as { capacityProvider?: string }[];
    const provider = strategy[0]?.capacityProvider;
    return provider === "FARGATE" ? "fargate" : provider === "FARGATE_SPOT" ? "fargate-spot" : "ec2";
}

export function extractFacts(plan: PlanDocument): FleetFacts {
    const fleet = planFleet(plan);
    const ofType = (type: string) => plan.resources.filter((r) => r.type === type);
    const childOf = (type: string, service: string) => ofType(type).filter((r) => fleet.serviceOfUrn(r.urn) === service);

    const services: ServiceFacts[] = ofType("fleet:ecs:Service").map((component) => {
        const name = component.name;
        const task = childOf("aws:ecs/taskDefinition:TaskDefinition", name)[0];
        const ecsService = childOf("aws:ecs/service:Service", name)[0];
        const scaling = childOf("aws:appautoscaling/target:Target", name)[0];
        const tg = childOf("aws:lb/targetGroup:TargetGroup", name)[0];
        const containers = task ? (JSON.parse(String(task.inputs.containerDefinitions)) as Record<string, unknown>[]) : [];
        const health = (tg?.inputs.healthCheck ?? {}) as Record<string, unknown>;
        return {
            name,
            capacity: capacityOf(ecsService),
            reservation: containers.reduce((sum, c) => sum + num(c.memoryReservation, num(c.memory)), 0),
            limit: containers.reduce((sum, c) => sum + num(c.memory), 0),
            cpu: containers.reduce((sum, c) => sum + num(c.cpu), 0),
            fargateSize: task?.inputs.cpu !== undefined ? { cpu: num(task.inputs.cpu), memory: num(task.inputs.memory) } : undefined,
            desired: num(ecsService?.inputs.desiredCount),
            min: scaling ? num(scaling.inputs.minCapacity) : undefined,
            max: scaling ? num(scaling.inputs.maxCapacity) : undefined,
            // ECS's default stop timeout is 30 s when a container sets none.
            stopTimeout: Math.max(0, ...containers.map((c) => num(c.stopTimeout, ecsDefaultStopTimeoutSeconds))),
            gracePeriodSeconds: num(ecsService?.inputs.healthCheckGracePeriodSeconds),
            targetGroup: tg
                ? {
                      name: tg.name,
                      // AWS's defaults where the input is absent.
                      intervalSeconds: num(health.interval, awsDefaultHealthCheck.intervalSeconds),
                      timeoutSeconds: num(health.timeout, 5),
                      healthyThreshold: num(health.healthyThreshold, awsDefaultHealthCheck.healthyThreshold),
                      deregistrationDelay: num(tg.inputs.deregistrationDelay, deregistrationDelay.awsDefault),
                  }
                : undefined,
        };
    });

    const rules: RuleFacts[] = ofType("aws:lb/listenerRule:ListenerRule")
        .map((rule) => {
            const conditions = (rule.inputs.conditions ?? []) as { hostHeader?: { values: string[] }; pathPattern?: { values: string[] } }[];
            const service = fleet.serviceOfUrn(rule.urn) ?? "?";
            return {
                priority: num(rule.inputs.priority),
                hosts: conditions.flatMap((c) => c.hostHeader?.values ?? []),
                paths: conditions.flatMap((c) => c.pathPattern?.values ?? []),
                service,
                // Each service forwards to its one target group.
                targetGroup: childOf("aws:lb/targetGroup:TargetGroup", service)[0]?.name ?? "?",
            };
        })
        .sort((a, b) => a.priority - b.priority);

    const vpc = ofType("awsx:ec2:Vpc")[0];
    const albs = ofType("aws:lb/loadBalancer:LoadBalancer");
    const zones = vpc ? num(vpc.inputs.numberOfAvailabilityZones, 3) : Math.max(2, ((albs[0]?.inputs.subnets ?? []) as unknown[]).length);
    const strategy = (vpc?.inputs.natGateways as { strategy?: string } | undefined)?.strategy;
    const template = ofType("aws:ec2/launchTemplate:LaunchTemplate")[0];
    const group = ofType("aws:autoscaling/group:Group")[0];
    const userData = template ? Buffer.from(String(template.inputs.userData ?? ""), "base64").toString() : "";
    return {
        stack: plan.stack,
        platform: {
            region: plan.config["aws:region"] ?? "us-east-1",
            availabilityZones: zones,
            natGateways: vpc ? (strategy === "Single" ? 1 : strategy === "None" ? 0 : zones) : undefined,
            loadBalancers: albs.length,
            ec2: template
                ? {
                      instanceType: String(template.inputs.instanceType),
                      minSize: num(group?.inputs.minSize),
                      maxSize: num(group?.inputs.maxSize),
                      reservedMemoryMiB: num(/^ECS_RESERVED_MEMORY=(\d+)$/m.exec(userData)?.[1]),
                  }
                : undefined,
        },
        services,
        rules,
    };
}
