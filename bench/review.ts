/**
 * The pull-request comment's size: `npm run bench:review`, writing bench/review.md.
 *
 * Plans the tests' own fleet (test/fixtures: catalog.ts and the stacks/ project) and generated
 * catalogs (bench.ts) as a pull request does: the base catalog with `--json`, then the changed one
 * with `--against <base> --markdown` (pull-request.yml), in dev and prod, and counts the
 * characters of each stack's Markdown, side by side with the size it must stay under:
 *
 * - a first real change: three services added (a routed API, a queue worker, a nightly job);
 * - a two-line change: an image bump and a memory limit;
 * - 200 services (syntheticCatalog), every one's memory changed, one route renamed, one service added
 *   (test/reviewSize.test.ts plans the same change), and the same fleet planned for the first time.
 *
 * With `--shipped` it also plans the repository's own stacks against themselves (a pull request that
 * changes no resource); `--only <words>` plans only the scenarios whose name holds the words. A
 * report, not a test: nothing is asserted; a plan that fails exits non-zero.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Catalog, ServiceSpec } from "../model/catalog";
import { generateCatalog, stackFleetInput } from "./bench";
import { services as fixtureCatalog } from "../test/fixtures/catalog";

const repoRoot = path.resolve(__dirname, "..");
const fixtureRoot = path.join(repoRoot, "test", "fixtures", "stacks");
const stacks = ["dev", "prod"] as const;
type Stack = (typeof stacks)[number];

/** GitHub refuses an issue or pull-request comment body over this many characters (AWS-FACTS.md). */
export const githubCommentLimit = 65_536;

/** The three services a first real pull request adds to the fixture fleet. */
export const threeNewServices: Catalog = {
    // A routed API with a config secret, a generated one, and CPU scaling.
    orders: {
        image: "public.ecr.aws/docker/library/httpd:2.4",
        port: 80,
        routes: [{ host: "orders" }, { path: "/orders/*" }],
        health: { path: "/" },
        memory: { reservation: 128, limit: 256 },
        secrets: { DATABASE_PASSWORD: { fromConfig: "apiDatabasePassword" }, SIGNING_KEY: { generate: { length: 32 } } },
        scaling: { min: 1, max: 4, cpuPercent: 60 },
    },
    // A queue worker scaled on its backlog, consuming the queue it scales on.
    fulfil: {
        image: "public.ecr.aws/docker/library/busybox:1.36",
        command: ["sh", "-c", "while true; do sleep 5; done"],
        memory: { reservation: 128, limit: 256 },
        scaling: { min: 1, max: 10, queue: { name: "orders", backlogPerTask: 100 } },
        access: { sqs: { orders: "consume" } },
    },
    // A nightly job reading a parameter that must exist before it deploys.
    nightly: {
        image: "public.ecr.aws/docker/library/busybox:1.36",
        command: ["sh", "-c", "echo report"],
        memory: { reservation: 256, limit: 512 },
        secrets: { REPORT_TOKEN: { existing: "/shared/report/token" } },
        schedule: "cron(30 2 * * ? *)",
        jobDurationMinutes: 20,
    },
};

/** The two-line change: the catalog's `status` image bumped, and (in the stack file) api's memory limit. */
export const twoLineChange = {
    catalog: { ...fixtureCatalog, status: { ...fixtureCatalog.status, image: "hashicorp/http-echo:1.1" } } as Catalog,
    config: [["services.api.memory.limit", "1536"]] as [string, string][],
};

/** Every service's memory limit raised (by one of four steps, so the changes differ), `web`'s route renamed, `ledger` added. */
export function largeFleetChange(services: Record<string, ServiceSpec>): Record<string, ServiceSpec> {
    const head: Record<string, ServiceSpec> = {};
    Object.entries(services).forEach(([name, spec], i) => {
        const limit = spec.memory.limit + 16 * (1 + (i % 4));
        head[name] = { ...spec, memory: { ...spec.memory, limit } };
    });
    head.web = { ...head.web, routes: [{ host: "www2" }] };
    head.ledger = {
        image: "public.ecr.aws/docker/library/busybox:1.36",
        command: ["sleep", "3600"],
        memory: { reservation: 32, limit: 64 },
    };
    return head;
}

/** The fixture stacks' per-service overrides are for the fixture fleet, not a generated one: dropped. */
export const dropFixtureOverrides = (stack: string): [string, string][] =>
    (stack === "prod" ? ["web", "api", "worker", "docs", "status"] : ["web", "api"]).map((name) => [`services.${name}`, "null"]);

interface Plan {
    /** The catalog module, or none for the project's own (services/). */
    readonly catalog?: string;
    readonly config: readonly (readonly [string, string])[];
    readonly root: string;
}

