/**
 * What a plan says about the fleet, for the reports (capacity, cost, rollout, routes). A plan
 * carries the facts its model wrote (the `model` section, modelFacts.ts); a base plan written
 * before that section existed is read from its registered inputs instead (what would be
 * deployed), so the reports still work on any plan JSON. Both ways give the same facts on a
 * current plan (test/review.test.ts).
 */
import { instanceTypes, registeredMemoryMiB } from "../model/instanceTypes";
import { awsDefaultHealthCheck, awsxDefaultAvailabilityZones, ecsDefaultStopTimeoutSeconds, minimumLoadBalancerZones } from "../facts/aws";
import { deregistrationDelay } from "../facts/fleet";
import { ResourceIndex } from "../policy/rules";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { Capacity } from "../model/catalog";
import {
    Ec2Facts,
    jobFacts,
    ModelPlatformFacts,
    modelSectionVersion,
    RuleFacts,
    scheduledMinFacts,
    ServiceFacts,
    VolumeFacts,
} from "./modelFacts";
export { placedOnInstance } from "./modelFacts";

export type { Ec2Facts, JobFacts, RuleFacts, ScheduledMinFacts, ServiceFacts, TargetGroupFacts, VolumeFacts } from "./modelFacts";

export interface PlatformFacts extends ModelPlatformFacts {
    /** Load balancers the plan creates. */
    readonly loadBalancers: number;
}

export interface PlanFacts {
    readonly stack: string;
    readonly platform: PlatformFacts;
    readonly services: readonly ServiceFacts[];
    readonly rules: readonly RuleFacts[];
}

/** A plan's resources as the policy rules see them, with their lookups (the service of a resource among them). */
export function planResources(plan: PlanDocument): ResourceIndex {
    return new ResourceIndex(plan.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent })));
}

const loadBalancersOf = (plan: PlanDocument) => plan.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").length;

/** The facts of a plan: its model section when it has one this version reads, its resources otherwise. */
export function planFacts(plan: PlanDocument): PlanFacts {
    const model = plan.model;
    if (model?.version !== modelSectionVersion) return extractFacts(plan);
    return {
        stack: plan.stack,
        platform: { ...model.platform, loadBalancers: loadBalancersOf(plan) },
        services: model.services,
        rules: model.rules,
    };
}

const num = (value: unknown, fallback = 0): number =>
    typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : fallback;

/** Where the tasks run: the ECS service's capacity provider, or the one a job's schedule starts its task on. */
function capacityOf(service: PlanResource | undefined, schedule?: PlanResource): Capacity {
    const job = (schedule?.inputs.target as { ecsParameters?: { capacityProviderStrategies?: unknown } } | undefined)?.ecsParameters;
    const strategy = (service?.inputs.capacityProviderStrategies ?? job?.capacityProviderStrategies ?? []) as {
        capacityProvider?: string;
    }[];
    const provider = strategy[0]?.capacityProvider;
    return provider === "FARGATE" ? "fargate" : provider === "FARGATE_SPOT" ? "fargate-spot" : "ec2";
}

/**
 * A service's volumes from its task definition: each mount point's path, the volume it names
 * (EFS when it has an efsVolumeConfiguration), and for a file system the service's access point
 * to it (the one whose fileSystemId is the volume's): its name (`<service>-efs-<file system>`,
 * model/naming.ts) and POSIX user.
 */
