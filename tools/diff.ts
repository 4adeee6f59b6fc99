/**
 * What a plan changes against a base plan: resources added, removed and changed (with the input
 * paths that changed), grouped by service. Secrets stay masked: both plans hold "[secret]".
 * Resources are matched by URN with the stack left out (also from `<project>-<stack>` names), so a
 * prod plan compares with a dev one.
 */
import { planFleet } from "./facts";
import { Fleet } from "../policy/rules";
import { PlanDocument, PlanResource } from "./runProgram";

export interface ResourceChange {
    readonly kind: "add" | "remove" | "change";
    readonly type: string;
    readonly name: string;
    /** Changed input paths, e.g. `containerDefinitions[0].memory` (changes only). */
    readonly paths: readonly string[];
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
    readonly changed: number;
}

/** The most changed paths listed per resource; the rest are counted. */
const maxPathsPerResource = 12;

/** A URN with its stack, and the `<project>-<stack>` prefix of platform names, replaced by `*`. */
function stackless(urn: string, plan: PlanDocument): string {
    return urn.replace(/^urn:pulumi:[^:]+::/, "urn:pulumi:*::").split(`${plan.project}-${plan.stack}`).join(`${plan.project}-*`);
}

function parseJsonText(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Paths at which two input values differ; JSON documents held in strings are compared as documents. */
export function changedPaths(before: unknown, after: unknown, path = ""): string[] {
    const a = parseJsonText(before);
    const b = parseJsonText(after);
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (Array.isArray(a) && Array.isArray(b)) {
        const paths: string[] = [];
        for (let i = 0; i < Math.max(a.length, b.length); i++) paths.push(...changedPaths(a[i], b[i], `${path}[${i}]`));
        return paths;
    }
    if (isObject(a) && isObject(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((key) => changedPaths(a[key], b[key], path ? `${path}.${key}` : key));
    }
    return [path || "(value)"];
}

export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
    const baseFleet = planFleet(base);
    const headFleet = planFleet(head);
    const baseIndex = new Map(base.resources.map((r) => [stackless(r.urn, base), r]));
    const headIndex = new Map(head.resources.map((r) => [stackless(r.urn, head), r]));
    const groups = new Map<string, ResourceChange[]>();
    const record = (resource: PlanResource, fleet: Fleet, change: ResourceChange) => {
        const group = fleet.serviceOfUrn(resource.urn) ?? "platform";
        groups.set(group, [...(groups.get(group) ?? []), change]);
    };
    let added = 0;
    let removed = 0;
    let changed = 0;
    for (const [key, resource] of headIndex) {
        const before = baseIndex.get(key);
        if (!before) {
            added++;
            record(resource, headFleet, { kind: "add", type: resource.type, name: resource.name, paths: [] });
            continue;
        }
        const paths = changedPaths(before.inputs, resource.inputs);
        if (before.protect !== resource.protect) paths.push("(protect)");
        if (paths.length > 0) {
            changed++;
            const shown = paths.length > maxPathsPerResource ? [...paths.slice(0, maxPathsPerResource), `… ${paths.length - maxPathsPerResource} more`] : paths;
            record(resource, headFleet, { kind: "change", type: resource.type, name: resource.name, paths: shown });
        }
    }
    for (const [key, resource] of baseIndex) {
        if (!headIndex.has(key)) {
            removed++;
            record(resource, baseFleet, { kind: "remove", type: resource.type, name: resource.name, paths: [] });
        }
    }
    const ordered = [...groups.entries()]
        .sort(([a], [b]) => (a === "platform" ? -1 : b === "platform" ? 1 : a.localeCompare(b)))
        .map(([group, changes]) => ({ group, changes }));
    return { groups: ordered, added, removed, changed };
}
