/**
 * Stack-level settings (`fleet:*` keys of `Pulumi.<stack>.yaml`) as a zod schema: validated and
 * defaulted here, so that every dev/prod difference is data and components never look at the
 * stack name. `npm run schema` turns it into `schema/stack.schema.json`.
 */
import { z } from "zod";
import { arnRegion, dnsDomainPattern, isS3BucketName, s3BucketPattern } from "./awsNames";
import { capacitySchema, envNamePattern, reasonSchema, serviceSchema } from "./catalog";
import { cachePrefix, upstreamRegistries, upstreamRegistryKeys } from "./images";
import { stackNames } from "./naming";
import {
    awsvpcTaskLimit,
    InstanceType,
    instanceTypes,
    registeredMemoryMiB,
    spotLaunchTypes,
    spotTypeCandidates,
    spotTypeFits,
    sustainedVcpus,
} from "./instanceTypes";
import type { PullThroughCacheSettings, RetiredService, StackSettings } from "./fleet";
import {
    DeepReadonly,
    domainError,
    fieldList,
    nameError,
    fieldOf,
    fieldsObject,
    flag,
    refuse,
    reportIssues,
    said,
    saying,
    unknownKeysSay,
    whenValid,
    wholeNumber,
} from "./schema";
import { controlIds, minimumReasonLength } from "../facts/controls";
import { dnsSchema } from "./dns";
import { defaultOnDemandBase, defaultSslPolicy } from "../facts/fleet";
import { capacityProviderStrategy, recommendedTlsPolicies, serviceConnectAgentOnEc2 } from "../facts/aws";
import { didYouMean, isRecord, Problems } from "./problems";
import { efsNameFix, efsNamePattern, efsNameProblem } from "./volumes";
import { alertSettings, alertsSchema } from "./alerts";

export { defaultSslPolicy };

/** CloudWatch Logs accepts only these retention periods (days). */
export const logRetentionValues = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const vpcIdPattern = /^vpc-[0-9a-f]{8,17}$/;
const subnetIdPattern = /^subnet-[0-9a-f]{8,17}$/;
const certificatePattern = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
// CloudFormation's pattern for a pull-through cache CredentialArn: the secret's name must start with ecr-pullthroughcache/.
const credentialPattern = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/;

const inRange = (min: number, max: number) => wholeNumber(min, max, "set a value in that range");

const subnetError = said(
    "stack/subnet-ids-invalid",
    "must list at least two subnet ids in different availability zones (an ALB needs two)",
    "list ids like subnet-0123456789abcdef0",
);
const subnetIds = z.array(z.string().regex(subnetIdPattern, { error: subnetError }), { error: subnetError }).min(2, { error: subnetError });

const existingNetworkFields = {
    /** An existing VPC, e.g. `vpc-0123456789abcdef0`. */
    vpcId: z.string().regex(vpcIdPattern, {
        error: said("stack/vpc-id-invalid", "is not a VPC id", "use the id of an existing VPC, like vpc-0123456789abcdef0"),
    }),
    /** Its public subnets (the ALB), in two availability zones at least. */
    publicSubnetIds: subnetIds,
    /** Its private subnets (the tasks), in two availability zones at least. */
    privateSubnetIds: subnetIds,
};
const existingNetwork = z
    .strictObject(existingNetworkFields)
    .superRefine((network, ctx) => {
        for (const field of ["publicSubnetIds", "privateSubnetIds"] as const) {
            // The ALB needs two subnets in two zones: a repeated id counts once.
            const repeated = network[field].filter((id, i) => network[field].indexOf(id) !== i);
            if (repeated.length > 0) {
                refuse(
                    ctx,
                    "stack/subnet-repeated",
                    [field],
                    network[field],
                    `lists ${repeated.join(", ")} twice`,
                    "list each subnet once, one per availability zone",
                );
            }
        }
        // Tasks in a public subnet without a public IP reach neither ECR nor CloudWatch Logs, so they never start.
        const both = network.privateSubnetIds.filter((id) => network.publicSubnetIds.includes(id));
        if (both.length > 0) {
            refuse(
                ctx,
                "stack/private-subnet-also-public",
                ["privateSubnetIds"],
                network.privateSubnetIds,
                `names ${both.join(", ")}, also listed in publicSubnetIds: tasks would run in a subnet routed to ` +
                    "the internet gateway, without a public IP, and could not pull images",
                "list the subnets whose default route goes to a NAT gateway",
            );
        }
    }, whenValid)
    .transform((network) => ({ kind: "existing" as const, ...network }));

