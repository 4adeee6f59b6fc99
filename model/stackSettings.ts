/**
 * Stack-level settings (`fleet:*` keys of `Pulumi.<stack>.yaml`): validated and defaulted here,
 * so that every dev/prod difference is data and components never look at the stack name.
 */
import { Capacity, capacities } from "./catalog";
import { cachePrefix, UpstreamRegistryKey, upstreamRegistries, upstreamRegistryKeys } from "./images";
import { instanceTypes, registeredMemoryMiB } from "./instanceTypes";
import {
    ClusterSettings,
    LoadBalancerSettings,
    NatStrategy,
    NetworkSettings,
    PullThroughCacheSettings,
    PolicyConfig,
    RegistrySettings,
    RetiredService,
    StackSettings,
} from "./resolved";
import { controlIds, minimumReasonLength, waiverReasonPattern } from "../policy/controls";
import { recommendedTlsPolicies } from "../policy/rules";
import { didYouMean, isInteger, isRecord, Problems } from "./problems";

/** The stack keys fleet reads, each a `fleet:<key>` in the stack file. */
export const stackKeys = [
    "domain", "network", "cluster", "loadBalancer", "registry", "logRetentionDays", "protect", "services", "policy", "retired",
] as const;

/** CloudWatch Logs accepts only these retention periods (days). */
export const logRetentionValues = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** TLS 1.3 policies of the ALB (TLS 1.2 still accepted for older clients, TLS 1.0/1.1 refused). */
export const defaultSslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const subjectOf = (key: string) => `stack config fleet:${key}`;
const domainPattern = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const vpcIdPattern = /^vpc-[0-9a-f]{8,17}$/;
const subnetIdPattern = /^subnet-[0-9a-f]{8,17}$/;
const certificatePattern = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
// CloudFormation's pattern for a pull-through cache CredentialArn: the secret's name must start with ecr-pullthroughcache/.
const credentialPattern = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/;
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Reports fields of `value` that are not in `known`, with a suggestion. */
export function checkKnownFields(problems: Problems, subject: string, path: string, value: Record<string, unknown>, known: readonly string[]): void {
    for (const field of Object.keys(value)) {
        if (!known.includes(field)) {
            problems.add(subject, `${path}${field}`, value[field], `unknown field${didYouMean(field, known)}`, `use one of ${known.join(", ")}`);
        }
    }
}

function integerIn(problems: Problems, subject: string, field: string, value: unknown, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (!isInteger(value) || value < min || value > max) {
        problems.add(subject, field, value, `must be a whole number from ${min} to ${max}`, `set a value in that range`);
        return fallback;
    }
    return value;
}

function booleanOr(problems: Problems, subject: string, field: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
        problems.add(subject, field, value, "must be true or false", "write true or false without quotes");
        return fallback;
    }
    return value;
}

