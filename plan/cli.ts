/**
 * The offline plan: `npm run plan -- --stack <name> [--json <file>] [--markdown <file>] [--against <plan.json>]`.
 *
 * Runs the real program under Pulumi's mock runtime with the stack's real config file, with no
 * cloud credentials, no Pulumi CLI, no Docker engine and no network, and prints what
 * `pulumi preview` would create, with its verdict (fleet's policy, always evaluated), routing,
 * capacity, rollout time and cost; against a base plan, what changes. Exit 0 with the report;
 * exit 1 with the validation messages on bad input (and `--json` holds `{ project, stack, problems }`),
 * or when the verdict fails (mandatory policy violations, refused deletions); exit 2 when the program
 * itself fails or the arguments are wrong.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { renderMarkdown, renderText, review } from "../review/render";
import { reviewSection } from "../review/section";
import { PlanDocument, runProgram } from "./runProgram";

const usage =
    "usage: npm run plan -- --stack <name> [--json <file>] [--markdown " +
    "<file>] [--against <base plan.json>] [--policy] [--config " +
    "<key>=<value> ...] [--catalog <module>] [--root <dir>]";

function readBase(file: string): PlanDocument {
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as PlanDocument;
    if (!doc || !Array.isArray(doc.resources) || typeof doc.stack !== "string") throw new Error(`${file} is not a plan written by --json`);
    return { ...doc, config: doc.config ?? {} };
}

/**
 * The command: prints to `console` (the process's, or a test's capture: tests run it in-process)
 * and returns the exit code.
 */
export async function main(
    args: string[] = process.argv.slice(2),
    console: Pick<Console, "log" | "error"> = globalThis.console,
): Promise<number> {
    let values: {
        stack?: string;
        json?: string;
        markdown?: string;
        against?: string;
        policy?: boolean;
        config?: string[];
        catalog?: string;
        root?: string;
        help?: boolean;
    };
    try {
        ({ values } = parseArgs({
            args,
            options: {
                stack: { type: "string", short: "s" },
                json: { type: "string" },
                markdown: { type: "string" },
                against: { type: "string" },
                policy: { type: "boolean" },
                // Like `pulumi preview -c key=value`: try a stack-file change without editing the file.
                config: { type: "string", short: "c", multiple: true },
                // Another catalog module (exporting `services`) instead of services/: try a catalog change.
                catalog: { type: "string" },
                // Where Pulumi.yaml, the stack files and the build contexts are: the tests' fixture project.
                root: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
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
    let base: PlanDocument | undefined;
    try {
        base = values.against ? readBase(values.against) : undefined;
    } catch (error) {
        console.error(`plan: --against: ${(error as Error).message}`);
        return 2;
    }
    const configOverrides: Record<string, string> = {};
    for (const pair of values.config ?? []) {
        const equals = pair.indexOf("=");
        if (equals <= 0) {
            console.error(`--config ${pair}: expected <key>=<value>\n${usage}`);
            return 2;
        }
        configOverrides[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
    const started = process.hrtime.bigint();
    let result;
    try {
        result = await runProgram(values.stack, {
            configOverrides,
            catalog: values.catalog,
            root: values.root === undefined ? undefined : path.resolve(values.root),
            // The base is what is deployed: its listener rules keep their priorities, as a real run reads them back.
            deployedOutputs: base?.outputs,
        });
    } catch (error) {
        console.error(`plan: ${(error as Error).message}`);
        return 2;
    }
    if (!result.ok) {
        console.error(result.message);
        if (result.kind === "error") return 2;
        // Refused input: the problems as data, for CI and the pull request's comment; the output stays the lines above.
        if (values.json) {
            const { project, stack, problems } = result;
            fs.writeFileSync(values.json, JSON.stringify({ project, stack, problems }, null, 2) + "\n");
        }
        return 1;
    }
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    // The policy runs on every plan; --policy is still accepted for scripts that pass it.
    const report = review(result.plan, base);
    console.log(renderText(report));
    console.log(`\nplanned in ${(elapsedMs / 1000).toFixed(2)} s`);
    if (values.json) {
        const document = { ...result.plan, policy: report.policy, review: reviewSection(report) };
        fs.writeFileSync(values.json, JSON.stringify(document, null, 2) + "\n");
        console.log(`wrote ${values.json}`);
    }
    if (values.markdown) {
        fs.writeFileSync(values.markdown, renderMarkdown(report));
        console.log(`wrote ${values.markdown}`);
    }
    // The reports are written either way, so a pull request shows why it fails.
    // A budget violation fails a mandatory stack, naming the figure, the budget and the key; an advisory one only warns (above).
    if (report.budget.blocking) for (const violation of report.budget.violations) console.error(violation);
    if (!report.verdict.passes) {
        console.error(`${report.verdict.reasons.join(", ")}: see above`);
        return 1;
    }
    return 0;
}

/** Exits once stdout has been flushed: process.exit() alone cuts piped output at 64 KiB. */
function exitAfterFlush(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

if (require.main === module)
    main().then(exitAfterFlush, (error) => {
        console.error(error);
        exitAfterFlush(2);
    });