const subnetsWithoutVpc = (key: string) => /SubnetIds$/.test(key);
const createNetworkFields = {
    /** The VPC's IPv4 range, /16 to /24. @default "10.0.0.0/16" */
    cidrBlock: z
        .string()
        .refine(
            (cidr) => {
                const parts = cidrPattern.exec(cidr);
                return (
                    parts !== null &&
                    parts.slice(1, 5).every((octet) => Number(octet) <= 255) &&
                    Number(parts[5]) >= 16 &&
                    Number(parts[5]) <= 24
                );
            },
            {
                error: said(
                    "stack/cidr-invalid",
                    "must be an IPv4 CIDR from /16 to /24 (AWS allows /16-/28; subnets need room)",
                    "use a private range such as 10.20.0.0/16",
                ),
            },
        )
        .default("10.0.0.0/16"),
    /** Availability zones to spread subnets over. @default 2 */
    availabilityZones: inRange(2, 6).default(2),
    /** NAT gateways: `single` (cheaper) or `onePerAz` (survives the loss of a zone). @default "onePerAz" */
    natGateways: z
        .enum(["single", "onePerAz"], {
            error: said(
                (value) => (value === "none" ? "stack/no-nat-gateways" : "invalid-choice"),
                (value) =>
                    value === "none"
                        ? "leaves private subnets with no route to ECR, CloudWatch Logs and SSM, " +
                          "so tasks cannot start (fleet creates no VPC endpoints)"
                        : "is not a NAT strategy",
                "use single (one NAT gateway, cheaper) or onePerAz (survives the loss of an availability zone)",
            ),
        })
        .default("onePerAz"),
};
const createKeys = Object.keys(createNetworkFields);
const createNetwork = unknownKeysSay(
    z.strictObject(createNetworkFields),
    (key) => (subnetsWithoutVpc(key) ? "stack/subnets-without-vpc" : "unknown-field"),
    (key) =>
        subnetsWithoutVpc(key) ? "subnet ids were given without the VPC they belong to" : `unknown field${didYouMean(key, createKeys)}`,
    (key) =>
        subnetsWithoutVpc(key)
            ? "add vpcId, or remove the subnet ids to create a VPC"
            : `use one of ${createKeys.join(", ")}, or vpcId with publicSubnetIds and privateSubnetIds`,
).transform((network) => ({ kind: "create" as const, ...network }));

/** An instance type fleet knows the memory of (model/instanceTypes.ts). */
const instanceTypeName = () =>
    z.string().refine((type) => type in instanceTypes, {
        error: said(
            "stack/instance-type-unknown",
            (value) => `is not an instance type fleet can size tasks for${didYouMean(String(value), Object.keys(instanceTypes))}`,
            `use one of ${Object.keys(instanceTypes).join(", ")}, or add the type to model/instanceTypes.ts`,
        ),
    });

/**
 * `fleet:cluster.ec2.spot`: a second Auto Scaling group, of Spot instances, with its own ECS capacity
 * provider, for services with capacity `ec2-spot`. Its own group rather than Spot inside the
 * on-demand group: ECS places a task on a capacity provider, not on a purchase option, so only a
 * provider of its own lets a service keep a base of tasks on on-demand instances (its strategy's
 * base) and the rest on Spot, while `ec2` services stay on on-demand alone. It shares the on-demand
 * group's launch template, security group and instance profile.
 */
const spotSchema = fieldsObject({
    /**
     * Instance types the Spot group may launch besides `fleet:cluster.ec2.instanceType`, which it
     * always may: each more type is more Spot capacity pools, so fewer interruptions. Each of the
     * main type's architecture (the group launches from its launch template and AMI), and no smaller
     * in memory, vCPUs or a burstable type's baseline: ECS managed scaling sizes a group of several
     * types by the smallest, so tasks sized for the main type fit any of them. @default []
     */
    instanceTypes: z
        .array(instanceTypeName(), { error: said("not-a-list", "must be a list of instance types", "write e.g. [m7i.large, m6i.xlarge]") })
        .default([]),
    /** Fewest Spot instances. @default 0 */
    minSize: inRange(0, 1000).default(0),
    /** Most Spot instances. */
    maxSize: inRange(1, 1000),
    /**
     * Tasks of each `ec2-spot` service kept on on-demand EC2 (its capacity provider strategy's base):
     * an interruption of Spot capacity never takes the service down to zero. A job's run is one
     * task, started on Spot. @default 1
     */
    onDemandBase: inRange(0, capacityProviderStrategy.maxBase).default(defaultOnDemandBase),
}).superRefine((spot, ctx) => {
    if (spot.minSize > spot.maxSize) {
        refuse(
            ctx,
            "stack/ec2-min-above-max",
            ["minSize"],
            spot.minSize,
            `is above ec2.spot.maxSize (${spot.maxSize})`,
            "lower minSize or raise maxSize",
        );
    }
}, whenValid);

