/**
 * `access`: the AWS resources a service's application may use, and the exact IAM statements its
 * task role gets for them. Pure: names are checked against AWS's naming rules here, and the
 * statements are built from plain strings (the stack's partition, region and account), so tests
 * read the documents as data and infra only fills in the account it deploys to.
 *
 * Each level maps to a fixed, minimal action list (`accessActions`); every statement names exact
 * ARNs. A resource encrypted with a customer-managed KMS key (SSE-KMS) names the key on the grant
 * (`{ level, kmsKey }`): the role may then use exactly that key, and only through that service in
 * the key's region (`kms:ViaService`; the stack's, unless the key's ARN names another), never directly.
 */
import { z } from "zod";
import { arnRegion, isS3BucketName, isSqsQueueName, pastedUrlMistake } from "./awsNames";
import { isRecord } from "./problems";
import { DeepReadonly, refuse, said, SchemaCode } from "./schema";

/** The AWS services `access` grants on, and the levels each accepts. */
export const accessLevels = {
    s3: ["read", "write", "read-write"],
    sqs: ["consume", "send"],
    sns: ["publish"],
    dynamodb: ["read", "write", "read-write"],
} as const;
export type AccessKind = keyof typeof accessLevels;
export const accessKinds = Object.keys(accessLevels) as readonly AccessKind[];

/**
 * The actions of each level. Minimal for the usual SDK calls of that role:
 * - S3 (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
 *   read = GetObject on the objects and ListBucket on the bucket (limited to the prefix);
 *   write = PutObject, DeleteObject and AbortMultipartUpload (large uploads) on the objects.
 * - SQS (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html):
 *   consume = ReceiveMessage, DeleteMessage, ChangeMessageVisibility; send = SendMessage; both
 *   GetQueueUrl and GetQueueAttributes, which the SDKs call to find the queue.
 * - SNS (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html): Publish.
 * - DynamoDB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html):
 *   read = GetItem, BatchGetItem, Query, Scan, ConditionCheckItem; write = PutItem, UpdateItem,
 *   DeleteItem, BatchWriteItem; both DescribeTable. On the table and its indexes (`table/<name>/index/*`:
 *   Query and Scan on a secondary index are authorised on the index ARN).
 */
export const accessActions = {
    s3: {
        read: { objects: ["s3:GetObject"], bucket: ["s3:ListBucket"] },
        write: { objects: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], bucket: [] },
    },
    sqs: {
        consume: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        send: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
    },
    sns: { publish: ["sns:Publish"] },
    dynamodb: {
        read: [
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
        ],
        write: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:DescribeTable"],
    },
} as const;

/**
 * What a customer-managed key must allow the role, per service and direction, when the resource
 * is encrypted with it (SSE-KMS), and only through that service (`kms:ViaService`):
 * - S3: reading an SSE-KMS object needs kms:Decrypt; writing needs kms:GenerateDataKey, and
 *   kms:Decrypt for multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 * - SQS: a consumer needs kms:Decrypt; a producer kms:GenerateDataKey and kms:Decrypt
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
 * - SNS: a publisher needs kms:GenerateDataKey and kms:Decrypt
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 * - DynamoDB: reading and writing a table encrypted with a customer-managed key needs kms:Decrypt,
 *   and writing kms:GenerateDataKey (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html).
 */
export const kmsActions: Record<AccessKind, { readonly reads: readonly string[]; readonly writes: readonly string[] }> = {
    s3: { reads: ["kms:Decrypt"], writes: ["kms:Decrypt", "kms:GenerateDataKey"] },
    sqs: { reads: ["kms:Decrypt"], writes: ["kms:Decrypt", "kms:GenerateDataKey"] },
    sns: { reads: [], writes: ["kms:Decrypt", "kms:GenerateDataKey"] },
    dynamodb: { reads: ["kms:Decrypt"], writes: ["kms:Decrypt", "kms:GenerateDataKey"] },
};

/** The levels that write (encrypt) rather than only read (decrypt). */
const writingLevels = new Set(["write", "read-write", "send", "publish"]);

