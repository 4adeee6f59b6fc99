/**
 * The plan benchmark: `npm run bench [-- <sizes...>] [--runs <n>]` (default sizes 10 50 200, 3 runs).
 *
 * For each size it generates a synthetic catalog (a constant mix of routed web services, workers
 * and routed API services on upstream images, with secrets and scaling), pins listener-rule
 * priorities exactly as a user would when validation reports a collision, writes the catalog as
 * a TypeScript module to a temporary directory, and runs the real offline plan on it in a child
 * process (`node --import tsx plan/cli.ts --stack dev --json <file> --catalog <module>`).
 *
 * Measured per run: wall time of the child (Node and tsx startup included), the plan's own
 * "planned in X s" (in-process, startup excluded), and the child's peak RSS (GNU time's %M).
 * Reported: the median of the runs, time per registered resource, and how the per-resource cost
 * grows between consecutive sizes. Results go to bench/results.json and bench/latest.md.
 *
 * A report, not a test: nothing is asserted, but a failing plan (or a catalog the generator cannot
 * make valid) exits non-zero.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Catalog, RouteSpec, ServiceSpec } from "../model/catalog";
import { maxRulesPerLoadBalancer } from "../model/routing";
import { FleetInput, FleetResult, resolveFleet } from "../model/resolve";
import { parseJsonOrString } from "../facts/json";
import { applyConfigOverrides, readStackConfig } from "../plan/stackFile";

const repoRoot = path.resolve(__dirname, "..");
const benchDir = path.join(repoRoot, "bench");
const stack = "dev";
const defaultSizes = [10, 50, 200];
const defaultRuns = 3;
const timeBinary = "/usr/bin/time";

/** The mix, constant across sizes: 40% routed web services, 30% routed APIs, 30% workers. */
const mix = { web: 0.4, api: 0.3, worker: 0.3 } as const;
/**
 * Routed services (one listener rule and one target group each) are capped below AWS's per-ALB
 * quotas of 100 listener rules and 100 target groups, with headroom. Above the cap (from 129
 * services at a 70% routed share) the extra services become workers.
 */
const maxRouted = 90;

type Kind = "web" | "api" | "worker";

// ---------------------------------------------------------------------------------------------
// Catalog generation
// ---------------------------------------------------------------------------------------------

export interface GeneratedCatalog {
    readonly size: number;
    readonly services: Record<string, ServiceSpec>;
    readonly counts: Record<Kind, number>;
    /** Whether the ALB quota cap changed the mix at this size. */
    readonly capped: boolean;
    /** Listener rules of the resolved fleet. */
    readonly listenerRules: number;
    /** Routes whose `priority` had to be pinned because their computed slot collided. */
    readonly pins: number;
    /** Validation rounds until the catalog was clean (1 = no pin needed). */
    readonly rounds: number;
}

/** How many services of each kind a catalog of `size` has: the mix, with routed services capped. */
export function kindCounts(size: number): { counts: Record<Kind, number>; capped: boolean } {
    const routedShare = mix.web + mix.api;
    let routed = Math.round(size * routedShare);
    const capped = routed > maxRouted;
    if (capped) routed = maxRouted;
    // The dev stack tunes services named `web` and `api` under fleet:services, so both must exist.
    const web = Math.max(1, Math.round((routed * mix.web) / routedShare));
    const api = Math.max(1, routed - web);
    return { counts: { web, api, worker: size - web - api }, capped };
}

/** Kinds in catalog order, interleaved so that every prefix of the catalog keeps the mix. */
function interleave(counts: Record<Kind, number>): Kind[] {
    const total = counts.web + counts.api + counts.worker;
    const assigned: Record<Kind, number> = { web: 0, api: 0, worker: 0 };
    const order: Kind[] = [];
    for (let i = 1; i <= total; i++) {
        // The kind furthest behind its share so far (ties: web, api, worker).
        let best: Kind | undefined;
        let bestDeficit = -Infinity;
        for (const kind of ["web", "api", "worker"] as const) {
            if (assigned[kind] >= counts[kind]) continue;
            const deficit = (counts[kind] * i) / total - assigned[kind];
            if (deficit > bestDeficit) {
                best = kind;
                bestDeficit = deficit;
            }
        }
        assigned[best!]++;
        order.push(best!);
    }
    return order;
}

