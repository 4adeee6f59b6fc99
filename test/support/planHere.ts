/**
 * Plans in this thread, one at a time: `plan/cli.ts`'s command with what it printed, or the
 * program alone (`runProgram`). Pulumi's runtime is global state, which each plan resets; whatever
 * a plan left in flight (a program that failed half-way) settles before the next starts. Run by
 * the tests' plan service (test/support/planService.ts), or by a test's own process without it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { format } from "node:util";
import { main as planCommand } from "../../plan/cli";
import { PlanResult, runProgram, RunProgramOptions } from "../../plan/runProgram";
import { projectRoot } from "./fixtures";

/** `plan/cli.ts <args>`: its arguments include where it writes (--json, --markdown). */
export interface CommandRequest {
    readonly kind: "command";
    readonly args: readonly string[];
    /** The environment the plan sees (git, for content tags), instead of this process's. */
    readonly env?: NodeJS.ProcessEnv;
}

export interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** stdout and stderr as they were printed, interleaved. */
    readonly output: string;
}

/** `runProgram(stack, options)`. */
export interface ProgramRequest {
    readonly kind: "program";
    readonly stack: string;
    readonly options: RunProgramOptions;
}

/** What `runProgram` resolves, as a plan file holds it (no undefined fields). */
export type ProgramResult = PlanResult;

export type PlanRequest = CommandRequest | ProgramRequest;
export type PlanReply<R extends PlanRequest> = R extends CommandRequest ? CommandResult : ProgramResult;

let queue: Promise<unknown> = Promise.resolve();

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

/**
 * What a plan loads afresh: index.ts, which registers the fleet when loaded, and every module
 * outside this checkout and its dependencies (a test's copies of the project, the catalogs it
 * writes, which it may edit between plans). The checkout's own modules and the dependencies load once.
 */
function forgetPrograms(root: string): void {
    delete require.cache[path.join(root, "index.ts")];
    for (const file of Object.keys(require.cache)) {
        const own = !path.relative(projectRoot, file).startsWith("..") || file.includes(`${path.sep}node_modules${path.sep}`);
        if (!own) delete require.cache[file];
    }
}

async function command(request: CommandRequest): Promise<CommandResult> {
    const { args } = request;
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
    forgetPrograms(args.includes("--root") ? path.resolve(args[args.indexOf("--root") + 1]) : projectRoot);
    let code: number;
    try {
        code = await planCommand([...args], { log: print("out"), error: print("err") });
    } catch (error) {
        // As plan/cli.ts exits when its command throws.
        print("err")(error);
        code = 2;
    }
    return { code, stdout, stderr, output };
}

async function program(request: ProgramRequest): Promise<ProgramResult> {
    forgetPrograms(path.resolve(request.options.root ?? projectRoot));
    return JSON.parse(JSON.stringify(await runProgram(request.stack, request.options))) as ProgramResult;
}

/** Runs the request after every one asked for before it. */
export function planHere<R extends PlanRequest>(request: R): Promise<PlanReply<R>> {
    return oneAtATime(
        () => (request.kind === "command" ? command(request) : program(request)) as Promise<PlanReply<R>>,
        request.kind === "command" ? request.env : undefined,
    );
}