interface Scenario {
    readonly name: string;
    readonly what: string;
    /** Absent: a first plan, without --against. */
    readonly base?: (stack: Stack) => Plan;
    readonly head: (stack: Stack) => Plan;
    /** The most characters allowed: of dev and prod together, or of one stack. */
    readonly target: { readonly of: "dev + prod" | Stack; readonly characters: number };
    /** Keep the comments as examples in bench/comments/. */
    readonly keep?: boolean;
    /** The characters per stack the same scenario measured before issue 21 (commit 64cd40a), for the before → after column. */
    readonly before: Record<Stack, number>;
}

function runCli(args: readonly string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "plan/cli.ts", ...args], { cwd: repoRoot });
        let output = "";
        child.stdout.setEncoding("utf8");
        child.stderr.setEncoding("utf8");
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, output }));
    });
}

async function plan(p: Plan, stack: Stack, files: { json: string; markdown?: string; against?: string }): Promise<void> {
    const args = [
        "--stack",
        stack,
        "--root",
        p.root,
        ...(p.catalog ? ["--catalog", p.catalog] : []),
        ...p.config.flatMap(([key, value]) => ["-c", `${key}=${value}`]),
        "--json",
        files.json,
        ...(files.markdown ? ["--markdown", files.markdown] : []),
        ...(files.against ? ["--against", files.against] : []),
    ];
    const run = await runCli(args);
    if (run.code !== 0) throw new Error(`plan ${args.join(" ")} exited ${run.code}:\n${run.output.split("\n").slice(-30).join("\n")}`);
}

