/**
 * The task every catalog entry runs, service or job: its log group, image (and its own repository
 * when it builds), secrets (SSM parameters created or referenced, Secrets Manager secrets by
 * reference), execution role, access points to the stack's file systems, task role, task
 * definition and, in awsvpc (Fargate, and Service Connect on EC2), its security group. Steps of a component, created as its
 * children: Service keeps the task running behind an ECS service (service.ts), Job starts it on a
 * schedule (job.ts).
 */
import * as aws from "@pulumi/aws";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { kmsKeyArn } from "../model/access";
import { containerDefinition, SecretInput } from "../model/containerDefinition";
import { secretsManagerValueFrom } from "../model/secretsManager";
import { servicePhysicalNames, serviceLogicalNames, StackNames } from "../model/naming";
import { ResolvedService } from "../model/fleet";
import { EfsMount } from "../model/volumes";
import { ecrRegistryHostPattern, efs } from "../facts/aws";
import { FileSystemRefs } from "./fileSystems";
import { ecsTasksTrustDocument, executionRoleDocument, taskRoleDocument } from "./iamDocuments";
import { PlatformRefs } from "./platform";
import { secretParameter, serviceLogGroup, serviceRepository, StatefulSettings } from "./statefulResources";

/** What a catalog entry's component (Service or Job) is given. */
export interface TaskArgs {
    /** The resolved catalog entry (see resolve.ts): what to run, on which capacity, and how. */
    readonly spec: ResolvedService;
    /** The shared platform: cluster, network, load balancer, registry, secrets key, AWS context. */
    readonly platform: PlatformRefs;
    /** The stack's name prefixes (model/naming.ts): task family, repository, log group. */
    readonly names: StackNames;
    /** Images kept by the lifecycle policy of the service's repository. @default 20 */
    readonly keepImages?: number;
    /** Log retention in days. */
    readonly logRetentionDays: number;
    /** `protect` the stateful children: repository, parameters, log group. @default false */
    readonly protect?: boolean;
    /** Values of `fromConfig` secrets, by config key, as Pulumi secrets. @default {} */
    readonly configSecrets?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Policy waivers of this service, as tags on its task definition (where the policy pack reads them). @default {} */
    readonly policyTags?: Record<string, string>;
    /** @default {} */
    readonly tags?: Record<string, string>;
    /**
     * Environment values the program computes (an RDS instance's address), beside the catalog's
     * strings; names checked against the entry (model/programEnv.ts). @default {}
     */
    readonly environment?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** What a catalog entry's component exposes of its task. */
export interface TaskOutputs {
    readonly taskDefinitionArn: pulumi.Output<string>;
    /** The image the task runs. */
    readonly image: pulumi.Output<string>;
    /** The entry's own repository, when it builds its image. */
    readonly repositoryUrl?: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    /** The tasks' own security group (awsvpc); bridge tasks on EC2 share the instances' group. */
    readonly securityGroupId?: pulumi.Output<string>;
}

/** A file system the task mounts, through the entry's own access point. */
export interface Mount {
    readonly fileSystem: FileSystemRefs;
    readonly accessPoint: aws.efs.AccessPoint;
}

/** The task's resources, created as children of `parent` in the constructor. */
export class Task {
    public readonly logGroup: aws.cloudwatch.LogGroup;
    /** The image reference the task runs. */
    public readonly image: pulumi.Output<string>;
    /** The entry's own repository, when it builds its image. */
    public readonly repository?: aws.ecr.Repository;
    public readonly executionRole: aws.iam.Role;
    public readonly taskRole: aws.iam.Role;
    public readonly taskDefinition: aws.ecs.TaskDefinition;
    /** The tasks' own security group (awsvpc); bridge tasks on EC2 share the instances' group. */
    public readonly securityGroup?: aws.ec2.SecurityGroup;
    /**
     * The roles' inline policies: IAM is eventually consistent, so what starts a task waits for
     * them, or a fast task could start before its execution role may read its secrets.
     */
    public readonly rolePolicies: aws.iam.RolePolicy[] = [];
    /** The file systems it mounts, by name: a service waits for their mount targets. */
    public readonly mounts: ReadonlyMap<string, Mount>;

    private readonly spec: ResolvedService;
    private readonly platform: PlatformRefs;
    private readonly children: ReturnType<typeof serviceLogicalNames>;
    private readonly stateful: StatefulSettings;

