/**
 * The placement advisor (review/placement.ts) over hand-made fleets: the rules a choice keeps
 * (Spot only where a service tolerates it, Graviton only for images that run there, what must stay
 * on EC2), the settings that apply it and the line that says it; and, on small fleets, that its
 * prefix search finds the cheapest of every assignment of every service to every mode and type.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { instanceTypes } from "../model/instanceTypes";
import { fewestInstances, shapeOf } from "../review/advisor";
import { ec2Capacity, peakTasks } from "../review/capacity";
import { estimateCost, fargateSizeOf, fargateTaskHour, priceBook, taskLoad } from "../review/cost";
import { PlanFacts, ServiceFacts } from "../review/facts";
import { advisePlacement, placementLines, runsOnArm, toleratesSpot } from "../review/placement";
import { planFactsOf, serviceFacts } from "./support/facts";

const prices = priceBook.regions["us-east-1"];
const hours = priceBook.hoursPerMonth;
const ec2Platform = { instanceType: "m6i.large", minSize: 0, maxSize: 20, reservedMemoryMiB: 256, registeredMemoryMiB: 7731 };

function advise(services: ServiceFacts[], platform: Partial<PlanFacts["platform"]> = {}) {
    const facts = planFactsOf(services, platform);
    const capacity = ec2Capacity(facts);
    const cost = estimateCost(facts, capacity, priceBook);
    return { facts, cost, advice: advisePlacement(facts, cost, capacity, priceBook) };
}

describe("what a choice keeps", () => {
    it("puts on Spot only a service of two or more tasks, or one declared interruptible; a job only when declared", () => {
        assert.equal(toleratesSpot(serviceFacts("one")), false);
        assert.equal(toleratesSpot(serviceFacts("two", { desired: 2 })), true);
        // Scaling down to one task leaves one task to lose.
        assert.equal(toleratesSpot(serviceFacts("scales", { desired: 2, min: 1 })), false);
        assert.equal(toleratesSpot(serviceFacts("declared", { interruptible: true })), true);
        const job = { schedule: "rate(1 hour)", timezone: "UTC", runsPerYear: 8760 };
        assert.equal(toleratesSpot(serviceFacts("job", { desired: 0, job })), false);
        assert.equal(toleratesSpot(serviceFacts("job", { desired: 0, job, interruptible: true })), true);
    });

    it("runs on Graviton only an image built here or declared multi-arch", () => {
        assert.deepEqual(
            [serviceFacts("published"), serviceFacts("built", { builds: true }), serviceFacts("multi", { multiArch: true })].map(runsOnArm),
            [false, true, true],
        );
    });

    it("keeps on Fargate on-demand a single task, on Fargate Spot two, when no instance is cheaper", () => {
        // Fargate-only stack: no EC2 type is priced against the group's minimum here, but EC2 stays a choice.
        const { advice } = advise([
            serviceFacts("single", { capacity: "fargate", fargateSize: { cpu: 256, memory: 512 } }),
            serviceFacts("pair", { capacity: "fargate", desired: 2, fargateSize: { cpu: 256, memory: 512 } }),
        ]);
        assert.equal(advice.recommendation.placement.pair, "fargate-spot");
        assert.notEqual(advice.recommendation.placement.single, "fargate-spot");
    });

    it("keeps on EC2 a service whose stop timeout Fargate cannot give, and no Graviton type holds its published image", () => {
        const slow = serviceFacts("slow", { stopTimeout: 300, desired: 2 });
        const { advice } = advise([slow, serviceFacts("built", { builds: true, desired: 2 })], { ec2: ec2Platform });
        // Two tasks tolerate Spot: on the instances, on-demand or the Spot group.
        assert.ok(["ec2", "ec2-spot"].includes(advice.recommendation.placement.slow), advice.recommendation.placement.slow);
        assert.equal(instanceTypes[advice.recommendation.instanceType!].architecture, "x86_64");
    });

    it("puts a service that must stay on instances and tolerates Spot on the Spot group above its on-demand base", () => {
        // Four tasks with a stop timeout Fargate cannot give: one stays on on-demand EC2 (the base), three go to Spot.
        const slow = serviceFacts("slow", { stopTimeout: 300, desired: 4, reservation: 1024, limit: 2048, cpu: 512 });
        const { advice } = advise([slow], { ec2: ec2Platform });
        const r = advice.recommendation;
        assert.equal(r.placement.slow, "ec2-spot");
        assert.ok(r.count >= 1 && r.spotCount >= 1, `${r.count} on-demand, ${r.spotCount} Spot`);
        assert.deepEqual((advice.settings["fleet:services"] as Record<string, unknown>).slow, { capacity: "ec2-spot" });
        const group = (advice.settings["fleet:cluster"] as { ec2: Record<string, unknown> }).ec2;
        assert.deepEqual(group.spot, { maxSize: r.spotCount * 2 });
        assert.match(
            advice.summary,
            new RegExp(`^move slow to EC2 Spot and run ${r.count + r.spotCount} × \\S+ \\(${r.spotCount} of them Spot\\)`),
        );
        assert.deepEqual(
            advice.moves.map((m) => [m.service, m.to, m.replaces]),
            [["slow", "ec2-spot", false]],
        );
    });
});

describe("the advice in settings and in one line", () => {
    it("moves a fleet off under-used EC2 onto Fargate Spot, sets the group's minimum to 0, and says so with the saving", () => {
        // Two small services of two tasks on a group held at 3 × m6i.large: Fargate Spot is far cheaper.
        const services = ["docs", "status"].map((name) => serviceFacts(name, { desired: 2 }));
        const { advice, cost } = advise(services, { ec2: { ...ec2Platform, minSize: 3 } });
        assert.deepEqual(advice.recommendation.placement, { docs: "fargate-spot", status: "fargate-spot" });
        assert.deepEqual(advice.settings, {
            "fleet:cluster": { ec2: { minSize: 0 } },
            "fleet:services": { docs: { capacity: "fargate-spot" }, status: { capacity: "fargate-spot" } },
        });
        // 2 services × 2 tasks × Fargate 256/512 at 40% of on-demand, against 3 × m6i.large and their root volumes.
        const spot = 4 * fargateTaskHour(prices, { cpu: 256, memory: 512 }) * hours * (1 - priceBook.assumptions.fargateSpotDiscount);
        assert.equal(advice.recommendation.compute.toFixed(2), spot.toFixed(2));
        assert.equal(advice.recommendation.monthly.toFixed(2), (cost.total - advice.current.compute + spot).toFixed(2));
        assert.equal(
            advice.summary,
            `move docs and status to Fargate Spot and run no EC2 instance: ${"$" + advice.monthlySaving.toFixed(2)} a month less ` +
                `($${advice.recommendation.monthly.toFixed(2)} instead of $${cost.total.toFixed(2)})`,
        );
        assert.deepEqual(
            advice.moves.map((m) => [m.service, m.from, m.to, m.replaces]),
            [
                ["docs", "ec2", "fargate-spot", true],
                ["status", "ec2", "fargate-spot", true],
            ],
        );
        assert.ok(
            placementLines(advice, true).includes(
                "- settings (Pulumi.<stack>.yaml): `fleet:cluster.ec2.minSize: 0`; `fleet:services.docs.capacity: fargate-spot`; " +
                    "`fleet:services.status.capacity: fargate-spot`",
            ),
        );
    });

    it("says nothing is to change when the plan is the cheapest it finds", () => {
        const { advice } = advise([serviceFacts("single", { capacity: "fargate", fargateSize: { cpu: 256, memory: 512 } })]);
        assert.equal(advice.recommendation, advice.current);
        assert.deepEqual([advice.settings, advice.moves, advice.monthlySaving], [{}, [], 0]);
        assert.equal(advice.summary, "the plan is already the cheapest placement the advisor finds");
    });
});

/** Every assignment of every service to EC2 or its Fargate mode, on every priced type: the cheapest compute. */
function bruteForce(facts: PlanFacts): number {
    const services = facts.services;
    const fargate = (s: ServiceFacts) =>
        taskLoad(s).tasks *
        fargateTaskHour(prices, fargateSizeOf(s)!) *
        hours *
        (toleratesSpot(s) ? 1 - priceBook.assumptions.fargateSpotDiscount : 1);
    const root = 30 * prices.other!.ebsGp3GbMonth;
    let best = Infinity;
    for (let mask = 0; mask < 1 << services.length; mask++) {
        const onEc2 = services.filter((_, i) => mask & (1 << i));
        const rest = services.filter((_, i) => !(mask & (1 << i))).reduce((sum, s) => sum + fargate(s), 0);
        if (onEc2.length === 0) {
            best = Math.min(best, rest);
            continue;
        }
        for (const [name, hourly] of Object.entries(prices.ec2Hour)) {
            const type = instanceTypes[name];
            if (!type || (type.architecture === "arm64" && !onEc2.every(runsOnArm))) continue;
            const workload = {
                services: onEc2.map((s) => ({ ...s, desired: peakTasks(s) })),
                zones: facts.platform.availabilityZones,
                minSize: 0,
            };
            const count = fewestInstances(workload, shapeOf(type, 256));
            if (count !== undefined) best = Math.min(best, count * (hourly * hours + root) + rest);
        }
    }
    return best;
}

