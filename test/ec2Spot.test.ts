/**
 * EC2 Spot capacity (`ec2-spot`, fleet:cluster.ec2.spot) under Pulumi mocks: the Spot group's exact
 * mixed instances policy over the on-demand group's launch template, its capacity provider and its
 * association, the strategies of services, jobs and the cluster's default; and, without the mocks,
 * the settings as resolved and the strategy function alone.
 */
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { capacityProviderStrategy } from "../infra/cluster";
import { deployFleet } from "../infra/deploy";
import { Catalog } from "../model/catalog";
import { ResolvedFleet } from "../model/fleet";
import { instanceTypes, spotTypeCandidates, spotTypeFits } from "../model/instanceTypes";
import { resolveFleet } from "../model/resolve";
import { installMocks, RecordedResource } from "../plan/mocks";
import { region, Registered } from "./harness";
import { fleetInput } from "./support/fleetInput";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

function resolved(catalog: Catalog, config: Record<string, unknown>, stack: string): ResolvedFleet {
    const result = resolveFleet(catalog, fleetInput({ domain: "example.com", network: { natGateways: "single" }, ...config }, { stack }));
    if (!result.ok) assert.fail(result.errors.join("\n"));
    return result.fleet;
}

const memory = { reservation: 64, limit: 128 };
const ec2 = { instanceType: "m6i.large", minSize: 1, maxSize: 4, targetCapacityPercent: 90 };

// Spot beside on-demand: a routed ec2-spot service, an ec2 one, an ec2-spot job; the main type listed again.
const spotFleet = resolved(
    {
        web: { image: "nginx:1.27", port: 80, routes: [{ host: "www" }], memory, desiredCount: 4, capacity: "ec2-spot" },
        api: { image: "nginx:1.27", port: 80, routes: [{ path: "/api/*" }], memory, desiredCount: 2, capacity: "ec2" },
        nightly: { image: "busybox:1.36", command: ["true"], memory, schedule: "cron(30 2 * * ? *)", capacity: "ec2-spot" },
    },
    {
        network: { natGateways: "single", availabilityZones: 3 },
        cluster: {
            defaultCapacity: "fargate",
            ec2: { ...ec2, spot: { instanceTypes: ["m7i.large", "m6i.large", "c6i.xlarge"], maxSize: 6, onDemandBase: 2 } },
        },
    },
    "test",
);
// Spot as the default capacity, with no on-demand base.
const edgeFleet = resolved(
    { edge: { image: "nginx:1.27", memory, desiredCount: 2 } },
    { cluster: { defaultCapacity: "ec2-spot", ec2: { ...ec2, spot: { maxSize: 3, onDemandBase: 0 } } } },
    "edge",
);
// EC2 without Spot: as before.
const plainFleet = resolved(
    { feed: { image: "nginx:1.27", memory, desiredCount: 2 } },
    { cluster: { defaultCapacity: "ec2", ec2 } },
    "plain",
);
for (const fleet of [spotFleet, edgeFleet, plainFleet]) deployFleet(fleet, { configSecrets: {} });

let registered: Registered;
before(async () => (registered = await settled(runtime)));

const group = (name: string) => registered.one("aws:autoscaling/group:Group", name);
const association = (stack: string) => registered.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", `fleet-${stack}`);
/** The cluster's providers as associated: FARGATE, FARGATE_SPOT, then the EC2 and the Spot provider's names. */
const providers = (stack: string) => association(stack).inputs.capacityProviders as string[];
const strategyOf = (service: RecordedResource) => service.inputs.capacityProviderStrategies;

