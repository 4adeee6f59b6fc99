/**
 * The user's catalog (services/) and stack files (Pulumi.<stack>.yaml) are data, not fixtures:
 * they get only properties that hold for any valid fleet, so adding, editing or removing a service
 * keeps this file green (shippedEdits.test.ts proves it in a repository of its own). Every stack
 * file in the repository is planned as `npm run plan -- --stack <name> --policy` does, and again
 * with the README's "Adding a service" example added to the catalog. Counts come from the catalog,
 * never from a literal; every failure names the stack and the property.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as YAML from "yaml";
import { Catalog, ServiceSpec } from "../model/catalog";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { rootUserPattern } from "../facts/fleet";
import { services as shipped } from "../services";
import { exampleName, services as withExample } from "./fixtures/catalogReadmeExample";
import { PlanCliRun as Run, runPlanCli } from "./support/planCli";

const root = path.resolve(__dirname, "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-shipped-"));
const stacks = fs
    .readdirSync(root)
    .flatMap((file) => (/^Pulumi\.(.+)\.yaml$/.exec(file) ?? []).slice(1))
    .sort();

function plan(stack: string, catalog?: string, config: string[] = []): Promise<Run> {
    const json = path.join(scratch, `${stack}-${catalog ? path.basename(catalog, ".ts") : "shipped"}.json`);
    const catalogArgs = catalog ? ["--catalog", catalog, ...config.flatMap((pair) => ["-c", pair])] : [];
    return runPlanCli(["--stack", stack, "--policy", ...catalogArgs], { json, cwd: root });
}

/** The stack file's config, as written. */
function stackConfig(stack: string): Record<string, unknown> {
    return YAML.parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"))?.config ?? {};
}

/** A service retired in a stack comes back only without its retirement: `-c retired.<name>=null`, as a user re-adding it edits the file. */
function unretire(stack: string, name: string): string[] {
    const project = String(YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).name);
    const config = stackConfig(stack);
    const retired = config[`${project}:retired`] ?? config.retired;
    if (typeof retired !== "object" || retired === null || !(name in retired)) return [];
    return [`retired.${name}=null`];
}

/** When the catalog already holds the README's example as written, the shipped plan is that plan. */
const exampleAlreadyShipped = JSON.stringify(shipped[exampleName]) === JSON.stringify(withExample[exampleName]);

