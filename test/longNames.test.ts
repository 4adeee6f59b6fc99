/**
 * Service names up to 63 characters (a DNS label): the rule and its exact messages; the
 * deterministic shortening of the names AWS limits (target group 32, roles and schedules 64), with
 * every name of 20 characters or fewer exactly as before; clashes of shortened names refused; the
 * mocks' rules on ECS's port mapping, container and Service Connect names; and a whole fleet of
 * 63-character names of every kind registering under the mocks, which hold every name to AWS's
 * lengths.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, it } from "node:test";
import { deployFleet } from "../infra/deploy";
import { limitedServicePart, serviceLogicalNames, serviceNameProblem, shortenedName, shortNameClashes } from "../model/naming";
import { awsRuleViolations, checkText, ecsPortMappingName, serviceConnectDiscoveryName, serviceConnectDnsName } from "../plan/awsRules";
import { FleetMocks, installMocks } from "../plan/mocks";
import { account, region, Registered, resolveForTest } from "./harness";
import { resolutionProblems } from "./support/fleetInput";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

/** A 63-character service name starting with `base`. */
const long = (base: string) => `${base}-${"abcdefghijklmnopqrstuvwxyz0123456789".repeat(2)}`.slice(0, 63);
const hash8 = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 8);

const frontend = long("frontend"); // routed Fargate service with cpu, requests and scheduled scaling
const checkout = long("checkout"); // routed EC2 service
const emails = long("emails"); // worker scaled on a queue
const nightly = long("nightly"); // job
const payments = long("payments"); // secrets, generated and from config, and a build
const cart = long("cart"); // cart and currency call each other
const currency = long("currency");

const memory = { reservation: 64, limit: 128 };
const fleet = resolveForTest(
    {
        [frontend]: {
            image: "nginx:1.27",
            port: 8080,
            routes: [{ host: "shop" }],
            memory,
            capacity: "fargate",
            scaling: {
                min: 1,
                max: 4,
                cpuPercent: 60,
                requestsPerTarget: 500,
                schedule: [{ cron: "cron(0 8 ? * MON-FRI *)", min: 2, max: 6, timezone: "Europe/Berlin" }],
            },
        },
        [checkout]: { image: "nginx:1.27", port: 8080, routes: [{ path: "/checkout/*" }], memory, capacity: "ec2" },
        [emails]: {
            image: "public.ecr.aws/docker/library/busybox:1.36",
            memory,
            capacity: "fargate",
            scaling: { min: 1, max: 5, queue: { name: "emails", backlogPerTask: 50 } },
            access: { sqs: { emails: "consume" } },
        },
        [nightly]: { image: "public.ecr.aws/docker/library/busybox:1.36", memory, schedule: "rate(1 hour)", capacity: "fargate" },
        [payments]: {
            build: "./apps/api",
            port: 8080,
            memory,
            capacity: "fargate",
            secrets: { API_TOKEN: { generate: { length: 32 } }, DB_PASSWORD: { fromConfig: "dbPassword" } },
        },
        [cart]: { image: "nginx:1.27", port: 7070, memory, capacity: "fargate", connects: [currency] },
        [currency]: { image: "nginx:1.27", port: 7000, memory, capacity: "fargate", connects: [cart] },
    },
    {
        domain: "example.com",
        network: { natGateways: "single" },
        cluster: { defaultCapacity: "fargate", ec2: { instanceType: "t3.medium", minSize: 0, maxSize: 2 } },
        registry: { pullThroughCache: { "ecr-public": {} } },
    },
    ["dbPassword"],
);
deployFleet(fleet, { configSecrets: { dbPassword: pulumi.secret("not-a-real-password") } });

let registered: Registered;
// settled() fails on any registration the mocks refused: every physical name within AWS's limits.
before(async () => (registered = await settled(runtime)));

/** The physical name the mocks give an auto-named resource (Pulumi's `<logical name>-<7 characters>`). */
const autoName = (type: string, name: string) => `${name}-${createHash("sha256").update(`${type}/${name}`).digest("hex").slice(0, 7)}`;

