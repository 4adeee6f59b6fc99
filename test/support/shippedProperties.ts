/**
 * What holds for any valid fleet: the properties the user's catalog (services/) and stack files
 * (Pulumi.<stack>.yaml) are checked for, on the files as shipped (test/shipped.test.ts) and on
 * copies edited as a user edits them (test/shippedEdits.test.ts). Counts come from the catalog and
 * the stack file, never from a literal; every failure names the stack and the property.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { Catalog, ServiceSpec } from "../../model/catalog";
import { PlanDocument, PlanResource } from "../../plan/runProgram";
import { serviceLogicalNames } from "../../model/naming";
import { PlanCliRun, PlanJson, runPlanCli } from "./planCli";

/** One stack of a project, planned as `npm run plan -- --stack <name> --policy` plans it. */
export interface PlannedStack {
    readonly stack: string;
    /** The project root holding Pulumi.<stack>.yaml. */
    readonly root: string;
    /** The catalog the plan was of. */
    readonly catalog: Catalog;
    readonly run: PlanCliRun;
}

/**
 * Plans `stack` of the project at `root` with the catalog module `catalogModule` (default: the
 * project's own entry point, index.ts over services/), writing under `scratch`.
 */
export function planStack(
    scratch: string,
    label: string,
    root: string,
    stack: string,
    catalogModule?: string,
    config: string[] = [],
): Promise<PlanCliRun> {
    const catalogArgs = catalogModule ? ["--root", root, "--catalog", catalogModule] : root === projectRootOf() ? [] : ["--root", root];
    return runPlanCli(["--stack", stack, "--policy", ...catalogArgs, ...config.flatMap((pair) => ["-c", pair])], {
        json: path.join(scratch, `${label}-${stack}.json`),
        label: `${label}: stack ${stack}`,
    });
}

const projectRootOf = () => path.resolve(__dirname, "..", "..");

/** The plan of a run, failing with the stack, the property and the plan's own output when there is none. */
export function planOf(planned: Pick<PlannedStack, "stack" | "run">, what: string): PlanJson {
    const { stack, run } = planned;
    assert.ok(
        run.plan,
        `${stack}: ${what} must validate and plan (npm run plan -- --stack ${stack}); it exited ${run.code}:\n${run.output}`,
    );
    return run.plan;
}

export const ofType = (p: PlanDocument, type: string) => p.resources.filter((r) => r.type === type);

/** The stack's per-service overrides (`<project>:services`), as the plan saw them. */
export function overridesOf(p: PlanDocument): Record<string, Partial<ServiceSpec> & { enabled?: boolean }> {
    const raw = p.config[`${p.project}:services`];
    return raw ? JSON.parse(raw) : {};
}

/** A catalog entry as the stack runs it: the catalog's fields with the stack's overrides (one level deep), or undefined when turned off. */
function inStack(catalog: Catalog, p: PlanDocument, name: string): ServiceSpec | undefined {
    const { enabled, ...override } = overridesOf(p)[name] ?? {};
    if (enabled === false) return undefined;
    return { ...catalog[name], ...override } as ServiceSpec;
}

/** The entries the stack runs (not turned off), split into services and jobs (entries with a schedule), sorted. */
export function entriesOf(catalog: Catalog, p: PlanDocument): { services: string[]; jobs: string[]; routed: string[] } {
    const running = Object.keys(catalog)
        .sort()
        .flatMap((name) => {
            const spec = inStack(catalog, p, name);
            return spec ? [[name, spec] as const] : [];
        });
    return {
        services: running.filter(([, spec]) => spec.schedule === undefined).map(([name]) => name),
        jobs: running.filter(([, spec]) => spec.schedule !== undefined).map(([name]) => name),
        routed: running.filter(([, spec]) => (spec.routes ?? []).length > 0).map(([name]) => name),
    };
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

/** The stack file's config, as written. */
export function stackFileConfig(root: string, stack: string): Record<string, unknown> {
    return YAML.parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"))?.config ?? {};
}

/** The ciphertexts of every `secure:` value in a stack file. */
function ciphertexts(root: string, stack: string): string[] {
    const found: string[] = [];
    const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (typeof value === "object" && value !== null) {
            const entries = Object.entries(value);
            if (entries.length === 1 && entries[0][0] === "secure") found.push(String(entries[0][1]));
            else entries.forEach(([, v]) => walk(v));
        }
    };
    walk(stackFileConfig(root, stack));
    return found;
}

/** The editor's schema declaration a stack file may carry (yaml-language-server's modeline). */
export const stackSchemaDeclaration = "# yaml-language-server: $schema=./schema/stack.schema.json";