function volumesOf(
    task: PlanResource | undefined,
    containers: readonly Record<string, unknown>[],
    accessPoints: readonly PlanResource[],
    service: string,
): Pick<ServiceFacts, "volumes"> {
    const mounts = containers.flatMap((c) => (Array.isArray(c.mountPoints) ? (c.mountPoints as Record<string, unknown>[]) : []));
    if (!task || mounts.length === 0) return {};
    const volumes = (Array.isArray(task.inputs.volumes) ? task.inputs.volumes : []) as {
        name?: string;
        efsVolumeConfiguration?: { fileSystemId?: unknown };
    }[];
    const prefix = `${service}-efs-`;
    const facts = mounts.map((mount): VolumeFacts => {
        const path = String(mount.containerPath);
        const efs = volumes.find((v) => v.name === mount.sourceVolume)?.efsVolumeConfiguration;
        if (!efs) return { path, kind: "scratch" };
        const point = accessPoints.filter((p) => JSON.stringify(p.inputs.fileSystemId) === JSON.stringify(efs.fileSystemId));
        const user = (point[0]?.inputs.posixUser ?? {}) as { uid?: unknown; gid?: unknown };
        return {
            path,
            kind: "efs",
            fileSystem: point.length === 1 && point[0].name.startsWith(prefix) ? point[0].name.slice(prefix.length) : "?",
            uid: num(user.uid),
            gid: num(user.gid),
        };
    });
    return { volumes: facts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** The facts re-learnt from a plan's registered inputs: for plans written without a model section. */
export function extractFacts(plan: PlanDocument): PlanFacts {
    const index = planResources(plan);
    const ofType = (type: string) => plan.resources.filter((r) => r.type === type);
    const childOf = (type: string, service: string) => ofType(type).filter((r) => index.serviceOfUrn(r.urn) === service);

    const services: ServiceFacts[] = ofType("fleet:ecs:Service").map((component) => {
        const name = component.name;
        const task = childOf("aws:ecs/taskDefinition:TaskDefinition", name)[0];
        const ecsService = childOf("aws:ecs/service:Service", name)[0];
        const scaling = childOf("aws:appautoscaling/target:Target", name)[0];
        const tg = childOf("aws:lb/targetGroup:TargetGroup", name)[0];
        const schedule = childOf("aws:scheduler/schedule:Schedule", name)[0];
        const scheduled = scheduledMinFacts(
            childOf("aws:appautoscaling/scheduledAction:ScheduledAction", name).map((action) => ({
                cron: String(action.inputs.schedule),
                min: num((action.inputs.scalableTargetAction as { minCapacity?: unknown } | undefined)?.minCapacity),
                timezone: typeof action.inputs.timezone === "string" ? action.inputs.timezone : undefined,
            })),
        );
        const containers = task ? (JSON.parse(String(task.inputs.containerDefinitions)) as Record<string, unknown>[]) : [];
        const health = (tg?.inputs.healthCheck ?? {}) as Record<string, unknown>;
        const capacity = capacityOf(ecsService, schedule);
        const taskSize = task?.inputs.memory !== undefined ? { cpu: num(task.inputs.cpu), memory: num(task.inputs.memory) } : undefined;
        return {
            name,
            capacity,
            reservation: containers.reduce((sum, c) => sum + num(c.memoryReservation, num(c.memory)), 0),
            limit: containers.reduce((sum, c) => sum + num(c.memory), 0),
            cpu: containers.reduce((sum, c) => sum + num(c.cpu), 0),
            fargateSize: capacity === "ec2" ? undefined : taskSize,
            ...(capacity === "ec2" && taskSize ? { ec2TaskSize: taskSize } : {}),
            desired: num(ecsService?.inputs.desiredCount),
            min: scaling ? num(scaling.inputs.minCapacity) : undefined,
            max: scaling ? num(scaling.inputs.maxCapacity) : undefined,
            // ECS's default where a container sets none.
            stopTimeout: Math.max(0, ...containers.map((c) => num(c.stopTimeout, ecsDefaultStopTimeoutSeconds))),
            gracePeriodSeconds: num(ecsService?.inputs.healthCheckGracePeriodSeconds),
            targetGroup: tg
                ? {
                      name: tg.name,
                      // AWS's defaults where the input is absent.
                      intervalSeconds: num(health.interval, awsDefaultHealthCheck.intervalSeconds),
                      timeoutSeconds: num(health.timeout, awsDefaultHealthCheck.timeoutSeconds),
                      healthyThreshold: num(health.healthyThreshold, awsDefaultHealthCheck.healthyThreshold),
                      deregistrationDelay: num(tg.inputs.deregistrationDelay, deregistrationDelay.awsDefault),
                  }
                : undefined,
            // A service that builds registers its image build (and pushes to its own repository).
            builds: childOf("docker-build:index:Image", name).length > 0,
            ...(scheduled ? { scheduledMin: scheduled } : {}),
            // A declared run time is not in the resources: the cost report assumes one.
            ...(schedule
                ? { job: jobFacts(String(schedule.inputs.scheduleExpression), String(schedule.inputs.scheduleExpressionTimezone ?? "UTC")) }
                : {}),
            ...volumesOf(task, containers, childOf("aws:efs/accessPoint:AccessPoint", name), name),
            // A recreate deployment: nothing new starts beside the old tasks (facts/fleet.ts recreateDeployment).
            ...(ecsService && num(ecsService.inputs.deploymentMaximumPercent, 200) <= 100 ? { deployment: "recreate" as const } : {}),
        };
    });

    const rules: RuleFacts[] = ofType("aws:lb/listenerRule:ListenerRule")
        .map((rule) => {
            const conditions = (rule.inputs.conditions ?? []) as {
                hostHeader?: { values: string[] };
                pathPattern?: { values: string[] };
            }[];
            const service = index.serviceOfUrn(rule.urn) ?? "?";
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
    const zones = vpc
        ? num(vpc.inputs.numberOfAvailabilityZones, awsxDefaultAvailabilityZones)
        : Math.max(minimumLoadBalancerZones, ((albs[0]?.inputs.subnets ?? []) as unknown[]).length);
    const strategy = (vpc?.inputs.natGateways as { strategy?: string } | undefined)?.strategy;
    const template = ofType("aws:ec2/launchTemplate:LaunchTemplate")[0];
    const group = ofType("aws:autoscaling/group:Group")[0];
    const userData = template ? Buffer.from(String(template.inputs.userData ?? ""), "base64").toString() : "";
    const reservedMemoryMiB = num(/^ECS_RESERVED_MEMORY=(\d+)$/m.exec(userData)?.[1]);
    const instanceType = template ? instanceTypes[String(template.inputs.instanceType)] : undefined;
    const ec2: Ec2Facts | undefined = template
        ? {
              instanceType: String(template.inputs.instanceType),
              minSize: num(group?.inputs.minSize),
              maxSize: num(group?.inputs.maxSize),
              reservedMemoryMiB,
              registeredMemoryMiB: instanceType ? registeredMemoryMiB(instanceType, reservedMemoryMiB) : 0,
          }
        : undefined;
    return {
        stack: plan.stack,
        platform: {
            region: plan.config["aws:region"] ?? "us-east-1",
            availabilityZones: zones,
            natGateways: vpc ? (strategy === "Single" ? 1 : strategy === "None" ? 0 : zones) : undefined,
            loadBalancers: albs.length,
            ec2,
        },
        services,
        rules,
    };
}
