/**
 * AWS's naming rules for the resources a catalog entry or a stack file names but fleet does not
 * create (buckets, queues, hosted zones): one definition each, used by every schema that takes
 * such a name. The rules for names fleet sets itself are the mocks' (plan/awsRules.ts).
 */

/**
 * S3 bucket names: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit, no
 * "..", not an IP address, not starting with xn-- / sthree- / amzn-s3-demo-, not ending with
 * -s3alias, --ol-s3, .mrap or --x-s3 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export function isS3BucketName(name: string): boolean {
    return (
        s3BucketPattern.test(name) &&
        !/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3)$|\.\.|^\d+\.\d+\.\d+\.\d+$/.test(name)
    );
}
/** The characters and length of a bucket name (what a JSON Schema can say of it). */
export const s3BucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * SQS queue names (CreateQueue QueueName): 1-80 characters of A-Z a-z 0-9 - _, a FIFO queue's
 * ending in `.fifo` within the 80: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
 */
const sqsQueueNamePattern = /^(?=[A-Za-z0-9_-]{1,80}$|[A-Za-z0-9_-]{1,75}\.fifo$)[A-Za-z0-9_.-]+$/;
const sqsQueueArnPattern = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:(.+)$/;

export const isSqsQueueName = (name: string): boolean => sqsQueueNamePattern.test(name);

/** The queue's name (the `QueueName` dimension of its CloudWatch metrics), from a name or an ARN; undefined when it is neither. */
export function sqsQueueName(nameOrArn: string): string | undefined {
    const name = sqsQueueArnPattern.exec(nameOrArn)?.[1] ?? nameOrArn;
    return isSqsQueueName(name) ? name : undefined;
}

/**
 * A lowercase DNS domain (a hosted zone's name, a stack's parent domain): labels of 1-63
 * characters of a-z 0-9 -, not starting or ending with a hyphen, at most 253 characters, a
 * top-level label of letters (RFC 1035; Route 53 "DNS domain name format").
 */
export const dnsDomainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Why a value is not such a domain, and its fix: the two forms people paste (with the root dot
 * Route 53 lists names with, with capitals) are named as such and corrected. `what`: "DNS domain".
 */
export function domainMistake(value: unknown, what: string, example: string): { readonly problem: string; readonly fix: string } {
    const text = String(value);
    const corrected = text.replace(/\.$/, "").toLowerCase();
    if (corrected === text || !dnsDomainPattern.test(corrected)) return { problem: `is not a lowercase ${what}`, fix: `use ${example}` };
    const problem = text.endsWith(".") ? "ends with the root dot (as Route 53 lists names)" : "has capitals";
    return { problem, fix: `write ${corrected}` };
}

/**
 * The region an ARN names (`arn:<partition>:<service>:<region>:<account>:<resource>`), or undefined
 * for a plain name (which lives in the stack's region) and a global ARN.
 */
export const arnRegion = (nameOrArn: string): string | undefined =>
    nameOrArn.startsWith("arn:") ? nameOrArn.split(":")[3] || undefined : undefined;

/**
 * A Secrets Manager secret's ARN, `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`,
 * optionally followed by the three fields ECS reads after it in a container's `secrets[].valueFrom`
 * (`:<json-key>:<version-stage>:<version-id>`, each may be empty). A name has 1-512 of
 * `A-Z a-z 0-9 / _ + = . @ -` (CreateSecret Name), and `!` in the secrets other services manage
 * (`rds!db-...`); the ARN adds `-` and six random characters to it (the secret's ARN suffix).
 */
const secretArnPattern =
    /^(arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:([A-Za-z0-9/_+=.@!-]{1,512}))(?::([^:]*):([^:]*):([^:]*))?$/;

/** A Secrets Manager ARN read apart (`secretArnParts`). */
export interface SecretArnParts {
    /** The ARN without the ECS fields after it. */
    readonly arn: string;
    readonly partition: string;
    readonly region: string;
    readonly account: string;
    /** The name as the ARN writes it: with the six-character suffix when the ARN is complete. */
    readonly name: string;
    /** Whether it ends with the `-` and six characters AWS appends (a complete ARN, not a partial one). */
    readonly complete: boolean;
    /** The ECS fields written after the ARN, when there are any. */
    readonly fields?: { readonly key: string; readonly versionStage: string; readonly versionId: string };
}

/** The parts of a Secrets Manager secret ARN (with or without ECS's fields after it), or undefined for anything else. */
export function secretArnParts(value: string): SecretArnParts | undefined {
    const match = secretArnPattern.exec(value);
    if (!match) return undefined;
    const [, arn, partition, region, account, name, key, versionStage, versionId] = match;
    return {
        arn,
        partition,
        region,
        account,
        name,
        complete: /-[A-Za-z0-9]{6}$/.test(name),
        ...(key !== undefined ? { fields: { key, versionStage, versionId } } : {}),
    };
}

/** The partition a region belongs to, for ARNs. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/**
 * A resource's URL where its name belongs (what consoles and SDKs show: `s3://bucket/key`, an SQS
 * queue URL), with the name to write instead; undefined for anything else.
 */
function pastedUrl(value: string): { readonly what: string; readonly write: string } | undefined {
    const s3 = /^s3:\/\/([^/]+)(\/.*)?$/.exec(value);
    if (s3) return { what: "an s3:// URL", write: `${s3[1]}${s3[2] ?? ""}` };
    // The queue's ARN, not its bare name: a name means the stack's region, the URL may name another.
    const queue = /^https:\/\/(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(\.cn)?\/(\d{12})\/([A-Za-z0-9_.-]+)$/.exec(value);
    if (queue) {
        const [, sqsRegion, legacyRegion, china, account, name] = queue;
        return { what: "a queue URL", write: `arn:${china ? "aws-cn" : "aws"}:sqs:${sqsRegion ?? legacyRegion}:${account}:${name}` };
    }
    return undefined;
}

/** A pasted URL as a message says it: the problem (`is a queue URL, not <expected>`) and the name to write. */
export function pastedUrlMistake(value: string, expected: string): { readonly problem: string; readonly fix: string } | undefined {
    const pasted = pastedUrl(value);
    return pasted && { problem: `is ${pasted.what}, not ${expected}`, fix: `write ${pasted.write}` };
}
