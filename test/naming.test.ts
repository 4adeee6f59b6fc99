/**
 * model/naming.ts: the physical names AWS sees and the logical names in the state. A change here
 * renames real resources (a replacement) or moves them in the state (a delete and a create), so
 * every name is pinned.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
    clusterLogicalNames,
    loadBalancerLogicalNames,
    networkLogicalNames,
    platformLogicalNames,
    platformPhysicalNames,
    registryLogicalNames,
    serviceLogicalNames,
    servicePhysicalNames,
    stackNames,
} from "../model/naming";

const dev = stackNames("fleet", "dev");

describe("physical names", () => {
    const table: [string, string, string][] = [
        ["stack prefix", dev.prefix, "fleet-dev"],
        ["stack path", dev.path, "/fleet/dev"],
        ["task family", servicePhysicalNames.taskFamily(dev, "api"), "fleet-dev-api"],
        ["repository", servicePhysicalNames.repository(dev, "api"), "fleet-dev/api"],
        ["log group", servicePhysicalNames.logGroup(dev, "api"), "/fleet/dev/api"],
        ["secret parameter", servicePhysicalNames.secretParameter(dev, "api", "DB_PASSWORD"), "/fleet/dev/api/DB_PASSWORD"],
        ["secrets key alias", platformPhysicalNames.secretsKeyAlias(dev), "alias/fleet-dev-secrets"],
        ["cache prefix", platformPhysicalNames.cachePrefix(dev, "docker-hub"), "fleet-dev-cache/docker-hub"],
        // Past 13 characters the project and stack are shortened, so every prefix fits ECR's 30.
        [
            "a long project's cache prefix",
            platformPhysicalNames.cachePrefix(stackNames("payments-platform", "staging"), "docker-hub"),
            `paym-${createHash("sha256").update("payments-platform-staging").digest("hex").slice(0, 8)}-cache/docker-hub`,
        ],
    ];
    for (const [what, actual, expected] of table) it(`${what}: ${expected}`, () => assert.equal(actual, expected));
});

describe("logical names", () => {
    it("every child of a service carries the service's name", () => {
        const api = serviceLogicalNames("api");
        assert.deepEqual(
            [
                api.ecsService,
                api.logGroup,
                api.repository,
                api.repositoryLifecycle,
                api.image,
                api.secret("DB_PASSWORD"),
                api.executionRole,
                api.taskRole,
                api.taskDefinition,
                api.securityGroup,
                api.ingressFromLoadBalancer,
                api.egress,
                api.targetGroup,
                api.listenerRule("h-api"),
                api.scalingTarget,
                api.scalingPolicy("cpu"),
                api.scalingPolicy("requests"),
            ],
            [
                "api",
                "api-logs",
                "api-repo",
                "api-repo-lifecycle",
                "api-image",
                "api-DB_PASSWORD",
                "api-exec",
                "api-task",
                "api-taskdef",
                "api-sg",
                "api-from-alb",
                "api-egress",
                "api-tg",
                "api-rule-h-api",
                "api-scaling",
                "api-cpu",
                "api-requests",
            ],
        );
    });

    it("the platform's children carry the platform's name", () => {
        const { alertSubscription, ...names } = platformLogicalNames("fleet-dev");
        assert.deepEqual(names, {
            network: "fleet-dev",
            loadBalancer: "fleet-dev-alb",
            cluster: "fleet-dev",
            registry: "fleet-dev",
            secretsKey: "fleet-dev-secrets",
            secretsKeyAlias: "fleet-dev-secrets",
            serviceConnectNamespace: "fleet-dev-connect",
            dns: "fleet-dev-dns",
            alertTopic: "fleet-dev-alerts",
            loadBalancerAlarm: "fleet-dev-alarm-alb-5xx",
        });
        assert.equal(alertSubscription("oncall@acme.io"), "fleet-dev-alerts-oncall@acme.io");
        assert.deepEqual(networkLogicalNames("fleet-dev"), { vpc: "fleet-dev-vpc" });
        const alb = loadBalancerLogicalNames("fleet-dev-alb");
        assert.deepEqual(
            [alb.securityGroup, alb.ingress(443), alb.targetsSecurityGroup, alb.toTargets, alb.httpsListener, alb.httpListener],
            [
                "fleet-dev-alb-sg",
                "fleet-dev-alb-in-443",
                "fleet-dev-alb-targets-sg",
                "fleet-dev-alb-to-targets",
                "fleet-dev-alb-https",
                "fleet-dev-alb-http",
            ],
        );
        assert.deepEqual(clusterLogicalNames("fleet-dev"), {
            instancesSecurityGroup: "fleet-dev-instances-sg",
            instancesFromLoadBalancer: "fleet-dev-instances-from-alb",
            loadBalancerToInstances: "fleet-dev-alb-to-instances",
            instancesEgress: "fleet-dev-instances-egress",
            instanceRole: "fleet-dev-instance-role",
            instanceEcsPolicy: "fleet-dev-instance-ecs",
            instancePullThrough: "fleet-dev-instance-pull-through",
            instanceProfile: "fleet-dev-instance-profile",
            instances: "fleet-dev-instances",
            instanceNameTag: "fleet-dev-instance",
            ec2CapacityProvider: "fleet-dev-ec2",
            spotInstances: "fleet-dev-spot-instances",
            ec2SpotCapacityProvider: "fleet-dev-ec2-spot",
        });
        const registry = registryLogicalNames("fleet-dev");
        assert.deepEqual(
            [registry.cacheTemplateRole, registry.cacheRule("docker-hub"), registry.cacheTemplate("docker-hub")],
            ["fleet-dev-cache-template", "fleet-dev-docker-hub", "fleet-dev-docker-hub-template"],
        );
    });
});
