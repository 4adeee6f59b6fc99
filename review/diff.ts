/**
 * What a plan changes against a base plan: resources added, removed, changed in place and replaced
 * (with the input paths that changed, and those that force the replacement), grouped by service.
 * Secrets stay masked: both plans hold "[secret]". Resources are matched by URN with the stack left
 * out (also from `<project>-<stack>` names), so a prod plan compares with a dev one.
 */
import { stackNames } from "../model/naming";
import { parseJsonOrString } from "../facts/json";
import { planResources } from "./facts";
import { ResourceIndex } from "../policy/rules";
import { replacementPaths, replacementRule, touches, within } from "./replacements";
import { PlanDocument, PlanResource } from "../plan/runProgram";

export interface ResourceChange {
    readonly kind: "add" | "remove" | "change" | "replace";
    readonly type: string;
    readonly name: string;
    /** Changed input paths, e.g. `containerDefinitions[0].memory` (changes and replacements). */
    readonly paths: readonly string[];
    /** The changed inputs with their old and new values (changes and replacements; secrets stay "[secret]"). */
    readonly values?: readonly ValueChange[];
    /** The changed paths that force the replacement (replacements only). */
    readonly replacedBy?: readonly string[];
    /**
     * What the replacement risks: a refusal, a gap while a fixed name is re-created, lost state
     * (replacements, and a file system's removal).
     */
    readonly warnings?: readonly string[];
}

export interface ChangeGroup {
    /** A service name, or "platform" for shared resources. */
    readonly group: string;
    readonly changes: readonly ResourceChange[];
}

export interface PlanDiff {
    readonly groups: readonly ChangeGroup[];
    readonly added: number;
    readonly removed: number;
    /** Updated in place. */
    readonly changed: number;
    /** Replaced: a new resource is created and the old one deleted. */
    readonly replaced: number;
}

/** The most changed paths listed per resource; the rest are counted. */
const maxPathsPerResource = 12;

/** At most `maxPathsPerResource` paths, then a count of the rest. */
function shortened(paths: readonly string[]): string[] {
    return paths.length > maxPathsPerResource
        ? [...paths.slice(0, maxPathsPerResource), `… ${paths.length - maxPathsPerResource} more`]
        : [...paths];
}

/** A URN with its stack, and the `<project>-<stack>` prefix of platform names, replaced by `*`. */
function stackless(urn: string, plan: PlanDocument): string {
    return urn
        .replace(/^urn:pulumi:[^:]+::/, "urn:pulumi:*::")
        .split(stackNames(plan.project, plan.stack).prefix)
        .join(stackNames(plan.project, "*").prefix);
}

