/**
 * `access`: the exact task-role documents of every kind and level (an SSE-KMS resource
 * included), per-stack overrides, what validation accepts (each bad input is a case of the corpus,
 * test/fixtures/problems/access.ts), and the FLEET.task-access rule.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessStatements, ResolvedGrant, taskRolePolicy } from "../model/access";
import { iamPolicySize, iamQuotas } from "../facts/aws";
import { Catalog } from "../model/catalog";
import { evaluate, ResourceView } from "../policy/rules";
import { account, region, resolveForTest } from "./harness";
import { resolutionProblems } from "./support/fleetInput";

const ctx = { partition: "aws", region, accountId: account };
const key = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const statements = (grants: ResolvedGrant[]) => accessStatements(grants, ctx);

describe("access: S3", () => {
    it("read on a whole bucket: its objects, and listing the bucket", () => {
        assert.deepEqual(statements([{ kind: "s3", resource: "fleet-assets", level: "read" }]), [
            { Sid: "S30Objects", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::fleet-assets/*"] },
            { Sid: "S30List", Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::fleet-assets"] },
        ]);
    });

    it("write under a prefix: put, delete and abort uploads there, no listing", () => {
        assert.deepEqual(statements([{ kind: "s3", resource: "fleet-uploads/avatars/*", level: "write" }]), [
            {
                Sid: "S30Objects",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                Resource: ["arn:aws:s3:::fleet-uploads/avatars/*"],
            },
        ]);
    });

    it("read-write under a prefix of an SSE-KMS bucket: listing limited to the prefix, the key only through S3", () => {
        assert.deepEqual(statements([{ kind: "s3", resource: "fleet-uploads/avatars/*", level: "read-write", kmsKey: key }]), [
            {
                Sid: "S30Objects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                Resource: ["arn:aws:s3:::fleet-uploads/avatars/*"],
            },
            {
                Sid: "S30List",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: ["arn:aws:s3:::fleet-uploads"],
                Condition: { StringLike: { "s3:prefix": ["avatars/*"] } },
            },
            {
                Sid: "S30Key",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: [key],
                Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
            },
        ]);
    });

    it("read of an SSE-KMS bucket: decrypt only", () => {
        const [, , keyStatement] = statements([{ kind: "s3", resource: "fleet-assets", level: "read", kmsKey: key }]);
        assert.deepEqual(keyStatement.Action, ["kms:Decrypt"]);
    });

    it("uses a full ARN as it is", () => {
        assert.deepEqual(statements([{ kind: "s3", resource: "arn:aws:s3:::shared-bucket/reports/*", level: "read" }]), [
            { Sid: "S30Objects", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::shared-bucket/reports/*"] },
            {
                Sid: "S30List",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: ["arn:aws:s3:::shared-bucket"],
                Condition: { StringLike: { "s3:prefix": ["reports/*"] } },
            },
        ]);
    });
});

describe("access: SQS, SNS, DynamoDB", () => {
    it("consume and send a queue by name, in the stack's account and region", () => {
        assert.deepEqual(
            statements([
                { kind: "sqs", resource: "jobs", level: "consume" },
                { kind: "sqs", resource: "orders.fifo", level: "send" },
            ]),
            [
                {
                    Sid: "Sqs0",
                    Effect: "Allow",
                    Action: [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes",
                        "sqs:GetQueueUrl",
                    ],
                    Resource: [`arn:aws:sqs:${region}:${account}:jobs`],
                },
                {
                    Sid: "Sqs1",
                    Effect: "Allow",
                    Action: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
                    Resource: [`arn:aws:sqs:${region}:${account}:orders.fifo`],
                },
            ],
        );
    });

    it("send to an SSE-KMS queue whose key is given by id: the key's ARN in the stack, only through SQS", () => {
        assert.deepEqual(statements([{ kind: "sqs", resource: "jobs", level: "send", kmsKey: "1234abcd-12ab-34cd-56ef-1234567890ab" }]), [
            {
                Sid: "Sqs0",
                Effect: "Allow",
                Action: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
                Resource: [`arn:aws:sqs:${region}:${account}:jobs`],
            },
            {
                Sid: "Sqs0Key",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: [key],
                Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
            },
        ]);
    });

    it("use a key of another region only through the service in that region (the resource's, named by ARN)", () => {
        const westKey = `arn:aws:kms:us-west-2:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        const [, keyStatement] = statements([
            { kind: "sqs", resource: `arn:aws:sqs:us-west-2:${account}:jobs`, level: "consume", kmsKey: westKey },
        ]);
        assert.deepEqual(keyStatement.Resource, [westKey]);
        assert.deepEqual(keyStatement.Condition, { StringEquals: { "kms:ViaService": "sqs.us-west-2.amazonaws.com" } });
    });

    it("consume an SSE-KMS queue: decrypt only", () => {
        const [, keyStatement] = statements([{ kind: "sqs", resource: "jobs", level: "consume", kmsKey: key }]);
        assert.deepEqual(keyStatement.Action, ["kms:Decrypt"]);
    });

    it("publish to a topic, by name and by ARN", () => {
        assert.deepEqual(
            statements([
                { kind: "sns", resource: "events", level: "publish" },
                { kind: "sns", resource: "arn:aws:sns:us-east-1:210987654321:audit", level: "publish" },
            ]),
            [
                { Sid: "Sns0", Effect: "Allow", Action: ["sns:Publish"], Resource: [`arn:aws:sns:${region}:${account}:events`] },
                { Sid: "Sns1", Effect: "Allow", Action: ["sns:Publish"], Resource: ["arn:aws:sns:us-east-1:210987654321:audit"] },
            ],
        );
    });

    it("read, write and read-write a table and its indexes", () => {
        const table = `arn:aws:dynamodb:${region}:${account}:table/sessions`;
        const read = [
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
        ];
        const write = [
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:DescribeTable",
        ];
        const one = (level: string) => statements([{ kind: "dynamodb", resource: "sessions", level }]);
        assert.deepEqual(one("read"), [{ Sid: "Dynamodb0", Effect: "Allow", Action: read, Resource: [table, `${table}/index/*`] }]);
        assert.deepEqual(one("write"), [{ Sid: "Dynamodb0", Effect: "Allow", Action: write, Resource: [table, `${table}/index/*`] }]);
        assert.deepEqual(one("read-write"), [
            {
                Sid: "Dynamodb0",
                Effect: "Allow",
                Action: [...read, ...write.filter((a) => !read.includes(a))],
                Resource: [table, `${table}/index/*`],
            },
        ]);
    });

    it("a table with a customer-managed key: decrypt and generate data keys, only through DynamoDB", () => {
        const [, keyStatement] = statements([{ kind: "dynamodb", resource: "sessions", level: "read-write", kmsKey: key }]);
        assert.deepEqual(keyStatement, {
            Sid: "Dynamodb0Key",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: [key],
            Condition: { StringEquals: { "kms:ViaService": `dynamodb.${region}.amazonaws.com` } },
        });
    });
});

const memory = { reservation: 64, limit: 128 };
const stack = { network: { natGateways: "single" }, domain: "example.com" };

/** Every problem resolving `catalog` against `config` (this file's stack values unless given) reports. */
const problemsOf = (catalog: Catalog, config: Record<string, unknown> = stack) => resolutionProblems(catalog, config);

