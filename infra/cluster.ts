import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Capacity } from "../model/catalog";
import { ecsAmiParameter } from "../model/instanceTypes";
import { clusterLogicalNames } from "../model/naming";
import { ClusterSettings } from "../model/fleet";
import { iamDocumentVersion, pullThroughCacheStatements } from "./iamDocuments";

/**
 * The dynamic host-port range of bridge-mode tasks. The ECS-optimised AMI uses 32768-61000 and the
 * agent falls back to 49153-65535, so 32768-65535 covers both.
 */
export const dynamicPortRange = { from: 32768, to: 65535 } as const;

export interface ClusterArgs {
    readonly settings: ClusterSettings;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets for the container instances. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The load balancer's security group, the only source allowed to reach task ports on the instances. */
    readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
    /**
     * The registry's pull-through cache prefixes (`fleet:registry.pullThroughCache`). On EC2 the
     * container-instance role pulls, so it needs the first-pull permissions under each prefix.
     * Granted per prefix, not per cached repository: the role is shared by every EC2 service, and
     * a list of the services' repositories would change it whenever one service changes its image
     * (one service, one diff). It widens nothing that matters: the role's managed policy
     * (AmazonEC2ContainerServiceforEC2Role) already pulls from every repository. @default []
     */
    readonly cachePrefixes?: readonly string[];
    readonly accountId: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    /**
     * The KMS key encrypting ECS Exec sessions between a client and a container, when a service of the stack
     * has `exec`: sessions are then logged as the task definition's awslogs driver says (its service's log group).
     * @default none: no execute-command configuration
     */
    readonly executeCommandKeyArn?: pulumi.Input<string>;
    /** Tags for the ECS cluster only: the stack's policy enforcement and platform waivers. @default {} */
    readonly policyTags?: Record<string, string>;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/** ECS's name for a capacity, in capacity provider strategies. */
const fargateProviders: Record<Exclude<Capacity, "ec2" | "ec2-spot">, string> = { fargate: "FARGATE", "fargate-spot": "FARGATE_SPOT" };

/**
 * The ECS cluster with Container Insights, FARGATE and FARGATE_SPOT, and, when the stack asks for
 * it, an EC2 capacity provider: an Auto Scaling group of ECS-optimised instances (IMDSv2 only,
 * encrypted root volume) under managed scaling and managed termination protection; and with
 * `fleet:cluster.ec2.spot`, a second group of Spot instances from the same launch template, with a
 * capacity provider of its own.
 */
export class Cluster extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    public readonly name: pulumi.Output<string>;
    /**
     * The cluster's ARN once its capacity providers are associated. ECS refuses a service whose
     * strategy names a provider not yet associated ("capacity provider is not associated with the
     * cluster"), and a provider cannot be dissociated while a service uses it: services take their
     * cluster from here, so they are created after the association (and the container instances'
     * pull-through permissions) and deleted before it.
     */
    public readonly arnForServices: pulumi.Output<string>;
    /** The cluster's name, with the same ordering as `arnForServices` (for autoscaling resource ids). */
    public readonly nameForServices: pulumi.Output<string>;
    /** The EC2 capacity provider's name, when the stack runs EC2 capacity. */
    public readonly ec2CapacityProviderName?: pulumi.Output<string>;
    /** The EC2 Spot capacity provider's name, when the stack runs EC2 Spot capacity (fleet:cluster.ec2.spot). */
    public readonly ec2SpotCapacityProviderName?: pulumi.Output<string>;
    /** The container instances' security group, when the stack runs EC2 capacity. */
    public readonly instanceSecurityGroupId?: pulumi.Output<string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:ecs:Cluster", name, {}, opts);
        const children = clusterLogicalNames(name);
        const settings = args.settings;

        const cluster = new aws.ecs.Cluster(
            name,
            {
                settings: [{ name: "containerInsights", value: settings.containerInsights }],
                // Logging DEFAULT: ECS Exec logs each session with the task definition's awslogs configuration, so to the
                // log group of the service it opened (OVERRIDE names one log group for the whole cluster). ECS API
                // ExecuteCommandConfiguration,
                // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html
                ...(args.executeCommandKeyArn
                    ? { configuration: { executeCommandConfiguration: { kmsKeyId: args.executeCommandKeyArn, logging: "DEFAULT" } } }
                    : {}),
                tags: { ...args.tags, ...args.policyTags },
            },
            { parent: this },
        );
        this.arn = cluster.arn;
        this.name = cluster.name;

