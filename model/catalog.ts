/**
 * The catalog contract: what a microservice entry in `services/index.ts` may say, as a zod schema.
 * The types below are inferred from it, the defaults are written in it (nowhere else), unknown
 * fields are refused, and `npm run schema` turns it into `schema/catalog.schema.json`.
 *
 * Plain data only: no resources, no Outputs. Rules that need the stack (capacity, domain, config
 * keys, build contexts) are applied by `resolve.ts`, after the parse. `Pulumi.<stack>.yaml` may
 * override any field per service under `fleet:services`.
 */
import { z } from "zod";
import { parseImageReference } from "./images";
import { maxConditionValuesPerRule, maxPatternLength, maxPriority } from "./routing";
import { accessSchema, kmsKeySchema } from "./access";
import { didYouMean } from "./problems";
import type { ProblemCode } from "./problemCodes";
import { jsonKeyPattern, Mistake, notSecretArn, secretArnMistake } from "./secretsManager";
import { DeepReadonly, fieldList, fieldsObject, refuse, said, unknownKeysSay, whenValid, wholeNumber } from "./schema";
import {
    jobDurationSchema,
    jobScheduleSchema,
    queueScalingSchema,
    scalingRules,
    scheduledScalingSchema,
    timeZoneSchema,
} from "./workloads";
import { maximumReasonLength, minimumReasonLength } from "../facts/controls";
import { cpuUnitsPerVcpu, ecsDefaultStopTimeoutSeconds } from "../facts/aws";
import { deregistrationDelay } from "../facts/fleet";

/** An environment variable name (and so a secret's), as fleet allows it: a shell-safe identifier. */
export const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const pathPattern = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;
const matcherPattern = /^(\d{3})(-(\d{3}))?(,(\d{3})(-(\d{3}))?)*$/;
const ssmNamePattern = /^\/?[A-Za-z0-9_.\-/]+$/;
const ssmArnPattern = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/;
const isSsmParameter = (source: string) =>
    (ssmNamePattern.test(source) && source.length <= 1011 && !/^\/?(aws|ssm)/i.test(source)) || ssmArnPattern.test(source);
/** An ARN of Secrets Manager's, well formed or not (a name never has a colon). */
const isSecretsManagerArn = (source: string) => /^arn:[^:]*:secretsmanager:/.test(source);
const userPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;

/**
 * A reason in the author's words (a policy waiver, an opt-out, a retirement): long enough to mean
 * something, short enough for the AWS tag that carries a waiver to the policy pack (asTagValue
 * writes any punctuation in the tag character set). Trimmed.
 */
export function reasonSchema(codes: { readonly tooShort: ProblemCode; readonly tooLong: ProblemCode }, tooShort: string, fix: string) {
    const error = said(codes.tooShort, tooShort, fix, tooShort);
    return z
        .string({ error })
        .trim()
        .min(minimumReasonLength, { error })
        .max(maximumReasonLength, {
            error: said(
                codes.tooLong,
                (input) =>
                    `is ${String(input).trim().length} characters; a reason travels as an AWS tag value, at most ${maximumReasonLength}`,
                "shorten it, and link to the longer story (a ticket, a document)",
            ),
        });
}

const envName = (fix = "use letters, digits and _ not starting with a digit") =>
    z.string().regex(envNamePattern, { error: said("catalog/variable-name-invalid", "is not a valid environment variable name", fix) });

const hostError = said(
    "routing/host-empty",
    "must be a non-empty string",
    "use a subdomain such as api, or a full host such as api.example.com",
);
const hostValue = z.string({ error: hostError }).min(1, { error: hostError });
const pathError = said(
    "routing/path-invalid",
    `is not a valid ALB path condition: it must start with / and have at ` +
        `most ${maxPatternLength} characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ ` +
        `: + & * ?`,
    "use a pattern such as /api/*",
);
const pathValue = z.string({ error: pathError }).max(maxPatternLength, { error: pathError }).regex(pathPattern, { error: pathError });
const oneOrMany = <T extends z.ZodType>(value: T) => z.union([value, z.array(value)]);
const count = (value: unknown) => (value === undefined ? 0 : Array.isArray(value) ? value.length : 1);

