/**
 * Every name fleet sets, in one place: the physical names AWS sees (task families, repositories,
 * log groups, SSM parameters, the key alias, cache prefixes) and the logical names of the
 * resources (their URNs). Logical names are the identity of a resource in the state: changing one
 * here is a migration (delete and create) unless the resource gets an alias to the old name.
 * Pure: imports nothing from @pulumi.
 */
import { createHash } from "crypto";
import { awsNameMaxLength, awsTagValueMaxLength } from "../facts/aws";

/**
 * A service name (the catalog key) is a DNS label, as Kubernetes names a Service (RFC 1035): 2-63
 * lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 * Two hyphens in a row are refused too: the service's ECR repository `<project>-<stack>/<service>`
 * must match CreateRepository's repositoryName pattern, runs of a-z0-9 joined by single `.`, `_`
 * or `-` (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html,
 * the pattern ECR's InvalidParameterException quotes). Newer CloudFormation schemas accept runs of
 * hyphens; the sources disagree, so fleet keeps the stricter rule, as the mocks do.
 */
export const serviceNameLength = { min: 2, max: 63 } as const;

/** The rule, as messages state it. */
export const serviceNameRule =
    `a service name is a DNS label of ${serviceNameLength.min}-${serviceNameLength.max} lowercase letters, digits and hyphens, ` +
    "starting with a letter and ending with a letter or digit, with no two hyphens in a row (ECR repository names refuse them)";

/** What is wrong with `name` as a service name, as it reads after the name ("ends with a hyphen"); undefined for a good one. */
export function serviceNameProblem(name: string): string | undefined {
    const refused = [...new Set(name.replace(/[a-z0-9-]/g, ""))];
    if (refused.length > 0) {
        const listed = refused.map((c) => JSON.stringify(c)).join(", ");
        return refused.every((c) => /[A-Z]/.test(c)) ? `has capitals (${listed})` : `has characters a DNS label cannot have (${listed})`;
    }
    const { min, max } = serviceNameLength;
    if (name.length > max) return `is ${name.length} characters, more than ${max}`;
    if (name.length < min) return `is ${name.length} character${name.length === 1 ? "" : "s"}, fewer than ${min}`;
    if (!/^[a-z]/.test(name)) return `starts with "${name[0]}", not a letter`;
    if (name.endsWith("-")) return "ends with a hyphen";
    if (name.includes("--")) return "has two hyphens in a row";
    return undefined;
}

/** A service name close to `name` when capitals or underscores are all that is wrong with it (`Api_Service` → `api-service`). */
export function serviceNameSuggestion(name: string): string | undefined {
    const suggested = name.toLowerCase().replace(/_/g, "-");
    return suggested !== name && serviceNameProblem(suggested) === undefined ? suggested : undefined;
}

/** Pulumi's auto-name of a resource without a `name`: `<logical name>-` and this many random characters. */
export const pulumiAutoNameRandomLength = 7;

/** Hex characters of the name's SHA-256 a shortened name ends with. */
const shortHashLength = 8;

/**
 * `name` as it is when it has at most `max` characters; else its beginning, a hyphen and the first
 * 8 hex characters of the SHA-256 of the whole name (`productcatalogs-3f9a1c2d`). Deterministic, so
 * a logical name is the same on every run; the hash of the full name keeps two long names that
 * share a beginning apart. The result is a service name itself (no trailing or double hyphen).
 */
export function shortenedName(name: string, max: number): string {
    if (name.length <= max) return name;
    const hash = createHash("sha256").update(name).digest("hex").slice(0, shortHashLength);
    return `${name.slice(0, max - shortHashLength - 1).replace(/-+$/, "")}-${hash}`;
}

/**
 * The service's children whose physical name AWS limits below what a 63-character service name
 * needs: Pulumi auto-names them `<logical name>-<7 random characters>`, and AWS refuses a target
 * group name over 32 characters, a role or schedule name over 64 (facts/aws.ts
 * awsNameMaxLength, with the sources). Their logical name is `<service>-<suffix>` with the service
 * shortened (shortenedName) to what the limit leaves. Every budget is at least 21 characters, so a
 * name of 20 or fewer (the old limit) keeps exactly the logical and physical names it had; a
 * longer name is new, so no deployed resource is renamed.
 */
export const limitedServiceChildren = {
    targetGroup: { suffix: "tg", maxLength: awsNameMaxLength.targetGroup, what: "target group" },
    executionRole: { suffix: "exec", maxLength: awsNameMaxLength.iamRole, what: "execution role" },
    taskRole: { suffix: "task", maxLength: awsNameMaxLength.iamRole, what: "task role" },
    jobSchedule: { suffix: "schedule", maxLength: awsNameMaxLength.schedule, what: "job schedule" },
    schedulerRole: { suffix: "scheduler", maxLength: awsNameMaxLength.iamRole, what: "scheduler role" },
} as const;

type LimitedServiceChild = keyof typeof limitedServiceChildren;

/** The service's part of a limited child's logical name: the service name, shortened to leave room for `-<suffix>-<7 characters>`. */
export function limitedServicePart(service: string, child: LimitedServiceChild): string {
    const { suffix, maxLength } = limitedServiceChildren[child];
    return shortenedName(service, maxLength - suffix.length - 1 - (pulumiAutoNameRandomLength + 1));
}

const limitedChildName = (service: string, child: LimitedServiceChild) =>
    `${limitedServicePart(service, child)}-${limitedServiceChildren[child].suffix}`;

