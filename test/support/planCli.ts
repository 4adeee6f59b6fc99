/**
 * The offline plan as a user runs it, for tests: `plan/cli.ts`'s command with what it printed, its
 * exit code and the files it wrote (`runPlanCli`, `planOrFail`); also the program alone
 * (`runProgram`) over a stack file in another directory (`planAt`). Under `npm test` the tests'
 * plan service plans (test/support/planService.ts); a test file run on its own plans in a worker
 * thread of its own (test/support/planWorker.ts). Either way it is the command a user runs, in this
 * checkout, not a process of its own: test/planProcess.test.ts shows a plan here is the plan
 * `plan/cli.ts` prints and writes as a process. Only a run in another checkout (`cwd`) is a process.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { PlanDocument, PlanResult, RunProgramOptions } from "../../plan/runProgram";
import { fixtureCatalog, fixtureRoot, projectRoot } from "./fixtures";
import type { CommandResult, PlanReply, PlanRequest } from "./planHere";
import { planServiceVariable, planWorkerCode } from "./planService";

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
    /**
     * Another checkout to run `plan/cli.ts` in: that checkout's code, in a process of its own (a
     * few seconds of CPU each). To plan another project's files with this checkout's code, pass
     * `--root <dir> --catalog <module>` instead, which plans in-process. @default this checkout
     */
    readonly cwd?: string;
    /** The run's name in failure messages. @default the arguments, files by their base name */
    readonly label?: string;
}

/** `--root` and `--catalog` of the tests' own fleet (test/fixtures/stacks), with a fixture catalog by file name. */
export function onFixtures(catalog = "catalog.ts"): string[] {
    return ["--root", fixtureRoot, "--catalog", fixtureCatalog(catalog)];
}

/** The answers a worker owes, in the order it was asked (it plans one at a time). */
interface OwnWorker {
    readonly worker: Worker;
    readonly waiting: { resolve(reply: unknown): void; reject(error: Error): void }[];
}
let ownWorker: OwnWorker | undefined;

/**
 * Plans in a worker thread of this process: for a test file run on its own, without the service.
 * Away from node:test's async hook, as in the service; it keeps the process alive only while a
 * plan is under way.
 */
function planInOwnWorker<R extends PlanRequest>(request: R): Promise<PlanReply<R>> {
    if (!ownWorker) {
        const worker = new Worker(planWorkerCode, { eval: true, execArgv: ["--enable-source-maps"] });
        const own: OwnWorker = { worker, waiting: [] };
        worker.on("message", (answer: { reply: unknown } | { error: string }) => {
            const next = own.waiting.shift()!;
            if (own.waiting.length === 0) worker.unref();
            if ("error" in answer) next.reject(new Error(`the plan worker: ${answer.error}`));
            else next.resolve(answer.reply);
        });
        // A worker that died fails the plans it owed; the next plan starts a new one.
        worker.on("error", (error) => {
            if (ownWorker === own) ownWorker = undefined;
            own.waiting.splice(0).forEach((next) => next.reject(error));
        });
        ownWorker = own;
    }
    const { worker, waiting } = ownWorker;
    return new Promise((resolve, reject) => {
        waiting.push({ resolve: (reply) => resolve(reply as PlanReply<R>), reject });
        worker.ref();
        worker.postMessage(request);
    });
}

/** Plans by the service when there is one, else in a worker of this process. */
function plan<R extends PlanRequest>(request: R): Promise<PlanReply<R>> {
    const service = process.env[planServiceVariable];
    if (!service) return planInOwnWorker(request);
    return new Promise((resolve, reject) => {
        let text = "";
        const connection = net.createConnection(service, () => connection.write(`${JSON.stringify(request)}\n`));
        connection.setEncoding("utf8");
        connection.on("data", (chunk) => (text += chunk));
        connection.on("error", reject);
        connection.on("end", () => {
            const answer = JSON.parse(text) as { reply: PlanReply<R> } | { error: string };
            if ("error" in answer) reject(new Error(`the plan service: ${answer.error}`));
            else resolve(answer.reply);
        });
    });
}

