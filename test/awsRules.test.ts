/**
 * AWS's rules on the names and free text fleet sets (plan/awsRules.ts): per rule, values AWS
 * accepts and values it refuses with the exact problem; the table applied to registrations (auto-
 * names, tag shapes, unknowns and secrets); and the mocks refusing a registration that breaks a
 * rule, naming the resource, the field, the value and the rule's source.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
    autoScalingGroupName,
    awsRuleViolations,
    checkText,
    cidrRuleDescription,
    describeRule,
    ecrCreationTemplateDescription,
    ecrCreationTemplatePrefix,
    ecrLifecyclePolicyText,
    ecrPullThroughCachePrefix,
    ecrRepositoryName,
    ecsCapacityProviderName,
    ecsClusterName,
    ecsContainerDefinitions,
    ecsServiceName,
    ecsTaskFamily,
    elbLoadBalancerName,
    elbTargetGroupName,
    enforceAwsRules,
    groupRuleDescription,
    iamInstanceProfileName,
    iamPath,
    iamPolicyDocument,
    iamTrustPolicy,
    iamRoleDescription,
    iamRoleName,
    iamRolePolicyName,
    kmsAliasName,
    kmsKeyDescription,
    launchTemplateName,
    listenerCertificateArn,
    logGroupName,
    pullThroughCredentialArn,
    Registration,
    RuleContext,
    scalingPolicyName,
    scheduledActionName,
    schedulerScheduleDescription,
    schedulerScheduleName,
    sqsQueueName,
    securityGroupDescription,
    securityGroupName,
    ssmParameterArnPrefix,
    ssmParameterDescription,
    ssmParameterName,
    tagKey,
    tagValue,
    TextRule,
} from "../plan/awsRules";
import { FleetMocks, installMocks } from "../plan/mocks";

const context: RuleContext = { region: "eu-west-1", accountId: "123456789012" };
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

interface RuleCase {
    readonly name: string;
    readonly rule: TextRule;
    readonly accepted: readonly string[];
    /** Value → the problem exactly as checkText states it. */
    readonly refused: readonly (readonly [string, string])[];
}

const sixteenLevels = Array.from({ length: 16 }, (_, i) => `/l${i}`).join("");
const fifteenLevels = Array.from({ length: 15 }, (_, i) => `/l${i}`).join("");