/** Problems of the Spot group's listed types against the main type (model/instanceTypes.ts spotTypeFits). */
function refuseSpotTypes(ctx: z.RefinementCtx, mainName: string, listed: readonly string[]): void {
    const main = instanceTypes[mainName];
    const candidates = spotTypeCandidates(mainName);
    const suggestion = candidates.length
        ? `such as ${candidates.slice(0, 3).join(", ")}`
        : `(none fleet knows: add one to model/instanceTypes.ts)`;
    listed.forEach((name, i) => {
        const type = instanceTypes[name];
        const fit = spotTypeFits(main, type);
        if (fit === "architecture") {
            refuse(
                ctx,
                "stack/spot-instance-type-architecture",
                ["spot", "instanceTypes", i],
                name,
                `is ${type.architecture}, but ec2.instanceType ${mainName} is ${main.architecture}: the Spot group launches ` +
                    "from the same launch template, whose AMI is for one architecture",
                `list ${main.architecture} types ${suggestion}`,
            );
        } else if (fit === "smaller") {
            const burstable = (t: InstanceType) => (t.baselineCpuFraction === undefined ? "" : ` (${sustainedVcpus(t)} sustained)`);
            refuse(
                ctx,
                "stack/spot-instance-type-smaller",
                ["spot", "instanceTypes", i],
                name,
                `has ${type.memoryMiB} MiB and ${type.vcpus} vCPUs${burstable(type)}, less than ec2.instanceType ${mainName} ` +
                    `(${main.memoryMiB} MiB, ${main.vcpus} vCPUs${burstable(main)}): ECS managed scaling sizes a group by its ` +
                    `smallest type, so tasks sized for ${mainName} could wait unplaced`,
                `list types with at least ${main.memoryMiB} MiB and ${main.vcpus} vCPUs ${suggestion}`,
            );
        }
    });
}

const ec2Schema = fieldsObject({
    /** An instance type fleet knows the memory of (model/instanceTypes.ts). */
    instanceType: instanceTypeName(),
    /** Fewest instances. @default 0 */
    minSize: inRange(0, 1000).default(0),
    /** Most instances. */
    maxSize: inRange(1, 1000),
    /** Managed scaling target: percent of the group's capacity tasks may reserve. @default 100 */
    targetCapacityPercent: inRange(1, 100).default(100),
    /** `ECS_RESERVED_MEMORY`: MiB kept back from tasks for the agent and system processes. @default 256 */
    reservedMemoryMiB: inRange(0, 4096).default(256),
    /** Root volume size. @default 30 */
    rootVolumeGiB: inRange(30, 16384).default(30),
    /**
     * The account's `awsvpcTrunking` ECS setting is on (`aws ecs put-account-setting-default --name
     * awsvpcTrunking --value enabled`): each instance holds more awsvpc tasks (Service Connect
     * services on EC2 run in awsvpc), and the plan's capacity counts that many. @default false
     */
    eniTrunking: flag().default(false),
    /**
     * What an EC2 task in Service Connect reserves for the agent ECS adds to it. ECS requires task
     * memory above the containers' limits on EC2 (at least 1 MiB more) and no task CPU; AWS
     * recommends 64 MiB or more for the agent, 256 CPU units from 500 requests a second. CPU 0 sets
     * no task CPU, so the agent shares the instance's CPU by weight and the task is not capped; a
     * CPU above 0 sets task CPU to the container's plus this, which also caps the task.
     * @default { memoryMiB: 64, cpu: 0 }
     */
    serviceConnectAgent: fieldsObject({
        /** MiB added to the container's limit for the task's memory. @default 64 */
        memoryMiB: inRange(1, 4096).default(serviceConnectAgentOnEc2.memoryMiB),
        /** CPU units added to the container's for a task CPU; 0 sets none. @default 0 */
        cpu: inRange(0, 4096).default(serviceConnectAgentOnEc2.cpu),
    }).prefault({}),
    /** Spot capacity for services with capacity `ec2-spot`: a second Auto Scaling group of Spot instances. @default none */
    spot: spotSchema.optional(),
})
    .superRefine((ec2, ctx) => {
        if (ec2.minSize > ec2.maxSize) {
            refuse(
                ctx,
                "stack/ec2-min-above-max",
                ["minSize"],
                ec2.minSize,
                `is above ec2.maxSize (${ec2.maxSize})`,
                "lower minSize or raise maxSize",
            );
        }
        if (ec2.spot) refuseSpotTypes(ctx, ec2.instanceType, ec2.spot.instanceTypes);
    }, whenValid)
    .transform(({ spot, ...ec2 }) => {
        const type = instanceTypes[ec2.instanceType];
        return {
            ...ec2,
            architecture: type.architecture,
            registeredMemoryMiB: registeredMemoryMiB(type, ec2.reservedMemoryMiB),
            awsvpcTasksPerInstance: awsvpcTaskLimit(type, ec2.eniTrunking),
            // Absent, not undefined, without spot: the settings of a stack without it read as before.
            ...(spot ? { spot: { ...spot, launchTypes: spotLaunchTypes(ec2.instanceType, spot.instanceTypes) } } : {}),
        };
    });

