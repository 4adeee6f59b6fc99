/**
 * The cost promise, measured (`npm run bench:cost`): for the shipped stacks, the three example
 * applications (examples/) and a 12-service reference fleet, the plan's monthly estimate, the
 * placement advisor's, the same fleet on Fargate on-demand behind one shared ALB, and one ALB per
 * service. Writes bench/cost.md and exits non-zero when an advised cost is above the shared-ALB
 * Fargate figure or the reference fleet's is above 45% of one ALB per service (issue 21).
 *
 * The reference fleet is bench/bench.ts's mix at 12 services (5 web, 4 APIs, 3 workers: small
 * published images), each at 2 tasks, on a prod-like stack: 3 zones, a NAT gateway per zone, HTTPS,
 * EC2 capacity by default on the group the advisor picks from.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { syntheticCatalog } from "./bench";

const repoRoot = path.resolve(__dirname, "..");
const referenceShareLimit = 0.45;

interface Case {
    readonly name: string;
    readonly stack: string;
    readonly root: string;
    readonly catalog?: string;
}

interface Figures {
    readonly planned: number;
    readonly advised: number;
    readonly fargate: number;
    readonly perService: number;
    readonly summary: string;
}

function referenceFleet(dir: string): Case {
    const { services } = syntheticCatalog(12);
    const twoTasks = Object.fromEntries(Object.entries(services).map(([name, spec]) => [name, { ...spec, desiredCount: 2 }]));
    // Scaling would set the count: the reference holds two tasks each.
    for (const spec of Object.values(twoTasks)) delete (spec as { scaling?: unknown }).scaling;
    const catalog = path.join(dir, "reference.ts");
    fs.writeFileSync(catalog, `export const services = ${JSON.stringify(twoTasks, null, 2)};\n`);
    fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(
        path.join(dir, "Pulumi.reference.yaml"),
        [
            "config:",
            "  aws:region: us-east-1",
            "  fleet:domain: fleet.example.com",
            "  fleet:network: { availabilityZones: 3, natGateways: onePerAz }",
            "  fleet:cluster: { defaultCapacity: ec2, ec2: { instanceType: m6i.large, minSize: 0, maxSize: 12 } }",
            "  fleet:loadBalancer:",
            "    certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
            "",
        ].join("\n"),
    );
    return { name: "reference fleet (12 services)", stack: "reference", root: dir, catalog };
}

function plan(c: Case, json: string): Figures {
    const args = ["--import", "tsx", path.join(repoRoot, "plan", "cli.ts"), "--stack", c.stack, "--root", c.root, "--json", json];
    if (c.catalog) args.push("--catalog", c.catalog);
    try {
        execFileSync(process.execPath, args, { cwd: repoRoot, stdio: "pipe" });
    } catch (error) {
        const e = error as { stdout?: Buffer; stderr?: Buffer };
        // A plan that fails only its policy or budget still writes its figures.
        if (!fs.existsSync(json)) throw new Error(`${c.name} ${c.stack}: ${e.stderr}${e.stdout}`);
    }
    const review = JSON.parse(fs.readFileSync(json, "utf8")).review;
    return {
        planned: review.cost.monthly,
        advised: review.capacity.recommendation.monthly,
        fargate: review.cost.sharedAlbFargate.monthly,
        perService: review.cost.baseline.monthly,
        summary: review.capacity.recommendation.summary,
    };
}

function main(): number {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cost-"));
    const cases: Case[] = [
        ...["dev", "prod"].map((stack) => ({ name: "shipped catalog", stack, root: repoRoot })),
        ...["online-boutique", "voting-app", "sock-shop"].flatMap((app) =>
            ["dev", "prod"].map((stack) => {
                const root = path.join(repoRoot, "examples", app);
                return { name: app, stack, root, catalog: path.join(root, "services.ts") };
            }),
        ),
        referenceFleet(tmp),
    ];
    const usd = (x: number) => `$${x.toFixed(2)}`;
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    const failures: string[] = [];
    const rows = cases.map((c, i) => {
        const f = plan(c, path.join(tmp, `${i}.json`));
        if (f.advised > f.fargate + 0.005) {
            failures.push(`${c.name} ${c.stack}: advised ${usd(f.advised)} above Fargate ${usd(f.fargate)}`);
        }
        const share = f.advised / f.perService;
        if (c.stack === "reference" && share > referenceShareLimit)
            failures.push(`${c.name}: advised ${pct(share)} of one ALB per service, above ${pct(referenceShareLimit)}`);
        const cells = [c.name, c.stack, usd(f.planned), usd(f.advised), usd(f.fargate), usd(f.perService)];
        return `| ${[...cells, pct(f.planned / f.perService), pct(share), f.summary].join(" | ")} |`;
    });
    fs.rmSync(tmp, { recursive: true, force: true });
    const report = [
        "# Cost benchmark (latest run)",
        "",
        "Generated by `npm run bench:cost` (`bench/cost.ts`); do not edit by hand.",
        "Monthly USD, us-east-1 prices of data/prices.json.",
        "",
        `- date: ${new Date().toISOString()}`,
        "- **planned**: the plan's estimate; **advised**: the same stack with the placement advisor's settings applied;",
        "  **Fargate, one ALB**: every task on Fargate on-demand behind the one shared ALB; **one ALB per service**: the common way.",
        "- targets (issue 21): advised ≤ Fargate, one ALB for every fleet;",
        `  the reference fleet advised ≤ ${pct(referenceShareLimit)} of one ALB per service.`,
        "",
        "| fleet | stack | planned | advised | Fargate, one ALB | one ALB per service | planned share | advised share | advice |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
        failures.length ? `Missed: ${failures.join("; ")}.` : "Every target met.",
        "",
    ].join("\n");
    fs.writeFileSync(path.join(repoRoot, "bench", "cost.md"), report);
    process.stdout.write(report);
    return failures.length ? 1 : 0;
}

if (require.main === module) process.exit(main());