/**
 * One route per routed service, named after it: host routes (`svc-N`, a subdomain of
 * fleet:domain) and path routes (`/svc-N/*`) alternate, and every 8th routed service has a
 * host+path route.
 */
function routeFor(name: string, routedIndex: number): RouteSpec {
    if (routedIndex % 8 === 7) return { host: name, path: "/v1/*" };
    return routedIndex % 2 === 0 ? { host: name } : { path: `/${name}/*` };
}

function webService(name: string, n: number, route: RouteSpec): ServiceSpec {
    return {
        image: n % 2 === 0 ? "public.ecr.aws/nginx/nginx:1.27-alpine" : "public.ecr.aws/docker/library/httpd:2.4",
        port: 80,
        routes: [route],
        health: { path: "/", matcher: "200-399" },
        memory: { reservation: 64, limit: 128 },
        cpu: 256,
        env: { SERVICE_NAME: name },
        ...(n % 5 === 4 ? { secrets: { SESSION_KEY: { generate: { length: 32 } } } } : {}),
        ...(n % 4 === 0 ? { scaling: { min: 1, max: 4, requestsPerTarget: 500 } } : {}),
    };
}

function apiService(name: string, n: number, route: RouteSpec): ServiceSpec {
    const echo = n % 2 === 0;
    const large = n % 3 === 2;
    const secrets: Record<string, { generate: { length: number } } | { existing: string }> = {};
    if (n % 2 === 0) secrets.API_TOKEN = { generate: { length: 32 } };
    if (n % 3 === 0) secrets.DATABASE_URL = { existing: "/shared/db/url" };
    return {
        image: echo ? "hashicorp/http-echo:1.0" : "public.ecr.aws/nginx/nginx:1.27-alpine",
        ...(echo ? { command: ["-listen=:5678", "-text=ok"] } : {}),
        port: echo ? 5678 : 80,
        routes: [route],
        health: { path: "/", matcher: "200" },
        // 256 CPU units with 512 MiB, or 512 with 1024 MiB: both valid Fargate sizes.
        memory: large ? { reservation: 512, limit: 1024 } : { reservation: 256, limit: 512 },
        cpu: large ? 512 : 256,
        env: { LOG_LEVEL: "info" },
        ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
        ...(n % 3 === 0 ? { scaling: { min: 1, max: 6, cpuPercent: 60 } } : {}),
    };
}

function workerService(n: number): ServiceSpec {
    const redis = n % 2 === 0;
    const secrets: Record<string, { generate: { length: number } } | { existing: string }> = {};
    if (n % 3 === 0) secrets.QUEUE_TOKEN = { existing: "/shared/queue/token" };
    if (n % 4 === 1) secrets.SIGNING_KEY = { generate: { length: 32 } };
    return {
        image: redis ? "redis:7.4" : "public.ecr.aws/docker/library/busybox:1.36",
        ...(redis ? {} : { command: ["sh", "-c", "while true; do sleep 30; done"] }),
        memory: redis ? { reservation: 128, limit: 256 } : { reservation: 32, limit: 64 },
        cpu: redis ? 256 : 128,
        env: { INTERVAL_SECONDS: "30" },
        ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
        ...(n % 5 === 0 ? { scaling: { min: 1, max: 3, cpuPercent: 70 } } : {}),
    };
}

/** The catalog before any pin: `web` and `api` first of their kinds, then `svc-<N>`. */
export function syntheticCatalog(size: number): { services: Record<string, ServiceSpec>; counts: Record<Kind, number>; capped: boolean } {
    const { counts, capped } = kindCounts(size);
    const services: Record<string, ServiceSpec> = {};
    const seen: Record<Kind, number> = { web: 0, api: 0, worker: 0 };
    let routed = 0;
    interleave(counts).forEach((kind, i) => {
        const n = seen[kind]++;
        const name = n === 0 && kind !== "worker" ? kind : `svc-${i + 1}`;
        if (kind === "worker") {
            services[name] = workerService(n);
            return;
        }
        const route = name === "web" ? { host: "www" } : name === "api" ? { path: "/api/*" } : routeFor(name, routed);
        routed++;
        services[name] = kind === "web" ? webService(name, n, route) : apiService(name, n, route);
    });
    return { services, counts, capped };
}