const clusterSchema = fieldsObject({
    /** CloudWatch Container Insights. @default "enabled" */
    containerInsights: z
        .enum(["enabled", "enhanced", "disabled"], {
            error: said("invalid-choice", "is not a Container Insights setting", "use enabled, enhanced or disabled"),
        })
        .default("enabled"),
    /** Where services run unless they say otherwise. @default "fargate" */
    defaultCapacity: capacitySchema.default("fargate"),
    /** EC2 capacity (an Auto Scaling group of ECS-optimised instances). @default none */
    ec2: ec2Schema.optional(),
}).superRefine((cluster, ctx) => {
    if (cluster.defaultCapacity === "ec2" && cluster.ec2 === undefined) {
        refuse(
            ctx,
            "stack/default-capacity-without-ec2",
            ["defaultCapacity"],
            "ec2",
            "needs EC2 capacity, but fleet:cluster.ec2 is not set",
            "add cluster.ec2 { instanceType, minSize, maxSize } or choose fargate / fargate-spot",
        );
    }
    if (cluster.defaultCapacity === "ec2-spot" && cluster.ec2?.spot === undefined) {
        refuse(
            ctx,
            "stack/default-capacity-without-ec2-spot",
            ["defaultCapacity"],
            "ec2-spot",
            "needs EC2 Spot capacity, but fleet:cluster.ec2.spot is not set",
            cluster.ec2
                ? "add cluster.ec2.spot { maxSize } or choose ec2 / fargate-spot"
                : "add cluster.ec2 { instanceType, minSize, maxSize, spot: { maxSize } } or choose fargate / fargate-spot",
        );
    }
}, whenValid);

const bucketError = {
    error: nameError(
        "stack/access-log-bucket-invalid",
        "is not an S3 bucket name",
        "name an existing bucket whose policy lets the ELB service write to it",
    ),
};
const loadBalancerSchema = fieldsObject({
    /**
     * An ACM certificate of the stack's region (certificates are regional): HTTPS with a TLS 1.3 policy and an HTTP
     * redirect when set. @default none: HTTP only, or the certificate fleet:dns makes
     */
    certificateArn: z
        .string()
        .regex(certificatePattern, {
            error: said(
                "stack/certificate-arn-invalid",
                "is not an ACM certificate ARN",
                "use arn:aws:acm:<region>:<account>:certificate/<id> of a certificate in the stack's region",
            ),
        })
        .optional(),
    /** A TLS 1.3 policy (Security Hub ELB.17). @default "ELBSecurityPolicy-TLS13-1-2-2021-06" (facts/fleet.ts) */
    sslPolicy: z
        .string()
        .refine((policy) => recommendedTlsPolicies.includes(policy), {
            error: said(
                "stack/ssl-policy-not-tls13",
                "is not a TLS 1.3 policy that refuses TLS 1.0 and 1.1 (Security Hub ELB.17)",
                `use ${defaultSslPolicy} or one of ${recommendedTlsPolicies.filter((p) => p !== defaultSslPolicy).join(", ")}`,
            ),
        })
        .default(defaultSslPolicy),
    /** ALB deletion protection (Security Hub ELB.6): AWS refuses to delete the load balancer while it is on. @default false */
    deletionProtection: flag().default(false),
    /** Seconds the ALB keeps an idle connection open. @default 60 */
    idleTimeoutSeconds: inRange(1, 4000).default(60),
    /** ALB access logs to an existing bucket (Security Hub ELB.5). @default none */
    accessLogs: z
        .strictObject({
            /** An existing S3 bucket that Elastic Load Balancing may write to. */
            bucket: z.string().regex(s3BucketPattern, bucketError).refine(isS3BucketName, bucketError),
            /** The log objects' prefix, without a leading or trailing `/` (AWS adds `AWSLogs/<account>/`). @default none */
            prefix: z
                .string()
                .refine((prefix) => !prefix.startsWith("/") && !prefix.endsWith("/") && !/AWSLogs/.test(prefix), {
                    error: said(
                        "stack/access-log-prefix-invalid",
                        "must not start or end with / or contain AWSLogs (AWS adds it)",
                        "use a plain prefix such as alb/dev",
                    ),
                })
                .optional(),
        })
        .optional(),
});