/** `plan/cli.ts <args>` as a process in the checkout `cwd`, TypeScript loaded as `npm test` loads it. */
function planProcess(cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CommandResult> {
    const loader = path.join(__dirname, "typescript.js");
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--enable-source-maps", "--require", loader, "plan/cli.ts", ...args], { cwd, env });
        // Decoded as streams: a character such as → split across two chunks stays whole.
        child.stdout.setEncoding("utf8");
        child.stderr.setEncoding("utf8");
        let stdout = "";
        let stderr = "";
        let output = "";
        child.stdout.on("data", (chunk) => ((stdout += chunk), (output += chunk)));
        child.stderr.on("data", (chunk) => ((stderr += chunk), (output += chunk)));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 2, stdout, stderr, output }));
    });
}

/** Runs `plan/cli.ts <args> --json <json> [--markdown <markdown>]`'s command; resolves whatever its exit code. */
export async function runPlanCli(args: readonly string[], options: PlanCliOptions): Promise<PlanCliRun> {
    const files = ["--json", options.json, ...(options.markdown ? ["--markdown", options.markdown] : [])];
    const label = options.label ?? args.map((arg) => (path.isAbsolute(arg) ? path.basename(arg) : arg)).join(" ");
    const elsewhere = options.cwd !== undefined && path.resolve(options.cwd) !== projectRoot;
    const { code, stdout, stderr, output } = elsewhere
        ? await planProcess(options.cwd!, [...args, ...files], options.env)
        : await plan({ kind: "command", args: [...args, ...files], env: options.env });
    // A plan refused by a guardrail (exit 1) is written too, as for a pull request's review.
    const written = fs.existsSync(options.json) ? (JSON.parse(fs.readFileSync(options.json, "utf8")) as PlanJson) : undefined;
    const markdown = options.markdown && fs.existsSync(options.markdown) ? fs.readFileSync(options.markdown, "utf8") : undefined;
    return { label, code, stdout, stderr, output, json: options.json, plan: written, markdown };
}

/** Runs `plan/cli.ts`'s command and returns its plan; rejects, naming the run and what it printed, unless it exits 0. */
export async function planOrFail(args: readonly string[], options: PlanCliOptions): Promise<PlanJson> {
    const run = await runPlanCli(args, options);
    if (run.code !== 0 || !run.plan) throw new Error(`plan ${run.label}: plan/cli.ts exited ${run.code}:\n${run.output}`);
    return run.plan;
}

/**
 * `runProgram(stack, options)` (plan/runProgram.ts: the program alone, no review, no CLI) in the
 * tests' plan service, not in the test's process: what it resolves, a refusal included.
 */
export function planProgram(stack: string, options: RunProgramOptions = {}): Promise<PlanResult> {
    return plan({ kind: "program", stack, options });
}

/**
 * The program alone (`planProgram`) over the stack file `stack` under `root` (which holds
 * Pulumi.yaml and Pulumi.<stack>.yaml), with `catalog` (a module exporting `services`) or else
 * `root`'s index.ts; resolves the plan as a plan file holds it, and writes what `runProgram`
 * resolved (`{ ok, plan }`) to `out` when given; rejects, naming `label`, unless it plans.
 */
export async function planAt(
    label: string,
    root: string,
    stack: string,
    out: string | undefined,
    catalog?: string,
    configOverrides?: Record<string, string>,
): Promise<PlanDocument> {
    const result = await planProgram(stack, { root, catalog, configOverrides });
    if (out !== undefined) fs.writeFileSync(out, JSON.stringify(result));
    if (!result.ok) throw new Error(`${label}: the plan of ${stack}: ${result.message}`);
    return result.plan;
}
