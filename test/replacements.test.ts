/**
 * Which input changes replace a resource: the provider table as a table test, its coverage of
 * every type the mocks fake, and the diff and review of two small hand-written plans.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { diffPlans } from "../review/diff";
import { replacementPaths, replacementRule, replacementRules } from "../review/replacements";
import { diffLines } from "../review/render";
import { PlanDocument, PlanResource } from "../plan/runProgram";

describe("replacing inputs per resource type", () => {
    // [type, changed path, replaces?]
    const cases: [string, string, boolean][] = [
        ["aws:lb/targetGroup:TargetGroup", "targetType", true],
        ["aws:lb/targetGroup:TargetGroup", "port", true],
        ["aws:lb/targetGroup:TargetGroup", "protocolVersion", true],
        ["aws:lb/targetGroup:TargetGroup", "healthCheck.path", false],
        ["aws:lb/targetGroup:TargetGroup", "deregistrationDelay", false],
        ["aws:lb/targetGroup:TargetGroup", "tags.Name", false],
        ["aws:ecr/repository:Repository", "name", true],
        ["aws:ecr/repository:Repository", "encryptionConfigurations[0].encryptionType", true],
        ["aws:ecr/repository:Repository", "imageScanningConfiguration.scanOnPush", false],
        ["aws:ecr/repository:Repository", "imageTagMutability", false],
        ["aws:cloudwatch/logGroup:LogGroup", "name", true],
        ["aws:cloudwatch/logGroup:LogGroup", "logGroupClass", true],
        ["aws:cloudwatch/logGroup:LogGroup", "retentionInDays", false],
        ["aws:ssm/parameter:Parameter", "name", true],
        ["aws:ssm/parameter:Parameter", "value", false],
        ["aws:ssm/parameter:Parameter", "description", false],
        ["aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions[0].memory", true],
        ["aws:ecs/taskDefinition:TaskDefinition", "family", true],
        ["aws:ecs/taskDefinition:TaskDefinition", "cpu", true],
        ["aws:ecs/taskDefinition:TaskDefinition", "tags.team", false],
        ["aws:ecs/service:Service", "cluster", true],
        ["aws:ecs/service:Service", "launchType", true],
        ["aws:ecs/service:Service", "deploymentController.type", true],
        ["aws:ecs/service:Service", "desiredCount", false],
        ["aws:ecs/service:Service", "taskDefinition", false],
        ["aws:ecs/service:Service", "loadBalancers[0].targetGroupArn", false],
        ["aws:ecs/capacityProvider:CapacityProvider", "autoScalingGroupProvider.autoScalingGroupArn", true],
        ["aws:ecs/capacityProvider:CapacityProvider", "autoScalingGroupProvider", true],
        ["aws:ecs/capacityProvider:CapacityProvider", "autoScalingGroupProvider.managedScaling.targetCapacity", false],
        ["aws:lb/listenerRule:ListenerRule", "listenerArn", true],
        ["aws:lb/listenerRule:ListenerRule", "priority", false],
        ["aws:lb/listenerRule:ListenerRule", "conditions[0].hostHeader.values[0]", false],
        ["aws:lb/listener:Listener", "port", false],
        ["aws:lb/loadBalancer:LoadBalancer", "internal", true],
        ["aws:lb/loadBalancer:LoadBalancer", "idleTimeout", false],
        ["aws:ec2/securityGroup:SecurityGroup", "description", true],
        ["aws:iam/role:Role", "assumeRolePolicy.Statement[0].Principal.Service", false],
        ["aws:iam/rolePolicy:RolePolicy", "policy.Statement[0].Resource", false],
        ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn", true],
        ["aws:ecr/lifecyclePolicy:LifecyclePolicy", "policy.rules[0].selection.countNumber", true],
        ["aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "upstreamRegistryUrl", true],
        ["aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "credentialArn", false],
        ["aws:kms/key:Key", "keyUsage", true],
        ["aws:kms/key:Key", "description", false],
        ["aws:kms/alias:Alias", "targetKeyId", false],
        ["aws:appautoscaling/target:Target", "maxCapacity", false],
        ["aws:appautoscaling/policy:Policy", "targetTrackingScalingPolicyConfiguration.targetValue", false],
        ["random:index/randomPassword:RandomPassword", "length", true],
        ["docker:index/image:Image", "imageName", false],
        ["docker-build:index:Image", "tags[0]", false],
        ["fleet:ecs:Service", "anything", false],
    ];
    for (const [type, changed, replaces] of cases) {
        it(`${type} ${changed} ${replaces ? "replaces" : "updates in place"}`, () => {
            assert.deepEqual(replacementPaths(type, [changed]), replaces ? [changed] : []);
        });
    }

    it("returns only the forcing paths, in the order given", () => {
        assert.deepEqual(replacementPaths("aws:lb/targetGroup:TargetGroup", ["healthCheck.path", "targetType", "port"]), [
            "targetType",
            "port",
        ]);
    });
});

describe("conditional replacements", () => {
    const service = "aws:ecs/service:Service";
    const strategy = (provider: string) => [{ capacityProvider: provider, weight: 1, base: 0 }];
    const cases: [string, string, string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
        [
            "moving capacity with forceNewDeployment",
            service,
            "capacityProviderStrategies[0].capacityProvider",
            { forceNewDeployment: true, capacityProviderStrategies: strategy("FARGATE") },
            { forceNewDeployment: true, capacityProviderStrategies: strategy("FARGATE_SPOT") },
            false,
        ],
        [
            "moving capacity without forceNewDeployment",
            service,
            "capacityProviderStrategies[0].capacityProvider",
            { capacityProviderStrategies: strategy("FARGATE") },
            { capacityProviderStrategies: strategy("FARGATE_SPOT") },
            true,
        ],
        [
            "adding a strategy where there was none",
            service,
            "capacityProviderStrategies",
            { forceNewDeployment: true },
            { forceNewDeployment: true, capacityProviderStrategies: strategy("FARGATE") },
            true,
        ],
        [
            "a rule's CIDR changing value",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "cidrIpv4",
            { cidrIpv4: "10.0.0.0/8" },
            { cidrIpv4: "10.1.0.0/16" },
            false,
        ],
        [
            "a rule's source changing kind",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "cidrIpv4",
            { cidrIpv4: "0.0.0.0/0" },
            { referencedSecurityGroupId: "sg-1" },
            true,
        ],
        ["a parameter tier going down", "aws:ssm/parameter:Parameter", "tier", { tier: "Advanced" }, { tier: "Standard" }, true],
        ["a parameter tier going up", "aws:ssm/parameter:Parameter", "tier", { tier: "Standard" }, { tier: "Advanced" }, false],
        [
            "an ALB gaining a subnet",
            "aws:lb/loadBalancer:LoadBalancer",
            "subnets[2]",
            { subnets: ["a", "b"] },
            { subnets: ["a", "b", "c"] },
            false,
        ],
        [
            "an NLB losing a subnet",
            "aws:lb/loadBalancer:LoadBalancer",
            "subnets[1]",
            { loadBalancerType: "network", subnets: ["a", "b"] },
            { loadBalancerType: "network", subnets: ["a"] },
            true,
        ],
    ];
    for (const [what, type, changed, before, after, replaces] of cases) {
        it(`${what} ${replaces ? "replaces" : "updates in place"}`, () => {
            assert.deepEqual(replacementPaths(type, [changed], { before, after }), replaces ? [changed] : []);
        });
    }

    it("counts a conditional input as replacing when the inputs are not given", () => {
        assert.deepEqual(replacementPaths(service, ["capacityProviderStrategies[0].weight"]), ["capacityProviderStrategies[0].weight"]);
    });
});

describe("the table's coverage", () => {
    it("has a rule, with its source, for every resource type the mocks fake", () => {
        const mocks = fs.readFileSync(path.join(__dirname, "..", "plan", "mocks.ts"), "utf8");
        // Resource tokens only: invokes are `<pkg>:<module>/get<Name>:get<Name>`; the awsx VPC is a remote component;
        // a StackReference (pulumi:pulumi:StackReference) reads a stack's outputs and is never replaced.
        const types = [...mocks.matchAll(/case "([a-z-]+:[^"]+)":/g)]
            .map((m) => m[1])
            .filter((t) => !/\/get[A-Z]/.test(t) && !t.startsWith("awsx:") && !t.startsWith("pulumi:"));
        assert.ok(types.length >= 29, types.join(", "));
        const missing = types.filter((type) => !replacementRule(type));
        assert.deepEqual(missing, []);
        for (const rule of Object.values(replacementRules)) assert.ok(rule.source.length > 20, rule.source);
    });

    it("names inputs the Pulumi SDKs declare", () => {
        const sdk = path.join(__dirname, "..", "node_modules", "@pulumi");
        for (const [type, rule] of Object.entries(replacementRules)) {
            const [pkg, module, cls] = type.split(":");
            const file =
                pkg === "aws"
                    ? path.join("aws", module.split("/")[0], `${module.split("/")[1]}.d.ts`)
                    : pkg === "random"
                      ? path.join("random", `${module.split("/")[1]}.d.ts`)
                      : path.join(pkg, "image.d.ts");
            const text = fs.readFileSync(path.join(sdk, file), "utf8");
            const args = text.slice(text.indexOf(`export interface ${cls}Args`));
            const inputs =
                "allExcept" in rule.replaces
                    ? rule.replaces.allExcept
                    : rule.replaces.map((input) => (typeof input === "string" ? input : input.path));
            for (const input of [...inputs, ...(rule.fixedName ? [rule.fixedName.input] : [])]) {
                const top = input.split(/[.[]/)[0];
                assert.match(args, new RegExp(`\\n\\s+(readonly )?${top}\\??:`), `${type} ${top}`);
            }
        }
    });

    it("marks the names fleet fixes and the types that hold state", () => {
        const fixed = Object.entries(replacementRules)
            .filter(([, rule]) => rule.fixedName)
            .map(([type, rule]) => `${type} ${rule.fixedName!.input} ${rule.fixedName!.reuse}`);
        for (const expected of [
            "aws:ecr/repository:Repository name unique",
            "aws:cloudwatch/logGroup:LogGroup name unique",
            "aws:ssm/parameter:Parameter name unique",
            "aws:kms/alias:Alias name unique",
            "aws:ecs/taskDefinition:TaskDefinition family revision",
        ]) {
            assert.ok(fixed.includes(expected), expected);
        }
        const stateful = Object.keys(replacementRules).filter((type) => replacementRules[type].stateful);
        for (const type of [
            "aws:ecr/repository:Repository",
            "aws:ssm/parameter:Parameter",
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:kms/key:Key",
            "aws:lb/loadBalancer:LoadBalancer",
        ]) {
            assert.ok(stateful.includes(type), type);
        }
    });
});

function resource(name: string, type: string, inputs: Record<string, unknown>, options: Partial<PlanResource> = {}): PlanResource {
    const parent = "urn:pulumi:dev::fleet::fleet:ecs:Service::api";
    return {
        urn: `urn:pulumi:dev::fleet::fleet:ecs:Service$${type}::${name}`,
        type,
        name,
        parent,
        inputs,
        protect: false,
        ignoreChanges: [],
        ...options,
    };
}

function plan(resources: PlanResource[]): PlanDocument {
    return {
        project: "fleet",
        stack: "dev",
        resources: [
            {
                urn: "urn:pulumi:dev::fleet::fleet:ecs:Service::api",
                type: "fleet:ecs:Service",
                name: "api",
                inputs: {},
                protect: false,
                ignoreChanges: [],
            },
            ...resources,
        ],
        outputs: {},
        config: {},
    };
}

describe("the diff of a replacement", () => {
    const tg = (targetType: string, path: string, options: Partial<PlanResource> = {}) =>
        resource("api-tg", "aws:lb/targetGroup:TargetGroup", { port: 8080, targetType, healthCheck: { path } }, options);

    it("makes a target group whose targetType changes a replacement, counted apart from updates", () => {
        const diff = diffPlans(plan([tg("instance", "/health")]), plan([tg("ip", "/ready")]));
        assert.deepEqual(
            { added: diff.added, changed: diff.changed, replaced: diff.replaced, removed: diff.removed },
            { added: 0, changed: 0, replaced: 1, removed: 0 },
        );
        assert.deepEqual(diff.groups, [
            {
                group: "api",
                changes: [
                    {
                        kind: "replace",
                        type: "aws:lb/targetGroup:TargetGroup",
                        name: "api-tg",
                        paths: ["healthCheck.path", "targetType"],
                        values: [
                            { path: "healthCheck.path", before: "/health", after: "/ready" },
                            { path: "targetType", before: "instance", after: "ip" },
                        ],
                        replacedBy: ["targetType"],
                        warnings: [],
                    },
                ],
            },
        ]);
        assert.deepEqual(diffLines(diff, false), [
            "0 to add, 0 to change, 1 to replace, 0 to remove",
            "\n  api:",
            "    +- aws:lb/targetGroup:TargetGroup api-tg (targetType: instance → " +
                "ip, healthCheck.path: /health → /ready); replacement forced by " +
                "targetType",
        ]);
        assert.deepEqual(diffLines(diff, true).slice(2), [
            "- `+-` aws:lb/targetGroup:TargetGroup `api-tg` (targetType: instance " +
                "→ ip, healthCheck.path: /health → /ready); replacement forced by " +
                "`targetType`",
        ]);
    });

    it("keeps a health-check change an update, rendered as before", () => {
        const diff = diffPlans(plan([tg("ip", "/health")]), plan([tg("ip", "/ready")]));
        assert.deepEqual(diffLines(diff, false), [
            "0 to add, 1 to change, 0 to remove",
            "\n  api:",
            "    ~ aws:lb/targetGroup:TargetGroup api-tg (healthCheck.path: /health → /ready)",
        ]);
    });

    it("honours ignoreChanges and replaceOnChanges", () => {
        const ignoring = diffPlans(plan([tg("instance", "/h")]), plan([tg("ip", "/h", { ignoreChanges: ["targetType"] })]));
        assert.equal(ignoring.groups[0].changes[0].kind, "change");
        const declared = diffPlans(plan([tg("ip", "/health")]), plan([tg("ip", "/ready", { replaceOnChanges: ["healthCheck"] })]));
        assert.deepEqual(declared.groups[0].changes[0].replacedBy, ["healthCheck.path"]);
    });

    describe("warnings", () => {
        const logs = (inputs: Record<string, unknown>, options: Partial<PlanResource> = {}) =>
            resource("api-logs", "aws:cloudwatch/logGroup:LogGroup", { name: "/fleet/dev/api", retentionInDays: 7, ...inputs }, options);
        const warningsOf = (base: PlanResource, head: PlanResource) => diffPlans(plan([base]), plan([head])).groups[0].changes[0].warnings;

        it("says a fixed-name resource replaced under its name is deleted first, and what it loses", () => {
            const head = logs({ logGroupClass: "INFREQUENT_ACCESS" }, { deleteBeforeReplace: true });
            assert.deepEqual(warningsOf(logs({ logGroupClass: "STANDARD" }), head), [
                "keeps its fixed name /fleet/dev/api: deleted before the new one is created, so it is missing in between",
                "stateful: its log events are deleted",
            ]);
            const diff = diffPlans(plan([logs({ logGroupClass: "STANDARD" })]), plan([head]));
            assert.deepEqual(diffLines(diff, false).slice(2), [
                "    +- aws:cloudwatch/logGroup:LogGroup api-logs (logGroupClass: STANDARD → INFREQUENT_ACCESS), forcing replacement",
                "       ! keeps its fixed name /fleet/dev/api: deleted before the new one is created, so it is missing in between",
                "       ! stateful: its log events are deleted",
            ]);
            assert.deepEqual(diffLines(diff, true).slice(3), [
                "  - :warning: keeps its fixed name /fleet/dev/api: deleted before the new one is created, so it is missing in between",
                "  - :warning: stateful: its log events are deleted",
            ]);
        });

        it("says a renamed stateful resource loses its state, without a name clash", () => {
            assert.deepEqual(warningsOf(logs({}), logs({ name: "/fleet/dev/api-v2" }, { deleteBeforeReplace: true })), [
                "stateful: its log events are deleted",
            ]);
        });

        it("says a protected resource cannot be replaced", () => {
            assert.deepEqual(warningsOf(logs({}), logs({ name: "/fleet/dev/api-v2" }, { protect: true })), [
                "protected: the engine refuses to replace it; unprotect it in one update first, or revert the change",
            ]);
        });

        it("says a lifecycle policy replaced create-first is removed by the old one's delete", () => {
            const policy = (count: number) =>
                resource("api-repo-lifecycle", "aws:ecr/lifecyclePolicy:LifecyclePolicy", {
                    repository: "fleet-dev/api",
                    policy: JSON.stringify({ rules: [{ selection: { countNumber: count } }] }),
                });
            assert.deepEqual(warningsOf(policy(20), policy(10)), [
                "keeps its fixed repository fleet-dev/api: the new one takes the old " +
                    "one's place, then deleting the old one removes it; it needs " +
                    "deleteBeforeReplace",
            ]);
        });

        it("says nothing of a task definition's family: a new revision never collides", () => {
            const taskdef = (memory: number) =>
                resource("api-taskdef", "aws:ecs/taskDefinition:TaskDefinition", {
                    family: "fleet-dev-api",
                    containerDefinitions: JSON.stringify([{ memory }]),
                });
            const change = diffPlans(plan([taskdef(256)]), plan([taskdef(512)])).groups[0].changes[0];
            assert.deepEqual([change.kind, change.replacedBy, change.warnings], ["replace", ["containerDefinitions[0].memory"], []]);
        });
    });
});
