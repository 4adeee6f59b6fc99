/**
 * Every name fleet sets, in one place: the physical names AWS sees (task families, repositories,
 * log groups, SSM parameters, the key alias, cache prefixes) and the logical names of the
 * resources (their URNs). Logical names are the identity of a resource in the state: changing one
 * here is a migration (delete and create) unless the resource gets an alias to the old name.
 * Pure: imports nothing from @pulumi.
 */
import { createHash } from "crypto";

/** The names a stack gives everything it shares with other stacks of the project in one account. */
export interface StackNames {
    readonly project: string;
    readonly stack: string;
    /** `<project>-<stack>`: prefixes flat physical names (task family, repository, cluster, ALB). */
    readonly prefix: string;
    /** `/<project>/<stack>`: prefixes hierarchical names (log groups, SSM parameters). */
    readonly path: string;
}

export function stackNames(project: string, stack: string): StackNames {
    return { project, stack, prefix: `${project}-${stack}`, path: `/${project}/${stack}` };
}

/**
 * The tags the program puts on every resource of a stack, and on each service's resources, so
 * that tools reading the live account (ops/) find a stack's cluster and services without the
 * Pulumi state.
 */
export const fleetTagKeys = { project: "fleet:project", stack: "fleet:stack", service: "fleet:service" } as const;

/** The physical names of a service's resources. */
export const servicePhysicalNames = {
    /** Task definition family: `<project>-<stack>-<service>`. */
    taskFamily: (names: StackNames, service: string): string => `${names.prefix}-${service}`,
    /** The service's own ECR repository: `<project>-<stack>/<service>`. */
    repository: (names: StackNames, service: string): string => `${names.prefix}/${service}`,
    /** The service's log group: `/<project>/<stack>/<service>`. */
    logGroup: (names: StackNames, service: string): string => `${names.path}/${service}`,
    /** The SSM parameter of a secret: `/<project>/<stack>/<service>/<VARIABLE>`. */
    secretParameter: (names: StackNames, service: string, variable: string): string => `${names.path}/${service}/${variable}`,
    /** The `Name` tag of the service's access point to a file system: `<project>-<stack>-<service>-<file system>`. */
    accessPointNameTag: (names: StackNames, service: string, fileSystem: string): string => `${names.prefix}-${service}-${fileSystem}`,
    /** The directory of the file system the service's access point is rooted at: `/<service>`, as Copilot's managed EFS does. */
    accessPointRoot: (service: string): string => `/${service}`,
} as const;

/**
 * The name of a task definition volume, from the container path it is mounted at: the path's
 * parts joined by hyphens (cut to 200 characters), then 8 hex digits of the path's SHA-256, so two
 * paths never share a name (`/a-b`, `/a/b` and `/a.b` would). ECS allows up to 255 letters, digits,
 * underscores and hyphens (ECS API Volume name).
 */
