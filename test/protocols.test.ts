/**
 * What a server speaks on its port (`protocol`): the variables its callers get, Service Connect's
 * appProtocol, the target group's protocol version and health check (its misuses are cases of the
 * corpus, test/fixtures/problems/protocols.ts), the mocks' rules behind them, and the review's tables, over the whole program
 * (test/fixtures/catalogProtocols.ts on the tests' prod-like stack, which serves HTTPS).
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { Catalog } from "../model/catalog";
import { unwatchedServers } from "../model/connections";
import { awsRuleViolations, listenerRuleProtocolProblem } from "../plan/awsRules";
import { FleetMocks } from "../plan/mocks";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { diffPlans, triggersReplacement } from "../review/diff";
import { renderText, review } from "../review/render";
import { resolveForTest } from "./harness";
import { prodSettingsRoot } from "./support/fixtures";
import { planAt } from "./support/planCli";

const fixtures = path.join(__dirname, "fixtures");
const memory = { reservation: 64, limit: 128 };
const stack = { domain: "example.com", network: { natGateways: "single" }, cluster: { defaultCapacity: "fargate" } };
const https = {
    ...stack,
    loadBalancer: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789" },
};

describe("connects by protocol", () => {
    const catalog: Catalog = {
        web: {
            image: "nginx:1.27",
            port: 8080,
            memory,
            env: { CART_ADDR: "cart:7070" },
            secrets: { DB_URL: { generate: { length: 32 } } },
            connects: ["api", "cart", "db", "feed"],
        },
        api: { image: "nginx:1.27", port: 8080, memory },
        feed: { image: "nginx:1.27", port: 8443, protocol: "http2", memory },
        cart: { image: "nginx:1.27", port: 7070, protocol: "grpc", memory },
        db: { image: "postgres:16.4", port: 5432, protocol: "tcp", memory },
    };

    it("gives a URL for http and http2 servers and an address for grpc and tcp ones; the entry's own variable wins", () => {
        const web = resolveForTest(catalog, stack).services.find((s) => s.name === "web")!;
        assert.deepEqual(web.connects, [
            { target: "api", port: 8080, protocol: "http", variable: "API_URL", url: "http://api:8080" },
            { target: "cart", port: 7070, protocol: "grpc", variable: "CART_ADDR", url: "cart:7070", kept: "env" },
            { target: "db", port: 5432, protocol: "tcp", variable: "DB_ADDR", url: "db:5432" },
            { target: "feed", port: 8443, protocol: "http2", variable: "FEED_URL", url: "http://feed:8443" },
        ]);
        // The kept variable keeps the entry's value; nothing else is injected for it.
        assert.deepEqual(web.env, { API_URL: "http://api:8080", CART_ADDR: "cart:7070", DB_ADDR: "db:5432", FEED_URL: "http://feed:8443" });
    });

    it("keeps a secret of the variable's name and injects nothing beside it", () => {
        const fleet = resolveForTest(
            {
                web: { image: "nginx:1.27", memory, secrets: { API_URL: { generate: { length: 32 } } }, connects: ["api"] },
                api: catalog.api,
            },
            stack,
        );
        const web = fleet.services.find((s) => s.name === "web")!;
        assert.equal(web.connects[0].kept, "secrets");
        assert.deepEqual(web.env, {});
    });

    it("defaults to http, and gives a grpc service the gRPC health service's method and code", () => {
        const fleet = resolveForTest(
            {
                web: { image: "nginx:1.27", port: 8080, routes: [{ host: "www" }], memory },
                rpc: { image: "nginx:1.27", port: 50051, protocol: "grpc", routes: [{ host: "rpc" }], memory },
            },
            https,
        );
        const [rpc, web] = fleet.services;
        assert.equal(web.protocol, "http");
        assert.deepEqual([web.health.path, web.health.matcher], ["/healthz", "200-399"]);
        assert.deepEqual([rpc.health.path, rpc.health.matcher], ["/grpc.health.v1.Health/Check", "0"]);
    });

    it("warns, once, about the called services that have no health check at all", () => {
        assert.deepEqual(unwatchedServers(resolveForTest(catalog, stack).services), [
            "services api, cart, db, feed are called through connects but have no health check at all (no routes, no " +
                "health.command): ECS keeps a task that hangs, and Service Connect keeps sending it calls; add health.command, " +
                'e.g. ["CMD-SHELL", "<a command that exits 0 when the server answers>"]',
        ]);
    });
});

describe("the mocks' rules for protocols", () => {
    const context = { region: "us-east-1", accountId: "123456789012" };
    const taskDefinition = (appProtocol: string, name?: string) => ({
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "x-taskdef",
        physicalName: "x",
        context,
        inputs: {
            family: "fleet-test-x",
            containerDefinitions: JSON.stringify([{ name: "x", portMappings: [{ name, containerPort: 6379, appProtocol }] }]),
        },
    });

    it("refuses an appProtocol ECS does not know, and one on an unnamed port", () => {
        assert.deepEqual(
            awsRuleViolations(taskDefinition("tcp", "x")).map((v) => [v.path, v.problem, v.reference]),
            [["containerDefinitions", 'sets appProtocol "tcp", which ECS refuses', "ECS API PortMapping"]],
        );
        assert.deepEqual(
            awsRuleViolations(taskDefinition("grpc")).map((v) => v.problem),
            ["sets appProtocol on a port mapping without a name"],
        );
        assert.deepEqual(awsRuleViolations(taskDefinition("http2", "x")), []);
    });

    it("holds a target group's matcher to its protocol version's codes", () => {
        const targetGroup = (protocolVersion: string, matcher: string) => ({
            type: "aws:lb/targetGroup:TargetGroup",
            name: "x-tg",
            physicalName: "x-tg-1234567",
            context,
            inputs: { protocolVersion, healthCheck: { matcher } },
        });
        assert.deepEqual(
            awsRuleViolations(targetGroup("GRPC", "200")).map((v) => [v.problem, v.reference]),
            [["is not of the form ELB requires", "ELBv2 API Matcher (GrpcCode)"]],
        );
        assert.deepEqual(
            awsRuleViolations(targetGroup("HTTP1", "0")).map((v) => [v.problem, v.reference]),
            [["is not of the form ELB requires", "ELBv2 API Matcher (HttpCode)"]],
        );
        assert.deepEqual(awsRuleViolations(targetGroup("GRPC", "0-12")), []);
        assert.deepEqual(awsRuleViolations(targetGroup("HTTP2", "200-399")), []);
    });

    it("refuse a listener rule that forwards a plain HTTP listener to a GRPC target group, as ELB does", () => {
        const mocks = new FleetMocks("us-east-1");
        const register = (type: string, name: string, inputs: Record<string, unknown>) =>
            mocks.newResource({ type, name, inputs, custom: true }).state as Record<string, unknown>;
        const lb = register("aws:lb/loadBalancer:LoadBalancer", "alb", {});
        const http = register("aws:lb/listener:Listener", "alb-http", { loadBalancerArn: lb.arn, protocol: "HTTP", port: 80 });
        const tls = register("aws:lb/listener:Listener", "alb-https", { loadBalancerArn: lb.arn, protocol: "HTTPS", port: 443 });
        const grpc = register("aws:lb/targetGroup:TargetGroup", "rpc-tg", { protocolVersion: "GRPC", healthCheck: { matcher: "0" } });
        const rule = (listener: Record<string, unknown>) => () =>
            register("aws:lb/listenerRule:ListenerRule", "rpc-rule", {
                listenerArn: listener.arn,
                priority: 10,
                actions: [{ type: "forward", targetGroupArn: grpc.arn }],
            });
        assert.throws(rule(http), {
            message:
                'fleet mocks: aws:lb/listenerRule:ListenerRule "rpc-rule": forwards to a GRPC target group from a HTTP listener; ' +
                "ELB refuses it — ELB guide, target group protocol version, https://docs.aws.amazon.com/elasticloadbalancing/latest/" +
                "application/load-balancer-target-groups.html#target-group-protocol-version",
        });
        assert.doesNotThrow(rule(tls));
    });

    it("refuses a GRPC or HTTP2 target group behind a plain HTTP listener", () => {
        assert.equal(listenerRuleProtocolProblem("HTTP", "GRPC"), "forwards to a GRPC target group from a HTTP listener");
        assert.equal(listenerRuleProtocolProblem("HTTP", "HTTP2"), "forwards to a HTTP2 target group from a HTTP listener");
        assert.equal(listenerRuleProtocolProblem("HTTPS", "GRPC"), undefined);
        assert.equal(listenerRuleProtocolProblem("HTTP", "HTTP1"), undefined);
    });
});

describe("a fleet of every protocol, planned", () => {
    let plan: PlanDocument;
    before(async () => {
        const root = prodSettingsRoot("protocols");
        plan = await planAt("a fleet of every protocol", root, "protocols", undefined, path.join(fixtures, "catalogProtocols.ts"));
    });
    const one = (type: string, name: string): PlanResource => {
        const found = plan.resources.filter((r) => r.type === type && r.name === name);
        assert.equal(found.length, 1, `${type} ${name}`);
        return found[0];
    };
    const container = (service: string) =>
        JSON.parse(String(one("aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`).inputs.containerDefinitions))[0];

    it("names each server's port with its appProtocol, and none for tcp", () => {
        assert.deepEqual(container("catalog").portMappings, [
            { name: "catalog", containerPort: 3550, hostPort: 3550, protocol: "tcp", appProtocol: "grpc" },
        ]);
        assert.deepEqual(container("cache").portMappings, [{ name: "cache", containerPort: 6379, hostPort: 6379, protocol: "tcp" }]);
        // On EC2 too, in awsvpc (Service Connect): the container port, where the server's group admits its callers.
        assert.deepEqual(container("ledger").portMappings, [{ name: "ledger", containerPort: 5432, hostPort: 5432, protocol: "tcp" }]);
        assert.deepEqual(container("stream").portMappings, [
            { name: "stream", containerPort: 8443, hostPort: 8443, protocol: "tcp", appProtocol: "http2" },
        ]);
        // A routed server no one calls: no name, no appProtocol (outside Service Connect).
        assert.deepEqual(container("api").portMappings, [{ containerPort: 50051, hostPort: 50051, protocol: "tcp" }]);
    });

    it("gives the caller the variables of each protocol, keeping its own CACHE_ADDR", () => {
        assert.deepEqual(container("frontend").environment, [
            { name: "CACHE_ADDR", value: "cache:6379,abortConnect=false" },
            { name: "CATALOG_ADDR", value: "catalog:3550" },
            { name: "LEDGER_ADDR", value: "ledger:5432" },
            { name: "STREAM_URL", value: "http://stream:8443" },
        ]);
    });

    it("makes a GRPC target group checking the gRPC health service, and an HTTP2 one checking its path", () => {
        const grpc = one("aws:lb/targetGroup:TargetGroup", "api-tg").inputs;
        assert.equal(grpc.protocol, "HTTP");
        assert.equal(grpc.protocolVersion, "GRPC");
        assert.deepEqual((grpc.healthCheck as Record<string, unknown>).path, "/grpc.health.v1.Health/Check");
        assert.deepEqual((grpc.healthCheck as Record<string, unknown>).matcher, "0");
        const http2 = one("aws:lb/targetGroup:TargetGroup", "stream-tg").inputs;
        assert.equal(http2.protocolVersion, "HTTP2");
        assert.deepEqual([(http2.healthCheck as any).path, (http2.healthCheck as any).matcher], ["/ready", "200"]);
        assert.equal(one("aws:lb/targetGroup:TargetGroup", "frontend-tg").inputs.protocolVersion, "HTTP1");
    });

    it("replaces an ECS service when its protocol or network mode changes, a server deleting first (appProtocol is immutable)", () => {
        const catalog = one("aws:ecs/service:Service", "catalog");
        assert.equal(catalog.replacementTrigger, "awsvpc+grpc");
        assert.equal(catalog.deleteBeforeReplace, true);
        assert.equal(one("aws:ecs/service:Service", "cache").replacementTrigger, "awsvpc+tcp");
        assert.equal(one("aws:ecs/service:Service", "ledger").replacementTrigger, "awsvpc+tcp");
        // http is left out, so a service that starts serving calls is updated in place; a client only
        // is created first on a replacement (a new auto-name), without downtime.
        assert.equal(one("aws:ecs/service:Service", "frontend").replacementTrigger, "awsvpc");
        assert.equal(one("aws:ecs/service:Service", "frontend").deleteBeforeReplace, false);
        assert.equal(one("aws:ecs/service:Service", "api").replacementTrigger, "awsvpc+grpc");
        const grpcToHttp: PlanDocument = {
            ...plan,
            resources: plan.resources.map((r) => (r === catalog ? { ...r, replacementTrigger: "awsvpc" } : r)),
        };
        const [change] = diffPlans(plan, grpcToHttp).groups.flatMap((g) => g.changes);
        assert.deepEqual([change.kind, change.name, change.replacedBy], ["replace", "catalog", ["(replacementTrigger)"]]);
        assert.deepEqual(change.values, [{ path: "(replacementTrigger)", before: "awsvpc+grpc", after: "awsvpc" }]);
        // The engine's rule: a trigger set for the first time (or dropped) replaces nothing.
        assert.equal(triggersReplacement(undefined, "awsvpc"), false);
        assert.equal(triggersReplacement("awsvpc", undefined), false);
        assert.equal(triggersReplacement("awsvpc", "bridge"), true);
    });

    it("runs an EC2 server of Service Connect in awsvpc, its own group admitting its caller alone on its port", () => {
        const group = (service: string) => one("aws:ec2/securityGroup:SecurityGroup", `${service}-sg`).urn;
        const taskDefinition = one("aws:ecs/taskDefinition:TaskDefinition", "ledger-taskdef").inputs;
        assert.deepEqual([taskDefinition.networkMode, taskDefinition.requiresCompatibilities], ["awsvpc", ["EC2"]]);
        const ledger = one("aws:ecs/service:Service", "ledger");
        const network = ledger.inputs.networkConfiguration as Record<string, unknown>;
        assert.deepEqual([(network.securityGroups as unknown[]).length, network.assignPublicIp], [1, false]);
        // In the private subnets, with its own group alone (not routed, so not the load balancer's targets' group).
        assert.deepEqual(ledger.propertyDependencies?.networkConfiguration?.sort(), [
            group("ledger"),
            "urn:pulumi:protocols::fleet::fleet:network:Network$awsx:ec2:Vpc::fleet-protocols-vpc",
        ]);
        const rule = one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "frontend-to-ledger");
        assert.deepEqual([rule.inputs.fromPort, rule.inputs.toPort], [5432, 5432]);
        assert.deepEqual(rule.propertyDependencies?.securityGroupId, [group("ledger")]);
        assert.deepEqual(rule.propertyDependencies?.referencedSecurityGroupId, [group("frontend")]);
        // The instances' dynamic ports stay open to the load balancer's group alone (bridge tasks it routes to).
        const ranges = plan.resources.filter(
            (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.fromPort !== r.inputs.toPort,
        );
        assert.deepEqual(
            ranges.map((r) => r.name),
            ["fleet-protocols-instances-from-alb"],
        );
    });

    it("discovers a tcp server by name on its port, like any other", () => {
        const cache = one("aws:ecs/service:Service", "cache").inputs.serviceConnectConfiguration as Record<string, any>;
        assert.deepEqual(cache.services, [{ portName: "cache", discoveryName: "cache", clientAlias: [{ port: 6379, dnsName: "cache" }] }]);
    });

    it("shows each server's protocol, the variable kept and the service without a health check in the review", () => {
        const text = renderText(review(plan));
        const ports = text.slice(text.indexOf("Ports and volumes (what each server speaks on its port; what each task mounts):"));
        assert.deepEqual(
            ports
                .split("\n")
                .slice(1, 8)
                .map((line) => line.split(/ +/)),
            [
                ["service", "port", "protocol", "volumes"],
                ["api", "50051", "grpc", "-"],
                ["cache", "6379", "tcp", "-"],
                ["catalog", "3550", "grpc", "-"],
                ["frontend", "8080", "http", "-"],
                ["ledger", "5432", "tcp", "-"],
                ["stream", "8443", "http2", "-"],
            ],
        );
        assert.match(text, /\nfrontend +cache +6379 +CACHE_ADDR: the entry's own \(env\) is kept, not cache:6379\n/);
        assert.match(text, /frontend +catalog +3550 +CATALOG_ADDR=catalog:3550/);
        // The first warning; the second is the fixture stack's placeholders (test/updatePaths.test.ts).
        assert.deepEqual(plan.model?.warnings?.slice(0, 1), [
            'service "ledger" is called through connects but has no health check at all (no routes, no health.command): ECS ' +
                "keeps a task that hangs, and Service Connect keeps sending it calls; add health.command, e.g. " +
                '["CMD-SHELL", "<a command that exits 0 when the server answers>"]',
        ]);
        assert.match(text, /Warnings:\n {2}! service "ledger" is called through connects/);
    });
});
