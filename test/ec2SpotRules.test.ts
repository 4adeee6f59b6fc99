/**
 * The mocks as AWS for EC2 Spot capacity (plan/awsRules.ts, plan/mocks.ts): capacity provider
 * strategies, Auto Scaling groups with a mixed instances policy, and capacity providers over them,
 * each rule accepting what fleet registers and refusing what AWS refuses, with its message; and the
 * review's guard against removing the Spot group while services run on it.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autoScalingGroupBreaches, capacityProviderBreaches, capacityProviderStrategyBreaches } from "../plan/awsRules";
import { FleetMocks } from "../plan/mocks";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { capacityRemovalProblems } from "../review/guards";

const strategySource =
    "ECS API CapacityProviderStrategyItem, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html";
const problems = (breaches: readonly { problem: string }[]) => breaches.map((b) => b.problem);

/** fleet's strategy of an ec2-spot service with a base of 1 (infra/cluster.ts capacityProviderStrategy). */
const spotStrategy = [
    { capacityProvider: "od", base: 1, weight: 0 },
    { capacityProvider: "spot", weight: 1 },
];

describe("a capacity provider strategy", () => {
    it("accepts fleet's: a base on on-demand with weight 0, Spot with weight 1, both associated", () => {
        assert.deepEqual(capacityProviderStrategyBreaches(spotStrategy, ["FARGATE", "FARGATE_SPOT", "od", "spot"]), []);
        assert.deepEqual(capacityProviderStrategyBreaches([{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }]), []);
    });

    it("refuses a base on two providers, all weights 0, Fargate beside Auto Scaling group providers", () => {
        assert.deepEqual(
            problems(
                capacityProviderStrategyBreaches([
                    { capacityProvider: "od", base: 1, weight: 0 },
                    { capacityProvider: "spot", base: 1, weight: 1 },
                ]),
            ),
            ['a capacity provider strategy with a base on 2 providers ("od", "spot"); only one may have one'],
        );
        assert.deepEqual(
            capacityProviderStrategyBreaches([
                { capacityProvider: "od", base: 1, weight: 0 },
                { capacityProvider: "spot", weight: 0 },
            ]),
            [{ problem: "a capacity provider strategy whose weights are all 0 (none places a task)", source: strategySource }],
        );
        assert.deepEqual(
            capacityProviderStrategyBreaches([
                { capacityProvider: "od", base: 1, weight: 0 },
                { capacityProvider: "FARGATE_SPOT", weight: 1 },
            ]),
            [
                {
                    problem: 'a capacity provider strategy mixing Fargate and Auto Scaling group providers ("od", "FARGATE_SPOT")',
                    source:
                        "ECS developer guide, Amazon ECS capacity providers, " +
                        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html",
                },
            ],
        );
    });

    it("refuses bases and weights out of range, more than 20 providers, and providers not associated with the cluster", () => {
        assert.deepEqual(
            problems(
                capacityProviderStrategyBreaches([
                    { capacityProvider: "od", base: 100_001, weight: 0 },
                    { capacityProvider: "spot", weight: 1001 },
                ]),
            ),
            ['base 100001 of "od" is not 0-100000', 'weight 1001 of "spot" is not 0-1000'],
        );
        const many = Array.from({ length: 21 }, (_, i) => ({ capacityProvider: `p${i}`, weight: 1 }));
        assert.deepEqual(problems(capacityProviderStrategyBreaches(many)), ["a capacity provider strategy of 21 providers, above 20"]);
        assert.deepEqual(problems(capacityProviderStrategyBreaches(spotStrategy, ["FARGATE", "FARGATE_SPOT", "od"])), [
            'capacity provider "spot" is not associated with the cluster ("FARGATE", "FARGATE_SPOT", "od")',
        ]);
    });
});

/** fleet's Spot group (infra/cluster.ts createSpotCapacity), over launch template `lt-1`. */
const spotGroup = (overrides: unknown[] = [{ instanceType: "m6i.large" }, { instanceType: "m7i.large" }]) => ({
    minSize: 0,
    maxSize: 6,
    protectFromScaleIn: true,
    capacityRebalance: true,
    mixedInstancesPolicy: {
        launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1", version: "1" }, overrides },
        instancesDistribution: {
            onDemandBaseCapacity: 0,
            onDemandPercentageAboveBaseCapacity: 0,
            spotAllocationStrategy: "price-capacity-optimized",
        },
    },
});
const templates = (template: Record<string, unknown>) => (id: string) => (id === "lt-1" ? template : undefined);
const onDemandTemplate = { imageId: "ami-1", instanceType: "m6i.large" };

