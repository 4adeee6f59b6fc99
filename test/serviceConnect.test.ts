/**
 * Service Connect's security-group rules across capacities, under fleet's mocks: every service in
 * Service Connect runs in awsvpc (on EC2 too) with a group of its own, and a server's group admits
 * each caller's group on the server's port alone: no range of ports, no shared instances' group.
 * And the DNS component under the mocks' AWS rules: a hosted zone found by name, a zone id used as is.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Dns } from "../infra/dns";
import { connectionRules } from "../infra/serviceConnect";
import { enforceAwsRules } from "../plan/awsRules";
import { FleetMocks, installMocks } from "../plan/mocks";
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
connectionRules(fleet, {
    serviceGroups: { web: "sg-0web", worker: "sg-0worker", api: "sg-0api", search: "sg-0search", billing: "sg-0billing" },
    components,
});
const loadBalancer = { dnsName: "fleet-test-alb-1.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" };
new Dns("by-name", { dns: { zone: "example.com", records: [{ name: "www.example.com" }] } }).pointAt(loadBalancer);
new Dns("by-id", { dns: { zone: "example.com", zoneId: "Z0123456789ABC", records: [{ name: "*.example.com" }] } }).pointAt(loadBalancer);

let registered: Registered;
before(async () => (registered = await settled(runtime)));

describe("connection rules", () => {
    const rule = (name: string) => registered.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name);

    const connection = (caller: string, server: string, port: number) => ({
        securityGroupId: `sg-0${server}`,
        referencedSecurityGroupId: `sg-0${caller}`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: `Service Connect from ${caller} to ${server}`,
    });

    it("opens a server's group to each caller's group on the server's port only, as the caller's child, on Fargate and EC2 alike", () => {
        assert.deepEqual(rule("web-to-billing").inputs, connection("web", "billing", 9000));
        assert.equal(rule("web-to-billing").parent, registered.one("fleet:ecs:Service", "web").urn);
        // EC2 servers and callers in Service Connect have groups of their own (awsvpc).
        assert.deepEqual(rule("web-to-api").inputs, connection("web", "api", 8080));
        assert.deepEqual(rule("worker-to-api").inputs, connection("worker", "api", 8080));
        assert.deepEqual(rule("worker-to-billing").inputs, connection("worker", "billing", 9000));
        assert.equal(rule("worker-to-api").parent, registered.one("fleet:ecs:Service", "worker").urn);
    });

    it("opens nothing else: one rule per connection, none to a range of ports or to the instances' group", () => {
        const rules = registered.all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual(rules.map((r) => r.name).sort(), [
            "web-to-api",
            "web-to-billing",
            "web-to-search",
            "worker-to-api",
            "worker-to-billing",
        ]);
        assert.ok(rules.every((r) => r.inputs.fromPort === r.inputs.toPort));
    });

    it("runs every service in Service Connect in awsvpc, and the EC2 service outside it in bridge", () => {
        assert.deepEqual(
            fleet.services.map((s) => [s.name, s.capacity.kind, s.networkMode]),
            [
                ["api", "ec2", "awsvpc"],
                ["batch", "ec2", "bridge"],
                ["billing", "fargate", "awsvpc"],
                ["search", "ec2", "awsvpc"],
                ["web", "fargate", "awsvpc"],
                ["worker", "ec2", "awsvpc"],
            ],
        );
    });
});

describe("an ECS service's network, as the mocks hold ECS to it", () => {
    const mocks = new FleetMocks(region);
    const register = (type: string, name: string, inputs: Record<string, unknown>) =>
        mocks.newResource({ type, name, inputs, custom: true }).state as Record<string, unknown>;
    const family = (networkMode: string) =>
        register("aws:ecs/taskDefinition:TaskDefinition", networkMode, {
            family: `t-${networkMode}`,
            networkMode,
            containerDefinitions: "[]",
        });
    const [awsvpc, bridge] = [family("awsvpc"), family("bridge")];
    const ipTargets = register("aws:lb/targetGroup:TargetGroup", "ip-tg", { targetType: "ip" });
    const instanceTargets = register("aws:lb/targetGroup:TargetGroup", "instance-tg", { targetType: "instance" });
    const network = { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: false };
    const service = (taskDefinition: Record<string, unknown>, inputs: Record<string, unknown>) => () =>
        register("aws:ecs/service:Service", "svc", {
            cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
            taskDefinition: taskDefinition.arn,
            ...inputs,
        });
    const lb = (targets: Record<string, unknown>) => [{ targetGroupArn: targets.arn, containerName: "svc", containerPort: 80 }];
    const createService = "ECS API CreateService, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html";
    const loadBalancer = "ECS API LoadBalancer, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html";
    const refusal = (problem: string, source: string) => ({
        message: `fleet mocks: aws:ecs/service:Service "svc": ${problem} — ${source}`,
    });

    it("takes awsvpc with a network configuration and ip targets, bridge without one and with instance targets", () => {
        assert.doesNotThrow(service(awsvpc, { networkConfiguration: network, loadBalancers: lb(ipTargets) }));
        assert.doesNotThrow(service(bridge, { loadBalancers: lb(instanceTargets) }));
    });

    it("refuses awsvpc without a network configuration, bridge with one, and targets of the other type", () => {
        assert.throws(service(awsvpc, {}), refusal("runs an awsvpc task definition without networkConfiguration", createService));
        assert.throws(
            service(bridge, { networkConfiguration: network }),
            refusal("sets networkConfiguration for a bridge task definition", createService),
        );
        assert.throws(
            service(awsvpc, { networkConfiguration: network, loadBalancers: lb(instanceTargets) }),
            refusal("registers awsvpc tasks in a target group of target type instance, not ip", loadBalancer),
        );
        assert.throws(
            service(bridge, { loadBalancers: lb(ipTargets) }),
            refusal("registers bridge tasks in a target group of target type ip, not instance", loadBalancer),
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