/** An ALB route. A host with no dot is a subdomain of the stack's `fleet:domain`. */
export const routeSchema = z
    .strictObject(
        {
            /** Host header pattern(s), e.g. `api` or `api.example.com` or `*.example.com`. @default any host */
            host: oneOrMany(hostValue).optional(),
            /** Path pattern(s), e.g. `/api/*`. Case-sensitive, matched without the query string. @default any path */
            path: oneOrMany(pathValue).optional(),
            /**
             * Pin this route's listener-rule priority (1-49999). Only needed when the computed slot collides
             * with another route's; the validation message names a free value. @default computed
             */
            priority: wholeNumber(1, maxPriority - 1, `pin a value from 1 to ${maxPriority - 1}`).optional(),
        },
        { error: said("not-an-object", "must be an object { host?, path? }", 'write { host: "api" } or { path: "/api/*" }') },
    )
    .superRefine((route, ctx) => {
        const values = count(route.host) + count(route.path);
        if (values === 0) {
            refuse(
                ctx,
                "routing/route-matches-everything",
                [],
                route,
                "has neither host nor path, so it would match every request",
                'add a host or a path (use path "/*" for an explicit catch-all)',
            );
        } else if (values > maxConditionValuesPerRule) {
            refuse(
                ctx,
                "routing/too-many-condition-values",
                [],
                route,
                `has ${values} host and path values, above AWS's ${maxConditionValuesPerRule} condition values per rule`,
                "split it into several routes",
            );
        }
    }, whenValid);
export type RouteSpec = DeepReadonly<z.input<typeof routeSchema>>;

const [contextProblem, contextFix] = ["must be a path inside the repository starting with ./", "use e.g. ./apps/api"];
const contextError = said("image/build-context-outside-repository", contextProblem, contextFix);
const insideRepository = (context: string) => context.startsWith("./") && !context.split("/").includes("..");
const contextPath = z.string({ error: contextError }).refine(insideRepository, { error: contextError });

/** A docker build, as in a compose file. */
export const buildObjectSchema = z.strictObject({
    /** Build context, relative to the repository root, e.g. `./apps/api`. */
    context: contextPath,
    /** Dockerfile path relative to the context. @default "Dockerfile" */
    dockerfile: z
        .string()
        .refine((file) => !file.split("/").includes(".."), {
            error: said(
                "image/dockerfile-outside-context",
                "must be a path inside the build context",
                "use e.g. Dockerfile or docker/Dockerfile.prod",
            ),
        })
        .default("Dockerfile"),
    /** Build arguments (never secrets: they are visible in the image history). @default {} */
    args: z
        .record(z.string(), z.string({ error: said("not-a-string", "must be a string", "quote the value") }), {
            error: said("not-a-map", "must map argument names to strings", 'use { NAME: "value" }'),
        })
        .default({}),
});
export type BuildSpec = DeepReadonly<z.input<typeof buildObjectSchema>>;
/** A context path alone, or the full build; always the full build once parsed. */
const buildSchema = z.union(
    [
        z
            .string()
            .superRefine((context, ctx) => {
                if (!insideRepository(context))
                    refuse(ctx, "image/build-context-outside-repository", ["context"], context, contextProblem, contextFix);
            })
            .transform((context) => buildObjectSchema.parse({ context })),
        buildObjectSchema,
    ],
    { error: said("invalid-type", `must be a context path or ${fieldList(buildObjectSchema.shape)}`, "use e.g. ./apps/api") },
);

const notSsmParameter: Mistake = {
    code: "secrets/not-an-ssm-parameter",
    problem: "is not an SSM parameter name or ARN",
    fix: "use /path/to/parameter (not starting with aws or ssm) or arn:aws:ssm:<region>:<account>:parameter/path",
};
const sourceFix = 'use { fromConfig: "key" }, { generate: { length: 32 } } or { existing: "/path/to/parameter" }';
/**
 * Where a secret's value comes from. Every secret is injected by reference (`secrets[].valueFrom`): an SSM
 * parameter, or an existing Secrets Manager secret.
 */
