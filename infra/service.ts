import * as aws from "@pulumi/aws";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { capacityProviderFor } from "./cluster";
import { ResolvedService } from "../model/resolved";
import { ecrRegistryHostPattern } from "../policy/limits";
import { AwsContext, ecsTasksTrustPolicy, executionPolicy } from "./iamDocuments";
import { lifecyclePolicy } from "./registry";

export interface ServiceArgs {
    /** The resolved catalog entry (see validate.ts): what to run and how. */
    readonly spec: ResolvedService;
    /** `<project>-<stack>`: prefixes physical names shared across stacks (task family, repository). */
    readonly namePrefix: string;
    /** `/<project>/<stack>`: prefixes hierarchical names (log group). */
    readonly pathPrefix: string;
    /** Images kept by the lifecycle policy of the service's repository. @default 20 */
    readonly keepImages?: number;
    /**
     * The cluster, as an Output that depends on its capacity-provider association (Cluster's
     * `arnForServices`): a service must be created after the providers it names are associated.
     */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's name, with the same ordering (Cluster's `nameForServices`). */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's EC2 capacity provider, required when `spec.capacity` is `ec2`. @default none */
    readonly ec2CapacityProviderName?: pulumi.Input<string>;
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets for awsvpc (Fargate) tasks. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The shared load balancer, for services with routes. @default none */
    readonly loadBalancer?: {
        readonly securityGroupId: pulumi.Input<string>;
        /** Group every load-balanced awsvpc task joins, the ALB's only egress destination. */
        readonly targetsSecurityGroupId: pulumi.Input<string>;
        readonly listenerArn: pulumi.Input<string>;
        readonly arnSuffix: pulumi.Input<string>;
    };
    /** KMS key encrypting the SSM parameters fleet creates. */
    readonly secretsKeyArn: pulumi.Input<string>;
    /** Values of `fromConfig` secrets, by config key, as Pulumi secrets. @default {} */
    readonly configSecrets?: Readonly<Record<string, pulumi.Input<string>>>;
    /** The registry URL of this account (`<account>.dkr.ecr.<region>.amazonaws.com`), for cached images. */
    readonly registryUrl: pulumi.Input<string>;
    /**
     * For an image served through the pull-through cache: its rule, creation template and
     * template role, so the first pull happens after they exist. @default []
     */
    readonly cacheDependencies?: readonly pulumi.Resource[];
    readonly aws: AwsContext;
    /** Log retention in days. */
    readonly logRetentionDays: number;
    /** `protect` the stateful children: repository, parameters, log group. @default false */
    readonly protect?: boolean;
    /** Policy waivers of this service, as tags on its task definition (where the policy pack reads them). @default {} */
    readonly policyTags?: Record<string, string>;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/** What a service keeps when retired: enough of ServiceArgs to declare its stateful resources exactly as Service did. */
export type StatefulArgs = Pick<ServiceArgs, "namePrefix" | "pathPrefix" | "keepImages" | "logRetentionDays" | "protect" | "secretsKeyArn" | "tags">;

/** The service's log group: `/<project>/<stack>/<service>`. */
export function serviceLogGroup(parent: pulumi.Resource, name: string, args: StatefulArgs): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: `${args.pathPrefix}/${name}`, retentionInDays: args.logRetentionDays, tags: args.tags },
        fixedNameOptions(parent, args),
    );
}

/** The service's own image repository, with its lifecycle policy. */
export function serviceRepository(parent: pulumi.Resource, name: string, args: StatefulArgs): aws.ecr.Repository {
    const repository = new aws.ecr.Repository(
        `${name}-repo`,
        {
            name: `${args.namePrefix}/${name}`,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            // A protected repository keeps its images; an unprotected one (dev) can be torn down with them.
            forceDelete: !(args.protect ?? false),
            tags: args.tags,
        },
        fixedNameOptions(parent, args),
    );
    // One policy per repository: a replacement created first would be removed by the old one's deletion.
    new aws.ecr.LifecyclePolicy(
        `${name}-repo-lifecycle`,
        { repository: repository.name, policy: lifecyclePolicy(args.keepImages ?? 20) },
        { parent, deleteBeforeReplace: true },
    );
    return repository;
}