/** Registers, under the current suite, the properties every valid stack of a valid fleet has. */
export function stackProperties(planned: () => PlannedStack): void {
    const p = () => planOf(planned(), `the catalog with Pulumi.${planned().stack}.yaml`);
    const stack = () => planned().stack;

    it("validates and plans", () => {
        p();
    });

    it("is policy-clean where its enforcement is mandatory", () => {
        const policy = p().policy;
        assert.ok(policy, `${stack()}: the plan has no policy section`);
        if (policy.enforcement !== "mandatory") return;
        const blocking = policy.violations.filter((v) => v.waived === undefined);
        assert.deepEqual(
            blocking.map((v) => v.message),
            [],
            `${stack()}: enforcement is mandatory, so every policy violation fails its deploy`,
        );
        assert.equal(planned().run.code, 0, `${stack()}: the plan must exit 0:\n${planned().run.output}`);
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
                `${stack()}: listener rule priorities must be unique per listener`,
            );
            ordered.forEach((later, index) => {
                const earlier = ordered.slice(0, index).find((e) => shadows(e, later));
                assert.equal(
                    earlier,
                    undefined,
                    `${stack()}: listener rule ${describeRule(later)} is never ` +
                        `reached: ${earlier && describeRule(earlier)} matches every request it matches`,
                );
            });
        }
    });

    it("shows no secret value or placeholder", () => {
        const text = JSON.stringify(p()) + planned().run.output;
        for (const ciphertext of ciphertexts(planned().root, stack())) {
            assert.ok(!text.includes(ciphertext), `${stack()}: a secure value of Pulumi.${stack()}.yaml appears in the plan`);
        }
        assert.doesNotMatch(text, /\[secret [0-9a-f]{12}\]/, `${stack()}: a secret's placeholder fingerprint appears in the plan`);
        assert.doesNotMatch(text, /mock-[0-9a-f]{16}/, `${stack()}: a generated secret value appears in the plan`);
        for (const parameter of ofType(p(), "aws:ssm/parameter:Parameter")) {
            assert.equal(parameter.inputs.value, "[secret]", `${stack()}: SSM parameter ${parameter.name} must show its value masked`);
        }
    });

    it("creates every ECS service after the capacity-provider association", () => {
        const associations = ofType(p(), "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
        assert.equal(associations.length, 1, `${stack()}: one capacity-provider association for the cluster`);
        for (const service of ofType(p(), "aws:ecs/service:Service")) {
            assert.ok(
                service.dependencies?.includes(associations[0].urn),
                `${stack()}: ECS service ${service.name} must wait for the capacity-provider association`,
            );
        }
    });

    it("replaces fixed-name resources delete-first unless protected", () => {
        const fixed = p().resources.filter((r) =>
            ["aws:ecr/repository:Repository", "aws:cloudwatch/logGroup:LogGroup", "aws:ssm/parameter:Parameter"].includes(r.type),
        );
        const { services, jobs } = entriesOf(planned().catalog, p());
        assert.ok(fixed.length >= services.length + jobs.length, `${stack()}: a log group per service and job at least`);
        for (const resource of fixed) {
            assert.equal(
                resource.deleteBeforeReplace,
                !resource.protect,
                `${stack()}: ${resource.type} ${resource.name} has a fixed name: replaced delete-first unless protected`,
            );
        }
        for (const alias of ofType(p(), "aws:kms/alias:Alias"))
            assert.equal(alias.deleteBeforeReplace, true, `${stack()}: KMS alias ${alias.name} replaced delete-first`);
    });

    it("has one ECS service per service it runs, one schedule per job, one target group per routed service", () => {
        // Retired services keep their component (what they keep stays) but run no ECS service; an
        // entry turned off in this stack has nothing; a job runs on its schedule, not as a service.
        const { services, jobs, routed } = entriesOf(planned().catalog, p());
        const names = (type: string) =>
            ofType(p(), type)
                .map((r) => r.name)
                .sort();
        const expected = (entries: string[], child: "ecsService" | "jobSchedule" | "targetGroup") =>
            entries.map((name) => serviceLogicalNames(name)[child]).sort();
        assert.deepEqual(
            names("aws:ecs/service:Service"),
            expected(services, "ecsService"),
            `${stack()}: one ECS service per catalog service the stack runs`,
        );
        assert.deepEqual(
            names("aws:scheduler/schedule:Schedule"),
            expected(jobs, "jobSchedule"),
            `${stack()}: one schedule per catalog job the stack runs`,
        );
        assert.deepEqual(
            names("aws:lb/targetGroup:TargetGroup"),
            expected(routed, "targetGroup"),
            `${stack()}: one target group per routed service the stack runs`,
        );
        assert.equal(ofType(p(), "aws:lb/loadBalancer:LoadBalancer").length, 1, `${stack()}: one load balancer`);
    });

    it("declares the stack schema, if at all, as the one schema/ holds", () => {
        const file = path.join(planned().root, `Pulumi.${stack()}.yaml`);
        const declarations = fs
            .readFileSync(file, "utf8")
            .split("\n")
            .filter((line) => /^#\s*yaml-language-server:/.test(line));
        // Written by hand from the README it has one; written by `pulumi config set` it has none.
        for (const line of declarations)
            assert.equal(line, stackSchemaDeclaration, `Pulumi.${stack()}.yaml: the schema its editor checks against`);
        assert.ok(fs.existsSync(path.join(planned().root, "schema", "stack.schema.json")), "schema/stack.schema.json exists");
    });
}

/** Registers the properties for each stack of a project, under `describe("stack <name>")`, then `more` of that stack's. */
export function projectProperties(
    stacks: readonly string[],
    planned: (stack: string) => PlannedStack,
    more: (stack: string) => void = () => undefined,
): void {
    it("has at least one stack file", () => {
        assert.ok(stacks.length > 0, "no Pulumi.<stack>.yaml");
    });
    for (const stack of stacks)
        describe(`stack ${stack}`, () => {
            stackProperties(() => planned(stack));
            more(stack);
        });
}
