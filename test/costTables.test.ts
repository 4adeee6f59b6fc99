/**
 * Tables that add up (issue 21): in the report as printed (text), in the comment (Markdown) and in
 * the plan JSON, for every stack file of the repository and the three example applications
 * (examples/). Each cost table's rows sum to its total row, in whole cents; the per-service table
 * adds up to the bill's Fargate, EC2 and log lines (the EC2 instances counted once: a service's share
 * is part of the instances' line, never added to it); the JSON's figures are the text's; no amount
 * prints as a negative saving. Properties only: every figure is read from the plan, never a literal.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PlanCliRun, runPlanCli } from "./support/planCli";
import { projectRoot } from "./support/fixtures";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cost-tables-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const stackFiles = (root: string) =>
    fs
        .readdirSync(root)
        .flatMap((file) => (/^Pulumi\.(.+)\.yaml$/.exec(file) ?? []).slice(1))
        .sort();

/** The shipped stacks, then each example application's stacks. */
const planned: { readonly name: string; readonly args: string[] }[] = [
    ...stackFiles(projectRoot).map((stack) => ({ name: `shipped ${stack}`, args: ["--stack", stack] })),
    ...["online-boutique", "voting-app", "sock-shop"].flatMap((app) => {
        const root = path.join(projectRoot, "examples", app);
        return stackFiles(root).map((stack) => ({
            name: `${app} ${stack}`,
            args: ["--root", root, "--catalog", path.join(root, "services.ts"), "--stack", stack],
        }));
    }),
];

const runs = new Map<string, PlanCliRun>();
before(async () => {
    // Two at a time: the machines have two cores.
    const queue = [...planned];
    const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
            const file = path.join(scratch, next.name.replace(/\W+/g, "-"));
            runs.set(next.name, await runPlanCli(next.args, { json: `${file}.json`, markdown: `${file}.md`, label: next.name }));
        }
    };
    await Promise.all([worker(), worker()]);
});

/** A table as its header and rows of cells. */
interface Table {
    readonly header: readonly string[];
    readonly rows: readonly (readonly string[])[];
}

/** A text table (review/render.ts textTable): columns start where the header's cells do, padded to their width. */
function textTable(block: string): Table {
    const [head, ...lines] = block.split("\n");
    const names = head.split(/ {2,}/);
    let from = 0;
    const starts = names.map((name) => (from = head.indexOf(name, from)));
    const cells = (line: string) => starts.map((start, i) => line.slice(start, starts[i + 1]).trim());
    return { header: names, rows: lines.map(cells) };
}

/** The Markdown table whose header row is `header` (`| a | b |`), read up to its last row. */
function markdownTable(markdown: string, header: string): Table {
    const lines = markdown.split("\n");
    const at = lines.indexOf(header);
    assert.ok(at >= 0, `no table headed ${header}`);
    const cells = (line: string) =>
        line
            .slice(2, -2)
            .split(/ (?<!\\)\| /)
            .map((cell) => cell.replace(/\\\|/g, "|").trim());
    const rows: string[][] = [];
    for (let i = at + 2; i < lines.length && lines[i].startsWith("| "); i++) rows.push(cells(lines[i]));
    return { header: cells(header), rows };
}

/** Whole cents of `$12.34`, `−$5.00`, `+$1.95`; a blank cell (no change) is 0. */
function cents(cell: string): number {
    if (cell === "") return 0;
    const match = /^([+−-]?)\$(\d+)\.(\d\d)$/.exec(cell);
    assert.ok(match, `not an amount: ${JSON.stringify(cell)}`);
    return (match[1] === "−" || match[1] === "-" ? -1 : 1) * (Number(match[2]) * 100 + Number(match[3]));
}
const toCents = (amount: number) => Math.round(amount * 100);
const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);

/** Column `column`'s amounts: the rows above the total, and the total row's. */
function columnOf(t: Table, column: string): { readonly rows: number[]; readonly total: number; readonly items: string[] } {
    const i = t.header.indexOf(column);
    assert.ok(i >= 0, `no column ${column} in ${t.header.join(", ")}`);
    const body = t.rows.filter((row) => row[0] !== "total");
    const total = t.rows.filter((row) => row[0] === "total");
    assert.equal(total.length, 1, `one total row in the table headed ${t.header.join(", ")}`);
    return { rows: body.map((row) => cents(row[i])), total: cents(total[0][i]), items: body.map((row) => row[0]) };
}

/** The three cost tables of a report: the bill, the cost per service, the one-ALB-per-service comparison. */
interface CostTables {
    readonly bill: Table;
    readonly services: Table;
    readonly baseline: Table;
}

function textCostTables(stdout: string): CostTables {
    const start = stdout.indexOf("\n", stdout.indexOf("Monthly cost estimate ("));
    const [bill, services, baseline] = stdout.slice(start + 1).split("\n\n");
    return { bill: textTable(bill), services: textTable(services), baseline: textTable(baseline) };
}

function markdownCostTables(markdown: string): CostTables {
    return {
        bill: markdownTable(markdown, "| item | monthly | detail |"),
        services: markdownTable(markdown, "| service | monthly | compute | logs | detail |"),
        baseline: markdownTable(markdown, "| one ALB per service, all Fargate | monthly | detail |"),
    };
}