export const secretSourceSchema = z.union(
    [
        z.strictObject({
            /**
             * A secret stack config key of the `fleet` namespace, named without it: `fromConfig: "apiDb"` reads
             * `fleet:apiDb` (`pulumi config set --secret apiDb <value>`). At most 4096 characters: fleet stores the
             * value in an SSM Standard parameter.
             */
            fromConfig: z
                .string({ error: said("not-a-string", "must name a stack config key of its own", "use a key such as apiDatabasePassword") })
                // `fleet:apiDb` would never match: fleet reads the keys of its own namespace, without it.
                .refine((key) => !key.includes(":"), {
                    error: said(
                        "secrets/config-key-with-namespace",
                        "names a namespace, but fleet reads only keys of the fleet namespace and names them without it",
                        'write the key alone, e.g. "apiDb" for fleet:apiDb (pulumi config set --secret apiDb <value>)',
                    ),
                }),
        }),
        z.strictObject({
            /** A random value, generated once with `@pulumi/random` and kept across updates. */
            generate: z.strictObject({
                /** Characters of the value. */
                length: wholeNumber(16, 1024, "use e.g. { generate: { length: 32 } }"),
            }),
        }),
        z
            .strictObject({
                /**
                 * A parameter or secret that already exists in the stack's region; referenced, never created: an SSM
                 * parameter (name or ARN), or a Secrets Manager secret by its full ARN, with the six characters Secrets
                 * Manager appends to the name (`aws secretsmanager describe-secret --secret-id <name> --query ARN`),
                 * e.g. an RDS-managed password.
                 */
                existing: z.string().superRefine((source, ctx) => {
                    const mistake = isSecretsManagerArn(source)
                        ? secretArnMistake(source, "existing", true)
                        : isSsmParameter(source)
                          ? undefined
                          : notSsmParameter;
                    if (mistake) refuse(ctx, mistake.code, [], source, mistake.problem, mistake.fix);
                }),
                /**
                 * A top-level key of a Secrets Manager secret's JSON (e.g. `password` of an RDS-managed secret): only
                 * its value is injected. @default the whole secret
                 */
                key: z
                    .string()
                    .regex(jsonKeyPattern, {
                        error: said(
                            "secrets/json-key-invalid",
                            "is not a JSON key ECS can select: it must be a top-level key of the secret's JSON, not empty and " +
                                'without ":" (which separates the fields of an ECS valueFrom)',
                            "name a top-level key of the secret's JSON, e.g. password, or remove key to inject the whole secret",
                        ),
                    })
                    .optional(),
                /**
                 * The customer-managed KMS key encrypting the parameter or secret (ARN or id), when it is not the
                 * AWS-managed `aws/ssm` or `aws/secretsmanager`: the execution role may then decrypt with exactly that
                 * key, through SSM or Secrets Manager. @default the AWS-managed key
                 */
                kmsKey: kmsKeySchema.optional(),
            })
            .superRefine((source, ctx) => {
                if (source.key !== undefined && !isSecretsManagerArn(source.existing)) {
                    refuse(
                        ctx,
                        "secrets/json-key-of-ssm-parameter",
                        ["key"],
                        source.key,
                        "selects a key of a JSON secret, but existing is an SSM parameter, whose whole value ECS injects",
                        "remove key, or name in existing the full ARN of the Secrets Manager secret that holds the JSON",
                    );
                }
            }, whenValid),
    ],
    { error: said("secrets/not-one-source", "must have exactly one source", sourceFix) },
);
export type SecretSource = DeepReadonly<z.input<typeof secretSourceSchema>>;
/** The fields a secret source may have (`fromConfig`, `generate`, `existing`), read from the schema. */
export const secretSourceFields: readonly string[] = secretSourceSchema.options.flatMap((option) => Object.keys(option.shape));
/** A source's field written beside another source (`key` beside `generate`): the source it goes with. */
const sourceOf = (field: string) =>
    secretSourceSchema.options.map((option) => Object.keys(option.shape)).find((keys) => keys.includes(field))?.[0];
unknownKeysSay(
    secretSourceSchema,
    (field) => (sourceOf(field) ? "secrets/field-of-another-source" : "unknown-field"),
    (field) => (sourceOf(field) ? `goes only with ${sourceOf(field)}` : `unknown field${didYouMean(field, secretSourceFields)}`),
    (field) => (sourceOf(field) ? `remove ${field}` : `use one of ${secretSourceFields.join(", ")}`),
);

const healthCommandError = said("health/command-invalid", "must be a list starting with CMD or CMD-SHELL", (value) =>
    // A shell line written alone is what CMD-SHELL takes.
    typeof value === "string" && value.trim() !== ""
        ? `write ${JSON.stringify(["CMD-SHELL", value.trim()])}`
        : 'use e.g. ["CMD-SHELL", "wget -qO- http://localhost:8080/healthz || exit 1"]',
);
export const matcherCodes = (matcher: string) => (matcherPattern.test(matcher) ? matcher.split(/[,-]/).map(Number) : undefined);

