/**
 * EC2 Spot in the capacity and cost reports, by hand: each ec2-spot service's base on the on-demand
 * group and the rest packed on the Spot group apart, the Spot instances priced at the price book's
 * EC2 Spot discount and shared out to the services that run there (review/capacity.ts, review/cost.ts).
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { instanceTypes, registeredMemoryMiB } from "../model/instanceTypes";
import { ec2Capacity, ec2GroupTasks } from "../review/capacity";
import { estimateCost, PriceBook, priceBook, spotInstancesMonthly } from "../review/cost";
import { planFactsOf as facts, serviceFacts as service } from "./support/facts";

// m6i.large: floor(8192 × 0.975) − 256 = 7731 MiB registered, 2048 CPU units.
const ec2 = {
    instanceType: "m6i.large",
    minSize: 0,
    maxSize: 10,
    reservedMemoryMiB: 256,
    registeredMemoryMiB: registeredMemoryMiB(instanceTypes["m6i.large"], 256),
    spot: { instanceTypes: ["m6i.large", "m7i.large"], minSize: 0, maxSize: 5 },
};

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
        ec2SpotDiscount: 0.6,
        logGbPerTaskMonth: 1,
        jobMinutesPerRun: 15,
        notes: [],
    },
};

const od = service("od", { reservation: 3000 });
const web = service("web", { capacity: "ec2-spot", onDemandBase: 1, reservation: 2000, desired: 5 });
const nightly = service("nightly", {
    capacity: "ec2-spot",
    onDemandBase: 1,
    reservation: 1000,
    desired: 0,
    job: { schedule: "rate(1 day)", timezone: "UTC", runsPerYear: 365 },
});

describe("the EC2 groups' tasks", () => {
    it("put an ec2 service's on on-demand, an ec2-spot service's base there and the rest on Spot, a job's run on Spot", () => {
        assert.deepEqual(ec2GroupTasks(od, 3), { onDemand: 3, spot: 0 });
        assert.deepEqual(ec2GroupTasks(web, 5), { onDemand: 1, spot: 4 });
        assert.deepEqual(ec2GroupTasks(web, 1), { onDemand: 1, spot: 0 });
        assert.deepEqual(ec2GroupTasks(service("all", { capacity: "ec2-spot", onDemandBase: 0 }), 2), { onDemand: 0, spot: 2 });
        assert.deepEqual(ec2GroupTasks(nightly, 1), { onDemand: 0, spot: 1 });
        assert.deepEqual(ec2GroupTasks(service("f", { capacity: "fargate-spot" }), 2), { onDemand: 0, spot: 0 });
    });
});

describe("the capacity report", () => {
    it("packs the Spot group apart, counted as the main type, spread over the zones", () => {
        const report = ec2Capacity(facts([od, web, nightly], { ec2 }))!;
        // On-demand: od's 3000 and web's base of 2000 fit one instance of 7731 MiB.
        assert.deepEqual([report.tasks, report.reservedMiB, report.packedInstances, report.instances], [2, 5000, 1, 1]);
        // Spot: web's 4 × 2000 and nightly's run of 1000 take 9000 MiB: 3 + 1 and 1 + the run per instance, 2 zones.
        assert.deepEqual(report.spot, {
            instanceTypes: ["m6i.large", "m7i.large"],
            tasks: 5,
            reservedMiB: 9000,
            lowerBound: 2,
            packedInstances: 2,
            instances: 2,
            instancesReason: "2 by packing",
            utilisation: 9000 / (2 * 7731),
        });
        assert.deepEqual(report.assumptions, [
            "web: 1 task(s) on on-demand (its base), 4 on Spot",
            "nightly: a job, its one task counted as placed (on Spot)",
        ]);
        assert.deepEqual(report.warnings, []);
    });

    it("raises the Spot count to the zone spread and the group's minimum, and warns above its maximum", () => {
        const two = service("two", { capacity: "ec2-spot", onDemandBase: 0, reservation: 100, desired: 2 });
        const spread = ec2Capacity(facts([two], { ec2, availabilityZones: 3 }))!.spot!;
        assert.deepEqual(
            [spread.packedInstances, spread.instances, spread.instancesReason],
            [1, 2, "1 by packing, 2 to spread tasks over zones"],
        );
        const floor = ec2Capacity(facts([two], { ec2: { ...ec2, spot: { ...ec2.spot, minSize: 3 } } }))!.spot!;
        assert.deepEqual(
            [floor.instances, floor.instancesReason],
            [3, "1 by packing, 2 to spread tasks over zones, the group's minimum of 3"],
        );
        const many = service("many", { capacity: "ec2-spot", onDemandBase: 0, reservation: 7000, desired: 6 });
        const capped = ec2Capacity(facts([many], { ec2 }))!;
        assert.equal(capped.spot!.instances, 5);
        assert.deepEqual(capped.warnings, [
            "the Spot tasks need 6 instances but the Spot group's maximum is 5: raise fleet:cluster.ec2.spot.maxSize",
        ]);
    });

    it("has no Spot group, and counts as before, without fleet:cluster.ec2.spot", () => {
        const { spot, ...plain } = ec2;
        const report = ec2Capacity(facts([od, service("b", { reservation: 2000 })], { ec2: plain }))!;
        assert.equal(report.spot, undefined);
        assert.deepEqual([report.tasks, report.reservedMiB, report.instances, report.assumptions], [2, 5000, 1, []]);
        assert.ok(spot);
    });
});

describe("the cost report", () => {
    it("prices the Spot instances at the discount and shares each group out by memory reserved on it", () => {
        const f = facts([od, web], { ec2 });
        const report = estimateCost(f, ec2Capacity(f), book);
        // On-demand: 1 × 0.1 × 100 = 10, od 3000 / 5000 = 6, web 2000 / 5000 = 4.
        // Spot: 2 instances (4 × 2000 over 2 zones) × 0.1 × (1 − 0.6) × 100 = 8, all web's.
        const byService = Object.fromEntries(report.services.map((s) => [s.service, [+s.compute.toFixed(6), s.logs, s.detail]]));
        assert.deepEqual(byService, {
            od: [6, 0.5, "60% of the EC2 instances (by memory reserved)"],
            web: [12, 2.5, "40% of the EC2 instances and 100% of the EC2 Spot instances (by memory reserved)"],
        });
        assert.deepEqual(
            report.shared.filter((l) => l.item.startsWith("EC2")).map((l) => [l.item, +l.monthly.toFixed(6), l.detail]),
            [
                ["EC2 instances", 10, "1 × m6i.large (shared out to EC2 services above)"],
                [
                    "EC2 Spot instances",
                    8,
                    "2 × m6i.large at Spot (−60%; may launch m6i.large, m7i.large; shared out to ec2-spot services above)",
                ],
            ],
        );
        // ALB 12, NAT 5.2, IPv4 1.5, both groups once, logs 0.5 + 2.5; the services' shares not again.
        assert.equal(+report.total.toFixed(6), 12 + 5.2 + 1.5 + 10 + 8 + 0.5 + 2.5);
        assert.deepEqual(report.warnings, []);
    });

    it("prices Spot on-demand, and says so, with a price book that has no EC2 Spot discount", () => {
        const { ec2SpotDiscount, ...assumptions } = book.assumptions;
        const f = facts([web], { ec2 });
        const report = estimateCost(f, ec2Capacity(f), { ...book, assumptions });
        assert.equal(+report.shared.find((l) => l.item === "EC2 Spot instances")!.monthly.toFixed(6), 20);
        assert.deepEqual(report.warnings, ["no EC2 Spot discount in data/prices.json: Spot instances priced on-demand"]);
        assert.equal(ec2SpotDiscount, 0.6);
    });
});

describe("spotInstancesMonthly", () => {
    it("prices N Spot instances of a type a month, for the advisor", () => {
        assert.equal(+spotInstancesMonthly("m6i.large", 2, "us-east-1", book)!.toFixed(6), 8);
        // A region without prices is priced as the fallback region; a type without a price is not priced.
        assert.equal(+spotInstancesMonthly("m6i.large", 2, "eu-north-1", book)!.toFixed(6), 8);
        assert.equal(spotInstancesMonthly("m7i.large", 2, "us-east-1", book), undefined);
        // The shipped price book: m6i.large $0.096/h, 60% off, 730 h.
        assert.equal(priceBook.assumptions.ec2SpotDiscount, 0.6);
        assert.equal(+spotInstancesMonthly("m6i.large", 1, "us-east-1")!.toFixed(4), 28.032);
    });
});
