/**
 * What AWS accepts in the names and free text fleet sets: per Pulumi resource type, each field's
 * character set, length and reserved prefixes, with the AWS documentation that states it. The
 * mocks (mocks.ts) hold every registration to this table, so a description EC2 refuses fails a
 * test and the offline plan, not the first `pulumi up`.
 *
 * Pure functions over plain values: table-tested in test/awsRules.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { arnRegion, partitionOf, secretArnParts } from "../model/awsNames";
import { awsNameMaxLength, iamPolicySize, iamQuotas } from "../facts/aws";

/** Where a rule is checked: the region and account decide an SSM parameter's ARN. */
export interface RuleContext {
    readonly region: string;
    readonly accountId: string;
}

/** A further check a rule makes, beyond characters, form, prefixes and length. */
export interface ExtraCheck {
    /** How the constraint reads in the rule's summary, e.g. "at most 15 levels". */
    readonly text: string;
    /** The problem with `value`, as "<value> <problem>" reads, or undefined when it holds. */
    readonly problem: (value: string, context: RuleContext) => string | undefined;
}

/** A constraint AWS puts on one string field. Lengths count Unicode characters (code points). */
export interface TextRule {
    /** The service that refuses a violation, as messages name it: "EC2", "IAM". */
    readonly service: string;
    /** The API operation (or guide) stating the rule, e.g. "EC2 API CreateSecurityGroup". */
    readonly reference: string;
    /** The AWS documentation page the rule is taken from. */
    readonly source: string;
    /** @default 0 */
    readonly minLength?: number;
    readonly maxLength: number;
    /** The characters allowed: a regex matching one allowed character, and how to say them. */
    readonly characters?: { readonly test: RegExp; readonly text: string };
    /** A form the whole value must have beyond its characters (anchored regex). */
    readonly form?: { readonly test: RegExp; readonly text: string };
    /** Values accepted as they are, whatever the other constraints say (ECR's `ROOT`). */
    readonly alsoAccepted?: readonly string[];
    /** Prefixes AWS reserves for itself. */
    readonly reservedPrefixes?: readonly string[];
    /** Whether a reserved prefix matches in any case. @default false */
    readonly prefixIgnoresCase?: boolean;
    /** @default [] */
    readonly checks?: readonly ExtraCheck[];
}

/** A length as AWS counts it: Unicode characters, not UTF-16 units. */
const length = (value: string) => [...value].length;

// ---------------------------------------------------------------------------------------------
// Character sets and rules, one per AWS fact.

const ec2TextSource = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html";

/** EC2 security group names and descriptions (CreateSecurityGroup GroupName, GroupDescription). */
const ec2GroupCharacters = { test: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]$/, text: "a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*" };
/** EC2 descriptions of rules that reference a security group (UserIdGroupPair): no `&`. */
const ec2GroupPairCharacters = { test: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]$/, text: "a-zA-Z0-9, space and ._-:/()#,@[]+=;{}!$*" };

/** Security group description (GroupDescription). */
export const securityGroupDescription: TextRule = {
    service: "EC2",
    reference: "EC2 API CreateSecurityGroup",
    source: ec2TextSource,
    maxLength: 255,
    characters: ec2GroupCharacters,
};

/** Security group name (GroupName): the description's characters, and never `sg-` first. */
export const securityGroupName: TextRule = {
    service: "EC2",
    reference: "EC2 API CreateSecurityGroup",
    source: ec2TextSource,
    minLength: 1,
    maxLength: 255,
    characters: ec2GroupCharacters,
    reservedPrefixes: ["sg-"],
};

/** Description of a rule with a CIDR peer (IpRange and Ipv6Range Description). */
export const cidrRuleDescription: TextRule = {
    service: "EC2",
    reference: "EC2 API IpRange",
    source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html",
    maxLength: 255,
    characters: ec2GroupCharacters,
};

/**
 * Description of a rule that references a security group (UserIdGroupPair Description). The
 * reference documents one character fewer than for CIDR rules: no `&`.
 */
export const groupRuleDescription: TextRule = {
    service: "EC2",
    reference: "EC2 API UserIdGroupPair",
    source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html",
    maxLength: 255,
    characters: ec2GroupPairCharacters,
};

/** A security group rule's description: CIDR peers allow `&`, any other peer gets the narrower set. */
function securityGroupRuleDescription(inputs: Record<string, unknown>): TextRule {
    return inputs.cidrIpv4 !== undefined || inputs.cidrIpv6 !== undefined ? cidrRuleDescription : groupRuleDescription;
}

const tagSource = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html";
/** AWS's common tag character set: Unicode letters, digits and whitespace, and `_ . : / = + - @`. */
const tagCharacters = { test: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]$/u, text: "letters, digits, whitespace and _ . : / = + - @" };

/**
 * A tag key. Services differ (EC2 alone allows any character); the common set holds wherever a
 * tag propagates (ECS `propagateTags`, Auto Scaling `propagateAtLaunch`, creation templates).
 */
export const tagKey: TextRule = {
    service: "AWS",
    reference: "AWS tagging rules (ECS API Tag)",
    source: tagSource,
    minLength: 1,
    maxLength: 128,
    characters: tagCharacters,
    reservedPrefixes: ["aws:"],
    prefixIgnoresCase: true,
};

/** A tag value: the key's characters, 0-256 of them; `aws:` is reserved in values too. */
export const tagValue: TextRule = {
    service: "AWS",
    reference: "AWS tagging rules (ECS API Tag)",
    source: tagSource,
    maxLength: 256,
    characters: tagCharacters,
    reservedPrefixes: ["aws:"],
    prefixIgnoresCase: true,
};

/** User tags per resource (tags with the reserved `aws:` prefix do not count). */
export const maxTagsPerResource = 50;

const ecrSegments = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";
const ecrNameCharacters = { test: /^[a-z0-9._\-/]$/, text: "lowercase a-z0-9 and . _ - /" };

/** ECR repository name (CreateRepository repositoryName). */
export const ecrRepositoryName: TextRule = {
    service: "ECR",
    reference: "ECR API CreateRepository",
    source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
    minLength: 2,
    maxLength: 256,
    characters: ecrNameCharacters,
    form: { test: new RegExp(`^${ecrSegments}$`), text: "a-z0-9 runs joined by single . _ or -, in /-separated parts" },
};

/** The prefix of a pull-through cache rule (PullThroughCacheRule ecrRepositoryPrefix). */
export const ecrPullThroughCachePrefix: TextRule = {
    service: "ECR",
    reference: "ECR API PullThroughCacheRule",
    source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PullThroughCacheRule.html",
    minLength: 2,
    maxLength: 30,
    characters: ecrNameCharacters,
    form: { test: new RegExp(`^${ecrSegments}/?$`), text: "a-z0-9 runs joined by single . _ or -, in /-separated parts" },
    alsoAccepted: ["ROOT"],
};

/** The prefix of a repository creation template (RepositoryCreationTemplate prefix). */
export const ecrCreationTemplatePrefix: TextRule = {
    ...ecrPullThroughCachePrefix,
    reference: "ECR API RepositoryCreationTemplate",
    source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RepositoryCreationTemplate.html",
    minLength: 1,
    maxLength: 256,
};

/** A repository creation template's description. */
export const ecrCreationTemplateDescription: TextRule = {
    service: "ECR",
    reference: "ECR API RepositoryCreationTemplate",
    source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RepositoryCreationTemplate.html",
    maxLength: 256,
};