const cacheKeys = `use keys among ${upstreamRegistryKeys.join(", ")}`;
const pullThroughCacheSchema = unknownKeysSay(
    z
        .partialRecord(
            z.enum(upstreamRegistryKeys as [string, ...string[]]),
            z
                .strictObject(
                    {
                        /**
                         * The Secrets Manager secret holding the upstream's `username` and `accessToken`, named
                         * `ecr-pullthroughcache/<anything>` (AWS requires the prefix: ECR's pull-through service-linked
                         * role may read only it), in the stack's account and region: required for `docker-hub`,
                         * `github-container-registry` and `gitlab-container-registry`, refused for the public ones.
                         */
                        credentialArn: z.string().optional(),
                    },
                    { error: said("not-an-object", "must be an object", "set { credentialArn } or {}") },
                )
                .nullable()
                .transform((entry) => entry ?? {}),
            { error: said("not-an-object", "must be an object keyed by upstream registry", cacheKeys) },
        )
        .superRefine((caches, ctx) => {
            for (const [key, entry] of Object.entries(caches)) {
                const upstream = upstreamRegistries[key as keyof typeof upstreamRegistries];
                const credentialArn = entry?.credentialArn;
                const path = [key, "credentialArn"];
                if (upstream.needsCredential && (credentialArn === undefined || !credentialPattern.test(credentialArn))) {
                    refuse(
                        ctx,
                        "stack/cache-credential-required",
                        path,
                        credentialArn,
                        `AWS requires a Secrets Manager credential for ${upstream.url}, whose ` +
                            `secret name starts with ecr-pullthroughcache/`,
                        `create the secret (aws secretsmanager create-secret --name ` +
                            `ecr-pullthroughcache/${upstream.alias} ...) and set its ARN here`,
                    );
                } else if (!upstream.needsCredential && credentialArn !== undefined) {
                    refuse(
                        ctx,
                        "stack/cache-credential-not-taken",
                        path,
                        credentialArn,
                        `${upstream.url} is public and takes no credential`,
                        "remove credentialArn",
                    );
                }
            }
        }, whenValid),
    "stack/cache-registry-unknown",
    (key) =>
        /gcr|google/i.test(key)
            ? "AWS's pull-through cache does not support Google Container Registry"
            : `is not an upstream registry ECR can cache${didYouMean(key, upstreamRegistryKeys)}`,
    cacheKeys,
);

const registrySchema = fieldsObject({
    /** Images kept per service repository by the lifecycle policy. @default 20 */
    keepImages: inRange(1, 1000).default(20),
    /**
     * Upstream registry → `{}` (or empty) for a public one, `{ credentialArn }` for one that needs credentials: a
     * pull-through cache rule (with a repository creation template) per registry listed. @default {}: no cache
     */
    pullThroughCache: pullThroughCacheSchema.default({}),
});

const stackReason = reasonSchema(
    { tooShort: "stack/reason-too-short", tooLong: "stack/reason-too-long" },
    `needs a reason (at least ${minimumReasonLength} characters)`,
    "write why, for the reviewers of this stack",
);

const policySchema = fieldsObject({
    /** `mandatory`: violations fail the plan and the preview; `advisory`: they warn. @default "mandatory" */
    enforcement: z
        .enum(["mandatory", "advisory"], {
            error: said(
                "invalid-choice",
                "is not an enforcement level",
                "use mandatory (violations fail the plan and the preview) or advisory (they warn)",
            ),
        })
        .default("mandatory"),
    /** Service name (or `platform`) → control id → reason. @default {} */
    waivers: z
        .record(
            z.string(),
            unknownKeysSay(
                z.partialRecord(z.enum(controlIds as [string, ...string[]]), stackReason, {
                    error: said("not-a-map", "must map control ids to reasons", 'write { ECS.5: "why" }'),
                }),
                "stack/control-unknown",
                "is not a fleet control",
            ),
            {
                error: said(
                    "not-a-map",
                    "must map a service (or platform) to { <control>: <reason> }",
                    'write waivers: { platform: { ELB.5: "no log bucket in dev" } }',
                ),
            },
        )
        .default({}),
});

