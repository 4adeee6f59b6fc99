/**
 * Budgets (`fleet:budget: { monthly, increase }`): the pure verdict over figures, then the plan as
 * a user runs it (`plan/cli.ts` in a child process) on the fixture stacks: prod's enforcement is
 * mandatory (a violation exits 1 naming the figure, the budget and the key), dev's advisory (a
 * warning, exit 0); the plan JSON's `review.budget`; and a malformed budget refused by validation.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { budgetLines, checkBudget } from "../review/budget";
import { onFixtures, PlanCliRun, runPlanCli } from "./support/planCli";

describe("the budget verdict", () => {
    it("is none without a budget", () => {
        assert.deepEqual(checkBudget({ stack: "prod", enforcement: "mandatory", monthly: 100 }), {
            status: "none",
            monthly: 100,
            budget: null,
            increase: null,
            base: null,
            enforcement: "mandatory",
            blocking: false,
            violations: [],
            notes: [],
        });
    });

    it("is over a monthly budget, blocking on a mandatory stack only", () => {
        const over = checkBudget({ stack: "prod", budget: { monthly: 300 }, enforcement: "mandatory", monthly: 378.81 });
        assert.equal(over.status, "over");
        assert.equal(over.blocking, true);
        assert.deepEqual(over.violations, [
            "budget: the monthly estimate $378.81 is above fleet:budget.monthly ($300.00) of Pulumi.prod.yaml by $78.81: " +
                "reduce the stack's cost, or raise fleet:budget.monthly if the spend is intended.",
        ]);
        const advisory = checkBudget({ stack: "dev", budget: { monthly: 300 }, enforcement: "advisory", monthly: 378.81 });
        assert.equal(advisory.status, "over");
        assert.equal(advisory.blocking, false);
        assert.deepEqual(budgetLines(advisory, false), [
            "Budget (advisory; $300.00 a month): over; estimate $378.81.",
            "  warning: budget: the monthly estimate $378.81 is above fleet:budget.monthly ($300.00) of Pulumi.dev.yaml by $78.81: " +
                "reduce the stack's cost, or raise fleet:budget.monthly if the spend is intended.",
        ]);
        // Exactly at the budget is within it.
        assert.equal(checkBudget({ stack: "prod", budget: { monthly: 300 }, enforcement: "mandatory", monthly: 300 }).status, "ok");
    });

    it("checks the increase against a base plan of the same stack only", () => {
        const raised = checkBudget({
            stack: "prod",
            budget: { increase: 20 },
            enforcement: "mandatory",
            monthly: 130,
            base: { stack: "prod", monthly: 100 },
        });
        assert.equal(raised.status, "over");
        assert.deepEqual(raised.base, { monthly: 100, change: 30 });
        assert.deepEqual(raised.violations, [
            "budget: this change raises the monthly estimate by $30.00 ($100.00 → $130.00), " +
                "above fleet:budget.increase ($20.00) of Pulumi.prod.yaml: " +
                "split or reduce the change, or raise fleet:budget.increase if it is intended.",
        ]);
        const otherStack = checkBudget({
            stack: "prod",
            budget: { increase: 20 },
            enforcement: "mandatory",
            monthly: 130,
            base: { stack: "dev", monthly: 10 },
        });
        assert.equal(otherStack.status, "ok");
        assert.deepEqual(otherStack.notes, ["fleet:budget.increase not checked: the base plan is of stack dev, not prod"]);
        const noBase = checkBudget({ stack: "prod", budget: { increase: 20 }, enforcement: "mandatory", monthly: 130 });
        assert.deepEqual(noBase.notes, ["fleet:budget.increase not checked: no base plan (--against)"]);
        // A decrease is never over.
        const lowered = checkBudget({
            stack: "prod",
            budget: { increase: 0 },
            enforcement: "mandatory",
            monthly: 90,
            base: { stack: "prod", monthly: 100 },
        });
        assert.equal(lowered.status, "ok");
    });
});

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-budget-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A run with its plan JSON's review section. */
type Run = PlanCliRun & { readonly review?: { budget: Record<string, unknown>; cost: { monthly: number } } };