/** A repository's lifecycle policy text (PutLifecyclePolicy lifecyclePolicyText). */
export const ecrLifecyclePolicyText: TextRule = {
    service: "ECR",
    reference: "ECR API PutLifecyclePolicy",
    source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html",
    minLength: 100,
    maxLength: 30720,
};

const ssmNameSource = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html";

/** `arn:<partition>:ssm:<region>:<account>:parameter/`, which counts toward a name's 1011 characters. */
export function ssmParameterArnPrefix(context: RuleContext): string {
    return `arn:${partitionOf(context.region)}:ssm:${context.region}:${context.accountId}:parameter/`;
}

/**
 * An SSM parameter name (PutParameter Name). AWS counts the ARN before the name toward the 1011
 * characters a name may have (the API's 2048 includes 1037 reserved for Systems Manager).
 */
export const ssmParameterName: TextRule = {
    service: "SSM",
    reference: "SSM API PutParameter",
    source: ssmNameSource,
    minLength: 1,
    maxLength: 1011,
    characters: { test: /^[a-zA-Z0-9_.\-/]$/, text: "a-zA-Z0-9_.- and / between levels" },
    form: { test: /^(?:[^/]+|(?:\/[^/]+)+)$/, text: "a plain name or /level/.../name" },
    checks: [
        {
            text: "not starting with aws or ssm in any case",
            problem: (value) => {
                const reserved = /^(aws|ssm)/i.exec(value.replace(/^\//, ""));
                return reserved ? `starts with "${reserved[1]}", which SSM reserves` : undefined;
            },
        },
        {
            text: "at most 15 levels",
            problem: (value) => {
                const levels = value.split("/").filter((level) => level !== "").length;
                return levels > 15 ? `has ${levels} levels; SSM allows at most 15` : undefined;
            },
        },
        {
            text: "at most 1011 characters with the ARN before it",
            problem: (value, context) => {
                const arn = `${ssmParameterArnPrefix(context)}${value.replace(/^\//, "")}`;
                return length(arn) > 1011 ? `makes the ARN ${length(arn)} characters; SSM allows at most 1011` : undefined;
            },
        },
    ],
};

/** An SSM parameter's description. */
export const ssmParameterDescription: TextRule = {
    service: "SSM",
    reference: "SSM API PutParameter",
    source: ssmNameSource,
    maxLength: 1024,
};

/** A CloudWatch Logs log group name (CreateLogGroup logGroupName). */
export const logGroupName: TextRule = {
    service: "CloudWatch Logs",
    reference: "CloudWatch Logs API CreateLogGroup",
    source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    minLength: 1,
    maxLength: 512,
    characters: { test: /^[.\-_/#A-Za-z0-9]$/, text: "a-zA-Z0-9 and . - _ / #" },
};

const iamNameCharacters = { test: /^[a-zA-Z0-9_+=,.@-]$/, text: "a-zA-Z0-9 and _+=,.@-" };

/** An IAM role name (CreateRole RoleName). */
export const iamRoleName: TextRule = {
    service: "IAM",
    reference: "IAM API CreateRole",
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    minLength: 1,
    maxLength: awsNameMaxLength.iamRole,
    characters: iamNameCharacters,
};

/** An IAM role description (CreateRole Description): no control characters, not even a newline. */
export const iamRoleDescription: TextRule = {
    service: "IAM",
    reference: "IAM API CreateRole",
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    maxLength: 1000,
    characters: {
        test: /^[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]$/u,
        text: "letters, marks, spaces, symbols, digits and punctuation (no control characters)",
    },
};

/** An IAM path (CreateRole and CreateInstanceProfile Path). */
export const iamPath: TextRule = {
    service: "IAM",
    reference: "IAM API CreateRole",
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    minLength: 1,
    maxLength: 512,
    characters: { test: /^[\u0021-\u007f]$/, text: "ASCII ! to DEL" },
    form: { test: /^(?:\/|\/[\u0021-\u007f]+\/)$/, text: "/ alone or /.../" },
};

/** An inline role policy's name (PutRolePolicy PolicyName). */
export const iamRolePolicyName: TextRule = {
    service: "IAM",
    reference: "IAM API PutRolePolicy",
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
    minLength: 1,
    maxLength: 128,
    characters: iamNameCharacters,
};

// IAM's quotas on policy documents: facts/aws.ts (iamQuotas, iamPolicySize); its characters:
// only tab, line feed, carriage return and U+0020-U+00FF (IAM and AWS STS quotas).
const iamPolicyCharacters = { test: /^[\t\n\r\u0020-\u00ff]$/, text: "tab, line feed, carriage return and U+0020-U+00FF" };

/** An inline role policy (PutRolePolicy PolicyDocument); the role's total is checked by the mocks. */
export const iamPolicyDocument: TextRule = {
    service: "IAM",
    reference: "IAM and AWS STS quotas",
    source: iamQuotas.source,
    minLength: 1,
    maxLength: 131_072,
    characters: iamPolicyCharacters,
};

/** A role's trust policy (CreateRole AssumeRolePolicyDocument). */
export const iamTrustPolicy: TextRule = {
    ...iamPolicyDocument,
    checks: [
        {
            text: `at most ${iamQuotas.trustPolicy} characters without white space`,
            problem: (document) => {
                const size = iamPolicySize(document);
                return size > iamQuotas.trustPolicy
                    ? `is ${size} characters without white space; IAM allows a trust policy at most ${iamQuotas.trustPolicy}`
                    : undefined;
            },
        },
    ],
};

/** An instance profile's name (CreateInstanceProfile InstanceProfileName). */
export const iamInstanceProfileName: TextRule = {
    service: "IAM",
    reference: "IAM API CreateInstanceProfile",
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html",
    minLength: 1,
    maxLength: 128,
    characters: iamNameCharacters,
};

/** A KMS key's description (CreateKey Description). */
export const kmsKeyDescription: TextRule = {
    service: "KMS",
    reference: "KMS API CreateKey",
    source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html",
    maxLength: 8192,
};

/**
 * A KMS alias name (CreateAlias AliasName). The API pattern also admits `:`; the developer guide
 * allows only letters, digits, `/`, `_` and `-`, and fleet holds to the guide.
 */
export const kmsAliasName: TextRule = {
    service: "KMS",
    reference: "KMS API CreateAlias",
    source: "https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html",
    minLength: 1,
    maxLength: 256,
    characters: { test: /^[a-zA-Z0-9/_-]$/, text: "a-zA-Z0-9 and / _ -" },
    form: { test: /^alias\/.+$/, text: "alias/<name>" },
    reservedPrefixes: ["alias/aws/"],
};

const ecsNameCharacters = { test: /^[a-zA-Z0-9_-]$/, text: "a-zA-Z0-9, _ and -" };

/** An ECS cluster name (CreateCluster clusterName). */
export const ecsClusterName: TextRule = {
    service: "ECS",
    reference: "ECS API CreateCluster",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
    minLength: 1,
    maxLength: 255,
    characters: ecsNameCharacters,
};

/** An ECS service name (CreateService serviceName). */
export const ecsServiceName: TextRule = {
    ...ecsClusterName,
    reference: "ECS API CreateService",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
};

/** A task definition family (RegisterTaskDefinition family). */
export const ecsTaskFamily: TextRule = {
    ...ecsClusterName,
    reference: "ECS API RegisterTaskDefinition",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
};

/** The kernel parameters a container may set (SystemControl namespace): IPC ones, `fs.mqueue.*`, `net.*`. */
const ecsSystemControlNamespace = /^(kernel\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)|fs\.mqueue\..+|net\..+)$/;

/**
 * A task definition's container definitions (JSON), as far as the mocks read them: every system
 * control a namespaced kernel parameter ECS accepts ("All of these values are supported by Fargate").
 */
export const ecsContainerDefinitions: TextRule = {
    service: "ECS",
    reference: "ECS API SystemControl",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_SystemControl.html",
    // Only the system controls are checked: no length limit of the JSON is stated on the pages read.
    maxLength: Number.MAX_SAFE_INTEGER,
    checks: [
        {
            text: "system controls among kernel.msg*/sem/shm*, fs.mqueue.* and net.*",
            problem: (json) => {
                const containers = JSON.parse(json) as { systemControls?: { namespace?: string }[] }[];
                const refused = containers
                    .flatMap((c) => c.systemControls ?? [])
                    .filter((c) => !ecsSystemControlNamespace.test(c.namespace ?? ""));
                return refused.length > 0
                    ? `sets kernel parameters ECS refuses (${refused.map((c) => c.namespace).join(", ")})`
                    : undefined;
            },
        },
    ],
};

/** The appProtocol values of a port mapping (ECS API PortMapping.appProtocol); absent means TCP. */
const ecsAppProtocols = ["http", "http2", "grpc"];

/** A task definition's port mappings: an appProtocol ECS accepts, on a named port (Service Connect reads it by name). */
export const ecsPortMappings: TextRule = {
    service: "ECS",
    reference: "ECS API PortMapping",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html",
    maxLength: Number.MAX_SAFE_INTEGER,
    checks: [
        {
            text: "appProtocol among http, http2 and grpc, only on a named port mapping",
            problem: (json) => {
                const mappings = (JSON.parse(json) as { portMappings?: { name?: string; appProtocol?: unknown }[] }[]).flatMap(
                    (c) => c.portMappings ?? [],
                );
                const refused = mappings.filter((m) => m.appProtocol !== undefined && !ecsAppProtocols.includes(String(m.appProtocol)));
                if (refused.length > 0)
                    return `sets appProtocol ${refused.map((m) => JSON.stringify(m.appProtocol)).join(", ")}, which ECS refuses`;
                const unnamed = mappings.filter((m) => m.appProtocol !== undefined && m.name === undefined);
                return unnamed.length > 0 ? "sets appProtocol on a port mapping without a name" : undefined;
            },
        },
    ],
};

const ecsApiSource = (shape: string) => `https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_${shape}.html`;
const notStartingWithHyphen = { test: /^(?!-)/, text: "not starting with -" };

/**
 * A port mapping's name (PortMapping name), which Service Connect's `portName` refers to: "up to 64
 * characters ... lowercase letters, numbers, underscores (_), and hyphens (-). The name can't
 * start with a hyphen."
 */
export const ecsPortMappingName: TextRule = {
    service: "ECS",
    reference: "ECS API PortMapping",
    source: ecsApiSource("PortMapping"),
    minLength: 1,
    maxLength: 64,
    characters: { test: /^[a-z0-9_-]$/, text: "lowercase a-z0-9, _ and -" },
    form: notStartingWithHyphen,
};

/** A container's name (ContainerDefinition name): "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens". */
export const ecsContainerName: TextRule = {
    service: "ECS",
    reference: "ECS API ContainerDefinition",
    source: ecsApiSource("ContainerDefinition"),
    minLength: 1,
    maxLength: 255,
    characters: ecsNameCharacters,
};

/** The names inside a task definition's container definitions (JSON): each container's, and each port mapping's. */
export const ecsContainerDefinitionNames: TextRule = {
    service: "ECS",
    reference: "ECS API ContainerDefinition and PortMapping",
    source: `${ecsApiSource("ContainerDefinition")}, ${ecsApiSource("PortMapping")}`,
    maxLength: Number.MAX_SAFE_INTEGER,
    checks: [
        {
            text: `container names ${describeRule(ecsContainerName)}, port mapping names ${describeRule(ecsPortMappingName)}`,
            problem: (json, context) => {
                const containers = JSON.parse(json) as { name?: string; portMappings?: { name?: string }[] }[];
                for (const container of containers) {
                    const names: [string, TextRule, string | undefined][] = [
                        ["container name", ecsContainerName, container.name],
                        ...(container.portMappings ?? []).map((m): [string, TextRule, string | undefined] => [
                            "port mapping name",
                            ecsPortMappingName,
                            m.name,
                        ]),
                    ];
                    for (const [what, rule, name] of names) {
                        const problem = name === undefined ? undefined : checkText(rule, name, context);
                        if (problem !== undefined) return `has a ${what} ${JSON.stringify(name)} that ${problem}`;
                    }
                }
                return undefined;
            },
        },
    ],
};

const targetGroupSource = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html";
/** Healthy codes of an HTTP1 or HTTP2 target group (ELB API Matcher HttpCode: 200-499, lists and ranges). */
export const targetGroupHttpMatcher: TextRule = {
    service: "ELB",
    reference: "ELBv2 API Matcher (HttpCode)",
    source: targetGroupSource,
    minLength: 1,
    maxLength: 2048,
    form: {
        test: /^(2\d\d|3\d\d|4\d\d)(-(2\d\d|3\d\d|4\d\d))?(,(2\d\d|3\d\d|4\d\d)(-(2\d\d|3\d\d|4\d\d))?)*$/,
        text: "HTTP codes 200-499, as a list or ranges",
    },
};
/** Healthy codes of a GRPC target group (ELB API Matcher GrpcCode: 0-99, lists and ranges). */
export const targetGroupGrpcMatcher: TextRule = {
    ...targetGroupHttpMatcher,
    reference: "ELBv2 API Matcher (GrpcCode)",
    form: { test: /^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$/, text: "gRPC codes 0-99, as a list or ranges" },
};
/** The matcher a target group's protocol version takes. */
const targetGroupMatcher = (inputs: Record<string, unknown>): TextRule =>
    inputs.protocolVersion === "GRPC" ? targetGroupGrpcMatcher : targetGroupHttpMatcher;

/**
 * An ALB sends HTTP/2 and gRPC to targets only from an HTTPS listener (ELB guide, "Target groups for
 * your Application Load Balancers", protocol version: "The only supported listener protocol is
 * HTTPS"). The problem of a rule on a listener of `listenerProtocol` forwarding to a target group of
 * `protocolVersion`, or undefined when ELB accepts it.
 */
export function listenerRuleProtocolProblem(listenerProtocol: unknown, protocolVersion: unknown): string | undefined {
    if (protocolVersion !== "GRPC" && protocolVersion !== "HTTP2") return undefined;
    return listenerProtocol === "HTTPS"
        ? undefined
        : `forwards to a ${protocolVersion} target group from a ${String(listenerProtocol)} listener`;
}
export const listenerRuleProtocolSource =
    "ELB guide, target group protocol version, " +
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-protocol-version";

/**
 * A Service Connect service's discovery name (ServiceConnectService discoveryName), the Cloud Map
 * service ECS creates: "up to 64 characters ... lowercase letters, numbers, underscores (_), and
 * hyphens (-). The name can't start with a hyphen."
 */
export const serviceConnectDiscoveryName: TextRule = {
    ...ecsPortMappingName,
    reference: "ECS API ServiceConnectService",
    source: ecsApiSource("ServiceConnectService"),
};

/**
 * The name clients call a Service Connect service by (ServiceConnectClientAlias dnsName): "up to 127
 * characters ... lowercase letters, numbers, underscores (_), hyphens (-), and periods (.). The
 * name can't start with a hyphen."
 */
export const serviceConnectDnsName: TextRule = {
    service: "ECS",
    reference: "ECS API ServiceConnectClientAlias",
    source: ecsApiSource("ServiceConnectClientAlias"),
    minLength: 1,
    maxLength: 127,
    characters: { test: /^[a-z0-9_.-]$/, text: "lowercase a-z0-9, _ - and ." },
    form: notStartingWithHyphen,
};

type ContainerJson = {
    name?: string;
    secrets?: { name?: string; valueFrom?: string }[];
    repositoryCredentials?: { credentialsParameter?: string };
};
const containersOf = (json: string) => JSON.parse(json) as ContainerJson[];

const ssmParameterReference =
    /^(\/?[a-zA-Z0-9_.-]+(\/[a-zA-Z0-9_.-]+)*|arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[a-zA-Z0-9_.\-/]+)$/;

/** Why ECS refuses a secret's `valueFrom`, or undefined when it reads it. */
function valueFromProblem(valueFrom: string): string | undefined {
    if (ssmParameterReference.test(valueFrom)) return undefined;
    const secret = secretArnParts(valueFrom);
    if (!secret) return "is neither an SSM parameter nor a Secrets Manager secret ARN";
    if (secret.fields && secret.fields.versionStage !== "" && secret.fields.versionId !== "")
        return "names both a version stage and a version id";
    return undefined;
}

/**
 * Where a container reads its secrets (`secrets[].valueFrom`): an SSM parameter, by name in the
 * task's region or by ARN, or the full ARN of a Secrets Manager secret (ECS API Secret,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html), which may be followed
 * by `:<json-key>:<version-stage>:<version-id>` (each may be empty, but a version stage and a
 * version id are not both given: "If you specify a version stage, you can't specify a version ID").
 */
export const ecsContainerSecrets: TextRule = {
    service: "ECS",
    reference: "ECS developer guide, Pass Secrets Manager secrets through Amazon ECS environment variables; ECS API Secret",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",
    maxLength: Number.MAX_SAFE_INTEGER,
    checks: [
        {
            text:
                "secrets read from an SSM parameter (name or ARN) or a Secrets Manager secret ARN " +
                "[:<json-key>:<version-stage>:<version-id>], not both version fields",
            problem: (json) => {
                const refused = containersOf(json).flatMap((c) =>
                    (c.secrets ?? []).flatMap((secret) => {
                        const problem = valueFromProblem(String(secret.valueFrom ?? ""));
                        return problem ? [`${secret.name}: ${JSON.stringify(secret.valueFrom)} ${problem}`] : [];
                    }),
                );
                return refused.length > 0 ? `sets secrets ECS refuses (${refused.join("; ")})` : undefined;
            },
        },
    ],
};

/**
 * A private registry's credentials (`repositoryCredentials.credentialsParameter`): a Secrets Manager
 * secret, by its ARN or, in the task's region, its name ("Private registry authentication for
 * tasks" in the ECS developer guide: the secret holds `{"username","password"}`).
 */
export const ecsRepositoryCredentials: TextRule = {
    service: "ECS",
    reference: "ECS API RepositoryCredentials",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RepositoryCredentials.html",
    maxLength: Number.MAX_SAFE_INTEGER,
    checks: [
        {
            text: "repositoryCredentials.credentialsParameter a Secrets Manager secret's ARN or name",
            problem: (json) => {
                const refused = containersOf(json).flatMap((c) => {
                    const parameter = c.repositoryCredentials?.credentialsParameter;
                    if (c.repositoryCredentials === undefined) return [];
                    const secret = typeof parameter === "string" ? secretArnParts(parameter) : undefined;
                    const name = typeof parameter === "string" && /^[A-Za-z0-9/_+=.@!-]{1,512}$/.test(parameter);
                    return (secret && !secret.fields) || name ? [] : [`${c.name}: ${JSON.stringify(parameter)}`];
                });
                return refused.length > 0
                    ? `sets repositoryCredentials that are not a Secrets Manager secret's ARN or name (${refused.join("; ")})`
                    : undefined;
            },
        },
    ],
};

/**
 * A capacity provider name (CreateCapacityProvider name): never starting with aws, ecs or
 * fargate. The reference does not say whether case matters; fleet refuses any case.
 */
export const ecsCapacityProviderName: TextRule = {
    ...ecsClusterName,
    reference: "ECS API CreateCapacityProvider",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html",
    reservedPrefixes: ["aws", "ecs", "fargate"],
    prefixIgnoresCase: true,
};

const elbNameCharacters = { test: /^[a-zA-Z0-9-]$/, text: "a-zA-Z0-9 and -" };
const noEdgeHyphen = { test: /^(?!-)(?!.*-$)/s, text: "not starting or ending with -" };

/** A target group name (CreateTargetGroup Name). */
export const elbTargetGroupName: TextRule = {
    service: "ELB",
    reference: "ELBv2 API CreateTargetGroup",
    source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    minLength: 1,
    maxLength: awsNameMaxLength.targetGroup,
    characters: elbNameCharacters,
    form: noEdgeHyphen,
};

/** A load balancer name (CreateLoadBalancer Name): as a target group's, and never `internal-` first. */
export const elbLoadBalancerName: TextRule = {
    ...elbTargetGroupName,
    reference: "ELBv2 API CreateLoadBalancer",
    source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    reservedPrefixes: ["internal-"],
};

/** A launch template name (CreateLaunchTemplate LaunchTemplateName). */
export const launchTemplateName: TextRule = {
    service: "EC2",
    reference: "EC2 API CreateLaunchTemplate",
    source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html",
    minLength: 3,
    maxLength: 128,
    characters: { test: /^[a-zA-Z0-9().\-/_]$/, text: "a-zA-Z0-9 and ( ) . - / _" },
};

/** An Auto Scaling group name (CreateAutoScalingGroup AutoScalingGroupName): printable ASCII, no space, no colon. */
export const autoScalingGroupName: TextRule = {
    service: "Auto Scaling",
    reference: "EC2 Auto Scaling API CreateAutoScalingGroup",
    source: "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html",
    minLength: 1,
    maxLength: 255,
    characters: { test: /^[\u0021-\u0039\u003b-\u007e]$/, text: "ASCII 33-126 except :" },
};

/** An Application Auto Scaling policy name (PutScalingPolicy PolicyName): printable ASCII. */
export const scalingPolicyName: TextRule = {
    service: "Application Auto Scaling",
    reference: "Application Auto Scaling API PutScalingPolicy",
    source: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html",
    minLength: 1,
    maxLength: 256,
    characters: { test: /^[\u0020-\u007e]$/, text: "printable ASCII" },
};

/**
 * An Application Auto Scaling scheduled action's name (PutScheduledAction ScheduledActionName):
 * 1-256 characters, no control characters, no `:` `/` `|`, no leading or trailing space.
 */
export const scheduledActionName: TextRule = {
    service: "Application Auto Scaling",
    reference: "Application Auto Scaling API PutScheduledAction",
    source: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html",
    minLength: 1,
    maxLength: 256,
    characters: { test: /^[^\u0000-\u001f\u007f-\u009f:/|]$/, text: "any character but control characters and : / |" },
    form: { test: /^(?! )[^]*(?<! )$/, text: "not starting or ending with a space" },
};

/** An SQS queue name (CreateQueue QueueName): up to 80 of A-Z a-z 0-9 - _, a FIFO queue's ending in `.fifo`. */
export const sqsQueueName: TextRule = {
    service: "SQS",
    reference: "SQS API CreateQueue",
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    minLength: 1,
    maxLength: 80,
    characters: { test: /^[A-Za-z0-9_.-]$/, text: "A-Z a-z 0-9 - _ (and . of the .fifo suffix)" },
    form: { test: /^(?:[A-Za-z0-9_-]+|[A-Za-z0-9_-]+\.fifo)$/, text: "a . only in a final .fifo" },
};

/** An EventBridge Scheduler schedule's name (CreateSchedule Name). */
export const schedulerScheduleName: TextRule = {
    service: "EventBridge Scheduler",
    reference: "EventBridge Scheduler API CreateSchedule",
    source: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    minLength: 1,
    maxLength: awsNameMaxLength.schedule,
    characters: { test: /^[0-9a-zA-Z_.-]$/, text: "0-9 a-z A-Z and - _ ." },
};

/** An EventBridge Scheduler schedule's description (CreateSchedule Description): at most 512 characters. */
export const schedulerScheduleDescription: TextRule = {
    service: "EventBridge Scheduler",
    reference: "EventBridge Scheduler API CreateSchedule",
    source: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    maxLength: 512,
};

/** A Cloud Map HTTP namespace name (CreateHttpNamespace Name: printable ASCII without spaces, 1-1024). */
export const cloudMapNamespaceName: TextRule = {
    service: "Cloud Map",
    reference: "Cloud Map API CreateHttpNamespace",
    source: "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html",
    minLength: 1,
    maxLength: 1024,
    characters: { test: /^[!-~]$/, text: "printable ASCII without spaces" },
};

/** A Cloud Map namespace description (CreateHttpNamespace Description, at most 1024 characters). */
export const cloudMapNamespaceDescription: TextRule = { ...cloudMapNamespaceName, minLength: 0, characters: undefined };

/**
 * A domain name of an ACM certificate (RequestCertificate DomainName and SubjectAlternativeNames):
 * at most 253 characters, labels of letters, digits and hyphens, a wildcard only as the first label.
 */
export const acmDomainName: TextRule = {
    service: "ACM",
    reference: "ACM API RequestCertificate",
    source: "https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html",
    minLength: 1,
    maxLength: 253,
    characters: { test: /^[A-Za-z0-9*.-]$/, text: "A-Za-z0-9, * . -" },
    form: {
        test: /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/,
        text: "dot-separated labels, a * only as the whole first label",
    },
};

/** An ARN that must name a resource in the region of the stack's provider. */
function sameRegion(what: string): ExtraCheck {
    return {
        text: `${what} in the stack's region`,
        problem: (arn, context) => {
            const region = arnRegion(arn);
            return region === context.region ? undefined : `names ${what} in ${region}, not the stack's region ${context.region}`;
        },
    };
}

/**
 * An HTTPS listener's certificate: ACM certificates are regional, and a load balancer uses one from
 * its own region ("Certificates in ACM are regional resources ... you must request or import a
 * certificate for each region").
 */
export const listenerCertificateArn: TextRule = {
    service: "ELB",
    reference: "ACM User Guide, Supported Regions",
    source: "https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html",
    minLength: 20,
    maxLength: 2048,
    form: { test: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/, text: "an ACM certificate ARN" },
    checks: [sameRegion("a certificate")],
};

/**
 * A pull-through cache rule's credential (CloudFormation's CredentialArn pattern and length): a
 * Secrets Manager secret named `ecr-pullthroughcache/...`, in the rule's own account and region
 * (ECR guide, "Creating a pull through cache rule": "The account and Region that the secret is in
 * must match the account and Region that the pull through cache rule is in").
 */
export const pullThroughCredentialArn: TextRule = {
    service: "ECR",
    reference: "ECR User Guide, Creating a pull through cache rule",
    source: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-rule.html",
    minLength: 50,
    maxLength: 612,
    form: {
        test: /^arn:aws[a-z-]*:secretsmanager:[a-zA-Z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/,
        text: "a Secrets Manager ARN whose secret name starts with ecr-pullthroughcache/",
    },
    // The account is not checked: offline, the mocks' account is a stand-in for the real one.
    checks: [sameRegion("a secret")],
};

// ---------------------------------------------------------------------------------------------
// The table: per resource type, the fields fleet sets.

/** One field of a resource type that AWS constrains. */
export type FieldRule =
    | {
          readonly kind: "text";
          /** Input path: `description`, `name`, `a[].b` for every element of a list. */
          readonly path: string;
          /** The rule, or how the resource's inputs choose it. */
          readonly rule: TextRule | ((inputs: Record<string, unknown>) => TextRule);
          /**
           * The resource's physical name: when the input is unset, the name Pulumi gives it
           * (`<logical name>-<7 characters>`) is checked instead.
           */
          readonly physicalName?: boolean;
      }
    | {
          readonly kind: "tags";
          /** A map of tags (`{ key: value }`) or a list of `{ key, value }` (Auto Scaling groups). */
          readonly path: string;
      };

const text = (path: string, rule: TextRule | ((inputs: Record<string, unknown>) => TextRule)): FieldRule => ({ kind: "text", path, rule });
const physicalName = (rule: TextRule): FieldRule => ({ kind: "text", path: "name", rule, physicalName: true });
const tags = (path: string): FieldRule => ({ kind: "tags", path });

/**
 * Checked on every resource, of any type, including types this table does not know yet: AWS
 * resources take their tags as `tags`. A list of plain strings there is not AWS tags (a
 * docker-build image's `tags` are image references) and is left alone.
 */
export const everyResource: readonly FieldRule[] = [tags("tags")];

/** The fields fleet sets on each resource type, beyond `everyResource`. */
export const resourceRules: Readonly<Record<string, readonly FieldRule[]>> = {
    "aws:ec2/securityGroup:SecurityGroup": [physicalName(securityGroupName), text("description", securityGroupDescription)],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [text("description", securityGroupRuleDescription)],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [text("description", securityGroupRuleDescription)],
    "aws:lb/loadBalancer:LoadBalancer": [physicalName(elbLoadBalancerName)],
    "aws:lb/targetGroup:TargetGroup": [physicalName(elbTargetGroupName), text("healthCheck.matcher", targetGroupMatcher)],
    "aws:ecs/cluster:Cluster": [physicalName(ecsClusterName)],
    "aws:ecs/capacityProvider:CapacityProvider": [physicalName(ecsCapacityProviderName)],
    "aws:ecs/taskDefinition:TaskDefinition": [
        text("family", ecsTaskFamily),
        text("containerDefinitions", ecsContainerDefinitions),
        text("containerDefinitions", ecsPortMappings),
        text("containerDefinitions", ecsContainerDefinitionNames),
        text("containerDefinitions", ecsContainerSecrets),
        text("containerDefinitions", ecsRepositoryCredentials),
    ],
    "aws:ecs/service:Service": [
        physicalName(ecsServiceName),
        text("serviceConnectConfiguration.services[].portName", ecsPortMappingName),
        text("serviceConnectConfiguration.services[].discoveryName", serviceConnectDiscoveryName),
        text("serviceConnectConfiguration.services[].clientAlias[].dnsName", serviceConnectDnsName),
    ],
    "aws:iam/role:Role": [
        physicalName(iamRoleName),
        text("description", iamRoleDescription),
        text("path", iamPath),
        text("assumeRolePolicy", iamTrustPolicy),
    ],
    "aws:iam/rolePolicy:RolePolicy": [physicalName(iamRolePolicyName), text("policy", iamPolicyDocument)],
    "aws:iam/instanceProfile:InstanceProfile": [physicalName(iamInstanceProfileName), text("path", iamPath)],
    "aws:ec2/launchTemplate:LaunchTemplate": [physicalName(launchTemplateName), tags("tagSpecifications[].tags")],
    "aws:autoscaling/group:Group": [physicalName(autoScalingGroupName)],
    "aws:ecr/repository:Repository": [physicalName(ecrRepositoryName)],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": [text("policy", ecrLifecyclePolicyText)],
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": [
        text("ecrRepositoryPrefix", ecrPullThroughCachePrefix),
        text("credentialArn", pullThroughCredentialArn),
    ],
    "aws:lb/listener:Listener": [text("certificateArn", listenerCertificateArn)],
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": [
        text("prefix", ecrCreationTemplatePrefix),
        text("description", ecrCreationTemplateDescription),
        tags("resourceTags"),
    ],
    "aws:kms/key:Key": [text("description", kmsKeyDescription)],
    "aws:kms/alias:Alias": [text("name", kmsAliasName)],
    "aws:ssm/parameter:Parameter": [physicalName(ssmParameterName), text("description", ssmParameterDescription)],
    "aws:cloudwatch/logGroup:LogGroup": [physicalName(logGroupName)],
    "aws:appautoscaling/policy:Policy": [physicalName(scalingPolicyName)],
    "aws:appautoscaling/scheduledAction:ScheduledAction": [physicalName(scheduledActionName)],
    "aws:sqs/queue:Queue": [physicalName(sqsQueueName)],
    "aws:scheduler/schedule:Schedule": [physicalName(schedulerScheduleName), text("description", schedulerScheduleDescription)],
    "aws:servicediscovery/httpNamespace:HttpNamespace": [
        text("name", cloudMapNamespaceName),
        text("description", cloudMapNamespaceDescription),
    ],
    "aws:acm/certificate:Certificate": [text("domainName", acmDomainName), text("subjectAlternativeNames[]", acmDomainName)],
};

// ---------------------------------------------------------------------------------------------
// Checking.

/** Pulumi's marker for a value not known yet (preview), and for a secret. */
function isUnknownOrSecret(value: unknown): boolean {
    if (value === pulumi.runtime.unknownValue) return true;
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
    );
}

/** How a rule reads after "allowed:", e.g. `a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$* (max 255)`. */
export function describeRule(rule: TextRule): string {
    const min = rule.minLength ?? 0;
    const parts = [
        rule.characters?.text ?? "any characters",
        ...(rule.form ? [rule.form.text] : []),
        ...(rule.alsoAccepted ?? []).map((value) => `or exactly ${value}`),
    ];
    const limits = min > 0 ? `${min}-${rule.maxLength}` : `max ${rule.maxLength}`;
    const after = [
        ...(rule.reservedPrefixes
            ? [`not starting with ${rule.reservedPrefixes.join(", ")}${rule.prefixIgnoresCase ? " in any case" : ""}`]
            : []),
        ...(rule.checks ?? []).map((check) => check.text),
    ];
    return `${parts.join(", ")} (${limits})${after.map((a) => `, ${a}`).join("")}`;
}

/**
 * What is wrong with `value` under `rule`, as it reads after the value ("has characters EC2
 * refuses (\"'\")"), or undefined when AWS accepts it.
 */
export function checkText(rule: TextRule, value: string, context: RuleContext): string | undefined {
    if (rule.alsoAccepted?.includes(value)) return undefined;
    if (rule.characters) {
        const refused = [...new Set([...value].filter((c) => !rule.characters!.test.test(c)))];
        if (refused.length > 0) return `has characters ${rule.service} refuses (${refused.map((c) => JSON.stringify(c)).join(", ")})`;
    }
    const n = length(value);
    const characters = `${n} character${n === 1 ? "" : "s"}`;
    if (n > rule.maxLength) return `is ${characters}; ${rule.service} allows at most ${rule.maxLength}`;
    if (n < (rule.minLength ?? 0)) return `is ${characters}; ${rule.service} needs at least ${rule.minLength}`;
    for (const prefix of rule.reservedPrefixes ?? []) {
        const starts = rule.prefixIgnoresCase ? value.toLowerCase().startsWith(prefix.toLowerCase()) : value.startsWith(prefix);
        if (starts) return `starts with "${value.slice(0, prefix.length)}", which ${rule.service} reserves`;
    }
    if (rule.form && !rule.form.test.test(value)) return `is not of the form ${rule.service} requires`;
    for (const check of rule.checks ?? []) {
        const problem = check.problem(value, context);
        if (problem !== undefined) return problem;
    }
    return undefined;
}

/** A value found at an input path, with the path to it (`tagSpecifications[0].tags`). */
interface Found {
    readonly path: string;
    readonly value: unknown;
}

/** The values at `path` in `inputs`, where `[]` stands for every element of a list. */
function valuesAt(inputs: Record<string, unknown>, path: string): Found[] {
    let found: Found[] = [{ path: "", value: inputs }];
    for (const segment of path.split(".")) {
        const each = segment.endsWith("[]");
        const key = each ? segment.slice(0, -2) : segment;
        const next: Found[] = [];
        for (const { path: at, value } of found) {
            if (typeof value !== "object" || value === null || isUnknownOrSecret(value)) continue;
            const child = (value as Record<string, unknown>)[key];
            if (child === undefined || child === null) continue;
            const childPath = at === "" ? key : `${at}.${key}`;
            if (!each) next.push({ path: childPath, value: child });
            else if (Array.isArray(child)) child.forEach((element, i) => next.push({ path: `${childPath}[${i}]`, value: element }));
        }
        found = next;
    }
    return found;
}

/** A rule a field breaks. */
export interface Violation {
    /** Input path, e.g. `description`, `tags["Name"]`, `tags[2].value`. */
    readonly path: string;
    /** The offending value as messages show it (quoted, long values cut). */
    readonly shown: string;
    /** As it reads after the value: "has characters EC2 refuses (\"'\")". */
    readonly problem: string;
    /** What AWS allows (`describeRule`). */
    readonly allowed: string;
    readonly reference: string;
    readonly source: string;
}

/** Long values are cut in messages (a lifecycle policy may be 30 KB). */
function shown(value: string): string {
    return JSON.stringify(length(value) > 160 ? `${[...value].slice(0, 120).join("")}…` : value);
}

function textViolation(path: string, value: unknown, rule: TextRule, context: RuleContext): Violation[] {
    if (typeof value !== "string") return [];
    const problem = checkText(rule, value, context);
    if (problem === undefined) return [];
    return [{ path, shown: shown(value), problem, allowed: describeRule(rule), reference: rule.reference, source: rule.source }];
}

/** Every tag rule a tag collection (a map, or a list of `{ key, value }`) breaks. */
export function tagViolations(path: string, collection: unknown, context: RuleContext): Violation[] {
    if (isUnknownOrSecret(collection)) return [];
    let pairs: { keyPath: string; key: unknown; valuePath: string; value: unknown }[];
    if (Array.isArray(collection)) {
        // A list of strings is not AWS tags (docker-build image references); a list of
        // `{ key, value }` is an Auto Scaling group's tags.
        pairs = collection.flatMap((element, i) => {
            if (typeof element !== "object" || element === null || isUnknownOrSecret(element)) return [];
            const tag = element as Record<string, unknown>;
            return [{ keyPath: `${path}[${i}].key`, key: tag.key, valuePath: `${path}[${i}].value`, value: tag.value }];
        });
    } else if (typeof collection === "object" && collection !== null) {
        pairs = Object.entries(collection).map(([key, value]) => ({
            keyPath: `${path} key`,
            key,
            valuePath: `${path}[${JSON.stringify(key)}]`,
            value,
        }));
    } else {
        return [];
    }
    const violations = pairs.flatMap((pair) => [
        ...(isUnknownOrSecret(pair.key) ? [] : textViolation(pair.keyPath, pair.key, tagKey, context)),
        ...(isUnknownOrSecret(pair.value) ? [] : textViolation(pair.valuePath, pair.value, tagValue, context)),
    ]);
    // Tags with the reserved prefix (AWS's own) do not count toward the limit.
    const counted = pairs.filter((pair) => typeof pair.key !== "string" || !pair.key.toLowerCase().startsWith("aws:")).length;
    if (counted > maxTagsPerResource) {
        violations.push({
            path,
            shown: `(${counted} tags)`,
            problem: "are more than AWS allows on a resource",
            allowed: `at most ${maxTagsPerResource} tags`,
            reference: tagKey.reference,
            source: tagKey.source,
        });
    }
    return violations;
}

/** A resource as the mocks receive it. */
export interface Registration {
    readonly type: string;
    /** The logical name. */
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** The physical name: `name` when set, else the one Pulumi gives (`<logical name>-<7 characters>`). */
    readonly physicalName: string;
    readonly context: RuleContext;
}

/** Every AWS rule a registration breaks, per the table. */
export function awsRuleViolations(registration: Registration): Violation[] {
    const { inputs, context } = registration;
    const fields = [...(resourceRules[registration.type] ?? []), ...everyResource];
    return fields.flatMap((field): Violation[] => {
        if (field.kind === "tags") return valuesAt(inputs, field.path).flatMap((found) => tagViolations(found.path, found.value, context));
        const rule = typeof field.rule === "function" ? field.rule(inputs) : field.rule;
        if (field.physicalName && inputs.name === undefined) {
            return textViolation("name (auto-named)", registration.physicalName, rule, context);
        }
        return valuesAt(inputs, field.path).flatMap((found) =>
            isUnknownOrSecret(found.value) ? [] : textViolation(found.path, found.value, rule, context),
        );
    });
}

/** The message for a violation: resource, field, value, problem, the rule and its source. */
export function violationMessage(type: string, name: string, violation: Violation): string {
    return (
        `fleet mocks: ${type} ` +
        `"${name}": ${violation.path} ${violation.shown} ${violation.problem}; ` +
        `allowed: ${violation.allowed} ` +
        `— ${violation.reference}, ${violation.source}`
    );
}

/** Throws, naming every rule the registration breaks, as AWS would refuse it at deploy time. */
export function enforceAwsRules(registration: Registration): void {
    const violations = awsRuleViolations(registration);
    if (violations.length > 0) throw new Error(violations.map((v) => violationMessage(registration.type, registration.name, v)).join("\n"));
}

/**
 * ECS refuses a service with Service Connect whose task definition sets no task memory, or task
 * memory not above the containers' memory limits: the difference is what the Service Connect
 * agent ECS adds to the task runs in (ECS developer guide, Service Connect proxy: "The task
 * definition must set the task memory limit to use Service Connect" and "you must set the task
 * memory limit to a number greater than the sum of the container memory limits").
 * `taskDefinition` holds the task definition's inputs; the problem is undefined when ECS accepts it.
 */
export function serviceConnectTaskProblem(taskDefinition: Record<string, unknown>): string | undefined {
    if (isUnknownOrSecret(taskDefinition.memory) || isUnknownOrSecret(taskDefinition.containerDefinitions)) return undefined;
    const containers = JSON.parse(String(taskDefinition.containerDefinitions ?? "[]")) as { memory?: number }[];
    const limits = containers.reduce((sum, c) => sum + (c.memory ?? 0), 0);
    if (taskDefinition.memory === undefined) return "sets no task memory";
    const memory = Number(taskDefinition.memory);
    return memory > limits ? undefined : `sets task memory ${memory} MiB, not above its containers' limits (${limits} MiB)`;
}

export const serviceConnectTaskSource =
    "ECS developer guide, Service Connect proxy, " +
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html";

const createServiceSource = "ECS API CreateService, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html";
const ecsLoadBalancerSource = "ECS API LoadBalancer, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html";

/**
 * An ECS service against its task definition's network mode: a network configuration "is required
 * for task definitions that use the awsvpc network mode to receive their own elastic network
 * interface, and it isn't supported for other network modes" (CreateService); an awsvpc task
 * registers by its ENI's IP, so its target group must be of target type `ip`, and a bridge task
 * registers by instance and host port, so `instance` (LoadBalancer.targetGroupArn).
 * `targetTypeOf` gives a target group's type by ARN (undefined when not registered here).
 */
export function ecsServiceNetworkBreaches(
    taskDefinition: Record<string, unknown>,
    service: Record<string, unknown>,
    targetTypeOf: (arn: string) => unknown,
): RuleBreach[] {
    const mode = taskDefinition.networkMode;
    if (isUnknownOrSecret(mode) || mode === undefined) return [];
    const breaches: RuleBreach[] = [];
    const configured = service.networkConfiguration !== undefined;
    if (mode === "awsvpc" && !configured)
        breaches.push({ problem: "runs an awsvpc task definition without networkConfiguration", source: createServiceSource });
    if (mode !== "awsvpc" && configured)
        breaches.push({ problem: `sets networkConfiguration for a ${String(mode)} task definition`, source: createServiceSource });
    for (const balancer of (service.loadBalancers ?? []) as { targetGroupArn?: unknown }[]) {
        const targetType = targetTypeOf(String(balancer.targetGroupArn));
        const expected = mode === "awsvpc" ? "ip" : "instance";
        if (targetType !== undefined && !isUnknownOrSecret(targetType) && targetType !== expected)
            breaches.push({
                problem: `registers ${String(mode)} tasks in a target group of target type ${String(targetType)}, not ${expected}`,
                source: ecsLoadBalancerSource,
            });
    }
    return breaches;
}

// ---------------------------------------------------------------------------------------------
// Volumes and EFS: rules over several fields of one registration, each with the page that states it.

/** A rule a registration breaks: what is wrong, and where AWS says so. */
export interface RuleBreach {
    readonly problem: string;
    readonly source: string;
}

const ecsVolumeSource = "ECS API Volume, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html";
const ecsMountPointSource = "ECS API MountPoint, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html";
const ecsEfsAuthorizationSource =
    "ECS API EFSAuthorizationConfig, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html";
const efsCreateFileSystemSource = "EFS API CreateFileSystem, https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html";
const efsPosixUserSource = "EFS API PosixUser, https://docs.aws.amazon.com/efs/latest/ug/API_PosixUser.html";
const efsCreationInfoSource = "EFS API CreationInfo, https://docs.aws.amazon.com/efs/latest/ug/API_CreationInfo.html";
const efsRootDirectorySource = "EFS API RootDirectory, https://docs.aws.amazon.com/efs/latest/ug/API_RootDirectory.html";
const efsMountTargetSource = "EFS API CreateMountTarget, https://docs.aws.amazon.com/efs/latest/ug/API_CreateMountTarget.html";
const efsPolicySource =
    "EFS guide, Creating file system policies, https://docs.aws.amazon.com/efs/latest/ug/create-file-system-policy.html";

/** ECS volume names: up to 255 letters, digits, underscores and hyphens. */
const ecsVolumeNamePattern = /^[A-Za-z0-9_-]{1,255}$/;
/** EFS POSIX ids: 0 to 2^32 - 1. */
const maxPosixId = 4_294_967_295;
/** An access point's root directory: 1-100 characters, up to four directories, none starting with a dot (EFS API RootDirectory). */
const efsRootDirectoryPattern = /^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$/;

const known = (value: unknown): boolean => value !== undefined && !isUnknownOrSecret(value);
const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknownOrSecret(value)
        ? (value as Record<string, unknown>)
        : undefined;

/**
 * A task definition's volumes and its containers' mount points: each volume named within ECS's
 * rule and once; an EFS volume with IAM authorisation or an access point in transit encryption, and
 * with an access point no root directory but `/`; each mount point naming one of the task's
 * volumes at an absolute container path.
 */
export function taskDefinitionVolumeBreaches(inputs: Record<string, unknown>): RuleBreach[] {
    const breaches: RuleBreach[] = [];
    const volumes = Array.isArray(inputs.volumes) ? inputs.volumes.map(record) : [];
    const names = volumes.flatMap((volume) => (volume && typeof volume.name === "string" ? [volume.name] : []));
    for (const name of names) {
        if (!ecsVolumeNamePattern.test(name))
            breaches.push({
                problem: `volume name ${JSON.stringify(name)} is not 1-255 letters, digits, _ and -`,
                source: ecsVolumeSource,
            });
    }
    for (const name of new Set(names.filter((name, i) => names.indexOf(name) !== i)))
        breaches.push({ problem: `volume name ${JSON.stringify(name)} is used twice`, source: ecsVolumeSource });
    for (const volume of volumes) {
        const config = record(volume?.efsVolumeConfiguration);
        if (!config) continue;
        const authorization = record(config.authorizationConfig);
        const encrypted = config.transitEncryption === "ENABLED";
        const where = `volume ${JSON.stringify(volume?.name)}`;
        if (
            !encrypted &&
            known(config.transitEncryption ?? "DISABLED") &&
            (authorization?.iam === "ENABLED" || known(authorization?.accessPointId))
        )
            breaches.push({
                problem: `${where} uses IAM authorisation or an access point without transitEncryption ENABLED`,
                source: ecsEfsAuthorizationSource,
            });
        if (known(authorization?.accessPointId) && known(config.rootDirectory) && config.rootDirectory !== "/")
            breaches.push({
                problem: `${where} sets rootDirectory ${JSON.stringify(config.rootDirectory)} with an access point (omit it, or "/")`,
                source: ecsEfsAuthorizationSource,
            });
    }
    const containers = typeof inputs.containerDefinitions === "string" ? (JSON.parse(inputs.containerDefinitions) as unknown[]) : [];
    const volumesKnown = Array.isArray(inputs.volumes) || inputs.volumes === undefined;
    for (const container of containers.map(record)) {
        for (const mount of Array.isArray(container?.mountPoints) ? container.mountPoints.map(record) : []) {
            if (volumesKnown && !names.includes(String(mount?.sourceVolume)))
                breaches.push({
                    problem:
                        `container ${container?.name} mounts ${JSON.stringify(mount?.sourceVolume)}, ` +
                        "which is not a volume of the task",
                    source: ecsMountPointSource,
                });
            if (typeof mount?.containerPath !== "string" || !mount.containerPath.startsWith("/"))
                breaches.push({
                    problem: `container ${container?.name} mounts at ${JSON.stringify(mount?.containerPath)}, not an absolute path`,
                    source: ecsMountPointSource,
                });
        }
    }
    return breaches;
}

/** A file system: a KMS key only with `encrypted: true`. */
export function efsFileSystemBreaches(inputs: Record<string, unknown>): RuleBreach[] {
    return known(inputs.kmsKeyId) && inputs.encrypted !== true
        ? [{ problem: "kmsKeyId is set without encrypted: true", source: efsCreateFileSystemSource }]
        : [];
}

/**
 * An access point: its POSIX user's ids in EFS's range; its root directory's creation info with all
 * three fields, ids in range and octal permissions; the path within EFS's form and length.
 */
export function efsAccessPointBreaches(inputs: Record<string, unknown>): RuleBreach[] {
    const breaches: RuleBreach[] = [];
    const outOfRange = (value: unknown) =>
        known(value) && !(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= maxPosixId);
    const user = record(inputs.posixUser);
    for (const field of ["uid", "gid"] as const) {
        if (user && (outOfRange(user[field]) || user[field] === undefined))
            breaches.push({
                problem: `posixUser.${field} ${user[field]} is not a whole number from 0 to ${maxPosixId}`,
                source: efsPosixUserSource,
            });
    }
    const root = record(inputs.rootDirectory);
    const creation = record(root?.creationInfo);
    if (creation) {
        const missing = ["ownerUid", "ownerGid", "permissions"].filter((field) => creation[field] === undefined);
        if (missing.length > 0)
            breaches.push({
                problem: `rootDirectory.creationInfo lacks ${missing.join(", ")} (all three are required)`,
                source: efsCreationInfoSource,
            });
        for (const field of ["ownerUid", "ownerGid"]) {
            if (outOfRange(creation[field]))
                breaches.push({
                    problem: `rootDirectory.creationInfo.${field} ${creation[field]} is not a whole number from 0 to ${maxPosixId}`,
                    source: efsCreationInfoSource,
                });
        }
        if (known(creation.permissions) && !/^[0-7]{3,4}$/.test(String(creation.permissions)))
            breaches.push({
                problem: `rootDirectory.creationInfo.permissions ${JSON.stringify(creation.permissions)} is not 3-4 octal digits`,
                source: efsCreationInfoSource,
            });
    }
    if (root && typeof root.path === "string") {
        const path = root.path;
        if (path.length < 1 || path.length > 100 || !efsRootDirectoryPattern.test(path))
            breaches.push({
                problem: `rootDirectory.path ${JSON.stringify(path)} is not 1-100 characters of up to four directories under /`,
                source: efsRootDirectorySource,
            });
    }
    return breaches;
}

/** A mount target: at most five security groups, and one per subnet of a file system (`taken`: the file system's subnets so far). */
export function efsMountTargetBreaches(inputs: Record<string, unknown>, taken: ReadonlySet<string>): RuleBreach[] {
    const breaches: RuleBreach[] = [];
    if (Array.isArray(inputs.securityGroups) && inputs.securityGroups.length > 5)
        breaches.push({ problem: `${inputs.securityGroups.length} security groups, above 5`, source: efsMountTargetSource });
    if (typeof inputs.subnetId === "string" && taken.has(inputs.subnetId))
        breaches.push({
            problem: `a second mount target of the file system in subnet ${inputs.subnetId} (one per Availability Zone)`,
            source: efsMountTargetSource,
        });
    return breaches;
}

/** A file system policy: at most 20,000 characters. */
export function efsFileSystemPolicyBreaches(inputs: Record<string, unknown>): RuleBreach[] {
    return typeof inputs.policy === "string" && inputs.policy.length > 20_000
        ? [{ problem: `a policy of ${inputs.policy.length} characters, above 20,000`, source: efsPolicySource }]
        : [];
}

/** Throws, naming every breach, as AWS would refuse the registration. */
export function refuseBreaches(type: string, name: string, breaches: readonly RuleBreach[]): void {
    if (breaches.length > 0) throw new Error(breaches.map((b) => `fleet mocks: ${type} "${name}": ${b.problem} — ${b.source}`).join("\n"));
}
