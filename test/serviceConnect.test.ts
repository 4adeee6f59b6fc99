/**
 * Service Connect's security-group rules across capacities, under fleet's mocks: a Fargate
 * server admits its caller's group on its port; EC2 (bridge) servers' agents listen on the
 * instances' dynamic ports, admitted once per Fargate caller and once for every EC2 caller. And
 * the DNS component under the mocks' AWS rules: a hosted zone found by name, a zone id used as is.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Dns } from "../infra/dns";
import { connectionRules } from "../infra/serviceConnect";
import { enforceAwsRules } from "../plan/awsRules";
import { installMocks } from "../plan/mocks";
import { Registered, region, resolveForTest } from "./harness";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

const memory = { reservation: 64, limit: 128 };
const fleet = resolveForTest(
    {
        // Fargate callers of an EC2 server (twice) and of a Fargate server.
        web: { image: "nginx:1.27", port: 80, memory, capacity: "fargate", connects: ["api", "search", "billing"] },
        // An EC2 caller of an EC2 server and of a Fargate server.
        worker: { image: "nginx:1.27", memory, capacity: "ec2", connects: ["api", "billing"] },
        api: { image: "nginx:1.27", port: 8080, memory, capacity: "ec2" },
        search: { image: "nginx:1.27", port: 9200, memory, capacity: "ec2" },
        // On EC2 and outside Service Connect: no task size, placed by its soft reservation.
        batch: { image: "nginx:1.27", memory, capacity: "ec2" },
        billing: { image: "nginx:1.27", port: 9000, memory, capacity: "fargate" },
    },
    {
        domain: "example.com",
        network: { natGateways: "single" },
        cluster: { defaultCapacity: "fargate", ec2: { instanceType: "t3.medium", minSize: 0, maxSize: 2 } },
    },
);
const components = Object.fromEntries(fleet.services.map((s) => [s.name, new pulumi.ComponentResource("fleet:ecs:Service", s.name)]));
const platform = new pulumi.ComponentResource("fleet:ecs:Cluster", "fleet-test");
connectionRules(fleet, {
    serviceGroups: { web: "sg-0web", billing: "sg-0billing" },
    instancesGroup: "sg-0instances",
    components,
    platform,
    platformNames: { instancesConnect: "fleet-test-instances-connect" },
});
const loadBalancer = { dnsName: "fleet-test-alb-1.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" };
new Dns("by-name", { dns: { zone: "example.com", records: [{ name: "www.example.com" }] } }).pointAt(loadBalancer);
new Dns("by-id", { dns: { zone: "example.com", zoneId: "Z0123456789ABC", records: [{ name: "*.example.com" }] } }).pointAt(loadBalancer);

let registered: Registered;
before(async () => (registered = await settled(runtime)));

describe("connection rules", () => {
    const rule = (name: string) => registered.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name);

    it("opens a Fargate server's group to its caller's group on its port only, as the caller's child", () => {
        assert.deepEqual(rule("web-to-billing").inputs, {
            securityGroupId: "sg-0billing",
            referencedSecurityGroupId: "sg-0web",
            ipProtocol: "tcp",
            fromPort: 9000,
            toPort: 9000,
            description: "Service Connect from web to billing",
        });
        assert.equal(rule("web-to-billing").parent, registered.one("fleet:ecs:Service", "web").urn);
        // An EC2 caller comes from the instances' group.
        assert.deepEqual(rule("worker-to-billing").inputs, {
            securityGroupId: "sg-0billing",
            referencedSecurityGroupId: "sg-0instances",
            ipProtocol: "tcp",
            fromPort: 9000,
            toPort: 9000,
            description: "Service Connect from worker to billing",
        });
    });

    it("opens the instances' dynamic ports once per Fargate caller, and once for all EC2 callers", () => {
        assert.deepEqual(rule("web-to-instances").inputs, {
            securityGroupId: "sg-0instances",
            referencedSecurityGroupId: "sg-0web",
            ipProtocol: "tcp",
            fromPort: 32768,
            toPort: 65535,
            description: "Service Connect from web to bridge-mode services on the instances",
        });
        assert.deepEqual(rule("fleet-test-instances-connect").inputs, {
            securityGroupId: "sg-0instances",
            referencedSecurityGroupId: "sg-0instances",
            ipProtocol: "tcp",
            fromPort: 32768,
            toPort: 65535,
            description: "Service Connect between bridge-mode services on the instances",
        });
        assert.deepEqual(
            registered
                .all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .map((r) => r.name)
                .sort(),
            ["fleet-test-instances-connect", "web-to-billing", "web-to-instances", "worker-to-billing"],
        );
    });
});

describe("the DNS component", () => {
    const alias = [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }];

    it("looks the public zone up by name, or uses the id given, and takes over a record made by hand", () => {
        const byName = registered.one("aws:route53/record:Record", "by-name-www-example-com").inputs;
        assert.match(String(byName.zoneId), /^Z[0-9A-F]{20}$/);
        assert.deepEqual(byName, { zoneId: byName.zoneId, name: "www.example.com", type: "A", aliases: alias, allowOverwrite: true });
        assert.deepEqual(registered.one("aws:route53/record:Record", "by-id-wildcard-example-com").inputs, {
            zoneId: "Z0123456789ABC",
            name: "*.example.com",
            type: "A",
            aliases: alias,
            allowOverwrite: true,
        });
        assert.equal(registered.all("aws:acm/certificate:Certificate").length, 0, "no certificate planned, none requested");
    });

    it("is held to ACM's domain-name rule by the mocks", () => {
        const certificate =
            (domainName: string, subjectAlternativeNames: string[] = []) =>
            () =>
                enforceAwsRules({
                    type: "aws:acm/certificate:Certificate",
                    name: "cert",
                    inputs: { domainName, subjectAlternativeNames },
                    physicalName: "cert",
                    context: { region, accountId: "123456789012" },
                });
        assert.doesNotThrow(certificate("*.dev.example.com", ["api.example.com"]));
        assert.throws(certificate("a.*.example.com"), /ACM/);
        assert.throws(certificate("example.com", ["-bad.example.com"]), /subjectAlternativeNames/);
    });
});

describe("task sizes that hold the Service Connect agent", () => {
    const capacityOf = (name: string) => fleet.services.find((s) => s.name === name)!.capacity;

    it("gives EC2 tasks that call or are called a task size: the agent's 256 CPU units and 64 MiB above the container's", () => {
        // ECS refuses Service Connect on a task definition without task memory above the containers' limits.
        for (const name of ["worker", "api", "search"]) {
            assert.deepEqual(capacityOf(name), { kind: "ec2", task: { cpu: 512, memory: 192 } }, name);
        }
        assert.deepEqual(capacityOf("batch"), { kind: "ec2" });
    });

    it("sizes Fargate tasks that call or are called for the container and the agent together", () => {
        // 256 + 256 CPU units and 128 + 64 MiB: the smallest Fargate size holding both is 512/1024.
        assert.deepEqual(capacityOf("web"), { kind: "fargate", spot: false, size: { cpu: 512, memory: 1024 } });
        assert.deepEqual(capacityOf("billing"), { kind: "fargate", spot: false, size: { cpu: 512, memory: 1024 } });
    });
});