export function taskVolumeName(path: string): string {
    const readable = path
        .replace(/[^A-Za-z0-9_-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 200);
    return `${readable}-${createHash("sha256").update(path).digest("hex").slice(0, 8)}`;
}

/** The physical names of the platform's resources. */
export const platformPhysicalNames = {
    /** The KMS alias of the key encrypting the services' parameters: `alias/<project>-<stack>-secrets`. */
    secretsKeyAlias: (names: StackNames): string => `alias/${names.prefix}-secrets`,
    /** The Cloud Map namespace of the stack's Service Connect: `<project>-<stack>`. */
    serviceConnectNamespace: (names: StackNames): string => names.prefix,
    /**
     * The ECR repository prefix of a stack's pull-through cache rule for one upstream, e.g.
     * `dev-cache/docker-hub`. The stack alone, not the project: AWS allows one rule per prefix per
     * account, and the prefix is in every cached image's URI.
     */
    cachePrefix: (stack: string, upstreamAlias: string): string => `${stack}-cache/${upstreamAlias}`,
    /** The `Name` tag of a file system: `<project>-<stack>-<file system>`. */
    fileSystemNameTag: (names: StackNames, fileSystem: string): string => `${names.prefix}-${fileSystem}`,
} as const;

/**
 * The logical names of a service's children. Each carries the service's name, so two services
 * never collide and a service's resources are found by name in a plan.
 */
export function serviceLogicalNames(service: string) {
    return {
        /** The ECS service itself. */
        ecsService: service,
        logGroup: `${service}-logs`,
        repository: `${service}-repo`,
        repositoryLifecycle: `${service}-repo-lifecycle`,
        image: `${service}-image`,
        /** The SSM parameter of a secret, and the random password of a generated one (another type, so no clash). */
        secret: (variable: string) => `${service}-${variable}`,
        /** The execution role and its inline policy (two types, one name). */
        executionRole: `${service}-exec`,
        taskRole: `${service}-task`,
        taskDefinition: `${service}-taskdef`,
        securityGroup: `${service}-sg`,
        ingressFromLoadBalancer: `${service}-from-alb`,
        egress: `${service}-egress`,
        targetGroup: `${service}-tg`,
        /** Keyed by the rule's patterns (routing.ts), not its position: reordering routes changes nothing. */
        listenerRule: (key: string) => `${service}-rule-${key}`,
        /** A security-group rule letting this service call another through Service Connect. */
        connectionTo: (target: string) => `${service}-to-${target}`,
        /** The rule letting this service call the Service Connect agents of EC2 (bridge) services. */
        connectionToInstances: `${service}-to-instances`,
        scalingTarget: `${service}-scaling`,
        scalingPolicy: (metric: "cpu" | "requests" | "queue") => `${service}-${metric}`,
        /** A scheduled change of the scaling bounds, keyed by its cron and zone (workloads.ts), not its position. */
        scheduledScaling: (key: string) => `${service}-at-${key}`,
        /** The service's access point to a stack's file system (one per file system it mounts). */
        accessPoint: (fileSystem: string) => `${service}-efs-${fileSystem}`,
        /** The rule admitting this (Fargate) service's group to a file system's mount targets on NFS. */
        nfsTo: (fileSystem: string) => `${service}-nfs-${fileSystem}`,
        /** A job's EventBridge Scheduler schedule. */
        jobSchedule: `${service}-schedule`,
        /** The role the scheduler assumes to run the job's task, and its inline policy (two types, one name). */
        schedulerRole: `${service}-scheduler`,
        /** Where the scheduler puts a run it could not start. */
        deadLetterQueue: `${service}-dlq`,
    } as const;
}

/** The logical names of the platform's children, under the platform's name (`<project>-<stack>`). */
export function platformLogicalNames(platform: string) {
    return {
        network: platform,
        loadBalancer: `${platform}-alb`,
        cluster: platform,
        registry: platform,
        secretsKey: `${platform}-secrets`,
        secretsKeyAlias: `${platform}-secrets`,
        /** The Cloud Map namespace of Service Connect. */
        serviceConnectNamespace: `${platform}-connect`,
        /** EC2 (bridge) tasks calling the Service Connect agents of other EC2 tasks on the instances. */
        instancesConnect: `${platform}-instances-connect`,
        dns: `${platform}-dns`,
    } as const;
}

/** The component of a stack's EFS file system, under the platform's name, by its catalog name: `<platform>-efs-<name>`. */
export const fileSystemComponentName = (platform: string, fileSystem: string) => `${platform}-efs-${fileSystem}`;

/**
 * The logical names of a file system's children, under its component's name
 * (fileSystemComponentName): the file system itself, its security group, its mount targets (one
 * per private subnet, by position), its policy, and the one rule admitting the container
 * instances (EC2 tasks).
 */
export function fileSystemLogicalNames(fileSystem: string) {
    return {
        fileSystem,
        securityGroup: `${fileSystem}-sg`,
        mountTarget: (index: number) => `${fileSystem}-mount-${index + 1}`,
        policy: `${fileSystem}-policy`,
        fromInstances: `${fileSystem}-from-instances`,
    } as const;
}

/** A DNS name as part of a logical name: `*.dev.example.com` → `wildcard-dev-example-com`. */
const dnsKey = (name: string) => name.replace(/^\*\./, "wildcard.").replace(/[^a-z0-9]+/g, "-");

/** The logical names of the DNS component's children, under its name. */
export function dnsLogicalNames(dns: string) {
    return {
        certificate: `${dns}-cert`,
        /** The CNAME proving control of a certificate name to ACM. */
        validationRecord: (name: string) => `${dns}-cert-${dnsKey(name)}`,
        validation: `${dns}-cert-validation`,
        /** The alias record of a host (or a wildcard) to the load balancer. */
        record: (name: string) => `${dns}-${dnsKey(name)}`,
    } as const;
}

/** The logical names of the network's children, under its name. */
export function networkLogicalNames(network: string) {
    return {
        /** The awsx VPC (a remote component: its own children are named by awsx). */
        vpc: `${network}-vpc`,
    } as const;
}

/** The logical names of the load balancer's children, under its name. */
export function loadBalancerLogicalNames(loadBalancer: string) {
    return {
        securityGroup: `${loadBalancer}-sg`,
        ingress: (port: number) => `${loadBalancer}-in-${port}`,
        targetsSecurityGroup: `${loadBalancer}-targets-sg`,
        toTargets: `${loadBalancer}-to-targets`,
        httpsListener: `${loadBalancer}-https`,
        httpListener: `${loadBalancer}-http`,
    } as const;
}

/** The logical names of the cluster's EC2 capacity children, under the cluster's name. */
export function clusterLogicalNames(cluster: string) {
    return {
        instancesSecurityGroup: `${cluster}-instances-sg`,
        instancesFromLoadBalancer: `${cluster}-instances-from-alb`,
        loadBalancerToInstances: `${cluster}-alb-to-instances`,
        instancesEgress: `${cluster}-instances-egress`,
        instanceRole: `${cluster}-instance-role`,
        instanceEcsPolicy: `${cluster}-instance-ecs`,
        instancePullThrough: `${cluster}-instance-pull-through`,
        instanceProfile: `${cluster}-instance-profile`,
        /** The launch template and the Auto Scaling group (two types, one name). */
        instances: `${cluster}-instances`,
        /** The `Name` tag of the container instances. */
        instanceNameTag: `${cluster}-instance`,
        ec2CapacityProvider: `${cluster}-ec2`,
    } as const;
}

/** The logical names of the registry's children, under the registry's name. */
export function registryLogicalNames(registry: string) {
    return {
        /** The creation-template role and its inline policy (two types, one name). */
        cacheTemplateRole: `${registry}-cache-template`,
        cacheRule: (upstreamAlias: string) => `${registry}-${upstreamAlias}`,
        cacheTemplate: (upstreamAlias: string) => `${registry}-${upstreamAlias}-template`,
    } as const;
}
