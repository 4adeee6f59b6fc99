/**
 * What the catalog says a stack runs, read without resolving it (a catalog mid-change still
 * answers): each entry is a service, a job (a `schedule`, from the catalog or the stack's
 * override) or turned off in the stack (`fleet:services.<name>.enabled: false`). Commands that
 * take a name check it here, before any AWS call.
 */
import { Catalog } from "../model/catalog";
import { didYouMean, isRecord } from "../model/problems";
import { parseJsonOrString } from "../facts/json";
import { OpsError } from "./errors";
import { StackContext } from "./fleetModel";

export type EntryKind = "service" | "job";

export interface CatalogEntries {
    /** Entries the stack runs, by name, in name order. */
    readonly running: ReadonlyMap<string, EntryKind>;
    /** Entries the stack turns off. */
    readonly disabled: readonly string[];
}

export function catalogEntries(catalog: Catalog, context: StackContext): CatalogEntries {
    const raw = context.config.config[`${context.config.project}:services`];
    const parsed = raw === undefined ? undefined : parseJsonOrString(raw);
    const overrides = isRecord(parsed) ? parsed : {};
    const running = new Map<string, EntryKind>();
    const disabled: string[] = [];
    for (const name of Object.keys(catalog).sort()) {
        const override = isRecord(overrides[name]) ? overrides[name] : {};
        if (override.enabled === false) {
            disabled.push(name);
            continue;
        }
        const entry = catalog[name] as Record<string, unknown>;
        running.set(name, (override.schedule ?? entry?.schedule) !== undefined ? "job" : "service");
    }
    return { running, disabled };
}

/**
 * The kind of `name` when the stack runs it and `command` takes that kind; otherwise one line
 * naming what the catalog has (`catalogFile` names the catalog in it).
 */
export function requireEntry(
    entries: CatalogEntries,
    name: string,
    command: string,
    accepts: readonly EntryKind[],
    context: StackContext,
    catalogFile: string,
): EntryKind {
    const stack = context.config.stack;
    if (entries.disabled.includes(name))
        throw new OpsError(`${name} is turned off in stack ${stack} (fleet:services.${name}.enabled: false in Pulumi.${stack}.yaml)`);
    const kind = entries.running.get(name);
    const candidates = [...entries.running].filter(([, k]) => accepts.includes(k)).map(([n]) => n);
    const what = accepts.length === 1 ? `${accepts[0]}s` : "services and jobs";
    if (kind === undefined) {
        throw new OpsError(
            `${name} is not in the catalog (${catalogFile})${didYouMean(name, candidates)}; ` +
                `its ${what} in stack ${stack}: ${candidates.join(", ") || "none"}`,
        );
    }
    if (!accepts.includes(kind)) {
        throw new OpsError(
            kind === "job"
                ? `${name} is a job (it has a schedule), and ${command} takes a service; ` +
                      `its services in stack ${stack}: ${candidates.join(", ") || "none"}`
                : `${name} is a service, and ${command} takes a job`,
        );
    }
    return kind;
}
