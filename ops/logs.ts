/**
 * `npm run ops -- logs <service> --stack <name> [--since 10m] [--follow] [--filter <pattern>]`:
 * the service's log group (model/naming.ts), merged across its tasks in time order, one line per
 * event with its time and task id. The awslogs driver names each stream
 * `<prefix>/<container>/<task id>` (the prefix is the service's name), so the task id is the
 * stream name's last part.
 */
import { FilteredLogEvent, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { servicePhysicalNames } from "../model/naming";
import { call, Clients } from "./aws";
import { OpsError } from "./errors";
import { StackContext } from "./fleetModel";

export interface LogsOptions {
    readonly service: string;
    /** How far back to start, in milliseconds. */
    readonly sinceMs: number;
    /** CloudWatch Logs filter pattern syntax. */
    readonly filter?: string;
    readonly follow: boolean;
    /** Seconds between polls when following. */
    readonly pollSeconds?: number;
    /** Stops following (Ctrl-C in the CLI, the end of a test). */
    readonly signal?: AbortSignal;
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m`, `2h`, `1d`, `30s` → milliseconds; anything else is refused with the accepted form. */
export function parseSince(text: string, option = "--since"): number {
    const match = /^(\d+)([smhd])$/.exec(text.trim());
    if (!match || Number(match[1]) === 0)
        throw new OpsError(`${option} ${text}: use a positive number and a unit s, m, h or d (e.g. 10m, 2h, 1d)`);
    return Number(match[1]) * units[match[2]];
}

export function formatEvent(event: FilteredLogEvent): string {
    const time = new Date(event.timestamp ?? 0).toISOString();
    const task = (event.logStreamName ?? "?").split("/").pop();
    return `${time} ${task} ${(event.message ?? "").replace(/\n$/, "")}`;
}

async function fetchEvents(clients: Clients, group: string, startTime: number, filter: string | undefined, service: string, stack: string) {
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
        let page;
        try {
            page = await clients.logs.send(
                new FilterLogEventsCommand({ logGroupName: group, startTime, filterPattern: filter, nextToken }),
            );
        } catch (error) {
            if ((error as { name?: string }).name === "ResourceNotFoundException") {
                throw new OpsError(
                    `no log group ${group} in ${clients.region}: ${service} is not a deployed service of stack ${stack} ` +
                        `(npm run ops -- status --stack ${stack} lists them), or the stack is not deployed here`,
                );
            }
            // Any other failure: one line through the common translation.
            page = await call(clients, "logs:FilterLogEvents", () => Promise.reject(error));
        }
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
    } while (nextToken);
    // Merged across streams in time order; ties keep the service's order by stream and event id.
    return events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || (a.eventId ?? "").localeCompare(b.eventId ?? ""));
}

/** Prints the service's log events; with `follow`, keeps polling until the signal aborts. Returns the exit code. */
export async function runLogs(
    clients: Clients,
    context: StackContext,
    options: LogsOptions,
    out: (text: string) => void,
    now: () => number = Date.now,
): Promise<number> {
    const group = servicePhysicalNames.logGroup(context.names, options.service);
    const stack = context.config.stack;
    let start = now() - options.sinceMs;
    const seen = new Set<string>();
    const print = (events: FilteredLogEvent[]) => {
        for (const event of events) {
            // The next poll starts at the newest time seen (inclusive, as FilterLogEvents is), so
            // only the ids of events at that very time need remembering.
            const time = event.timestamp ?? start;
            if (time > start) {
                start = time;
                seen.clear();
            }
            const id = event.eventId ?? `${event.logStreamName}/${time}/${event.message}`;
            if (seen.has(id)) continue;
            seen.add(id);
            out(formatEvent(event));
        }
    };
    print(await fetchEvents(clients, group, start, options.filter, options.service, stack));
    if (!options.follow) return 0;
    const pollMs = (options.pollSeconds ?? 2) * 1000;
    while (!options.signal?.aborted) {
        await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            options.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (options.signal?.aborted) break;
        print(await fetchEvents(clients, group, start, options.filter, options.service, stack));
    }
    return 0;
}
