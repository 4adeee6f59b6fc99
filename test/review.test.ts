/**
 * The review arithmetic, as tables over hand-made facts: EC2 packing, rollout time, the cost
 * model against hand-computed figures, the diff grouping and the routing notes. And where the
 * facts come from: the plan's model section, read the same as extraction from the resources of
 * an older plan (plans of a fixture stack and of the shipped stacks, in child processes).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { instanceTypes, registeredMemoryMiB } from "../model/instanceTypes";
import { ec2Capacity, packTasks } from "../review/capacity";
import { estimateCost, PriceBook, savings } from "../review/cost";
import { CostContext } from "../review/costItems";
import { factLines, serviceChanges } from "../review/changes";
import { changedPaths, diffPlans } from "../review/diff";
import { currentFacts, PlanFacts, planFacts, ServiceFacts } from "../review/facts";
import { ModelSection, modelSectionVersion } from "../review/modelSection";
import { awsDefaultStepSeconds, rolloutEstimate } from "../review/rollout";
import { routingTable } from "../review/routes";
import { renderText, review } from "../review/render";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { fixtureCatalog, fixtureRoot } from "./support/fixtures";
import { planFactsOf, serviceFacts } from "./support/facts";
import { planAt } from "./support/planCli";

const tg = { name: "x-tg", intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, deregistrationDelay: 15 };

const service = serviceFacts;
const facts = planFactsOf;

// m6i.large: floor(8192 × 0.975) − 256 = 7731 MiB registered, 2048 CPU units.
const m6i = {
    instanceType: "m6i.large",
    minSize: 0,
    maxSize: 10,
    reservedMemoryMiB: 256,
    registeredMemoryMiB: registeredMemoryMiB(instanceTypes["m6i.large"], 256),
};

describe("EC2 packing", () => {
    const cases: [string, { memory: number; cpu: number }[], number, number, number, number][] = [
        ["nothing", [], 1000, 2048, 0, 0],
        [
            "exact fit in one",
            [
                { memory: 500, cpu: 100 },
                { memory: 500, cpu: 100 },
            ],
            1000,
            2048,
            1,
            0,
        ],
        [
            "one over spills",
            [
                { memory: 500, cpu: 100 },
                { memory: 501, cpu: 100 },
            ],
            1000,
            2048,
            2,
            0,
        ],
        [
            "first-fit decreasing fills gaps",
            [
                { memory: 600, cpu: 1 },
                { memory: 600, cpu: 1 },
                { memory: 400, cpu: 1 },
                { memory: 400, cpu: 1 },
            ],
            1000,
            2048,
            2,
            0,
        ],
        [
            "cpu binds before memory",
            [
                { memory: 10, cpu: 1024 },
                { memory: 10, cpu: 1024 },
                { memory: 10, cpu: 1024 },
            ],
            1000,
            2048,
            2,
            0,
        ],
        [
            "too big for any instance",
            [
                { memory: 1200, cpu: 1 },
                { memory: 100, cpu: 1 },
            ],
            1000,
            2048,
            1,
            1,
        ],
    ];
    for (const [what, tasks, memory, cpu, instances, unplaceable] of cases) {
        it(what, () => {
            const packed = packTasks(
                tasks.map((t, i) => ({ service: `s${i}`, ...t })),
                memory,
                cpu,
            );
            assert.equal(packed.instances, instances);
            assert.equal(packed.unplaceable.length, unplaceable);
        });
    }

    it("reports registered memory, bounds, the spread floor and utilisation", () => {
        const report = ec2Capacity(
            facts(
                [
                    service("a", { reservation: 3000, cpu: 512, desired: 3 }),
                    service("b", { reservation: 1000, cpu: 256, desired: 2 }),
                    service("f", { capacity: "fargate" }),
                ],
                {
                    ec2: m6i,
                    availabilityZones: 3,
                },
            ),
        )!;
        assert.equal(report.registeredMemoryMiB, 7731);
        assert.equal(report.cpuUnits, 2048);
        assert.equal(report.tasks, 5);
        assert.equal(report.reservedMiB, 11000);
        assert.equal(report.lowerBound, 2); // ceil(11000 / 7731)
        assert.equal(report.packedInstances, 2); // [3000, 3000, 1000] and [3000, 1000]
        assert.equal(report.instances, 3); // service a's 3 tasks spread over 3 zones
        assert.equal(report.instancesReason, "2 by packing, 3 to spread tasks over zones");
        assert.equal(report.utilisation, 11000 / (3 * 7731));
        assert.deepEqual(report.warnings, []);
    });

    it("honours the group's minimum and warns at its maximum", () => {
        const small = ec2Capacity(facts([service("a")], { ec2: { ...m6i, minSize: 2 } }))!;
        assert.equal(small.instances, 2);
        assert.equal(small.instancesReason, "1 by packing, the group's minimum of 2");
        const big = ec2Capacity(facts([service("a", { reservation: 7000, desired: 4 })], { ec2: { ...m6i, maxSize: 2 } }))!;
        assert.equal(big.instances, 2);
        assert.deepEqual(big.warnings, ["the tasks need 4 instances but the group's maximum is 2: raise fleet:cluster.ec2.maxSize"]);
    });

    it("warns when a task cannot fit on the instance type at all", () => {
        const report = ec2Capacity(facts([service("huge", { reservation: 8000, cpu: 256 })], { ec2: m6i }))!;
        assert.deepEqual(report.warnings, [
            "huge: a task reserves 8000 MiB and 256 CPU units, but a m6i.large registers 7731 MiB and 2048 units: it can never be placed",
        ]);
    });

    it("packs a Service Connect task by its task size, which placement reserves, not by its soft reservation", () => {
        const connected = service("a", { reservation: 1000, limit: 4000, cpu: 256, desired: 2, ec2TaskSize: { cpu: 512, memory: 4064 } });
        const report = ec2Capacity(facts([connected], { ec2: m6i }))!;
        assert.equal(report.reservedMiB, 8128);
        assert.equal(report.packedInstances, 2); // 4064 + 4064 > 7731
        const plain = ec2Capacity(facts([{ ...connected, ec2TaskSize: undefined }], { ec2: m6i }))!;
        assert.deepEqual([plain.reservedMiB, plain.packedInstances], [2000, 1]);
    });

    it("gives each awsvpc task one of its instance's network interfaces, and says to turn on trunking when they decide the count", () => {
        // Five small Service Connect tasks: memory and CPU fit one m6i.large, its network interfaces hold two tasks.
        const connected = service("a", {
            reservation: 100,
            cpu: 64,
            desired: 5,
            ec2TaskSize: { cpu: 320, memory: 164 },
            network: "awsvpc",
        });
        const report = ec2Capacity(facts([connected], { ec2: m6i, availabilityZones: 1 }))!;
        assert.equal(report.packedInstances, 3);
        assert.equal(report.instancesReason, "3 by packing (2 awsvpc tasks per instance, without ENI trunking)");
        assert.deepEqual(report.warnings, [
            "capacity: the Service Connect services' awsvpc tasks need 3 × m6i.large (2 network interfaces for tasks each), " +
                "where memory and CPU need 1: turn on the account's awsvpcTrunking (aws ecs put-account-setting-default " +
                "--name awsvpcTrunking --value enabled) and set fleet:cluster.ec2.eniTrunking to true, for 10 per instance",
        ]);
        const trunked = ec2Capacity(facts([connected], { ec2: { ...m6i, eniTrunking: true }, availabilityZones: 1 }))!;
        assert.deepEqual([trunked.packedInstances, trunked.instancesReason, trunked.warnings], [1, "1 by packing", []]);
        const burstable = { ...m6i, instanceType: "t3.large", eniTrunking: true };
        assert.deepEqual(ec2Capacity(facts([connected], { ec2: burstable, availabilityZones: 1 }))!.warnings, [
            "capacity: fleet:cluster.ec2.eniTrunking is true, but t3.large is not among the types AWS lists for ENI trunking: " +
                "each instance holds 2 awsvpc tasks; choose a type that supports it (c6i, m6i, r6i, Graviton)",
        ]);
        // Bridge tasks take none.
        const bridge = ec2Capacity(facts([{ ...connected, network: undefined }], { ec2: m6i, availabilityZones: 1 }))!;
        assert.equal(bridge.packedInstances, 1);
    });

    it("has nothing to say without EC2 capacity", () => {
        assert.equal(ec2Capacity(facts([service("a", { capacity: "fargate" })])), undefined);
    });
});

describe("changes of a service in words", () => {
    it("names resources no wording covers by what happens to them, never as 0 inputs", () => {
        const facts = planFactsOf([]);
        const diff = {
            groups: [
                {
                    group: "platform",
                    changes: [
                        { kind: "add" as const, type: "aws:servicediscovery/httpNamespace:HttpNamespace", name: "ns", paths: [] },
                        { kind: "remove" as const, type: "aws:route53/record:Record", name: "www", paths: [] },
                        { kind: "change" as const, type: "aws:kms/key:Key", name: "key", paths: ["description", "tags.a"] },
                    ],
                },
            ],
            added: 1,
            removed: 1,
            changed: 1,
            replaced: 0,
        };
        assert.deepEqual(serviceChanges(diff, facts, facts, false)[0].lines, [
            "adds http namespace",
            "removes record",
            "2 inputs of key (see the resource changes)",
        ]);
    });

    it("says the task size an EC2 service gains when it joins Service Connect", () => {
        const before = serviceFacts("api", { capacity: "ec2", limit: 512, cpu: 256 });
        const after = { ...before, ec2TaskSize: { cpu: 512, memory: 576 } };
        assert.deepEqual(factLines(before, after), ["EC2 task size none → 512/576"]);
    });
});

describe("rollout estimate", () => {
    it("adds grace, interval × healthy threshold and deregistration delay", () => {
        const estimate = rolloutEstimate(service("a", { targetGroup: tg, gracePeriodSeconds: 20 }));
        assert.equal(estimate.stepSeconds, 20 + 10 * 2 + 15);
        assert.deepEqual(estimate.parts, { grace: 20, healthy: 20, deregistration: 15 });
        assert.equal(estimate.awsDefaultSeconds, 450);
        assert.equal(awsDefaultStepSeconds, 30 * 5 + 300);
        assert.deepEqual(estimate.warnings, []);
    });

    it("gives no step for a worker", () => {
        assert.equal(rolloutEstimate(service("w")).stepSeconds, undefined);
    });

    it("warns on a delay under 5 s or above the stop timeout", () => {
        assert.deepEqual(rolloutEstimate(service("a", { targetGroup: { ...tg, deregistrationDelay: 2 } })).warnings, [
            "a: deregistration delay 2 s is under 5 s: in-flight requests may be cut when a task stops",
        ]);
        assert.deepEqual(rolloutEstimate(service("a", { stopTimeout: 10, targetGroup: { ...tg, deregistrationDelay: 60 } })).warnings, [
            "a: deregistration delay 60 s is above the container's stop timeout 10 " +
                "s: the task is killed while the ALB still sends it requests",
        ]);
    });
});

describe("cost model", () => {
    const book: PriceBook = {
        hoursPerMonth: 100,
        fallbackRegion: "us-east-1",
        regions: {
            "us-east-1": {
                date: "test",
                sources: [],
                albHour: 0.1,
                albLcuHour: 0.01,
                natGatewayHour: 0.05,
                natGatewayGb: 0.02,
                publicIpv4Hour: 0.005,
                fargateVcpuHour: 0.04,
                fargateGbHour: 0.004,
                logIngestGb: 0.5,
                ec2Hour: { "m6i.large": 0.1 },
            },
        },
        assumptions: {
            lcuPerLoadBalancer: 2,
            natGbPerMonth: 10,
            fargateSpotDiscount: 0.5,
            logGbPerTaskMonth: 1,
            jobMinutesPerRun: 15,
            notes: [],
        },
    };

    it("prices Fargate, Spot, EC2 shares, the ALB, NAT and public addresses by hand", () => {
        const f = facts(
            [
                service("web", { capacity: "fargate", fargateSize: { cpu: 512, memory: 1024 }, desired: 2, targetGroup: tg }),
                service("spot", { capacity: "fargate-spot", fargateSize: { cpu: 256, memory: 512 }, desired: 1 }),
                service("big", { capacity: "ec2", reservation: 3000, desired: 1, targetGroup: tg }),
                service("small", { capacity: "ec2", reservation: 1000, desired: 1 }),
            ],
            { ec2: m6i, availabilityZones: 2, natGateways: 1 },
        );
        const report = estimateCost(f, ec2Capacity(f), book);
        // web: 2 × (0.5 × 0.04 + 1 × 0.004) × 100 = 4.8, logs 2 × 0.5 = 1
        // spot: (0.25 × 0.04 + 0.5 × 0.004) × 100 × 0.5 = 0.6, logs 0.5
        // EC2: 1 instance (4000 MiB fits 7731) × 0.1 × 100 = 10: big 75% = 7.5, small 25% = 2.5, logs 0.5 each
        const byService = Object.fromEntries(report.services.map((s) => [s.service, [+s.compute.toFixed(6), s.logs]]));
        assert.deepEqual(byService, { web: [4.8, 1], spot: [0.6, 0.5], big: [7.5, 0.5], small: [2.5, 0.5] });
        const shared = Object.fromEntries(report.shared.map((l) => [l.item, +l.monthly.toFixed(6)]));
        // ALB (0.1 + 2 × 0.01) × 100 = 12; NAT 0.05 × 100 + 10 × 0.02 = 5.2; IPv4 (1 × 2 + 1) × 0.005 × 100 = 1.5
        assert.deepEqual(shared, { "load balancer": 12, "NAT gateways": 5.2, "public IPv4": 1.5, "EC2 instances": 10 });
        assert.equal(+report.total.toFixed(6), 12 + 5.2 + 1.5 + 10 + 4.8 + 0.6 + 2.5);
        // Baseline: 2 ALBs = 24; IPv4 (2 × 2 + 1) × 0.5 = 2.5; NAT 5.2; logs 2.5; Fargate on-demand:
        // web 4.8, spot without its discount 1.2, big and small at the smallest size holding 512 MiB (256/512) 1.2 each.
        const baseline = Object.fromEntries(report.baseline.lines.map((l) => [l.item, +l.monthly.toFixed(6)]));
        assert.deepEqual(baseline, {
            "load balancers": 24,
            "NAT gateways": 5.2,
            "public IPv4": 2.5,
            "Fargate on-demand": 4.8 + 1.2 + 1.2 + 1.2,
            logs: 2.5,
        });
        assert.deepEqual(report.warnings, []);
    });

    it("falls back to a known region's prices with a warning, and says what it cannot count", () => {
        const report = estimateCost(
            facts([], { region: "eu-west-3", natGateways: undefined, ec2: { ...m6i, instanceType: "t3.medium" } }),
            undefined,
            book,
        );
        assert.equal(report.priceRegion, "us-east-1");
        assert.deepEqual(report.warnings, [
            "no prices for eu-west-3 in data/prices.json: using us-east-1's",
            "existing VPC: its NAT gateways are not counted",
        ]);
        const unknownType = facts([service("a")], { ec2: { ...m6i, instanceType: "t3.medium" } });
        assert.deepEqual(estimateCost(unknownType, ec2Capacity(unknownType), book).warnings, [
            "no price for t3.medium in data/prices.json: EC2 instances not counted",
        ]);
    });

    describe("the items beyond compute and networking", () => {
        const other = {
            ebsGp3GbMonth: 0.1,
            logStorageGbMonth: 0.05,
            customMetricMonth: 0.3,
            kmsKeyMonth: 1,
            ecrStorageGbMonth: 0.1,
            ssmAdvancedParameterMonth: 0.05,
            secretsManagerSecretMonth: 0.4,
            dataTransferOutGb: 0.09,
            route53HostedZoneMonth: 0.5,
        };
        const full: PriceBook = {
            ...book,
            regions: { "us-east-1": { ...book.regions["us-east-1"], other } },
            assumptions: {
                ...book.assumptions,
                containerInsightsMetrics: { perCluster: 10, perService: 5 },
                imageGbPerPush: 0.2,
                cachedImagesPerRepository: 1,
            },
        };
        const context: CostContext = {
            containerInsights: "enabled",
            kmsKeys: 1,
            logRetentionDays: 365,
            builtRepositories: [{ keepImages: 10 }, { keepImages: 20 }],
            cachedImages: 2,
            ssmParameters: { standard: 3, advanced: 2 },
            secretsManagerSecrets: 1,
            certificate: true,
            rootVolumeGiB: 30,
        };
        const f = facts(
            [
                service("web", { capacity: "fargate", fargateSize: { cpu: 512, memory: 1024 }, desired: 2, targetGroup: tg }),
                service("big", { capacity: "ec2", reservation: 3000, desired: 1, targetGroup: tg }),
            ],
            { ec2: m6i },
        );

        it("estimates each from its price and assumption, or says why not, and adds the estimates to the total", () => {
            const report = estimateCost(f, ec2Capacity(f), full, context);
            assert.deepEqual(
                report.items.map((i) => [i.item, i.monthly === null ? null : +i.monthly.toFixed(6), i.inComparisons]),
                [
                    // 10 + 5 × 2 services = 20 metrics × 0.3
                    ["Container Insights", 6, true],
                    ["KMS keys", 1, true],
                    // 3 tasks × 1 GB × 12 months (365 days) × 0.05
                    ["log storage", 1.8, true],
                    // (10 + 20 kept + 2 cached) × 0.2 GB × 0.1
                    ["ECR storage", 0.64, true],
                    ["SSM parameters", 0.1, true],
                    ["Secrets Manager", 0.4, true],
                    // 1 instance × 30 GiB × 0.1
                    ["EC2 root volumes", 3, false],
                    ["data transfer", null, true],
                    ["Route 53", null, true],
                    ["ACM certificate", 0, true],
                ],
            );
            const core = estimateCost(f, ec2Capacity(f), full);
            // 6 + 1 + 1.8 + 0.64 + 0.1 + 0.4 + 3 (root volumes: the comparisons leave them out)
            assert.equal(+(report.total - core.total).toFixed(6), 12.94);
            // The comparisons carry every item but the EC2 root volumes.
            assert.equal(+(report.baseline.total - core.baseline.total).toFixed(6), 9.94);
            assert.equal(+(report.sharedAlbFargate.total - core.sharedAlbFargate.total).toFixed(6), 9.94);
            assert.equal(
                report.items.find((i) => i.item === "data transfer")!.detail,
                "not estimated: it depends on the traffic the services serve " +
                    "(out to the internet $0.09/GB after the first 100 GB a month; " +
                    "between zones $0.01/GB each way); NAT processing is counted above",
            );
        });

        it("states enhanced Container Insights and missing prices as not estimated", () => {
            const report = estimateCost(f, ec2Capacity(f), book, { ...context, containerInsights: "enhanced" });
            assert.ok(report.items.filter((i) => i.item !== "ACM certificate").every((i) => i.monthly === null));
            assert.equal(report.items[0].detail.split(":")[0], "not estimated");
            assert.equal(
                report.items.find((i) => i.item === "KMS keys")!.detail,
                "not estimated: no price in data/prices.json for us-east-1",
            );
        });

        it("shows the two savings apart: one ALB instead of many, then packing and Spot", () => {
            const report = estimateCost(f, ec2Capacity(f), full);
            // Two routed services: the baseline has two ALBs and their addresses; the shared way one.
            // ALB (0.1 + 2 × 0.01) × 100 = 12 each; IPv4 2 zones × 0.005 × 100 = 1 per ALB.
            assert.equal(+savings(report).albConsolidation.toFixed(6), 12 + 1);
            assert.equal(+savings(report).packingAndSpot.toFixed(6), +(report.sharedAlbFargate.total - report.total).toFixed(6));
            assert.deepEqual(
                report.sharedAlbFargate.lines.map((l) => l.item),
                ["load balancers", "NAT gateways", "public IPv4", "Fargate on-demand", "logs"],
            );
        });
    });
});

describe("routing notes", () => {
    it("notes only where one service really takes part of another's traffic, not host rules ahead of path-only ones", () => {
        const rows = routingTable([
            { priority: 30000, hosts: [], paths: ["/api/*"], service: "api", targetGroup: "api-tg" },
            { priority: 100, hosts: ["www.example.com"], paths: [], service: "web", targetGroup: "web-tg" },
            { priority: 200, hosts: ["api.example.com"], paths: [], service: "api", targetGroup: "api-tg" },
            { priority: 300, hosts: ["docs.example.com"], paths: ["/static/*"], service: "docs", targetGroup: "docs-tg" },
            { priority: 17000, hosts: ["docs.example.com"], paths: [], service: "cms", targetGroup: "cms-tg" },
            { priority: 20000, hosts: [], paths: ["/api/v2/*"], service: "v2", targetGroup: "v2-tg" },
        ]);
        assert.deepEqual(
            rows.map((r) => [r.priority, r.notes]),
            [
                [100, []],
                [200, []],
                [300, []],
                [17000, ["requests for host docs.example.com path /static/* go to docs (priority 300) first"]],
                [20000, []],
                [30000, ["requests for path /api/v2/* go to v2 (priority 20000) first"]],
            ],
        );
    });
});

function resource(urn: string, type: string, inputs: Record<string, unknown>, parent?: string): PlanResource {
    return { urn, type, name: urn.split("::").pop()!, parent, inputs, protect: false, ignoreChanges: [] };
}

function planOf(stack: string, resources: PlanResource[]): PlanDocument {
    return { project: "fleet", stack, resources, outputs: {}, config: {} };
}

describe("plan diff", () => {
    const svc = (stack: string, name: string) => `urn:pulumi:${stack}::fleet::fleet:ecs:Service::${name}`;
    const child = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::fleet::fleet:ecs:Service$${type}::${name}`;
    const build = (stack: string, memory: number, extra: PlanResource[] = []) =>
        planOf(stack, [
            resource(`urn:pulumi:${stack}::fleet::aws:kms/key:Key::fleet-${stack}-secrets`, "aws:kms/key:Key", { enableKeyRotation: true }),
            resource(svc(stack, "api"), "fleet:ecs:Service", {}),
            resource(
                child(stack, "aws:ecs/taskDefinition:TaskDefinition", "api-taskdef"),
                "aws:ecs/taskDefinition:TaskDefinition",
                { containerDefinitions: JSON.stringify([{ name: "api", memory, memoryReservation: 128 }]), family: "fleet-api" },
                svc(stack, "api"),
            ),
            resource(
                child(stack, "aws:ssm/parameter:Parameter", "api-KEY"),
                "aws:ssm/parameter:Parameter",
                { value: "[secret]" },
                svc(stack, "api"),
            ),
            ...extra,
        ]);

    it("groups added, removed and changed resources by service, with the changed input paths", () => {
        const base = build("dev", 256, [resource(svc("dev", "old"), "fleet:ecs:Service", {})]);
        const head = build("dev", 512, [resource(svc("dev", "new"), "fleet:ecs:Service", {})]);
        const diff = diffPlans(base, head);
        // A container definition change registers a new revision: a replacement, not an update.
        assert.deepEqual(
            { added: diff.added, removed: diff.removed, changed: diff.changed, replaced: diff.replaced },
            { added: 1, removed: 1, changed: 0, replaced: 1 },
        );
        assert.deepEqual(diff.groups, [
            {
                group: "api",
                changes: [
                    {
                        kind: "replace",
                        type: "aws:ecs/taskDefinition:TaskDefinition",
                        name: "api-taskdef",
                        paths: ["containerDefinitions[0].memory"],
                        values: [{ path: "containerDefinitions[0].memory", before: 256, after: 512 }],
                        replacedBy: ["containerDefinitions[0].memory"],
                        warnings: [],
                    },
                ],
            },
            { group: "new", changes: [{ kind: "add", type: "fleet:ecs:Service", name: "new", paths: [] }] },
            { group: "old", changes: [{ kind: "remove", type: "fleet:ecs:Service", name: "old", paths: [] }] },
        ]);
    });

    it("matches resources across stacks, including stack-named platform resources", () => {
        const diff = diffPlans(build("dev", 256), build("prod", 256));
        assert.deepEqual(diff.groups, []);
    });

    it("lists paths into JSON documents, arrays and nested objects", () => {
        assert.deepEqual(changedPaths({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3], d: true } }), ["b.c[1]", "b.d"]);
        assert.deepEqual(changedPaths({ policy: '{"Statement":[{"Action":"a"}]}' }, { policy: '{"Statement":[{"Action":"b"}]}' }), [
            "policy.Statement[0].Action",
        ]);
        assert.deepEqual(changedPaths({ value: "[secret]" }, { value: "[secret]" }), []);
    });
});

/** Facts as the JSON a plan carries them (absent fields, not undefined ones). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("the plan's model section", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-facts-"));
    const plans: Record<string, PlanDocument> = {};
    // An existing VPC with three public subnets and EC2 capacity as the default, with Fargate and Spot services.
    const fixtureStack = [
        "config:",
        "  aws:region: eu-west-1",
        "  fleet:domain: facts.example.com",
        "  fleet:network:",
        "    vpcId: vpc-0123456789abcdef0",
        "    publicSubnetIds: [subnet-0123456789abcdef0, subnet-0123456789abcdef1, subnet-0123456789abcdef2]",
        "    privateSubnetIds: [subnet-0123456789abcdefa, subnet-0123456789abcdefb]",
        "  fleet:cluster:",
        "    defaultCapacity: ec2",
        "    ec2: { instanceType: m6i.large, minSize: 1, maxSize: 4, reservedMemoryMiB: 384 }",
        "  fleet:factsPassword:",
        "    secure: v1:ZmFjdHM=:c2VjcmV0LXZhbHVlLXRoYXQtbmV2ZXItYXBwZWFycw==",
        "",
    ].join("\n");

    before(async () => {
        const factsRoot = path.join(scratch, "fixture");
        fs.mkdirSync(factsRoot);
        fs.copyFileSync(path.join(fixtureRoot, "Pulumi.yaml"), path.join(factsRoot, "Pulumi.yaml"));
        fs.writeFileSync(path.join(factsRoot, "Pulumi.facts.yaml"), fixtureStack);
        // The fixture dev and prod plans' sections are checked in plan.test.ts, which plans them anyway.
        plans.fixture = await planAt(
            "the facts fixture",
            factsRoot,
            "facts",
            path.join(scratch, "fixture.json"),
            fixtureCatalog("catalogFacts.ts"),
        );
    });

    it("holds the resolved fleet's facts, versioned", () => {
        const model = plans.fixture.model!;
        assert.equal(model.version, 1);
        // m6i.large: floor(8192 × 0.975) − 384 = 7603 MiB registered; an existing VPC's NAT is not ours to count.
        assert.deepEqual(model.platform, {
            region: "eu-west-1",
            availabilityZones: 3,
            ec2: {
                instanceType: "m6i.large",
                minSize: 1,
                maxSize: 4,
                reservedMemoryMiB: 384,
                registeredMemoryMiB: 7603,
                eniTrunking: false,
                awsvpcTasksPerInstance: 2,
            },
        });
        const tg = (name: string, deregistrationDelay: number) => ({
            name,
            intervalSeconds: 10,
            timeoutSeconds: 5,
            healthyThreshold: 2,
            deregistrationDelay,
        });
        assert.deepEqual(model.services, [
            {
                name: "api",
                capacity: "ec2",
                reservation: 512,
                limit: 1024,
                cpu: 512,
                desired: 3,
                stopTimeout: 30,
                gracePeriodSeconds: 30,
                targetGroup: tg("api-tg", 15),
                builds: false,
            },
            {
                name: "batch",
                capacity: "fargate-spot",
                reservation: 64,
                limit: 128,
                cpu: 256,
                fargateSize: { cpu: 256, memory: 512 },
                desired: 2,
                stopTimeout: 30,
                gracePeriodSeconds: 0,
                builds: false,
            },
            {
                name: "front",
                capacity: "fargate",
                reservation: 128,
                limit: 256,
                cpu: 256,
                fargateSize: { cpu: 256, memory: 512 },
                desired: 2,
                min: 2,
                max: 5,
                stopTimeout: 60,
                gracePeriodSeconds: 30,
                targetGroup: tg("front-tg", 20),
                builds: false,
            },
        ]);
        assert.deepEqual(
            model.rules.map((r) => [r.service, r.hosts, r.paths, r.targetGroup]),
            [
                ["front", ["www.facts.example.com"], [], "front-tg"],
                ["front", [], ["/static/*"], "front-tg"],
                ["api", [], ["/api/*"], "api-tg"],
            ],
        );
    });

    it("never carries a secret, an environment variable or a config key", () => {
        const text = JSON.stringify(plans.fixture.model);
        for (const word of ["DATABASE_PASSWORD", "SIGNING_TOKEN", "factsPassword", "LOG_LEVEL", "debug", "secret", "c2VjcmV0"]) {
            assert.ok(!text.includes(word), `${word} in the model section`);
        }
    });

    it("is what the reports read; a section of another version, or none, is not read", () => {
        const plan = plans.fixture;
        assert.equal(plan.model?.version, modelSectionVersion);
        const edited: ModelSection = { ...plan.model!, services: plan.model!.services.map((s) => ({ ...s, desired: s.desired + 10 })) };
        assert.deepEqual(
            planFacts({ ...plan, model: edited })?.services.map((s) => s.desired),
            [13, 12, 12],
        );
        const future = { ...plan, model: { ...edited, version: 2 } } as unknown as PlanDocument;
        assert.equal(planFacts(future), undefined);
        const { model: _model, ...older } = plan;
        assert.equal(planFacts(older), undefined);
        assert.throws(() => currentFacts(older), {
            message: "the plan of fleet/facts has no model section of version 1: plan it again with this version of fleet",
        });
    });

    it("compares a base plan another version of fleet wrote by its resources alone", () => {
        const plan = plans.fixture;
        const { model: _model, ...older } = plan;
        // The base had no batch service: the diff alone says it is new.
        const r = review(plan, { ...older, resources: plan.resources.filter((r) => !r.urn.includes("batch")) });
        assert.equal(r.against?.facts, undefined);
        assert.equal(r.against?.cost, undefined);
        assert.equal(r.verdict.cost.before, undefined);
        const text = renderText(r);
        assert.match(text, /base plan +written by another version of fleet: its resources are compared, not its cost, routes or sizes/);
        assert.deepEqual(
            r.changes.map((c) => [c.service, c.status]),
            [["batch", "added"]],
        );
    });
});
