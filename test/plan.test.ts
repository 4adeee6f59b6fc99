/**
 * The whole program through the offline plan, per stack file, as a user runs it:
 * `npm run plan -- --stack <name> --json <file>` in a child process. It plans the tests' own
 * fleet (test/fixtures/catalog.ts with test/fixtures/stacks/Pulumi.{dev,prod}.yaml), never the
 * user's services/ and stack files: those get only shipped.test.ts's properties.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PlanDocument, PlanResource, RefusalDocument } from "../plan/runProgram";
import { planFacts } from "../review/facts";
import { modelSectionVersion } from "../review/modelSection";
import { addedName } from "./fixtures/catalogPlusOne";
import { onFixtures, PlanCliRun as Run, runPlanCli } from "./support/planCli";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-plan-"));

let runCount = 0;

/** Plans a fixture stack (dev or prod of test/fixtures/stacks) with a fixture catalog. */
function plan(stack: string, catalog = "catalog.ts", extra: string[] = []): Promise<Run> {
    // Every run its own file: runs of one stack and catalog go concurrently.
    const json = path.join(scratch, `${++runCount}-${stack}-${path.basename(catalog, ".ts")}.json`);
    return runPlanCli(["--stack", stack, ...onFixtures(catalog), ...extra], { json });
}