let runs = 0;
/** `npm run plan` on a fixture stack with the fixture catalog. */
async function plan(stack: string, extra: string[]): Promise<Run> {
    const json = path.join(scratch, `${++runs}-${stack}.json`);
    const run = await runPlanCli(["--stack", stack, ...onFixtures(), ...extra], { json });
    return { ...run, review: run.plan?.review as Run["review"] };
}

describe("budgets in the plan", () => {
    const r: Record<string, Run> = {};
    before(async () => {
        const [prodOver, devOver, prodBase, invalid] = await Promise.all([
            plan("prod", ["-c", 'budget={"monthly":300}']),
            plan("dev", ["-c", 'budget={"monthly":50}']),
            plan("prod", ["-c", 'budget={"monthly":1000,"increase":5}']),
            plan("prod", ["-c", 'budget={"monthly":"250","increase":-1}']),
        ]);
        Object.assign(r, { prodOver, devOver, prodBase, invalid });
        // The change: docs from two Fargate Spot tasks to four on-demand.
        const services = JSON.parse(JSON.parse(fs.readFileSync(prodBase.json, "utf8")).config["fleet:services"]);
        const change = ["-c", `services=${JSON.stringify({ ...services, docs: { capacity: "fargate", desiredCount: 4 } })}`];
        const [prodIncrease, prodIncreaseWithin] = await Promise.all([
            plan("prod", ["--against", prodBase.json, "-c", 'budget={"monthly":1000,"increase":5}', ...change]),
            plan("prod", ["--against", prodBase.json, "-c", 'budget={"monthly":1000,"increase":50}', ...change]),
        ]);
        Object.assign(r, { prodIncrease, prodIncreaseWithin });
    });

    it("fails a mandatory stack over its monthly budget, naming the figure, the budget and the key", () => {
        assert.equal(r.prodOver.code, 1, r.prodOver.stderr);
        assert.deepEqual(r.prodOver.stderr.trim().split("\n"), [
            "budget: the monthly estimate $378.82 is above fleet:budget.monthly ($300.00) of Pulumi.prod.yaml by $78.82: " +
                "reduce the stack's cost, or raise fleet:budget.monthly if the spend is intended.",
            "1 budget violation(s) on a mandatory stack: see above",
        ]);
        assert.ok(r.prodOver.stdout.includes("Budget (mandatory; $300.00 a month): over; estimate $378.82.\n"));
        assert.deepEqual(r.prodOver.review!.budget, {
            status: "over",
            monthly: 378.82,
            budget: 300,
            increase: null,
            base: null,
            enforcement: "mandatory",
            blocking: true,
            violations: [
                "budget: the monthly estimate $378.82 is above fleet:budget.monthly ($300.00) of Pulumi.prod.yaml by $78.82: " +
                    "reduce the stack's cost, or raise fleet:budget.monthly if the spend is intended.",
            ],
            notes: [],
        });
    });

    it("only warns on an advisory stack", () => {
        assert.equal(r.devOver.code, 0, r.devOver.stderr);
        assert.equal(r.devOver.stderr, "");
        assert.ok(
            r.devOver.stdout.includes(
                "Budget (advisory; $50.00 a month): over; estimate $108.57.\n" +
                    "  warning: budget: the monthly estimate $108.57 is above fleet:budget.monthly ($50.00) " +
                    "of Pulumi.dev.yaml by $58.57: " +
                    "reduce the stack's cost, or raise fleet:budget.monthly if the spend is intended.\n",
            ),
            r.devOver.stdout,
        );
        assert.equal(r.devOver.review!.budget.status, "over");
        assert.equal(r.devOver.review!.budget.blocking, false);
    });

    it("passes within the budget, and says the increase needs a base plan", () => {
        assert.equal(r.prodBase.code, 0, r.prodBase.stderr);
        assert.equal(r.prodBase.review!.budget.status, "ok");
        assert.deepEqual(r.prodBase.review!.budget.notes, ["fleet:budget.increase not checked: no base plan (--against)"]);
    });

    it("fails a change that raises a mandatory stack's cost by more than the increase allowed", () => {
        assert.equal(r.prodIncrease.code, 1, r.prodIncrease.stderr);
        assert.deepEqual(r.prodIncrease.stderr.trim().split("\n"), [
            "budget: this change raises the monthly estimate by $30.00 ($378.82 → $408.82), " +
                "above fleet:budget.increase ($5.00) of Pulumi.prod.yaml: " +
                "split or reduce the change, or raise fleet:budget.increase if it is intended.",
            "1 budget violation(s) on a mandatory stack: see above",
        ]);
        assert.equal(r.prodIncreaseWithin.code, 0, r.prodIncreaseWithin.stderr);
        assert.equal(r.prodIncreaseWithin.review!.budget.status, "ok");
    });

    it("writes the plan JSON's review section: cost, the two savings, capacity and budget", () => {
        const review = r.prodBase.review as unknown as Record<string, any>;
        assert.equal(review.cost.monthly, 378.82);
        assert.deepEqual(review.cost.baseline, { monthly: 379.95 });
        assert.deepEqual(review.cost.sharedAlbFargate, { monthly: 280.31 });
        // One ALB instead of four saves 99.64; EC2 at 11% memory reserved costs 98.51 more than Fargate would.
        assert.deepEqual(review.cost.savings, { albConsolidation: 99.64, packingAndSpot: -98.51 });
        assert.deepEqual(
            review.cost.items.map((i: { item: string; monthly: number | null }) => [i.item, i.monthly]),
            [
                ["Container Insights", null],
                ["KMS keys", 1],
                ["log storage", 0.98],
                ["ECR storage", 0.92],
                ["SSM parameters", 0],
                ["Secrets Manager", 0.8],
                ["EC2 root volumes", 7.2],
                ["data transfer", null],
                ["Route 53", null],
                ["ACM certificate", 0],
            ],
        );
        // The plan: 3 × m6i.large ($210.24) with their root volumes ($7.20) and docs on Fargate Spot ($7.21).
        const placement = { api: "ec2", docs: "fargate-spot", status: "ec2", web: "ec2", worker: "ec2" };
        assert.deepEqual(review.capacity.current, {
            instanceType: "m6i.large",
            count: 3,
            spotCount: 0,
            monthly: 378.82,
            compute: 224.65,
            utilisation: { memory: 0.1131, cpu: 0.4583 },
            placement,
        });
        // Every service runs two tasks or more: all of them on Fargate Spot, and the group keeps no instance.
        const { settings, moves, summary, ...advised } = review.capacity.recommendation;
        assert.deepEqual(advised, {
            instanceType: null,
            count: 0,
            spotCount: 0,
            monthly: 204.63,
            compute: 50.46,
            utilisation: null,
            placement: { api: "fargate-spot", docs: "fargate-spot", status: "fargate-spot", web: "fargate-spot", worker: "fargate-spot" },
        });
        assert.deepEqual(settings, {
            "fleet:cluster": { ec2: { minSize: 0 } },
            "fleet:services": Object.fromEntries(["api", "status", "web", "worker"].map((s) => [s, { capacity: "fargate-spot" }])),
        });
        assert.deepEqual(
            moves.map((m: { service: string }) => m.service),
            ["api", "status", "web", "worker"],
        );
        assert.equal(
            summary,
            "move api, status, web and worker to Fargate Spot and run no EC2 instance: $174.19 a month less ($204.63 instead of $378.82)",
        );
        // The group's low utilisation is the placement advice's to answer: the type's view is not said beside it.
        assert.equal(
            review.warnings.all.some((w: string) => w.includes("of registered memory reserved")),
            false,
        );
        assert.equal(review.capacity.monthlySaving, 174.19);
        assert.equal(review.capacity.graviton.considered, false);
        // Without EC2 capacity: no instances, and no EC2 type advice.
        const dev = r.devOver.review as unknown as Record<string, any>;
        assert.equal(dev.capacity.current.instanceType, null);
        assert.equal(dev.capacity.graviton, null);
    });

    it("refuses a malformed budget before planning, with one message per field", () => {
        assert.equal(r.invalid.code, 1);
        assert.deepEqual(r.invalid.stderr.trim().split("\n"), [
            "fleet: 2 problem(s) in services/index.ts or Pulumi.prod.yaml; nothing was changed:",
            '  - stack config fleet:budget: monthly = "250": must be a number of US dollars a month above 0; ' +
                "write a plain number such as 250 (no $ sign, no quotes).",
            "  - stack config fleet:budget: increase = -1: must be a number of US dollars a month from 0; " +
                "write a plain number such as 250 (no $ sign, no quotes).",
        ]);
    });
});
