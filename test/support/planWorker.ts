/** A worker thread of the tests' plan service (test/support/planService.ts): plans what it is sent, one at a time. */
import { parentPort } from "node:worker_threads";
import { planHere, PlanRequest } from "./planHere";

parentPort!.on("message", (request: PlanRequest) => {
    planHere(request).then(
        (reply) => parentPort!.postMessage({ reply }),
        (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
});