const runs: Record<string, Run> = {};
before(async () => {
    // Plans that need no base plan start with the base plans, so both cores stay busy.
    const [dev, prod, invalid, passwordProd, passwordDev] = await Promise.all([
        plan("dev", undefined, ["--policy"]),
        plan("prod", undefined, ["--policy"]),
        plan("dev", "catalogInvalid.ts"),
        // No --policy: the policy runs on every plan.
        plan("prod", "catalogPasswordInEnv.ts"),
        plan("dev", "catalogPasswordInEnv.ts"),
    ]);
    Object.assign(runs, { dev, prod, invalid, passwordProd, passwordDev });
    // The pull-request view: one catalog change against the base plan, as Markdown (its plan is
    // also the one that proves an added service changes nothing else); guardrails.
    const prodBase = path.join(scratch, "prod-base.json");
    fs.copyFileSync(runs.prod.json, prodBase);
    // `-c` reads like the stack file: `services.<name>=null` drops one override, the others stay.
    const without = (name: string) => `services.${name}=null`;
    const retireWorker = (entry: object) => [
        "--against",
        prodBase,
        "-c",
        without("worker"),
        "-c",
        `retired=${JSON.stringify({ worker: entry })}`,
    ];
    const [
        review,
        docsRemoved,
        workerRetiredBare,
        workerRetired,
        overrideEdited,
        workerReleasedForgetting,
        docsOnDemand,
        devOnEc2,
        docsRenamed,
    ] = await Promise.all([
        plan("dev", "catalogPlusOne.ts", ["--against", runs.dev.json, "--markdown", path.join(scratch, "review.md")]),
        plan("prod", "catalogMinusOne.ts", ["--against", prodBase, "-c", without("docs")]),
        plan("prod", "catalogMinusWorker.ts", retireWorker({ reason: "folded into the api service" })),
        plan(
            "prod",
            "catalogMinusWorker.ts",
            retireWorker({ reason: "folded into the api service", repository: true, parameters: ["DATABASE_PASSWORD"] }),
        ),
        plan("dev", undefined, ["--against", runs.dev.json, "-c", "services.api.memory.limit=448"]),
        plan("prod", "catalogMinusWorker.ts", retireWorker({ reason: "folded into the api service", repository: true, release: true })),
        plan("dev", undefined, ["--against", runs.dev.json, "-c", "services.docs.capacity=fargate"]),
        // -c in order: EC2 capacity first, then the default that needs it.
        plan("dev", undefined, [
            "--against",
            runs.dev.json,
            "-c",
            "cluster.ec2={ instanceType: t3.medium, minSize: 1, maxSize: 3 }",
            "-c",
            "cluster.defaultCapacity=ec2",
        ]),
        plan("dev", undefined, ["--against", runs.dev.json, "-c", "services.docs.routes=[{ host: manual }]"]),
    ]);
    Object.assign(runs, {
        review,
        docsRemoved,
        workerRetiredBare,
        workerRetired,
        overrideEdited,
        workerReleasedForgetting,
        docsOnDemand,
        devOnEc2,
        docsRenamed,
    });
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const ofType = (p: PlanDocument, type: string) => p.resources.filter((r) => r.type === type);
const containersOf = (p: PlanDocument) =>
    ofType(p, "aws:ecs/taskDefinition:TaskDefinition").flatMap(
        (t) => JSON.parse(String(t.inputs.containerDefinitions)) as Record<string, any>[],
    );

for (const stack of ["dev", "prod"]) {
    describe(`the ${stack} plan`, () => {
        const p = () => {
            const run = runs[stack];
            assert.equal(run.code, 0, run.stderr);
            return run.plan!;
        };

        it("carries the model section the reports read, of this version of fleet", () => {
            const plan = p();
            assert.equal(plan.model?.version, modelSectionVersion);
            assert.deepEqual(
                planFacts(plan)?.services.map((s) => s.name),
                plan.resources.filter((r) => r.type === "fleet:ecs:Service").map((r) => r.name),
            );
        });

        it("prints the verdict first, then routing, memory and cost", () => {
            const enforcement = stack === "prod" ? "mandatory" : "advisory";
            const waived = stack === "prod" ? 0 : 3;
            const all = runs[stack].stdout.split("\n");
            // The fixture's prod stack costs more on EC2 than on Fargate: the verdict says so first.
            const overFargate =
                /^ {2}cost over Fargate {2}\$\d+\.\d\d a month more than the same fleet on Fargate on-demand behind one shared ALB /;
            assert.equal(overFargate.test(all[1]), stack === "prod", all[1]);
            const lines = stack === "prod" ? [all[0], ...all.slice(2)] : all;
            assert.deepEqual(lines.slice(0, 3), [
                `Plan of fleet/${stack}: passes`,
                `  policy             passed (${enforcement}): 0 violations, ${waived} waived`,
                "  deletions refused  none",
            ]);
            assert.match(lines[3], new RegExp(`^ {2}resources {10}${p().resources.length} to create \\(\\d+ protected\\), 5 services$`));
            assert.match(lines[4], /^ {2}cost {15}\$\d+\.\d\d a month$/);
            assert.match(runs[stack].stdout, /^priority\s+from\s+host\s+path\s+service\s+target group\s+note$/m);
            assert.match(
                runs[stack].stdout,
                /^service\s+capacity\s+reservation \(MiB\)\s+limit \(MiB\)\s+cpu\s+task size \(cpu\/MiB\)\s+tasks \(min-max\)$/m,
            );
            assert.match(runs[stack].stdout, /^Monthly cost estimate \(us-east-1\):$/m);
        });

        it("has one load balancer and one target group per routed service", () => {
            assert.equal(ofType(p(), "aws:lb/loadBalancer:LoadBalancer").length, 1);
            assert.equal(ofType(p(), "aws:lb/targetGroup:TargetGroup").length, 4);
            assert.equal(ofType(p(), "fleet:ecs:Service").length, 5);
        });

        it("gives every listener rule a unique priority within AWS's range", () => {
            const priorities = ofType(p(), "aws:lb/listenerRule:ListenerRule").map((r) => Number(r.inputs.priority));
            assert.equal(priorities.length, 5);
            assert.equal(new Set(priorities).size, priorities.length);
            for (const priority of priorities) assert.ok(priority >= 1 && priority <= 50000, String(priority));
        });

        it("hardens every container: read-only root, tmpfs /tmp, non-root, init, no capabilities", () => {
            for (const container of containersOf(p())) {
                assert.equal(container.readonlyRootFilesystem, true, container.name);
                assert.notEqual(container.user, undefined, container.name);
                assert.doesNotMatch(container.user, /^(root|0)(:|$)/, container.name);
                assert.equal(container.linuxParameters.initProcessEnabled, true, container.name);
                assert.deepEqual(container.linuxParameters.capabilities, { drop: ["ALL"] }, container.name);
                assert.equal(container.linuxParameters.tmpfs[0].containerPath, "/tmp", container.name);
                assert.notEqual(container.privileged, true, container.name);
            }
        });

        it("creates every ECS service after the capacity-provider association, and deletes it before", () => {
            const [association] = ofType(p(), "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
            for (const service of ofType(p(), "aws:ecs/service:Service")) {
                assert.ok(
                    service.propertyDependencies?.cluster?.includes(association.urn),
                    `${service.name} takes its cluster from the association`,
                );
                assert.ok(service.dependencies?.includes(association.urn), service.name);
            }
        });

        it("moves a service between capacities by an update: forceNewDeployment on every ECS service", () => {
            for (const service of ofType(p(), "aws:ecs/service:Service"))
                assert.equal(service.inputs.forceNewDeployment, true, service.name);
        });

        it("makes services whose image comes through the cache wait for its rule, template and template role", () => {
            const rules = ofType(p(), "aws:ecr/pullThroughCacheRule:PullThroughCacheRule");
            const templates = ofType(p(), "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate");
            let cached = 0;
            for (const taskDefinition of ofType(p(), "aws:ecs/taskDefinition:TaskDefinition")) {
                const image = String(JSON.parse(String(taskDefinition.inputs.containerDefinitions))[0].image);
                const rule = rules.find((r) => image.includes(`.amazonaws.com/${r.inputs.ecrRepositoryPrefix}/`));
                if (!rule) continue;
                cached++;
                const template = templates.find((t) => t.inputs.prefix === rule.inputs.ecrRepositoryPrefix)!;
                const service = ofType(p(), "aws:ecs/service:Service").find((s) => s.parent === taskDefinition.parent)!;
                assert.ok(service.dependencies?.includes(rule.urn), `${service.name} waits for ${rule.name}`);
                assert.ok(service.dependencies?.includes(template.urn), `${service.name} waits for ${template.name}`);
            }
            assert.ok(cached > 0 || rules.length === 0, "at least one service uses the cache this stack configures");
        });

        it("gives every tagging creation template a role ECR may assume to create and tag, under the cache prefixes only", () => {
            for (const template of ofType(p(), "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate")) {
                assert.ok(template.inputs.resourceTags, template.name);
                const role = ofType(p(), "aws:iam/role:Role").find((r) =>
                    String(template.inputs.customRoleArn).includes(`:role/${r.name}-`),
                )!;
                assert.ok(role, `${template.name} names its role`);
                assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal, { Service: "ecr.amazonaws.com" });
                const policy = ofType(p(), "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === role.name)!;
                const statement = JSON.parse(String(policy.inputs.policy)).Statement[0];
                assert.deepEqual(statement.Action, ["ecr:CreateRepository", "ecr:TagResource"]);
                assert.ok(
                    statement.Resource.includes(`arn:aws:ecr:us-east-1:123456789012:repository/${template.inputs.prefix}/*`),
                    JSON.stringify(statement.Resource),
                );
                assert.ok(template.dependencies?.includes(policy.urn), "the role may create before ECR first assumes it");
            }
        });

        it("replaces fixed-name resources delete-first unless protected", () => {
            const fixed = p().resources.filter((r) =>
                ["aws:ecr/repository:Repository", "aws:cloudwatch/logGroup:LogGroup", "aws:ssm/parameter:Parameter"].includes(r.type),
            );
            assert.ok(fixed.length > 0);
            for (const resource of fixed) assert.equal(resource.deleteBeforeReplace, !resource.protect, resource.name);
            for (const alias of ofType(p(), "aws:kms/alias:Alias")) assert.equal(alias.deleteBeforeReplace, true, alias.name);
        });

        it("sets a soft reservation strictly below the hard limit on every container", () => {
            for (const container of containersOf(p())) {
                assert.ok(
                    container.memoryReservation < container.memory,
                    `${container.name}: ${container.memoryReservation} < ${container.memory}`,
                );
            }
        });

        it("passes secrets only by SSM reference and never prints a secret", () => {
            const secretNames = new Set<string>();
            for (const container of containersOf(p())) {
                for (const secret of container.secrets) {
                    assert.match(secret.valueFrom, /^arn:aws:ssm:us-east-1:123456789012:parameter\//);
                    secretNames.add(secret.name);
                }
                for (const variable of container.environment) assert.ok(!secretNames.has(variable.name), variable.name);
            }
            assert.ok(secretNames.has("DATABASE_PASSWORD") && secretNames.has("SESSION_KEY"));
            // An existing parameter is referenced by its ARN, not created.
            const web = containersOf(p()).find((c) => c.name === "web")!;
            assert.deepEqual(web.secrets, [
                { name: "THIRD_PARTY_TOKEN", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/shared/third-party/token" },
            ]);
            assert.ok(
                !ofType(p(), "aws:ssm/parameter:Parameter").some((r) => r.name === "web-THIRD_PARTY_TOKEN"),
                "an existing parameter is not created",
            );
            for (const parameter of ofType(p(), "aws:ssm/parameter:Parameter")) {
                assert.equal(parameter.inputs.type, "SecureString");
                assert.equal(parameter.inputs.value, "[secret]");
            }
            const text = JSON.stringify(p()) + runs[stack].stdout;
            assert.doesNotMatch(text, /mock-[0-9a-f]{16}/, "a generated password leaked");
            assert.doesNotMatch(text, /v1:[A-Za-z0-9]{8,}/, "a secure config ciphertext leaked");
            assert.equal(p().config["fleet:apiDatabasePassword"], "[secret]");
        });

        it("caches upstream registries through pull-through rules", () => {
            const prefixes = ofType(p(), "aws:ecr/pullThroughCacheRule:PullThroughCacheRule").map((r) => r.inputs.ecrRepositoryPrefix);
            assert.deepEqual(
                prefixes,
                stack === "dev"
                    ? ["fleet-dev-cache/ecr-public", "fleet-dev-cache/docker-hub"]
                    : ["fleet-prod-cache/ecr-public", "fleet-prod-cache/quay", "fleet-prod-cache/docker-hub", "fleet-prod-cache/ghcr"],
            );
            const images = containersOf(p()).map((c) => c.image);
            assert.ok(
                images.includes(`123456789012.dkr.ecr.us-east-1.amazonaws.com/fleet-${stack}-cache/docker-hub/hashicorp/http-echo:1.0`),
            );
            assert.ok(
                images.includes(
                    `123456789012.dkr.ecr.us-east-1.amazonaws.com/fleet-${stack}-cache/ecr-public/nginx/nginx-unprivileged:1.27-alpine`,
                ),
            );
        });
    });
}

describe("dev and prod differ only through their stack files", () => {
    it("dev runs on Fargate Spot over HTTP with nothing protected", () => {
        const p = runs.dev.plan!;
        const strategies = ofType(p, "aws:ecs/service:Service").map(
            (s) => (s.inputs.capacityProviderStrategies as any[])[0].capacityProvider,
        );
        assert.deepEqual([...new Set(strategies)], ["FARGATE_SPOT"]);
        assert.deepEqual(
            ofType(p, "aws:lb/listener:Listener").map((l) => l.inputs.protocol),
            ["HTTP"],
        );
        assert.equal(
            ofType(p, "awsx:ec2:Vpc")[0].inputs.natGateways && (ofType(p, "awsx:ec2:Vpc")[0].inputs.natGateways as any).strategy,
            "Single",
        );
        assert.deepEqual(
            p.resources.filter((r) => r.protect),
            [],
        );
        assert.equal(ofType(p, "aws:autoscaling/group:Group").length, 0);
    });

    it("prod bin-packs most services on EC2, serves HTTPS and protects stateful resources", () => {
        const p = runs.prod.plan!;
        const ec2Services = ofType(p, "aws:ecs/service:Service").filter((s) => s.inputs.orderedPlacementStrategies);
        assert.equal(ec2Services.length, 4);
        for (const service of ec2Services) {
            assert.deepEqual(service.inputs.orderedPlacementStrategies, [
                { type: "spread", field: "attribute:ecs.availability-zone" },
                { type: "binpack", field: "memory" },
            ]);
        }
        assert.deepEqual(
            ofType(p, "aws:lb/listener:Listener")
                .map((l) => l.inputs.protocol)
                .sort(),
            ["HTTP", "HTTPS"],
        );
        assert.equal((ofType(p, "awsx:ec2:Vpc")[0].inputs.natGateways as any).strategy, "OnePerAz");
        const stateful = [
            "aws:ecr/repository:Repository",
            "aws:ssm/parameter:Parameter",
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:lb/loadBalancer:LoadBalancer",
            "aws:kms/key:Key",
        ];
        for (const type of stateful) {
            const resources = ofType(p, type);
            assert.ok(resources.length > 0, type);
            for (const r of resources) assert.equal(r.protect, true, `${type} ${r.name}`);
        }
        for (const group of ofType(p, "aws:cloudwatch/logGroup:LogGroup")) assert.equal(group.inputs.retentionInDays, 90);
    });
});

function byUrn(p: PlanDocument): Map<string, PlanResource> {
    return new Map(p.resources.map((r) => [r.urn, r]));
}

/** URNs whose inputs differ between two plans, or that exist in only one. */
function changedUrns(a: PlanDocument, b: PlanDocument): string[] {
    const left = byUrn(a);
    const right = byUrn(b);
    const urns = new Set([...left.keys(), ...right.keys()]);
    return [...urns].filter((urn) => JSON.stringify(left.get(urn)?.inputs) !== JSON.stringify(right.get(urn)?.inputs)).sort();
}

/** Whether a URN is the `fleet:ecs:Service` component `service` or one of its children (named `<service>-...`). */
function belongsToService(urn: string, service: string): boolean {
    const parts = urn.split("::");
    const typeChain = parts[2];
    const name = parts[parts.length - 1];
    return typeChain.startsWith("fleet:ecs:Service") && (name === service || name.startsWith(`${service}-`));
}

describe("adding or removing a service changes only that service's resources", () => {
    it("adding one catalog key adds its resources and nothing else", () => {
        assert.equal(runs.review.code, 0, runs.review.stderr);
        const changed = changedUrns(runs.dev.plan!, runs.review.plan!);
        assert.ok(changed.length >= 10, `the new service registers its resources (${changed.length})`);
        for (const urn of changed) assert.ok(belongsToService(urn, addedName), urn);
        // Including every other service's rule priority.
        const priorities = (p: PlanDocument) =>
            Object.fromEntries(ofType(p, "aws:lb/listenerRule:ListenerRule").map((r) => [r.name, r.inputs.priority]));
        const before = priorities(runs.dev.plan!);
        const after = priorities(runs.review.plan!);
        for (const [name, priority] of Object.entries(before)) assert.equal(after[name], priority, name);
    });

    it("removing one catalog key removes its resources and nothing else", () => {
        // The prod plan without docs, refused by the guardrail below yet written in full.
        assert.ok(runs.docsRemoved.plan, runs.docsRemoved.stderr);
        const changed = changedUrns(runs.prod.plan!, runs.docsRemoved.plan!);
        assert.ok(changed.length >= 8);
        for (const urn of changed) assert.ok(belongsToService(urn, "docs"), urn);
    });
});

describe("policy in the plan", () => {
    it("passes prod's mandatory controls and dev's advisory ones, showing dev's waivers", () => {
        assert.equal(runs.prod.code, 0, runs.prod.stderr);
        assert.match(runs.prod.stdout, /^Policy \(mandatory\): 0 violation\(s\), 0 waived\.$/m);
        const prodPolicy = (runs.prod.plan as any).policy;
        assert.equal(prodPolicy.enforcement, "mandatory");
        assert.deepEqual(prodPolicy.violations, []);
        assert.match(runs.dev.stdout, /^Policy \(advisory\): 0 violation\(s\), 3 waived\.$/m);
        assert.match(
            runs.dev.stdout,
            /^ {2}ELB\.1 for platform: dev has no certificate yet so its listener serves plain HTTP \(1 waived\)$/m,
        );
        assert.deepEqual(
            (runs.dev.plan as any).policy.violations.map((v: any) => [v.control, v.waived !== undefined]),
            [
                ["ELB.1", true],
                ["ELB.5", true],
                ["ELB.6", true],
            ],
        );
    });

    it("fails prod on a password in the environment, naming ECS.8 but never the value", () => {
        const run = runs.passwordProd;
        assert.equal(run.code, 1);
        assert.match(
            run.stdout,
            new RegExp(
                String.raw`^ {2}error: \[ECS\.8\] aws:ecs/taskDefinition:TaskDefinition worker-taskdef ` +
                    String.raw`\(service worker\): container worker passes ADMIN_PASSWORD, DATABASE_URL \(its ` +
                    String.raw`value looks like a URL with a password\) in its plain environment\. Fix: move ` +
                    String.raw`ADMIN_PASSWORD, DATABASE_URL from env to secrets in the catalog \(SSM, by ` +
                    String.raw`reference\), or waive ECS\.8 for worker with a reason in ` +
                    String.raw`fleet:policy\.waivers\.$`,
                "m",
            ),
        );
        assert.match(run.stdout, /^Plan of fleet\/prod: fails: 1 mandatory policy violation\(s\)$/m);
        assert.match(run.stderr, /^1 mandatory policy violation\(s\): see above$/m);
        assert.doesNotMatch(run.stdout + run.stderr, /hunter[23]/);
    });

    it("only warns in dev", () => {
        const run = runs.passwordDev;
        assert.equal(run.code, 0, run.stderr);
        assert.match(
            run.stdout,
            new RegExp(
                String.raw`^ {2}warning: \[ECS\.8\] aws:ecs/taskDefinition:TaskDefinition worker-taskdef ` +
                    String.raw`\(service worker\): container worker passes ADMIN_PASSWORD`,
                "m",
            ),
        );
        assert.doesNotMatch(run.stdout + run.stderr, /hunter[23]/);
    });
});

describe("production safety against the base plan", () => {
    it("refuses a service that disappears from prod without being retired", () => {
        const run = runs.docsRemoved;
        assert.equal(run.code, 1);
        assert.match(
            run.stdout,
            new RegExp(
                String.raw`^ {2}error: service "docs" is in the base plan of prod but not in this one: ` +
                    String.raw`removing it would delete it from a stack that guards deletions ` +
                    String.raw`\(fleet:protect\)\. Restore its catalog entry, or retire it on purpose: add ` +
                    String.raw`fleet:retired\.docs with a reason to Pulumi\.prod\.yaml\.$`,
                "m",
            ),
        );
    });

    it("makes a retirement keep the repository and parameters, or release them", () => {
        const run = runs.workerRetiredBare;
        assert.equal(run.code, 1);
        assert.match(
            run.stdout,
            new RegExp(
                String.raw`^ {2}error: retired service "worker" had the repository fleet-prod/worker: set ` +
                    String.raw`fleet:retired\.worker\.repository: true in Pulumi\.prod\.yaml to keep it, or ` +
                    String.raw`release: true to let it go\.$`,
                "m",
            ),
        );
        assert.match(
            run.stdout,
            new RegExp(
                String.raw`^ {2}error: retired service "worker" had the parameters DATABASE_PASSWORD: list ` +
                    String.raw`them under fleet:retired\.worker\.parameters in Pulumi\.prod\.yaml to keep ` +
                    String.raw`them, or release: true to let them go\.$`,
                "m",
            ),
        );
    });

    it("refuses to delete what the base protects, even when a release forgets to list it", () => {
        const run = runs.workerReleasedForgetting;
        assert.equal(run.code, 1, run.stdout);
        assert.match(
            run.stdout,
            new RegExp(
                String.raw`^ {2}error: aws:ssm/parameter:Parameter "worker-DATABASE_PASSWORD" of service ` +
                    String.raw`"worker" is protected in the base plan of prod and this plan deletes it: the ` +
                    String.raw`engine refuses to delete a protected resource\. To delete it on purpose, ` +
                    String.raw`unprotect it in one update \(e\.g\. list it under fleet:retired\.worker with ` +
                    String.raw`release: true in Pulumi\.prod\.yaml\), then remove it in the next\.$`,
                "m",
            ),
        );
        assert.match(run.stderr, /^1 deletion\(s\) refused: see above$/m);
    });

    it("retires a service: its tasks go, its log group, repository and parameters stay, protected", () => {
        const run = runs.workerRetired;
        assert.equal(run.code, 0, run.stdout + run.stderr);
        const section = run.stdout.slice(run.stdout.indexOf("Changes against"), run.stdout.indexOf("Monthly cost:"));
        assert.match(section, /^Changes against fleet\/prod: 0 to add, 0 to change, \d+ to remove$/m);
        assert.match(section, /^ {4}- aws:ecs\/service:Service worker$/m);
        for (const kept of [
            "aws:ecr/repository:Repository worker-repo",
            "aws:ssm/parameter:Parameter worker-DATABASE_PASSWORD",
            "aws:cloudwatch/logGroup:LogGroup worker-logs",
        ]) {
            assert.doesNotMatch(section, new RegExp(kept.replace(/[/.]/g, "\\$&")), kept);
        }
        const kept = run.plan!.resources.filter((r) => ["worker-repo", "worker-DATABASE_PASSWORD", "worker-logs"].includes(r.name));
        assert.deepEqual(kept.map((r) => [r.name, r.protect]).sort(), [
            ["worker-DATABASE_PASSWORD", true],
            ["worker-logs", true],
            ["worker-repo", true],
        ]);
    });
});

/** The text between two headings of a report. */
const between = (text: string, start: string, end: string) => text.slice(text.indexOf(start), text.indexOf(end, text.indexOf(start)));
const block = (text: string, start: string) => between(text, start, "\n\n").split("\n");

describe("the review of a change", () => {
    it("prints the diff grouped by service and the change in monthly cost", () => {
        const run = runs.review;
        assert.equal(run.code, 0, run.stderr);
        const section = between(run.stdout, "Changes against", "\nPolicy (");
        assert.match(section, /^Changes against fleet\/dev: \d+ to add, 0 to change, 0 to remove$/m);
        assert.deepEqual(
            section.split("\n").filter((line) => /^ {2}\S.*:$/.test(line)),
            [`  ${addedName}:`],
            "only the new service's group",
        );
        assert.match(section, new RegExp(`^ {4}\\+ aws:ecs/service:Service ${addedName}$`, "m"));
        assert.match(run.stdout, /^ {2}cost {15}\$\d+\.\d\d → \$\d+\.\d\d a month \(\+\$\d+\.\d\d\)$/m);
        assert.match(run.stdout, new RegExp(`^ {2}new services {7}${addedName}$`, "m"));
    });

    it("opens with the verdict and says a memory change with its old and new values", () => {
        const run = runs.overrideEdited;
        assert.equal(run.code, 0, run.stderr);
        const verdict = block(run.stdout, "Plan of");
        assert.deepEqual(verdict.slice(0, 6), [
            "Plan of fleet/dev: passes",
            "  policy             passed (advisory): 0 violations, 3 waived",
            "  deletions refused  none",
            "  changes            0 to add, 0 to change, 1 to replace, 0 to remove against fleet/dev",
            // Every replacement the changes count, the task definition's new revision too.
            "  replacements       1 task definition (a new revision for each service that redeploys)",
            "  redeploys          api",
        ]);
        // The same bill in cents: no change, said as none.
        assert.match(verdict[6], /^ {2}cost {15}\$\d+\.\d\d a month, unchanged$/);
        assert.deepEqual(block(run.stdout, "Changes per service:"), [
            "Changes per service:",
            "  api: redeploys: memory limit 384 → 448 MiB",
        ]);
        // A task definition revision is immutable: a new container definition replaces it.
        assert.deepEqual(between(run.stdout, "Changes against", "\nPolicy (").trim().split("\n"), [
            "Changes against fleet/dev: 0 to add, 0 to change, 1 to replace, 0 to remove",
            "",
            "  api:",
            "    +- aws:ecs/taskDefinition:TaskDefinition api-taskdef " +
                "(containerDefinitions[0].memory: 384 → 448, " +
                "containerDefinitions[0].linuxParameters.tmpfs[0].size: 96 → 112), " +
                "forcing replacement",
        ]);
        const diff = (run.plan as any).review.diff;
        assert.equal(diff.against, "fleet/dev");
        assert.deepEqual(diff.services.api.replaced[0].values, [
            { path: "containerDefinitions[0].linuxParameters.tmpfs[0].size", before: 96, after: 112 },
            { path: "containerDefinitions[0].memory", before: 384, after: 448 },
        ]);
        assert.equal(diff.services.api.redeploys, true);
    });

    it("moves a service to another capacity as an update of its ECS service, not a replacement", () => {
        const run = runs.docsOnDemand;
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(block(run.stdout, "Changes per service:"), [
            "Changes per service:",
            "  docs: redeploys: capacity fargate-spot → fargate",
        ]);
        assert.deepEqual(between(run.stdout, "Changes against", "\nPolicy (").trim().split("\n"), [
            "Changes against fleet/dev: 0 to add, 1 to change, 0 to remove",
            "",
            "  docs:",
            "    ~ aws:ecs/service:Service docs (capacityProviderStrategies[0].capacityProvider: FARGATE_SPOT → FARGATE)",
        ]);
    });

    it("says a move to EC2 replaces each ECS service (awsvpc → bridge) and routed service's target group (ip → instance targets)", () => {
        const run = runs.devOnEc2;
        assert.equal(run.code, 0, run.stderr);
        assert.equal(
            block(run.stdout, "Plan of")[4],
            "  replacements       target group api-tg (api); service api (api); target group docs-tg (docs); service docs (docs); " +
                "target group status-tg (status); service status (status); target group web-tg (web); service web (web); " +
                "service worker (worker); 5 task definitions (a new revision for each service that redeploys)",
        );
        assert.match(run.stdout, /^ {2}worker: redeploys: .*; replaces service worker: network mode and protocol awsvpc → bridge$/m);
        assert.deepEqual(block(run.stdout, "Changes per service:").slice(2, 4), [
            "  api: redeploys: capacity fargate-spot → ec2; Fargate size 256/512 → none; replaces target group api-tg: target type " +
                "ip → instance; replaces service api: network mode and protocol awsvpc → bridge",
            "  docs: redeploys: capacity fargate-spot → ec2; Fargate size 256/512 → none; replaces target group docs-tg: target " +
                "type ip → instance; replaces service docs: network mode and protocol awsvpc → bridge",
        ]);
        assert.match(run.stdout, /^ {4}\+- aws:lb\/targetGroup:TargetGroup api-tg \(targetType: ip → instance\), forcing replacement$/m);
    });

    it("says a route rename in words and flags the new host for DNS", () => {
        const run = runs.docsRenamed;
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(block(run.stdout, "Changes per service:"), [
            "Changes per service:",
            "  docs: route docs.dev.fleet.example.com → " +
                "manual.dev.fleet.example.com; new host manual.dev.fleet.example.com: " +
                "needs a DNS record for the load balancer",
        ]);
        assert.equal(block(run.stdout, "Plan of")[5], "  redeploys          none");
    });

    it("writes a pull-request comment: the changes in words first, then the verdict, the rest folded", () => {
        const markdown = fs.readFileSync(path.join(scratch, "review.md"), "utf8");
        const lines = markdown.split("\n");
        assert.equal(lines[0], "### fleet plan: `dev` passes");
        assert.match(lines[2], /^#### Changes against `dev`: \d+ to add, 0 to change, 0 to remove$/);
        // The new service as a reviewer needs it: its routes, where and how many tasks run, its secrets.
        assert.match(
            lines[4],
            new RegExp(
                `^- \\*\\*${addedName}\\*\\* \\(new, \\$\\d+\\.\\d\\d a month\\): ` +
                    `routes ${addedName}\\.dev\\.fleet\\.example\\.com, /${addedName}/\\* on any host to port 80 \\(http\\)$`,
            ),
        );
        assert.deepEqual(lines.slice(5, 7), [
            "  - on Fargate Spot 256/512, 1 task; memory reservation 64 MiB, limit 128 MiB; 256 CPU units",
            "  - secrets: ARCHIVE_TOKEN generated",
        ]);
        assert.match(markdown, /^\| policy \| passed \(advisory\): 0 violations, 3 waived \|$/m);
        assert.match(markdown, /^\| cost \| \$\d+\.\d\d → \$\d+\.\d\d a month \(\+\$\d+\.\d\d\) \|$/m);
        // The rest once, folded: the new service's resources counted, the bill; its rows are its words above.
        assert.match(markdown, /^<summary>What changed in detail: resources, monthly cost<\/summary>$/m);
        assert.match(markdown, new RegExp(`^- \\*\\*${addedName}\\*\\* \`\\+\` \\d+: component, `, "m"));
        assert.doesNotMatch(markdown, /mock-[0-9a-f]{16}/);
    });
});

describe("an invalid catalog", () => {
    it("exits 1 listing every problem, with no stack trace and nothing registered", () => {
        const run = runs.invalid;
        assert.equal(run.code, 1);
        assert.equal(run.stdout, "");
        const lines = run.stderr.trim().split("\n");
        assert.deepEqual(lines, [
            "fleet: 5 problem(s) in services/index.ts or Pulumi.dev.yaml; nothing was changed:",
            // Pulumi.dev.yaml tunes api, which this catalog lacks: an orphaned override is an error too.
            "  - stack config fleet:services.api: api = (value not shown): " +
                "overrides a service that is not in the catalog; fix the name or " +
                "remove the override.",
            '  - service "Bad_Name": name = "Bad_Name": has characters a DNS label ' +
                'cannot have ("B", "_", "N"); a service name is a DNS label of 2-63 ' +
                "lowercase letters, digits and hyphens, starting with a letter and " +
                "ending with a letter or digit, with no two hyphens in a row (ECR " +
                "repository names refuse them); rename the catalog key, e.g. to bad-name.",
            '  - service "cache": image = "redis": is not a valid image reference: ' +
                "it has no tag or digest (pin one, e.g. redis:7.4; `latest` drifts " +
                "between deploys); use registry/repository:tag, e.g. redis:7.4, " +
                "ghcr.io/org/app:1.2 or public.ecr.aws/nginx/nginx:1.27.",
            '  - service "cache": memory.reservation = 512: must be below ' +
                "memory.limit (256): AWS requires the hard limit (memory) above the " +
                "soft reservation (memoryReservation); lower memory.reservation or " +
                "raise memory.limit.",
            '  - routing: service "web" routes[0] (host www.dev.fleet.example.com) ' +
                'and service "site" routes[0] (host www.dev.fleet.example.com) both ' +
                "claim host www.dev.fleet.example.com path /*; give one of them a " +
                "different host or path.",
        ]);
        assert.doesNotMatch(run.stderr, /^\s+at /m);
    });

    it("writes the problems to --json as data, each with its code, subject, path and the line printed", () => {
        const document = JSON.parse(fs.readFileSync(runs.invalid.json, "utf8")) as RefusalDocument;
        assert.deepEqual(Object.keys(document), ["project", "stack", "problems"]);
        assert.deepEqual([document.project, document.stack], ["fleet", "dev"]);
        assert.deepEqual(
            document.problems.map((p) => [p.code, p.subject, p.path]),
            [
                ["stack/override-of-unknown-service", "stack config fleet:services.api", "api"],
                ["catalog/service-name-invalid", 'service "Bad_Name"', "name"],
                ["image/reference-invalid", 'service "cache"', "image"],
                ["catalog/memory-reservation-not-below-limit", 'service "cache"', "memory.reservation"],
                ["routing/claimed-by-two-services", 'service "web"', "routes[0]"],
            ],
        );
        assert.deepEqual(
            document.problems.map((p) => `  - ${p.message}`),
            runs.invalid.stderr.trim().split("\n").slice(1),
        );
        assert.deepEqual(Object.keys(document.problems[0]), ["code", "subject", "path", "value", "problem", "fix", "message"]);
        assert.equal(document.problems[0].value, "(value not shown)");
    });
});