/** What the server speaks on `port` (`protocol`). The load balancer speaks HTTP to its targets, so `tcp` is never routed. */
export const protocolValues = ["http", "http2", "grpc", "tcp"] as const;
export type Protocol = (typeof protocolValues)[number];

/**
 * The health-check codes each protocol's target group takes (ELB Matcher: HttpCode 200-499,
 * GrpcCode 0-99), and fleet's defaults: a gRPC server answers the standard health service
 * (grpc.health.v1) with status 0 when it is serving.
 */
export const healthDefaults = {
    http: { path: "/healthz", matcher: "200-399", codes: { min: 200, max: 499 } },
    grpc: { path: "/grpc.health.v1.Health/Check", matcher: "0", codes: { min: 0, max: 99 } },
} as const;

export const healthSchema = fieldsObject({
    /**
     * Target-group health-check path; for a `grpc` service a gRPC method `/package.Service/Method`.
     * @default "/healthz", or "/grpc.health.v1.Health/Check" for grpc
     */
    path: z
        .string()
        .refine((path) => path.startsWith("/") && path.length <= 1024 && !/[\s\x00-\x1f\x7f]/.test(path), {
            error: said("health/path-invalid", "must be a path starting with / (at most 1024 characters, no spaces)", "use e.g. /healthz"),
        })
        .optional(),
    /**
     * The codes the target group treats as healthy: HTTP codes (200-499), or gRPC codes (0-99) for a
     * `grpc` service, as a list or ranges. @default "200-399", or "0" for grpc
     */
    matcher: z
        .string()
        .refine((matcher) => matcherCodes(matcher)?.every((code) => code >= 0 && code <= 499) ?? false, {
            error: said("health/matcher-invalid", "must be HTTP codes from 200 to 499, as a list or ranges", "use e.g. 200 or 200-399"),
        })
        .optional(),
    /**
     * Container health check command, a list starting with `CMD` or `CMD-SHELL`, e.g.
     * `["CMD-SHELL", "wget -qO- localhost:8080/healthz"]`. @default none
     */
    command: z
        .array(z.string({ error: healthCommandError }), { error: healthCommandError })
        .refine((c) => c.length >= 2 && c.every((part) => part !== "") && ["CMD", "CMD-SHELL"].includes(c[0]), {
            error: healthCommandError,
        })
        .optional(),
    /** Seconds ECS ignores failing health checks after a task starts. @default 30 */
    gracePeriodSeconds: wholeNumber(0, 2_147_483_647, "use the seconds the service needs to start").default(30),
});
export type HealthSpec = DeepReadonly<z.input<typeof healthSchema>>;

const memoryFix = "set memory: { reservation, limit } in MiB, the soft reservation below the hard limit";

/**
 * The fix for a size written with a unit, as Kubernetes and Compose write them (`512Mi`, `1G`,
 * CPU `500m` or `0.5`): the number fleet takes in its place. `otherwise` for anything else.
 */
const mebibytes: Readonly<Record<string, number>> = { mi: 1, mib: 1, m: 1, mb: 1, gi: 1024, gib: 1024, g: 1024, gb: 1024 };
const memoryUnitFix = (otherwise: string) => (value: unknown) => {
    const sized = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value) : null;
    const factor = sized ? mebibytes[sized[2].toLowerCase()] : undefined;
    return sized && factor ? `write ${Math.round(Number(sized[1]) * factor)} (MiB, a number without a unit)` : otherwise;
};
const cpuUnitFix = (otherwise: string) => (value: unknown) => {
    const millicores = typeof value === "string" ? /^\s*(\d+)m\s*$/.exec(value) : null;
    // A small number (0.25, 2, "0.5") is a count of vCPUs, as Compose and the console write them.
    const count = typeof value === "string" && /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : value;
    const vcpus = typeof count === "number" && count > 0 && count <= 16 ? count : undefined;
    const units = millicores ? (Number(millicores[1]) * cpuUnitsPerVcpu) / 1000 : vcpus !== undefined ? vcpus * cpuUnitsPerVcpu : undefined;
    return units !== undefined ? `write ${Math.round(units)} (CPU units, ${cpuUnitsPerVcpu} per vCPU)` : otherwise;
};
export const memorySchema = unknownKeysSay(
    z
        .strictObject(
            {
                /** Soft limit in MiB (`memoryReservation`): what placement reserves on an instance. Docker needs at least 6 MiB. */
                reservation: wholeNumber(6, 1_000_000, memoryUnitFix("use the MiB the service needs at steady state (at least 6)")),
                /** Hard limit in MiB (`memory`): the container is killed above it. Must exceed `reservation`. */
                limit: wholeNumber(
                    7,
                    1_000_000,
                    memoryUnitFix("use the MiB at which the container should be killed (above the reservation)"),
                ),
            },
            { error: said("not-an-object", "must be an object", memoryFix) },
        )
        .superRefine((memory, ctx) => {
            if (memory.reservation >= memory.limit) {
                refuse(
                    ctx,
                    "catalog/memory-reservation-not-below-limit",
                    ["reservation"],
                    memory.reservation,
                    `must be below memory.limit (${memory.limit}): AWS requires the hard ` +
                        `limit (memory) above the soft reservation (memoryReservation)`,
                    "lower memory.reservation or raise memory.limit",
                );
            }
        }, whenValid),
    "unknown-field",
    "unknown field",
    "use reservation and limit",
);
export type MemorySpec = DeepReadonly<z.input<typeof memorySchema>>;