/**
 * The program's view of a stack's `fleet:*` config, read the way index.ts reads it, with `-c`
 * pairs applied as the plan applies them. Also the tests' way to generate a catalog for a fixture stack.
 */
export function stackFleetInput(root = repoRoot, stackName = stack, overrides: readonly (readonly [string, string])[] = []): FleetInput {
    const stackConfig = readStackConfig(root, stackName);
    const secret = new Set(stackConfig.secretKeys);
    const merged = { ...stackConfig.config, ...applyConfigOverrides(stackConfig.config, stackConfig.project, overrides) };
    const config: Record<string, unknown> = {};
    const configKeys = new Map<string, { secret: boolean }>();
    for (const [fullKey, raw] of Object.entries(merged)) {
        if (!fullKey.startsWith("fleet:")) continue;
        const key = fullKey.slice("fleet:".length);
        configKeys.set(key, { secret: secret.has(fullKey) });
        if (secret.has(fullKey)) continue;
        config[key] = parseJsonOrString(raw);
    }
    return {
        project: stackConfig.project,
        stack: stackName,
        region: merged["aws:region"] ?? stackConfig.region,
        config,
        configKeys,
        pathExists: (relative) => fs.existsSync(path.join(root, relative)),
    };
}

/**
 * Validates the catalog against the dev stack like the program does, and while routing reports
 * priority collisions, pins the free priority it suggests (as data) on the route it names, as a
 * user would. Any other problem is a bug in the generator.
 */
export function generateCatalog(size: number, input: FleetInput = stackFleetInput()): GeneratedCatalog {
    const { services, counts, capped } = syntheticCatalog(size);
    let pins = 0;
    for (let round = 1; round <= 20; round++) {
        const result: FleetResult = resolveFleet(services as Catalog, input);
        if (result.ok) return { size, services, counts, capped, listenerRules: result.fleet.rules.length, pins, rounds: round };
        // Each collision is one problem with one suggested pin; anything else is not the generator's to fix.
        const collisions = result.problems.filter((problem) => problem.code === "routing/priority-collision");
        if (collisions.length === 0 || collisions.length !== result.problems.length || result.suggestedPins.length !== collisions.length) {
            throw new Error(`the generated ${size}-service catalog is invalid:\n  - ${result.errors.join("\n  - ")}`);
        }
        for (const pin of result.suggestedPins) {
            const spec = services[pin.service];
            services[pin.service] = {
                ...spec,
                routes: spec.routes!.map((route, i) => (i === pin.route ? { ...route, priority: pin.priority } : route)),
            };
            pins++;
        }
    }
    throw new Error(`the generated ${size}-service catalog still has priority collisions after 20 rounds of pins`);
}