function resolveNetwork(problems: Problems, raw: unknown): NetworkSettings {
    const subject = subjectOf("network");
    const fallback: NetworkSettings = { kind: "create", cidrBlock: "10.0.0.0/16", availabilityZones: 2, natGateways: "onePerAz" };
    if (raw === undefined) {
        problems.add(subject, "network", raw, "is required", "set fleet:network to { natGateways: single | onePerAz } or to an existing vpcId with publicSubnetIds and privateSubnetIds");
        return fallback;
    }
    if (!isRecord(raw)) {
        problems.add(subject, "network", raw, "must be an object", "set { natGateways, cidrBlock?, availabilityZones? } or { vpcId, publicSubnetIds, privateSubnetIds }");
        return fallback;
    }
    if (raw.vpcId !== undefined) {
        checkKnownFields(problems, subject, "", raw, ["vpcId", "publicSubnetIds", "privateSubnetIds"]);
        if (typeof raw.vpcId !== "string" || !vpcIdPattern.test(raw.vpcId)) {
            problems.add(subject, "vpcId", raw.vpcId, "is not a VPC id", "use the id of an existing VPC, like vpc-0123456789abcdef0");
        }
        const subnets = (field: "publicSubnetIds" | "privateSubnetIds"): string[] => {
            const value = raw[field];
            if (!Array.isArray(value) || value.length < 2 || !value.every((id) => typeof id === "string" && subnetIdPattern.test(id))) {
                problems.add(subject, field, value, "must list at least two subnet ids in different availability zones (an ALB needs two)", "list ids like subnet-0123456789abcdef0");
                return [];
            }
            return value as string[];
        };
        return {
            kind: "existing",
            vpcId: String(raw.vpcId),
            publicSubnetIds: subnets("publicSubnetIds"),
            privateSubnetIds: subnets("privateSubnetIds"),
        };
    }
    checkKnownFields(problems, subject, "", raw, ["cidrBlock", "availabilityZones", "natGateways", "vpcId", "publicSubnetIds", "privateSubnetIds"]);
    if (raw.publicSubnetIds !== undefined || raw.privateSubnetIds !== undefined) {
        problems.add(subject, "vpcId", raw.vpcId, "subnet ids were given without the VPC they belong to", "add vpcId, or remove the subnet ids to create a VPC");
    }
    const cidrBlock = raw.cidrBlock ?? fallback.cidrBlock;
    const cidr = typeof cidrBlock === "string" ? cidrPattern.exec(cidrBlock) : null;
    if (!cidr || cidr.slice(1, 5).some((octet) => Number(octet) > 255) || Number(cidr[5]) < 16 || Number(cidr[5]) > 24) {
        problems.add(subject, "cidrBlock", cidrBlock, "must be an IPv4 CIDR from /16 to /24 (AWS allows /16-/28; subnets need room)", "use a private range such as 10.20.0.0/16");
    }
    const availabilityZones = integerIn(problems, subject, "availabilityZones", raw.availabilityZones, 2, 6, 2);
    const natGateways = raw.natGateways ?? fallback.natGateways;
    const strategies: NatStrategy[] = ["single", "onePerAz"];
    if (!strategies.includes(natGateways as NatStrategy)) {
        problems.add(
            subject,
            "natGateways",
            natGateways,
            natGateways === "none"
                ? "leaves private subnets with no route to ECR, CloudWatch Logs and SSM, so tasks cannot start (fleet creates no VPC endpoints)"
                : "is not a NAT strategy",
            "use single (one NAT gateway, cheaper) or onePerAz (survives the loss of an availability zone)",
        );
    }
    return {
        kind: "create",
        cidrBlock: String(cidrBlock),
        availabilityZones,
        natGateways: strategies.includes(natGateways as NatStrategy) ? (natGateways as NatStrategy) : "onePerAz",
    };
}

function resolveCluster(problems: Problems, raw: unknown): ClusterSettings {
    const subject = subjectOf("cluster");
    const value = raw ?? {};
    if (!isRecord(value)) {
        problems.add(subject, "cluster", raw, "must be an object", "set { defaultCapacity, containerInsights?, ec2? }");
        return { containerInsights: "enabled", defaultCapacity: "fargate" };
    }
    checkKnownFields(problems, subject, "", value, ["containerInsights", "defaultCapacity", "ec2"]);
    const insights = value.containerInsights ?? "enabled";
    const insightValues = ["enabled", "enhanced", "disabled"];
    if (!insightValues.includes(insights as string)) {
        problems.add(subject, "containerInsights", insights, "is not a Container Insights setting", "use enabled, enhanced or disabled");
    }
    const defaultCapacity = value.defaultCapacity ?? "fargate";
    if (!capacities.includes(defaultCapacity as Capacity)) {
        problems.add(subject, "defaultCapacity", defaultCapacity, "is not a capacity", `use one of ${capacities.join(", ")}`);
    }
    let ec2: ClusterSettings["ec2"];
    if (value.ec2 !== undefined) {
        const raw2 = value.ec2;
        if (!isRecord(raw2)) {
            problems.add(subject, "ec2", raw2, "must be an object", "set { instanceType, minSize, maxSize }");
        } else {
            checkKnownFields(problems, subject, "ec2.", raw2, ["instanceType", "minSize", "maxSize", "targetCapacityPercent", "reservedMemoryMiB", "rootVolumeGiB"]);
            const type = typeof raw2.instanceType === "string" ? instanceTypes[raw2.instanceType] : undefined;
            if (!type) {
                problems.add(
                    subject,
                    "ec2.instanceType",
                    raw2.instanceType,
                    `is not an instance type fleet can size tasks for${didYouMean(String(raw2.instanceType), Object.keys(instanceTypes))}`,
                    `use one of ${Object.keys(instanceTypes).join(", ")}, or add the type to model/instanceTypes.ts`,
                );
            }
            const minSize = integerIn(problems, subject, "ec2.minSize", raw2.minSize, 0, 1000, 0);
            const maxSize = integerIn(problems, subject, "ec2.maxSize", raw2.maxSize ?? -1, 1, 1000, 1);
            if (minSize > maxSize) {
                problems.add(subject, "ec2.minSize", minSize, `is above ec2.maxSize (${maxSize})`, "lower minSize or raise maxSize");
            }
            const reservedMemoryMiB = integerIn(problems, subject, "ec2.reservedMemoryMiB", raw2.reservedMemoryMiB, 0, 4096, 256);
            ec2 = {
                instanceType: String(raw2.instanceType),
                architecture: type?.architecture ?? "x86_64",
                minSize,
                maxSize,
                targetCapacityPercent: integerIn(problems, subject, "ec2.targetCapacityPercent", raw2.targetCapacityPercent, 1, 100, 100),
                reservedMemoryMiB,
                registeredMemoryMiB: type ? registeredMemoryMiB(type, reservedMemoryMiB) : 0,
                rootVolumeGiB: integerIn(problems, subject, "ec2.rootVolumeGiB", raw2.rootVolumeGiB, 30, 16384, 30),
            };
        }
    }
    if (defaultCapacity === "ec2" && ec2 === undefined) {
        problems.add(subject, "defaultCapacity", defaultCapacity, "needs EC2 capacity, but fleet:cluster.ec2 is not set", "add cluster.ec2 { instanceType, minSize, maxSize } or choose fargate / fargate-spot");
    }
    return {
        containerInsights: insightValues.includes(insights as string) ? (insights as ClusterSettings["containerInsights"]) : "enabled",
        defaultCapacity: capacities.includes(defaultCapacity as Capacity) ? (defaultCapacity as Capacity) : "fargate",
        ec2,
    };
}