const parametersError = said(
    "stack/retired-parameter-invalid",
    "must list the variable names of the service's secrets",
    "write parameters: [DATABASE_PASSWORD]",
);
const retiredShape = {
    /** Why the service was retired. */
    reason: stackReason,
    /** Keep its ECR repository (with the images). @default false */
    repository: flag().default(false),
    /** Keep these SSM parameters (variable names). @default [] */
    parameters: z.array(z.string().regex(envNamePattern, { error: parametersError }), { error: parametersError }).default([]),
    /**
     * Keep these of the stack's EFS file systems (names), with their files, once no live service mounts them.
     * @default []
     */
    fileSystems: z
        .array(z.string().regex(efsNamePattern, { error: said("stack/retired-file-system-name-invalid", efsNameProblem, efsNameFix) }), {
            error: said("not-a-list", "must list the names of the stack's file systems to keep", "write fileSystems: [pgdata]"),
        })
        .default([]),
    /** Unprotect what is kept, so the next update (without the entry) may delete it. @default false */
    release: flag().default(false),
};
const retiredSchema = z.record(
    z.string(),
    z.strictObject(retiredShape, { error: said("not-an-object", `must be ${fieldList(retiredShape)}`, "give at least the reason") }),
    {
        error: said(
            "not-a-map",
            `must map a service name to ${fieldList(retiredShape)}`,
            'write retired: { docs: { reason: "replaced by the new docs site" } }',
        ),
    },
);

const usd = (atLeast: "above" | "from") => {
    const error = said(
        "stack/budget-not-dollars",
        `must be a number of US dollars a month ${atLeast === "above" ? "above 0" : "from 0"}`,
        "write a plain number such as 250 (no $ sign, no quotes)",
    );
    const amount = z.number({ error }).refine(Number.isFinite, { error });
    return atLeast === "above" ? amount.refine((n) => n > 0, { error }) : amount.refine((n) => n >= 0, { error });
};
const budgetSchema = fieldsObject(
    {
        /** Most the stack's monthly cost estimate may be, in USD: a plan above it is a budget violation. @default none */
        monthly: usd("above").optional(),
        /**
         * Most one change may raise the monthly estimate against the base plan of the same stack
         * (`--against`), in USD. @default none
         */
        increase: usd("from").optional(),
    },
    " in US dollars a month",
).superRefine((budget, ctx) => {
    if (budget.monthly === undefined && budget.increase === undefined) {
        refuse(
            ctx,
            "stack/budget-empty",
            [],
            budget,
            "sets neither monthly nor increase",
            "set monthly (the most a month may cost) and/or increase, or remove fleet:budget",
        );
    }
}, whenValid);
export type BudgetSettings = DeepReadonly<z.output<typeof budgetSchema>>;
/** A service's overrides in one stack: any catalog field, and whether the service runs here at all. */
export const serviceOverrideSchema = serviceSchema.partial().extend({
    /**
     * `false` leaves the catalog service out of this stack: no resources, no routes. On a stack with `fleet:protect`,
     * the reviewed plan (`--against`) fails unless `fleet:retired` lists the service too. @default true
     */
    enabled: flag().optional(),
    /**
     * ECS Exec into this service's running tasks in this stack (`aws ecs execute-command`): the service enables
     * execute command, its task role may open Session Manager's channels, and each session is logged to the
     * service's log group, its channel encrypted with the stack's KMS key. Not on a job. The SSM agent ECS Exec runs
     * in the container writes to its root filesystem, so the service needs `optOut.readonlyRootFilesystem` too. A
     * mandatory stack refuses it (FLEET.exec) unless waived for the service. @default false
     */
    exec: flag().optional(),
});

const networkSchema = z.union([existingNetwork, createNetwork], {
    error: (issue) =>
        issue.input === undefined
            ? saying(
                  "required",
                  "is required",
                  "set fleet:network to { natGateways: single | onePerAz } or to an " +
                      "existing vpcId with publicSubnetIds and privateSubnetIds",
              )
            : saying("not-an-object", "must be an object", `set ${fieldList(createNetworkFields)} or ${fieldList(existingNetworkFields)}`),
});
export type NetworkSettings = DeepReadonly<z.output<typeof networkSchema>>;
export type ClusterSettings = DeepReadonly<z.output<typeof clusterSchema>>;
export type LoadBalancerSettings = DeepReadonly<z.output<typeof loadBalancerSchema>>;

