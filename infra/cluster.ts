import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Capacity } from "../model/catalog";
import { ecsAmiParameter } from "../model/instanceTypes";
import { clusterLogicalNames } from "../model/naming";
import { ClusterSettings, ResolvedCapacity } from "../model/fleet";
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
    /** Tags for the ECS cluster only: the stack's policy enforcement and platform waivers. @default {} */
    readonly policyTags?: Record<string, string>;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/** ECS's name for a capacity, in capacity provider strategies. */
const fargateProviders: Record<Exclude<Capacity, "ec2">, string> = { fargate: "FARGATE", "fargate-spot": "FARGATE_SPOT" };

/**
 * The ECS cluster with Container Insights, FARGATE and FARGATE_SPOT, and, when the stack asks for
 * it, an EC2 capacity provider: an Auto Scaling group of ECS-optimised instances (IMDSv2 only,
 * encrypted root volume) under managed scaling and managed termination protection.
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
    /** The container instances' security group, when the stack runs EC2 capacity. */
    public readonly instanceSecurityGroupId?: pulumi.Output<string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:ecs:Cluster", name, {}, opts);
        const children = clusterLogicalNames(name);
        const settings = args.settings;

        const cluster = new aws.ecs.Cluster(
            name,
            { settings: [{ name: "containerInsights", value: settings.containerInsights }], tags: { ...args.tags, ...args.policyTags } },
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
                    vpcZoneIdentifiers: args.privateSubnetIds,
                    launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                    // Managed termination protection requires scale-in protection on the group.
                    protectFromScaleIn: true,
                    healthCheckType: "EC2",
                    // A new AMI or instance type rolls the instances; their scale-in protection must not block it.
                    instanceRefresh: {
                        strategy: "Rolling",
                        preferences: { minHealthyPercentage: 50, scaleInProtectedInstances: "Refresh", standbyInstances: "Terminate" },
                    },
                    tags: [
                        { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
                        ...Object.entries(args.tags ?? {}).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
                    ],
                },
                // The capacity provider's managed scaling owns the desired capacity.
                { parent: this, ignoreChanges: ["desiredCapacity"] },
            );
            const provider = new aws.ecs.CapacityProvider(
                children.ec2CapacityProvider,
                {
                    autoScalingGroupProvider: {
                        autoScalingGroupArn: group.arn,
                        managedTerminationProtection: "ENABLED",
                        managedDraining: "ENABLED",
                        managedScaling: {
                            status: "ENABLED",
                            targetCapacity: ec2.targetCapacityPercent,
                            minimumScalingStepSize: 1,
                            maximumScalingStepSize: 10,
                            instanceWarmupPeriod: 120,
                        },
                    },
                    tags: args.tags,
                },
                { parent: this },
            );
            this.ec2CapacityProviderName = provider.name;
            providers.push(provider.name);
        }

        const defaultProvider =
            settings.defaultCapacity === "ec2" ? this.ec2CapacityProviderName! : pulumi.output(fargateProviders[settings.defaultCapacity]);
        const association = new aws.ecs.ClusterCapacityProviders(
            name,
            {
                clusterName: cluster.name,
                capacityProviders: providers,
                defaultCapacityProviderStrategies: [{ capacityProvider: defaultProvider, weight: 1, base: 0 }],
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
            instanceSecurityGroupId: this.instanceSecurityGroupId,
        });
    }
}

/**
 * ECS's name of the capacity provider a service's tasks run on. Validation refuses ec2 capacity on
 * a stack without `fleet:cluster.ec2` (resolve.ts), so the EC2 provider exists whenever it is asked for.
 */
export function capacityProviderFor(capacity: ResolvedCapacity, ec2ProviderName: pulumi.Input<string> | undefined): pulumi.Input<string> {
    switch (capacity.kind) {
        case "fargate":
            return fargateProviders[capacity.spot ? "fargate-spot" : "fargate"];
        case "ec2":
            if (ec2ProviderName === undefined)
                throw new Error("EC2 capacity requested on a cluster without it (validation should have caught this)");
            return ec2ProviderName;
    }
}
