/**
 * Priorities read back from what the stack deployed (issue 22), end to end: the StackReference to
 * the stack itself (infra/deployedRoutes.ts) as the mocks answer it; the offline plan of sixty
 * host-routed services, then thirty more planned `--against` the first, with no pin and no rule
 * moved; where each priority came from in the text, the Markdown and the JSON model section; and
 * what happens when the deployed priorities are unknown (a first deploy, a new backend, a lost
 * output). The mocks hold ELB to one rule per priority on a listener, 1 to 50000.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { deployedRoutesReference, ownStackName, readDeployedRoutes } from "../infra/deployedRoutes";
import { deployedRoutesOf, routesOutput } from "../model/priorities";
import { computedPriority, planRoutes } from "../model/routing";
import { listenerRulePriorityProblem } from "../plan/awsRules";
import { FleetMocks, installMocks } from "../plan/mocks";
import { priorityOrigins } from "../review/routes";
import { fixtureCatalog, fixtureRoot, projectRoot } from "./support/fixtures";
import { PlanCliRun, PlanJson, runPlanCli } from "./support/planCli";

const lostWarning =
    "the stack's last outputs hold no `routes`: listener-rule priorities are placed as on a first deploy, so a rule an " +
    'earlier update placed away from its home slot may move (see docs/routing.md, "When the deployed priorities are unknown")';

describe("the StackReference to the stack itself, as the mocks answer it", () => {
    const routes = [{ priority: 16872, service: "api", hosts: ["api.dev.example.com"], paths: [] }];

    it("reads the stack's own routes, by the name a DIY backend resolves to it", async () => {
        const runtime = installMocks({ region: "eu-west-1", project: "fleet", stack: "dev", preview: true });
        assert.equal(ownStackName(), "dev");

        // A first deploy (or a stack re-created on a new backend): no outputs, nothing known, no warning.
        assert.deepEqual(await readDeployedRoutes(), {});
        // A lost output: the stack has outputs, but no routes among them.
        runtime.mocks.deployedOutputs = { albDnsName: "fleet-dev-alb-0123.eu-west-1.elb.amazonaws.com", urls: {} };
        assert.deepEqual(await readDeployedRoutes(), { warning: lostWarning });
        // The routes output as the last update left it.
        runtime.mocks.deployedOutputs = { albDnsName: "fleet-dev-alb-0123.eu-west-1.elb.amazonaws.com", [routesOutput]: routes };
        assert.deepEqual(await readDeployedRoutes(), { rules: routes });
        assert.deepEqual(runtime.mocks.stackReferences, ["dev", "dev", "dev"]);
        assert.equal(deployedRoutesReference, "fleet-deployed-routes");
    });

    it("names the stack in full outside a DIY backend, and reads no other stack", async () => {
        const mocks = new FleetMocks("eu-west-1");
        await pulumi.runtime.setMocks(mocks, "fleet", "prod", true, "acme");
        assert.equal(ownStackName(), "acme/fleet/prod");
        const read = (name: string) => () =>
            mocks.newResource({ type: "pulumi:pulumi:StackReference", name: "x", inputs: { name }, custom: true });
        assert.doesNotThrow(read("acme/fleet/prod"));
        assert.throws(read("acme/fleet/dev"), {
            message: "fleet mocks: StackReference to acme/fleet/dev; fleet reads only its own stack, prod or acme/fleet/prod",
        });
    });
});

describe("ELB's listener-rule priorities in the mocks", () => {
    const source = "ELB API reference, CreateRule (Priority: 1-50000; PriorityInUse)";

    it("are whole numbers from 1 to 50000", () => {
        assert.equal(listenerRulePriorityProblem(1, undefined), undefined);
        assert.equal(listenerRulePriorityProblem(50000, undefined), undefined);
        for (const priority of [0, 50001, 1.5, "100"])
            assert.equal(
                listenerRulePriorityProblem(priority, undefined),
                `has priority ${JSON.stringify(priority)}, not a whole number from 1 to 50000`,
            );
    });

    it("are one rule each on a listener (PriorityInUse), and free on another listener", () => {
        const mocks = new FleetMocks("eu-west-1");
        const listener = (n: number) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/fleet-alb/abc/${n}`;
        const rule = (name: string, listenerArn: string, priority: unknown) => () =>
            mocks.newResource({
                type: "aws:lb/listenerRule:ListenerRule",
                name,
                inputs: { listenerArn, priority, actions: [], conditions: [{ hostHeader: { values: [`${name}.example.com`] } }] },
                custom: true,
            });
        assert.doesNotThrow(rule("api-rule-1", listener(1), 16872));
        assert.throws(rule("web-rule-2", listener(1), 16872), {
            message:
                'fleet mocks: aws:lb/listenerRule:ListenerRule "web-rule-2": has priority 16872, which rule "api-rule-1" of the same ' +
                `listener has (PriorityInUse); ELB refuses it — ${source}, ` +
                "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html",
        });
        assert.doesNotThrow(rule("web-rule-2", listener(2), 16872));
        assert.throws(rule("docs-rule-3", listener(1), 50001), /has priority 50001, not a whole number from 1 to 50000; ELB refuses it/);
    });
});

describe("a rule placed away from its home slot, when the deployed priorities are unknown", () => {
    // Two services whose host rules share a home slot: the first found among svc-0, svc-1, ...
    const host = (service: string) => [`${service}.example.com`];
    const home = (service: string) => computedPriority(service, host(service), []);
    const [a, b] = (() => {
        const seen = new Map<number, string>();
        for (let i = 0; ; i++) {
            const service = `svc-${i}`;
            const other = seen.get(home(service));
            if (other) return [other, service];
            seen.set(home(service), service);
        }
    })();
    const route = (service: string) => ({ service, index: 0, hosts: host(service), paths: [] });
    const deployedOf = (rules: readonly { service: string; hosts: readonly string[]; paths: readonly string[]; priority: number }[]) =>
        deployedRoutesOf({ albDnsName: "x", [routesOutput]: JSON.parse(JSON.stringify(rules)) });

    it("stays where it was placed while the routes output is read back, and may go home when it is lost", () => {
        const both = planRoutes([route(a), route(b)]);
        const displaced = both.rules.find((r) => r.service === b)!;
        assert.equal(both.rules.find((r) => r.service === a)!.priority, home(a));
        assert.notEqual(displaced.priority, home(b));
        // a removed: b keeps its priority when the output is read, goes home (a priority change) when it is lost.
        const kept = planRoutes([route(b)], deployedOf(both.rules).rules);
        assert.deepEqual([kept.rules[0].priority, kept.rules[0].origin], [displaced.priority, "kept"]);
        const unknown = planRoutes([route(b)], deployedRoutesOf({ albDnsName: "x" }).rules);
        assert.deepEqual([unknown.rules[0].priority, unknown.rules[0].origin], [home(b), "new"]);
    });
});

describe("a real preview and the offline plan run one program", () => {
    it("index.ts, what `pulumi preview` runs, reads the deployed routes through runFleetStack, as the plan does", () => {
        // The plan requires index.ts itself (or runs runFleetStack over --catalog): the StackReference is the one
        // difference, answered by the mocks.
        const program = fs.readFileSync(path.join(projectRoot, "index.ts"), "utf8");
        assert.match(program, /^export = \(\) => runFleetStack\(services, \{ root: __dirname \}\);$/m);
    });
});

describe("sixty host-routed services, then thirty more planned against the first plan", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-deployed-routes-"));
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));
    // The fixture dev stack tunes the fixture fleet's services, not these.
    const plan = (catalog: string, name: string, extra: string[] = []): Promise<PlanCliRun> =>
        runPlanCli(
            [
                "--stack",
                "dev",
                "--root",
                fixtureRoot,
                "--catalog",
                fixtureCatalog(catalog),
                "-c",
                "services.web=null",
                "-c",
                "services.api=null",
                ...extra,
            ],
            { json: path.join(scratch, `${name}.json`), markdown: path.join(scratch, `${name}.md`), label: name },
        );
    const lostBase = path.join(scratch, "lost-base.json");
    let first: PlanCliRun;
    let second: PlanCliRun;
    let lost: PlanCliRun;
    before(async () => {
        first = await plan("catalogHosts60.ts", "sixty");
        assert.equal(first.code, 0, first.output);
        // The same deploy, its routes output lost (a program of one's own that did not export it).
        const { [routesOutput]: _, ...outputs } = first.plan!.outputs;
        fs.writeFileSync(lostBase, JSON.stringify({ ...first.plan!, outputs }));
        [second, lost] = await Promise.all([
            plan("catalogHosts90.ts", "ninety", ["--against", first.json]),
            plan("catalogHosts60.ts", "lost", ["--against", lostBase]),
        ]);
        assert.equal(second.code, 0, second.output);
        assert.equal(lost.code, 0, lost.output);
    });

    const priorities = (run: PlanCliRun) =>
        new Map(
            run
                .plan!.resources.filter((r) => r.type === "aws:lb/listenerRule:ListenerRule")
                .map((r) => [r.name.slice(0, r.name.indexOf("-rule-")), r.inputs.priority as number]),
        );
    const origins = (plan: PlanJson) => plan.model!.rules.map((r) => r.origin);
    const count = (values: readonly unknown[], value: unknown) => values.filter((v) => v === value).length;

    it("collide on their home slots, as they did when each collision asked for a pin", () => {
        const homes = (plan: PlanJson) => plan.model!.rules.map((r) => computedPriority(r.service, r.hosts, r.paths));
        for (const run of [first, second]) {
            const all = homes(run.plan!);
            assert.ok(new Set(all).size < all.length, `${run.label}: ${all.length - new Set(all).size} home-slot collisions`);
        }
    });

    it("are planned with no pin asked for, and no rule of the first plan moved", () => {
        for (const run of [first, second]) {
            assert.doesNotMatch(run.output, /pin `priority/);
            assert.deepEqual(run.plan!.model!.rules.length, run === first ? 60 : 90);
        }
        const before = priorities(first);
        const after = priorities(second);
        assert.equal(before.size, 60);
        for (const [service, priority] of before) assert.equal(after.get(service), priority, service);
        // Every rule unique on the listener (the mocks would have refused the plan otherwise).
        assert.equal(new Set(after.values()).size, 90);
        assert.match(second.stdout, /^ {2}changes {12}360 to add, 0 to change, 0 to remove against fleet\/dev$/m);
    });

    it("place the thirty new rules where the allocation does from the same deployed routes", () => {
        const deployed = deployedRoutesOf(first.plan!.outputs);
        assert.equal(deployed.warning, undefined);
        const routes = second.plan!.model!.rules.map((r) => ({ service: r.service, index: 0, hosts: r.hosts, paths: r.paths }));
        const expected = planRoutes(routes, deployed.rules);
        assert.deepEqual(expected.problems, []);
        assert.deepEqual(new Map(expected.rules.map((r) => [r.service, r.priority])), priorities(second));
    });

    it("say where each priority came from: the JSON model section, the text and the Markdown", () => {
        assert.deepEqual([count(origins(first.plan!), "new"), first.plan!.model!.rules.length], [60, 60]);
        const rules = second.plan!.model!.rules;
        assert.deepEqual([count(origins(second.plan!), "kept"), count(origins(second.plan!), "new")], [60, 30]);
        for (const rule of rules) assert.equal(rule.origin, Number(rule.service.slice(4)) <= 60 ? "kept" : "new", rule.service);

        const row = (rule: (typeof rules)[number]) =>
            new RegExp(`^${rule.priority} +${rule.origin} +${rule.hosts[0].replace(/\./g, "\\.")} +\\* +${rule.service} `, "m");
        assert.match(second.stdout, /^priority +from +host +path +service +target group +note$/m);
        for (const rule of rules) assert.match(second.stdout, row(rule));
        assert.ok(second.stdout.split("\n").includes(priorityOrigins), "the from column said above the table");
        assert.equal(
            priorityOrigins,
            "from: kept = the priority the rule was deployed with; new = placed now, in a free slot of its specificity tier; " +
                "pinned = the route's own priority. A deployed rule never moves for another.",
        );
        // The Markdown comment shows what changed: each of the thirty new services (with its routes), and no kept rule
        // as a changed row (a rule kept at the priority its base placed is no change).
        const markdown = second.markdown!;
        for (const rule of rules.filter((r) => r.origin === "new")) assert.ok(markdown.includes(rule.service), rule.service);
        assert.equal((markdown.match(/^\| \d+ \| kept \|/gm) ?? []).length, 0);
    });

    it("a first deploy (or a stack re-created on a new backend): every rule new, no warning", () => {
        assert.doesNotMatch(first.output, /placed as on a first deploy/);
        assert.deepEqual(
            (first.plan!.model!.warnings ?? []).filter((w) => w.includes("first deploy")),
            [],
        );
    });

    it("a lost output: a warning, and every rule placed as on a first deploy", () => {
        assert.ok(lost.plan!.model!.warnings?.includes(lostWarning));
        assert.ok(lost.stdout.includes(`  ! ${lostWarning}`), lost.stdout);
        assert.deepEqual([count(origins(lost.plan!), "new"), lost.plan!.model!.rules.length], [60, 60]);
        // Unchanged since, the catalog places its rules as its first deploy did: nothing moves.
        assert.deepEqual(priorities(lost), priorities(first));
        assert.match(lost.stdout, /^ {2}changes {12}0 to add, 0 to change, 0 to remove against fleet\/dev$/m);
    });
});
