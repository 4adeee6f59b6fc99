import * as aws from "@pulumi/aws";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { kmsKeyArn } from "../model/access";
import { Protocol } from "../model/catalog";
import { containerDefinition, SecretInput } from "../model/containerDefinition";
import { secretsManagerValueFrom } from "../model/secretsManager";
import { servicePhysicalNames, serviceLogicalNames, StackNames } from "../model/naming";
import { ResolvedService } from "../model/fleet";
import { EfsMount } from "../model/volumes";
import { ecrRegistryHostPattern, efs } from "../facts/aws";
import { recreateDeployment, rollingDeployment } from "../facts/fleet";
import { FileSystemRefs } from "./fileSystems";
import { capacityProviderFor } from "./cluster";
import { createJobSchedule } from "./job";
import { ecsTasksTrustDocument, executionRoleDocument, taskRoleDocument } from "./iamDocuments";
import { serviceConnectConfiguration } from "./serviceConnect";
import { PlatformRefs } from "./platform";
import { queueBacklogMetric, scheduledScalingActions } from "./scaling";
import { sqsQueueName } from "../model/awsNames";
import { secretParameter, serviceLogGroup, serviceRepository, StatefulSettings } from "./statefulResources";

export interface ServiceArgs {
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
}

/** A file system the service mounts, through its own access point. */
interface Mount {
    readonly fileSystem: FileSystemRefs;
    readonly accessPoint: aws.efs.AccessPoint;
}

/** The service's place on the load balancer: its target group on its port, and the listener rules forwarding to it. */
interface Routing {
    readonly targetGroup: aws.lb.TargetGroup;
    readonly port: number;
    readonly rules: readonly aws.lb.ListenerRule[];
}

/**
 * One microservice on the shared platform: its task definition (soft and hard memory, secrets by
 * SSM reference), ECS service (circuit breaker with rollback, bin-packing on EC2), target group
 * and listener rules on the shared ALB, security group open to the ALB only, least-privilege
 * roles, log group, SSM parameters, image repository and build, and autoscaling. A job (an entry
 * with a schedule) has the same task steps and, instead of the ECS service, a schedule that
 * starts its task (job.ts).
 */
export class Service extends pulumi.ComponentResource {
    /** The ECS service's name; absent for a job, which has none. */
    public readonly serviceName?: pulumi.Output<string>;
    /** A job's EventBridge Scheduler schedule. */
    public readonly scheduleArn?: pulumi.Output<string>;
    public readonly taskDefinitionArn: pulumi.Output<string>;
    /** The image the task runs. */
    public readonly image: pulumi.Output<string>;
    public readonly repositoryUrl?: pulumi.Output<string>;
    public readonly targetGroupArn?: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    /** The tasks' own security group (awsvpc, Fargate); EC2 tasks share the instances' group. */
    public readonly securityGroupId?: pulumi.Output<string>;

    private readonly args: ServiceArgs;
    private readonly spec: ResolvedService;
    private readonly platform: PlatformRefs;
    private readonly children: ReturnType<typeof serviceLogicalNames>;
    private readonly stateful: StatefulSettings;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before registering anything: the container, the stream prefix and the children are named after the catalog key.
        if (args.spec.name !== name)
            throw new Error(`Service "${name}" was given the catalog entry of "${args.spec.name}": the catalog key is the service's name`);
        super("fleet:ecs:Service", name, {}, opts);
        this.args = args;
        this.spec = args.spec;
        this.platform = args.platform;
        this.children = serviceLogicalNames(name);
        const { names, keepImages, logRetentionDays, protect, tags } = args;
        this.stateful = { names, keepImages, logRetentionDays, protect, secretsKeyArn: args.platform.secretsKeyArn, tags };

