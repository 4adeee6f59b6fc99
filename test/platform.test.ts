/**
 * The shared platform under Pulumi mocks: the load balancer's groups and listeners, the cluster's
 * capacity, the pull-through cache and the secrets key.
 */
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { LoadBalancer } from "../infra/loadBalancer";
import { Platform } from "../infra/platform";
import { installMocks } from "../plan/mocks";
import { account, policyOf, region, Registered, resolveForTest } from "./harness";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

const certificateArn = `arn:aws:acm:${region}:${account}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const dockerHubCredential = `arn:aws:secretsmanager:${region}:${account}:secret:ecr-pullthroughcache/docker-hub-AbCd`;
const fleet = resolveForTest(
    {
        web: { image: "nginx:1.27", port: 80, routes: [{ host: "www" }], memory: { reservation: 64, limit: 128 }, capacity: "ec2" },
        docs: {
            image: "public.ecr.aws/nginx/nginx:1.27",
            port: 80,
            routes: [{ path: "/docs/*" }],
            memory: { reservation: 64, limit: 128 },
            capacity: "fargate",
        },
    },
    {
        domain: "example.com",
        network: { natGateways: "onePerAz", availabilityZones: 3, cidrBlock: "10.30.0.0/16" },
        cluster: {
            containerInsights: "enhanced",
            defaultCapacity: "ec2",
            ec2: { instanceType: "m6i.large", minSize: 1, maxSize: 5, targetCapacityPercent: 90 },
        },
        loadBalancer: { certificateArn, deletionProtection: true, accessLogs: { bucket: "fleet-test-logs", prefix: "alb" } },
        registry: { pullThroughCache: { "ecr-public": {}, "docker-hub": { credentialArn: dockerHubCredential } } },
        protect: true,
    },
);
new Platform("fleet-test", { fleet });
// A second, HTTP-only load balancer, as a stack without a certificate (dev) gets.
new LoadBalancer("plain", {
    vpcId: "vpc-0plain",
    publicSubnetIds: ["subnet-0a", "subnet-0b"],
    settings: { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", deletionProtection: false, idleTimeoutSeconds: 60 },
});

let registered: Registered;
before(async () => (registered = await settled(runtime)));

describe("network", () => {
    it("creates a VPC over three zones with a NAT gateway per zone", () => {
        const vpc = registered.one("awsx:ec2:Vpc", "fleet-test-vpc");
        assert.equal(vpc.inputs.cidrBlock, "10.30.0.0/16");
        assert.equal(vpc.inputs.numberOfAvailabilityZones, 3);
        assert.deepEqual(vpc.inputs.natGateways, { strategy: "OnePerAz" });
        assert.deepEqual(vpc.inputs.subnetSpecs, [
            { type: "Public", name: "public" },
            { type: "Private", name: "private" },
        ]);
    });
});

describe("the load balancer", () => {
    it("is internet-facing in the public subnets, drops invalid headers, logs and is protected", () => {
        const alb = registered.one("aws:lb/loadBalancer:LoadBalancer", "fleet-test-alb");
        assert.equal(registered.all("aws:lb/loadBalancer:LoadBalancer").length, 2);
        assert.equal(alb.inputs.internal, false);
        assert.equal(alb.inputs.loadBalancerType, "application");
        assert.equal(alb.inputs.dropInvalidHeaderFields, true);
        assert.equal(alb.inputs.desyncMitigationMode, "strictest");
        assert.equal(alb.inputs.enableDeletionProtection, true);
        assert.deepEqual(alb.inputs.accessLogs, { bucket: "fleet-test-logs", prefix: "alb", enabled: true });
        assert.equal((alb.inputs.subnets as string[]).length, 3);
        assert.equal(alb.protect, true);
    });

    it("accepts only HTTP and HTTPS from the internet", () => {
        const rules = registered
            .under("fleet:lb:LoadBalancer", "fleet-test-alb")
            .filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual(
            rules.map(({ inputs: { securityGroupId, ...rule } }) => (void securityGroupId, rule)),
            [
                { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 80, toPort: 80, description: "HTTP from the internet" },
                { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "HTTPS from the internet" },
            ],
        );
    });

    it("sends only to the fleet's load-balanced tasks, with one egress rule whatever the fleet's size", () => {
        const alb = registered.under("fleet:lb:LoadBalancer", "fleet-test-alb");
        const groups = alb.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup").map((r) => r.name);
        assert.deepEqual(groups, ["fleet-test-alb-sg", "fleet-test-alb-targets-sg"]);
        const egress = registered.one("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "fleet-test-alb-to-targets");
        assert.equal(egress.inputs.cidrIpv4, undefined);
        assert.match(String(egress.inputs.referencedSecurityGroupId), /^sg-/);
        assert.equal(egress.inputs.ipProtocol, "tcp");
    });

    it("terminates TLS 1.3 on 443 with a 404 default, and redirects 80 to HTTPS", () => {
        const https = registered.one("aws:lb/listener:Listener", "fleet-test-alb-https");
        assert.equal(https.inputs.port, 443);
        assert.equal(https.inputs.protocol, "HTTPS");
        assert.equal(https.inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.equal(https.inputs.certificateArn, certificateArn);
        assert.deepEqual(https.inputs.defaultActions, [
            {
                type: "fixed-response",
                fixedResponse: { contentType: "application/json", statusCode: "404", messageBody: '{"error":"not found"}' },
            },
        ]);
        const http = registered.one("aws:lb/listener:Listener", "fleet-test-alb-http");
        assert.deepEqual(http.inputs.defaultActions, [
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
    });

    it("serves plain HTTP with a 404 default when no certificate is configured", () => {
        const listeners = registered.under("fleet:lb:LoadBalancer", "plain").filter((r) => r.type === "aws:lb/listener:Listener");
        assert.deepEqual(
            listeners.map((l) => [l.inputs.port, l.inputs.protocol, (l.inputs.defaultActions as any[])[0].type]),
            [[80, "HTTP", "fixed-response"]],
        );
        const ingress = registered
            .under("fleet:lb:LoadBalancer", "plain")
            .filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual(
            ingress.map((r) => r.inputs.fromPort),
            [80],
        );
        assert.equal(registered.one("aws:lb/loadBalancer:LoadBalancer", "plain").protect, false);
    });
});

describe("the cluster", () => {
    it("enables Container Insights and registers EC2, FARGATE and FARGATE_SPOT", () => {
        const cluster = registered.one("aws:ecs/cluster:Cluster", "fleet-test");
        assert.deepEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enhanced" }]);
        const providers = registered.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "fleet-test");
        const names = providers.inputs.capacityProviders as string[];
        assert.deepEqual(names.slice(0, 2), ["FARGATE", "FARGATE_SPOT"]);
        assert.match(names[2], /^fleet-test-ec2-[0-9a-f]{7}$/);
        assert.equal(names.length, 3);
        assert.deepEqual(providers.inputs.defaultCapacityProviderStrategies, [
            { capacityProvider: (providers.inputs.capacityProviders as string[])[2], weight: 1, base: 0 },
        ]);
    });

    it("scales EC2 capacity under managed scaling and termination protection", () => {
        const provider = registered.one("aws:ecs/capacityProvider:CapacityProvider", "fleet-test-ec2");
        const asg = provider.inputs.autoScalingGroupProvider as any;
        assert.equal(asg.managedTerminationProtection, "ENABLED");
        assert.equal(asg.managedDraining, "ENABLED");
        assert.deepEqual(asg.managedScaling, {
            status: "ENABLED",
            targetCapacity: 90,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 10,
            instanceWarmupPeriod: 120,
        });
        const group = registered.one("aws:autoscaling/group:Group", "fleet-test-instances");
        assert.equal(group.inputs.minSize, 1);
        assert.equal(group.inputs.maxSize, 5);
        assert.equal(group.inputs.protectFromScaleIn, true);
        assert.deepEqual(group.ignoreChanges, ["desiredCapacity"]);
        assert.deepEqual((group.inputs.tags as any[])[0], { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true });
    });

    it("launches ECS-optimised instances with IMDSv2 only and an encrypted root volume", () => {
        const template = registered.one("aws:ec2/launchTemplate:LaunchTemplate", "fleet-test-instances");
        assert.equal(template.inputs.instanceType, "m6i.large");
        assert.match(String(template.inputs.imageId), /^ami-[0-9a-f]{17}$/);
        assert.deepEqual(template.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        assert.deepEqual((template.inputs.blockDeviceMappings as any[])[0].ebs, {
            volumeSize: 30,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
        });
        const userData = Buffer.from(String(template.inputs.userData), "base64").toString();
        assert.match(userData, /^ECS_CLUSTER=fleet-test-[0-9a-f]{7}$/m);
        assert.match(userData, /^ECS_RESERVED_MEMORY=256$/m);
    });

    it("lets only the load balancer reach the dynamic host ports of the instances", () => {
        const ingress = registered.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "fleet-test-instances-from-alb");
        const albSg = registered
            .under("fleet:lb:LoadBalancer", "fleet-test-alb")
            .find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup")!;
        assert.equal(ingress.inputs.fromPort, 32768);
        assert.equal(ingress.inputs.toPort, 65535);
        assert.equal(ingress.inputs.cidrIpv4, undefined);
        assert.match(String(ingress.inputs.referencedSecurityGroupId), /^sg-/);
        assert.equal(albSg.name, "fleet-test-alb-sg");
        const instanceIngress = registered
            .all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter((r) => r.inputs.securityGroupId === ingress.inputs.securityGroupId);
        assert.equal(instanceIngress.length, 1, "nothing else reaches the instances");
    });

    it("gives the container-instance role the first-pull permissions under every cache prefix of the stack", () => {
        const attachment = registered.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "fleet-test-instance-ecs");
        assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role");
        assert.deepEqual(policyOf(registered.one("aws:iam/rolePolicy:RolePolicy", "fleet-test-instance-pull-through")).Statement, [
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
                // Per prefix, not per service image: adding or changing an EC2 service leaves the shared role alone.
                Resource: [
                    `arn:aws:ecr:${region}:${account}:repository/fleet-test-cache/docker-hub/*`,
                    `arn:aws:ecr:${region}:${account}:repository/fleet-test-cache/ecr-public/*`,
                ],
            },
            { Sid: "EcrAuthToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        ]);
    });
});

describe("the registry and secrets key", () => {
    it("creates a pull-through cache rule per enabled upstream, with the credential where AWS needs one", () => {
        const rules = registered.all("aws:ecr/pullThroughCacheRule:PullThroughCacheRule").map((r) => r.inputs);
        assert.deepEqual(rules, [
            { ecrRepositoryPrefix: "fleet-test-cache/ecr-public", upstreamRegistryUrl: "public.ecr.aws" },
            {
                ecrRepositoryPrefix: "fleet-test-cache/docker-hub",
                upstreamRegistryUrl: "registry-1.docker.io",
                credentialArn: dockerHubCredential,
            },
        ]);
    });

    it("templates cached repositories with the rule's prefix, mutable tags and a lifecycle", () => {
        const template = registered.one("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "fleet-test-docker-hub-template");
        assert.equal(template.inputs.prefix, "fleet-test-cache/docker-hub");
        assert.deepEqual(template.inputs.appliedFors, ["PULL_THROUGH_CACHE"]);
        assert.equal(template.inputs.imageTagMutability, "MUTABLE");
        assert.equal(JSON.parse(String(template.inputs.lifecyclePolicy)).rules.length, 2);
    });

    it("encrypts parameters with a rotating, protected key", () => {
        const key = registered.one("aws:kms/key:Key", "fleet-test-secrets");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.protect, true);
        assert.equal(registered.one("aws:kms/alias:Alias", "fleet-test-secrets").inputs.name, "alias/fleet-test-secrets");
    });
});