/** A secret's SecureString parameter, encrypted with the fleet key. */
export function secretParameter(
    parent: pulumi.Resource,
    service: string,
    secret: { name: string; parameterName: string },
    value: pulumi.Input<string>,
    args: StatefulArgs,
    opts: pulumi.CustomResourceOptions = {},
): aws.ssm.Parameter {
    return new aws.ssm.Parameter(
        `${service}-${secret.name}`,
        {
            name: secret.parameterName,
            type: "SecureString",
            value,
            keyId: args.secretsKeyArn,
            description: `fleet: ${secret.name} of ${service}`,
            tags: args.tags,
        },
        { ...fixedNameOptions(parent, args), ...opts },
    );
}

/**
 * Options of a resource whose physical name fleet fixes (log group, repository, parameter). A
 * change that forces replacement would create the new one first and fail with AlreadyExists, so
 * an unprotected one is deleted first; a protected one is never deleted (the engine refuses, and
 * the plan says so).
 */
export function fixedNameOptions(parent: pulumi.Resource, args: Pick<StatefulArgs, "protect">): pulumi.CustomResourceOptions {
    const protect = args.protect ?? false;
    return { parent, protect, deleteBeforeReplace: !protect };
}

/**
 * One microservice on the shared platform: its task definition (soft and hard memory, secrets by
 * SSM reference), ECS service (circuit breaker with rollback, bin-packing on EC2), target group
 * and listener rules on the shared ALB, security group open to the ALB only, least-privilege
 * roles, log group, SSM parameters, image repository and build, and autoscaling.
 */
export class Service extends pulumi.ComponentResource {
    public readonly serviceName: pulumi.Output<string>;
    public readonly taskDefinitionArn: pulumi.Output<string>;
    /** The image the task runs. */
    public readonly image: pulumi.Output<string>;
    public readonly repositoryUrl?: pulumi.Output<string>;
    public readonly targetGroupArn?: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;

    private readonly name: string;
    private readonly args: ServiceArgs;
    private readonly spec: ResolvedService;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:ecs:Service", name, {}, opts);
        this.name = name;
        this.args = args;
        this.spec = args.spec;
        const fargate = this.spec.capacity !== "ec2";

        const logGroup = this.createLogGroup();
        const { image, repository } = this.createImage();
        const parameters = this.createSecrets();
        const executionRole = this.createExecutionRole(logGroup, repository, parameters);
        const taskRole = this.createTaskRole();
        const taskDefinition = this.createTaskDefinition(fargate, image, logGroup, parameters, executionRole, taskRole);
        const securityGroup = fargate ? this.createSecurityGroup() : undefined;
        const targetGroup = this.createTargetGroup(fargate);
        const rules = targetGroup ? this.createListenerRules(targetGroup) : [];
        const service = this.createEcsService(fargate, taskDefinition, securityGroup, targetGroup, rules);
        this.createAutoscaling(service, targetGroup);