const cases: readonly RuleCase[] = [
    {
        name: "security group description",
        rule: securityGroupDescription,
        accepted: [
            "fleet load-balanced tasks: the ALB may reach them (the own group of each task opens its port)",
            "a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*",
            "",
            "d".repeat(255),
        ],
        refused: [
            ["fleet load-balanced tasks: (each task's own group opens its port)", `has characters EC2 refuses ("'")`],
            ['say "hi"? über', `has characters EC2 refuses ("\\"", "?", "ü")`],
            ["tab\there", `has characters EC2 refuses ("\\t")`],
            ["d".repeat(256), "is 256 characters; EC2 allows at most 255"],
        ],
    },
    {
        name: "security group name",
        rule: securityGroupName,
        accepted: ["fleet-dev-alb-sg-1a2b3c4", "Sg-upper", "web sg"],
        refused: [
            ["sg-web", `starts with "sg-", which EC2 reserves`],
            ["", "is 0 characters; EC2 needs at least 1"],
            ["web's", `has characters EC2 refuses ("'")`],
        ],
    },
    {
        name: "description of a rule with a CIDR peer",
        rule: cidrRuleDescription,
        accepted: ["HTTP & HTTPS from the internet", "AWS APIs and dependencies through NAT"],
        refused: [["the ALB's port", `has characters EC2 refuses ("'")`]],
    },
    {
        name: "description of a rule referencing a group",
        rule: groupRuleDescription,
        accepted: [
            "to load-balanced tasks; the group of each task admits only its container port",
            "container port from the load balancer",
        ],
        refused: [
            ["ALB & tasks", `has characters EC2 refuses ("&")`],
            ["each task's group admits only its container port", `has characters EC2 refuses ("'")`],
        ],
    },
    {
        name: "tag key",
        rule: tagKey,
        accepted: ["fleet:waiver:ECS.2/ECS.16", "Name", "Kostenstelle Größe", "owner@example.com", "k".repeat(128)],
        refused: [
            ["aws:cloudformation:stack-name", `starts with "aws:", which AWS reserves`],
            ["AWS:Owner", `starts with "AWS:", which AWS reserves`],
            ["", "is 0 characters; AWS needs at least 1"],
            ["k".repeat(129), "is 129 characters; AWS allows at most 128"],
            ["cost,center", `has characters AWS refuses (",")`],
        ],
    },
    {
        name: "tag value",
        rule: tagValue,
        accepted: ["", "dev has no certificate yet so its listener serves plain HTTP", "日本語 テスト", "v".repeat(256)],
        refused: [
            ["it's fine", `has characters AWS refuses ("'")`],
            ["a;b (c)", `has characters AWS refuses (";", "(", ")")`],
            ["v".repeat(257), "is 257 characters; AWS allows at most 256"],
            ["aws:managed", `starts with "aws:", which AWS reserves`],
        ],
    },
    {
        name: "ECR repository name",
        rule: ecrRepositoryName,
        accepted: ["fleet-dev/api", "a1", "team/app.v2_x"],
        refused: [
            ["Fleet/api", `has characters ECR refuses ("F")`],
            ["a", "is 1 character; ECR needs at least 2"],
            ["fleet//api", "is not of the form ECR requires"],
            ["-api", "is not of the form ECR requires"],
            ["api-", "is not of the form ECR requires"],
            ["a".repeat(257), "is 257 characters; ECR allows at most 256"],
        ],
    },
    {
        name: "ECR pull-through cache prefix",
        rule: ecrPullThroughCachePrefix,
        accepted: ["ecr-public", "docker-hub", "ROOT", "fleet-prod/quay", "a".repeat(30)],
        refused: [
            ["x", "is 1 character; ECR needs at least 2"],
            ["a".repeat(31), "is 31 characters; ECR allows at most 30"],
            ["Docker", `has characters ECR refuses ("D")`],
            ["a//b", "is not of the form ECR requires"],
        ],
    },
    {
        name: "ECR repository creation template prefix",
        rule: ecrCreationTemplatePrefix,
        accepted: ["ROOT", "x", "a".repeat(256), "ecr-public/"],
        refused: [["a".repeat(257), "is 257 characters; ECR allows at most 256"]],
    },
    {
        name: "ECR repository creation template description",
        rule: ecrCreationTemplateDescription,
        accepted: ["fleet: repositories cached from registry-1.docker.io", "d".repeat(256)],
        refused: [["d".repeat(257), "is 257 characters; ECR allows at most 256"]],
    },
    {
        name: "ECR lifecycle policy text",
        rule: ecrLifecyclePolicyText,
        accepted: ["x".repeat(100), "x".repeat(30720)],
        refused: [
            ["{}", "is 2 characters; ECR needs at least 100"],
            ["x".repeat(30721), "is 30721 characters; ECR allows at most 30720"],
        ],
    },
    {
        name: "SSM parameter name",
        rule: ssmParameterName,
        accepted: ["/fleet/dev/api/DATABASE_PASSWORD", "plain_name.v1-x", fifteenLevels, `/${"a".repeat(966)}`],
        refused: [
            ["/aws/reserved", `starts with "aws", which SSM reserves`],
            ["SSM-param", `starts with "SSM", which SSM reserves`],
            ["/fleet dev/x", `has characters SSM refuses (" ")`],
            ["fleet/dev", "is not of the form SSM requires"],
            ["/a//b", "is not of the form SSM requires"],
            [sixteenLevels, "has 16 levels; SSM allows at most 15"],
            // 45 characters of ARN (arn:aws:ssm:eu-west-1:123456789012:parameter/) before the name.
            [`/${"a".repeat(967)}`, "makes the ARN 1012 characters; SSM allows at most 1011"],
            [`/${"a".repeat(1011)}`, "is 1012 characters; SSM allows at most 1011"],
        ],
    },
    {
        name: "SSM parameter description",
        rule: ssmParameterDescription,
        accepted: ["fleet: DATABASE_PASSWORD of api", "d".repeat(1024)],
        refused: [["d".repeat(1025), "is 1025 characters; SSM allows at most 1024"]],
    },
    {
        name: "CloudWatch Logs log group name",
        rule: logGroupName,
        accepted: ["/fleet/dev/api", "/aws/ecs/containerinsights#1"],
        refused: [
            ["/fleet dev", `has characters CloudWatch Logs refuses (" ")`],
            ["/x:y", `has characters CloudWatch Logs refuses (":")`],
            ["", "is 0 characters; CloudWatch Logs needs at least 1"],
            [`/${"g".repeat(512)}`, "is 513 characters; CloudWatch Logs allows at most 512"],
        ],
    },
    {
        name: "IAM role name",
        rule: iamRoleName,
        accepted: ["api-exec-1a2b3c4", "a+b=c,d.e@f_g", "r".repeat(64)],
        refused: [
            ["api exec", `has characters IAM refuses (" ")`],
            ["api/exec", `has characters IAM refuses ("/")`],
            ["r".repeat(65), "is 65 characters; IAM allows at most 64"],
        ],
    },
    {
        name: "IAM role description",
        rule: iamRoleDescription,
        accepted: ["fleet: ECS agent for api", "Rôle de l'API — « cité » $5 + 2"],
        refused: [
            ["line one\nline two", `has characters IAM refuses ("\\n")`],
            ["d".repeat(1001), "is 1001 characters; IAM allows at most 1000"],
        ],
    },
    {
        name: "IAM path",
        rule: iamPath,
        accepted: ["/", "/fleet/dev/"],
        refused: [
            ["fleet/", "is not of the form IAM requires"],
            ["/fleet", "is not of the form IAM requires"],
            ["/a b/", `has characters IAM refuses (" ")`],
        ],
    },
    {
        name: "IAM inline policy name",
        rule: iamRolePolicyName,
        accepted: ["api-exec-1a2b3c4", "p".repeat(128)],
        refused: [
            ["p".repeat(129), "is 129 characters; IAM allows at most 128"],
            ["exec:policy", `has characters IAM refuses (":")`],
        ],
    },
    {
        name: "IAM instance profile name",
        rule: iamInstanceProfileName,
        accepted: ["fleet-prod-instance-profile-1a2b3c4"],
        refused: [["profile name", `has characters IAM refuses (" ")`]],
    },
    {
        name: "KMS key description",
        rule: kmsKeyDescription,
        accepted: ["fleet dev: encrypts the services' SSM parameters", ""],
        refused: [["d".repeat(8193), "is 8193 characters; KMS allows at most 8192"]],
    },
    {
        name: "KMS alias name",
        rule: kmsAliasName,
        accepted: ["alias/fleet-dev-secrets", "alias/team/app_key"],
        refused: [
            ["alias/aws/ssm", `starts with "alias/aws/", which KMS reserves`],
            ["fleet-dev-secrets", "is not of the form KMS requires"],
            ["alias/a:b", `has characters KMS refuses (":")`],
        ],
    },
    {
        name: "ECS cluster name",
        rule: ecsClusterName,
        accepted: ["fleet-dev-5a69069", "A_b-9", "c".repeat(255)],
        refused: [
            ["fleet.dev", `has characters ECS refuses (".")`],
            ["c".repeat(256), "is 256 characters; ECS allows at most 255"],
        ],
    },
    {
        name: "ECS service name",
        rule: ecsServiceName,
        accepted: ["api-1a2b3c4"],
        refused: [["api service", `has characters ECS refuses (" ")`]],
    },
    {
        name: "ECS task definition family",
        rule: ecsTaskFamily,
        accepted: ["fleet-dev-api"],
        refused: [["fleet/dev/api", `has characters ECS refuses ("/")`]],
    },
    {
        name: "ECS capacity provider name",
        rule: ecsCapacityProviderName,
        accepted: ["fleet-prod-ec2-1a2b3c4", "my-ecs"],
        refused: [
            ["ecs-capacity", `starts with "ecs", which ECS reserves`],
            ["FARGATE_x", `starts with "FARGATE", which ECS reserves`],
            ["aws1", `starts with "aws", which ECS reserves`],
        ],
    },
    {
        name: "target group name",
        rule: elbTargetGroupName,
        accepted: ["api-tg-1a2b3c4", "t".repeat(32)],
        refused: [
            ["-api", "is not of the form ELB requires"],
            ["api-", "is not of the form ELB requires"],
            ["api_tg", `has characters ELB refuses ("_")`],
            ["t".repeat(33), "is 33 characters; ELB allows at most 32"],
        ],
    },
    {
        name: "load balancer name",
        rule: elbLoadBalancerName,
        accepted: ["fleet-dev-alb-5ebe39f", "internalalb"],
        refused: [["internal-alb", `starts with "internal-", which ELB reserves`]],
    },
    {
        name: "launch template name",
        rule: launchTemplateName,
        accepted: ["fleet-prod-instances-1a2b3c4", "(a).b/c_d"],
        refused: [
            ["lt", "is 2 characters; EC2 needs at least 3"],
            ["a b c", `has characters EC2 refuses (" ")`],
            ["l".repeat(129), "is 129 characters; EC2 allows at most 128"],
        ],
    },
    {
        name: "Auto Scaling group name",
        rule: autoScalingGroupName,
        accepted: ["fleet-prod-instances-1a2b3c4", "a/b(c)@d"],
        refused: [
            ["asg:1", `has characters Auto Scaling refuses (":")`],
            ["a b", `has characters Auto Scaling refuses (" ")`],
        ],
    },
    {
        name: "Application Auto Scaling policy name",
        rule: scalingPolicyName,
        accepted: ["api-cpu-1a2b3c4", "with space"],
        refused: [
            ["tab\t", `has characters Application Auto Scaling refuses ("\\t")`],
            ["né", `has characters Application Auto Scaling refuses ("é")`],
            ["p".repeat(257), "is 257 characters; Application Auto Scaling allows at most 256"],
        ],
    },
    {
        name: "Application Auto Scaling scheduled action name",
        rule: scheduledActionName,
        accepted: ["worker-at-1a2b3c4d-5e6f7a8", "with space", "né"],
        refused: [
            ["a:b", `has characters Application Auto Scaling refuses (":")`],
            ["a/b|c", `has characters Application Auto Scaling refuses ("/", "|")`],
            ["tab\t", `has characters Application Auto Scaling refuses ("\\t")`],
            [" lead", "is not of the form Application Auto Scaling requires"],
            ["trail ", "is not of the form Application Auto Scaling requires"],
            ["", "is 0 characters; Application Auto Scaling needs at least 1"],
            ["a".repeat(257), "is 257 characters; Application Auto Scaling allows at most 256"],
        ],
    },
    {
        name: "SQS queue name",
        rule: sqsQueueName,
        accepted: ["report-dlq-1a2b3c4", "orders_v2", "orders.fifo", "q".repeat(80)],
        refused: [
            ["orders queue", `has characters SQS refuses (" ")`],
            ["orders.v2", "is not of the form SQS requires"],
            ["q".repeat(81), "is 81 characters; SQS allows at most 80"],
        ],
    },
    {
        name: "EventBridge Scheduler schedule name",
        rule: schedulerScheduleName,
        accepted: ["report-schedule-1a2b3c4", "a.b_c-d"],
        refused: [
            ["a/b", `has characters EventBridge Scheduler refuses ("/")`],
            ["s".repeat(65), "is 65 characters; EventBridge Scheduler allows at most 64"],
        ],
    },
    {
        name: "ECS container definitions' system controls",
        rule: ecsContainerDefinitions,
        accepted: [
            JSON.stringify([{ name: "web", systemControls: [{ namespace: "net.ipv4.ip_unprivileged_port_start", value: "80" }] }]),
            JSON.stringify([{ name: "web" }]),
        ],
        refused: [
            [
                JSON.stringify([{ name: "web", systemControls: [{ namespace: "vm.max_map_count", value: "262144" }] }]),
                "sets kernel parameters ECS refuses (vm.max_map_count)",
            ],
        ],
    },
    {
        name: "IAM policy document",
        rule: iamPolicyDocument,
        accepted: ['{"Version":"2012-10-17","Statement":[]}', "tabs\tand\nnew lines, café"],
        refused: [['{"Sid":"caf\u00e9\u2192"}', 'has characters IAM refuses ("→")']],
    },
    {
        name: "IAM trust policy (2,048 characters without white space)",
        rule: iamTrustPolicy,
        accepted: [`{"a":"${"x".repeat(2040)}"}`, `{"a": "${"x ".repeat(2040)}"}`],
        refused: [[`{"a":"${"x".repeat(2041)}"}`, "is 2049 characters without white space; IAM allows a trust policy at most 2048"]],
    },
    {
        name: "HTTPS listener certificate (context: eu-west-1)",
        rule: listenerCertificateArn,
        accepted: ["arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"],
        refused: [
            [
                "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
                "names a certificate in us-east-1, not the stack's region eu-west-1",
            ],
            ["arn:aws:iam::123456789012:server-certificate/x", "is not of the form ELB requires"],
        ],
    },
    {
        name: "pull-through cache credential (context: eu-west-1)",
        rule: pullThroughCredentialArn,
        accepted: ["arn:aws:secretsmanager:eu-west-1:210987654321:secret:ecr-pullthroughcache/docker-hub-Ab12Cd"],
        refused: [
            [
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-Ab12Cd",
                "names a secret in us-east-1, not the stack's region eu-west-1",
            ],
            ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub-credentials-Ab12Cd", "is not of the form ECR requires"],
        ],
    },
    {
        name: "EventBridge Scheduler schedule description",
        rule: schedulerScheduleDescription,
        accepted: ["fleet: runs the report task on cron(30 2 * * ? *)"],
        refused: [["d".repeat(513), "is 513 characters; EventBridge Scheduler allows at most 512"]],
    },
];