describe("the Spot group", () => {
    it("launches Spot alone from the on-demand group's launch template, over the main type and the listed ones", () => {
        const spot = group("fleet-test-spot-instances");
        const onDemand = group("fleet-test-instances");
        assert.deepEqual(spot.inputs.mixedInstancesPolicy, {
            launchTemplate: {
                launchTemplateSpecification: { launchTemplateId: (onDemand.inputs.launchTemplate as { id: string }).id, version: "1" },
                overrides: [{ instanceType: "m6i.large" }, { instanceType: "m7i.large" }, { instanceType: "c6i.xlarge" }],
            },
            instancesDistribution: {
                onDemandBaseCapacity: 0,
                onDemandPercentageAboveBaseCapacity: 0,
                spotAllocationStrategy: "price-capacity-optimized",
            },
        });
        assert.equal(spot.inputs.launchTemplate, undefined);
        assert.equal(spot.inputs.capacityRebalance, true);
        assert.equal(spot.inputs.protectFromScaleIn, true);
        assert.deepEqual([spot.inputs.minSize, spot.inputs.maxSize], [0, 6]);
        assert.deepEqual(spot.inputs.vpcZoneIdentifiers, onDemand.inputs.vpcZoneIdentifiers);
        assert.deepEqual(spot.inputs.instanceRefresh, onDemand.inputs.instanceRefresh);
        assert.deepEqual(spot.inputs.tags, onDemand.inputs.tags);
        assert.deepEqual(spot.ignoreChanges, ["desiredCapacity"]);
    });

    it("shares the one launch template, which requests no Spot and turns on Spot draining in the agent", () => {
        assert.deepEqual(
            registered.all("aws:ec2/launchTemplate:LaunchTemplate").map((t) => t.name),
            ["fleet-test-instances", "fleet-edge-instances", "fleet-plain-instances"],
        );
        const template = registered.one("aws:ec2/launchTemplate:LaunchTemplate", "fleet-test-instances");
        assert.equal(template.inputs.instanceMarketOptions, undefined);
        const userData = Buffer.from(String(template.inputs.userData), "base64").toString();
        assert.match(userData, /^ECS_ENABLE_SPOT_INSTANCE_DRAINING=true$/m);
        assert.match(userData, /^ECS_CLUSTER=fleet-test-/m);
    });

    it("has a capacity provider of its own, managed as the on-demand one", () => {
        const spot = registered.one("aws:ecs/capacityProvider:CapacityProvider", "fleet-test-ec2-spot");
        const onDemand = registered.one("aws:ecs/capacityProvider:CapacityProvider", "fleet-test-ec2");
        const { autoScalingGroupArn, ...managed } = spot.inputs.autoScalingGroupProvider as Record<string, unknown>;
        assert.match(String(autoScalingGroupArn), /:autoScalingGroupName\/fleet-test-spot-instances-[0-9a-f]{7}$/);
        assert.deepEqual(managed, {
            managedTerminationProtection: "ENABLED",
            managedDraining: "ENABLED",
            managedScaling: {
                status: "ENABLED",
                targetCapacity: 90,
                minimumScalingStepSize: 1,
                maximumScalingStepSize: 10,
                instanceWarmupPeriod: 120,
            },
        });
        const { autoScalingGroupArn: onDemandGroup, ...onDemandManaged } = onDemand.inputs.autoScalingGroupProvider as Record<
            string,
            unknown
        >;
        assert.deepEqual(managed, onDemandManaged);
        assert.notEqual(autoScalingGroupArn, onDemandGroup);
    });

    it("is associated with the cluster beside FARGATE, FARGATE_SPOT and the on-demand provider; the default stays", () => {
        const [fargate, fargateSpot, onDemand, spot, ...more] = providers("test");
        assert.deepEqual([fargate, fargateSpot, more], ["FARGATE", "FARGATE_SPOT", []]);
        assert.match(onDemand, /^fleet-test-ec2-[0-9a-f]{7}$/);
        assert.match(spot, /^fleet-test-ec2-spot-[0-9a-f]{7}$/);
        assert.deepEqual(association("test").inputs.defaultCapacityProviderStrategies, [
            { capacityProvider: "FARGATE", weight: 1, base: 0 },
        ]);
    });

    it("does not exist without fleet:cluster.ec2.spot", () => {
        assert.equal(registered.has("aws:autoscaling/group:Group", "fleet-plain-spot-instances"), false);
        assert.equal(registered.has("aws:ecs/capacityProvider:CapacityProvider", "fleet-plain-ec2-spot"), false);
        assert.equal(providers("plain").length, 3);
    });
});

describe("an ec2-spot service", () => {
    it("keeps its base on on-demand EC2 (weight 0) and every other task on Spot (weight 1)", () => {
        const [, , onDemand, spot] = providers("test");
        assert.deepEqual(strategyOf(registered.one("aws:ecs/service:Service", "web")), [
            { capacityProvider: onDemand, base: 2, weight: 0 },
            { capacityProvider: spot, weight: 1 },
        ]);
        assert.deepEqual(strategyOf(registered.one("aws:ecs/service:Service", "api")), [
            { capacityProvider: onDemand, weight: 1, base: 0 },
        ]);
    });

    it("runs as an ec2 service does: bridge networking, spread then bin-packed, the same task definition", () => {
        const web = registered.one("aws:ecs/service:Service", "web");
        const api = registered.one("aws:ecs/service:Service", "api");
        assert.equal(web.inputs.networkConfiguration, undefined);
        assert.deepEqual(web.inputs.orderedPlacementStrategies, api.inputs.orderedPlacementStrategies);
        assert.deepEqual(web.inputs.forceNewDeployment, true);
        const task = (name: string) => registered.one("aws:ecs/taskDefinition:TaskDefinition", `${name}-taskdef`).inputs;
        assert.deepEqual([task("web").networkMode, task("web").requiresCompatibilities], ["bridge", ["EC2"]]);
        assert.deepEqual([task("web").cpu, task("web").memory], [undefined, undefined]);
    });

    it("without an on-demand base runs on Spot alone, as the cluster's default strategy does", () => {
        const [, , , spot] = providers("edge");
        const alone = [{ capacityProvider: spot, weight: 1, base: 0 }];
        assert.deepEqual(strategyOf(registered.one("aws:ecs/service:Service", "edge")), alone);
        assert.deepEqual(association("edge").inputs.defaultCapacityProviderStrategies, alone);
    });
});