describe("access: resolution", () => {
    it("resolves the grants in a stable order, and merges a stack's override one level deep", () => {
        const catalog: Catalog = {
            api: {
                image: "nginx:1.27",
                memory,
                access: { sqs: { jobs: "consume" }, s3: { "fleet-uploads": "read" } },
            },
        };
        assert.deepEqual(resolveForTest(catalog, stack).services[0].grants, [
            { kind: "s3", resource: "fleet-uploads", level: "read" },
            { kind: "sqs", resource: "jobs", level: "consume" },
        ]);
        // The stack replaces access.sqs (prod's queue) and keeps access.s3.
        const prod = resolveForTest(catalog, { ...stack, services: { api: { access: { sqs: { "jobs-prod": "consume" } } } } });
        assert.deepEqual(prod.services[0].grants, [
            { kind: "s3", resource: "fleet-uploads", level: "read" },
            { kind: "sqs", resource: "jobs-prod", level: "consume" },
        ]);
    });
});

describe("access: SSE-KMS keys and their resources' regions", () => {
    const westKey = `arn:aws:kms:us-west-2:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const problems = (resource: string, kmsKey: string) =>
        resolutionProblems({ api: { image: "nginx:1.27", memory, access: { sqs: { [resource]: { level: "consume", kmsKey } } } } }, stack, {
            region: "us-east-1",
        });

    it("accepts a key in its resource's region, the stack's or the one its ARN names", () => {
        assert.deepEqual(problems(`arn:aws:sqs:us-west-2:${account}:jobs`, westKey), []);
        assert.deepEqual(problems("jobs", `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`), []);
    });
});

describe("access: IAM's quota on a role's inline policies", () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `orders-${String(i).padStart(2, "0")}`);
    const catalog = (n: number): Catalog => ({
        api: { image: "nginx:1.27", memory, access: { dynamodb: Object.fromEntries(names(n).map((t) => [t, "read-write"])) } },
    });
    // Validation sizes the policy with the stack's region, us-east-1 when unknown (as in these inputs).
    const sizeOf = (n: number) =>
        iamPolicySize(
            taskRolePolicy(
                names(n).map((resource): ResolvedGrant => ({ kind: "dynamodb", resource, level: "read-write" })),
                { partition: "aws", region: "us-east-1", accountId: account },
            ),
        );

    it("accepts the most grants whose task-role policy fits IAM's quota (10,240 characters without white space)", () => {
        // The largest count that fits: the limit is IAM's size, not a count of grants (one more is a case of the corpus).
        let fits = 1;
        while (sizeOf(fits + 1) <= iamQuotas.roleInlinePolicies) fits++;
        assert.deepEqual(problemsOf(catalog(fits)), []);
        assert.ok(sizeOf(fits + 1) > iamQuotas.roleInlinePolicies);
    });
});

describe("FLEET.task-access", () => {
    const service: ResourceView = {
        urn: "urn:pulumi:test::fleet::fleet:ecs:Service::api",
        type: "fleet:ecs:Service",
        name: "api",
        props: {},
    };
    const taskPolicy = (statement: object[]): ResourceView[] => [
        service,
        {
            urn: "urn:pulumi:test::fleet::fleet:ecs:Service$aws:iam/rolePolicy:RolePolicy::api-task",
            type: "aws:iam/rolePolicy:RolePolicy",
            name: "api-task",
            props: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statement }) },
            parentUrn: service.urn,
        },
    ];
    const violations = (resources: ResourceView[]) =>
        evaluate(resources)
            .violations.filter((v) => v.control === "FLEET.task-access")
            .map((v) => v.message);

    it("passes the exact documents access builds, prefixes and indexes included", () => {
        const grants: ResolvedGrant[] = [
            { kind: "s3", resource: "fleet-uploads/avatars/*", level: "read-write", kmsKey: key },
            { kind: "sqs", resource: "jobs", level: "consume" },
            { kind: "sns", resource: "events", level: "publish" },
            { kind: "dynamodb", resource: "sessions", level: "read-write" },
        ];
        assert.deepEqual(violations(taskPolicy(statements(grants))), []);
    });

    it("fails on a * action, a service-wide action and a wildcard resource", () => {
        assert.deepEqual(
            violations(
                taskPolicy([
                    { Sid: "All", Effect: "Allow", Action: "*", Resource: `arn:aws:sqs:${region}:${account}:jobs` },
                    { Sid: "AnyQueue", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [`arn:aws:sqs:${region}:${account}:*`] },
                    { Sid: "AnyTable", Effect: "Allow", Action: ["dynamodb:Get*"], Resource: [`arn:aws:dynamodb:*:${account}:table/*`] },
                    { Sid: "AnyBucket", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::*" },
                ]),
            ),
            [
                "All: actions *",
                `AnyQueue: resources arn:aws:sqs:${region}:${account}:*`,
                `AnyTable: actions dynamodb:Get* and resources arn:aws:dynamodb:*:${account}:table/*`,
                "AnyBucket: resources arn:aws:s3:::*",
            ].map(
                (what) =>
                    `[FLEET.task-access] aws:iam/rolePolicy:RolePolicy api-task (service ` +
                    `api): statement ${what.replace(": ", " allows ")}. ` +
                    "Fix: grant exact actions on exact ARNs through the service's access " +
                    "field (a bucket, queue, topic or table by name), " +
                    "or waive FLEET.task-access for api with a reason in fleet:policy.waivers.",
            ),
        );
    });
});
