/**
 * The pull-request comment of a 200-service fleet: the bench's generated catalog on the fixture
 * dev and prod stacks, planned as a change that touches every service's memory, renames one route
 * and adds a service. Both stacks' Markdown together stay under GitHub's 65,536-character comment
 * limit by summarising, and name every changed service.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { generateCatalog, stackFleetInput } from "../bench/bench";
import { ServiceSpec } from "../model/catalog";
import { fixtureRoot, projectRoot } from "./support/fixtures";

/** GitHub refuses an issue or pull-request comment body over this many characters. */
const githubCommentLimit = 65_536;
/** The comment's own header (pull-request.yml) and the notes around each stack's section. */
const commentFrame = 600;

const scratch = process.env.KEEP_SCRATCH ?? fs.mkdtempSync(path.join(os.tmpdir(), "fleet-review-size-"));
after(() => process.env.KEEP_SCRATCH || fs.rmSync(scratch, { recursive: true, force: true }));

/** The fixture stacks' per-service overrides are for the fixture fleet, not the generated one: dropped. */
const dropFixtureOverrides = (stack: string): [string, string][] =>
    (stack === "prod" ? ["web", "api", "worker", "docs", "status"] : ["web", "api"]).map((name) => [`services.${name}`, "null"]);

function plan(stack: string, catalog: string, json: string, extra: string[]): Promise<{ code: number | null; stderr: string }> {
    const overrides = dropFixtureOverrides(stack).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            [
                "--import",
                "tsx",
                "plan/cli.ts",
                "--stack",
                stack,
                "--root",
                fixtureRoot,
                "--catalog",
                catalog,
                "--json",
                json,
                ...overrides,
                ...extra,
            ],
            { cwd: projectRoot },
        );
        let stderr = "";
        child.stdout.resume();
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stderr }));
    });
}

/** Every service's memory limit raised (by one of four steps, so the changes differ), one route renamed, one service added. */
function changed(services: Record<string, ServiceSpec>): Record<string, ServiceSpec> {
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

const markdown: Record<string, string> = {};
const changedServices: Record<string, string[]> = {};

before(async () => {
    await Promise.all(
        ["dev", "prod"].map(async (stack) => {
            const generated = generateCatalog(200, stackFleetInput(fixtureRoot, stack, dropFixtureOverrides(stack)));
            const write = (name: string, services: Record<string, ServiceSpec>) => {
                const file = path.join(scratch, `${stack}-${name}.ts`);
                fs.writeFileSync(file, `export const services = ${JSON.stringify(services)};\n`);
                return file;
            };
            const baseJson = path.join(scratch, `${stack}-base.json`);
            const base = await plan(stack, write("base", generated.services), baseJson, []);
            assert.equal(base.code, 0, base.stderr);
            const head = changed(generated.services);
            changedServices[stack] = Object.keys(head);
            const md = path.join(scratch, `${stack}.md`);
            const run = await plan(stack, write("head", head), path.join(scratch, `${stack}-head.json`), [
                "--against",
                baseJson,
                "--markdown",
                md,
            ]);
            assert.equal(run.code, 0, run.stderr);
            markdown[stack] = fs.readFileSync(md, "utf8");
        }),
    );
});

describe("the review of a 200-service fleet", () => {
    it("keeps dev and prod together under GitHub's comment limit", () => {
        const total = markdown.dev.length + markdown.prod.length + commentFrame;
        assert.ok(total < githubCommentLimit, `dev ${markdown.dev.length} + prod ${markdown.prod.length} characters`);
    });

    for (const stack of ["dev", "prod"]) {
        it(`names every changed service of ${stack} in the changes per service`, () => {
            const changes = markdown[stack].slice(
                markdown[stack].indexOf("#### Changes per service"),
                markdown[stack].indexOf("<details>"),
            );
            const named = new Set(changes.split("\n").flatMap((line) => /^- \*\*(.+?)\*\*:/.exec(line)?.[1].split(", ") ?? []));
            assert.deepEqual(
                changedServices[stack].filter((name) => !named.has(name)),
                [],
            );
            assert.match(changes, /^- \*\*ledger\*\*: added$/m);
            assert.match(changes, /route www\.(dev\.)?fleet\.example\.com → www2\.(dev\.)?fleet\.example\.com/);
        });

        it(`opens ${stack}'s section with the verdict and cuts nothing`, () => {
            assert.match(
                markdown[stack],
                new RegExp(`^### fleet plan: \`${stack}\` passes\n\n\\| \\| \\|\n\\|---\\|---\\|\n\\| policy \\| passed`),
            );
            assert.match(markdown[stack], /^\| redeploys \| api, svc-1, svc-10, svc-100, /m);
            assert.ok(markdown[stack].trimEnd().endsWith("</sub>"), "the section ends with its assumptions line");
        });
    }
});