function resolveLoadBalancer(problems: Problems, raw: unknown): LoadBalancerSettings {
    const subject = subjectOf("loadBalancer");
    const value = raw ?? {};
    const fallback: LoadBalancerSettings = { sslPolicy: defaultSslPolicy, deletionProtection: false, idleTimeoutSeconds: 60 };
    if (!isRecord(value)) {
        problems.add(subject, "loadBalancer", raw, "must be an object", "set { certificateArn?, deletionProtection?, accessLogs? }");
        return fallback;
    }
    checkKnownFields(problems, subject, "", value, ["certificateArn", "sslPolicy", "deletionProtection", "idleTimeoutSeconds", "accessLogs"]);
    if (value.certificateArn !== undefined && (typeof value.certificateArn !== "string" || !certificatePattern.test(value.certificateArn))) {
        problems.add(subject, "certificateArn", value.certificateArn, "is not an ACM certificate ARN", "use arn:aws:acm:<region>:<account>:certificate/<id> of a certificate in the stack's region");
    }
    const sslPolicy = value.sslPolicy ?? defaultSslPolicy;
    if (typeof sslPolicy !== "string" || !recommendedTlsPolicies.includes(sslPolicy)) {
        problems.add(subject, "sslPolicy", sslPolicy, "is not a TLS 1.3 policy that refuses TLS 1.0 and 1.1 (Security Hub ELB.17)", `use ${defaultSslPolicy} or one of ${recommendedTlsPolicies.filter((p) => p !== defaultSslPolicy).join(", ")}`);
    }
    let accessLogs: LoadBalancerSettings["accessLogs"];
    if (value.accessLogs !== undefined) {
        const logs = value.accessLogs;
        if (!isRecord(logs) || typeof logs.bucket !== "string" || !bucketPattern.test(logs.bucket)) {
            problems.add(subject, "accessLogs.bucket", isRecord(logs) ? logs.bucket : logs, "is not an S3 bucket name", "name an existing bucket whose policy lets the ELB service write to it");
        } else {
            checkKnownFields(problems, subject, "accessLogs.", logs, ["bucket", "prefix"]);
            if (logs.prefix !== undefined && (typeof logs.prefix !== "string" || logs.prefix.startsWith("/") || logs.prefix.endsWith("/") || /AWSLogs/.test(logs.prefix))) {
                problems.add(subject, "accessLogs.prefix", logs.prefix, "must not start or end with / or contain AWSLogs (AWS adds it)", "use a plain prefix such as alb/dev");
            }
            accessLogs = { bucket: logs.bucket, prefix: typeof logs.prefix === "string" ? logs.prefix : undefined };
        }
    }
    return {
        certificateArn: typeof value.certificateArn === "string" ? value.certificateArn : undefined,
        sslPolicy: String(sslPolicy),
        deletionProtection: booleanOr(problems, subject, "deletionProtection", value.deletionProtection, false),
        idleTimeoutSeconds: integerIn(problems, subject, "idleTimeoutSeconds", value.idleTimeoutSeconds, 1, 4000, 60),
        accessLogs,
    };
}