        const providers: pulumi.Input<string>[] = ["FARGATE", "FARGATE_SPOT"];
        /** What must exist before a service's tasks can start on this cluster's capacity. */
        const readyForTasks: pulumi.Output<unknown>[] = [];
        if (settings.ec2) {
            const ec2 = settings.ec2;
            const instanceSg = new aws.ec2.SecurityGroup(
                children.instancesSecurityGroup,
                { vpcId: args.vpcId, description: "fleet container instances: task ports from the load balancer only", tags: args.tags },
                { parent: this },
            );
            new aws.vpc.SecurityGroupIngressRule(
                children.instancesFromLoadBalancer,
                {
                    securityGroupId: instanceSg.id,
                    referencedSecurityGroupId: args.loadBalancerSecurityGroupId,
                    ipProtocol: "tcp",
                    fromPort: dynamicPortRange.from,
                    toPort: dynamicPortRange.to,
                    description: "dynamic host ports of bridge-mode tasks, from the load balancer",
                },
                { parent: this },
            );
            new aws.vpc.SecurityGroupEgressRule(
                children.loadBalancerToInstances,
                {
                    securityGroupId: args.loadBalancerSecurityGroupId,
                    referencedSecurityGroupId: instanceSg.id,
                    ipProtocol: "tcp",
                    fromPort: dynamicPortRange.from,
                    toPort: dynamicPortRange.to,
                    description: "load balancer to bridge-mode tasks on the container instances",
                },
                { parent: this },
            );
            // Instances reach ECS, ECR, SSM and CloudWatch through the NAT gateway.
            new aws.vpc.SecurityGroupEgressRule(
                children.instancesEgress,
                {
                    securityGroupId: instanceSg.id,
                    cidrIpv4: "0.0.0.0/0",
                    ipProtocol: "-1",
                    description: "AWS APIs and the internet through NAT",
                },
                { parent: this },
            );
            this.instanceSecurityGroupId = instanceSg.id;

            const role = new aws.iam.Role(
                children.instanceRole,
                {
                    assumeRolePolicy: JSON.stringify({
                        Version: iamDocumentVersion,
                        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicyAttachment(
                children.instanceEcsPolicy,
                {
                    role: role.name,
                    policyArn: pulumi.interpolate`arn:${args.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role`,
                },
                { parent: this },
            );
            const cacheRepositories = [...new Set(args.cachePrefixes ?? [])].sort().map((prefix) => `${prefix}/*`);
            if (cacheRepositories.length > 0) {
                // On EC2 the instance role pulls: its first-pull permissions must exist before tasks start.
                const pullThrough = new aws.iam.RolePolicy(
                    children.instancePullThrough,
                    {
                        role: role.name,
                        policy: pulumi.jsonStringify({
                            Version: iamDocumentVersion,
                            Statement: pullThroughCacheStatements(cacheRepositories, args),
                        }),
                    },
                    { parent: this },
                );
                readyForTasks.push(pullThrough.id);
            }
            const profile = new aws.iam.InstanceProfile(children.instanceProfile, { role: role.name, tags: args.tags }, { parent: this });

            // The AMI id is read at deploy time from AWS's public parameter, so a newer ECS-optimised
            // AMI shows up in `pulumi preview` as a new launch-template version.
            const ami = aws.ssm.getParameterOutput({ name: ecsAmiParameter(ec2.architecture) }, { parent: this });
            // ECS_SELINUX_CAPABLE advertises what AL2023 has (SELinux, permissive) so that tasks with
            // dockerSecurityOptions (no-new-privileges) can be placed on these instances.
            const userData = pulumi.interpolate`#!/bin/bash
cat >> /etc/ecs/ecs.config <<'CONFIG'
ECS_CLUSTER=${cluster.name}
ECS_RESERVED_MEMORY=${ec2.reservedMemoryMiB}
ECS_ENABLE_SPOT_INSTANCE_DRAINING=true
ECS_CONTAINER_STOP_TIMEOUT=30s
ECS_AWSVPC_BLOCK_IMDS=true
ECS_SELINUX_CAPABLE=true
CONFIG
`;
            const launchTemplate = new aws.ec2.LaunchTemplate(
                children.instances,
                {
                    // `value` is always marked secret by pulumi-aws, which would hide AMI updates in
                    // preview; the public AMI id is not a secret, and `insecureValue` is not marked.
                    imageId: ami.insecureValue,
                    instanceType: ec2.instanceType,
                    iamInstanceProfile: { arn: profile.arn },
                    vpcSecurityGroupIds: [instanceSg.id],
                    userData: userData.apply((text) => Buffer.from(text).toString("base64")),
                    // IMDSv2 only; a hop limit of 1 keeps bridge-mode containers off the instance's credentials.
                    metadataOptions: {
                        httpEndpoint: "enabled",
                        httpTokens: "required",
                        httpPutResponseHopLimit: 1,
                        instanceMetadataTags: "disabled",
                    },
                    blockDeviceMappings: [
                        {
                            deviceName: "/dev/xvda",
                            ebs: { volumeSize: ec2.rootVolumeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                        },
                    ],
                    monitoring: { enabled: true },
                    tagSpecifications: [{ resourceType: "instance", tags: { ...args.tags, Name: children.instanceNameTag } }],
                    updateDefaultVersion: true,
                    tags: args.tags,
                },
                { parent: this },
            );
            const group = new aws.autoscaling.Group(
                children.instances,
                {
                    minSize: ec2.minSize,
                    maxSize: ec2.maxSize,
                    launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                    ...ecsManagedGroup(args),
                },
                // The capacity provider's managed scaling owns the desired capacity.
                { parent: this, ignoreChanges: ["desiredCapacity"] },
            );
            const provider = managedCapacityProvider(this, children.ec2CapacityProvider, group, ec2.targetCapacityPercent, args.tags);
            this.ec2CapacityProviderName = provider.name;
            providers.push(provider.name);
            if (ec2.spot) {
                this.ec2SpotCapacityProviderName = this.createSpotCapacity(name, ec2, launchTemplate, args);
                providers.push(this.ec2SpotCapacityProviderName);
            }
        }

        const association = new aws.ecs.ClusterCapacityProviders(
            name,
            {
                clusterName: cluster.name,
                capacityProviders: providers,
                defaultCapacityProviderStrategies: capacityProviderStrategy(defaultPlacement(settings), this),
            },
            { parent: this },
        );
        // An Output built from the association carries it as a dependency of every input it feeds.
        this.arnForServices = pulumi.all([cluster.arn, association.clusterName, ...readyForTasks]).apply(([arn]) => arn);
        this.nameForServices = association.clusterName;

        this.registerOutputs({
            arn: this.arn,
            name: this.name,
            arnForServices: this.arnForServices,
            ec2CapacityProviderName: this.ec2CapacityProviderName,
            ec2SpotCapacityProviderName: this.ec2SpotCapacityProviderName,
            instanceSecurityGroupId: this.instanceSecurityGroupId,
        });
    }

    /**
     * The Spot group and its capacity provider. A mixed instances policy over the on-demand group's
     * launch template (which requests no Spot itself: AWS refuses one that does in such a policy),
     * Spot alone (no on-demand base or share: the on-demand group holds the base, per service),
     * `price-capacity-optimized` (AWS's recommended Spot allocation: the pools least likely to be
     * interrupted, then the cheapest of them), and Capacity Rebalancing: an instance EC2 flags at
     * elevated risk is replaced before its interruption. Its terminations go through the group, so
     * the provider's managed draining moves the tasks first (ECS does not drain for Capacity
     * Rebalancing itself: "Configuring Amazon ECS Linux container instances to receive Spot Instance
     * notices"); a real interruption is drained by the agent (ECS_ENABLE_SPOT_INSTANCE_DRAINING in
     * the shared user data). Managed scaling and termination protection as the on-demand provider.
     */
    private createSpotCapacity(
        name: string,
        ec2: NonNullable<ClusterSettings["ec2"]>,
        launchTemplate: aws.ec2.LaunchTemplate,
        args: ClusterArgs,
    ): pulumi.Output<string> {
        const children = clusterLogicalNames(name);
        const spot = ec2.spot!;
        const group = new aws.autoscaling.Group(
            children.spotInstances,
            {
                minSize: spot.minSize,
                maxSize: spot.maxSize,
                mixedInstancesPolicy: {
                    launchTemplate: {
                        launchTemplateSpecification: {
                            launchTemplateId: launchTemplate.id,
                            version: launchTemplate.latestVersion.apply(String),
                        },
                        overrides: spot.launchTypes.map((instanceType) => ({ instanceType })),
                    },
                    instancesDistribution: {
                        onDemandBaseCapacity: 0,
                        onDemandPercentageAboveBaseCapacity: 0,
                        spotAllocationStrategy: "price-capacity-optimized",
                    },
                },
                capacityRebalance: true,
                ...ecsManagedGroup(args),
            },
            { parent: this, ignoreChanges: ["desiredCapacity"] },
        );
        return managedCapacityProvider(this, children.ec2SpotCapacityProvider, group, ec2.targetCapacityPercent, args.tags).name;
    }
}

/**
 * What both Auto Scaling groups share: the private subnets; scale-in protection, which managed
 * termination protection requires; an instance refresh that rolls a new AMI or instance type,
 * past that protection; and the tag ECS managed scaling looks for.
 */
function ecsManagedGroup(args: ClusterArgs) {
    return {
        vpcZoneIdentifiers: args.privateSubnetIds,
        protectFromScaleIn: true,
        healthCheckType: "EC2",
        instanceRefresh: {
            strategy: "Rolling",
            preferences: { minHealthyPercentage: 50, scaleInProtectedInstances: "Refresh", standbyInstances: "Terminate" },
        },
        tags: [
            { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
            ...Object.entries(args.tags ?? {}).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        ],
    };
}

/** A group's capacity provider: managed scaling to the stack's target, managed termination protection and draining. */
function managedCapacityProvider(
    parent: pulumi.Resource,
    name: string,
    group: aws.autoscaling.Group,
    targetCapacity: number,
    tags: ClusterArgs["tags"],
): aws.ecs.CapacityProvider {
    return new aws.ecs.CapacityProvider(
        name,
        {
            autoScalingGroupProvider: {
                autoScalingGroupArn: group.arn,
                managedTerminationProtection: "ENABLED",
                managedDraining: "ENABLED",
                managedScaling: {
                    status: "ENABLED",
                    targetCapacity,
                    minimumScalingStepSize: 1,
                    maximumScalingStepSize: 10,
                    instanceWarmupPeriod: 120,
                },
            },
            tags,
        },
        { parent },
    );
}

/** Where a task of the cluster's default strategy goes: `fleet:cluster.defaultCapacity`, as for a service. */
function defaultPlacement(settings: ClusterSettings): Placement {
    const capacity = settings.defaultCapacity;
    if (capacity === "ec2") return { kind: "ec2" };
    if (capacity === "ec2-spot") return { kind: "ec2", spot: { onDemandBase: settings.ec2?.spot?.onDemandBase ?? 0 } };
    return { kind: "fargate", spot: capacity === "fargate-spot" };
}

/**
 * Where tasks go, as a strategy reads it from a ResolvedCapacity (model/fleet.ts): a Fargate
 * provider, EC2, or EC2 Spot above an on-demand base.
 */
export type Placement =
    { readonly kind: "fargate"; readonly spot: boolean } | { readonly kind: "ec2"; readonly spot?: { readonly onDemandBase: number } };

/** The capacity providers a cluster offers to services' strategies (Cluster's names, or the test platform's). */
export interface CapacityProviderNames {
    readonly ec2CapacityProviderName?: pulumi.Input<string>;
    readonly ec2SpotCapacityProviderName?: pulumi.Input<string>;
}

/** One entry of a capacity provider strategy, as pulumi-aws takes it for services, schedules and the cluster's default. */
export interface StrategyItem {
    readonly capacityProvider: pulumi.Input<string>;
    readonly weight: number;
    readonly base?: number;
}

/**
 * The capacity provider strategy of a service (or a job's runs, `job: true`): one provider, or for
 * `ec2-spot` the on-demand EC2 provider with the service's base and a weight of 0, then the Spot
 * provider with a weight of 1. ECS places the base first, then weighs the rest ("The weight value is
 * taken into consideration after the base value, if defined, is satisfied"), so every task above the
 * base goes to Spot; one provider alone may have a base, and both are Auto Scaling group providers,
 * which one strategy may mix (never with FARGATE ones): ECS API CapacityProviderStrategyItem and
 * facts/aws.ts capacityProviderStrategy, which the mocks enforce. A base of 0 leaves Spot alone.
 * A job's run is one task started by RunTask, where a base would put every run on on-demand: it
 * runs on Spot alone, as a fargate-spot job does. Validation refuses EC2 capacity on a stack without
 * it (resolve.ts), so the providers asked for exist.
 */
export function capacityProviderStrategy(capacity: Placement, providers: CapacityProviderNames, job = false): StrategyItem[] {
    if (capacity.kind === "fargate")
        return [{ capacityProvider: fargateProviders[capacity.spot ? "fargate-spot" : "fargate"], weight: 1, base: 0 }];
    const provider = (name: pulumi.Input<string> | undefined, what: string) => {
        if (name === undefined) throw new Error(`${what} capacity requested on a cluster without it (validation should have caught this)`);
        return name;
    };
    const onDemand = provider(providers.ec2CapacityProviderName, "EC2");
    if (!capacity.spot) return [{ capacityProvider: onDemand, weight: 1, base: 0 }];
    const spot = { capacityProvider: provider(providers.ec2SpotCapacityProviderName, "EC2 Spot"), weight: 1 };
    const base = job ? 0 : capacity.spot.onDemandBase;
    return base > 0 ? [{ capacityProvider: onDemand, base, weight: 0 }, spot] : [{ ...spot, base: 0 }];
}