function writeCatalogModule(dir: string, generated: GeneratedCatalog): string {
    const file = path.join(dir, `catalog-${generated.size}.ts`);
    const { web, api, worker } = generated.counts;
    fs.writeFileSync(
        file,
        `// Generated by bench/bench.ts: ${generated.size} services (${web} ` +
            `web, ${api} api, ${worker} workers), ${generated.pins} pinned ` +
            `priorities.\n` +
            `export const services = ${JSON.stringify(generated.services, null, 2)};\n`,
    );
    return file;
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

interface Run {
    readonly wallMs: number;
    /** The plan's own "planned in X s", in ms. */
    readonly planMs: number;
    /** Peak resident set of the child in KiB (GNU time %M), when /usr/bin/time is available. */
    readonly maxRssKiB?: number;
    readonly resources: number;
    readonly listenerRules: number;
    readonly targetGroups: number;
}

let gnuTime: boolean | undefined;
/** Whether /usr/bin/time is GNU time (BSD time has no -f): checked once, on first use. */
function hasGnuTime(): boolean {
    gnuTime ??= spawnSync(timeBinary, ["-f", "%M", "true"], { encoding: "utf8" }).status === 0;
    return gnuTime;
}

function runPlan(catalogFile: string, jsonFile: string): Run {
    const planArgs = ["--import", "tsx", "plan/cli.ts", "--stack", stack, "--json", jsonFile, "--catalog", catalogFile];
    const [command, args] = hasGnuTime() ? [timeBinary, ["-f", "%e %M", process.execPath, ...planArgs]] : [process.execPath, planArgs];
    fs.rmSync(jsonFile, { force: true });
    // The child's output goes to files, not pipes: plan.ts ends with process.exit(), which drops
    // whatever of a piped stdout is still buffered (everything after the first 64 KiB here).
    const stdoutFile = `${jsonFile}.stdout`;
    const stderrFile = `${jsonFile}.stderr`;
    const out = fs.openSync(stdoutFile, "w");
    const err = fs.openSync(stderrFile, "w");
    let child: ReturnType<typeof spawnSync>;
    const started = process.hrtime.bigint();
    try {
        child = spawnSync(command, args, { cwd: repoRoot, stdio: ["ignore", out, err] });
    } finally {
        fs.closeSync(out);
        fs.closeSync(err);
    }
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const stdout = fs.readFileSync(stdoutFile, "utf8");
    const stderr = fs.readFileSync(stderrFile, "utf8");
    if (child.error || child.status !== 0) {
        const tail = (text: string) => text.trimEnd().split("\n").slice(-30).join("\n");
        throw new Error(
            `plan of ${catalogFile} failed ` +
                `(${child.error ? child.error.message : `exit ${child.status}`}):\n${tail(stdout)}\n${tail(stderr)}`,
        );
    }
    const planned = /planned in ([\d.]+) s/.exec(stdout);
    if (!planned) throw new Error(`plan of ${catalogFile} printed no "planned in X s" line`);
    let maxRssKiB: number | undefined;
    if (hasGnuTime()) {
        const lines = stderr.trimEnd().split("\n");
        const last = /^([\d.]+) (\d+)$/.exec(lines[lines.length - 1] ?? "");
        if (last) maxRssKiB = Number(last[2]);
    }
    const plan = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as { resources: { type: string }[] };
    const count = (type: string) => plan.resources.filter((r) => r.type === type).length;
    return {
        wallMs,
        planMs: Number(planned[1]) * 1000,
        maxRssKiB,
        resources: plan.resources.length,
        listenerRules: count("aws:lb/listenerRule:ListenerRule"),
        targetGroups: count("aws:lb/targetGroup:TargetGroup"),
    };
}

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface SizeResult {
    readonly services: number;
    readonly mix: Record<Kind, number>;
    /** Whether the ALB quota cap (at most ${maxRouted} routed services) changed the mix. */
    readonly capped: boolean;
    readonly resources: number;
    readonly listenerRules: number;
    readonly targetGroups: number;
    readonly pins: number;
    readonly runs: Run[];
    readonly wallMs: number;
    readonly planMs: number;
    readonly maxRssMiB?: number;
    readonly wallMsPerResource: number;
    readonly planMsPerResource: number;
    /** Plan ms per resource divided by the previous size's: 1 when the cost per resource is flat. */
    readonly growthVsPrevious?: number;
    /** (plan ms − previous plan ms) / (resources − previous resources): the cost of one more resource. */
    readonly marginalMsPerResource?: number;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmt = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(digits));

function table(results: readonly SizeResult[]): string[] {
    const header = [
        "services",
        "web/api/worker",
        "resources",
        "listener rules",
        "pins",
        "wall (s)",
        "plan (s)",
        "peak RSS (MiB)",
        "wall ms/res",
        "plan ms/res",
        "growth/res",
        "marginal ms/res",
    ];
    const rows = results.map((r) => [
        `${r.services}${r.capped ? "*" : ""}`,
        `${r.mix.web}/${r.mix.api}/${r.mix.worker}`,
        String(r.resources),
        String(r.listenerRules),
        String(r.pins),
        fmt(r.wallMs / 1000, 2),
        fmt(r.planMs / 1000, 2),
        fmt(r.maxRssMiB, 0),
        fmt(r.wallMsPerResource, 2),
        fmt(r.planMsPerResource, 2),
        r.growthVsPrevious === undefined ? "-" : `${fmt(r.growthVsPrevious, 2)}x`,
        fmt(r.marginalMsPerResource, 2),
    ]);
    return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
}

interface Verdict {
    readonly linear: boolean;
    readonly text: string;
}

/**
 * Linear growth shows as a flat marginal cost per resource (the fixed cost of loading the
 * program and the providers makes ms/res *fall* with size, so ms/res alone would hide growth).
 */
function verdict(results: readonly SizeResult[]): Verdict {
    if (results.length < 2) return { linear: true, text: "one size only: no growth to judge" };
    const first = results[0];
    const last = results[results.length - 1];
    const perResource = last.planMsPerResource / first.planMsPerResource;
    const marginals = results.flatMap((r) => (r.marginalMsPerResource === undefined ? [] : [r.marginalMsPerResource]));
    const marginalGrowth = marginals.length >= 2 ? marginals[marginals.length - 1] / marginals[0] : 1;
    const linear = perResource <= 1.5 && marginalGrowth <= 1.5;
    const text =
        `plan ms/res at ${last.services} services is ${perResource.toFixed(2)}x that at ${first.services}` +
        (marginals.length >= 2
            ? `; marginal ms per added resource goes ${marginals.map((m) => m.toFixed(2)).join(" → ")} (${marginalGrowth.toFixed(2)}x)`
            : "") +
        (linear ? ": linear (within 1.5x)." : ": super-linear (above 1.5x): profile the largest size (see bench/latest.md).");
    return { linear, text };
}

function machine() {
    const cpus = os.cpus();
    return {
        cpus: cpus.length,
        model: cpus[0]?.model.trim() ?? "unknown",
        totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        date: new Date().toISOString(),
    };
}

function markdown(results: readonly SizeResult[], runs: number, v: Verdict, m: ReturnType<typeof machine>): string {
    const bindsAt = Math.ceil((maxRouted + 0.5) / (mix.web + mix.api));
    return [
        "# Plan benchmark (latest run)",
        "",
        "Generated by `npm run bench` (`bench/bench.ts`); do not edit by hand.",
        "",
        `- date: ${m.date}`,
        `- machine: ${m.cpus} × ${m.model}, ${m.totalMemoryMiB} MiB, ${m.os}`,
        `- node: ${m.node}`,
        `- stack: ${stack}; ${runs} run(s) per size, median shown; one warm-up run first`,
        "",
        ...table(results),
        "",
        "- **wall**: the child process (`node --import tsx plan/cli.ts --stack dev --json ...`), Node and tsx startup included.",
        "- **plan**: the plan's own `planned in X s` (runProgram: loading index.ts and the providers, registering, settling).",
        `- **peak RSS**: the child's maximum resident set (GNU time ` +
            `\`%M\`)${hasGnuTime() ? "" : " — /usr/bin/time was not available, so not measured"}.`,
        "- **growth/res**: plan ms/res divided by the previous size's (1.00x = " +
            "flat). The fixed cost of loading the program makes it fall with size.",
        "- **marginal ms/res**: (plan time − previous plan time) / (resources " +
            "− previous resources); flat when the plan is linear in resources.",
        `- **mix**: ${mix.web * 100}% routed web services, ${mix.api * 100}% ` +
            `routed APIs, ${mix.worker * 100}% workers, one listener rule and one ` +
            `target group per routed service;` +
            ` routed services are capped at ${maxRouted} ` +
            `(AWS: ${maxRulesPerLoadBalancer} listener rules and 100 target groups ` +
            `per ALB), which binds from ${bindsAt} services (marked *): above it ` +
            `the extra services are workers.`,
        "- **pins**: routes whose computed priority collided with another's and got the `priority` the validation message suggested.",
        "- **where the time goes**: see `bench/profile.md`.",
        "",
        `Verdict: ${v.text}`,
        "",
    ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function parseArgs(argv: readonly string[]): { sizes: number[]; runs: number } {
    const sizes: number[] = [];
    let runs = defaultRuns;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const runsArg = /^--runs(?:=(\d+))?$/.exec(arg);
        if (runsArg) {
            runs = Number(runsArg[1] ?? argv[++i]);
            if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a whole number of runs, got ${argv[i]}`);
        } else if (/^\d+$/.test(arg) && Number(arg) >= 3 && Number(arg) <= 9999) {
            sizes.push(Number(arg));
        } else {
            throw new Error(`usage: npm run bench -- [sizes...] [--runs <n>]; sizes are 3-9999 services, got "${arg}"`);
        }
    }
    return { sizes: sizes.length > 0 ? [...new Set(sizes)].sort((a, b) => a - b) : defaultSizes, runs };
}

function main(): number {
    let options: { sizes: number[]; runs: number };
    try {
        options = parseArgs(process.argv.slice(2));
    } catch (error) {
        console.error((error as Error).message);
        return 2;
    }
    const { sizes, runs } = options;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-bench-"));
    if (!hasGnuTime()) console.warn(`bench: ${timeBinary} (GNU time) is not available: peak RSS is not measured, wall time only.`);
    console.log(`bench: sizes ${sizes.join(", ")}; ${runs} run(s) each; catalogs and plans in ${tmp}`);

    const input = stackFleetInput();
    const generated = sizes.map((size) => generateCatalog(size, input));
    for (const g of generated) {
        console.log(
            `  ${g.size} services: ${g.counts.web} web, ${g.counts.api} ` +
                `api, ${g.counts.worker} ` +
                `workers${g.capped ? ` (routed capped at ${maxRouted})` : ""}; ` +
                `${g.listenerRules} listener rules; ${g.pins} pin(s) in ${g.rounds} round(s)`,
        );
    }

    const results: SizeResult[] = [];
    try {
        const files = generated.map((g) => writeCatalogModule(tmp, g));
        // Warm-up: fills the file-system cache and tsx's transform cache so the first size is not penalised.
        runPlan(files[0], path.join(tmp, "warmup.plan.json"));
        generated.forEach((g, i) => {
            const measured: Run[] = [];
            for (let run = 1; run <= runs; run++) {
                const r = runPlan(files[i], path.join(tmp, `plan-${g.size}.json`));
                measured.push(r);
                console.log(
                    `  ${g.size} services, run ${run}: wall ${(r.wallMs / 1000).toFixed(2)} s, plan ${(r.planMs / 1000).toFixed(2)} s, ` +
                        `${r.maxRssKiB === undefined ? "RSS -" : `RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`}, ${r.resources} resources`,
                );
            }
            const resources = measured[0].resources;
            if (measured.some((r) => r.resources !== resources)) throw new Error(`${g.size} services: resource counts differ between runs`);
            const wallMs = median(measured.map((r) => r.wallMs));
            const planMs = median(measured.map((r) => r.planMs));
            const rss = measured.flatMap((r) => (r.maxRssKiB === undefined ? [] : [r.maxRssKiB]));
            const previous = results[results.length - 1];
            results.push({
                services: g.size,
                mix: g.counts,
                capped: g.capped,
                resources,
                listenerRules: measured[0].listenerRules,
                targetGroups: measured[0].targetGroups,
                pins: g.pins,
                runs: measured,
                wallMs,
                planMs,
                maxRssMiB: rss.length ? median(rss) / 1024 : undefined,
                wallMsPerResource: wallMs / resources,
                planMsPerResource: planMs / resources,
                growthVsPrevious: previous ? planMs / resources / previous.planMsPerResource : undefined,
                marginalMsPerResource:
                    previous && resources > previous.resources ? (planMs - previous.planMs) / (resources - previous.resources) : undefined,
            });
        });
    } catch (error) {
        console.error(`bench: ${(error as Error).message}`);
        console.error(`bench: catalogs kept in ${tmp}`);
        return 1;
    }

    const v = verdict(results);
    const m = machine();
    console.log("");
    console.log(table(results).join("\n"));
    if (results.some((r) => r.capped))
        console.log(
            `* routed services capped at ${maxRouted} ` +
                `(AWS: ${maxRulesPerLoadBalancer} listener rules and 100 target groups ` +
                `per ALB); the rest are workers`,
        );
    console.log("");
    console.log(`verdict: ${v.text}`);

    fs.mkdirSync(benchDir, { recursive: true });
    const resultsFile = path.join(benchDir, "results.json");
    const reportFile = path.join(benchDir, "latest.md");
    fs.writeFileSync(
        resultsFile,
        JSON.stringify(
            { machine: m, stack, runsPerSize: runs, mix, maxRouted, measuresPeakRss: hasGnuTime(), results, verdict: v },
            null,
            2,
        ) + "\n",
    );
    fs.writeFileSync(reportFile, markdown(results, runs, v, m));
    console.log(`wrote ${path.relative(repoRoot, resultsFile)} and ${path.relative(repoRoot, reportFile)}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    return 0;
}

if (require.main === module) process.exit(main());
