/**
 * The pull-request comment of a large fleet: the bench's generated catalog on the fixture dev and
 * prod stacks, planned as a change that touches every service's memory, renames one route and adds
 * a service. Each stack's Markdown stays under review/render.ts's markdownBudget by summarising,
 * never by cutting, and names every changed service; both together fit GitHub's comment limit.
 *
 * Both run the bench's largest size, 200 services: the full detail of either would not fit, the
 * grouped level does (the changes in words, the rest folded, equal rows grouped), and with less
 * room the summary level still names every changed service. The four plans are the program's
 * alone (the plan `plan/cli.ts --json` writes, without the review it would render and discard);
 * the Markdown is rendered here from them as `plan/cli.ts --against <base> --markdown` renders it
 * (review(head, base)), so the level it chose can be named.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { generateCatalog, stackFleetInput } from "../bench/bench";
import { dropFixtureOverrides, largeFleetChange } from "../bench/review";
import { ServiceSpec } from "../model/catalog";
import { PlanResult } from "../plan/runProgram";
import { Detail, fittedMarkdown, markdownBudget, renderMarkdown, review, Review } from "../review/render";
import { fixtureRoot } from "./support/fixtures";
import { planProgram } from "./support/planCli";

/** GitHub refuses an issue or pull-request comment body over this many characters. */
const githubCommentLimit = 65_536;
/** The comment's own header (pull-request.yml) and the notes around each stack's section. */
const commentFrame = 600;

/** Per stack: the fleet's size, and the level of detail its review needs to fit the budget. */
const fleets: Record<string, { readonly size: number; readonly detail: Detail }> = {
    dev: { size: 200, detail: "grouped" },
    prod: { size: 200, detail: "grouped" },
};

const scratch = process.env.KEEP_SCRATCH ?? fs.mkdtempSync(path.join(os.tmpdir(), "fleet-review-size-"));
after(() => process.env.KEEP_SCRATCH || fs.rmSync(scratch, { recursive: true, force: true }));

/** The program on a fixture stack with a generated catalog module, as `plan/cli.ts --json` writes its plan. */
function plan(stack: string, catalog: string): Promise<PlanResult> {
    return planProgram(stack, { root: fixtureRoot, catalog, configOverrides: Object.fromEntries(dropFixtureOverrides(stack)) });
}

interface Section {
    readonly review: Review;
    /** The base plan's review alone: the stack's first plan, with every table whole. */
    readonly first: Review;
    /** The stack's Markdown, as `--markdown` writes it. */
    readonly markdown: string;
    readonly detail: Detail;
    /** The length of the full-detail Markdown. */
    readonly fullLength: number;
    /** The services of the base plan (every one redeploys) and of the head plan. */
    readonly baseServices: string[];
    readonly changedServices: string[];
}

const sections: Record<string, Section> = {};

before(async () => {
    const runs = Object.entries(fleets).map(([stack, { size }]) => {
        const generated = generateCatalog(size, stackFleetInput(fixtureRoot, stack, dropFixtureOverrides(stack)));
        const head = largeFleetChange(generated.services);
        const write = (name: string, services: Record<string, ServiceSpec>) => {
            const file = path.join(scratch, `${stack}-${name}.ts`);
            fs.writeFileSync(file, `export const services = ${JSON.stringify(services)};\n`);
            return file;
        };
        return {
            stack,
            baseServices: Object.keys(generated.services).sort(),
            changedServices: Object.keys(head),
            // The head plan does not need the base plan (only its review does): all four run at once.
            base: plan(stack, write("base", generated.services)),
            head: plan(stack, write("head", head)),
        };
    });
    for (const run of runs) {
        const [base, head] = await Promise.all([run.base, run.head]);
        if (!base.ok) assert.fail(`${run.stack} base: ${base.message}`);
        if (!head.ok) assert.fail(`${run.stack} head: ${head.message}`);
        const r = review(head.plan, base.plan);
        const { text, detail } = fittedMarkdown(r);
        sections[run.stack] = {
            review: r,
            first: review(base.plan),
            markdown: text,
            detail,
            fullLength: renderMarkdown(r, Infinity).length,
            baseServices: run.baseServices,
            changedServices: run.changedServices,
        };
    }
});

