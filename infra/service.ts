import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Protocol } from "../model/catalog";
import { ResolvedService } from "../model/fleet";
import { recreateDeployment, rollingDeployment } from "../facts/fleet";
import { capacityProviderFor } from "./cluster";
import { serviceConnectConfiguration } from "./serviceConnect";
import { queueBacklogMetric, scheduledScalingActions } from "./scaling";
import { sqsQueueName } from "../model/awsNames";
import { serviceLogicalNames } from "../model/naming";
import { Task, TaskArgs } from "./task";

/** A Service's arguments: its task's (task.ts), and the services it calls. */
export interface ServiceArgs extends TaskArgs {
    /**
     * The ECS services of the servers it calls (`connects`): it is created after them, because a
     * task resolves only the Service Connect endpoints that existed when it started (ECS developer
     * guide, Service Connect: "Existing tasks can't resolve and connect to the new endpoint").
     * @default none
     */
    readonly servers?: readonly aws.ecs.Service[];
}

/** The service's place on the load balancer: its target group on its port, and the listener rules forwarding to it. */
interface Routing {
    readonly targetGroup: aws.lb.TargetGroup;
    readonly port: number;
    readonly rules: readonly aws.lb.ListenerRule[];
}

/**
 * One microservice on the shared platform: its task (task.ts: task definition with soft and hard
 * memory, secrets by reference, least-privilege roles, log group, image, volumes), kept running by
 * an ECS service (circuit breaker with rollback, bin-packing on EC2), with a target group and
 * listener rules on the shared ALB, a security group open to the ALB only, and autoscaling. A job
 * (an entry with a schedule) is a Job (job.ts), with the same task.
 */
export class Service extends pulumi.ComponentResource {
    /** The ECS service's name. */
    public readonly serviceName: pulumi.Output<string>;
    /** The ECS service itself: a caller's is created after it. */
    public readonly ecsService: aws.ecs.Service;
    public readonly taskDefinitionArn: pulumi.Output<string>;
    /** The image the task runs. */
    public readonly image: pulumi.Output<string>;
    public readonly repositoryUrl?: pulumi.Output<string>;
    public readonly targetGroupArn?: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    /** The tasks' own security group (awsvpc); bridge tasks on EC2 share the instances' group. */
    public readonly securityGroupId?: pulumi.Output<string>;

    private readonly args: ServiceArgs;
    private readonly spec: ResolvedService;
    private readonly platform: ServiceArgs["platform"];
    private readonly children: ReturnType<typeof serviceLogicalNames>;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before registering anything: the container, the stream prefix and the children are named after the catalog key.
        if (args.spec.name !== name)
            throw new Error(`Service "${name}" was given the catalog entry of "${args.spec.name}": the catalog key is the service's name`);
        if (args.spec.job) throw new Error(`Service "${name}" was given a job (it has a schedule): a job is a Job`);
        super("fleet:ecs:Service", name, {}, opts);
        this.args = args;
        this.spec = args.spec;
        this.platform = args.platform;
        this.children = serviceLogicalNames(name);

        const task = new Task(this, args);
        const routing = this.createRouting();
        const service = this.createEcsService(task, routing);
        this.createAutoscaling(service, routing);
        this.ecsService = service;