// AWS naming rules, checked before anything is registered (buckets and queues: awsNames.ts).
// An object key prefix: printable characters without * or ?, as S3's safe key characters plus a few more.
const keyPrefixPattern = /^[A-Za-z0-9!_.*'()\-/=+@,;:&$ ]*$/;
// SNS topic names: 1-256 characters of A-Z a-z 0-9 - _, FIFO topics end in .fifo
// (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html).
const topicPattern = /^(?=.{1,256}$)[A-Za-z0-9_-]+(\.fifo)?$/;
// DynamoDB table names: 3-255 characters of A-Z a-z 0-9 _ - .
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
const tablePattern = /^[A-Za-z0-9_.-]{3,255}$/;
// A customer-managed key: its ARN, or its id (a UUID or a multi-Region mrk- id) in the stack's account and region.
const keyIdPattern = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const keyArnPattern =
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** Full ARNs accepted as is: exact partition, region and account, an exact resource name. */
const arnPatterns: Record<AccessKind, RegExp> = {
    s3: /^arn:aws[a-z-]*:s3:::([^/*?]+)(\/.*)?$/,
    sqs: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:([^:*?]+)$/,
    sns: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([^:*?]+)$/,
    dynamodb: /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([^/*?]+)$/,
};

const nameRules: Record<AccessKind, { readonly test: (name: string) => boolean; readonly rule: string; readonly example: string }> = {
    s3: {
        test: isS3BucketName,
        rule: "is not an S3 bucket name (3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit, not an IP address)",
        example: 'name the bucket and an optional key prefix, e.g. "fleet-uploads" or "fleet-uploads/avatars/*"',
    },
    sqs: {
        test: isSqsQueueName,
        rule: "is not an SQS queue name (1-80 characters of A-Z a-z 0-9 - _, .fifo at the end for a FIFO queue)",
        example: 'name the queue, e.g. "jobs" or "orders.fifo", or give its ARN',
    },
    sns: {
        test: (topic) => topicPattern.test(topic),
        rule: "is not an SNS topic name (1-256 characters of A-Z a-z 0-9 - _, .fifo at the end for a FIFO topic)",
        example: 'name the topic, e.g. "events", or give its ARN',
    },
    dynamodb: {
        test: (table) => tablePattern.test(table),
        rule: "is not a DynamoDB table name (3-255 characters of A-Z a-z 0-9 _ - .)",
        example: 'name the table, e.g. "sessions", or give its ARN',
    },
};

/** A customer-managed KMS key, by ARN or id (an alias does not work in IAM statements on keys). */
export const kmsKeySchema = z.string().refine((key) => keyIdPattern.test(key) || keyArnPattern.test(key), {
    error: said(
        "catalog/kms-key-invalid",
        "is not a KMS key ARN or key id",
        "give the ARN (arn:aws:kms:<region>:<account>:key/<id>) or id of the customer-managed key that encrypts it",
    ),
});

/** A grant as written: a level, or a level with the customer-managed key that encrypts the resource. */
const grantSchema = (kind: AccessKind) => {
    const levels = accessLevels[kind];
    const levelError = said("access/level-invalid", `is not an access level for ${kind}`, `use ${levels.join(", ")}`);
    const level = z.enum(levels as unknown as [string, ...string[]], { error: levelError });
    return z.union(
        [
            level,
            z.strictObject({
                /** The access level. */
                level,
                /**
                 * The customer-managed KMS key (ARN or id) encrypting the resource (SSE-KMS): the role may use exactly
                 * that key, only through that AWS service, in the key's region. AWS-managed keys and SSE-S3 need none.
                 */
                kmsKey: kmsKeySchema,
            }),
        ],
        {
            error: said(
                "invalid-type",
                `must be an access level or { level, kmsKey }`,
                `use ${levels.join(", ")}, or e.g. { level: "${levels[0]}", kmsKey: "<key ARN>" }`,
            ),
        },
    );
};

/** The names of one service's grants (`bucket[/prefix/*]`, queue, topic, table, or an ARN), checked against AWS's rules. */
const grantsSchema = (kind: AccessKind) =>
    z
        .record(z.string(), grantSchema(kind), {
            error: said(
                "not-a-map",
                `must map ${kind} resource names to access levels`,
                `write e.g. ${kind}: { "<name>": "${accessLevels[kind][0]}" }`,
            ),
        })
        .superRefine(
            (grants, ctx) => {
                for (const name of Object.keys(grants)) {
                    const problem = resourceProblem(kind, name);
                    if (problem) refuse(ctx, problem.code, [name], name, problem.problem, problem.fix);
                }
            },
            // Names are checked even when a level is wrong (every problem at once), but only in a map of them.
            { when: (payload) => isRecord(payload.value) },
        );

/** `access` in the catalog: per AWS service, resource name → level. */
const accessShape = {
    /** `"bucket"` or `"bucket/prefix/*"` (or an ARN) → `read`, `write` or `read-write`. @default none */
    s3: grantsSchema("s3").optional(),
    /** Queue name or ARN → `consume` or `send`. @default none */
    sqs: grantsSchema("sqs").optional(),
    /** Topic name or ARN → `publish`. @default none */
    sns: grantsSchema("sns").optional(),
    /** Table name or ARN → `read`, `write` or `read-write` (its indexes included). @default none */
    dynamodb: grantsSchema("dynamodb").optional(),
};
export const accessSchema = z.strictObject(accessShape, {
    error: said("not-an-object", "must be an object keyed by AWS service", `use keys among ${Object.keys(accessShape).join(", ")}`),
});
export type AccessSpec = DeepReadonly<z.input<typeof accessSchema>>;

type ResourceProblem = { readonly code: SchemaCode; readonly problem: string; readonly fix: string };

/** Why a resource name is refused, or undefined when AWS would accept it. */
function resourceProblem(kind: AccessKind, name: string): ResourceProblem | undefined {
    const rules = nameRules[kind];
    const pasted = pastedUrlMistake(name, `the ${kind} resource's name`);
    if (pasted) return { code: "url-for-name", ...pasted };
    if (/^[*?/]*$/.test(name) || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(name)) {
        return { code: "access/wildcard-resource", problem: "grants every resource of the service (a wildcard alone)", fix: rules.example };
    }
    if (name.startsWith("arn:")) {
        const match = arnPatterns[kind].exec(name);
        if (!match || /[*?]/.test(name.replace(/\/\*$/, ""))) {
            return {
                code: "access/arn-not-exact",
                problem: `is not an exact ${kind} ARN (partition, region, account and name without wildcards)`,
                fix: rules.example,
            };
        }
        return kind === "s3" ? bucketProblem(match[1], match[2]?.slice(1)) : undefined;
    }
    if (kind === "s3") {
        const slash = name.indexOf("/");
        return slash < 0 ? bucketProblem(name, undefined) : bucketProblem(name.slice(0, slash), name.slice(slash + 1));
    }
    return rules.test(name) ? undefined : { code: "access/resource-name-invalid", problem: rules.rule, fix: rules.example };
}

function bucketProblem(bucket: string, keys: string | undefined): ResourceProblem | undefined {
    const rules = nameRules.s3;
    if (!rules.test(bucket)) return { code: "access/resource-name-invalid", problem: rules.rule, fix: rules.example };
    if (keys === undefined) return undefined;
    // A key prefix ends with /*; a wildcard anywhere else would grant more than the prefix says.
    if (!/^[^*?]+\/\*$/.test(keys) || !keyPrefixPattern.test(keys)) {
        return {
            code: "access/key-prefix-invalid",
            problem: "names a key prefix that does not end with /* or has a wildcard elsewhere",
            fix: 'write the bucket alone ("fleet-uploads") or a prefix ending in /* ("fleet-uploads/avatars/*")',
        };
    }
    return undefined;
}

/** One resolved grant. */
export interface ResolvedGrant {
    readonly kind: AccessKind;
    /** As written in the catalog (a name or an ARN). */
    readonly resource: string;
    readonly level: string;
    /** The customer-managed key encrypting the resource (ARN or id), when it uses SSE-KMS. */
    readonly kmsKey?: string;
}

/** The grants of a parsed `access`, in a stable order (kind, then resource). */
export function resolveGrants(access: z.output<typeof accessSchema> | undefined): ResolvedGrant[] {
    if (!access) return [];
    return accessKinds.flatMap((kind) =>
        Object.keys(access[kind] ?? {})
            .sort()
            .map((resource): ResolvedGrant => {
                const value = access[kind]![resource];
                return typeof value === "string"
                    ? { kind, resource, level: value }
                    : { kind, resource, level: value.level, kmsKey: value.kmsKey };
            }),
    );
}

/** Partition, region and account of the stack, as strings. */
export interface ArnContext {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
}

export interface AccessStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: string[];
    readonly Resource: string[];
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** The exact ARNs of a grant: what the actions apply to (objects, queue, topic, table and its indexes), and the bucket. */
export function grantArns(grant: ResolvedGrant, ctx: ArnContext): { resources: string[]; bucket?: string; prefix?: string } {
    const regional = (service: string, rest: string) => `arn:${ctx.partition}:${service}:${ctx.region}:${ctx.accountId}:${rest}`;
    switch (grant.kind) {
        case "s3": {
            const path = grant.resource.startsWith("arn:") ? grant.resource.replace(/^arn:[^:]+:s3:::/, "") : grant.resource;
            const partition = grant.resource.startsWith("arn:") ? grant.resource.split(":")[1] : ctx.partition;
            const slash = path.indexOf("/");
            const bucket = slash < 0 ? path : path.slice(0, slash);
            // "avatars/*" → prefix "avatars/"; the bucket alone → every object.
            const prefix = slash < 0 ? undefined : path.slice(slash + 1, -1);
            return {
                resources: [`arn:${partition}:s3:::${bucket}/${prefix ?? ""}*`],
                bucket: `arn:${partition}:s3:::${bucket}`,
                prefix,
            };
        }
        case "sqs":
        case "sns":
            return { resources: [grant.resource.startsWith("arn:") ? grant.resource : regional(grant.kind, grant.resource)] };
        case "dynamodb": {
            const table = grant.resource.startsWith("arn:") ? grant.resource : regional("dynamodb", `table/${grant.resource}`);
            return { resources: [table, `${table}/index/*`] };
        }
    }
}

/** The key's ARN: as written, or its id in the stack's account and region. */
export const kmsKeyArn = (key: string, ctx: ArnContext) =>
    key.startsWith("arn:") ? key : `arn:${ctx.partition}:kms:${ctx.region}:${ctx.accountId}:key/${key}`;

const sidOf = (grant: ResolvedGrant, index: number, part: string) =>
    `${grant.kind.charAt(0).toUpperCase()}${grant.kind.slice(1)}${index}${part}`.replace(/[^A-Za-z0-9]/g, "");

/** The IAM policy language version every document states (the current one; IAM reads older features differently). */
export const iamDocumentVersion = "2012-10-17";

/**
 * The task role's policy document (JSON) for a service's grants, and any further statements (its
 * file system mounts, model/volumes.ts): what infra attaches, and what validation sizes.
 */
export const taskRolePolicy = (grants: readonly ResolvedGrant[], ctx: ArnContext, more: readonly AccessStatement[] = []): string =>
    JSON.stringify({ Version: iamDocumentVersion, Statement: [...accessStatements(grants, ctx), ...more] });

/** The task role's statements for a service's grants: exact actions on exact ARNs, keys only through their service. */
export function accessStatements(grants: readonly ResolvedGrant[], ctx: ArnContext): AccessStatement[] {
    const statements: AccessStatement[] = [];
    grants.forEach((grant, index) => {
        const arns = grantArns(grant, ctx);
        const reads = grant.level === "read" || grant.level === "read-write";
        const writes = grant.level === "write" || grant.level === "read-write";
        if (grant.kind === "s3") {
            const actions = [...(reads ? accessActions.s3.read.objects : []), ...(writes ? accessActions.s3.write.objects : [])];
            statements.push({ Sid: sidOf(grant, index, "Objects"), Effect: "Allow", Action: actions, Resource: arns.resources });
            if (reads) {
                statements.push({
                    Sid: sidOf(grant, index, "List"),
                    Effect: "Allow",
                    Action: [...accessActions.s3.read.bucket],
                    Resource: [arns.bucket!],
                    // Listing is limited to the granted prefix.
                    ...(arns.prefix !== undefined ? { Condition: { StringLike: { "s3:prefix": [`${arns.prefix}*`] } } } : {}),
                });
            }
        } else {
            const actions =
                grant.kind === "dynamodb"
                    ? [...new Set([...(reads ? accessActions.dynamodb.read : []), ...(writes ? accessActions.dynamodb.write : [])])]
                    : [...(accessActions[grant.kind] as Record<string, readonly string[]>)[grant.level]];
            statements.push({ Sid: sidOf(grant, index, ""), Effect: "Allow", Action: actions, Resource: arns.resources });
        }
        if (grant.kmsKey !== undefined) {
            const kms = kmsActions[grant.kind];
            const key = kmsKeyArn(grant.kmsKey, ctx);
            const actions = [
                ...new Set([...(writingLevels.has(grant.level) ? kms.writes : kms.reads), ...(reads ? kms.reads : [])]),
            ].sort();
            statements.push({
                Sid: sidOf(grant, index, "Key"),
                Effect: "Allow",
                Action: actions,
                Resource: [key],
                // The key is usable only by that service on the role's behalf, in the key's region: a
                // resource uses a key of its own region, which is the stack's unless an ARN says otherwise.
                Condition: { StringEquals: { "kms:ViaService": `${grant.kind}.${arnRegion(key) ?? ctx.region}.amazonaws.com` } },
            });
        }
    });
    return statements;
}

/** One line per grant, for the plan: `s3 fleet-uploads/avatars/* read-write (KMS key ...)`. */
export function describeGrant(grant: ResolvedGrant): string {
    return `${grant.kind} ${grant.resource} ${grant.level}${grant.kmsKey ? ` (SSE-KMS key ${grant.kmsKey})` : ""}`;
}