const tasks = (min: number) => wholeNumber(min, 1000, `use ${min}-1000 tasks`);
export const scalingSchema = fieldsObject({
    /** Fewest tasks. */
    min: tasks(0),
    /** Most tasks. */
    max: tasks(1),
    /** Target average CPU utilisation (percent). @default none */
    cpuPercent: wholeNumber(1, 100, "use a target CPU percentage such as 60").optional(),
    /** Target ALB requests per task per minute. @default none */
    requestsPerTarget: wholeNumber(1, 1_000_000, "use the requests per minute one task should serve").optional(),
    /**
     * Target messages visible per running task of an SQS queue (a worker). With a queue, `min` (and every scheduled
     * `min`) is at least 1: backlog per task has no value with no task running. @default none
     */
    queue: queueScalingSchema.optional(),
    /** Scheduled changes of min and max (e.g. more tasks in business hours). @default none */
    schedule: z
        .array(scheduledScalingSchema, {
            error: said(
                "not-a-list",
                `must be a list of ${fieldList(scheduledScalingSchema.shape)}`,
                'write [{ cron: "cron(0 8 ? * MON-FRI *)", min: 4, max: 20 }]',
            ),
        })
        .optional(),
}).superRefine((scaling, ctx) => {
    if (scaling.min > scaling.max) {
        refuse(ctx, "scaling/min-above-max", ["min"], scaling.min, `is above scaling.max (${scaling.max})`, "lower min or raise max");
    }
    if (
        scaling.cpuPercent === undefined &&
        scaling.requestsPerTarget === undefined &&
        scaling.queue === undefined &&
        !scaling.schedule?.length
    ) {
        refuse(
            ctx,
            "scaling/no-target",
            [],
            scaling,
            "has no target to track and no schedule",
            "set cpuPercent, requestsPerTarget, queue or schedule",
        );
    }
    scalingRules(scaling, ctx);
}, whenValid);
export type ScalingSpec = z.output<typeof scalingSchema>;

const optOutReason = reasonSchema(
    { tooShort: "security/opt-out-reason-too-short", tooLong: "security/opt-out-reason-too-long" },
    `needs the reason the default is turned off (at least ${minimumReasonLength} characters)`,
    'write why, e.g. "nginx writes its cache under /var/cache/nginx"',
).optional();
/**
 * Secure container defaults a service turns off, each with the reason (shown in the plan and
 * counted as a waiver of the matching policy control).
 */
const optOutShape = {
    /** Writable root filesystem instead of read-only with a tmpfs /tmp (control ECS.5). */
    readonlyRootFilesystem: optOutReason,
    /** Run as root (control ECS.20). */
    nonRootUser: optOutReason,
    /** Privileged mode, EC2 only (control ECS.4). */
    privileged: optOutReason,
    /** No init process as PID 1. */
    initProcess: optOutReason,
    /** Allow privilege escalation and keep Linux capabilities. */
    noNewPrivileges: optOutReason,
};
export const securityOptOutsSchema = z.strictObject(optOutShape, {
    error: said(
        "not-a-map",
        "must map a secure default to the reason it is turned off",
        `use keys among ${Object.keys(optOutShape).join(", ")}`,
    ),
});
unknownKeysSay(securityOptOutsSchema, "security/unknown-opt-out", "is not a secure default");
export type SecurityOptOuts = DeepReadonly<z.input<typeof securityOptOutsSchema>>;
export const securityOptOutFields = Object.keys(securityOptOutsSchema.shape) as readonly (keyof SecurityOptOuts)[];