/** Runs `tasks` at most `limit` at a time (the machines have two cores). */
async function pooled<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
    const results: T[] = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
        while (next < tasks.length) {
            const i = next++;
            results[i] = await tasks[i]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

function scenarios(scratch: string, shipped: boolean): Scenario[] {
    const module = (name: string, services: Catalog) => {
        const file = path.join(scratch, `${name}.ts`);
        fs.writeFileSync(file, `export const services = ${JSON.stringify(services, null, 2)};\n`);
        return file;
    };
    const fixture = path.join(repoRoot, "test", "fixtures", "catalog.ts");
    const onFixture = (catalog: string, config: readonly (readonly [string, string])[] = []): Plan => ({
        catalog,
        config,
        root: fixtureRoot,
    });
    const three = module("three-new-services", { ...fixtureCatalog, ...threeNewServices });
    const twoLines = module("two-line-change", twoLineChange.catalog);
    const large = Object.fromEntries(
        stacks.map((stack) => {
            const generated = generateCatalog(200, stackFleetInput(fixtureRoot, stack, dropFixtureOverrides(stack)));
            return [
                stack,
                {
                    base: module(`200-${stack}-base`, generated.services),
                    head: module(`200-${stack}-head`, largeFleetChange(generated.services)),
                },
            ];
        }),
    ) as Record<Stack, { base: string; head: string }>;
    const list: Scenario[] = [
        {
            name: "three new services",
            what: "the fixture fleet plus a routed API, a queue worker and a nightly job",
            base: () => onFixture(fixture),
            head: () => onFixture(three),
            target: { of: "dev + prod", characters: 8_000 },
            keep: true,
            before: { dev: 11_391, prod: 12_886 },
        },
        {
            name: "two-line change",
            what: "the fixture fleet with `status`'s image 1.0 → 1.1 and `fleet:services.api.memory.limit` 1536",
            base: () => onFixture(fixture),
            head: () => onFixture(twoLines, twoLineChange.config),
            target: { of: "prod", characters: 3_000 },
            keep: true,
            before: { dev: 7_777, prod: 9_081 },
        },
        {
            name: "200 services changed",
            what: "200 generated services, every memory limit raised, one route renamed, one service added",
            base: (stack) => onFixture(large[stack].base, dropFixtureOverrides(stack)),
            head: (stack) => onFixture(large[stack].head, dropFixtureOverrides(stack)),
            target: { of: "dev + prod", characters: githubCommentLimit },
            before: { dev: 29_459, prod: 17_738 },
        },
        {
            name: "200 services, first plan",
            what: "the same 200 services with no base plan (a stack's first pull request)",
            head: (stack) => onFixture(large[stack].base, dropFixtureOverrides(stack)),
            target: { of: "dev + prod", characters: githubCommentLimit },
            before: { dev: 17_768, prod: 20_967 },
        },
    ];
    if (shipped)
        list.push({
            name: "shipped stacks, unchanged",
            what: "services/ and the repository's Pulumi.<stack>.yaml against themselves",
            base: () => ({ config: [], root: repoRoot }),
            head: () => ({ config: [], root: repoRoot }),
            target: { of: "dev + prod", characters: githubCommentLimit },
            before: { dev: 6_700, prod: 8_349 },
        });
    return list;
}

interface Measured {
    readonly scenario: Scenario;
    readonly characters: Record<Stack, number>;
}

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
const thousands = (n: number) => n.toLocaleString("en-US");

function report(measured: readonly Measured[]): string {
    // What the target counts: dev and prod together, or one stack.
    const counted = (s: Scenario, characters: Record<Stack, number>) =>
        s.target.of === "dev + prod" ? characters.dev + characters.prod : characters[s.target.of];
    const rows = measured.map(({ scenario, characters }) => {
        const together = characters.dev + characters.prod;
        const met = counted(scenario, characters) <= scenario.target.characters;
        return (
            `| ${scenario.name} | ${thousands(characters.dev)} | ${thousands(characters.prod)} | ${thousands(together)} | ` +
            `${scenario.target.of} ≤ ${thousands(scenario.target.characters)} | ` +
            `${thousands(counted(scenario, scenario.before))} → ${thousands(counted(scenario, characters))} | ${met ? "yes" : "**no**"} |`
        );
    });
    return [
        "# The pull-request comment's size (latest run)",
        "",
        "Generated by `npm run bench:review` (`bench/review.ts`); do not edit by hand.",
        "",
        `- date: ${new Date().toISOString()}`,
        "- characters of `plan/cli.ts --stack <stack> --against <base plan> --markdown <file>` " +
            "(the comment's part per stack, pull-request.yml)",
        "",
        "| scenario | dev | prod | dev + prod | target | before issue 21 → now | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
        ...measured.map(({ scenario }) => `- **${scenario.name}**: ${scenario.what}.`),
        "",
        "Before issue 21: the same scenarios measured at commit 64cd40a, before the comment's rework " +
            "(changes first in the catalog's words, the rest folded and only where it changed).",
        "",
        `Examples of the comments: ${measured
            .filter((m) => m.scenario.keep)
            .flatMap((m) => stacks.map((stack) => `[${m.scenario.name}, ${stack}](comments/${slug(m.scenario.name)}-${stack}.md)`))
            .join(", ")}.`,
        "",
    ].join("\n");
}

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const shipped = args.includes("--shipped");
    // `--only <words>`: the scenarios whose name holds them (a quicker look while changing the review).
    const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-bench-review-"));
    const list = scenarios(scratch, shipped).filter((s) => only === undefined || s.name.includes(only));
    const file = (s: Scenario, stack: Stack, what: string) => path.join(scratch, `${slug(s.name)}-${stack}-${what}`);
    try {
        // The base plans first, then the heads against them: two at a time.
        await pooled(
            list.flatMap((s) =>
                s.base ? stacks.map((stack) => () => plan(s.base!(stack), stack, { json: file(s, stack, "base.json") })) : [],
            ),
            2,
        );
        await pooled(
            list.flatMap((s) =>
                stacks.map(
                    (stack) => () =>
                        plan(s.head(stack), stack, {
                            json: file(s, stack, "head.json"),
                            markdown: file(s, stack, "comment.md"),
                            against: s.base ? file(s, stack, "base.json") : undefined,
                        }),
                ),
            ),
            2,
        );
    } catch (error) {
        console.error(`bench:review: ${(error as Error).message}\nbench:review: plans kept in ${scratch}`);
        return 1;
    }
    const measured: Measured[] = list.map((scenario) => ({
        scenario,
        characters: Object.fromEntries(
            stacks.map((stack) => [stack, fs.readFileSync(file(scenario, stack, "comment.md"), "utf8").length]),
        ) as Record<Stack, number>,
    }));
    if (only !== undefined) {
        // A partial run is a look, not the report: the comments stay in the scratch directory.
        console.log(report(measured));
        console.log(`comments in ${scratch}`);
        return 0;
    }
    const comments = path.join(repoRoot, "bench", "comments");
    fs.mkdirSync(comments, { recursive: true });
    for (const s of list.filter((x) => x.keep))
        for (const stack of stacks) fs.copyFileSync(file(s, stack, "comment.md"), path.join(comments, `${slug(s.name)}-${stack}.md`));
    const text = report(measured);
    fs.writeFileSync(path.join(repoRoot, "bench", "review.md"), text);
    console.log(text);
    console.log("wrote bench/review.md and bench/comments/");
    fs.rmSync(scratch, { recursive: true, force: true });
    return 0;
}

if (require.main === module) main().then((code) => process.exit(code));
