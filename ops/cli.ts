/**
 * Day two: `npm run ops -- <command> --stack <name>`, reading (and, for run and rollback, acting
 * on) the live account with the AWS SDK (the standard credential chain, the stack file's
 * aws:region, AWS_ENDPOINT_URL when set).
 *
 *   status                                   tasks, rollouts, targets, events, stopped tasks, catalog services not
 *                                            deployed; exit 1 when not steady
 *   logs <service> [--since 10m] [--follow] [--filter <pattern>]
 *   tune [--days 14] [--write]               memory and CPU from what the services used
 *   run <service|job> [--detach] [--timeout 30m] [-- <command...>]   a one-off task; exits with its exit code
 *   rollback <service>                       back to the task definition revision before the current one
 *   help                                     the usage
 *
 * Exit 0 on success, 1 when status finds a service not at steady state, 2 when ops cannot run
 * (bad arguments, no credentials, no cluster, Container Insights off): one line, no stack trace.
 * `run` exits with the task's container's exit code.
 */
import * as path from "path";
import { parseArgs } from "util";
import { cloudWatchHourlyRetentionDays } from "../facts/aws";
import { makeClients } from "./aws";
import { catalogEntries, requireEntry } from "./entries";
import { OpsError } from "./errors";
import { loadCatalog, readStack, repoRoot } from "./fleetModel";
import { parseSince, runLogs } from "./logs";
import { runRollback } from "./rollback";
import { Clock, realClock, runOneOff } from "./run";
import { runStatus } from "./status";
import { runTune } from "./tune";

export const usage = [
    "usage: npm run ops -- status --stack <name>",
    "       npm run ops -- logs <service|job> --stack <name> [--since 10m] [--follow] [--filter <pattern>]",
    "       npm run ops -- tune --stack <name> [--days 14] [--write]",
    "       npm run ops -- run <service|job> --stack <name> [--detach] [--timeout 30m] [-- <command...>]",
    "       npm run ops -- rollback <service> --stack <name>",
    "       npm run ops -- help",
    "options: --root <dir> (where Pulumi.yaml and the stack files are), --catalog <module> (instead of services/index.ts)",
    "what each command reads and needs: docs/ops.md",
].join("\n");

const commands = ["status", "logs", "tune", "run", "rollback", "help"];

/** The longest `run` waits for its task by default. */
const defaultRunTimeout = "30m";

