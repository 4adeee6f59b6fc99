/**
 * The capacity advisor over hand-made fleets: one built to be CPU-bound and one memory-bound, each
 * with and without Graviton allowed. The recommendation must equal the cheapest feasible (type,
 * count) found by brute force over every candidate and every count, and the figures are worked
 * out by hand in the comments. Then the placement rule's parts (zone spread, the deployment's
 * extra copy, burstable baselines), the Graviton rule and the low-utilisation warning.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { instanceTypes } from "../model/instanceTypes";
import { adviseCapacity, CapacityChoice, cheaper, gravitonRule, holds, shapeOf, Workload, workloadOf } from "../review/advisor";
import { priceBook } from "../review/cost";
import { PlanFacts, ServiceFacts } from "../review/facts";
import { planFactsOf, serviceFacts } from "./support/facts";

const hours = priceBook.hoursPerMonth;
const prices = priceBook.regions["us-east-1"].ec2Hour;

/** The advisor's services build their images (so Graviton may run them). */
const service = (name: string, overrides: Partial<ServiceFacts>) => serviceFacts(name, { builds: true, ...overrides });

function fleet(services: ServiceFacts[], zones = 2, ec2: Partial<NonNullable<PlanFacts["platform"]["ec2"]>> = {}): PlanFacts {
    return planFactsOf(services, {
        availabilityZones: zones,
        ec2: { instanceType: "m6i.large", minSize: 0, maxSize: 20, reservedMemoryMiB: 256, registeredMemoryMiB: 7731, ...ec2 },
    });
}

/** Every candidate type at every count from 1 to 60: the cheapest that holds the fleet. */
function bruteForce(facts: PlanFacts, graviton: boolean): CapacityChoice {
    const workload: Workload = workloadOf(facts);
    let best: CapacityChoice | undefined;
    for (const [name, hourly] of Object.entries(prices)) {
        const type = instanceTypes[name];
        if (!type || (!graviton && type.architecture === "arm64")) continue;
        const shape = shapeOf(type, facts.platform.ec2!.reservedMemoryMiB);
        for (let count = 1; count <= 60; count++) {
            if (!holds(workload, shape, count)) continue;
            const memory = workload.services.reduce((sum, s) => sum + s.desired * s.reservation, 0);
            const cpu = workload.services.reduce((sum, s) => sum + s.desired * s.cpu, 0);
            const option = {
                instanceType: name,
                count,
                monthly: count * hourly * hours,
                utilisation: { memory: memory / (count * shape.memory), cpu: cpu / (count * shape.cpu) },
            };
            if (!best || cheaper(option, best)) best = option;
        }
    }
    return best!;
}

// Four services of two 1-vCPU tasks reserving 256 MiB each: 8192 CPU units, 2048 MiB.
const cpuBound = (builds: boolean) =>
    fleet(["a", "b", "c", "d"].map((name) => service(name, { reservation: 256, cpu: 1024, desired: 2, builds })));
// Three services of two tasks reserving 6000 MiB and a quarter vCPU each: 36000 MiB, 1536 units.
const memoryBound = (builds: boolean) =>
    fleet(["a", "b", "c"].map((name) => service(name, { reservation: 6000, cpu: 256, desired: 2, builds })));

describe("the recommendation is the cheapest feasible choice (brute force)", () => {
    it("CPU-bound, x86 only: 5 × c6i.large", () => {
        const advice = adviseCapacity(cpuBound(false))!;
        // c6i.large (2 vCPU: two tasks each): 8 tasks and a deployment's copy of a (2 tasks) need 5;
        // 4 hold the fleet but leave no room for the copy. 5 × $0.085 × 730 h = $310.25.
        // c6i.xlarge needs 3 (3 × $0.17), c6i.2xlarge 2 for the zones (2 × $0.34), m6i.large 5 at $0.096.
        assert.deepEqual(advice.recommendation, bruteForce(cpuBound(false), false));
        assert.equal(advice.recommendation!.instanceType, "c6i.large");
        assert.equal(advice.recommendation!.count, 5);
        assert.equal(advice.recommendation!.monthly.toFixed(2), "310.25");
        assert.deepEqual(advice.recommendation!.utilisation, { memory: 2048 / (5 * 3737), cpu: 8192 / (5 * 2048) });
        assert.equal(advice.graviton.considered, false);
    });

    it("CPU-bound, every service built from source: 5 × c7g.large", () => {
        const advice = adviseCapacity(cpuBound(true))!;
        // c7g.large has c6i.large's shape at $0.0725: 5 × 0.0725 × 730 = $264.63.
        assert.deepEqual(advice.recommendation, bruteForce(cpuBound(true), true));
        assert.equal(advice.recommendation!.instanceType, "c7g.large");
        assert.equal(advice.recommendation!.count, 5);
        assert.equal(advice.recommendation!.monthly.toFixed(2), "264.63");
        assert.equal(advice.graviton.considered, true);
    });

    it("memory-bound, x86 only: 2 × r6i.xlarge", () => {
        const advice = adviseCapacity(memoryBound(false))!;
        // r6i.xlarge registers floor(32768 × 0.975) − 256 = 31692 MiB: five 6000 MiB tasks. One per
        // zone holds 3 fleet tasks and one of the copy each: 2 × $0.252. r6i.large (15718 MiB, two
        // tasks) needs 4 at the same $0.504 an hour: the tie goes to fewer instances.
        // m6i and t3 (16 or 32 GiB) cost more for the same memory; c6i cannot hold a task beside another.
        assert.deepEqual(advice.recommendation, bruteForce(memoryBound(false), false));
        assert.equal(advice.recommendation!.instanceType, "r6i.xlarge");
        assert.equal(advice.recommendation!.count, 2);
        assert.equal(advice.recommendation!.monthly.toFixed(2), "367.92");
        assert.deepEqual(advice.recommendation!.utilisation, { memory: 36000 / (2 * 31692), cpu: 1536 / (2 * 4096) });
    });

    it("memory-bound, every service built from source: 2 × r7g.xlarge", () => {
        const advice = adviseCapacity(memoryBound(true))!;
        // r7g.xlarge: r6i.xlarge's shape at $0.2142: 2 × 0.2142 × 730 = $312.73.
        assert.deepEqual(advice.recommendation, bruteForce(memoryBound(true), true));
        assert.equal(advice.recommendation!.instanceType, "r7g.xlarge");
        assert.equal(advice.recommendation!.monthly.toFixed(2), "312.73");
    });

    it("holds the current type to the same rule, and says what it saves", () => {
        const advice = adviseCapacity(cpuBound(false))!;
        // m6i.large: the same 5 instances as c6i.large, at $0.096.
        assert.equal(advice.current!.instanceType, "m6i.large");
        assert.equal(advice.current!.count, 5);
        assert.equal(advice.monthlySaving!.toFixed(2), (5 * (0.096 - 0.085) * 730).toFixed(2));
    });
});

