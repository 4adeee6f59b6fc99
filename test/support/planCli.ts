/**
 * The offline plan as a user runs it, for tests: `plan/cli.ts` in a child process (one Pulumi
 * runtime per process), with what it printed, its exit code and the files it wrote. Also
 * test/support/planAt.ts, the program alone over a stack file in another directory.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PlanDocument, PlanResult } from "../../plan/runProgram";
import { fixtureCatalog, fixtureRoot, projectRoot } from "./fixtures";

/** The plan JSON `--json` writes: the plan document with the policy result and the review section. */
export type PlanJson = PlanDocument & {
    readonly policy?: { enforcement: string; violations: { control: string; message: string; waived?: string }[] };
    readonly review?: Record<string, any>;
};

export interface PlanCliRun {
    /** The run's name in failure messages: the label asked for, or the command line after `plan/cli.ts`. */
    readonly label: string;
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** stdout and stderr as they arrived, interleaved. */
    readonly output: string;
    /** The --json file's path. */
    readonly json: string;
    /** Its content; absent when the program did not run to a plan (invalid input, a program error). */
    readonly plan?: PlanJson;
    /** The --markdown file's content, when one was asked for and written. */
    readonly markdown?: string;
}

export interface PlanCliOptions {
    /** Where --json writes (each run its own file: runs go concurrently). */
    readonly json: string;
    /** Where --markdown writes; without it, no Markdown. */
    readonly markdown?: string;
    /** The checkout to run in. @default the project */
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    /** The run's name in failure messages. @default the arguments, files by their base name */
    readonly label?: string;
}

/** `--root` and `--catalog` of the tests' own fleet (test/fixtures/stacks), with a fixture catalog by file name. */
export function onFixtures(catalog = "catalog.ts"): string[] {
    return ["--root", fixtureRoot, "--catalog", fixtureCatalog(catalog)];
}

/** Runs `plan/cli.ts <args> --json <json> [--markdown <markdown>]`; resolves whatever its exit code. */
export function runPlanCli(args: readonly string[], options: PlanCliOptions): Promise<PlanCliRun> {
    const files = ["--json", options.json, ...(options.markdown ? ["--markdown", options.markdown] : [])];
    const label = options.label ?? args.map((arg) => (path.isAbsolute(arg) ? path.basename(arg) : arg)).join(" ");
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "plan/cli.ts", ...args, ...files], {
            cwd: options.cwd ?? projectRoot,
            env: options.env,
        });
        // Decoded as streams: a character such as → split across two chunks stays whole.
        child.stdout.setEncoding("utf8");
        child.stderr.setEncoding("utf8");
        let stdout = "";
        let stderr = "";
        let output = "";
        child.stdout.on("data", (chunk) => ((stdout += chunk), (output += chunk)));
        child.stderr.on("data", (chunk) => ((stderr += chunk), (output += chunk)));
        child.on("error", reject);
        child.on("close", (code) => {
            // A plan refused by a guardrail (exit 1) is written too, as for a pull request's review.
            const plan = fs.existsSync(options.json) ? (JSON.parse(fs.readFileSync(options.json, "utf8")) as PlanJson) : undefined;
            const markdown = options.markdown && fs.existsSync(options.markdown) ? fs.readFileSync(options.markdown, "utf8") : undefined;
            resolve({ label, code, stdout, stderr, output, json: options.json, plan, markdown });
        });
    });
}

/** Runs `plan/cli.ts` and returns its plan; rejects, naming the run and what it printed, unless it exits 0. */
export async function planOrFail(args: readonly string[], options: PlanCliOptions): Promise<PlanJson> {
    const run = await runPlanCli(args, options);
    if (run.code !== 0 || !run.plan) throw new Error(`plan ${run.label}: plan/cli.ts exited ${run.code}:\n${run.output}`);
    return run.plan;
}

/**
 * The program alone (test/support/planAt.ts: no review, no CLI) over the stack file `stack` under
 * `root`, writing the result to `out`; rejects, naming `label`, unless it plans.
 */
export function planAt(label: string, root: string, stack: string, out: string, catalog?: string): Promise<PlanDocument> {
    const args = [
        "--import",
        "tsx",
        path.join(projectRoot, "test", "support", "planAt.ts"),
        root,
        stack,
        out,
        ...(catalog ? [catalog] : []),
    ];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: projectRoot });
        let stderr = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => {
            if (code !== 0) return reject(new Error(`${label}: the plan of ${stack} exited ${code}: ${stderr}`));
            const result = JSON.parse(fs.readFileSync(out, "utf8")) as PlanResult;
            if (!result.ok) return reject(new Error(`${label}: the plan of ${stack}: ${result.message}`));
            resolve(result.plan);
        });
    });
}