describe("an Auto Scaling group", () => {
    it("accepts fleet's Spot group, and a mixed instances policy without overrides over a template with a type", () => {
        assert.deepEqual(autoScalingGroupBreaches(spotGroup(), templates(onDemandTemplate)), []);
        assert.deepEqual(autoScalingGroupBreaches(spotGroup([]), templates(onDemandTemplate)), []);
    });

    it("refuses a mixed instances policy with nothing to launch, over 40 types, or over a template that requests Spot", () => {
        assert.deepEqual(problems(autoScalingGroupBreaches(spotGroup([]), templates({ imageId: "ami-1" }))), [
            "a mixed instances policy with no overrides over a launch template with no instance type: nothing to launch",
        ]);
        const many = Array.from({ length: 41 }, (_, i) => ({ instanceType: `m${i}.large` }));
        assert.deepEqual(problems(autoScalingGroupBreaches(spotGroup(many), templates(onDemandTemplate))), [
            "a mixed instances policy of 41 instance types, above 40",
        ]);
        assert.deepEqual(
            autoScalingGroupBreaches(spotGroup(), templates({ ...onDemandTemplate, instanceMarketOptions: { marketType: "spot" } })),
            [
                {
                    problem: "a mixed instances policy over launch template lt-1, which requests Spot itself (instanceMarketOptions)",
                    source:
                        "EC2 Auto Scaling user guide, Troubleshoot launch template issues, " +
                        "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-launch-template.html",
                },
            ],
        );
    });

    it("refuses two sources of instances or none, an unknown Spot allocation strategy, an on-demand share out of range", () => {
        assert.deepEqual(
            problems(
                autoScalingGroupBreaches({ ...spotGroup(), launchTemplate: { id: "lt-1", version: "1" } }, templates(onDemandTemplate)),
            ),
            ["sets launchTemplate and mixedInstancesPolicy; a group takes exactly one"],
        );
        assert.deepEqual(problems(autoScalingGroupBreaches({ minSize: 0, maxSize: 1 }, templates(onDemandTemplate))), [
            "sets no launch template or mixed instances policy",
        ]);
        const group = spotGroup();
        const distribution = {
            ...group.mixedInstancesPolicy.instancesDistribution,
            spotAllocationStrategy: "cheapest",
            onDemandPercentageAboveBaseCapacity: 120,
        };
        assert.deepEqual(
            problems(
                autoScalingGroupBreaches(
                    { ...group, mixedInstancesPolicy: { ...group.mixedInstancesPolicy, instancesDistribution: distribution } },
                    templates(onDemandTemplate),
                ),
            ),
            [
                'spotAllocationStrategy "cheapest" is not one of lowest-price, capacity-optimized, ' +
                    "capacity-optimized-prioritized, price-capacity-optimized",
                "onDemandPercentageAboveBaseCapacity 120 is not 0-100",
            ],
        );
    });
});

describe("a capacity provider over a group", () => {
    const provider = { autoScalingGroupProvider: { autoScalingGroupArn: "arn:group", managedTerminationProtection: "ENABLED" } };
    const groups = (group: Record<string, unknown>) => (arn: string) => (arn === "arn:group" ? group : undefined);

    it("accepts fleet's Spot group", () => {
        assert.deepEqual(capacityProviderBreaches(provider, groups(spotGroup())), []);
    });

    it("refuses managed termination protection over a group that does not protect instances, and instance weights", () => {
        assert.deepEqual(problems(capacityProviderBreaches(provider, groups({ ...spotGroup(), protectFromScaleIn: false }))), [
            "managedTerminationProtection is ENABLED but its Auto Scaling group does not protect instances from scale-in",
        ]);
        assert.deepEqual(
            problems(capacityProviderBreaches(provider, groups(spotGroup([{ instanceType: "m6i.large", weightedCapacity: "2" }])))),
            ["its Auto Scaling group weighs instance types (weightedCapacity)"],
        );
    });
});