describe("AWS's rules on names and free text", () => {
    for (const { name, rule, accepted, refused } of cases) {
        describe(name, () => {
            for (const value of accepted) {
                it(`accepts ${JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}… (${value.length})` : value)}`, () => {
                    assert.equal(checkText(rule, value, context), undefined);
                });
            }
            for (const [value, problem] of refused) {
                it(`refuses ${JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}… (${value.length})` : value)}`, () => {
                    assert.equal(checkText(rule, value, context), problem);
                });
            }
            it("cites an AWS documentation page", () => {
                assert.match(rule.source, /^https:\/\/docs\.aws\.amazon\.com\//);
            });
        });
    }

    it("say what they allow", () => {
        assert.equal(describeRule(securityGroupDescription), "a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$* (max 255)");
        assert.equal(describeRule(tagKey), "letters, digits, whitespace and _ . : / = + - @ (1-128), not starting with aws: in any case");
        assert.equal(
            describeRule(elbLoadBalancerName),
            "a-zA-Z0-9 and -, not starting or ending with - (1-32), not starting with internal-",
        );
        assert.equal(
            describeRule(ecrPullThroughCachePrefix),
            "lowercase a-z0-9 and . _ - /, a-z0-9 runs joined by single . _ or -, in /-separated parts, or exactly ROOT (2-30)",
        );
        assert.equal(
            describeRule(ssmParameterName),
            "a-zA-Z0-9_.- and / between levels, a plain name or /level/.../name " +
                "(1-1011), not starting with aws or ssm in any case, at most 15 " +
                "levels, at most 1011 characters with the ARN before it",
        );
        assert.equal(describeRule(kmsKeyDescription), "any characters (max 8192)");
    });

    it("count an SSM parameter's ARN in its partition", () => {
        assert.equal(ssmParameterArnPrefix(context), "arn:aws:ssm:eu-west-1:123456789012:parameter/");
        assert.equal(
            ssmParameterArnPrefix({ region: "cn-north-1", accountId: "123456789012" }),
            "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/",
        );
    });
});