describe("the prefix search against every assignment", () => {
    const mixes: [string, ServiceFacts[]][] = [
        [
            "memory-heavy pairs and small singles",
            [
                serviceFacts("cache", { reservation: 3000, limit: 4096, cpu: 512, desired: 2 }),
                serviceFacts("api", { reservation: 1024, limit: 2048, cpu: 1024, desired: 3 }),
                serviceFacts("cron", { reservation: 128, limit: 256, cpu: 128 }),
                serviceFacts("admin", { reservation: 256, limit: 512, cpu: 256 }),
            ],
        ],
        [
            "CPU-heavy services built here",
            [
                serviceFacts("encode", { reservation: 512, limit: 1024, cpu: 2048, desired: 2, builds: true }),
                serviceFacts("thumbs", { reservation: 512, limit: 1024, cpu: 1024, desired: 1, builds: true }),
                serviceFacts("web", { reservation: 256, limit: 512, cpu: 256, desired: 2, builds: true }),
                serviceFacts("queue", { reservation: 1024, limit: 2048, cpu: 512, desired: 1, multiArch: true }),
            ],
        ],
    ];
    for (const [name, services] of mixes) {
        it(`finds the cheapest compute: ${name}`, () => {
            const facts = planFactsOf(services, { ec2: ec2Platform });
            const { advice } = advise(services, { ec2: ec2Platform });
            const floor = bruteForce(facts);
            assert.equal(
                Math.min(advice.recommendation.compute, advice.current.compute).toFixed(2),
                Math.min(floor, advice.current.compute).toFixed(2),
            );
        });
    }
});
