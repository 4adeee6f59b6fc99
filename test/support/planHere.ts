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
import { PlanDocument, runProgram } from "../../plan/runProgram";
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

/** `runProgram(stack, { root, catalog, configOverrides })`. */
export interface ProgramRequest {
    readonly kind: "program";
    readonly stack: string;
    readonly root: string;
    readonly catalog?: string;
    readonly configOverrides?: Record<string, string>;
}

/** The plan as a plan file holds it (no undefined fields), or why there is none. */
export type ProgramResult = { readonly ok: true; readonly plan: PlanDocument } | { readonly ok: false; readonly message: string };

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

/** index.ts registers the fleet when loaded: a plan of the program at `root` loads it again. */
function forgetProgram(root: string): void {
    delete require.cache[path.join(root, "index.ts")];
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
    forgetProgram(args.includes("--root") ? path.resolve(args[args.indexOf("--root") + 1]) : projectRoot);
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
    forgetProgram(request.root);
    const { root, catalog, configOverrides } = request;
    const result = await runProgram(request.stack, { root, catalog, configOverrides });
    return result.ok ? { ok: true, plan: JSON.parse(JSON.stringify(result.plan)) as PlanDocument } : { ok: false, message: result.message };
}

/** Runs the request after every one asked for before it. */
export function planHere<R extends PlanRequest>(request: R): Promise<PlanReply<R>> {
    return oneAtATime(
        () => (request.kind === "command" ? command(request) : program(request)) as Promise<PlanReply<R>>,
        request.kind === "command" ? request.env : undefined,
    );
}
