/**
 * The pull-request comment a reviewer reads in 30 seconds (issue 21): `plan/cli.ts --against <base>
 * --markdown` on the tests' own fleet, for the two pull requests bench:review measures (bench/review.ts):
 * three services added (a routed API, a queue worker, a nightly job) and a two-line change (an image
 * bump, a memory limit). The changes come first in the catalog's words; a new service says its routes,
 * capacity, scaling (with its queue) and its secrets; then the verdict and the cost delta; everything
 * else once, folded, only where it changed; warnings only when new or changed; counts that agree. The
 * lines that matter are asserted exactly, the prose around them is not.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { threeNewServices, twoLineChange } from "../bench/review";
import { usd } from "../review/costItems";
import { renderMarkdown, renderText, review, Review } from "../review/render";
import { reviewSection } from "../review/section";
import { services as fixtureCatalog } from "./fixtures/catalog";
import { fixtureCatalog as fixtureCatalogFile, fixtureRoot } from "./support/fixtures";
import { PlanJson, planOrFail } from "./support/planCli";

const stacks = ["dev", "prod"] as const;
type Stack = (typeof stacks)[number];
/** Issue 21's numbers: three new services in at most 8,000 characters for dev and prod; a two-line change in 3,000 for prod. */
const limits = { threeNewServices: 8_000, twoLineChangeProd: 3_000 };
/** A fixed clock: a job's next run is part of its words. */
const now = new Date("2026-12-06T12:00:00Z");

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-review-comment-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const catalogModule = (name: string, services: object) => {
    const file = path.join(scratch, `${name}.ts`);
    fs.writeFileSync(file, `export const services = ${JSON.stringify(services)};\n`);
    return file;
};

interface Comment {
    readonly review: Review;
    readonly markdown: string;
    readonly text: string;
}
const comments: Record<"three" | "twoLines", Record<Stack, Comment>> = { three: {} as never, twoLines: {} as never };

before(async () => {
    const three = catalogModule("three-new-services", { ...fixtureCatalog, ...threeNewServices });
    const twoLines = catalogModule("two-line-change", twoLineChange.catalog);
    const plan = (stack: Stack, name: string, catalog: string, config: readonly (readonly [string, string])[] = []) =>
        planOrFail(
            ["--stack", stack, "--root", fixtureRoot, "--catalog", catalog, ...config.flatMap(([key, value]) => ["-c", `${key}=${value}`])],
            { json: path.join(scratch, `${name}-${stack}.json`), label: `${name} ${stack}` },
        );
    // Two at a time: the machines have two cores.
    const planned: Record<string, PlanJson> = {};
    const jobs = stacks.flatMap((stack) => [
        () => plan(stack, "base", fixtureCatalogFile()).then((p) => (planned[`base-${stack}`] = p)),
        () => plan(stack, "three", three).then((p) => (planned[`three-${stack}`] = p)),
        () => plan(stack, "twoLines", twoLines, twoLineChange.config).then((p) => (planned[`twoLines-${stack}`] = p)),
    ]);
    const worker = async () => {
        for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    };
    await Promise.all([worker(), worker()]);
    for (const stack of stacks)
        for (const change of ["three", "twoLines"] as const) {
            const r = review(planned[`${change}-${stack}`], planned[`base-${stack}`], { now });
            comments[change][stack] = { review: r, markdown: renderMarkdown(r), text: renderText(r) };
        }
});

const lines = (markdown: string) => markdown.split("\n");
/** What a reviewer reads before the folded detail. */
const unfolded = (markdown: string) => markdown.slice(0, markdown.indexOf("<details>"));
/** A new service's cost as its line says it: on EC2, its share of the instances (the change to the bill is the verdict's). */
function monthlyOf(r: Review, service: string): string {
    const cost = r.cost.services.find((s) => s.service === service)!;
    return `${usd(cost.monthly)} a month${cost.capacity === "ec2" ? " as its share of the EC2 instances and logs" : ""}`;
}