/** Two services whose names become the same in a limited child's logical name (model/resolve.ts refuses them). */
export interface ShortNameClash {
    /** The service whose name was shortened. */
    readonly service: string;
    /** The other service: its own name, or its shortened name, is the same. */
    readonly other: string;
    /** The name the two share. */
    readonly name: string;
    /** Which child: "target group". */
    readonly child: string;
    /** AWS's limit on the child's name. */
    readonly maxLength: number;
}

/**
 * Every pair of services whose shortened names clash with each other or with one's full name (the
 * two would register two resources of one type under one logical name), once per pair. With 8 hex
 * characters of a hash this takes a name chosen to clash, but it is refused, not assumed away.
 */
export function shortNameClashes(services: readonly string[]): ShortNameClash[] {
    const clashes: ShortNameClash[] = [];
    const reported = new Set<string>();
    for (const child of Object.keys(limitedServiceChildren) as LimitedServiceChild[]) {
        const byName = new Map<string, string>();
        for (const service of [...services].sort()) {
            const name = limitedServicePart(service, child);
            const first = byName.get(name);
            if (first === undefined) {
                byName.set(name, service);
                continue;
            }
            // Named on the service that was shortened: the other may be exactly that name.
            const [shortened, other] = service === name ? [first, service] : [service, first];
            const pair = [shortened, other].sort().join("\n");
            if (reported.has(pair)) continue;
            reported.add(pair);
            const { what, maxLength } = limitedServiceChildren[child];
            clashes.push({ service: shortened, other, name, child: what, maxLength });
        }
    }
    return clashes;
}

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

/**
 * Characters `<project>-<stack>` may take in a cache prefix: ECR's 30 less `-cache/` and the longest
 * upstream alias, 10 (`docker-hub`, `ecr-public`: model/images.ts, whose test holds them to it).
 */
export const cachePrefixOwnerLength = 30 - "-cache/".length - 10;

/** The physical names of the platform's resources. */
export const platformPhysicalNames = {
    /** The KMS alias of the key encrypting the services' parameters: `alias/<project>-<stack>-secrets`. */
    secretsKeyAlias: (names: StackNames): string => `alias/${names.prefix}-secrets`,
    /** The Cloud Map namespace of the stack's Service Connect: `<project>-<stack>`. */
    serviceConnectNamespace: (names: StackNames): string => names.prefix,
    /**
     * The ECR repository prefix of a stack's pull-through cache rule for one upstream, e.g.
     * `fleet-dev-cache/docker-hub`: the project and the stack, since AWS allows one rule per prefix
     * per account and two projects may have a stack of one name. The prefix is in every cached
     * image's URI; ECR allows it 30 characters (PullThroughCacheRule ecrRepositoryPrefix), so
     * `<project>-<stack>` is shortened (shortenedName) past cachePrefixOwnerLength.
     */
    cachePrefix: (names: StackNames, upstreamAlias: string): string =>
        `${shortenedName(names.prefix, cachePrefixOwnerLength)}-cache/${upstreamAlias}`,
    /** The `Name` tag of a file system: `<project>-<stack>-<file system>`. */
    fileSystemNameTag: (names: StackNames, fileSystem: string): string => `${names.prefix}-${fileSystem}`,
} as const;

/**
 * The logical names of a service's children. Each carries the service's name, so two services
 * never collide and a service's resources are found by name in a plan; where AWS limits the
 * auto-name, a long name is shortened (limitedServiceChildren).
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
        executionRole: limitedChildName(service, "executionRole"),
        taskRole: limitedChildName(service, "taskRole"),
        taskDefinition: `${service}-taskdef`,
        securityGroup: `${service}-sg`,
        ingressFromLoadBalancer: `${service}-from-alb`,
        egress: `${service}-egress`,
        targetGroup: limitedChildName(service, "targetGroup"),
        /** Keyed by the rule's patterns (routing.ts), not its position: reordering routes changes nothing. */
        listenerRule: (key: string) => `${service}-rule-${key}`,
        /** A security-group rule letting this service call another through Service Connect. */
        connectionTo: (target: string) => `${service}-to-${target}`,
        scalingTarget: `${service}-scaling`,
        scalingPolicy: (metric: "cpu" | "requests" | "queue") => `${service}-${metric}`,
        /** A scheduled change of the scaling bounds, keyed by its cron and zone (workloads.ts), not its position. */
        scheduledScaling: (key: string) => `${service}-at-${key}`,
        /** The service's access point to a stack's file system (one per file system it mounts). */
        accessPoint: (fileSystem: string) => `${service}-efs-${fileSystem}`,
        /** The rule admitting this (Fargate) service's group to a file system's mount targets on NFS. */
        nfsTo: (fileSystem: string) => `${service}-nfs-${fileSystem}`,
        /** A job's EventBridge Scheduler schedule. */
        jobSchedule: limitedChildName(service, "jobSchedule"),
        /** The role the scheduler assumes to run the job's task, and its inline policy (two types, one name). */
        schedulerRole: limitedChildName(service, "schedulerRole"),
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

/** AWS's common tag character set (plan/awsRules.ts tagValue, the ECS API Tag reference). */
const notTagCharacter = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

/**
 * Free text (a waiver's reason) as an AWS tag value: quotes and apostrophes dropped, other
 * punctuation a space, white space collapsed, a leading `aws:` (reserved) broken, at most 256
 * characters. The plan shows the reason as written; the tag the policy pack reads carries this.
 */
export function asTagValue(text: string): string {
    return text
        .replace(/['"`\u2018\u2019\u201C\u201D]/g, "")
        .replace(notTagCharacter, " ")
        .replace(/\s+/g, " ")
        .trim()
        .replace(/^(aws):/i, "$1 ")
        .slice(0, awsTagValueMaxLength);
}
