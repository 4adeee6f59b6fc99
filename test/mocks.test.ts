/**
 * The mocks behind the plan: an unfaked resource type or invoke fails loudly, auto-names are held
 * to AWS's length limits, secrets are masked.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FleetMocks, maskSecrets } from "../plan/mocks";

const mocks = new FleetMocks("eu-west-1");

describe("fleet's mocks", () => {
    it("refuse a resource type they do not fake", () => {
        assert.throws(() => mocks.newResource({ type: "aws:s3/bucket:Bucket", name: "logs", inputs: {}, custom: true }), {
            message: "fleet mocks: no fake for resource type aws:s3/bucket:Bucket (logs); add one to plan/mocks.ts",
        });
    });

    it("refuse an invoke they do not fake", () => {
        assert.throws(() => mocks.call({ token: "aws:ec2/getAmi:getAmi", inputs: {} }), {
            message: "fleet mocks: no fake for invoke aws:ec2/getAmi:getAmi; add one to plan/mocks.ts",
        });
        // A secret's value is never read at plan time: only its version, without decryption.
        assert.throws(() => mocks.call({ token: "aws:ssm/getParameter:getParameter", inputs: { name: "/prod/db/password" } }), {
            message: "fleet mocks: SSM parameter /prod/db/password read with decryption; fleet reads only versions",
        });
    });

    it("read an existing parameter's version without its value", () => {
        const read = mocks.call({ token: "aws:ssm/getParameter:getParameter", inputs: { name: "/shared/token", withDecryption: false } });
        assert.equal(read.arn, "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/token");
        assert.equal(typeof read.version, "number");
        assert.notEqual(read.value, undefined);
    });

    it("refuse a Standard parameter's value over 4096 characters, naming its length only", () => {
        const parameter = (value: string, tier?: string) => () =>
            mocks.newResource({
                type: "aws:ssm/parameter:Parameter",
                name: "api-db",
                inputs: {
                    name: "/fleet/dev/api/DB",
                    type: "SecureString",
                    value: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value },
                    ...(tier ? { tier } : {}),
                },
                custom: true,
            });
        assert.doesNotThrow(parameter("x".repeat(4096)));
        assert.doesNotThrow(parameter("x".repeat(5000), "Advanced"));
        assert.throws(parameter("x".repeat(4097)), {
            message:
                'fleet mocks: aws:ssm/parameter:Parameter "api-db": a value of 4097 characters; Standard tier parameters hold at ' +
                "most 4096 — SSM, https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
        });
    });

    it("read a parameter by ARN in their own region only (Parameter Store is regional)", () => {
        const read = (arn: string) => () =>
            mocks.call({ token: "aws:ssm/getParameter:getParameter", inputs: { name: arn, withDecryption: false } });
        assert.equal(
            read("arn:aws:ssm:eu-west-1:123456789012:parameter/shared/token")().arn,
            "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/token",
        );
        assert.throws(read("arn:aws:ssm:us-east-1:123456789012:parameter/shared/token"), {
            message:
                "fleet mocks: SSM parameter arn:aws:ssm:us-east-1:123456789012:parameter/shared/token is in us-east-1; " +
                "GetParameter in eu-west-1 reads only that region's parameters",
        });
    });

    it("give a parameter a new version when its value changes, the same one when it does not", () => {
        const version = (value: string) =>
            mocks.newResource({
                type: "aws:ssm/parameter:Parameter",
                name: "p",
                inputs: { name: "/a/b", type: "SecureString", value },
                custom: true,
            }).state.version;
        assert.equal(version("one"), version("one"));
        assert.notEqual(version("one"), version("two"));
    });

    it("auto-name like Pulumi and hold names to AWS's limits", () => {
        const tg = mocks.newResource({ type: "aws:lb/targetGroup:TargetGroup", name: "api-tg", inputs: {}, custom: true });
        assert.match(String(tg.state.name), /^api-tg-[0-9a-f]{7}$/);
        assert.match(String(tg.state.arnSuffix), /^targetgroup\/api-tg-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        assert.throws(
            () =>
                mocks.newResource({
                    type: "aws:lb/targetGroup:TargetGroup",
                    name: "a-very-long-service-name-tg",
                    inputs: {},
                    custom: true,
                }),
            {
                message: new RegExp(
                    String.raw`^fleet mocks: aws:lb/targetGroup:TargetGroup "a-very-long-service-name-tg": name \(auto-named\) ` +
                        String.raw`"a-very-long-service-name-tg-[0-9a-f]{7}" is 35 characters; ELB allows at most 32; allowed: .* — ` +
                        String.raw`ELBv2 API CreateTargetGroup, ` +
                        String.raw`https://docs\.aws\.amazon\.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup\.html$`,
                ),
            },
        );
    });

    it("refuse a Service Connect service whose task definition sets no task memory above its containers' limits, as ECS does", () => {
        const container = JSON.stringify([{ name: "api", memory: 512, memoryReservation: 256 }]);
        const taskDefinition = (family: string, memory?: string) =>
            String(
                mocks.newResource({
                    type: "aws:ecs/taskDefinition:TaskDefinition",
                    name: `${family}-taskdef`,
                    inputs: { family, containerDefinitions: container, ...(memory ? { memory } : {}) },
                    custom: true,
                }).state.arn,
            );
        const service = (name: string, arn: string, enabled: boolean) =>
            mocks.newResource({
                type: "aws:ecs/service:Service",
                name,
                inputs: { cluster: "fleet", taskDefinition: arn, serviceConnectConfiguration: { enabled } },
                custom: true,
            });
        const source = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html";
        assert.throws(() => service("api", taskDefinition("fleet-dev-api"), true), {
            message:
                'fleet mocks: aws:ecs/service:Service "api": serviceConnectConfiguration is enabled but its task ' +
                "definition fleet-dev-api sets no task memory; ECS requires task memory above the containers' " +
                `limits for the Service Connect agent — ECS developer guide, Service Connect proxy, ${source}`,
        });
        assert.throws(() => service("web", taskDefinition("fleet-dev-web", "512"), true), {
            message:
                'fleet mocks: aws:ecs/service:Service "web": serviceConnectConfiguration is enabled but its task ' +
                "definition fleet-dev-web sets task memory 512 MiB, not above its containers' limits (512 MiB); " +
                "ECS requires task memory above the containers' limits for the Service Connect agent — " +
                `ECS developer guide, Service Connect proxy, ${source}`,
        });
        // Task memory above the limits, or no Service Connect: accepted.
        assert.doesNotThrow(() => service("docs", taskDefinition("fleet-dev-docs", "576"), true));
        assert.doesNotThrow(() => service("batch", taskDefinition("fleet-dev-batch"), false));
    });

    it("fake the outputs other resources read, realistically", () => {
        const repo = mocks.newResource({
            type: "aws:ecr/repository:Repository",
            name: "api-repo",
            inputs: { name: "fleet-dev/api" },
            custom: true,
        });
        assert.equal(repo.state.repositoryUrl, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet-dev/api");
        assert.equal(repo.state.arn, "arn:aws:ecr:eu-west-1:123456789012:repository/fleet-dev/api");
        const parameter = mocks.newResource({
            type: "aws:ssm/parameter:Parameter",
            name: "api-KEY",
            inputs: { name: "/fleet/dev/api/KEY" },
            custom: true,
        });
        assert.equal(parameter.state.arn, "arn:aws:ssm:eu-west-1:123456789012:parameter/fleet/dev/api/KEY");
    });

    it("mask secrets and unknowns wherever they are nested", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" };
        assert.deepEqual(maskSecrets({ a: [secret, { b: secret }], c: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", d: 1 }), {
            a: ["[secret]", { b: "[secret]" }],
            c: "[unknown]",
            d: 1,
        });
    });
});