/** What every report's cost tables must hold, whichever way they are printed. */
function assertAddsUp(t: CostTables, where: string): void {
    const bill = columnOf(t.bill, "monthly");
    assert.equal(sum(bill.rows), bill.total, `${where}: the bill's rows add up to its total`);
    for (const instances of ["EC2 instances", "EC2 Spot instances"])
        assert.ok(bill.items.filter((item) => item === instances).length <= 1, `${where}: the ${instances} once`);
    const line = (item: string) => bill.rows[bill.items.indexOf(item)] ?? 0;

    const [monthly, compute, logs] = ["monthly", "compute", "logs"].map((column) => columnOf(t.services, column));
    for (const column of [monthly, compute, logs]) assert.equal(sum(column.rows), column.total, `${where}: a service column adds up`);
    monthly.rows.forEach((amount, i) =>
        assert.equal(amount, compute.rows[i] + logs.rows[i], `${where}: ${monthly.items[i]}'s monthly is its compute and logs`),
    );
    // A service on EC2 carries its share of the instances: the shares add up to the instances' one line.
    assert.equal(
        compute.total,
        line("Fargate tasks") + line("EC2 instances") + line("EC2 Spot instances"),
        `${where}: compute is the Fargate and EC2 lines`,
    );
    assert.equal(logs.total, line("log ingestion"), `${where}: logs are the log ingestion line`);

    const baseline = columnOf(t.baseline, "monthly");
    assert.equal(sum(baseline.rows), baseline.total, `${where}: one ALB per service adds up`);
    const difference = baseline.total - bill.total;
    const said = t.baseline.rows.find((row) => row[0] === "total")![2];
    const expected =
        difference > 0
            ? `fleet saves $${(difference / 100).toFixed(2)} a month`
            : difference < 0
              ? `fleet costs $${(-difference / 100).toFixed(2)} more a month`
              : "fleet costs the same";
    assert.equal(said, expected, `${where}: the comparison's total row`);
}

describe("the cost tables add up", () => {
    for (const { name } of planned) {
        describe(name, () => {
            const run = () => {
                const r = runs.get(name)!;
                assert.equal(r.code, 0, `${name}: ${r.output}`);
                return r;
            };

            it("in the text report: each table's rows sum to its total, the EC2 instances counted once", () => {
                assertAddsUp(textCostTables(run().stdout), `${name} (text)`);
            });

            it("in the Markdown: the same tables, adding up the same way", () => {
                const r = run();
                const markdown = markdownCostTables(r.markdown!);
                assertAddsUp(markdown, `${name} (Markdown)`);
                const text = textCostTables(r.stdout);
                for (const table of ["bill", "services", "baseline"] as const)
                    assert.deepEqual(markdown[table].rows, text[table].rows, `${name}: the ${table} table, text and Markdown`);
            });

            it("in the plan JSON: the figures the text prints", () => {
                const r = run();
                const cost = r.plan!.review!.cost;
                const text = textCostTables(r.stdout);
                const bill = columnOf(text.bill, "monthly");
                assert.equal(toCents(cost.monthly), bill.total, "the monthly estimate");
                assert.deepEqual(
                    cost.lines.map((l: { item: string; monthly: number }) => [l.item, toCents(l.monthly)]),
                    bill.items.map((item, i) => [item, bill.rows[i]]),
                    "the bill's lines",
                );
                const services = columnOf(text.services, "monthly");
                assert.deepEqual(
                    Object.entries(cost.services as Record<string, number>).map(([service, amount]) => [service, toCents(amount)]),
                    services.items.map((service, i) => [service, services.rows[i]]),
                    "each service's monthly",
                );
                assert.equal(toCents(cost.baseline.monthly), columnOf(text.baseline, "monthly").total, "one ALB per service");
                const sharedAlb = /\(\$(\d+\.\d\d) on Fargate on-demand\)/.exec(r.stdout);
                assert.ok(sharedAlb, "the shared-ALB Fargate figure is printed");
                assert.equal(toCents(cost.sharedAlbFargate.monthly), cents(`$${sharedAlb[1]}`), "one shared ALB on Fargate");
                // The other items listed under the bill add up to its "other items" line.
                const listed = (cost.items as { item: string; monthly: number | null }[]).filter((i) => i.monthly !== null);
                for (const i of listed) assert.ok(r.stdout.includes(`  ${i.item}: $${i.monthly!.toFixed(2)}; `), `${i.item} as printed`);
                const other = bill.items.indexOf("other items");
                if (other >= 0) assert.equal(sum(listed.map((i) => toCents(i.monthly!))), bill.rows[other], "the other items");
            });

            it("words a loss as a cost, never a negative saving", () => {
                const r = run();
                for (const [what, text] of [
                    ["text", r.stdout],
                    ["Markdown", r.markdown!],
                ])
                    assert.doesNotMatch(text, /\$-|saves? [−-]|saves? \$0\.00/, `${name} (${what})`);
            });
        });
    }
});