/** What every comment against a base holds: one fold, counts that agree, the verdict's cost as the bill's. */
function assertWellFormed(c: Comment, stack: Stack): void {
    const all = lines(c.markdown);
    const diff = c.review.against!.diff;
    assert.equal(all[0], `### fleet plan: \`${stack}\` passes`);
    const replaced = diff.replaced ? `, ${diff.replaced} to replace` : "";
    const counts = `${diff.added} to add, ${diff.changed} to change${replaced}, ${diff.removed} to remove`;
    assert.equal(all[2], `#### Changes against \`${stack}\`: ${counts}`);
    // Everything else once: one fold, closed.
    assert.equal(all.filter((line) => line === "<details>").length, 1);
    assert.equal(all.filter((line) => line === "</details>").length, 1);
    assert.equal(c.markdown.trimEnd().split("\n").at(-1), "</details>");
    // The registry's URIs stay in the fold, with the resources: the changes are the catalog's words.
    assert.doesNotMatch(unfolded(c.markdown), /dkr\.ecr|123456789012/);
    // The cost delta: the base's total and this plan's, as the folded bill adds them up.
    const [base, head] = [c.review.against!.cost!.total, c.review.cost.total];
    const delta = head - base;
    const cost =
        Math.round(delta * 100) === 0
            ? `| cost | ${usd(head)} a month, unchanged |`
            : `| cost | ${usd(base)} → ${usd(head)} a month (${delta > 0 ? "+" : "−"}${usd(Math.abs(delta))}) |`;
    assert.ok(all.includes(cost), `${stack}: ${cost}`);
    // The JSON says the same change.
    const section = reviewSection(c.review);
    assert.equal(section.cost.base?.change, Math.round(delta * 100) / 100);
}