/** How a deployment replaces a service's tasks (`deployment`); the percentages are facts/fleet.ts's. */
const deploymentValues = ["rolling", "recreate"] as const;
export type Deployment = (typeof deploymentValues)[number];

const capacityValues = ["ec2", "fargate", "fargate-spot"] as const;
export const capacitySchema = z.enum(capacityValues, {
    error: said("invalid-choice", "is not a capacity", `use one of ${capacityValues.join(", ")}`),
});
/** Where a service's tasks run. EC2 bin-packs many small tasks per instance. */
export type Capacity = z.infer<typeof capacitySchema>;
export const capacities: readonly Capacity[] = capacitySchema.options;

/** The user a container runs as unless the entry names one or opts out of non-root (then the image's). */
export const defaultUser = "1000";

/** A command line as a list; one written as a string is split for the fix (ECS runs a list, not a shell line). */
const commandList = (problem: string, fix: string) => {
    const error = said("catalog/command-invalid", problem, (value) =>
        typeof value === "string" && value.trim() !== "" ? `write it as a list: ${JSON.stringify(value.trim().split(/\s+/))}` : fix,
    );
    return z.array(z.string({ error }), { error }).min(1, { error });
};

const credentialsFix =
    'store the registry\'s {"username","password"} in a Secrets Manager secret (aws secretsmanager create-secret --name <name> ' +
    "--secret-string file://credentials.json) and give its full ARN";

const volumeValueError = said(
    "volumes/value-invalid",
    'must be "scratch" (a writable volume per task) or { efs: "<name>" } (the stack\'s encrypted file system of that name)',
    'write "scratch", or e.g. { efs: "pgdata" }',
);
/** A volume: `"scratch"`, or the stack's file system of a name (model/volumes.ts checks the name). */
const volumeSchema = z.union(
    [
        z.literal("scratch", { error: volumeValueError }),
        z.strictObject(
            {
                /** The stack's file system: 1-32 lowercase letters, digits and hyphens, starting with a letter. */
                efs: z.string({ error: volumeValueError }),
            },
            { error: volumeValueError },
        ),
    ],
    { error: volumeValueError },
);

