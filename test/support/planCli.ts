/**
 * The offline plan as a user runs it, for tests: `plan/cli.ts`'s command with what it printed, its
 * exit code and the files it wrote; also the program alone (`runProgram`) over a stack file in
 * another directory. Under `npm test` the tests' plan service plans (test/support/planService.ts);
 * a test file run on its own plans in a worker thread of its own (test/support/planWorker.ts).
 * Either way it is the command a user runs, not a process of its own: test/planProcess.test.ts
 * shows a plan here is the plan `plan/cli.ts` prints and writes as a process.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { PlanDocument } from "../../plan/runProgram";
import { fixtureCatalog, fixtureRoot } from "./fixtures";
import type { PlanReply, PlanRequest } from "./planHere";
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

/** Runs `plan/cli.ts <args> --json <json> [--markdown <markdown>]`'s command; resolves whatever its exit code. */
export async function runPlanCli(args: readonly string[], options: PlanCliOptions): Promise<PlanCliRun> {
    const files = ["--json", options.json, ...(options.markdown ? ["--markdown", options.markdown] : [])];
    const label = options.label ?? args.map((arg) => (path.isAbsolute(arg) ? path.basename(arg) : arg)).join(" ");
    const { code, stdout, stderr, output } = await plan({ kind: "command", args: [...args, ...files], env: options.env });
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
 * The program alone (`runProgram`: no review, no CLI) over the stack file `stack` under `root`, as
 * a plan file holds it; rejects, naming `label`, unless it plans.
 */
export async function planAt(
    label: string,
    root: string,
    stack: string,
    catalog?: string,
    configOverrides?: Record<string, string>,
): Promise<PlanDocument> {
    const result = await plan({ kind: "program", stack, root, catalog, configOverrides });
    if (!result.ok) throw new Error(`${label}: the plan of ${stack}: ${result.message}`);
    return result.plan;
}