const runs: Record<string, { shipped: Run; example: Run }> = {};
before(async () => {
    const planned = await Promise.all(
        stacks.map(async (stack) => {
            const [shippedRun, exampleRun] = await Promise.all([
                plan(stack),
                exampleAlreadyShipped
                    ? undefined
                    : plan(stack, path.join(root, "test", "fixtures", "catalogReadmeExample.ts"), unretire(stack, exampleName)),
            ]);
            return [stack, { shipped: shippedRun, example: exampleRun ?? shippedRun }] as const;
        }),
    );
    Object.assign(runs, Object.fromEntries(planned));
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const ofType = (p: PlanDocument, type: string) => p.resources.filter((r) => r.type === type);

/** The plan of a run, failing with the stack, the property and the plan's own output when there is none. */
function planOf(run: Run, stack: string, what: string): PlanDocument {
    assert.ok(
        run.plan,
        `${stack}: ${what} must validate and plan (npm run plan -- --stack ${stack}); it exited ${run.code}:\n${run.output}`,
    );
    return run.plan;
}

/** The stack's per-service overrides (`fleet:services`), as the plan saw them. */
function overridesOf(p: PlanDocument): Record<string, Partial<ServiceSpec>> {
    const raw = p.config[`${p.project}:services`];
    return raw ? JSON.parse(raw) : {};
}

/** Services with at least one route, from the catalog with the stack's overrides (lists replace). */
function routedServices(catalog: Catalog, p: PlanDocument): string[] {
    const overrides = overridesOf(p);
    return Object.keys(catalog)
        .filter((name) => (overrides[name]?.routes ?? catalog[name].routes ?? []).length > 0)
        .sort();
}

/** Whether every string glob `inner` matches is matched by glob `outer` (ALB patterns: `*` and `?`). */
function covers(outer: string, inner: string): boolean {
    const memo = new Map<string, boolean>();
    const go = (i: number, j: number): boolean => {
        const key = `${i},${j}`;
        if (memo.has(key)) return memo.get(key)!;
        let result: boolean;
        if (i === outer.length) result = j === inner.length;
        else if (outer[i] === "*") result = go(i + 1, j) || (j < inner.length && go(i, j + 1));
        else if (j === inner.length || inner[j] === "*") result = false;
        else if (outer[i] === "?") result = go(i + 1, j + 1);
        else result = inner[j] !== "?" && outer[i].toLowerCase() === inner[j].toLowerCase() && go(i + 1, j + 1);
        memo.set(key, result);
        return result;
    };
    return go(0, 0);
}

interface Rule {
    readonly resource: PlanResource;
    readonly priority: number;
    /** Undefined: any host (no host-header condition); likewise any path. */
    readonly hosts?: string[];
    readonly paths?: string[];
}

function ruleOf(resource: PlanResource): Rule {
    const conditions = (resource.inputs.conditions ?? []) as { hostHeader?: { values: string[] }; pathPattern?: { values: string[] } }[];
    return {
        resource,
        priority: Number(resource.inputs.priority),
        hosts: conditions.find((c) => c.hostHeader)?.hostHeader?.values,
        paths: conditions.find((c) => c.pathPattern)?.pathPattern?.values,
    };
}

/** Whether `earlier` matches every request `later` matches: each of later's values is covered by one of earlier's. */
function shadows(earlier: Rule, later: Rule): boolean {
    const all = (outer: string[] | undefined, inner: string[] | undefined) =>
        outer === undefined || (inner !== undefined && inner.every((v) => outer.some((o) => covers(o, v))));
    return all(earlier.hosts, later.hosts) && all(earlier.paths, later.paths);
}

const describeRule = (rule: Rule) =>
    `${rule.resource.name} (priority ${rule.priority}, hosts ${rule.hosts?.join(" ") ?? "any"}, paths ${rule.paths?.join(" ") ?? "any"})`;

/** The ciphertexts of every `secure:` value in a stack file. */
function ciphertexts(stack: string): string[] {
    const found: string[] = [];
    const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (typeof value === "object" && value !== null) {
            const entries = Object.entries(value);
            if (entries.length === 1 && entries[0][0] === "secure") found.push(String(entries[0][1]));
            else entries.forEach(([, v]) => walk(v));
        }
    };
    walk(stackConfig(stack));
    return found;
}

describe("the shipped catalog and stack files", () => {
    it("has at least one stack file", () => {
        assert.ok(stacks.length > 0, `no Pulumi.<stack>.yaml in ${root}`);
    });

    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            const p = () => planOf(runs[stack].shipped, stack, `the shipped catalog with Pulumi.${stack}.yaml`);

            it("validates and plans", () => {
                p();
            });

            it("is policy-clean where its enforcement is mandatory", () => {
                const policy = (p() as Run["plan"])!.policy;
                assert.ok(policy, `${stack}: the plan has no policy section`);
                if (policy.enforcement !== "mandatory") return;
                const blocking = policy.violations.filter((v) => v.waived === undefined);
                assert.deepEqual(
                    blocking.map((v) => v.message),
                    [],
                    `${stack}: enforcement is mandatory, so every policy violation fails its deploy`,
                );
                assert.equal(runs[stack].shipped.code, 0, `${stack}: the plan must exit 0:\n${runs[stack].shipped.output}`);
            });

            it("reaches every route: no listener rule is shadowed by an earlier one", () => {
                const rules = ofType(p(), "aws:lb/listenerRule:ListenerRule").map(ruleOf);
                const byListener = new Map<string, Rule[]>();
                for (const rule of rules)
                    byListener.set(String(rule.resource.inputs.listenerArn), [
                        ...(byListener.get(String(rule.resource.inputs.listenerArn)) ?? []),
                        rule,
                    ]);
                for (const listenerRules of byListener.values()) {
                    const ordered = [...listenerRules].sort((a, b) => a.priority - b.priority);
                    assert.equal(
                        new Set(ordered.map((r) => r.priority)).size,
                        ordered.length,
                        `${stack}: listener rule priorities must be unique per listener`,
                    );
                    ordered.forEach((later, index) => {
                        const earlier = ordered.slice(0, index).find((e) => shadows(e, later));
                        assert.equal(
                            earlier,
                            undefined,
                            `${stack}: listener rule ${describeRule(later)} is never ` +
                                `reached: ${earlier && describeRule(earlier)} matches every request it matches`,
                        );
                    });
                }
            });

            it("shows no secret value or placeholder", () => {
                const text = JSON.stringify(p()) + runs[stack].shipped.output;
                for (const ciphertext of ciphertexts(stack)) {
                    assert.ok(!text.includes(ciphertext), `${stack}: a secure value of Pulumi.${stack}.yaml appears in the plan`);
                }
                assert.doesNotMatch(text, /\[secret [0-9a-f]{12}\]/, `${stack}: a secret's placeholder fingerprint appears in the plan`);
                assert.doesNotMatch(text, /mock-[0-9a-f]{16}/, `${stack}: a generated secret value appears in the plan`);
                for (const parameter of ofType(p(), "aws:ssm/parameter:Parameter")) {
                    assert.equal(
                        parameter.inputs.value,
                        "[secret]",
                        `${stack}: SSM parameter ${parameter.name} must show its value masked`,
                    );
                }
            });

            it("creates every ECS service after the capacity-provider association", () => {
                const associations = ofType(p(), "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
                assert.equal(associations.length, 1, `${stack}: one capacity-provider association for the cluster`);
                for (const service of ofType(p(), "aws:ecs/service:Service")) {
                    assert.ok(
                        service.dependencies?.includes(associations[0].urn),
                        `${stack}: ECS service ${service.name} must wait for the capacity-provider association`,
                    );
                }
            });

            it("replaces fixed-name resources delete-first unless protected", () => {
                const fixed = p().resources.filter((r) =>
                    ["aws:ecr/repository:Repository", "aws:cloudwatch/logGroup:LogGroup", "aws:ssm/parameter:Parameter"].includes(r.type),
                );
                assert.ok(fixed.length >= Object.keys(shipped).length, `${stack}: a log group per service at least`);
                for (const resource of fixed) {
                    assert.equal(
                        resource.deleteBeforeReplace,
                        !resource.protect,
                        `${stack}: ${resource.type} ${resource.name} has a fixed name: replaced delete-first unless protected`,
                    );
                }
                for (const alias of ofType(p(), "aws:kms/alias:Alias"))
                    assert.equal(alias.deleteBeforeReplace, true, `${stack}: KMS alias ${alias.name} replaced delete-first`);
            });

            it("has one ECS service per catalog entry and one target group per routed service", () => {
                // Retired services keep their component (what they keep stays) but run no ECS service.
                const services = ofType(p(), "aws:ecs/service:Service")
                    .map((s) => s.name)
                    .sort();
                assert.deepEqual(services, Object.keys(shipped).sort(), `${stack}: one ECS service per catalog entry`);
                const targetGroups = ofType(p(), "aws:lb/targetGroup:TargetGroup")
                    .map((t) => t.name)
                    .sort();
                assert.deepEqual(
                    targetGroups,
                    routedServices(shipped, p()).map((name) => `${name}-tg`),
                    `${stack}: one target group per routed service`,
                );
                assert.equal(ofType(p(), "aws:lb/loadBalancer:LoadBalancer").length, 1, `${stack}: one load balancer`);
            });

            it("plans the README's example service when added, changing no other service", () => {
                const example = planOf(
                    runs[stack].example,
                    stack,
                    `the shipped catalog plus the README's "${exampleName}" with Pulumi.${stack}.yaml`,
                );
                const policy = (example as Run["plan"])!.policy!;
                if (policy.enforcement === "mandatory") {
                    const blocking = policy.violations.filter((v) => v.waived === undefined).map((v) => v.message);
                    assert.deepEqual(blocking, [], `${stack}: the README's example must be policy-clean where enforcement is mandatory`);
                }
                const taskDefinition = ofType(example, "aws:ecs/taskDefinition:TaskDefinition").find(
                    (t) => t.name === `${exampleName}-taskdef`,
                );
                assert.ok(taskDefinition, `${stack}: the README's example has a task definition`);
                const container = JSON.parse(String(taskDefinition.inputs.containerDefinitions))[0];
                // Every capability is dropped and the user is not root: the port must be one an unprivileged
                // process may bind (from 1024, or from where the task lowers the start to).
                const port = container.portMappings[0].containerPort;
                const unprivilegedFrom = Number(
                    (container.systemControls as { namespace: string; value: string }[] | undefined)?.find(
                        (c) => c.namespace === "net.ipv4.ip_unprivileged_port_start",
                    )?.value ?? 1024,
                );
                assert.ok(port >= unprivilegedFrom, `${stack}: the README's example cannot bind port ${port} unprivileged`);
                assert.ok(
                    container.user !== undefined && !rootUserPattern.test(container.user),
                    `${stack}: the README's example runs as an unprivileged user, not ${container.user}`,
                );
                const targetGroup = ofType(example, "aws:lb/targetGroup:TargetGroup").find((t) => t.name === `${exampleName}-tg`);
                assert.ok(targetGroup, `${stack}: the README's example has a target group`);
                const health = targetGroup.inputs.healthCheck as { path: string; matcher: string };
                // The matcher is not widened to hide a 404: the example's own, or fleet's default.
                const entry = withExample[exampleName];
                if (entry.health?.path !== undefined)
                    assert.equal(health.path, entry.health.path, `${stack}: the README's example health-check path`);
                assert.equal(health.matcher, entry.health?.matcher ?? "200-399", `${stack}: the README's example health-check matcher`);
                if (exampleAlreadyShipped) return;
                // No other service changes. (Platform resources may: an upstream image on EC2 capacity
                // adds its cache repository to the instance role's first-pull grant.)
                const before = new Map(p().resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
                const changed = example.resources.filter(
                    (r) => before.get(r.urn) !== JSON.stringify(r.inputs) && r.urn.split("::")[2].startsWith("fleet:ecs:Service"),
                );
                const otherServices = changed.filter((r) => r.name !== exampleName && !r.name.startsWith(`${exampleName}-`));
                assert.deepEqual(
                    otherServices.map((r) => `${r.type} ${r.name}`),
                    [],
                    `${stack}: adding the README's example must change no other service's resources`,
                );
            });
        });
    }
});