describe("the mocks", () => {
    const register = (mocks: FleetMocks, type: string, name: string, inputs: Record<string, unknown>) =>
        mocks.newResource({ type, name, inputs, custom: true } as Parameters<FleetMocks["newResource"]>[0]);

    it("refuse a Spot group over a launch template that requests Spot", () => {
        const mocks = new FleetMocks("eu-west-1");
        const template = register(mocks, "aws:ec2/launchTemplate:LaunchTemplate", "instances", {
            ...onDemandTemplate,
            instanceMarketOptions: { marketType: "spot" },
        });
        const group = spotGroup();
        group.mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.launchTemplateId = template.id;
        assert.throws(() => register(mocks, "aws:autoscaling/group:Group", "spot-instances", group), {
            message:
                'fleet mocks: aws:autoscaling/group:Group "spot-instances": a mixed instances policy over launch template ' +
                `${template.id}, ` +
                "which requests Spot itself (instanceMarketOptions) — EC2 Auto Scaling user guide, Troubleshoot launch template issues, " +
                "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-launch-template.html",
        });
    });

    it("refuse a service whose strategy has a base on two providers, or names one the cluster has not associated", () => {
        const mocks = new FleetMocks("eu-west-1");
        register(mocks, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "fleet", {
            clusterName: "fleet-test",
            capacityProviders: ["FARGATE", "FARGATE_SPOT", "od"],
            defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
        });
        const service = (strategy: unknown) => () =>
            register(mocks, "aws:ecs/service:Service", "web", {
                cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/fleet-test",
                capacityProviderStrategies: strategy,
            });
        assert.throws(
            service([
                { capacityProvider: "od", base: 1, weight: 0 },
                { capacityProvider: "FARGATE", base: 2, weight: 1 },
            ]),
            {
                message:
                    'fleet mocks: aws:ecs/service:Service "web": a capacity provider strategy with a base on 2 providers ' +
                    '("od", "FARGATE"); ' +
                    `only one may have one — ${strategySource}\n` +
                    'fleet mocks: aws:ecs/service:Service "web": a capacity provider strategy mixing Fargate and Auto Scaling group ' +
                    'providers ("od", "FARGATE") — ECS developer guide, Amazon ECS capacity providers, ' +
                    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html",
            },
        );
        assert.throws(service(spotStrategy), {
            message:
                'fleet mocks: aws:ecs/service:Service "web": capacity provider "spot" is not associated with the cluster ' +
                `("FARGATE", "FARGATE_SPOT", "od") — ${strategySource}`,
        });
        assert.doesNotThrow(service([{ capacityProvider: "od", weight: 1, base: 0 }]));
    });
});

describe("removing the Spot group", () => {
    const cluster = "urn:pulumi:prod::fleet::fleet:ecs:Cluster$aws:ecs/capacityProvider:CapacityProvider";
    const provider = (name: string): PlanResource => ({
        urn: `${cluster}::${name}`,
        type: "aws:ecs/capacityProvider:CapacityProvider",
        name,
        inputs: {},
        protect: false,
        ignoreChanges: [],
    });
    const [onDemand, spot] = [provider("fleet-prod-ec2"), provider("fleet-prod-ec2-spot")];
    /** A service whose strategy took its providers from `from` (propertyDependencies), as the program registers it. */
    const service = (name: string, from: PlanResource[]): PlanResource => ({
        urn: `urn:pulumi:prod::fleet::fleet:ecs:Service$aws:ecs/service:Service::${name}`,
        type: "aws:ecs/service:Service",
        name,
        inputs: { capacityProviderStrategies: from.map((p) => ({ capacityProvider: `${p.name}-0123abc`, weight: 1 })) },
        protect: false,
        ignoreChanges: [],
        propertyDependencies: { capacityProviderStrategies: from.map((p) => p.urn) },
    });
    const plan = (resources: PlanResource[]): PlanDocument => ({ project: "fleet", stack: "prod", resources, outputs: {}, config: {} });

    it("while services of the base run on it is refused, naming them alone and the two steps", () => {
        const base = plan([onDemand, spot, service("web", [onDemand, spot]), service("api", [onDemand])]);
        const head = plan([onDemand, service("web", [onDemand]), service("api", [onDemand])]);
        assert.deepEqual(capacityRemovalProblems(base, head), [
            "EC2 Spot capacity (fleet:cluster.ec2.spot) is removed while web still run on it in the base plan of prod: ECS refuses " +
                "to detach a capacity provider that services use (ResourceInUseException), so the update would fail half-way. Do it " +
                "in two deploys: first move them off EC2 Spot (capacity: ec2 or fargate-spot in Pulumi.prod.yaml, or " +
                "fleet:cluster.defaultCapacity) with the Spot capacity still set, then remove fleet:cluster.ec2.spot.",
        ]);
    });

    it("once no service of the base runs on it passes", () => {
        const base = plan([onDemand, spot, service("web", [onDemand]), service("api", [onDemand])]);
        assert.deepEqual(capacityRemovalProblems(base, plan([onDemand, service("web", [onDemand]), service("api", [onDemand])])), []);
    });
});