    constructor(
        private readonly parent: pulumi.Resource,
        private readonly args: TaskArgs,
    ) {
        const name = args.spec.name;
        this.spec = args.spec;
        this.platform = args.platform;
        this.children = serviceLogicalNames(name);
        const { names, keepImages, logRetentionDays, protect, tags } = args;
        this.stateful = { names, keepImages, logRetentionDays, protect, secretsKeyArn: args.platform.secretsKeyArn, tags };

        this.logGroup = serviceLogGroup(parent, name, this.stateful);
        const { image, repository } = this.createImage();
        this.image = image;
        this.repository = repository;
        const secrets = this.createSecrets();
        this.executionRole = this.createExecutionRole(this.logGroup, repository, secrets);
        this.mounts = this.createAccessPoints();
        this.taskRole = this.createTaskRole(this.mounts);
        this.taskDefinition = this.createTaskDefinition(image, this.logGroup, secrets, this.executionRole, this.taskRole, this.mounts);
        this.securityGroup = this.spec.networkMode === "awsvpc" ? this.createSecurityGroup() : undefined;
        if (this.securityGroup) this.createNfsRules(this.securityGroup, this.mounts);
    }

    /** What a Service and a Job both expose of their task. */
    get outputs(): TaskOutputs {
        return {
            taskDefinitionArn: this.taskDefinition.arn,
            image: this.image,
            repositoryUrl: this.repository?.repositoryUrl,
            logGroupName: this.logGroup.name,
            securityGroupId: this.securityGroup?.id,
        };
    }

    /** The mount targets of the file systems it mounts: its first tasks mount only once these exist. */
    get mountTargets(): pulumi.Resource[] {
        return [...this.mounts.values()].flatMap((mount) => mount.fileSystem.mountTargets);
    }