describe("the placement rule", () => {
    const c6iLarge = shapeOf(instanceTypes["c6i.large"], 256);

    it("registers memory as the agent does and offers a burstable type's baseline CPU only", () => {
        // Two awsvpc tasks each (3 network interfaces, the primary one taken); ten with ENI trunking.
        assert.deepEqual(c6iLarge, { memory: 3737, cpu: 2048, enis: 2 });
        assert.deepEqual(shapeOf(instanceTypes["c6i.large"], 256, true), { memory: 3737, cpu: 2048, enis: 10 });
        // t3.large: 2 vCPUs at a 30% baseline; no ENI trunking for burstable types.
        assert.deepEqual(shapeOf(instanceTypes["t3.large"], 256), { memory: 7731, cpu: 614, enis: 2 });
        assert.deepEqual(shapeOf(instanceTypes["t3.large"], 256, true), { memory: 7731, cpu: 614, enis: 2 });
    });

    it("needs room for the largest service's deployment copy", () => {
        const workload = workloadOf(cpuBound(false));
        assert.equal(holds(workload, c6iLarge, 4), false);
        assert.equal(holds(workload, c6iLarge, 5), true);
    });

    it("puts an instance in every zone a service spreads over, and honours the group's minimum", () => {
        const one = { services: [{ name: "a", reservation: 100, cpu: 100, desired: 3 }], zones: 3, minSize: 0 };
        assert.equal(holds(one, c6iLarge, 2), false);
        assert.equal(holds(one, c6iLarge, 3), true);
        assert.equal(holds({ ...one, minSize: 4 }, c6iLarge, 3), false);
    });

    it("counts each instance's memory after the zone spread, for the fleet and the deployment copy", () => {
        // Two zones, two instances: each zone's instance must take one of the two 2000 MiB tasks,
        // and the deployment's copy one more each: 4000 MiB per instance.
        const workload = { services: [{ name: "a", reservation: 2000, cpu: 100, desired: 2 }], zones: 2, minSize: 0 };
        assert.equal(holds(workload, { memory: 3999, cpu: 2048 }, 2), false);
        assert.equal(holds(workload, { memory: 4000, cpu: 2048 }, 2), true);
    });

    it("gives each awsvpc task, the deployment's copies too, one of its instance's network interfaces", () => {
        // Three small awsvpc tasks and their three copies: six network interfaces, two per c6i.large without trunking.
        const workload = { services: [{ name: "a", reservation: 100, cpu: 100, desired: 3, enis: 1 }], zones: 1, minSize: 0 };
        assert.equal(holds(workload, c6iLarge, 2), false);
        assert.equal(holds(workload, c6iLarge, 3), true);
        assert.equal(holds(workload, shapeOf(instanceTypes["c6i.large"], 256, true), 1), true);
        assert.equal(holds({ ...workload, services: [{ ...workload.services[0], enis: 0 }] }, c6iLarge, 1), true);
    });
});

describe("the advice", () => {
    it("considers Graviton only when every EC2 service builds from source, and says why", () => {
        assert.deepEqual(gravitonRule([service("a", {}), service("b", { builds: false }), service("c", {})]), {
            considered: false,
            reason:
                "Graviton (arm64) types not considered: b runs a published image that may have no arm64 variant " +
                "(build from source, or move to Fargate, to let the advisor consider Graviton)",
        });
        assert.equal(gravitonRule([service("a", {})]).considered, true);
    });

    it("warns below 50% of registered memory reserved, naming the better choice", () => {
        // One 512 MiB task on the group's minimum of 3 m6i.large: 512 / (3 × 7731) = 2%.
        const advice = adviseCapacity(fleet([service("a", { reservation: 512, builds: false })], 3, { minSize: 3 }))!;
        assert.deepEqual(advice.warnings, []);
        assert.equal(
            advice.utilisationWarning,
            "capacity: 3 × m6i.large would have 2% of registered memory reserved (below 50%); 3 × t3.small holds the same fleet at 10%",
        );
    });

    it("warns when the recommendation needs more instances than the group's maximum", () => {
        const advice = adviseCapacity(fleet(cpuBound(false).services as ServiceFacts[], 2, { maxSize: 4 }))!;
        assert.ok(advice.warnings.includes("capacity: 5 × c6i.large is above fleet:cluster.ec2.maxSize (4): raise it with the type"));
    });

    it("has nothing to say without EC2 capacity", () => {
        const facts = fleet([]);
        assert.equal(adviseCapacity({ ...facts, platform: { ...facts.platform, ec2: undefined } }), undefined);
    });
});