/** A JSON document held in a string (a policy, container definitions) as the document; anything else as is. */
const parseJsonText = (value: unknown): unknown => (typeof value === "string" && /^\s*[[{]/.test(value) ? parseJsonOrString(value) : value);

/** An input that changed: where, and its value before and after (undefined where absent). */
export interface ValueChange {
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
}

/** Lists of `{ name, value }` (a container's environment) or `{ name, valueFrom }` (its secrets), compared by name. */
const namedLists: Readonly<Record<string, string>> = { environment: "value", secrets: "valueFrom" };

function byName(key: string, value: unknown): unknown {
    const field = namedLists[key];
    if (!field || !Array.isArray(value)) return value;
    const named = value.every((item) => typeof item === "object" && item !== null && typeof item.name === "string");
    const names = named ? value.map((item) => item.name as string) : [];
    if (!named || new Set(names).size !== names.length) return value;
    return Object.fromEntries(value.map((item) => [item.name, item[field]]));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The inputs at which two values differ, with both values; JSON documents held in strings are
 * compared as documents, and a container's environment and secrets by variable name
 * (`containerDefinitions[0].environment.LOG_LEVEL`), so an added variable is one change.
 */
export function changedValues(before: unknown, after: unknown, path = "", key = ""): ValueChange[] {
    const a = byName(key, parseJsonText(before));
    const b = byName(key, parseJsonText(after));
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    if (Array.isArray(a) && Array.isArray(b)) {
        const changes: ValueChange[] = [];
        for (let i = 0; i < Math.max(a.length, b.length); i++) changes.push(...changedValues(a[i], b[i], `${path}[${i}]`));
        return changes;
    }
    if (isObject(a) && isObject(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((k) => changedValues(a[k], b[k], path ? `${path}.${k}` : k, k));
    }
    return [{ path: path || "(value)", before: a, after: b }];
}

/** Paths at which two input values differ (see changedValues). */
export function changedPaths(before: unknown, after: unknown): string[] {
    return changedValues(before, after).map((change) => change.path);
}

/**
 * The changed paths that replace `after`: those its provider cannot update in place, and those the
 * program declares with `replaceOnChanges`. Paths under `ignoreChanges` are not diffed by the
 * engine, so they replace nothing.
 */
export function replacingPaths(before: PlanResource, after: PlanResource, paths: readonly string[]): string[] {
    const ignored = after.ignoreChanges ?? [];
    const inputs = paths.filter((path) => !path.startsWith("(") && !ignored.some((root) => root === "*" || within(path, root)));
    const declared = after.replaceOnChanges ?? [];
    const byProvider = new Set(replacementPaths(after.type, inputs, { before: before.inputs, after: after.inputs }));
    // The engine replaces a resource whose replacementTrigger changed, whatever its inputs did.
    const triggered = paths.includes(replacementTriggerPath) ? [replacementTriggerPath] : [];
    return [...inputs.filter((path) => byProvider.has(path) || declared.some((root) => root === "*" || touches(path, root))), ...triggered];
}

/**
 * Whether the engine replaces a resource for its `replacementTrigger`: only when the recorded and
 * the new value are both set and differ (pulumi/pulumi pkg/resource/deploy/step_generator.go
 * shouldTriggerReplace: "Nulls mean there is no replacement trigger").
 */
export function triggersReplacement(before: unknown, after: unknown): boolean {
    if (before === undefined || before === null || after === undefined || after === null) return false;
    return JSON.stringify(before) !== JSON.stringify(after);
}

/** How a changed `replacementTrigger` reads among a resource's changed paths. */
export const replacementTriggerPath = "(replacementTrigger)";

/**
 * What a reviewer must know before approving a replacement. The engine refuses to replace a
 * resource the program declares protected (it checks the new goal, so unprotecting and replacing
 * in one update is allowed: pulumi/pulumi#8873). A replacement that keeps a fixed physical name
 * cannot create first, Pulumi's default (resource option deleteBeforeReplace).
 */
function replacementWarnings(before: PlanResource, after: PlanResource): string[] {
    if (after.protect) return ["protected: the engine refuses to replace it; unprotect it in one update first, or revert the change"];
    const rule = replacementRule(after.type);
    const warnings: string[] = [];
    const fixed = rule?.fixedName;
    const name = fixed ? after.inputs[fixed.input] : undefined;
    if (fixed && fixed.reuse !== "revision" && name !== undefined && JSON.stringify(name) === JSON.stringify(before.inputs[fixed.input])) {
        const held = `keeps its fixed ${fixed.input} ${String(name)}`;
        if (after.deleteBeforeReplace) warnings.push(`${held}: deleted before the new one is created, so it is missing in between`);
        else if (fixed.reuse === "unique")
            warnings.push(`${held}: AWS refuses a second one while the old exists, and Pulumi creates first without deleteBeforeReplace`);
        else
            warnings.push(
                `${held}: the new one takes the old one's place, then deleting the old one removes it; it needs deleteBeforeReplace`,
            );
    }
    if (rule?.stateful) warnings.push(`stateful: ${rule.stateful}`);
    return warnings;
}

export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
    const baseResources = planResources(base);
    const headResources = planResources(head);
    const baseIndex = new Map(base.resources.map((r) => [stackless(r.urn, base), r]));
    const headIndex = new Map(head.resources.map((r) => [stackless(r.urn, head), r]));
    const groups = new Map<string, ResourceChange[]>();
    const record = (resource: PlanResource, resources: ResourceIndex, change: ResourceChange) => {
        const group = resources.serviceOfUrn(resource.urn) ?? "platform";
        groups.set(group, [...(groups.get(group) ?? []), change]);
    };
    let added = 0;
    let removed = 0;
    let changed = 0;
    let replaced = 0;
    for (const [key, resource] of headIndex) {
        const before = baseIndex.get(key);
        if (!before) {
            added++;
            record(resource, headResources, { kind: "add", type: resource.type, name: resource.name, paths: [] });
            continue;
        }
        const values = changedValues(before.inputs, resource.inputs);
        if (triggersReplacement(before.replacementTrigger, resource.replacementTrigger))
            values.push({ path: replacementTriggerPath, before: before.replacementTrigger, after: resource.replacementTrigger });
        const paths = values.map((value) => value.path);
        if (before.protect !== resource.protect) paths.push("(protect)");
        if (paths.length === 0) continue;
        const replacedBy = replacingPaths(before, resource, paths);
        if (replacedBy.length > 0) {
            replaced++;
            record(resource, headResources, {
                kind: "replace",
                type: resource.type,
                name: resource.name,
                paths: shortened(paths),
                values,
                replacedBy: shortened(replacedBy),
                warnings: replacementWarnings(before, resource),
            });
        } else {
            changed++;
            record(resource, headResources, { kind: "change", type: resource.type, name: resource.name, paths: shortened(paths), values });
        }
    }
    for (const [key, resource] of baseIndex) {
        if (!headIndex.has(key)) {
            removed++;
            // A file system goes with its files: the removal says so (review/guards.ts refuses or warns too).
            const lost = resource.type === "aws:efs/fileSystem:FileSystem" ? { warnings: ["deleted with every file on it"] } : {};
            record(resource, baseResources, { kind: "remove", type: resource.type, name: resource.name, paths: [], ...lost });
        }
    }
    const ordered = [...groups.entries()]
        .sort(([a], [b]) => (a === "platform" ? -1 : b === "platform" ? 1 : a.localeCompare(b)))
        .map(([group, changes]) => ({ group, changes }));
    return { groups: ordered, added, removed, changed, replaced };
}