/** The `fleet:*` keys of a stack file, keyed without the namespace. */
export const stackSchema = z.strictObject({
    /** Parent domain of subdomain hosts, e.g. `dev.example.com`. @default none */
    domain: z
        .string()
        .regex(dnsDomainPattern, { error: domainError("stack/domain-invalid", "DNS domain", "a domain such as dev.example.com") })
        .optional(),
    /**
     * A VPC to create (`{ natGateways, cidrBlock?, availabilityZones? }`) or an existing one
     * (`{ vpcId, publicSubnetIds, privateSubnetIds }`).
     */
    network: networkSchema,
    /** The ECS cluster and its capacity. @default Fargate, Container Insights enabled */
    cluster: clusterSchema.prefault({}),
    /** The fleet's one ALB. */
    loadBalancer: loadBalancerSchema.prefault({}),
    /** ECR: images kept, pull-through cache rules. */
    registry: registrySchema.prefault({}),
    /** Days CloudWatch keeps the services' logs. @default 30 */
    logRetentionDays: z
        .literal(logRetentionValues, {
            error: said("invalid-choice", "is not a retention CloudWatch Logs accepts", `use one of ${logRetentionValues.join(", ")}`),
        })
        .default(30),
    /**
     * `protect` the stateful resources (ECR repositories, SSM parameters, log groups, the ALB, the secrets key, EFS file
     * systems), so the engine refuses to delete them. @default false
     */
    protect: flag().default(false),
    /**
     * Per-service overrides of any catalog field, keyed by service name. Objects merge one level deep (`memory: { limit:
     * 256 }` keeps the catalog's reservation; `scaling.queue` merges one level deeper, so a stack may name only its
     * queue); lists and scalars replace; `access` merges per AWS service (a stack's `access.sqs` replaces the catalog's
     * `sqs` and keeps its `s3`). `enabled: false` leaves the service out of this stack. @default {}
     */
    services: z.record(z.string(), serviceOverrideSchema).optional(),
    /** How policy violations are enforced, and what is waived. */
    policy: policySchema.prefault({}),
    /** Services removed from the catalog on purpose, and what of theirs to keep. @default {} */
    retired: retiredSchema.default({}),
    /**
     * The stack's cost budget in US dollars a month: over it, the plan fails on a stack whose `fleet:policy.enforcement`
     * is mandatory and warns on an advisory one. @default none
     */
    budget: budgetSchema.optional(),
    /**
     * The public Route 53 hosted zone of the routed hosts (model/dns.ts): an alias A record to the ALB per host (a
     * wildcard host gets `*.<rest>`) and, without `fleet:loadBalancer.certificateArn`, one ACM certificate validated by
     * DNS in that zone (a wildcard for the subdomains of `fleet:domain`, named hosts otherwise, at most ACM's 10 names),
     * which HTTPS and the HTTP redirect then use. Every routed host must be in the zone. @default none: no records, no
     * certificate
     */
    dns: dnsSchema.optional(),
    /**
     * Who is paged, and when: an SNS topic fleet creates (encrypted with the stack's KMS key) with `email`
     * subscriptions, or a topic of yours (`topicArn`); CloudWatch alarms on each routed service's 5xx and unhealthy
     * targets (ECS rolls a deployment back when they fire), the load balancer's own 5xx, a queue worker's oldest
     * message, a job's dead-letter queue, and an EventBridge rule on each job run that exits non-zero. A mandatory stack
     * without it is refused by pulumi up (FLEET.alerts) unless waived for the platform. @default none
     */
    alerts: alertsSchema.optional(),
});
export type StackConfig = z.input<typeof stackSchema>;

/** The stack keys fleet reads, each a `fleet:<key>` in the stack file. */
export const stackKeys = Object.keys(stackSchema.shape) as readonly (keyof StackConfig)[];

type Parsed = { [K in keyof typeof stackSchema.shape]: z.output<(typeof stackSchema.shape)[K]> };

/**
 * Validates and defaults the stack-level keys. `config` holds the `fleet:*` values, keys without
 * the namespace. A key found invalid is added to `invalid` and defaulted, so that the catalog is
 * still checked, but not against it.
 */