function resolveRegistry(problems: Problems, raw: unknown, stack: string): RegistrySettings {
    const subject = subjectOf("registry");
    const value = raw ?? {};
    if (!isRecord(value)) {
        problems.add(subject, "registry", raw, "must be an object", "set { keepImages?, pullThroughCache? }");
        return { keepImages: 20, pullThroughCache: [] };
    }
    checkKnownFields(problems, subject, "", value, ["keepImages", "pullThroughCache"]);
    const caches: PullThroughCacheSettings[] = [];
    const rawCaches = value.pullThroughCache ?? {};
    if (!isRecord(rawCaches)) {
        problems.add(subject, "pullThroughCache", rawCaches, "must be an object keyed by upstream registry", `use keys among ${upstreamRegistryKeys.join(", ")}`);
    } else {
        for (const [key, settings] of Object.entries(rawCaches)) {
            if (!(upstreamRegistryKeys as string[]).includes(key)) {
                const unsupported = /gcr|google/i.test(key) ? "AWS's pull-through cache does not support Google Container Registry" : `is not an upstream registry ECR can cache${didYouMean(key, upstreamRegistryKeys)}`;
                problems.add(subject, `pullThroughCache.${key}`, settings, unsupported, `use keys among ${upstreamRegistryKeys.join(", ")}`);
                continue;
            }
            const registry = key as UpstreamRegistryKey;
            const upstream = upstreamRegistries[registry];
            const entry = settings ?? {};
            if (!isRecord(entry)) {
                problems.add(subject, `pullThroughCache.${key}`, settings, "must be an object", upstream.needsCredential ? "set { credentialArn }" : "set {}");
                continue;
            }
            checkKnownFields(problems, subject, `pullThroughCache.${key}.`, entry, ["credentialArn"]);
            if (upstream.needsCredential) {
                if (typeof entry.credentialArn !== "string" || !credentialPattern.test(entry.credentialArn)) {
                    problems.add(
                        subject,
                        `pullThroughCache.${key}.credentialArn`,
                        entry.credentialArn,
                        `AWS requires a Secrets Manager credential for ${upstream.url}, whose secret name starts with ecr-pullthroughcache/`,
                        `create the secret (aws secretsmanager create-secret --name ecr-pullthroughcache/${upstream.alias} ...) and set its ARN here`,
                    );
                }
            } else if (entry.credentialArn !== undefined) {
                problems.add(subject, `pullThroughCache.${key}.credentialArn`, entry.credentialArn, `${upstream.url} is public and takes no credential`, "remove credentialArn");
            }
            const prefix = cachePrefix(stack, registry);
            if (prefix.length > 30) {
                problems.add(subject, `pullThroughCache.${key}`, prefix, "the rule's ECR repository prefix exceeds AWS's 30 characters", "use a shorter stack name");
            }
            caches.push({ registry, prefix, credentialArn: typeof entry.credentialArn === "string" ? entry.credentialArn : undefined });
        }
    }
    return { keepImages: integerIn(problems, subject, "keepImages", value.keepImages, 1, 1000, 20), pullThroughCache: caches };
}

export function reason(problems: Problems, subject: string, field: string, value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim().length < minimumReasonLength) {
        problems.add(subject, field, value, `needs a reason (at least ${minimumReasonLength} characters)`, "write why, for the reviewers of this stack");
        return undefined;
    }
    if (!waiverReasonPattern.test(value.trim())) {
        problems.add(subject, field, value, "is stored as an AWS tag, which allows only letters, digits, spaces and _ . : / = + - @ (at most 256 characters)", "reword it without other punctuation");
        return undefined;
    }
    return value.trim();
}

/** `fleet:policy`: { enforcement, waivers: { <service | platform>: { <control>: <reason> } } }. Service names are checked against the catalog later. */
function resolvePolicy(problems: Problems, raw: unknown): PolicyConfig {
    const subject = subjectOf("policy");
    const value = raw ?? {};
    if (!isRecord(value)) {
        problems.add(subject, "policy", raw, "must be an object", "set { enforcement: mandatory | advisory, waivers? }");
        return { enforcement: "mandatory", waivers: {} };
    }
    checkKnownFields(problems, subject, "", value, ["enforcement", "waivers"]);
    const enforcement = value.enforcement ?? "mandatory";
    if (enforcement !== "mandatory" && enforcement !== "advisory") {
        problems.add(subject, "enforcement", enforcement, "is not an enforcement level", "use mandatory (violations fail the plan and the preview) or advisory (they warn)");
    }
    const waivers: Record<string, Record<string, string>> = {};
    const rawWaivers = value.waivers ?? {};
    if (!isRecord(rawWaivers)) {
        problems.add(subject, "waivers", rawWaivers, "must map a service (or platform) to { <control>: <reason> }", "write waivers: { platform: { ELB.5: \"no log bucket in dev\" } }");
    } else {
        for (const [scope, controls] of Object.entries(rawWaivers)) {
            if (!isRecord(controls)) {
                problems.add(subject, `waivers.${scope}`, controls, "must map control ids to reasons", "write { ECS.5: \"why\" }");
                continue;
            }
            for (const [control, why] of Object.entries(controls)) {
                if (!controlIds.includes(control)) {
                    problems.add(subject, `waivers.${scope}.${control}`, why, `is not a fleet control${didYouMean(control, controlIds)}`, `use one of ${controlIds.join(", ")}`);
                    continue;
                }
                const text = reason(problems, subject, `waivers.${scope}.${control}`, why);
                if (text) waivers[scope] = { ...waivers[scope], [control]: text };
            }
        }
    }
    return { enforcement: enforcement === "advisory" ? "advisory" : "mandatory", waivers };
}

const parameterNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `fleet:retired`: services removed from the catalog on purpose, and what of theirs to keep. */
function resolveRetired(problems: Problems, raw: unknown): RetiredService[] {
    const subject = subjectOf("retired");
    const value = raw ?? {};
    if (!isRecord(value)) {
        problems.add(subject, "retired", raw, "must map a service name to { reason, repository?, parameters?, release? }", "write retired: { docs: { reason: \"replaced by the new docs site\" } }");
        return [];
    }
    const retired: RetiredService[] = [];
    for (const [name, entry] of Object.entries(value)) {
        if (!isRecord(entry)) {
            problems.add(subject, name, entry, "must be { reason, repository?, parameters?, release? }", "give at least the reason");
            continue;
        }
        checkKnownFields(problems, subject, `${name}.`, entry, ["reason", "repository", "parameters", "release"]);
        const why = reason(problems, subject, `${name}.reason`, entry.reason);
        const parameters = entry.parameters ?? [];
        if (!Array.isArray(parameters) || !parameters.every((p) => typeof p === "string" && parameterNamePattern.test(p))) {
            problems.add(subject, `${name}.parameters`, parameters, "must list the variable names of the service's secrets", "write parameters: [DATABASE_PASSWORD]");
        }
        retired.push({
            name,
            reason: why ?? "",
            repository: booleanOr(problems, subject, `${name}.repository`, entry.repository, false),
            parameters: Array.isArray(parameters) ? parameters.filter((p): p is string => typeof p === "string").sort() : [],
            release: booleanOr(problems, subject, `${name}.release`, entry.release, false),
        });
    }
    return retired.sort((a, b) => a.name.localeCompare(b.name));
}

/** Validates and defaults the stack-level keys. `config` holds the `fleet:*` values, keys without the namespace. */
export function resolveStackSettings(problems: Problems, stack: string, config: Readonly<Record<string, unknown>>): StackSettings {
    if (!/^[a-z][a-z0-9-]{0,11}$/.test(stack)) {
        problems.add(
            "stack",
            "name",
            stack,
            "must be 1-12 lowercase letters, digits or hyphens starting with a letter (it prefixes ECR repositories, SSM paths and log groups, and pull-through cache prefixes are limited to 30 characters)",
            "rename the stack (pulumi stack rename)",
        );
    }
    let domain: string | undefined;
    if (config.domain !== undefined) {
        if (typeof config.domain !== "string" || !domainPattern.test(config.domain)) {
            problems.add(subjectOf("domain"), "domain", config.domain, "is not a lowercase DNS domain", "use a domain such as dev.example.com");
        } else {
            domain = config.domain;
        }
    }
    const logRetentionDays = config.logRetentionDays ?? 30;
    if (!(logRetentionValues as readonly unknown[]).includes(logRetentionDays)) {
        problems.add(subjectOf("logRetentionDays"), "logRetentionDays", logRetentionDays, "is not a retention CloudWatch Logs accepts", `use one of ${logRetentionValues.join(", ")}`);
    }
    return {
        domain,
        network: resolveNetwork(problems, config.network),
        cluster: resolveCluster(problems, config.cluster),
        loadBalancer: resolveLoadBalancer(problems, config.loadBalancer),
        registry: resolveRegistry(problems, config.registry, stack),
        logRetentionDays: typeof logRetentionDays === "number" ? logRetentionDays : 30,
        protect: booleanOr(problems, subjectOf("protect"), "protect", config.protect, false),
        policy: resolvePolicy(problems, config.policy),
        retired: resolveRetired(problems, config.retired),
    };
}