describe("an ec2-spot job", () => {
    it("starts each run on Spot alone: a base would put every one-task run on on-demand", () => {
        const [, , , spot] = providers("test");
        const schedule = registered.one("aws:scheduler/schedule:Schedule", "nightly-schedule");
        const parameters = (schedule.inputs.target as { ecsParameters: Record<string, unknown> }).ecsParameters;
        assert.deepEqual(parameters.capacityProviderStrategies, [{ capacityProvider: spot, weight: 1, base: 0 }]);
        assert.deepEqual(parameters.placementStrategies, [{ type: "binpack", field: "memory" }]);
    });
});

describe("the settings, resolved", () => {
    it("default the Spot group's minimum, types and base; list the main type first, once", () => {
        assert.deepEqual(spotFleet.cluster.ec2?.spot, {
            instanceTypes: ["m7i.large", "m6i.large", "c6i.xlarge"],
            minSize: 0,
            maxSize: 6,
            onDemandBase: 2,
            launchTypes: ["m6i.large", "m7i.large", "c6i.xlarge"],
        });
        const defaults = resolved(
            { feed: { image: "nginx:1.27", memory } },
            { cluster: { ec2: { ...ec2, spot: { maxSize: 2 } } } },
            "defaults",
        );
        assert.deepEqual(defaults.cluster.ec2?.spot, {
            instanceTypes: [],
            minSize: 0,
            maxSize: 2,
            onDemandBase: 1,
            launchTypes: ["m6i.large"],
        });
        assert.equal("spot" in plainFleet.cluster.ec2!, false);
    });

    it("give an ec2-spot service EC2 capacity with its base, in bridge mode", () => {
        const web = spotFleet.services.find((s) => s.name === "web")!;
        assert.deepEqual(web.capacity, { kind: "ec2", spot: { onDemandBase: 2 } });
        assert.equal(web.networkMode, "bridge");
        assert.deepEqual(spotFleet.services.find((s) => s.name === "api")!.capacity, { kind: "ec2" });
    });

    it("take Spot types of the main type's architecture, no smaller in memory, vCPUs or a burstable baseline", () => {
        const fits = (main: string, candidate: string) => spotTypeFits(instanceTypes[main], instanceTypes[candidate]);
        assert.deepEqual(
            [
                fits("m6i.large", "m7i.large"),
                fits("m6i.large", "r6i.large"),
                fits("m6i.large", "m7g.large"),
                fits("m6i.large", "c6i.large"),
                fits("m6i.large", "t3.large"),
                fits("t3.medium", "t3.large"),
                fits("t3.large", "m6i.large"),
            ],
            ["fits", "fits", "architecture", "smaller", "smaller", "fits", "fits"],
        );
        // The fixes suggest these: by memory, then vCPUs, then name.
        assert.deepEqual(spotTypeCandidates("m6i.large").slice(0, 5), ["m7i.large", "c6i.xlarge", "c7i.xlarge", "r6i.large", "r7i.large"]);
    });
});

describe("capacityProviderStrategy", () => {
    const names = { ec2CapacityProviderName: "od", ec2SpotCapacityProviderName: "spot" };
    it("gives each capacity its strategy", () => {
        assert.deepEqual(capacityProviderStrategy({ kind: "fargate", spot: false }, names), [
            { capacityProvider: "FARGATE", weight: 1, base: 0 },
        ]);
        assert.deepEqual(capacityProviderStrategy({ kind: "fargate", spot: true }, names), [
            { capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 },
        ]);
        assert.deepEqual(capacityProviderStrategy({ kind: "ec2" }, names), [{ capacityProvider: "od", weight: 1, base: 0 }]);
        assert.deepEqual(capacityProviderStrategy({ kind: "ec2", spot: { onDemandBase: 3 } }, names), [
            { capacityProvider: "od", base: 3, weight: 0 },
            { capacityProvider: "spot", weight: 1 },
        ]);
        assert.deepEqual(capacityProviderStrategy({ kind: "ec2", spot: { onDemandBase: 0 } }, names), [
            { capacityProvider: "spot", weight: 1, base: 0 },
        ]);
        assert.deepEqual(capacityProviderStrategy({ kind: "ec2", spot: { onDemandBase: 3 } }, names, true), [
            { capacityProvider: "spot", weight: 1, base: 0 },
        ]);
    });

    it("throws when the cluster lacks the provider (validation refuses it first)", () => {
        assert.throws(() => capacityProviderStrategy({ kind: "ec2", spot: { onDemandBase: 1 } }, { ec2CapacityProviderName: "od" }), {
            message: "EC2 Spot capacity requested on a cluster without it (validation should have caught this)",
        });
    });
});
