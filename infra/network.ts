import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { networkLogicalNames } from "../model/naming";
import { NetworkSettings } from "../model/fleet";

export interface NetworkArgs {
    /** A VPC to create, or an existing one to use. */
    readonly settings: NetworkSettings;
    /** Tags for every resource. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * The VPC: public subnets for the load balancer, private subnets for tasks and instances. Created
 * with `awsx.ec2.Vpc` (a tested black box for subnets, routes and NAT), or taken as ids from the
 * stack file when the VPC already exists.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:network:Network", name, {}, opts);
        const settings = args.settings;
        if (settings.kind === "existing") {
            this.vpcId = pulumi.output(settings.vpcId);
            this.publicSubnetIds = pulumi.output([...settings.publicSubnetIds]);
            this.privateSubnetIds = pulumi.output([...settings.privateSubnetIds]);
        } else {
            const vpc = new awsx.ec2.Vpc(
                networkLogicalNames(name).vpc,
                {
                    cidrBlock: settings.cidrBlock,
                    numberOfAvailabilityZones: settings.availabilityZones,
                    natGateways: {
                        strategy:
                            settings.natGateways === "single" ? awsx.ec2.NatGatewayStrategy.Single : awsx.ec2.NatGatewayStrategy.OnePerAz,
                    },
                    subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
                    subnetSpecs: [
                        { type: awsx.ec2.SubnetType.Public, name: "public" },
                        { type: awsx.ec2.SubnetType.Private, name: "private" },
                    ],
                    enableDnsHostnames: true,
                    enableDnsSupport: true,
                    tags: args.tags,
                },
                { parent: this },
            );
            this.vpcId = vpc.vpcId;
            this.publicSubnetIds = vpc.publicSubnetIds;
            this.privateSubnetIds = vpc.privateSubnetIds;
        }
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }
}