/** A registration as the mocks see it, auto-named like FleetMocks. */
function registration(type: string, name: string, inputs: Record<string, unknown>): Registration {
    return { type, name, inputs, physicalName: typeof inputs.name === "string" ? inputs.name : `${name}-1a2b3c4`, context };
}

const problems = (r: Registration) => awsRuleViolations(r).map((v) => `${v.path} ${v.shown} ${v.problem}`);

describe("the table, applied to a registration", () => {
    it("checks the name Pulumi gives when none is set, and the one set otherwise", () => {
        assert.deepEqual(problems(registration("aws:lb/targetGroup:TargetGroup", "a-very-long-service-name-tg", {})), [
            `name (auto-named) "a-very-long-service-name-tg-1a2b3c4" is 35 characters; ELB allows at most 32`,
        ]);
        assert.deepEqual(problems(registration("aws:lb/targetGroup:TargetGroup", "a-very-long-service-name-tg", { name: "api-tg" })), []);
        assert.deepEqual(problems(registration("aws:lb/loadBalancer:LoadBalancer", "x", { name: "internal-fleet" })), [
            `name "internal-fleet" starts with "internal-", which ELB reserves`,
        ]);
    });

    it("picks a security group rule's description rule by its peer", () => {
        const type = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
        assert.deepEqual(problems(registration(type, "in", { cidrIpv4: "0.0.0.0/0", description: "HTTP & HTTPS" })), []);
        assert.deepEqual(problems(registration(type, "in", { referencedSecurityGroupId: "sg-1", description: "ALB & tasks" })), [
            `description "ALB & tasks" has characters EC2 refuses ("&")`,
        ]);
    });

    it("checks tags as a map, as an Auto Scaling list, in launch template specifications and creation templates", () => {
        assert.deepEqual(problems(registration("aws:ecs/cluster:Cluster", "c", { tags: { "aws:owner": "me", team: "a;b" } })), [
            `tags key "aws:owner" starts with "aws:", which AWS reserves`,
            `tags["team"] "a;b" has characters AWS refuses (";")`,
        ]);
        assert.deepEqual(
            problems(
                registration("aws:autoscaling/group:Group", "g", {
                    tags: [
                        { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
                        { key: "team", value: "it's" },
                    ],
                }),
            ),
            [`tags[1].value "it's" has characters AWS refuses ("'")`],
        );
        assert.deepEqual(
            problems(
                registration("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
                    tagSpecifications: [{ resourceType: "instance", tags: { Name: "web (blue)" } }],
                }),
            ),
            [`tagSpecifications[0].tags["Name"] "web (blue)" has characters AWS refuses ("(", ")")`],
        );
        assert.deepEqual(
            problems(
                registration("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "t", {
                    prefix: "ecr-public",
                    resourceTags: { "fleet:stack": "dev!" },
                }),
            ),
            [`resourceTags["fleet:stack"] "dev!" has characters AWS refuses ("!")`],
        );
    });

    it("holds the tags of types it does not list yet, but not image references called tags", () => {
        assert.deepEqual(problems(registration("aws:s3/bucket:Bucket", "logs", { tags: { purpose: "logs, mostly" } })), [
            `tags["purpose"] "logs, mostly" has characters AWS refuses (",")`,
        ]);
        assert.deepEqual(
            problems(
                registration("docker-build:index:Image", "api-image", {
                    tags: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet-dev/api:c-0123"],
                }),
            ),
            [],
        );
    });

    it("counts at most 50 tags a resource, not counting AWS's own", () => {
        const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
        assert.deepEqual(problems(registration("aws:ecs/cluster:Cluster", "c", { tags: fifty })), []);
        assert.deepEqual(problems(registration("aws:ecs/cluster:Cluster", "c", { tags: { ...fifty, k50: "v" } })), [
            "tags (51 tags) are more than AWS allows on a resource",
        ]);
    });

    it("skips values not known yet and secrets", () => {
        assert.deepEqual(
            problems(
                registration("aws:ec2/securityGroup:SecurityGroup", "sg", {
                    description: unknown,
                    name: secret("sg-x"),
                    tags: { a: unknown, b: secret("it's") },
                }),
            ),
            [],
        );
        assert.deepEqual(problems(registration("aws:ecs/cluster:Cluster", "c", { tags: secret({ a: "it's" }) })), []);
        assert.deepEqual(
            problems(registration("aws:ssm/parameter:Parameter", "p", { name: unknown, description: secret("x".repeat(2000)) })),
            [],
        );
        // An unknown element of a tag list is skipped, and the others keep their positions.
        assert.deepEqual(problems(registration("aws:autoscaling/group:Group", "g", { tags: [unknown, { key: "team", value: "it's" }] })), [
            `tags[1].value "it's" has characters AWS refuses ("'")`,
        ]);
    });

    it("refuses with every broken rule, its source and the resource named", () => {
        assert.throws(
            () =>
                enforceAwsRules(
                    registration("aws:kms/alias:Alias", "fleet-dev-secrets", { name: "alias/aws/fleet", tags: { "a,b": "c" } }),
                ),
            {
                message: [
                    `fleet mocks: aws:kms/alias:Alias "fleet-dev-secrets": name ` +
                        `"alias/aws/fleet" starts with "alias/aws/", which KMS reserves; ` +
                        `allowed: a-zA-Z0-9 and / _ -, alias/<name> (1-256), not starting with ` +
                        `alias/aws/ — KMS API CreateAlias, ` +
                        `https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html`,
                    `fleet mocks: aws:kms/alias:Alias "fleet-dev-secrets": tags key "a,b" ` +
                        `has characters AWS refuses (","); allowed: letters, digits, ` +
                        `whitespace and _ . : / = + - @ (1-128), not starting with aws: in any ` +
                        `case — AWS tagging rules (ECS API Tag), ` +
                        `https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html`,
                ].join("\n"),
            },
        );
    });

    it("cuts long values in messages", () => {
        const [violation] = awsRuleViolations(registration("aws:kms/key:Key", "k", { description: "d".repeat(9000) }));
        assert.equal(violation.shown, JSON.stringify(`${"d".repeat(120)}…`));
        assert.equal(violation.problem, "is 9000 characters; KMS allows at most 8192");
    });
});

