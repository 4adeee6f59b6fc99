/**
 * The tests' plan service. `npm test` preloads this module into the test runner and into each
 * test file's process (`--require`); in the runner, the parent of the test files' processes, it
 * listens on a Unix socket named by FLEET_PLAN_SERVICE, which the test files' processes inherit,
 * and plans what they ask (test/support/planCli.ts) in worker threads, one per core. Elsewhere it
 * does nothing. Before it listens, the runner compiles what of the project's TypeScript is not
 * compiled yet (test/support/typescript.js), so that the test files' processes find it compiled.
 * Two costs are paid once per run instead of once per plan or per test file:
 * loading the program and Pulumi's SDK takes about 3 s of CPU, ten times a small plan; and
 * node:test (Node 20) tracks every asynchronous resource of a test file's process with an async
 * hook, which makes a plan, thousands of promises, several times slower there than in a worker.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { isMainThread, Worker } from "node:worker_threads";
import type { PlanRequest } from "./planHere";

export const planServiceVariable = "FLEET_PLAN_SERVICE";

/** A plan worker's code: test/support/planWorker.ts, loaded as `npm test` loads TypeScript. */
export const planWorkerCode = ["typescript.js", "planWorker.ts"]
    .map((file) => `require(${JSON.stringify(path.join(__dirname, file))});`)
    .join("\n");

interface Pending {
    readonly request: PlanRequest;
    readonly answer: (reply: string) => void;
}

interface PlanWorker {
    readonly worker: Worker;
    /** How to answer the request it is planning; none while it is idle. */
    answer?: (reply: string) => void;
}

function startService(): void {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-plans-"));
    const socket = path.join(directory, "socket");
    const workers: PlanWorker[] = [];
    const queue: Pending[] = [];
    const most = Math.max(1, Math.min(2, os.availableParallelism()));

    const newWorker = (): PlanWorker => {
        const planWorker: PlanWorker = { worker: new Worker(planWorkerCode, { eval: true, execArgv: ["--enable-source-maps"] }) };
        planWorker.worker.on("message", (answer: { reply: unknown } | { error: string }) => {
            planWorker.answer?.(JSON.stringify(answer));
            planWorker.answer = undefined;
            dispatch();
        });
        planWorker.worker.on("error", (error) => {
            // A worker that died takes its plan with it: that plan fails, the others go to a new worker.
            planWorker.answer?.(JSON.stringify({ error: `the plan service's worker failed: ${error.stack}` }));
            workers.splice(workers.indexOf(planWorker), 1);
            dispatch();
        });
        planWorker.worker.unref();
        workers.push(planWorker);
        return planWorker;
    };

    const dispatch = (): void => {
        while (queue.length > 0) {
            const idle = workers.find((w) => !w.answer) ?? (workers.length < most ? newWorker() : undefined);
            if (!idle) return;
            const { request, answer } = queue.shift()!;
            idle.answer = answer;
            idle.worker.postMessage(request);
        }
    };

    const server = net.createServer((connection) => {
        let text = "";
        connection.setEncoding("utf8");
        connection.on("data", (chunk) => {
            text += chunk;
            const end = text.indexOf("\n");
            if (end < 0) return;
            queue.push({ request: JSON.parse(text.slice(0, end)) as PlanRequest, answer: (reply) => connection.end(`${reply}\n`) });
            dispatch();
        });
        connection.on("error", () => undefined);
    });
    // Both load the program while the first test files start.
    while (workers.length < most) newWorker();
    server.listen(socket);
    server.unref();
    process.env[planServiceVariable] = socket;
    process.on("exit", () => fs.rmSync(directory, { recursive: true, force: true }));
}

// The runner: started with --test, not itself a test file's process (those have NODE_TEST_CONTEXT).
if (
    isMainThread &&
    process.env.NODE_TEST_CONTEXT === undefined &&
    process.execArgv.includes("--test") &&
    !process.env[planServiceVariable]
) {
    (require("./typescript.js") as { compileProject(): void }).compileProject();
    startService();
}