describe("the review of a large fleet", () => {
    it("keeps dev and prod together under GitHub's comment limit", () => {
        const total = sections.dev.markdown.length + sections.prod.markdown.length + commentFrame;
        assert.ok(total < githubCommentLimit, `dev ${sections.dev.markdown.length} + prod ${sections.prod.markdown.length} characters`);
        // Any two stacks within the budget fit: the budget is what keeps the comment under the limit.
        assert.ok(2 * markdownBudget + commentFrame < githubCommentLimit);
    });

    for (const [stack, { size, detail }] of Object.entries(fleets)) {
        it(`keeps ${stack}'s ${size}-service review under markdownBudget at the ${detail} level`, () => {
            const section = sections[stack];
            // Otherwise this fleet no longer tests the level it is here for: plan more services.
            assert.ok(
                section.fullLength > markdownBudget,
                `${stack}: the full detail (${section.fullLength} characters) fits markdownBudget (${markdownBudget})`,
            );
            assert.equal(section.detail, detail, `${stack}: the level of detail that fits (${section.markdown.length} characters)`);
            assert.ok(section.markdown.length <= markdownBudget, `${stack}: ${section.markdown.length} characters`);
        });

        /** The names of the services the changes in words say, before the folded detail. */
        const named = (markdown: string) => {
            const changes = markdown.slice(markdown.indexOf("#### Changes against"), markdown.indexOf("<details>"));
            return {
                changes,
                names: new Set(changes.split("\n").flatMap((line) => /^- \*\*(.+?)\*\*/.exec(line)?.[1].split(", ") ?? [])),
            };
        };

        it(`names every changed service of ${stack} in the changes, first`, () => {
            const { changes, names } = named(sections[stack].markdown);
            assert.deepEqual(
                sections[stack].changedServices.filter((name) => !names.has(name)),
                [],
            );
            // prod runs its services on EC2: the new one's cost is its share of the instances.
            const share = stack === "prod" ? " as its share of the EC2 instances and logs" : "";
            assert.match(changes, new RegExp(`^- \\*\\*ledger\\*\\* \\(new, \\$\\d+\\.\\d\\d a month${share}\\): no routes$`, "m"));
            assert.match(changes, /route www\.(dev\.)?fleet\.example\.com → www2\.(dev\.)?fleet\.example\.com/);
        });

        it(`names every changed service of ${stack} at the summary level too, with less room`, () => {
            const section = sections[stack];
            const fitted = fittedMarkdown(section.review, section.markdown.length - 1);
            assert.equal(fitted.detail, "summary");
            assert.ok(fitted.text.length < section.markdown.length);
            const { names } = named(fitted.text);
            assert.deepEqual(
                section.changedServices.filter((name) => !names.has(name)),
                [],
            );
        });

        it(`adds ${stack}'s first-plan cost per service up to its total when equal rows are grouped`, () => {
            const { text, detail } = fittedMarkdown(sections[stack].first);
            assert.equal(detail, "grouped", `${stack}: ${text.length} characters`);
            const lines = text.split("\n");
            const at = lines.indexOf("| service | monthly | compute | logs | detail |");
            const rows: string[][] = [];
            for (let i = at + 2; lines[i]?.startsWith("| "); i++) rows.push(lines[i].slice(2, -2).split(" | "));
            const cents = (cell: string) => Math.round(Number(cell.replace("$", "")) * 100);
            const body = rows.filter((row) => row[0] !== "total");
            assert.ok(body.length < sections[stack].baseServices.length, "equal rows grouped");
            assert.equal(body.flatMap((row) => row[0].split(", ")).length, sections[stack].baseServices.length, "every service named once");
            for (const column of [1, 2, 3])
                assert.equal(
                    body.reduce((sum, row) => sum + cents(row[column]), 0),
                    cents(rows.find((row) => row[0] === "total")![column]),
                    `column ${column}`,
                );
        });

        it(`opens ${stack}'s section with the changes, every replacement counted in the verdict, and cuts nothing`, () => {
            const markdown = sections[stack].markdown;
            const lines = markdown.split("\n");
            const diff = sections[stack].review.against!.diff;
            // Each base service's task definition is replaced; the new one's resources added; the renamed route's rule goes.
            assert.equal(diff.replaced, sections[stack].baseServices.length);
            assert.deepEqual(lines.slice(0, 3), [
                `### fleet plan: \`${stack}\` passes`,
                "",
                `#### Changes against \`${stack}\`: ${diff.added} to add, 0 to change, ${diff.replaced} to replace, 1 to remove`,
            ]);
            // Every service of the base plan redeploys (its memory limit changed): every one named, every revision counted.
            const redeploying = new Set(lines.flatMap((line) => /^- \*\*(.+?)\*\* \(redeploys\)/.exec(line)?.[1].split(", ") ?? []));
            assert.deepEqual(
                sections[stack].baseServices.filter((name) => !redeploying.has(name)),
                [],
            );
            assert.ok(
                lines.includes(`| replacements | ${diff.replaced} task definitions (a new revision for each service that redeploys) |`),
            );
            assert.equal(markdown.trimEnd().split("\n").at(-1), "</details>", "the folded detail closes the section");
        });
    }
});