    /** The image reference the task runs, and the service's own repository when it builds. */
    private createImage(): { image: pulumi.Output<string>; repository?: aws.ecr.Repository } {
        const image = this.spec.image;
        const registryUrl = this.platform.registry.url;
        switch (image.kind) {
            case "build": {
                const repository = serviceRepository(this.parent, this.spec.name, this.stateful);
                const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: this.parent });
                const built = new dockerbuild.Image(
                    this.children.image,
                    {
                        // A content tag (contentTag.ts): a commit that leaves the build's inputs alone
                        // leaves this resource, the task definition and the running tasks alone.
                        tags: [pulumi.interpolate`${repository.repositoryUrl}:${image.tag}`],
                        push: true,
                        // `pulumi preview` reviews pull requests with read-only credentials: it never runs their Dockerfiles.
                        buildOnPreview: false,
                        context: { location: image.context },
                        dockerfile: { location: `${image.context}/${image.dockerfile}` },
                        buildArgs: { ...image.args },
                        platforms: [image.platform],
                        labels: { "org.opencontainers.image.revision": image.revision },
                        registries: [{ address: registryUrl, username: token.userName, password: pulumi.secret(token.password) }],
                    },
                    { parent: this.parent },
                );
                // The digest, not the tag: a task definition pinned to content, so a rollback is exact.
                return { image: pulumi.interpolate`${repository.repositoryUrl}@${built.digest}`, repository };
            }
            case "cached":
                return { image: pulumi.interpolate`${registryUrl}/${image.path}` };
            case "ecr":
            case "direct":
            case "private":
                return { image: pulumi.output(image.reference) };
        }
    }

    /**
     * SSM SecureString parameters for config and generated secrets, and every parameter or Secrets
     * Manager secret the task reads with its current version. ECS reads secrets only when a task
     * starts, so the versions go into the task definition: a changed value gives exactly its
     * readers a new revision and a rollout (in a real preview the new version is unknown, so the
     * change shows there too).
     */
    private createSecrets(): Map<string, SecretInput<pulumi.Input<string>>> {
        const references = new Map<string, SecretInput<pulumi.Input<string>>>();
        const secretVersions = new Map<string, pulumi.Output<string>>();
        for (const secret of this.spec.secrets) {
            if (secret.source === "secretsManager") {
                const arn = secret.secretArn;
                if (!secretVersions.has(arn)) secretVersions.set(arn, this.currentSecretVersion(arn));
                references.set(secret.name, { arn: secretsManagerValueFrom(secret), version: secretVersions.get(arn)! });
                continue;
            }
            if (secret.source === "existing") {
                // Read without decryption: only the version is used, never the value.
                const current = aws.ssm.getParameterOutput({ name: secret.parameter, withDecryption: false }, { parent: this.parent });
                references.set(secret.name, { arn: this.existingParameterArn(secret.parameter), version: current.version.apply(String) });
                continue;
            }
            let value: pulumi.Input<string>;
            if (secret.source === "generate") {
                // Generated once and kept in state: later updates reuse it.
                value = new random.RandomPassword(
                    this.children.secret(secret.name),
                    { length: secret.length, special: false },
                    { parent: this.parent },
                ).result;
            } else {
                const configured = this.args.configSecrets?.[secret.configKey];
                if (configured === undefined)
                    throw new Error(`service "${this.spec.name}": no value was passed for config secret ${secret.configKey}`);
                value = pulumi.secret(configured);
            }
            const parameter = secretParameter(this.parent, this.spec.name, secret, value, this.stateful);
            references.set(secret.name, { arn: parameter.arn, version: parameter.version.apply(String) });
        }
        return references;
    }

    /**
     * The id of a Secrets Manager secret's current version (AWSCURRENT), read from its version list
     * (ListSecretVersionIds: ids and labels, never a value; GetSecretValue is never called here).
     * A rotation makes a new current version, so the tasks roll at the next deploy.
     */
    private currentSecretVersion(secretArn: string): pulumi.Output<string> {
        return aws.secretsmanager.getSecretVersionsOutput({ secretId: secretArn }, { parent: this.parent }).versions.apply((versions) => {
            const current = versions.find((version) => version.versionStages.includes("AWSCURRENT"));
            if (!current) throw new Error(`service "${this.spec.name}": secret ${secretArn} has no version labelled AWSCURRENT`);
            return current.versionId;
        });
    }

    private existingParameterArn(parameter: string): pulumi.Input<string> {
        if (parameter.startsWith("arn:")) return parameter;
        const ctx = this.platform.aws;
        // A parameter ARN has exactly one slash after "parameter", whether the name starts with one or not.
        return pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:parameter/${parameter.replace(/^\//, "")}`;
    }

    private createExecutionRole(
        logGroup: aws.cloudwatch.LogGroup,
        repository: aws.ecr.Repository | undefined,
        secrets: Map<string, SecretInput<pulumi.Input<string>>>,
    ): aws.iam.Role {
        const ctx = this.platform.aws;
        const role = new aws.iam.Role(
            this.children.executionRole,
            {
                assumeRolePolicy: pulumi.jsonStringify(ecsTasksTrustDocument(ctx, "execution")),
                description: `fleet: ECS agent for ${this.spec.name}`,
                tags: this.args.tags,
            },
            { parent: this.parent },
        );
        const image = this.spec.image;
        const repositoryArns: pulumi.Input<string>[] = [];
        if (repository) repositoryArns.push(repository.arn);
        if (image.kind === "ecr") repositoryArns.push(ecrRepositoryArn(image.reference));
        const secretSources = this.spec.secrets;
        const createdSecrets = secretSources.some((s) => s.source === "config" || s.source === "generate");
        const keyArn = (key: string) =>
            pulumi
                .all([ctx.partition, ctx.region, ctx.accountId])
                .apply(([partition, region, accountId]) => kmsKeyArn(key, { partition, region, accountId }));
        const secretsManager = secretSources.flatMap((s) => (s.source === "secretsManager" ? [s] : []));
        this.rolePolicies.push(
            new aws.iam.RolePolicy(
                this.children.executionRole,
                {
                    role: role.name,
                    policy: pulumi.jsonStringify(
                        executionRoleDocument(
                            {
                                logGroupArn: logGroup.arn,
                                repositoryArns,
                                cacheRepositories: image.kind === "cached" ? [image.repository] : [],
                                parameterArns: secretSources
                                    .filter((s) => s.source !== "secretsManager")
                                    .map((s) => secrets.get(s.name)!.arn),
                                secretsKeyArn: createdSecrets ? this.platform.secretsKeyArn : undefined,
                                referencedKeyArns: [
                                    ...new Set(secretSources.flatMap((s) => (s.source === "existing" && s.kmsKey ? [s.kmsKey] : []))),
                                ].map(keyArn),
                                secretArns: [...new Set(secretsManager.map((s) => s.secretArn))],
                                secretKeyArns: [...new Set(secretsManager.flatMap((s) => (s.kmsKey ? [s.kmsKey] : [])))].map(keyArn),
                                registryCredentialsArn: image.kind === "private" ? image.credentials : undefined,
                            },
                            ctx,
                        ),
                    ),
                },
                { parent: this.parent },
            ),
        );
        return role;
    }

    /**
     * An access point per file system the service mounts: every file operation as the service's
     * numeric user, confined to its own directory `/<service>`, which EFS creates on first mount
     * owned by that user, 0750 (EFS API CreationInfo).
     */
    private createAccessPoints(): Map<string, Mount> {
        const mounts = new Map<string, Mount>();
        for (const volume of this.spec.volumes ?? []) {
            if (volume.kind !== "efs") continue;
            const fileSystem = this.platform.fileSystems?.[volume.fileSystem];
            if (!fileSystem)
                throw new Error(`service "${this.spec.name}" mounts file system "${volume.fileSystem}", which the platform lacks`);
            const accessPoint = new aws.efs.AccessPoint(
                this.children.accessPoint(volume.fileSystem),
                {
                    fileSystemId: fileSystem.id,
                    posixUser: { uid: volume.uid, gid: volume.gid },
                    rootDirectory: {
                        path: servicePhysicalNames.accessPointRoot(this.spec.name),
                        creationInfo: { ownerUid: volume.uid, ownerGid: volume.gid, permissions: efs.rootDirectoryPermissions },
                    },
                    tags: {
                        ...this.args.tags,
                        Name: servicePhysicalNames.accessPointNameTag(this.args.names, this.spec.name, volume.fileSystem),
                    },
                },
                { parent: this.parent },
            );
            mounts.set(volume.fileSystem, { fileSystem, accessPoint });
        }
        return mounts;
    }

    /** The role the application assumes: exactly the `access` the service declares and its mounts, nothing without them. */
    private createTaskRole(mounts: ReadonlyMap<string, Mount>): aws.iam.Role {
        const role = new aws.iam.Role(
            this.children.taskRole,
            {
                assumeRolePolicy: pulumi.jsonStringify(ecsTasksTrustDocument(this.platform.aws, "task")),
                description: `fleet: application role of ${this.spec.name}`,
                tags: this.args.tags,
            },
            { parent: this.parent },
        );
        if (this.spec.grants.length > 0 || mounts.size > 0) {
            const efsMounts: EfsMount<pulumi.Input<string>>[] = [...mounts.values()].map((mount) => ({
                fileSystemArn: mount.fileSystem.arn,
                accessPointArn: mount.accessPoint.arn,
            }));
            this.rolePolicies.push(
                new aws.iam.RolePolicy(
                    this.children.taskRole,
                    { role: role.name, policy: taskRoleDocument(this.spec.grants, this.platform.aws, efsMounts) },
                    { parent: this.parent },
                ),
            );
        }
        return role;
    }

    private createTaskDefinition(
        image: pulumi.Output<string>,
        logGroup: aws.cloudwatch.LogGroup,
        secrets: Map<string, SecretInput<pulumi.Input<string>>>,
        executionRole: aws.iam.Role,
        taskRole: aws.iam.Role,
        mounts: ReadonlyMap<string, Mount>,
    ): aws.ecs.TaskDefinition {
        const fargate = this.spec.capacity.kind === "fargate" ? this.spec.capacity : undefined;
        // A task size on EC2 only where AWS requires one (Service Connect): without it placement
        // reserves the container's soft reservation, which is what bin-packing is for.
        const size = fargate ? fargate.size : this.spec.capacity.kind === "ec2" ? this.spec.capacity.task : undefined;
        const container = containerDefinition<pulumi.Input<string>>(this.spec, {
            image,
            logGroupName: logGroup.name,
            region: this.platform.aws.region,
            secrets,
            environment: new Map(Object.entries(this.args.environment ?? {})),
        });
        return new aws.ecs.TaskDefinition(
            this.children.taskDefinition,
            {
                family: servicePhysicalNames.taskFamily(this.args.names, this.spec.name),
                networkMode: this.spec.networkMode,
                requiresCompatibilities: [fargate ? "FARGATE" : "EC2"],
                cpu: size ? String(size.cpu) : undefined,
                memory: size ? String(size.memory) : undefined,
                runtimePlatform: fargate ? { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" } : undefined,
                executionRoleArn: executionRole.arn,
                taskRoleArn: taskRole.arn,
                containerDefinitions: pulumi.jsonStringify([container]),
                volumes: this.taskVolumes(mounts),
                tags: { ...this.args.tags, ...this.args.policyTags },
            },
            { parent: this.parent },
        );
    }

    /**
     * The task definition's volumes; none without `volumes`. A scratch volume has no host path: a
     * bind mount that lives as long as the task (ECS guide, "Bind mounts"). A file system is mounted
     * with TLS and the task role (IAM authorisation), through the service's access point, which
     * sets the root directory itself (ECS API EFSAuthorizationConfig: rootDirectory omitted).
     */
    private taskVolumes(mounts: ReadonlyMap<string, Mount>): aws.types.input.ecs.TaskDefinitionVolume[] | undefined {
        const volumes = this.spec.volumes ?? [];
        if (volumes.length === 0) return undefined;
        return volumes.map((volume) => {
            if (volume.kind === "scratch") return { name: volume.volumeName };
            const mount = mounts.get(volume.fileSystem)!;
            return {
                name: volume.volumeName,
                efsVolumeConfiguration: {
                    fileSystemId: mount.fileSystem.id,
                    transitEncryption: "ENABLED",
                    authorizationConfig: { accessPointId: mount.accessPoint.id, iam: "ENABLED" },
                },
            };
        });
    }

    /**
     * An awsvpc task reaches a file system's mount targets from its own group (on EC2 too: the ECS
     * agent mounts in the task's network namespace, aws/amazon-ecs-agent#2372): one NFS rule per
     * file system, on the file system's group.
     */
    private createNfsRules(securityGroup: aws.ec2.SecurityGroup, mounts: ReadonlyMap<string, Mount>): void {
        for (const [fileSystem, mount] of mounts) {
            new aws.vpc.SecurityGroupIngressRule(
                this.children.nfsTo(fileSystem),
                {
                    securityGroupId: mount.fileSystem.securityGroupId,
                    referencedSecurityGroupId: securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: efs.nfsPort,
                    toPort: efs.nfsPort,
                    description: `NFS from ${this.spec.name} to file system ${fileSystem}`,
                },
                { parent: this.parent },
            );
        }
    }

    /** awsvpc tasks get their own group: the container port from the load balancer's group, nothing else. */
    private createSecurityGroup(): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            this.children.securityGroup,
            { vpcId: this.platform.network.vpcId, description: `fleet: tasks of ${this.spec.name}`, tags: this.args.tags },
            { parent: this.parent },
        );
        if (this.spec.port !== undefined && this.spec.rules.length > 0) {
            new aws.vpc.SecurityGroupIngressRule(
                this.children.ingressFromLoadBalancer,
                {
                    securityGroupId: sg.id,
                    referencedSecurityGroupId: this.platform.loadBalancer.securityGroupId,
                    ipProtocol: "tcp",
                    fromPort: this.spec.port,
                    toPort: this.spec.port,
                    description: "container port from the load balancer",
                },
                { parent: this.parent },
            );
        }
        // Tasks reach ECR, SSM, CloudWatch and their own dependencies through the NAT gateway.
        new aws.vpc.SecurityGroupEgressRule(
            this.children.egress,
            { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", description: "AWS APIs and dependencies through NAT" },
            { parent: this.parent },
        );
        return sg;
    }
}

/** `arn:aws:ecr:<region>:<account>:repository/<name>` of a full ECR image URI. */
export function ecrRepositoryArn(reference: string): string {
    const slash = reference.indexOf("/");
    const host = ecrRegistryHostPattern.exec(reference.slice(0, slash));
    const repository = /^[^:@]+/.exec(reference.slice(slash + 1));
    if (slash < 0 || !host || !repository) throw new Error(`not an ECR image URI: ${reference}`);
    const partition = host[3] ? "aws-cn" : "aws";
    return `arn:${partition}:ecr:${host[2]}:${host[1]}:repository/${repository[0]}`;
}