export function resolveStackSettings(
    problems: Problems,
    stack: string,
    config: Readonly<Record<string, unknown>>,
    invalid = new Set<string>(),
    /** The stack's `aws:region`, when known: regional ARNs are checked against it. */
    region?: string,
    /** The Pulumi project: it names the stack's cache prefixes with the stack. */
    project = "fleet",
): StackSettings {
    if (!/^[a-z][a-z0-9-]{0,11}$/.test(stack)) {
        problems.add(
            "stack/name-invalid",
            "stack",
            "name",
            stack,
            "must be 1-12 lowercase letters, digits or hyphens starting with a " +
                "letter (it prefixes ECR repositories, SSM paths and log groups)",
            "rename the stack (pulumi stack rename)",
        );
    }
    // Key by key, in the schema's order, so that a bad key still lets the others (and the catalog)
    // be checked. The service overrides are checked once merged into their catalog entries.
    const parse = <K extends keyof Parsed>(key: K): Parsed[K] => {
        // zod's union would describe an existing VPC with a short subnet list as a VPC to create
        // with unknown fields: the option is chosen by what the stack says, vpcId.
        const schema =
            key === "network" && isRecord(config.network)
                ? config.network.vpcId !== undefined
                    ? existingNetwork
                    : createNetwork
                : stackSchema.shape[key];
        const result = schema.safeParse(config[key], { reportInput: true });
        if (result.success) return result.data as Parsed[K];
        invalid.add(key);
        reportIssues(problems, schema, config[key], result.error.issues, {
            area: "stack",
            subject: () => `stack config fleet:${key}`,
            field: (path) => (path.length === 0 ? key : fieldOf(path)),
            fallbackFix: "see the stack reference in docs/stack.md",
        });
        return (key === "network" ? createNetwork.parse({}) : stackSchema.shape[key].parse(undefined)) as Parsed[K];
    };
    // The cache rules' repository prefixes name the project and stack, shortened to ECR's 30 characters (naming.ts).
    const withPrefixes = ({ keepImages, pullThroughCache }: Parsed["registry"]): StackSettings["registry"] => ({
        keepImages,
        pullThroughCache: Object.entries(pullThroughCache).map(([registryKey, entry]): PullThroughCacheSettings => {
            const key = registryKey as keyof typeof upstreamRegistries;
            const prefix = cachePrefix(stackNames(project, stack), key);
            const credentialArn = entry?.credentialArn;
            const credentialRegion = credentialArn && arnRegion(credentialArn);
            if (region && credentialRegion && credentialRegion !== region) {
                problems.add(
                    "stack/cache-credential-other-region",
                    "stack config fleet:registry",
                    `pullThroughCache.${key}.credentialArn`,
                    credentialArn,
                    `is a secret in ${credentialRegion}, but ECR takes a pull-through cache rule's credential ` +
                        `from the rule's own region, the stack's ${region} (aws:region)`,
                    `create the secret ecr-pullthroughcache/${upstreamRegistries[key].alias} in ${region} and set its ARN here`,
                );
            }
            return { registry: key, prefix, credentialArn };
        }),
    });
    // EventBridge and CloudWatch publish to a topic of their own region (EventBridge targets are in the rule's region).
    const alertsIn = (alerts: Parsed["alerts"]): StackSettings["alerts"] => {
        if (alerts === undefined) return undefined;
        const topicRegion = alerts.topicArn && arnRegion(alerts.topicArn);
        if (region && topicRegion && topicRegion !== region) {
            problems.add(
                "stack/alerts-topic-other-region",
                "stack config fleet:alerts",
                "topicArn",
                alerts.topicArn,
                `is a topic in ${topicRegion}, but the alarms and the job rules publish from the stack's region, ${region} ` +
                    "(aws:region), to a topic of that region only",
                `create the topic in ${region} and set its ARN here, or set email to let fleet create it`,
            );
        }
        return alertSettings(alerts);
    };
    // ACM certificates are regional: an ALB takes one of its own region (ACM guide, "Supported Regions").
    const inRegion = (loadBalancer: Parsed["loadBalancer"]): Parsed["loadBalancer"] => {
        const certificateRegion = loadBalancer.certificateArn && arnRegion(loadBalancer.certificateArn);
        if (region && certificateRegion && certificateRegion !== region) {
            problems.add(
                "stack/certificate-other-region",
                "stack config fleet:loadBalancer",
                "certificateArn",
                loadBalancer.certificateArn,
                `is a certificate in ${certificateRegion}, but the load balancer is in the stack's region, ` +
                    `${region} (aws:region), and takes only a certificate of its own region`,
                `request or import the certificate in ${region} (ACM certificates cannot be copied between regions) and set its ARN here`,
            );
        }
        return loadBalancer;
    };
    return {
        domain: parse("domain"),
        network: parse("network"),
        cluster: parse("cluster"),
        loadBalancer: inRegion(parse("loadBalancer")),
        registry: withPrefixes(parse("registry")),
        logRetentionDays: parse("logRetentionDays"),
        protect: parse("protect"),
        // A waiver's reason is never undefined: partialRecord only says not every control is waived.
        policy: parse("policy") as StackSettings["policy"],
        budget: parse("budget"),
        dns: parse("dns"),
        ...(config.alerts === undefined ? {} : { alerts: alertsIn(parse("alerts")) }),
        retired: Object.entries(parse("retired"))
            .map(([name, entry]): RetiredService => ({
                name,
                ...entry,
                parameters: [...entry.parameters].sort(),
                fileSystems: [...new Set(entry.fileSystems)].sort(),
            }))
            .sort((a, b) => a.name.localeCompare(b.name)),
    };
}