        this.serviceName = service.name;
        this.targetGroupArn = routing?.targetGroup.arn;
        ({
            taskDefinitionArn: this.taskDefinitionArn,
            image: this.image,
            repositoryUrl: this.repositoryUrl,
            logGroupName: this.logGroupName,
            securityGroupId: this.securityGroupId,
        } = task.outputs);
        this.registerOutputs({ serviceName: this.serviceName, targetGroupArn: this.targetGroupArn, ...task.outputs });
    }

    /** A target group and listener rules on the shared load balancer, for a service with routes and a port. */
    private createRouting(): Routing | undefined {
        const port = this.spec.port;
        if (this.spec.rules.length === 0 || port === undefined) return undefined;
        const targetGroup = this.createTargetGroup(port);
        return { targetGroup, port, rules: this.createListenerRules(targetGroup) };
    }

    private createTargetGroup(port: number): aws.lb.TargetGroup {
        const health = this.spec.health;
        return new aws.lb.TargetGroup(
            // Auto-named `<service>-tg-<7 chars>`, a long service name shortened to fit AWS's 32 characters (naming.ts).
            this.children.targetGroup,
            {
                vpcId: this.platform.network.vpcId,
                port,
                protocol: "HTTP",
                // gRPC and HTTP/2 to the targets (from the HTTPS listener, which validation requires).
                protocolVersion: targetProtocolVersion[this.spec.protocol],
                // awsvpc tasks register by IP; bridge tasks by instance and dynamic host port.
                targetType: this.spec.networkMode === "awsvpc" ? "ip" : "instance",
                deregistrationDelay: this.spec.deregistrationDelay,
                healthCheck: {
                    enabled: true,
                    path: health.path,
                    matcher: health.matcher,
                    port: "traffic-port",
                    protocol: "HTTP",
                    interval: health.intervalSeconds,
                    timeout: health.timeoutSeconds,
                    healthyThreshold: health.healthyThreshold,
                    unhealthyThreshold: health.unhealthyThreshold,
                },
                tags: this.args.tags,
            },
            { parent: this },
        );
    }

    private createListenerRules(targetGroup: aws.lb.TargetGroup): aws.lb.ListenerRule[] {
        return this.spec.rules.map(
            (rule) =>
                new aws.lb.ListenerRule(
                    this.children.listenerRule(rule.key),
                    {
                        listenerArn: this.platform.loadBalancer.listenerArn,
                        priority: rule.priority,
                        actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                        conditions: [
                            ...(rule.hosts.length ? [{ hostHeader: { values: [...rule.hosts] } }] : []),
                            ...(rule.paths.length ? [{ pathPattern: { values: [...rule.paths] } }] : []),
                        ],
                        tags: this.args.tags,
                    },
                    { parent: this },
                ),
        );
    }

    private createEcsService(task: Task, routing: Routing | undefined): aws.ecs.Service {
        const { taskDefinition, securityGroup, logGroup } = task;
        const spec = this.spec;
        const image = spec.image;
        const cacheDependencies = image.kind === "cached" ? (this.platform.registry.cacheDependencies?.[image.registry] ?? []) : [];
        return new aws.ecs.Service(
            this.children.ecsService,
            {
                cluster: this.platform.cluster.arn,
                taskDefinition: taskDefinition.arn,
                // Without it a changed capacityProviderStrategies replaces the service (delete and
                // create: an outage); with it, moving between fargate and fargate-spot is an update and
                // a rolling deployment (pulumi-aws ecs.Service; terraform-provider-aws#43533). A change
                // of network mode (Fargate to EC2, or joining Service Connect on EC2) is a replacement (replacement()).
                forceNewDeployment: true,
                desiredCount: spec.desiredCount,
                capacityProviderStrategies: [
                    {
                        capacityProvider: capacityProviderFor(spec.capacity, this.platform.cluster.ec2CapacityProviderName),
                        weight: 1,
                        base: 0,
                    },
                ],
                // Only awsvpc tasks have a security group of their own.
                networkConfiguration: securityGroup
                    ? {
                          subnets: this.platform.network.privateSubnetIds,
                          securityGroups: routing
                              ? [securityGroup.id, this.platform.loadBalancer.targetsSecurityGroupId]
                              : [securityGroup.id],
                          assignPublicIp: false,
                      }
                    : undefined,
                loadBalancers: routing
                    ? [{ targetGroupArn: routing.targetGroup.arn, containerName: spec.name, containerPort: routing.port }]
                    : undefined,
                healthCheckGracePeriodSeconds: routing ? spec.health.gracePeriodSeconds : undefined,
                serviceConnectConfiguration: serviceConnectConfiguration(
                    spec,
                    this.platform.serviceConnectNamespaceArn,
                    logGroup.name,
                    this.platform.aws.region,
                ),
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: deploymentPercents[spec.deployment].minimumHealthyPercent,
                deploymentMaximumPercent: deploymentPercents[spec.deployment].maximumPercent,
                // Spread over zones first, then pack by memory so idle instances can be scaled in.
                orderedPlacementStrategies:
                    spec.capacity.kind === "ec2"
                        ? [
                              { type: "spread", field: "attribute:ecs.availability-zone" },
                              { type: "binpack", field: "memory" },
                          ]
                        : undefined,
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                waitForSteadyState: true,
                tags: this.args.tags,
            },
            {
                parent: this,
                // A target group must be attached to a listener before a service can use it; a
                // cached image's first pull needs its cache rule and creation template; a task
                // mounts a file system only through a mount target that exists.
                dependsOn: [
                    ...(routing?.rules ?? []),
                    ...cacheDependencies,
                    ...task.mountTargets,
                    // IAM is eventually consistent: a task starts only once its roles' policies exist.
                    ...task.rolePolicies,
                    ...(this.args.servers ?? []),
                ],
                ...replacement(spec),
                // Application Auto Scaling owns the task count once scaling is on.
                ignoreChanges: spec.scaling ? ["desiredCount"] : [],
            },
        );
    }

    private createAutoscaling(service: aws.ecs.Service, routing: Routing | undefined): void {
        const scaling = this.spec.scaling;
        if (!scaling) return;
        const target = new aws.appautoscaling.Target(
            this.children.scalingTarget,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${this.platform.cluster.name}/${service.name}`,
                minCapacity: scaling.min,
                maxCapacity: scaling.max,
            },
            { parent: this },
        );
        const policy = (
            metric: "cpu" | "requests" | "queue",
            config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
        ) =>
            new aws.appautoscaling.Policy(
                this.children.scalingPolicy(metric),
                {
                    policyType: "TargetTrackingScaling",
                    serviceNamespace: target.serviceNamespace,
                    scalableDimension: target.scalableDimension,
                    resourceId: target.resourceId,
                    targetTrackingScalingPolicyConfiguration: config,
                },
                { parent: this },
            );
        if (scaling.cpuPercent !== undefined) {
            policy("cpu", {
                targetValue: scaling.cpuPercent,
                predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
                scaleInCooldown: 300,
                scaleOutCooldown: 60,
            });
        }
        if (scaling.requestsPerTarget !== undefined && routing) {
            policy("requests", {
                targetValue: scaling.requestsPerTarget,
                predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel: pulumi.interpolate`${this.platform.loadBalancer.arnSuffix}/${routing.targetGroup.arnSuffix}`,
                },
                scaleInCooldown: 300,
                scaleOutCooldown: 60,
            });
        }
        if (scaling.queue !== undefined) {
            policy("queue", {
                targetValue: scaling.queue.backlogPerTask,
                customizedMetricSpecification: queueBacklogMetric(
                    sqsQueueName(scaling.queue.name)!,
                    this.platform.cluster.name,
                    service.name,
                ),
                scaleInCooldown: 300,
                scaleOutCooldown: 60,
            });
        }
        if (scaling.schedule?.length) scheduledScalingActions(this, this.spec.name, scaling.schedule, target);
    }
}

/**
 * What an ECS service cannot change in place, as its replacement trigger: its network mode (awsvpc
 * and bridge: on a move between Fargate and EC2, or when an EC2 service joins or leaves Service
 * Connect; the provider sends no network configuration for bridge, ECS keeps the old one and
 * refuses the update) and what its port speaks ("appProtocol is immutable
 * in a Service Connect service. Updating this field requires a service deletion and redeployment",
 * ECS API PortMapping.appProtocol). `http` is left out of the trigger, so a service that starts
 * serving calls is updated in place. The engine replaces only when both the recorded and the new
 * trigger are set (pulumi/pulumi pkg/resource/deploy/step_generator.go shouldTriggerReplace: "Nulls
 * mean there is no replacement trigger"), so the first update that sets it replaces nothing.
 *
 * A replacement creates the new service first (a new auto-name; on a move its target group is
 * replaced too, ip and instance targets being different types), so traffic moves without a gap.
 * A Service Connect server is deleted first instead: the namespace holds its discovery name, which a
 * second service cannot take while the first exists, so it is down while its new tasks start.
 */
function replacement(spec: ResolvedService): pulumi.CustomResourceOptions {
    return {
        replacementTrigger: spec.protocol === "http" ? spec.networkMode : `${spec.networkMode}+${spec.protocol}`,
        ...(spec.serviceConnect?.server ? { deleteBeforeReplace: true } : {}),
    };
}

/** ECS's deployment percentages of each `deployment` (facts/fleet.ts). */
const deploymentPercents = { rolling: rollingDeployment, recreate: recreateDeployment } as const;

/** The target group's protocol version per protocol (ELB TargetGroup ProtocolVersion); a tcp server is never routed. */
const targetProtocolVersion: Readonly<Record<Protocol, "HTTP1" | "HTTP2" | "GRPC">> = {
    http: "HTTP1",
    http2: "HTTP2",
    grpc: "GRPC",
    tcp: "HTTP1",
};
