/**
 * The offline plan as a user runs it, for tests: `plan/cli.ts`'s command with what it printed, its
 * exit code and the files it wrote; also the program alone (`runProgram`) over a stack file in
 * another directory. Both run in this process, one plan at a time: loading the program and
 * Pulumi's SDK costs a child process three times what a plan does, and Pulumi's runtime is global
 * state, which each plan resets (test/planProcess.test.ts shows a plan here is the plan
 * `plan/cli.ts` prints and writes in a process of its own).
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { format } from "node:util";
import { main as planCommand } from "../../plan/cli";
import { PlanDocument, runProgram, RunProgramOptions } from "../../plan/runProgram";
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
    /** stdout and stderr as they were printed, interleaved. */
    readonly output: string;
    /** The --json file's path. */
    readonly json: string;
    /** Its content; absent when the program did not run to a plan (invalid input, a program error). */
    readonly plan?: PlanJson;
    /** The --markdown file's content, when one was asked for and written. */
    readonly markdown?: string;
}

export interface PlanCliOptions {
    /** Where --json writes (each run its own file). */
    readonly json: string;
    /** Where --markdown writes; without it, no Markdown. */
    readonly markdown?: string;
    /** The environment the plan sees (git, for content tags), instead of this process's. */
    readonly env?: NodeJS.ProcessEnv;
    /** The run's name in failure messages. @default the arguments, files by their base name */
    readonly label?: string;
}

/** `--root` and `--catalog` of the tests' own fleet (test/fixtures/stacks), with a fixture catalog by file name. */
export function onFixtures(catalog = "catalog.ts"): string[] {
    return ["--root", fixtureRoot, "--catalog", fixtureCatalog(catalog)];
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `plan` after every plan asked for before it has finished, in `env` when given: Pulumi's
 * runtime holds one program at a time. Whatever the plan left in flight (a program that failed
 * half-way) settles before the next starts.
 */
function oneAtATime<T>(plan: () => Promise<T>, env?: NodeJS.ProcessEnv): Promise<T> {
    const run = queue.then(async () => {
        const saved = process.env;
        if (env) process.env = { ...env };
        try {
            return await plan();
        } finally {
            process.env = saved;
            await pulumi.runtime.disconnect();
        }
    });
    queue = run.catch(() => undefined);
    return run;
}

/** index.ts registers the fleet when loaded: a plan of the program at `root` loads it again. */
function forgetProgram(root: string): void {
    delete require.cache[path.join(root, "index.ts")];
}

/** Runs `plan/cli.ts <args> --json <json> [--markdown <markdown>]`'s command; resolves whatever its exit code. */
export function runPlanCli(args: readonly string[], options: PlanCliOptions): Promise<PlanCliRun> {
    const files = ["--json", options.json, ...(options.markdown ? ["--markdown", options.markdown] : [])];
    const label = options.label ?? args.map((arg) => (path.isAbsolute(arg) ? path.basename(arg) : arg)).join(" ");
    const root = args.includes("--root") ? path.resolve(args[args.indexOf("--root") + 1]) : projectRoot;
    return oneAtATime(async () => {
        let stdout = "";
        let stderr = "";
        let output = "";
        const print =
            (stream: "out" | "err") =>
            (...data: unknown[]) => {
                const text = `${format(...data)}\n`;
                if (stream === "out") stdout += text;
                else stderr += text;
                output += text;
            };
        forgetProgram(root);
        let code: number;
        try {
            code = await planCommand([...args, ...files], { log: print("out"), error: print("err") });
        } catch (error) {
            // As plan/cli.ts exits when its command throws.
            print("err")(error);
            code = 2;
        }
        // A plan refused by a guardrail (exit 1) is written too, as for a pull request's review.
        const plan = fs.existsSync(options.json) ? (JSON.parse(fs.readFileSync(options.json, "utf8")) as PlanJson) : undefined;
        const markdown = options.markdown && fs.existsSync(options.markdown) ? fs.readFileSync(options.markdown, "utf8") : undefined;
        return { label, code, stdout, stderr, output, json: options.json, plan, markdown };
    }, options.env);
}

/** Runs `plan/cli.ts`'s command and returns its plan; rejects, naming the run and what it printed, unless it exits 0. */
export async function planOrFail(args: readonly string[], options: PlanCliOptions): Promise<PlanJson> {
    const run = await runPlanCli(args, options);
    if (run.code !== 0 || !run.plan) throw new Error(`plan ${run.label}: plan/cli.ts exited ${run.code}:\n${run.output}`);
    return run.plan;
}

/**
 * The program alone (`runProgram`: no review, no CLI) over the stack file `stack` under `root`;
 * rejects, naming `label`, unless it plans.
 */
export function planAt(
    label: string,
    root: string,
    stack: string,
    catalog?: string,
    options: Omit<RunProgramOptions, "root" | "catalog"> = {},
): Promise<PlanDocument> {
    return oneAtATime(async () => {
        forgetProgram(root);
        const result = await runProgram(stack, { ...options, root, catalog });
        if (!result.ok) throw new Error(`${label}: the plan of ${stack}: ${result.message}`);
        // As a plan file holds it: no undefined fields.
        return JSON.parse(JSON.stringify(result.plan)) as PlanDocument;
    });
}
