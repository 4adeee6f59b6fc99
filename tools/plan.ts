/**
 * The offline plan: `npm run plan -- --stack <name> [--json <file>]`.
 *
 * Runs the real program under Pulumi's mock runtime with the stack's real config file, with no
 * cloud credentials, no Pulumi CLI, no Docker engine and no network, and prints what
 * `pulumi preview` would create. Exit 0 with a summary; exit 1 with the validation messages on
 * bad input; exit 2 when the program itself fails.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { runProgram } from "./runProgram";
import { summarize } from "./summary";

const usage = "usage: npm run plan -- --stack <name> [--json <file>]";

async function main(): Promise<number> {
    let values: { stack?: string; json?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            options: { stack: { type: "string", short: "s" }, json: { type: "string" }, help: { type: "boolean", short: "h" } },
            strict: true,
        }));
    } catch (error) {
        console.error(`${(error as Error).message}\n${usage}`);
        return 2;
    }
    if (values.help) {
        console.log(usage);
        return 0;
    }
    if (!values.stack) {
        console.error(`--stack is required\n${usage}`);
        return 2;
    }
    const started = process.hrtime.bigint();
    let result;
    try {
        result = await runProgram(values.stack);
    } catch (error) {
        console.error(`plan: ${(error as Error).message}`);
        return 2;
    }
    if (!result.ok) {
        console.error(result.message);
        return result.kind === "invalid" ? 1 : 2;
    }
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(summarize(result.plan));
    console.log(`\nplanned in ${(elapsedMs / 1000).toFixed(2)} s`);
    if (values.json) {
        fs.writeFileSync(values.json, JSON.stringify(result.plan, null, 2) + "\n");
        console.log(`wrote ${values.json}`);
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(error);
        process.exit(2);
    },
);