export async function main(
    argv: readonly string[],
    out: (text: string) => void = console.log,
    err: (text: string) => void = console.error,
    clock: Clock = realClock,
): Promise<number> {
    // `run`'s command follows `--`, and is the task's, not ops' (its options are never parsed here).
    const terminator = argv.indexOf("--");
    const taskCommand = terminator >= 0 ? argv.slice(terminator + 1) : undefined;
    let parsed;
    try {
        parsed = parseArgs({
            args: terminator >= 0 ? argv.slice(0, terminator) : [...argv],
            allowPositionals: true,
            strict: true,
            options: {
                detach: { type: "boolean", short: "d" },
                timeout: { type: "string" },
                stack: { type: "string", short: "s" },
                since: { type: "string" },
                follow: { type: "boolean", short: "f" },
                filter: { type: "string" },
                days: { type: "string" },
                write: { type: "boolean" },
                root: { type: "string" },
                catalog: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (error) {
        err(`ops: ${(error as Error).message}\n${usage}`);
        return 2;
    }
    const { values, positionals } = parsed;
    const [command, ...rest] = positionals;
    if (values.help || command === "help") {
        out(usage);
        return 0;
    }
    if (!command || !commands.includes(command)) {
        err(`ops: ${command ? `unknown command ${command}` : "a command is required"}\n${usage}`);
        return 2;
    }
    if (taskCommand && command !== "run") {
        err(`ops: only run takes a command after --\n${usage}`);
        return 2;
    }
    if (taskCommand?.length === 0) {
        err(`ops: nothing after --: give the task's command, e.g. -- npm run migrate, or leave out -- to run the image's own\n${usage}`);
        return 2;
    }
    if (!values.stack) {
        err(`ops: --stack <name> is required (the stack file Pulumi.<name>.yaml names the region)\n${usage}`);
        return 2;
    }
    try {
        const root = path.resolve(values.root ?? repoRoot);
        const context = readStack(root, values.stack);
        const catalogFile = values.catalog ?? path.join(repoRoot, "services", "index.ts");
        const shown = path.relative(process.cwd(), path.resolve(catalogFile)) || catalogFile;
        // Names are checked against the catalog before any AWS call.
        const entries = () => catalogEntries(loadCatalog(catalogFile), context);
        const one = (what: string) => {
            if (rest.length !== 1)
                throw new OpsError(`${command} takes one ${what} name: npm run ops -- ${command} <${what}> --stack ${values.stack}`);
            return rest[0];
        };
        if (command === "status") {
            if (rest.length > 0) throw new OpsError(`status takes no service name (got ${rest.join(" ")})`);
            const known = entries();
            return await runStatus(makeClients(context.config.region), context, out, new Date(), known);
        }
        if (command === "run") {
            const name = one("service|job");
            const kind = requireEntry(entries(), name, "run", ["service", "job"], context, shown);
            const timeoutMs = parseSince(values.timeout ?? defaultRunTimeout, "--timeout");
            return await runOneOff(
                makeClients(context.config.region),
                context,
                { name, kind, command: taskCommand, detach: values.detach ?? false, timeoutMs },
                out,
                err,
                clock,
            );
        }
        if (values.detach || values.timeout) throw new OpsError(`--detach and --timeout are run's, not ${command}'s`);
        if (command === "rollback") {
            const name = one("service");
            requireEntry(entries(), name, "rollback", ["service"], context, shown);
            return await runRollback(makeClients(context.config.region), context, name, out);
        }
        const clients = makeClients(context.config.region);
        if (command === "logs") {
            const name = one("service|job");
            requireEntry(entries(), name, "logs", ["service", "job"], context, shown);
            const controller = new AbortController();
            const stop = () => controller.abort();
            process.once("SIGINT", stop);
            try {
                return await runLogs(
                    clients,
                    context,
                    {
                        service: name,
                        sinceMs: parseSince(values.since ?? "10m"),
                        filter: values.filter,
                        follow: values.follow ?? false,
                        signal: controller.signal,
                    },
                    out,
                );
            } finally {
                process.off("SIGINT", stop);
            }
        }
        if (rest.length > 0)
            throw new OpsError(`tune takes no service name (got ${rest.join(" ")}); it tunes every service of the catalog`);
        const days = Number(values.days ?? "14");
        if (!Number.isInteger(days) || days < 1 || days > cloudWatchHourlyRetentionDays) {
            throw new OpsError(
                `--days ${values.days}: use a whole number of days from 1 ` +
                    `to ${cloudWatchHourlyRetentionDays} (CloudWatch keeps hourly ` +
                    `data ${cloudWatchHourlyRetentionDays} days)`,
            );
        }
        return await runTune(clients, context, loadCatalog(catalogFile), { days, write: values.write ?? false }, out);
    } catch (error) {
        if (error instanceof OpsError) {
            err(`ops ${command}: ${error.message}`);
            return 2;
        }
        const text =
            error instanceof Error ? (process.env.FLEET_OPS_STACK_TRACES ? (error.stack ?? error.message) : error.message) : String(error);
        err(`ops ${command}: unexpected failure: ${text.split("\n")[0]} (run with FLEET_OPS_STACK_TRACES=1 for details)`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.stdout.write("", () => process.exit(code)),
        (error) => {
            console.error(`ops: ${(error as Error).message}`);
            process.exit(2);
        },
    );
}
