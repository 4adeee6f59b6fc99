import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "./cluster";
import { Dns } from "./dns";
import { FileSystem, FileSystemRefs } from "./fileSystems";
import { LoadBalancer } from "./loadBalancer";
import { UpstreamRegistryKey } from "../model/images";
import { fileSystemComponentName, platformLogicalNames, platformPhysicalNames, stackNames } from "../model/naming";
import { ResolvedFleet } from "../model/fleet";
import { privateSubnetCount } from "../model/volumes";
import { Network } from "./network";
import { AwsContext } from "./iamDocuments";
import { Registry } from "./registry";

export interface PlatformArgs {
    /** The resolved fleet: stack settings, and the services (for the capacity they need). */
    readonly fleet: ResolvedFleet;
    /** Policy enforcement and platform waivers, tagged on the ECS cluster for the policy pack. @default {} */
    readonly policyTags?: Record<string, string>;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/** What a service uses of the platform, in one argument (deploy.ts builds it once from the Platform). */
export interface PlatformRefs {
    /** Account, region and partition, for ARNs and IAM documents. */
    readonly aws: AwsContext;
    readonly cluster: {
        /**
         * The cluster, as an Output that depends on its capacity-provider association (Cluster's
         * `arnForServices`): a service must be created after the providers it names are associated.
         */
        readonly arn: pulumi.Input<string>;
        /** The cluster's name, with the same ordering (Cluster's `nameForServices`). */
        readonly name: pulumi.Input<string>;
        /** The cluster's EC2 capacity provider, when the stack runs EC2 capacity. @default none */
        readonly ec2CapacityProviderName?: pulumi.Input<string>;
    };
    readonly network: {
        readonly vpcId: pulumi.Input<string>;
        /** Private subnets for awsvpc (Fargate) tasks. */
        readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    };
    /** The shared load balancer; a service joins it only when it has routes and a port. */
    readonly loadBalancer: {
        readonly securityGroupId: pulumi.Input<string>;
        /** Group every load-balanced awsvpc task joins, the ALB's only egress destination. */
        readonly targetsSecurityGroupId: pulumi.Input<string>;
        readonly listenerArn: pulumi.Input<string>;
        readonly arnSuffix: pulumi.Input<string>;
    };
    readonly registry: {
        /** The registry URL of this account (`<account>.dkr.ecr.<region>.amazonaws.com`), for cached images. */
        readonly url: pulumi.Input<string>;
        /**
         * Per upstream: its cache rule, creation template and template role, so a cached image's
         * first pull happens after they exist. @default {}
         */
        readonly cacheDependencies?: Readonly<Partial<Record<UpstreamRegistryKey, readonly pulumi.Resource[]>>>;
    };
    /** KMS key encrypting the SSM parameters fleet creates. */
    readonly secretsKeyArn: pulumi.Input<string>;
    /** The Cloud Map namespace of Service Connect, when a service of the stack calls another. @default none */
    readonly serviceConnectNamespaceArn?: pulumi.Input<string>;
    /** The stack's EFS file systems, by name, for the services that mount them. @default {} */
    readonly fileSystems?: Readonly<Record<string, FileSystemRefs>>;
}

/**
 * What every service shares: the network, the one load balancer, the cluster and its capacity,
 * the pull-through cache, and the KMS key that encrypts the fleet's SSM parameters.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly network: Network;
    public readonly loadBalancer: LoadBalancer;
    public readonly cluster: Cluster;
    public readonly registry: Registry;
    public readonly secretsKeyArn: pulumi.Output<string>;
    public readonly aws: AwsContext;
    /** `<account>.dkr.ecr.<region>.amazonaws.com`. */
    public readonly registryUrl: pulumi.Output<string>;
    /** Service Connect's namespace: always there, so a first or last call never creates or deletes it. */
    public readonly serviceConnectNamespaceArn?: pulumi.Output<string>;
    /** `fleet:dns`: the zone, the certificate and the records; absent without it. */
    public readonly dns?: Dns;
    /** The stack's EFS file systems (services' `volumes`, `fleet:retired` fileSystems), by name. */
    public readonly fileSystems: Readonly<Record<string, FileSystem>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:platform:Platform", name, {}, opts);
        const fleet = args.fleet;
        const tags = args.tags;
        const children = platformLogicalNames(name);

        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        this.aws = { accountId: identity.accountId, region: region.region, partition: partition.partition };
        this.registryUrl = pulumi.interpolate`${identity.accountId}.dkr.ecr.${region.region}.${partition.dnsSuffix}`;