        const logGroup = serviceLogGroup(this, name, this.stateful);
        const { image, repository } = this.createImage();
        const secrets = this.createSecrets();
        const executionRole = this.createExecutionRole(logGroup, repository, secrets);
        const mounts = this.createAccessPoints();
        const taskRole = this.createTaskRole(mounts);
        const taskDefinition = this.createTaskDefinition(image, logGroup, secrets, executionRole, taskRole, mounts);
        const securityGroup = this.spec.capacity.kind === "fargate" ? this.createSecurityGroup() : undefined;
        if (securityGroup) this.createNfsRules(securityGroup, mounts);
        const job = this.spec.job;
        if (job) {
            // A job: the same task, started by a schedule instead of kept running by an ECS service.
            const family = servicePhysicalNames.taskFamily(args.names, name);
            const spec = { ...this.spec, job };
            const schedule = createJobSchedule(this, {
                spec,
                platform: this.platform,
                family,
                taskDefinition,
                executionRole,
                taskRole,
                securityGroup,
                tags,
            });
            this.scheduleArn = schedule.arn;
        } else {
            const routing = this.createRouting();
            const service = this.createEcsService(taskDefinition, securityGroup, routing, logGroup, mounts);
            this.createAutoscaling(service, routing);
            this.serviceName = service.name;
            this.targetGroupArn = routing?.targetGroup.arn;
        }