const sgMessage =
    `fleet mocks: aws:ec2/securityGroup:SecurityGroup "x-targets-sg": ` +
    `description "fleet load-balanced tasks: the ALB may reach them (each ` +
    `task's own group opens its port)" ` +
    `has characters EC2 refuses ("'"); allowed: a-zA-Z0-9, space and ` +
    `._-:/()#,@[]+=&;{}!$* (max 255) — EC2 API CreateSecurityGroup, ` +
    `https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html`;
const tagMessage =
    `fleet mocks: aws:ecs/cluster:Cluster "fleet-test": ` +
    `tags["fleet:waiver:ECS.12"] "dev's cluster needs no insights" has ` +
    `characters AWS refuses ("'"); ` +
    `allowed: letters, digits, whitespace and _ . : / = + - @ (max 256), ` +
    `not starting with aws: in any case — AWS tagging rules (ECS API Tag), ` +
    `https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html`;

describe("fleet's mocks", () => {
    const mocks = new FleetMocks("eu-west-1");

    it("refuse a security group description with an apostrophe", () => {
        assert.throws(
            () =>
                mocks.newResource({
                    type: "aws:ec2/securityGroup:SecurityGroup",
                    name: "x-targets-sg",
                    inputs: {
                        vpcId: "vpc-1",
                        description: "fleet load-balanced tasks: the ALB may reach them (each task's own group opens its port)",
                    },
                    custom: true,
                }),
            { message: sgMessage },
        );
    });

    it("refuse a tag value with a character AWS refuses", () => {
        assert.throws(
            () =>
                mocks.newResource({
                    type: "aws:ecs/cluster:Cluster",
                    name: "fleet-test",
                    inputs: { tags: { "fleet:waiver:ECS.12": "dev's cluster needs no insights" } },
                    custom: true,
                }),
            { message: tagMessage },
        );
    });

    it("refuse an HTTPS listener whose certificate is in another region, and a cache rule whose credential is", () => {
        const listener = (certificateArn: string) => () =>
            mocks.newResource({
                type: "aws:lb/listener:Listener",
                name: "fleet-https",
                inputs: { port: 443, protocol: "HTTPS", certificateArn },
                custom: true,
            });
        assert.throws(listener("arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"), {
            message: new RegExp(
                'aws:lb/listener:Listener "fleet-https": certificateArn .* ' +
                    "names a certificate in us-east-1, not the stack's region eu-west-1",
            ),
        });
        assert.doesNotThrow(listener("arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"));
        assert.throws(
            () =>
                mocks.newResource({
                    type: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
                    name: "docker-hub",
                    inputs: {
                        ecrRepositoryPrefix: "fleet-dev-cache/docker-hub",
                        upstreamRegistryUrl: "registry-1.docker.io",
                        credentialArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-Ab12Cd",
                    },
                    custom: true,
                }),
            { message: /credentialArn .* names a secret in us-east-1, not the stack's region eu-west-1/ },
        );
    });

    it("refuse a role whose inline policies together exceed IAM's 10,240 characters (white space not counted)", () => {
        const mocks = new FleetMocks("eu-west-1");
        const policy = (size: number) => JSON.stringify({ Version: "2012-10-17", Sid: "x".repeat(size - 33) });
        const put = (name: string, size: number) => () =>
            mocks.newResource({
                type: "aws:iam/rolePolicy:RolePolicy",
                name,
                inputs: { role: "api-task", policy: policy(size) },
                custom: true,
            });
        assert.equal(policy(6000).length, 6000);
        assert.doesNotThrow(put("first", 6000));
        assert.doesNotThrow(put("second", 4240));
        assert.throws(put("third", 40), {
            message:
                'fleet mocks: aws:iam/rolePolicy:RolePolicy "third": the inline policies of role api-task total 10280 ' +
                "characters without white space; IAM allows a role at most 10240 — IAM and AWS STS quotas, " +
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
        });
    });

    it("accept what AWS accepts", () => {
        const sg = mocks.newResource({
            type: "aws:ec2/securityGroup:SecurityGroup",
            name: "x-targets-sg",
            inputs: {
                description: "fleet load-balanced tasks: the ALB may reach them (the own group of each task opens its port)",
                tags: { "fleet:stack": "test" },
            },
            custom: true,
        });
        assert.match(String(sg.state.name), /^x-targets-sg-[0-9a-f]{7}$/);
    });
});

describe("fleet's mocks installed as Pulumi's runtime", () => {
    const runtime = installMocks({ project: "fleet", stack: "test", region: "eu-west-1" });

    /** A registration the mocks refuse rejects every output: handled here, the test reads runtime.errors. */
    function refused<T extends pulumi.Resource>(resource: T): T {
        const ignore = () => undefined;
        for (const value of Object.values(resource)) {
            if (!pulumi.Output.isInstance(value)) continue;
            const output = value as unknown as { promise(): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
            output.promise().catch(ignore);
            output.isKnown.catch(ignore);
            output.isSecret.catch(ignore);
        }
        return resource;
    }

    refused(
        new aws.ec2.SecurityGroup("x-targets-sg", {
            vpcId: "vpc-1",
            description: "fleet load-balanced tasks: the ALB may reach them (each task's own group opens its port)",
        }),
    );
    refused(new aws.ecs.Cluster("fleet-test", { tags: { "fleet:waiver:ECS.12": "dev's cluster needs no insights" } }));
    new aws.ecs.Cluster("fleet-ok", { tags: { "fleet:stack": "test" } });

    before(async () => {
        await pulumi.runtime.disconnect();
    });

    it("fail the registration, naming the resource, the field, the value and the rule", () => {
        assert.deepEqual(runtime.errors.map((e) => e.message).sort(), [sgMessage, tagMessage].sort());
        assert.deepEqual(
            runtime.resources.map((r) => r.name),
            ["fleet-ok"],
        );
    });
});