        this.network = new Network(children.network, { settings: fleet.network, tags }, { parent: this });
        if (fleet.resolvedDns) this.dns = new Dns(children.dns, { dns: fleet.resolvedDns, tags }, { parent: this });
        this.loadBalancer = new LoadBalancer(
            children.loadBalancer,
            {
                vpcId: this.network.vpcId,
                publicSubnetIds: this.network.publicSubnetIds,
                settings: fleet.loadBalancer,
                certificateArn: this.dns?.certificateArn,
                protect: fleet.protect,
                tags,
            },
            { parent: this },
        );
        this.dns?.pointAt(this.loadBalancer);
        this.cluster = new Cluster(
            children.cluster,
            {
                settings: fleet.cluster,
                vpcId: this.network.vpcId,
                privateSubnetIds: this.network.privateSubnetIds,
                loadBalancerSecurityGroupId: this.loadBalancer.securityGroupId,
                cachePrefixes: fleet.registry.pullThroughCache.map((cache) => cache.prefix),
                ...this.aws,
                policyTags: args.policyTags,
                tags,
            },
            { parent: this },
        );
        this.registry = new Registry(children.registry, { settings: fleet.registry, aws: this.aws, tags }, { parent: this });

        const key = new aws.kms.Key(
            children.secretsKey,
            {
                description: `fleet ${fleet.stack}: encrypts the services' SSM parameters`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags,
            },
            { parent: this, protect: fleet.protect },
        );
        // A fixed name: a replacement must delete the old alias first, or creating the new one fails.
        new aws.kms.Alias(
            children.secretsKeyAlias,
            { name: platformPhysicalNames.secretsKeyAlias(stackNames(fleet.project, fleet.stack)), targetKeyId: key.keyId },
            { parent: this, deleteBeforeReplace: true },
        );
        this.secretsKeyArn = key.arn;

        const names = stackNames(fleet.project, fleet.stack);
        this.fileSystems = Object.fromEntries(
            fleet.fileSystems.map((fileSystem) => [
                fileSystem.name,
                new FileSystem(
                    fileSystemComponentName(name, fileSystem.name),
                    {
                        fileSystem,
                        names,
                        vpcId: this.network.vpcId,
                        privateSubnetIds: this.network.privateSubnetIds,
                        subnetCount: privateSubnetCount(fleet.network),
                        kmsKeyArn: key.arn,
                        instancesSecurityGroupId: this.cluster.instanceSecurityGroupId,
                        aws: this.aws,
                        tags,
                    },
                    { parent: this },
                ),
            ]),
        );

        // One HTTP namespace per stack, for Service Connect (clients resolve through their agent, so
        // no DNS namespace). Always there, even before a first call: deleting it when the last call
        // goes would fail while Cloud Map services ECS made remain in it, and re-creating it under
        // its fixed name would collide. Cloud Map does not charge for a namespace. Its name is fixed
        // and its description forces a replacement: a replacement deletes first, and a change of
        // wording never replaces it.
        this.serviceConnectNamespaceArn = new aws.servicediscovery.HttpNamespace(
            children.serviceConnectNamespace,
            {
                name: platformPhysicalNames.serviceConnectNamespace(names),
                description: `fleet ${fleet.stack}: Service Connect between the services`,
                tags,
            },
            { parent: this, deleteBeforeReplace: true, ignoreChanges: ["description"] },
        ).arn;

        this.registerOutputs({ secretsKeyArn: this.secretsKeyArn, registryUrl: this.registryUrl });
    }
}
