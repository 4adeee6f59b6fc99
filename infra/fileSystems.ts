import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fileSystemLogicalNames, platformPhysicalNames, StackNames } from "../model/naming";
import { ResolvedFileSystem } from "../model/fleet";
import { fileSystemPolicyDocument } from "../model/volumes";
import { efs } from "../facts/aws";
import { AwsContext } from "./iamDocuments";

export interface FileSystemArgs {
    /** The resolved file system: its name, who mounts it, whether it is protected. */
    readonly fileSystem: ResolvedFileSystem;
    /** The stack's name prefixes (model/naming.ts): the file system's Name tag. */
    readonly names: StackNames;
    readonly vpcId: pulumi.Input<string>;
    /** The stack's private subnets: one mount target in each. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** How many private subnets there are, known from the stack settings (model/volumes.ts privateSubnetCount). */
    readonly subnetCount: number;
    /** The stack's KMS key, which encrypts the file system's data at rest. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The container instances' group, admitted on NFS when an EC2 (bridge) service mounts the file system. @default none */
    readonly instancesSecurityGroupId?: pulumi.Input<string>;
    readonly aws: AwsContext;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/** What a service mounting a file system uses of it. */
export interface FileSystemRefs {
    readonly id: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    /** The mount targets' group: each mounting Fargate service's group is admitted to it on NFS. */
    readonly securityGroupId: pulumi.Input<string>;
    /** A service's first tasks mount only once these exist. */
    readonly mountTargets: readonly pulumi.Resource[];
}

/**
 * One of the stack's EFS file systems: encrypted at rest with the stack's key, elastic throughput,
 * a mount target in every private subnet behind a security group of its own (NFS from the
 * mounting services' groups only: each Fargate service adds its own rule, infra/service.ts; EC2
 * tasks mount through their instance, admitted once here), and a policy that refuses access
 * without TLS and allows mounting only through a mount target, never as root. `protect`ed where
 * the stack protects: its files live nowhere else.
 */
export class FileSystem extends pulumi.ComponentResource implements FileSystemRefs {
    public readonly id: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly mountTargets: readonly aws.efs.MountTarget[];

    constructor(name: string, args: FileSystemArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:efs:FileSystem", name, {}, opts);
        const children = fileSystemLogicalNames(name);
        const fileSystem = args.fileSystem;

        const fs = new aws.efs.FileSystem(
            children.fileSystem,
            {
                // EFS needs `encrypted` for a kmsKeyId (CreateFileSystem); without a key it would use aws/elasticfilesystem.
                encrypted: true,
                kmsKeyId: args.kmsKeyArn,
                performanceMode: "generalPurpose",
                // Billed per GB transferred; AWS's recommendation for most workloads (EFS guide, "Throughput modes").
                throughputMode: "elastic",
                tags: { ...args.tags, Name: platformPhysicalNames.fileSystemNameTag(args.names, fileSystem.name) },
            },
            { parent: this, protect: fileSystem.protect },
        );
        const sg = new aws.ec2.SecurityGroup(
            children.securityGroup,
            { vpcId: args.vpcId, description: `fleet: NFS mount targets of file system ${fileSystem.name}`, tags: args.tags },
            { parent: this },
        );
        const subnets = pulumi.output(args.privateSubnetIds);
        this.mountTargets = Array.from(
            { length: args.subnetCount },
            (_, index) =>
                new aws.efs.MountTarget(
                    children.mountTarget(index),
                    { fileSystemId: fs.id, subnetId: subnets.apply((ids) => ids[index]), securityGroups: [sg.id] },
                    { parent: this },
                ),
        );
        new aws.efs.FileSystemPolicy(
            children.policy,
            {
                fileSystemId: fs.id,
                policy: pulumi.jsonStringify(
                    fileSystemPolicyDocument(fs.arn, pulumi.interpolate`arn:${args.aws.partition}:iam::${args.aws.accountId}:root`),
                ),
            },
            { parent: this },
        );
        if (fileSystem.instances) {
            if (args.instancesSecurityGroupId === undefined)
                throw new Error(`file system "${fileSystem.name}" is mounted by an EC2 service but the stack has no container instances`);
            // One rule for every EC2 service: the same two groups twice would be a duplicate, which AWS refuses.
            new aws.vpc.SecurityGroupIngressRule(
                children.fromInstances,
                {
                    securityGroupId: sg.id,
                    referencedSecurityGroupId: args.instancesSecurityGroupId,
                    ipProtocol: "tcp",
                    fromPort: efs.nfsPort,
                    toPort: efs.nfsPort,
                    description: "NFS from the container instances (tasks on EC2 capacity)",
                },
                { parent: this },
            );
        }

        this.id = fs.id;
        this.arn = fs.arn;
        this.securityGroupId = sg.id;
        this.registerOutputs({ id: this.id, arn: this.arn, securityGroupId: this.securityGroupId });
    }
}
