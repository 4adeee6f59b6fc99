/**
 * Day two: `npm run ops -- <status|logs|tune> --stack <name>`, reading the live account with the
 * AWS SDK (the standard credential chain, the stack file's aws:region, AWS_ENDPOINT_URL when set).
 *
 *   status                                   tasks, rollouts, targets, events, stopped tasks; exit 1 when not steady
 *   logs <service> [--since 10m] [--follow] [--filter <pattern>]
 *   tune [--days 14] [--write]               memory and CPU from what the services used
 *
 * Exit 0 on success, 1 when status finds a service not at steady state, 2 when ops cannot run
 * (bad arguments, no credentials, no cluster, Container Insights off): one line, no stack trace.
 */
import * as path from "path";
import { parseArgs } from "util";
import { cloudWatchHourlyRetentionDays } from "../facts/aws";
import { makeClients } from "./aws";
import { OpsError } from "./errors";
import { loadCatalog, readStack, repoRoot } from "./fleetModel";
import { parseSince, runLogs } from "./logs";
import { runStatus } from "./status";
import { runTune } from "./tune";

const usage = [
    "usage: npm run ops -- status --stack <name>",
    "       npm run ops -- logs <service> --stack <name> [--since 10m] [--follow] [--filter <pattern>]",
    "       npm run ops -- tune --stack <name> [--days 14] [--write]",
    "options: --root <dir> (where Pulumi.yaml and the stack files are), --catalog <module> (tune: instead of services/index.ts)",
].join("\n");

export async function main(
    argv: readonly string[],
    out: (text: string) => void = console.log,
    err: (text: string) => void = console.error,
): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            strict: true,
            options: {
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
    if (values.help) {
        out(usage);
        return 0;
    }
    const [command, ...rest] = positionals;
    if (!command || !["status", "logs", "tune"].includes(command)) {
        err(`ops: ${command ? `unknown command ${command}` : "a command is required"}\n${usage}`);
        return 2;
    }
    if (!values.stack) {
        err(`ops: --stack <name> is required (the stack file Pulumi.<name>.yaml names the region)\n${usage}`);
        return 2;
    }
    try {
        const root = path.resolve(values.root ?? repoRoot);
        const context = readStack(root, values.stack);
        const clients = makeClients(context.config.region);
        if (command === "status") {
            if (rest.length > 0) throw new OpsError(`status takes no service name (got ${rest.join(" ")})`);
            return await runStatus(clients, context, out);
        }
        if (command === "logs") {
            if (rest.length !== 1) throw new OpsError(`logs takes one service name: npm run ops -- logs <service> --stack ${values.stack}`);
            const controller = new AbortController();
            const stop = () => controller.abort();
            process.once("SIGINT", stop);
            try {
                return await runLogs(
                    clients,
                    context,
                    {
                        service: rest[0],
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
        const catalog = loadCatalog(values.catalog ?? path.join(repoRoot, "services", "index.ts"));
        return await runTune(clients, context, catalog, { days, write: values.write ?? false }, out);
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
