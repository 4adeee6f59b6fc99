/**
 * The Service component under Pulumi mocks: exact security groups, IAM policies, secrets by
 * reference, memory, routing and target-group settings, for Fargate, EC2 and a worker.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Service, ServiceArgs } from "../infra/service";
import { stackNames } from "../model/naming";
import { installMocks } from "../plan/mocks";
import { account, containerOf, policyOf, region, Registered, resolveForTest, testPlatform } from "./harness";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

const fleet = resolveForTest(
    {
        api: {
            build: "./apps/api",
            port: 8080,
            routes: [{ host: "api" }, { path: "/api/*" }],
            memory: { reservation: 256, limit: 768 },
            cpu: 256,
            env: { LOG_LEVEL: "info" },
            secrets: {
                DB_PASSWORD: { fromConfig: "dbPassword" },
                SESSION_KEY: { generate: { length: 48 } },
                SHARED: { existing: "/shared/token" },
                // Encrypted with the vendor's own key: the execution role decrypts with exactly it.
                VENDOR: { existing: "/vendor/api-key", kmsKey: "1234abcd-12ab-34cd-56ef-1234567890ab" },
            },
            scaling: { min: 2, max: 6, cpuPercent: 60, requestsPerTarget: 400 },
            capacity: "fargate",
        },
        web: {
            image: "nginx:1.27",
            port: 80,
            routes: [{ host: "www", path: "/app/*" }],
            memory: { reservation: 64, limit: 128 },
            cpu: 128,
            desiredCount: 3,
            user: "101",
            stopTimeout: 20,
            deregistrationDelay: 10,
            capacity: "ec2",
        },
        worker: {
            image: "public.ecr.aws/docker/library/busybox:1.36",
            command: ["sh", "-c", "sleep 3600"],
            memory: { reservation: 32, limit: 64 },
            capacity: "fargate-spot",
            health: { command: ["CMD-SHELL", "true"] },
            optOut: { readonlyRootFilesystem: "busybox writes its state under /var/lib" },
        },
    },
    {
        domain: "example.com",
        network: { natGateways: "single" },
        cluster: { defaultCapacity: "fargate", ec2: { instanceType: "t3.medium", minSize: 0, maxSize: 2 } },
        registry: {
            pullThroughCache: {
                "ecr-public": {},
                "docker-hub": {
                    credentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCd",
                },
            },
        },
    },
    ["dbPassword"],
);

const platform = testPlatform;
const { loadBalancer, secretsKeyArn: keyArn } = platform;
const common: Omit<ServiceArgs, "spec"> = {
    platform,
    names: stackNames("fleet", "test"),
    keepImages: 15,
    configSecrets: { dbPassword: pulumi.secret("s3cr3t-database-password") },
    logRetentionDays: 14,
    protect: true,
};
const spec = (name: string) => fleet.services.find((s) => s.name === name)!;
for (const name of ["api", "web", "worker"]) {
    new Service(name, { ...common, spec: spec(name) });
}

let registered: Registered;
before(async () => (registered = await settled(runtime)));

describe("a Fargate service with routes and secrets", () => {
    it("sizes the task and sets soft and hard memory on the container", () => {
        const task = registered.one("aws:ecs/taskDefinition:TaskDefinition", "api-taskdef");
        assert.equal(task.inputs.family, "fleet-test-api");
        assert.equal(task.inputs.networkMode, "awsvpc");
        assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
        assert.equal(task.inputs.cpu, "256");
        assert.equal(task.inputs.memory, "1024");
        const container = containerOf(task);
        assert.equal(container.memory, 768);
        assert.equal(container.memoryReservation, 256);
        assert.equal(container.cpu, 256);
        assert.deepEqual(container.portMappings, [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);
        assert.equal(container.stopTimeout, 30);
        assert.equal(
            container.image,
            `${account}.dkr.ecr.${region}.amazonaws.com/fleet-test/api@sha256:` + container.image.split("@sha256:")[1],
        );
        assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
    });

    it("injects secrets by SSM reference only, never in the environment", () => {
        const container = containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "api-taskdef"));
        assert.deepEqual(container.environment, [{ name: "LOG_LEVEL", value: "info" }]);
        assert.deepEqual(container.secrets, [
            { name: "DB_PASSWORD", valueFrom: `arn:aws:ssm:${region}:${account}:parameter/fleet/test/api/DB_PASSWORD` },
            { name: "SESSION_KEY", valueFrom: `arn:aws:ssm:${region}:${account}:parameter/fleet/test/api/SESSION_KEY` },
            { name: "SHARED", valueFrom: `arn:aws:ssm:${region}:${account}:parameter/shared/token` },
            { name: "VENDOR", valueFrom: `arn:aws:ssm:${region}:${account}:parameter/vendor/api-key` },
        ]);
        assert.doesNotMatch(
            String(registered.one("aws:ecs/taskDefinition:TaskDefinition", "api-taskdef").inputs.containerDefinitions),
            /s3cr3t/,
        );
    });

    it("stores config and generated secrets as SecureStrings under the fleet key, values masked", () => {
        const db = registered.one("aws:ssm/parameter:Parameter", "api-DB_PASSWORD");
        assert.equal(db.inputs.name, "/fleet/test/api/DB_PASSWORD");
        assert.equal(db.inputs.type, "SecureString");
        assert.equal(db.inputs.keyId, keyArn);
        assert.equal(db.inputs.value, "[secret]");
        assert.equal(db.protect, true);
        // The real value reaches the provider wrapped as a secret, never bare.
        assert.deepEqual(db.rawInputs.value, {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            value: "s3cr3t-database-password",
        });
        const session = registered.one("aws:ssm/parameter:Parameter", "api-SESSION_KEY");
        assert.equal(session.inputs.value, "[secret]");
        const password = registered.one("random:index/randomPassword:RandomPassword", "api-SESSION_KEY");
        assert.equal(password.inputs.length, 48);
        assert.equal(
            registered.has("aws:ssm/parameter:Parameter", "api-SHARED"),
            false,
            "an existing parameter is referenced, not created",
        );
    });

    it("lets the execution role read exactly its parameters, image and log group", () => {
        const policy = policyOf(registered.one("aws:iam/rolePolicy:RolePolicy", "api-exec"));
        assert.deepEqual(policy.Statement, [
            {
                Sid: "Logs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `arn:aws:logs:${region}:${account}:log-group:/fleet/test/api:log-stream:*`,
            },
            {
                Sid: "PullImage",
                Effect: "Allow",
                Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                Resource: [`arn:aws:ecr:${region}:${account}:repository/fleet-test/api`],
            },
            { Sid: "EcrAuthToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            {
                Sid: "ReadSecrets",
                Effect: "Allow",
                Action: "ssm:GetParameters",
                Resource: [
                    `arn:aws:ssm:${region}:${account}:parameter/fleet/test/api/DB_PASSWORD`,
                    `arn:aws:ssm:${region}:${account}:parameter/fleet/test/api/SESSION_KEY`,
                    `arn:aws:ssm:${region}:${account}:parameter/shared/token`,
                    `arn:aws:ssm:${region}:${account}:parameter/vendor/api-key`,
                ],
            },
            {
                Sid: "DecryptSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: keyArn,
                Condition: { StringEquals: { "kms:ViaService": `ssm.${region}.amazonaws.com` } },
            },
            {
                Sid: "DecryptReferencedSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: [`arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
                Condition: { StringEquals: { "kms:ViaService": `ssm.${region}.amazonaws.com` } },
            },
        ]);
    });

    it("lets ECS tasks assume its roles, the application role only for tasks of this account", () => {
        const executionRole = registered.one("aws:iam/role:Role", "api-exec");
        assert.deepEqual(JSON.parse(String(executionRole.inputs.assumeRolePolicy)).Statement, [
            { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        const role = registered.one("aws:iam/role:Role", "api-task");
        assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": account },
                    ArnLike: { "aws:SourceArn": `arn:aws:ecs:${region}:${account}:*` },
                },
            },
        ]);
        assert.equal(registered.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0, "no managed policies on task roles");
    });

    it("opens its security group to the load balancer's group on the container port only", () => {
        const ingress = registered.all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(ingress.length, 1);
        const { securityGroupId, ...rule } = ingress[0].inputs;
        assert.deepEqual(rule, {
            referencedSecurityGroupId: "sg-0alb",
            ipProtocol: "tcp",
            fromPort: 8080,
            toPort: 8080,
            description: "container port from the load balancer",
        });
        void securityGroupId;
        assert.match(String(ingress[0].inputs.securityGroupId), /^sg-/);
        assert.notEqual(ingress[0].inputs.securityGroupId, "sg-0alb");
        for (const rule of ingress) assert.equal(rule.inputs.cidrIpv4, undefined, "no CIDR ingress on task groups");
        assert.equal(
            registered.all("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.inputs.securityGroupId === "sg-0alb")
                .length,
            0,
            "services add no rules to the load balancer's group",
        );
    });

    it("registers tasks by IP with a fast health check and a short deregistration delay", () => {
        const tg = registered.one("aws:lb/targetGroup:TargetGroup", "api-tg");
        assert.equal(tg.inputs.targetType, "ip");
        assert.equal(tg.inputs.port, 8080);
        assert.equal(tg.inputs.protocol, "HTTP");
        assert.equal(tg.inputs.vpcId, "vpc-0test");
        assert.equal(tg.inputs.deregistrationDelay, 15);
        assert.deepEqual(tg.inputs.healthCheck, {
            enabled: true,
            path: "/healthz",
            matcher: "200-399",
            port: "traffic-port",
            protocol: "HTTP",
            interval: 10,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        });
    });

    it("adds one listener rule per route with the computed priority", () => {
        const rules = registered.under("fleet:ecs:Service", "api").filter((r) => r.type === "aws:lb/listenerRule:ListenerRule");
        const expected = spec("api").rules;
        assert.equal(rules.length, 2);
        for (const rule of expected) {
            const registeredRule = registered.one("aws:lb/listenerRule:ListenerRule", `api-rule-${rule.key}`);
            assert.equal(registeredRule.inputs.priority, rule.priority);
            assert.equal(registeredRule.inputs.listenerArn, loadBalancer.listenerArn);
        }
        const byHost = registered.one("aws:lb/listenerRule:ListenerRule", `api-rule-${expected.find((r) => r.hosts.length)!.key}`);
        assert.deepEqual(byHost.inputs.conditions, [{ hostHeader: { values: ["api.example.com"] } }]);
        const byPath = registered.one("aws:lb/listenerRule:ListenerRule", `api-rule-${expected.find((r) => r.paths.length)!.key}`);
        assert.deepEqual(byPath.inputs.conditions, [{ pathPattern: { values: ["/api/*"] } }]);
        assert.deepEqual((byPath.inputs.actions as any[])[0].type, "forward");
    });

    it("runs in private subnets with no public IP, rolls back failed deployments, and leaves the count to autoscaling", () => {
        const service = registered.one("aws:ecs/service:Service", "api");
        assert.deepEqual(service.inputs.networkConfiguration, {
            subnets: ["subnet-0a", "subnet-0b"],
            securityGroups: [
                registered.all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")[0].inputs.securityGroupId,
                "sg-0targets",
            ],
            assignPublicIp: false,
        });
        assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.equal(service.inputs.deploymentMinimumHealthyPercent, 100);
        assert.equal(service.inputs.deploymentMaximumPercent, 200);
        assert.equal(service.inputs.healthCheckGracePeriodSeconds, 30);
        assert.deepEqual(service.inputs.capacityProviderStrategies, [{ capacityProvider: "FARGATE", weight: 1, base: 0 }]);
        assert.equal(service.inputs.orderedPlacementStrategies, undefined);
        assert.equal(service.inputs.desiredCount, 2);
        assert.deepEqual(service.ignoreChanges, ["desiredCount"]);
        const ruleUrns = registered
            .all("aws:lb/listenerRule:ListenerRule")
            .filter((r) => r.name.startsWith("api-rule-"))
            .map((r) => r.urn);
        assert.deepEqual(
            service.dependencies.filter((urn) => ruleUrns.includes(urn)).sort(),
            ruleUrns.sort(),
            "waits for its listener rules",
        );
    });

    it("tracks CPU and requests per target", () => {
        const target = registered.one("aws:appautoscaling/target:Target", "api-scaling");
        assert.equal(target.inputs.minCapacity, 2);
        assert.equal(target.inputs.maxCapacity, 6);
        assert.match(String(target.inputs.resourceId), /^service\/fleet-test\/api-[0-9a-f]{7}$/);
        const cpu = registered.one("aws:appautoscaling/policy:Policy", "api-cpu");
        assert.deepEqual((cpu.inputs.targetTrackingScalingPolicyConfiguration as any).predefinedMetricSpecification, {
            predefinedMetricType: "ECSServiceAverageCPUUtilization",
        });
        assert.equal((cpu.inputs.targetTrackingScalingPolicyConfiguration as any).targetValue, 60);
        const requests = registered.one("aws:appautoscaling/policy:Policy", "api-requests");
        const metric = (requests.inputs.targetTrackingScalingPolicyConfiguration as any).predefinedMetricSpecification;
        assert.equal(metric.predefinedMetricType, "ALBRequestCountPerTarget");
        assert.match(metric.resourceLabel, /^app\/fleet-test-alb\/abc\/targetgroup\/api-tg-[0-9a-f]{7}\/[0-9a-f]{16}$/);
    });

    it("builds into its own immutable, scanned repository, protected", () => {
        const repo = registered.one("aws:ecr/repository:Repository", "api-repo");
        assert.equal(repo.inputs.name, "fleet-test/api");
        assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.equal(repo.inputs.forceDelete, false);
        assert.equal(repo.protect, true);
        const lifecycle = JSON.parse(String(registered.one("aws:ecr/lifecyclePolicy:LifecyclePolicy", "api-repo-lifecycle").inputs.policy));
        assert.equal(lifecycle.rules[1].selection.countNumber, 15);
        const image = registered.one("docker-build:index:Image", "api-image");
        const repositoryUrl = `${account}.dkr.ecr.${region}.amazonaws.com/fleet-test/api`;
        assert.deepEqual(image.inputs.tags, [`${repositoryUrl}:c-0123456789abcdef0123`]);
        assert.equal(image.inputs.push, true);
        assert.equal(image.inputs.buildOnPreview, false, "a preview never runs a pull request's Dockerfile");
        assert.deepEqual(image.inputs.platforms, ["linux/amd64"]);
        assert.deepEqual(image.inputs.labels, { "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567" });
        assert.equal(image.inputs.registries, "[secret]", "registry credentials stay secret in the plan");
        const registries = (image.rawInputs.registries as { value: Record<string, unknown>[] }).value;
        assert.deepEqual(registries, [
            { address: `${account}.dkr.ecr.${region}.amazonaws.com`, username: "AWS", password: "mock-ecr-password" },
        ]);
        const logs = registered.one("aws:cloudwatch/logGroup:LogGroup", "api-logs");
        assert.equal(logs.inputs.name, "/fleet/test/api");
        assert.equal(logs.inputs.retentionInDays, 14);
        assert.equal(logs.protect, true);
    });
});

describe("secure container defaults", () => {
    it("on Fargate: read-only root with a tmpfs /tmp, a non-root user, init, every capability dropped", () => {
        const container = containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "api-taskdef"));
        assert.equal(container.readonlyRootFilesystem, true);
        assert.equal(container.user, "1000");
        assert.deepEqual(container.linuxParameters, {
            initProcessEnabled: true,
            capabilities: { drop: ["ALL"] },
            tmpfs: [{ containerPath: "/tmp", size: 192, mountOptions: ["rw", "nosuid", "nodev", "mode=1777"] }],
        });
        // Fargate accepts neither field.
        assert.equal(container.privileged, undefined);
        assert.equal(container.dockerSecurityOptions, undefined);
    });

    it("on EC2: also no-new-privileges and privileged mode off", () => {
        const container = containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "web-taskdef"));
        assert.equal(container.user, "101");
        assert.equal(container.privileged, false);
        assert.deepEqual(container.dockerSecurityOptions, ["no-new-privileges"]);
        assert.deepEqual(container.linuxParameters.tmpfs, [
            { containerPath: "/tmp", size: 32, mountOptions: ["rw", "nosuid", "nodev", "mode=1777"] },
        ]);
    });

    it("turns a default off only where the catalog gives a reason", () => {
        const container = containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "worker-taskdef"));
        assert.equal(container.readonlyRootFilesystem, false);
        assert.equal(container.linuxParameters.tmpfs, undefined);
        assert.equal(container.linuxParameters.initProcessEnabled, true);
        assert.deepEqual(spec("worker").security.optOuts, { readonlyRootFilesystem: "busybox writes its state under /var/lib" });
    });
});

describe("an EC2 service", () => {
    it("uses bridge networking with dynamic host ports and no task size", () => {
        const task = registered.one("aws:ecs/taskDefinition:TaskDefinition", "web-taskdef");
        assert.equal(task.inputs.networkMode, "bridge");
        assert.deepEqual(task.inputs.requiresCompatibilities, ["EC2"]);
        assert.equal(task.inputs.cpu, undefined);
        assert.equal(task.inputs.memory, undefined);
        const container = containerOf(task);
        assert.deepEqual(container.portMappings, [{ containerPort: 80, hostPort: 0, protocol: "tcp" }]);
        assert.equal(container.memory, 128);
        assert.equal(container.memoryReservation, 64);
        assert.equal(container.image, `${account}.dkr.ecr.${region}.amazonaws.com/fleet-test-cache/docker-hub/library/nginx:1.27`);
    });

    it("bin-packs by memory after spreading over zones, on the EC2 capacity provider", () => {
        const service = registered.one("aws:ecs/service:Service", "web");
        assert.deepEqual(service.inputs.orderedPlacementStrategies, [
            { type: "spread", field: "attribute:ecs.availability-zone" },
            { type: "binpack", field: "memory" },
        ]);
        assert.deepEqual(service.inputs.capacityProviderStrategies, [{ capacityProvider: "fleet-test-ec2", weight: 1, base: 0 }]);
        assert.equal(service.inputs.networkConfiguration, undefined);
        assert.equal(service.inputs.desiredCount, 3);
        assert.deepEqual(service.ignoreChanges, []);
    });

    it("registers instances as targets, with its own stop timeout and delay", () => {
        const tg = registered.one("aws:lb/targetGroup:TargetGroup", "web-tg");
        assert.equal(tg.inputs.targetType, "instance");
        assert.equal(tg.inputs.deregistrationDelay, 10);
        assert.equal(containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "web-taskdef")).stopTimeout, 20);
        const rule = registered.all("aws:lb/listenerRule:ListenerRule").find((r) => r.name.startsWith("web-rule-"))!;
        assert.deepEqual(rule.inputs.conditions, [
            { hostHeader: { values: ["www.example.com"] } },
            { pathPattern: { values: ["/app/*"] } },
        ]);
    });

    it("has no security group of its own (bridge tasks use the instance's) and pulls through the cache", () => {
        assert.equal(registered.has("aws:ec2/securityGroup:SecurityGroup", "web-sg"), false);
        const policy = policyOf(registered.one("aws:iam/rolePolicy:RolePolicy", "web-exec"));
        assert.deepEqual(policy.Statement.slice(1), [
            {
                Sid: "PullThroughCache",
                Effect: "Allow",
                Action: [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchImportUpstreamImage",
                    "ecr:CreateRepository",
                ],
                Resource: [`arn:aws:ecr:${region}:${account}:repository/fleet-test-cache/docker-hub/library/nginx`],
            },
            { Sid: "EcrAuthToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        ]);
    });
});

describe("the contract", () => {
    it("refuses a catalog entry under another name, before registering anything", () => {
        assert.throws(() => new Service("api2", { ...common, spec: spec("api") }), {
            message: 'Service "api2" was given the catalog entry of "api": the catalog key is the service\'s name',
        });
        assert.equal(
            runtime.resources.some((r) => r.name.startsWith("api2")),
            false,
        );
    });
});

describe("a worker", () => {
    it("gets no target group, no listener rule and no ingress", () => {
        const children = registered.under("fleet:ecs:Service", "worker");
        const types = children.map((c) => c.type);
        assert.equal(types.includes("aws:lb/targetGroup:TargetGroup"), false);
        assert.equal(types.includes("aws:lb/listenerRule:ListenerRule"), false);
        assert.equal(types.includes("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), false);
        assert.deepEqual(
            children.filter((c) => c.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((c) => c.name),
            ["worker-egress"],
        );
        const service = registered.one("aws:ecs/service:Service", "worker");
        assert.equal(service.inputs.loadBalancers, undefined);
        assert.equal(service.inputs.healthCheckGracePeriodSeconds, undefined);
        assert.deepEqual(service.inputs.capacityProviderStrategies, [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }]);
    });

    it("runs its command with a container health check and the smallest Fargate size", () => {
        const task = registered.one("aws:ecs/taskDefinition:TaskDefinition", "worker-taskdef");
        assert.equal(task.inputs.cpu, "256");
        assert.equal(task.inputs.memory, "512");
        const container = containerOf(task);
        assert.deepEqual(container.command, ["sh", "-c", "sleep 3600"]);
        assert.deepEqual(container.portMappings, []);
        assert.deepEqual(container.healthCheck, { command: ["CMD-SHELL", "true"], interval: 15, timeout: 5, retries: 3, startPeriod: 30 });
        assert.equal(container.image, `${account}.dkr.ecr.${region}.amazonaws.com/fleet-test-cache/ecr-public/docker/library/busybox:1.36`);
    });
});
