import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "./cluster";
import { LoadBalancer } from "./loadBalancer";
import { ResolvedFleet } from "../model/resolved";
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

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:platform:Platform", name, {}, opts);
        const fleet = args.fleet;
        const tags = args.tags;

        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        this.aws = { accountId: identity.accountId, region: region.region, partition: partition.partition };
        this.registryUrl = pulumi.interpolate`${identity.accountId}.dkr.ecr.${region.region}.${partition.dnsSuffix}`;

        this.network = new Network(name, { settings: fleet.network, tags }, { parent: this });
        this.loadBalancer = new LoadBalancer(
            `${name}-alb`,
            {
                vpcId: this.network.vpcId,
                publicSubnetIds: this.network.publicSubnetIds,
                settings: fleet.loadBalancer,
                protect: fleet.protect,
                tags,
            },
            { parent: this },
        );
        const ec2CacheRepositories = fleet.services.flatMap((s) => (s.capacity === "ec2" && s.image.kind === "cached" ? [s.image.repository] : []));
        this.cluster = new Cluster(
            name,
            {
                settings: fleet.cluster,
                vpcId: this.network.vpcId,
                privateSubnetIds: this.network.privateSubnetIds,
                loadBalancerSecurityGroupId: this.loadBalancer.securityGroupId,
                cacheRepositories: ec2CacheRepositories,
                ...this.aws,
                policyTags: args.policyTags,
                tags,
            },
            { parent: this },
        );
        this.registry = new Registry(name, { settings: fleet.registry, aws: this.aws, tags }, { parent: this });

        const key = new aws.kms.Key(
            `${name}-secrets`,
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
            `${name}-secrets`,
            { name: `alias/${fleet.project}-${fleet.stack}-secrets`, targetKeyId: key.keyId },
            { parent: this, deleteBeforeReplace: true },
        );
        this.secretsKeyArn = key.arn;

        this.registerOutputs({ secretsKeyArn: this.secretsKeyArn, registryUrl: this.registryUrl });
    }
}