/** The folded bill against the base: each column adds up to its total row. */
function assertBillAddsUp(markdown: string): void {
    const all = lines(markdown);
    const at = all.indexOf("| monthly | base | this plan | change |");
    assert.ok(at >= 0, "the bill against the base");
    const rows: string[][] = [];
    for (let i = at + 2; all[i]?.startsWith("| "); i++)
        rows.push(
            all[i]
                .slice(2, -2)
                .split(" | ")
                .map((cell) => cell.trim()),
        );
    const cents = (cell: string) => {
        if (cell === "" || cell === "-") return 0;
        const m = /^([+−]?)\$(\d+)\.(\d\d)$/.exec(cell);
        assert.ok(m, `an amount: ${cell}`);
        return (m[1] === "−" ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
    };
    const total = rows.find((row) => row[0] === "total")!;
    for (const column of [1, 2, 3]) {
        const body = rows.filter((row) => row[0] !== "total").reduce((sum, row) => sum + cents(row[column]), 0);
        assert.equal(body, cents(total[column]), `column ${column} of the bill`);
    }
}

describe("the comment on three new services", () => {
    it("fits issue 21's size: dev and prod together at most 8,000 characters", () => {
        const size = comments.three.dev.markdown.length + comments.three.prod.markdown.length;
        assert.ok(size <= limits.threeNewServices, `${size} characters`);
    });

    for (const stack of stacks) {
        it(`says each new service in ${stack} as a reviewer needs it: routes, capacity, scaling with its queue, secrets`, () => {
            const c = comments.three[stack];
            const r = c.review;
            const domain = stack === "dev" ? "dev.fleet.example.com" : "fleet.example.com";
            const where = stack === "dev" ? "on Fargate Spot 256/512" : "on EC2";
            const shown = lines(unfolded(c.markdown));
            const expected = [
                `- **fulfil** (new, ${monthlyOf(r, "fulfil")}): no routes`,
                `  - ${where}, 1-10 tasks on queue orders (100 messages a task); memory reservation 128 MiB, limit 256 MiB; 256 CPU units`,
                "  - access: sqs orders (consume)",
                `- **nightly** (new, ${monthlyOf(r, "nightly")}): a job: one task a run of cron(30 2 * * ? *) UTC ` +
                    "(next 2026-12-07 02:30 UTC), 20 min each",
                `  - ${where}; memory reservation 256 MiB, limit 512 MiB; 256 CPU units`,
                "  - secrets: REPORT_TOKEN from SSM parameter /shared/report/token, " +
                    "which must exist before deploying (the stack only reads it)",
                `- **orders** (new, ${monthlyOf(r, "orders")}): routes orders.${domain}, /orders/* on any host to port 80 (http)`,
                `  - ${where}, 1-4 tasks on CPU 60%; memory reservation 128 MiB, limit 256 MiB; 256 CPU units`,
                "  - secrets: DATABASE_PASSWORD from the stack's config; SIGNING_KEY generated",
                // prod's listener serves HTTPS: a new host needs a name on its certificate too.
                `  - new host orders.${domain}: needs a DNS record for the load balancer` +
                    (stack === "prod" ? " and a name on its certificate" : ""),
            ];
            const from = shown.indexOf(expected[0]);
            assert.ok(from > 0, shown.join("\n"));
            assert.deepEqual(shown.slice(from, from + expected.length + 1), [...expected, ""]);
            assertWellFormed(c, stack);
        });

        it(`keeps the rest of ${stack}'s comment to what changed: the new resources counted, the bill adding up`, () => {
            const c = comments.three[stack];
            const all = lines(c.markdown);
            // Each new service's resources are counted, and the counts add up to the header's.
            const counted = all.flatMap((line) => {
                const match = /^- \*\*(\w+)\*\* `\+` (\d+): /.exec(line);
                return match ? [[match[1], Number(match[2])] as const] : [];
            });
            assert.deepEqual(
                counted.map(([service]) => service),
                ["fulfil", "nightly", "orders"],
            );
            assert.equal(
                counted.reduce((sum, [, n]) => sum + n, 0),
                c.review.against!.diff.added,
            );
            assertBillAddsUp(c.markdown);
            // A new service's memory, routes and rollout are its words above, not rows of folded tables.
            for (const table of ["**Memory and capacity**", "**Routes**", "**Rollout time (one rolling step)**"])
                assert.ok(!all.includes(table), `${stack}: ${table}`);
            // The waivers, the assumptions and the unchanged warnings are the base's: not repeated.
            assert.doesNotMatch(c.markdown, /Waivers|Assumptions|placeholders/);
        });
    }
});

describe("the comment on a two-line change", () => {
    it("fits issue 21's size: prod's comment at most 3,000 characters", () => {
        assert.ok(comments.twoLines.prod.markdown.length <= limits.twoLineChangeProd, `${comments.twoLines.prod.markdown.length}`);
    });

    it("says the change in the catalog's words, then the verdict, counts agreeing", () => {
        const c = comments.twoLines.prod;
        assertWellFormed(c, "prod");
        const all = lines(c.markdown);
        assert.deepEqual(all.slice(2, 9), [
            "#### Changes against `prod`: 0 to add, 0 to change, 2 to replace, 0 to remove",
            "",
            "- **api** (redeploys): memory limit 1024 → 1536 MiB",
            "- **status** (redeploys): hashicorp/http-echo 1.0 → 1.1",
            "",
            "| | |",
            "|---|---|",
        ]);
        // The verdict, brief: what the plan costs over Fargate first when it does (the fixture's prod runs on EC2), then
        // the policy, the replacements the changes count, and the cost; nothing that is none.
        const verdict = all.slice(9, all.indexOf("", 9));
        const overFargate = c.review.cost.total > c.review.cost.sharedAlbFargate.total;
        assert.deepEqual(
            verdict.map((row) => row.split(" | ")[0].slice(2)),
            [...(overFargate ? ["cost over Fargate"] : []), "policy", "replacements", "cost"],
        );
        assert.deepEqual(verdict.slice(overFargate ? 1 : 0), [
            "| policy | passed (mandatory): 0 violations, 0 waived |",
            "| replacements | 2 task definitions (a new revision for each service that redeploys) |",
            `| cost | ${usd(c.review.cost.total)} a month, unchanged |`,
        ]);
        // No warning is new: the ones the base gave are not repeated; the cost did not change, so no bill.
        assert.doesNotMatch(c.markdown, /#### Warnings|\*\*Monthly cost\*\*/);
        assert.match(c.markdown, /^<summary>What changed in detail: resources, memory and capacity<\/summary>$/m);
    });

    it("counts the same replacements in the text report's verdict as in its changes", () => {
        const verdict = comments.twoLines.prod.text.split("\n\n")[0].split("\n");
        const from = verdict.findIndex((line) => line.startsWith("  changes "));
        assert.deepEqual(verdict.slice(from, from + 3), [
            "  changes            0 to add, 0 to change, 2 to replace, 0 to remove against fleet/prod",
            "  replacements       2 task definitions (a new revision for each service that redeploys)",
            "  redeploys          api, status",
        ]);
    });

    it("says dev's change with the Fargate size it brings, and the cost it adds", () => {
        const c = comments.twoLines.dev;
        assertWellFormed(c, "dev");
        assert.ok(lines(c.markdown).includes("- **api** (redeploys): memory limit 384 → 1536 MiB; Fargate size 256/512 → 256/2048"));
        assertBillAddsUp(c.markdown);
    });
});

describe("the comment on a plan with nothing changed", () => {
    it("says so in three lines and the verdict, with nothing folded", () => {
        const base = comments.twoLines.prod.review.against!.plan;
        const r = review(base, base, { now });
        const markdown = renderMarkdown(r);
        assert.deepEqual(lines(markdown).slice(0, 5), [
            "### fleet plan: `prod` passes",
            "",
            "#### Changes against `prod`: 0 to add, 0 to change, 0 to remove",
            "",
            "No service changes.",
        ]);
        assert.doesNotMatch(markdown, /<details>|#### Warnings/);
    });
});