        this.taskDefinitionArn = taskDefinition.arn;
        this.image = image;
        this.repositoryUrl = repository?.repositoryUrl;
        this.logGroupName = logGroup.name;
        this.securityGroupId = securityGroup?.id;
        this.registerOutputs({
            serviceName: this.serviceName,
            scheduleArn: this.scheduleArn,
            taskDefinitionArn: this.taskDefinitionArn,
            image: this.image,
            repositoryUrl: this.repositoryUrl,
            targetGroupArn: this.targetGroupArn,
            logGroupName: this.logGroupName,
        });
    }

    /** The image reference the task runs, and the service's own repository when it builds. */
    private createImage(): { image: pulumi.Output<string>; repository?: aws.ecr.Repository } {
        const image = this.spec.image;
        const registryUrl = this.platform.registry.url;
        switch (image.kind) {
            case "build": {
                const repository = serviceRepository(this, this.spec.name, this.stateful);
                const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: this });
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
                    { parent: this },
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
                const current = aws.ssm.getParameterOutput({ name: secret.parameter, withDecryption: false }, { parent: this });
                references.set(secret.name, { arn: this.existingParameterArn(secret.parameter), version: current.version.apply(String) });
                continue;
            }
            let value: pulumi.Input<string>;
            if (secret.source === "generate") {
                // Generated once and kept in state: later updates reuse it.
                value = new random.RandomPassword(
                    this.children.secret(secret.name),
                    { length: secret.length, special: false },
                    { parent: this },
                ).result;
            } else {
                const configured = this.args.configSecrets?.[secret.configKey];
                if (configured === undefined)
                    throw new Error(`service "${this.spec.name}": no value was passed for config secret ${secret.configKey}`);
                value = pulumi.secret(configured);
            }
            const parameter = secretParameter(this, this.spec.name, secret, value, this.stateful);
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
        return aws.secretsmanager.getSecretVersionsOutput({ secretId: secretArn }, { parent: this }).versions.apply((versions) => {
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
            { parent: this },
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
                            parameterArns: secretSources.filter((s) => s.source !== "secretsManager").map((s) => secrets.get(s.name)!.arn),
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
            { parent: this },
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
                { parent: this },
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
            { parent: this },
        );
        if (this.spec.grants.length > 0 || mounts.size > 0) {
            const efsMounts: EfsMount<pulumi.Input<string>>[] = [...mounts.values()].map((mount) => ({
                fileSystemArn: mount.fileSystem.arn,
                accessPointArn: mount.accessPoint.arn,
            }));
            new aws.iam.RolePolicy(
                this.children.taskRole,
                { role: role.name, policy: taskRoleDocument(this.spec.grants, this.platform.aws, efsMounts) },
                { parent: this },
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
        });
        return new aws.ecs.TaskDefinition(
            this.children.taskDefinition,
            {
                family: servicePhysicalNames.taskFamily(this.args.names, this.spec.name),
                networkMode: fargate ? "awsvpc" : "bridge",
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
            { parent: this },
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
     * A Fargate task reaches a file system's mount targets from its own group: one NFS rule per
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
                { parent: this },
            );
        }
    }

    /** awsvpc tasks get their own group: the container port from the load balancer's group, nothing else. */
    private createSecurityGroup(): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            this.children.securityGroup,
            { vpcId: this.platform.network.vpcId, description: `fleet: tasks of ${this.spec.name}`, tags: this.args.tags },
            { parent: this },
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
                { parent: this },
            );
        }
        // Tasks reach ECR, SSM, CloudWatch and their own dependencies through the NAT gateway.
        new aws.vpc.SecurityGroupEgressRule(
            this.children.egress,
            { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", description: "AWS APIs and dependencies through NAT" },
            { parent: this },
        );
        return sg;
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
                targetType: this.spec.capacity.kind === "fargate" ? "ip" : "instance",
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

    private createEcsService(
        taskDefinition: aws.ecs.TaskDefinition,
        securityGroup: aws.ec2.SecurityGroup | undefined,
        routing: Routing | undefined,
        logGroup: aws.cloudwatch.LogGroup,
        mounts: ReadonlyMap<string, Mount>,
    ): aws.ecs.Service {
        const spec = this.spec;
        const image = spec.image;
        const cacheDependencies = image.kind === "cached" ? (this.platform.registry.cacheDependencies?.[image.registry] ?? []) : [];
        return new aws.ecs.Service(
            this.children.ecsService,
            {
                cluster: this.platform.cluster.arn,
                taskDefinition: taskDefinition.arn,
                // Without it a changed capacityProviderStrategies replaces the service (delete and
                // create: an outage); with it, moving between fargate, fargate-spot and ec2 is an
                // update and a rolling deployment (pulumi-aws ecs.Service; terraform-provider-aws#43533).
                forceNewDeployment: true,
                desiredCount: spec.desiredCount,
                capacityProviderStrategies: [
                    {
                        capacityProvider: capacityProviderFor(spec.capacity, this.platform.cluster.ec2CapacityProviderName),
                        weight: 1,
                        base: 0,
                    },
                ],
                // Only awsvpc (Fargate) tasks have a security group of their own.
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
                    ...[...mounts.values()].flatMap((mount) => mount.fileSystem.mountTargets),
                ],
                ...serverReplacement(spec),
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
 * "appProtocol is immutable in a Service Connect service. Updating this field requires a service
 * deletion and redeployment" (ECS API PortMapping.appProtocol). A server's protocol is its
 * replacement trigger, so a change of protocol replaces the ECS service, deleted first: a second
 * service cannot take its discovery name in the namespace while the first holds it. The engine
 * replaces only when both the recorded and the new trigger are set (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go shouldTriggerReplace: "Nulls mean there is no replacement
 * trigger"), so the first update that sets it, and a service that starts serving, replace nothing.
 */
function serverReplacement(spec: ResolvedService): pulumi.CustomResourceOptions {
    return spec.serviceConnect?.server ? { deleteBeforeReplace: true, replacementTrigger: spec.protocol } : {};
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

/** `arn:aws:ecr:<region>:<account>:repository/<name>` of a full ECR image URI. */
export function ecrRepositoryArn(reference: string): string {
    const slash = reference.indexOf("/");
    const host = ecrRegistryHostPattern.exec(reference.slice(0, slash));
    const repository = /^[^:@]+/.exec(reference.slice(slash + 1));
    if (slash < 0 || !host || !repository) throw new Error(`not an ECR image URI: ${reference}`);
    const partition = host[3] ? "aws-cn" : "aws";
    return `arn:${partition}:ecr:${host[2]}:${host[1]}:repository/${repository[0]}`;
}