describe("a fleet of 63-character service names under the mocks", () => {
    it("registers every kind of service, job and connection", () => {
        assert.deepEqual(
            registered
                .all("fleet:ecs:Service")
                .map((s) => s.name)
                .sort(),
            [cart, checkout, currency, emails, frontend, nightly, payments].sort(),
        );
        assert.equal(registered.all("aws:ecs/service:Service").length, 6);
        assert.equal(registered.all("aws:scheduler/schedule:Schedule").length, 1);
        assert.ok(registered.has("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${cart}-to-${currency}`));
        assert.ok(registered.has("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${currency}-to-${cart}`));
        assert.equal(registered.all("aws:appautoscaling/policy:Policy").length, 3);
        assert.equal(registered.all("aws:appautoscaling/scheduledAction:ScheduledAction").length, 1);
    });

    it("names the target groups by the first 12 characters and a hash of the full name", () => {
        assert.equal(hash8(frontend), "14b19d59");
        const tg = registered.one("aws:lb/targetGroup:TargetGroup", "frontend-abc-14b19d59-tg");
        assert.equal(tg.parent, registered.one("fleet:ecs:Service", frontend).urn);
        const physical = autoName(tg.type, tg.name);
        assert.equal(physical, "frontend-abc-14b19d59-tg-721e3f8");
        assert.equal(physical.length, 32);
        assert.ok(registered.has("aws:lb/targetGroup:TargetGroup", `checkout-abc-${hash8(checkout)}-tg`));
    });

    it("names the roles by the first 42 characters and the hash, the job's schedule by 38 and its role by 37", () => {
        const roles = registered
            .all("aws:iam/role:Role")
            .filter((r) => r.parent === registered.one("fleet:ecs:Service", nightly).urn)
            .map((r) => r.name)
            .sort();
        assert.deepEqual(roles, [
            "nightly-abcdefghijklmnopqrstuvwxyz012-b172b2ef-scheduler",
            "nightly-abcdefghijklmnopqrstuvwxyz01234567-b172b2ef-exec",
            "nightly-abcdefghijklmnopqrstuvwxyz01234567-b172b2ef-task",
        ]);
        assert.equal(hash8(nightly), "b172b2ef");
        const schedule = registered.one("aws:scheduler/schedule:Schedule", "nightly-abcdefghijklmnopqrstuvwxyz0123-b172b2ef-schedule");
        assert.equal(autoName(schedule.type, schedule.name).length, 64);
        for (const role of roles) assert.ok(autoName("aws:iam/role:Role", role).length <= 64, role);
        // Each role's inline policy shares its name (another type, so no clash).
        assert.ok(registered.has("aws:iam/rolePolicy:RolePolicy", "nightly-abcdefghijklmnopqrstuvwxyz012-b172b2ef-scheduler"));
    });

    it("keeps the full name wherever AWS allows it: ECS service, task family, repository, log group, parameters, Service Connect", () => {
        assert.ok(registered.has("aws:ecs/service:Service", frontend));
        assert.equal(
            registered.one("aws:ecs/taskDefinition:TaskDefinition", `${payments}-taskdef`).inputs.family,
            `fleet-test-${payments}`,
        );
        assert.equal(registered.one("aws:ecr/repository:Repository", `${payments}-repo`).inputs.name, `fleet-test/${payments}`);
        assert.equal(registered.one("aws:cloudwatch/logGroup:LogGroup", `${payments}-logs`).inputs.name, `/fleet/test/${payments}`);
        assert.equal(
            registered.one("aws:ssm/parameter:Parameter", `${payments}-DB_PASSWORD`).inputs.name,
            `/fleet/test/${payments}/DB_PASSWORD`,
        );
        assert.ok(registered.has("random:index/randomPassword:RandomPassword", `${payments}-API_TOKEN`));
        assert.ok(registered.has("aws:sqs/queue:Queue", `${nightly}-dlq`));
        const connect = registered.one("aws:ecs/service:Service", currency).inputs.serviceConnectConfiguration as {
            services: { portName: string; discoveryName: string; clientAlias: { dnsName: string; port: number }[] }[];
        };
        assert.deepEqual(connect.services, [
            { portName: currency, discoveryName: currency, clientAlias: [{ port: 7000, dnsName: currency }] },
        ]);
    });
});

describe("shortenedName", () => {
    const table: [string, string, number, string][] = [
        ["a name that fits is kept", "productcatalogservice", 21, "productcatalogservice"],
        ["a name of exactly the limit is kept", "a".repeat(21), 21, "a".repeat(21)],
        ["one character over is cut and hashed", "productcatalogservice2", 21, `productcatal-${hash8("productcatalogservice2")}`],
        ["a hyphen at the cut is dropped", "productcata-logservice2", 21, `productcata-${hash8("productcata-logservice2")}`],
        ["a long limit keeps more", frontend, 51, `frontend-abcdefghijklmnopqrstuvwxyz0123456-${hash8(frontend)}`],
    ];
    for (const [what, name, max, expected] of table) {
        it(`${what}: ${name} → ${expected}`, () => {
            const short = shortenedName(name, max);
            assert.equal(short, expected);
            assert.ok(short.length <= max);
            assert.equal(serviceNameProblem(short), undefined);
        });
    }

    it("gives two long names that share a beginning different names", () => {
        const a = `${"shared-beginning-".repeat(3)}one`;
        const b = `${"shared-beginning-".repeat(3)}two`;
        assert.notEqual(shortenedName(a, 21), shortenedName(b, 21));
        assert.equal(shortenedName(a, 21).slice(0, 12), shortenedName(b, 21).slice(0, 12));
    });
});

/** serviceLogicalNames as it was before long names: every child `<service>-<suffix>`. */
function logicalNamesBefore(service: string) {
    return {
        ecsService: service,
        logGroup: `${service}-logs`,
        repository: `${service}-repo`,
        repositoryLifecycle: `${service}-repo-lifecycle`,
        image: `${service}-image`,
        secret: (variable: string) => `${service}-${variable}`,
        executionRole: `${service}-exec`,
        taskRole: `${service}-task`,
        taskDefinition: `${service}-taskdef`,
        securityGroup: `${service}-sg`,
        ingressFromLoadBalancer: `${service}-from-alb`,
        egress: `${service}-egress`,
        targetGroup: `${service}-tg`,
        listenerRule: (key: string) => `${service}-rule-${key}`,
        connectionTo: (target: string) => `${service}-to-${target}`,
        scalingTarget: `${service}-scaling`,
        scalingPolicy: (metric: "cpu" | "requests" | "queue") => `${service}-${metric}`,
        scheduledScaling: (key: string) => `${service}-at-${key}`,
        jobSchedule: `${service}-schedule`,
        schedulerRole: `${service}-scheduler`,
        deadLetterQueue: `${service}-dlq`,
    };
}

describe("names of 20 characters or fewer", () => {
    for (const service of ["ab", "api", "a-twenty-char-name-x", "recommendation-svc20"]) {
        it(`${service}: every logical name is what it was, key by key`, () => {
            const now = serviceLogicalNames(service) as Record<string, unknown>;
            const before = logicalNamesBefore(service) as Record<string, unknown>;
            // Children added since (volumes' access points, say) name new resources: only the old keys must hold.
            assert.deepEqual(
                Object.keys(before).filter((key) => !(key in now)),
                [],
            );
            for (const key of Object.keys(before)) {
                const [was, is] = [before[key], now[key]];
                if (typeof was === "function" && typeof is === "function") {
                    for (const argument of ["DB_PASSWORD", "cpu", "h-api", "other"]) assert.equal(is(argument), was(argument), key);
                } else {
                    assert.equal(is, was, key);
                }
            }
        });
    }
});

describe("clashing shortened names", () => {
    it("names a service's shortened name by its hash", () => {
        const longName = "productcatalogservice-with-a-suffix";
        assert.equal(limitedServicePart(longName, "targetGroup"), `productcatal-${hash8(longName)}`);
    });

    it("finds two long names whose shortened names are the same, once for the pair", () => {
        // Found by search: the same first 42 characters and the same 8 hex of their SHA-256 (ce52f7e6).
        const one = "productcatalog-service-with-a-long-name-00000nq6abcdefghijklmno";
        const two = "productcatalog-service-with-a-long-name-00002e2pabcdefghijklmno";
        assert.deepEqual(shortNameClashes([one, two, "api"]), [
            { service: two, other: one, name: "productcatal-ce52f7e6", child: "target group", maxLength: 32 },
        ]);
    });

    it("finds none among names that fit or differ", () => {
        assert.deepEqual(shortNameClashes([frontend, checkout, emails, nightly, payments, cart, currency, "api", "web"]), []);
    });
});

describe("the service name rule", () => {
    const ok = { image: "redis:7", memory };
    const config = { network: { natGateways: "single" }, cluster: { defaultCapacity: "fargate" } };
    it("accepts a DNS label of 63 characters, and the names of Online Boutique", () => {
        for (const name of [frontend, "productcatalogservice", "recommendationservice", "shippingservice", "a1"]) {
            assert.equal(serviceNameProblem(name), undefined, name);
        }
        assert.deepEqual(resolutionProblems({ [frontend]: ok, productcatalogservice: ok }, config), []);
    });
});

describe("the mocks' ECS names", () => {
    const context = { region, accountId: account };
    const ecsSource = (shape: string) => `https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_${shape}.html`;

    it("hold port mapping and discovery names to 64 lowercase characters, DNS names to 127", () => {
        assert.equal(checkText(ecsPortMappingName, "a".repeat(64), context), undefined);
        assert.equal(checkText(ecsPortMappingName, "a".repeat(65), context), "is 65 characters; ECS allows at most 64");
        assert.equal(checkText(ecsPortMappingName, "Api", context), 'has characters ECS refuses ("A")');
        assert.equal(checkText(serviceConnectDiscoveryName, "-api", context), "is not of the form ECS requires");
        assert.equal(checkText(serviceConnectDnsName, `${"a".repeat(63)}.${"b".repeat(63)}`, context), undefined);
        assert.equal(checkText(serviceConnectDnsName, "a".repeat(128), context), "is 128 characters; ECS allows at most 127");
    });

    it("refuse a Service Connect discovery name over 64 characters, and a task definition's port mapping name", () => {
        const mocks = new FleetMocks(region);
        const tooLong = "a".repeat(65);
        assert.throws(
            () =>
                mocks.newResource({
                    type: "aws:ecs/service:Service",
                    name: "svc",
                    inputs: { serviceConnectConfiguration: { enabled: true, services: [{ portName: "svc", discoveryName: tooLong }] } },
                    custom: true,
                }),
            {
                message:
                    `fleet mocks: aws:ecs/service:Service "svc": serviceConnectConfiguration.services[0].discoveryName ` +
                    `"${tooLong}" is 65 characters; ECS allows at most 64; allowed: lowercase a-z0-9, _ and -, ` +
                    `not starting with - (1-64) — ECS API ServiceConnectService, ${ecsSource("ServiceConnectService")}`,
            },
        );
        const containers = JSON.stringify([{ name: "svc", portMappings: [{ name: "Svc", containerPort: 80 }] }]);
        const violations = awsRuleViolations({
            type: "aws:ecs/taskDefinition:TaskDefinition",
            name: "svc-taskdef",
            inputs: { family: "fleet-test-svc", containerDefinitions: containers },
            physicalName: "svc-taskdef",
            context,
        });
        assert.deepEqual(
            violations.map((v) => [v.path, v.problem, v.reference]),
            [
                [
                    "containerDefinitions",
                    'has a port mapping name "Svc" that has characters ECS refuses ("S")',
                    "ECS API ContainerDefinition and PortMapping",
                ],
            ],
        );
    });
});