        this.serviceName = service.name;
        this.taskDefinitionArn = taskDefinition.arn;
        this.image = image;
        this.repositoryUrl = repository?.repositoryUrl;
        this.targetGroupArn = targetGroup?.arn;
        this.logGroupName = logGroup.name;
        this.registerOutputs({
            serviceName: this.serviceName,
            taskDefinitionArn: this.taskDefinitionArn,
            image: this.image,
            repositoryUrl: this.repositoryUrl,
            targetGroupArn: this.targetGroupArn,
            logGroupName: this.logGroupName,
        });
    }

    private createLogGroup(): aws.cloudwatch.LogGroup {
        return serviceLogGroup(this, this.name, this.args);
    }

    /** The image reference the task runs, and the service's own repository when it builds. */
    private createImage(): { image: pulumi.Output<string>; repository?: aws.ecr.Repository } {
        const image = this.spec.image;
        switch (image.kind) {
            case "build": {
                const repository = serviceRepository(this, this.name, this.args);
                const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: this });
                const built = new dockerbuild.Image(
                    `${this.name}-image`,
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
                        registries: [{ address: this.args.registryUrl, username: token.userName, password: pulumi.secret(token.password) }],
                    },
                    { parent: this },
                );
                // The digest, not the tag: a task definition pinned to content, so a rollback is exact.
                return { image: pulumi.interpolate`${repository.repositoryUrl}@${built.digest}`, repository };
            }
            case "cached":
                return { image: pulumi.interpolate`${this.args.registryUrl}/${image.path}` };
            case "ecr":
            case "direct":
                return { image: pulumi.output(image.reference) };
        }
    }

    /**
     * SSM SecureString parameters for config and generated secrets, and every parameter the task
     * reads with its current version. ECS reads secrets only when a task starts, so the versions
     * go into the task definition: a changed value gives exactly its readers a new revision and
     * a rollout (in a real preview the new version is unknown, so the change shows there too).
     */
    private createSecrets(): Map<string, SecretReference> {
        const references = new Map<string, SecretReference>();
        for (const secret of this.spec.secrets) {
            if (secret.source === "existing") {
                // Read without decryption: only the version is used, never the value.
                const current = aws.ssm.getParameterOutput({ name: secret.parameter, withDecryption: false }, { parent: this });
                references.set(secret.name, { arn: this.existingParameterArn(secret.parameter), version: current.version });
                continue;
            }
            let value: pulumi.Input<string>;
            if (secret.source === "generate") {
                // Generated once and kept in state: later updates reuse it.
                value = new random.RandomPassword(`${this.name}-${secret.name}`, { length: secret.length, special: false }, { parent: this }).result;
            } else {
                const configured = this.args.configSecrets?.[secret.configKey];
                if (configured === undefined) throw new Error(`service "${this.name}": no value was passed for config secret ${secret.configKey}`);
                value = pulumi.secret(configured);
            }
            const parameter = secretParameter(this, this.name, secret, value, this.args);
            references.set(secret.name, { arn: parameter.arn, version: parameter.version });
        }
        return references;
    }

    private existingParameterArn(parameter: string): pulumi.Input<string> {
        if (parameter.startsWith("arn:")) return parameter;
        const ctx = this.args.aws;
        // A parameter ARN has exactly one slash after "parameter", whether the name starts with one or not.
        return pulumi.interpolate`arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:parameter/${parameter.replace(/^\//, "")}`;
    }

    private createExecutionRole(logGroup: aws.cloudwatch.LogGroup, repository: aws.ecr.Repository | undefined, parameters: Map<string, SecretReference>): aws.iam.Role {
        const ctx = this.args.aws;
        const role = new aws.iam.Role(
            `${this.name}-exec`,
            { assumeRolePolicy: pulumi.jsonStringify(ecsTasksTrustPolicy(ctx, "execution")), description: `fleet: ECS agent for ${this.name}`, tags: this.args.tags },
            { parent: this },
        );
        const image = this.spec.image;
        const repositoryArns: pulumi.Input<string>[] = [];
        if (repository) repositoryArns.push(repository.arn);
        if (image.kind === "ecr") repositoryArns.push(ecrRepositoryArn(image.reference));
        const createdSecrets = this.spec.secrets.some((s) => s.source !== "existing");
        new aws.iam.RolePolicy(
            `${this.name}-exec`,
            {
                role: role.name,
                policy: pulumi.jsonStringify(
                    executionPolicy(
                        {
                            logGroupArn: logGroup.arn,
                            repositoryArns,
                            cacheRepositories: image.kind === "cached" ? [image.repository] : [],
                            parameterArns: [...parameters.values()].map((parameter) => parameter.arn),
                            secretsKeyArn: createdSecrets ? this.args.secretsKeyArn : undefined,
                        },
                        ctx,
                    ),
                ),
            },
            { parent: this },
        );
        return role;
    }

    /** The role the application assumes: no permissions until the service declares some. */
    private createTaskRole(): aws.iam.Role {
        return new aws.iam.Role(
            `${this.name}-task`,
            { assumeRolePolicy: pulumi.jsonStringify(ecsTasksTrustPolicy(this.args.aws, "task")), description: `fleet: application role of ${this.name}`, tags: this.args.tags },
            { parent: this },
        );
    }

    private createTaskDefinition(
        fargate: boolean,
        image: pulumi.Output<string>,
        logGroup: aws.cloudwatch.LogGroup,
        parameters: Map<string, SecretReference>,
        executionRole: aws.iam.Role,
        taskRole: aws.iam.Role,
    ): aws.ecs.TaskDefinition {
        const spec = this.spec;
        const container = {
            name: this.name,
            image,
            essential: true,
            cpu: spec.cpu,
            // Hard limit: killed above it. Soft reservation: what placement reserves (bin-packing on EC2).
            memory: spec.memory.limit,
            memoryReservation: spec.memory.reservation,
            portMappings:
                spec.port === undefined
                    ? []
                    : [{ containerPort: spec.port, hostPort: fargate ? spec.port : 0, protocol: "tcp" }],
            command: spec.command,
            environment: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
            secrets: [...parameters.entries()].map(([name, parameter]) => ({ name, valueFrom: parameter.arn })),
            // ECS cannot pin a parameter version in valueFrom (aws/containers-roadmap#859): the
            // versions ride along as labels, so a new value is a new task definition revision.
            dockerLabels:
                parameters.size > 0
                    ? Object.fromEntries([...parameters.entries()].map(([name, parameter]) => [`${secretVersionLabelPrefix}${name}`, pulumi.output(parameter.version).apply(String)]))
                    : undefined,
            logConfiguration: {
                logDriver: "awslogs",
                options: {
                    "awslogs-group": logGroup.name,
                    "awslogs-region": this.args.aws.region,
                    "awslogs-stream-prefix": this.name,
                    // Never block the application on CloudWatch; buffer and drop instead.
                    "mode": "non-blocking",
                    "max-buffer-size": "25m",
                },
            },
            healthCheck: spec.health.command
                ? { command: spec.health.command, interval: 15, timeout: 5, retries: 3, startPeriod: Math.min(300, spec.health.gracePeriodSeconds) }
                : undefined,
            stopTimeout: spec.stopTimeout,
            ...this.hardening(fargate),
        };
        return new aws.ecs.TaskDefinition(
            `${this.name}-taskdef`,
            {
                family: `${this.args.namePrefix}-${this.name}`,
                networkMode: fargate ? "awsvpc" : "bridge",
                requiresCompatibilities: [fargate ? "FARGATE" : "EC2"],
                cpu: fargate ? String(spec.fargateSize!.cpu) : undefined,
                memory: fargate ? String(spec.fargateSize!.memory) : undefined,
                runtimePlatform: fargate ? { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" } : undefined,
                executionRoleArn: executionRole.arn,
                taskRoleArn: taskRole.arn,
                containerDefinitions: pulumi.jsonStringify([container]),
                tags: { ...this.args.tags, ...this.args.policyTags },
            },
            { parent: this },
        );
    }

    /**
     * Secure container defaults (each can be turned off in the catalog with a reason): a read-only
     * root filesystem with a tmpfs /tmp (memory-backed, so it counts against the hard limit), a
     * non-root user, an init process that reaps zombies and forwards SIGTERM, every Linux
     * capability dropped and no-new-privileges. Fargate accepts neither dockerSecurityOptions nor
     * privileged mode, so there the dropped capabilities and the non-root user stand in.
     */
    private hardening(fargate: boolean): Record<string, unknown> {
        const security = this.spec.security;
        return {
            user: security.user,
            readonlyRootFilesystem: security.readonlyRootFilesystem,
            privileged: fargate ? undefined : security.privileged,
            dockerSecurityOptions: !fargate && security.noNewPrivileges ? ["no-new-privileges"] : undefined,
            linuxParameters: {
                initProcessEnabled: security.initProcessEnabled,
                capabilities: security.noNewPrivileges ? { drop: ["ALL"] } : undefined,
                tmpfs: security.readonlyRootFilesystem
                    ? [{ containerPath: "/tmp", size: tmpfsSizeMiB(this.spec.memory.limit), mountOptions: ["rw", "nosuid", "nodev", "mode=1777"] }]
                    : undefined,
            },
        };
    }

    /** awsvpc tasks get their own group: the container port from the load balancer's group, nothing else. */
    private createSecurityGroup(): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            `${this.name}-sg`,
            { vpcId: this.args.vpcId, description: `fleet: tasks of ${this.name}`, tags: this.args.tags },
            { parent: this },
        );
        const lb = this.args.loadBalancer;
        if (lb && this.spec.port !== undefined && this.spec.rules.length > 0) {
            new aws.vpc.SecurityGroupIngressRule(
                `${this.name}-from-alb`,
                {
                    securityGroupId: sg.id,
                    referencedSecurityGroupId: lb.securityGroupId,
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
            `${this.name}-egress`,
            { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", description: "AWS APIs and dependencies through NAT" },
            { parent: this },
        );
        return sg;
    }

    private createTargetGroup(fargate: boolean): aws.lb.TargetGroup | undefined {
        const spec = this.spec;
        if (spec.rules.length === 0 || spec.port === undefined || !this.args.loadBalancer) return undefined;
        const health = spec.health;
        return new aws.lb.TargetGroup(
            // Auto-named: `<service>-tg-<7 chars>` stays within AWS's 32 characters (service names are at most 20).
            `${this.name}-tg`,
            {
                vpcId: this.args.vpcId,
                port: spec.port,
                protocol: "HTTP",
                protocolVersion: "HTTP1",
                // awsvpc tasks register by IP; bridge tasks by instance and dynamic host port.
                targetType: fargate ? "ip" : "instance",
                deregistrationDelay: spec.deregistrationDelay,
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
        const lb = this.args.loadBalancer!;
        return this.spec.rules.map(
            (rule) =>
                new aws.lb.ListenerRule(
                    // Keyed by the rule's patterns, not its position: reordering routes changes nothing.
                    `${this.name}-rule-${rule.key}`,
                    {
                        listenerArn: lb.listenerArn,
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
        fargate: boolean,
        taskDefinition: aws.ecs.TaskDefinition,
        securityGroup: aws.ec2.SecurityGroup | undefined,
        targetGroup: aws.lb.TargetGroup | undefined,
        rules: aws.lb.ListenerRule[],
    ): aws.ecs.Service {
        const spec = this.spec;
        return new aws.ecs.Service(
            this.name,
            {
                cluster: this.args.clusterArn,
                taskDefinition: taskDefinition.arn,
                // Without it a changed capacityProviderStrategies replaces the service (delete and
                // create: an outage); with it, moving between fargate, fargate-spot and ec2 is an
                // update and a rolling deployment (pulumi-aws ecs.Service; terraform-provider-aws#43533).
                forceNewDeployment: true,
                desiredCount: spec.desiredCount,
                capacityProviderStrategies: [{ capacityProvider: capacityProviderFor(spec.capacity, this.args.ec2CapacityProviderName), weight: 1, base: 0 }],
                networkConfiguration: fargate
                    ? {
                          subnets: this.args.privateSubnetIds,
                          securityGroups: targetGroup ? [securityGroup!.id, this.args.loadBalancer!.targetsSecurityGroupId] : [securityGroup!.id],
                          assignPublicIp: false,
                      }
                    : undefined,
                loadBalancers: targetGroup ? [{ targetGroupArn: targetGroup.arn, containerName: this.name, containerPort: spec.port! }] : undefined,
                healthCheckGracePeriodSeconds: targetGroup ? spec.health.gracePeriodSeconds : undefined,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                // Spread over zones first, then pack by memory so idle instances can be scaled in.
                orderedPlacementStrategies: fargate
                    ? undefined
                    : [
                          { type: "spread", field: "attribute:ecs.availability-zone" },
                          { type: "binpack", field: "memory" },
                      ],
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                waitForSteadyState: true,
                tags: this.args.tags,
            },
            {
                parent: this,
                // A target group must be attached to a listener before a service can use it; a
                // cached image's first pull needs its cache rule and creation template.
                dependsOn: [...rules, ...(this.args.cacheDependencies ?? [])],
                // Application Auto Scaling owns the task count once scaling is on.
                ignoreChanges: spec.scaling ? ["desiredCount"] : [],
            },
        );
    }

    private createAutoscaling(service: aws.ecs.Service, targetGroup: aws.lb.TargetGroup | undefined): void {
        const scaling = this.spec.scaling;
        if (!scaling) return;
        const target = new aws.appautoscaling.Target(
            `${this.name}-scaling`,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${this.args.clusterName}/${service.name}`,
                minCapacity: scaling.min,
                maxCapacity: scaling.max,
            },
            { parent: this },
        );
        const policy = (suffix: string, config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration) =>
            new aws.appautoscaling.Policy(
                `${this.name}-${suffix}`,
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
        if (scaling.requestsPerTarget !== undefined && targetGroup && this.args.loadBalancer) {
            policy("requests", {
                targetValue: scaling.requestsPerTarget,
                predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel: pulumi.interpolate`${this.args.loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`,
                },
                scaleInCooldown: 300,
                scaleOutCooldown: 60,
            });
        }
    }
}

/** An SSM parameter a task reads as a secret: its ARN and its current version. */
interface SecretReference {
    readonly arn: pulumi.Input<string>;
    readonly version: pulumi.Input<number>;
}

/** Docker label carrying the version of the parameter behind a secret, e.g. `fleet.secret-version.DATABASE_PASSWORD`. */
export const secretVersionLabelPrefix = "fleet.secret-version.";

/** The /tmp tmpfs: a quarter of the hard limit, 16 to 256 MiB (tmpfs pages count as container memory). */
export function tmpfsSizeMiB(memoryLimit: number): number {
    return Math.max(16, Math.min(256, Math.floor(memoryLimit / 4)));
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