/** One microservice. Exactly one of `image` and `build`. */
export const serviceSchema = z.strictObject(
    {
        /**
         * An image reference, with a tag or a digest (`latest` is refused: it drifts between deploys). An upstream one
         * (`redis:7`, `docker.io/library/redis:7`, `public.ecr.aws/...`, `ghcr.io/...`, `quay.io/...`,
         * `registry.k8s.io/...`) goes through the pull-through cache when the stack has a rule for its registry and the
         * entry no `credentials`, otherwise straight from upstream; a full ECR URI is used as is. Exactly one of `image`
         * and `build`, as in a compose file.
         */
        image: z
            .string({
                error: said(
                    "not-a-string",
                    "must be a string",
                    "use an image reference such as redis:7.4 or public.ecr.aws/nginx/nginx:1.27",
                ),
            })
            .superRefine((image, ctx) => {
                const parsed = parseImageReference(image);
                if (typeof parsed === "string") {
                    refuse(
                        ctx,
                        "image/reference-invalid",
                        [],
                        image,
                        `is not a valid image reference: it ${parsed}`,
                        "use registry/repository:tag, e.g. redis:7.4, ghcr.io/org/app:1.2 or public.ecr.aws/nginx/nginx:1.27",
                    );
                }
            })
            .optional(),
        /**
         * Instead of `image`: a build context (`./apps/api`, or `{ context, dockerfile, args }`), built and pushed to the
         * service's own ECR repository, tagged by its content.
         */
        build: buildSchema.optional(),
        /**
         * Beside `image`, for an image in a private registry (not ECR, not `build`): the full ARN of the Secrets
         * Manager secret holding the registry's `{"username","password"}`. The image is pulled as written, never
         * through the pull-through cache, and the execution role may read exactly that secret. @default none
         */
        credentials: z
            .string({ error: said("not-a-string", "must be a Secrets Manager secret ARN", credentialsFix) })
            .superRefine((credentials, ctx) => {
                const mistake = secretArnMistake(credentials, "credentials", false);
                if (mistake?.problem === notSecretArn && ssmArnPattern.test(credentials)) {
                    refuse(
                        ctx,
                        "image/credentials-in-ssm",
                        [],
                        credentials,
                        "is an SSM parameter ARN, but ECS reads a private registry's credentials only from a Secrets Manager secret",
                        credentialsFix,
                    );
                } else if (mistake?.problem === notSecretArn) {
                    refuse(ctx, mistake.code, [], credentials, notSecretArn, credentialsFix);
                } else if (mistake) {
                    refuse(ctx, mistake.code, [], credentials, mistake.problem, mistake.fix);
                }
            })
            .optional(),
        /** Container port. @default none: a worker with no traffic */
        port: wholeNumber(1, 65535, "use the port the container listens on (1-65535)").optional(),
        /**
         * What the server speaks on `port`: `http` (HTTP/1.1), `http2`, `grpc`, or `tcp` (Redis, Postgres,
         * AMQP...). It decides Service Connect's appProtocol (none for tcp), the target group's protocol
         * version, and the variable callers get (`<NAME>_URL` for http and http2, `<NAME>_ADDR` for grpc
         * and tcp). A `tcp` server is not routed: the load balancer speaks HTTP to its targets. A routed `grpc` or `http2`
         * server needs an HTTPS listener (`fleet:loadBalancer.certificateArn` or `fleet:dns`): an ALB sends gRPC and
         * HTTP/2 to targets only from HTTPS. @default "http"
         */
        protocol: z
            .enum(protocolValues, { error: said("invalid-choice", "is not a protocol", `use one of ${protocolValues.join(", ")}`) })
            .default("http"),
        /**
         * ALB routes, each one listener rule. `host` and `path` may be lists, 5 values per rule at most (an ALB quota);
         * a host with no dot is a subdomain of the stack's `fleet:domain`. @default none: not on the load balancer
         */
        routes: z
            .array(routeSchema, { error: said("not-a-list", "must be a list of { host?, path? }", 'write routes: [{ host: "api" }]') })
            .default([]),
        /**
         * Health checks: the target group's path and codes, a container health command, the grace period.
         * @default the protocol's path and codes when the service has routes
         */
        health: healthSchema.prefault({}),
        /** Soft and hard memory in MiB: the soft `memoryReservation` below the hard `memory`. */
        memory: memorySchema,
        /** CPU units (1024 = one vCPU). @default 256 */
        cpu: wholeNumber(128, 16384, cpuUnitFix("use CPU units: 1024 is one vCPU, 256 a quarter")).default(256),
        /** Plain environment variables. Never secrets. @default {} */
        env: z
            .record(
                envName(),
                z.string({
                    error: said(
                        "not-a-string",
                        (value) => `must be a string, not a ${Array.isArray(value) ? "list" : typeof value}`,
                        "quote the value in the catalog",
                    ),
                }),
                { error: said("not-a-map", "must map variable names to strings", 'use { NAME: "value" }') },
            )
            .default({}),
        /**
         * Env var name → secret source: one of `fromConfig`, `generate` and `existing`. Always injected by reference
         * (`valueFrom`: an SSM parameter, or a Secrets Manager secret), never as plain environment. @default {}
         */
        secrets: z
            .record(envName(), secretSourceSchema, {
                error: said(
                    "not-a-map",
                    "must map variable names to a source",
                    'use { NAME: { fromConfig: "key" } | { generate: { length: 32 } } | { existing: "/ssm/name" } }',
                ),
            })
            .default({}),
        /** Task count when not autoscaled. @default 1, or scaling.min when autoscaled */
        desiredCount: tasks(0).optional(),
        /**
         * Target-tracking autoscaling, on CPU, requests or a queue's backlog, with scheduled bounds. ECS's desired
         * count is then left to autoscaling (`ignoreChanges`). @default none
         */
        scaling: scalingSchema.optional(),
        /**
         * Makes the entry a job: EventBridge Scheduler runs one task per run, on this schedule, and there is no ECS
         * service (so no `port`, `routes`, `scaling`, `desiredCount`, `deployment` or `connects`).
         * `cron(minutes hours day-of-month month day-of-week year)` or `rate(<n> minute(s)|hour(s)|day(s))`.
         * @default none: a service
         */
        schedule: jobScheduleSchema.optional(),
        /** The IANA time zone a job's cron schedule reads in, e.g. `Europe/Berlin`. @default "UTC" */
        timezone: timeZoneSchema.optional(),
        /**
         * Minutes a run of the job typically takes, for the cost and capacity estimates (ECS sets no limit).
         * @default none: the cost report assumes data/prices.json's jobMinutesPerRun
         */
        jobDurationMinutes: jobDurationSchema.optional(),
        /** Overrides the image's command, so one image serves several roles. @default the image's */
        command: commandList("must be a non-empty list of strings", 'use e.g. ["node", "worker.js"]').optional(),
        /** Seconds between SIGTERM and SIGKILL (Fargate allows at most 120). @default 30 */
        stopTimeout: wholeNumber(2, 3600, "use seconds between SIGTERM and SIGKILL").default(ecsDefaultStopTimeoutSeconds),
        /**
         * Seconds the ALB drains a task's in-flight requests before deregistering it: at least 5 (less cuts in-flight
         * requests), at most `stopTimeout`. @default 15, never above stopTimeout
         */
        deregistrationDelay: wholeNumber(
            deregistrationDelay.fleetMin,
            deregistrationDelay.awsMax,
            `use ${deregistrationDelay.fleetMin}-${deregistrationDelay.awsMax} ` +
                `seconds: under ${deregistrationDelay.fleetMin} s the ALB cuts ` +
                `in-flight requests when a task stops`,
        ).optional(),
        /**
         * How a deployment replaces the tasks: `rolling` starts the new ones before stopping the old
         * (never below the running count); `recreate` stops the old ones first, for a single writer of
         * shared storage (a database on EFS), which two tasks must never run at once; the service is
         * unavailable while it deploys. @default "rolling"
         */
        deployment: z
            .enum(deploymentValues, { error: said("invalid-choice", "is not a deployment", `use one of ${deploymentValues.join(", ")}`) })
            .default("rolling"),
        /** Where the tasks run. Usually set per stack under `fleet:services`. @default the stack's `fleet:cluster.defaultCapacity` */
        capacity: capacitySchema.optional(),
        /**
         * The user the container runs as (`uid[:gid]` or a name in the image); root is refused (opt out with
         * `optOut.nonRootUser`); numeric when the service mounts an EFS file system (its access point writes as it).
         * @default "1000"
         */
        user: z
            .string()
            .regex(userPattern, {
                error: said(
                    "security/user-invalid",
                    "is not a user (uid, uid:gid, or a name the image defines)",
                    'use e.g. "1000" or "101:101"',
                ),
            })
            .optional(),
        /** Secure defaults turned off, each with its reason. @default {} */
        optOut: securityOptOutsSchema.default({}),
        /**
         * AWS resources the application may use, granted on its task role on exact ARNs of the stack's account and
         * region (a full ARN is used as is), with fixed minimal actions per level (model/access.ts). A grant is a level,
         * or `{ level, kmsKey }` for a resource encrypted with a customer-managed key. @default none: the task role has
         * no permissions
         */
        access: accessSchema.optional(),
        /**
         * Services this one calls through ECS Service Connect: each gives `<NAME>_URL=http://<name>:<port>`
         * (an http or http2 server) or `<NAME>_ADDR=<name>:<port>` (grpc, tcp), unless the entry sets that
         * variable itself (the name upper case, hyphens to underscores), and opens that service's port to this one only
         * (model/connections.ts). Not on a job. @default none
         */
        connects: z
            .array(z.string({ error: said("not-a-string", "must be a service name", 'write connects: ["api"]') }), {
                error: said("not-a-list", "must be a list of service names", 'write connects: ["api"]'),
            })
            .optional(),
        /**
         * Container path → `"scratch"` (a writable volume per task, on EC2 and Fargate, gone with the task; the
         * root filesystem stays read-only) or `{ efs: "<name>" }` (the stack's encrypted EFS file system of that
         * name, shared by the services that name it, each through an access point rooted at `/<service>` that
         * writes as its numeric `user`). @default none
         */
        volumes: z
            .record(z.string(), volumeSchema, {
                error: said(
                    "not-a-map",
                    'must map container paths to "scratch" or { efs: "<name>" }',
                    'write volumes: { "/data": "scratch" }',
                ),
            })
            .optional(),
    },
    { error: said("not-an-object", "must be an object", "see the catalog reference in docs/catalog.md") },
);
/** One microservice, as written in the catalog. */
export type ServiceSpec = DeepReadonly<z.input<typeof serviceSchema>>;
/** One microservice with every default applied. */
export type ParsedService = z.output<typeof serviceSchema>;

/** The catalog: service name → entry. The key is the stable logical name of every resource of the service. */
export type Catalog = Readonly<Record<string, ServiceSpec>>;

/** The fields an entry (or a stack override) may carry; anything else is reported as a typo. */
export const serviceFields = Object.keys(serviceSchema.shape) as readonly (keyof ServiceSpec)[];
