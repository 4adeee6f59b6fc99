/**
 * Listener-rule priorities that never need a pin and never move. Pure; routing.ts says what each
 * rule is (its home slot, the ranges of its specificity tier and band, which rules must precede it)
 * and turns the conflicts found here into problems.
 *
 * Why priorities are remembered rather than computed: a priority computed from the rule alone (a
 * hash into its tier, the earlier design) is stable, but two rules of one tier land on one slot by
 * the birthday bound (57% for 30 host-routed services in a tier of 520 slots), and any rule that
 * moves to resolve it makes the allocation depend on its neighbours, so a later removal moves it
 * again. No function of the catalog alone is both collision-free and stable; a stack's own memory
 * of what it deployed is. So:
 *
 * - kept: a rule deployed before (the same service and patterns, so the same listener-rule
 *   resource) keeps its deployed priority, whatever else is added, removed or edited;
 * - pinned: a route's `priority` is used as written (a pin onto another rule's priority is an error);
 * - new: any other rule takes its home slot (the old hash, so a fleet deployed before this design
 *   computes what it deployed) if it is free, else the nearest free slot in its tier, else in its
 *   band, always strictly after every placed rule it must follow and before every one it must
 *   precede (a more specific rule first). Where a rule must go and its home is not, it goes to the
 *   middle of that gap, so that later rules nested in between still find room.
 *
 * A deployed priority that no rule keeps (a rule removed, edited or moved to another service) is
 * not reused in the same update: the engine deletes removed resources after creating new ones, and
 * ELB refuses a second rule on a listener's priority (PriorityInUse) until the first is deleted.
 * It is free again in the next update.
 *
 * With at most 100 rules (AWS's quota) among 16,666 priorities per band, a new rule finds a free
 * slot unless pins (or rules kept from an earlier deploy at pinned values) leave no integer between
 * a rule it must follow and one it must precede: that alone is reported (`no-free-slot`).
 */

/** Where a rule's priority came from, as the plan's routing table shows it. */
export type PriorityOrigin = "kept" | "new" | "pinned";

/** A listener rule a stack deployed, as its `routes` output holds it (infra/program.ts). */
export interface DeployedRule {
    readonly service: string;
    readonly hosts: readonly string[];
    readonly paths: readonly string[];
    readonly priority: number;
}

/**
 * The listener rules a stack deployed last, read back from its own `routes` output: in a real run
 * through a StackReference to the stack itself (infra/deployedRoutes.ts), in the offline plan from
 * the base plan's outputs (`--against`). docs/routing.md.
 */
export interface DeployedRoutes {
    /** The rules and their priorities; absent when unknown (a first deploy, or an output that cannot be read). */
    readonly rules?: readonly DeployedRule[];
    /** Why they are unknown although the stack has been deployed: shown as a warning of the plan and the preview. */
    readonly warning?: string;
}

/** The stack output that holds the listener rules (infra/program.ts), read back on the next run. */
export const routesOutput = "routes";

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

function isDeployedRule(value: unknown): value is DeployedRule {
    if (typeof value !== "object" || value === null) return false;
    const rule = value as Record<string, unknown>;
    return (
        typeof rule.service === "string" &&
        isStringList(rule.hosts) &&
        isStringList(rule.paths) &&
        typeof rule.priority === "number" &&
        Number.isInteger(rule.priority)
    );
}

const lost = (why: string): DeployedRoutes => ({
    warning:
        `the stack's last outputs ${why}: listener-rule priorities are placed as on a first deploy, so a rule an earlier ` +
        `update placed away from its home slot may move (see docs/routing.md, "When the deployed priorities are unknown")`,
});

/**
 * The deployed rules in a stack's outputs as its last update left them. No outputs at all is a
 * stack never deployed (or deployed by a program that exports nothing): unknown, without a warning.
 */
export function deployedRoutesOf(outputs: Readonly<Record<string, unknown>>): DeployedRoutes {
    const routes = outputs[routesOutput];
    if (routes === undefined) return Object.keys(outputs).length === 0 ? {} : lost(`hold no \`${routesOutput}\``);
    if (!Array.isArray(routes) || !routes.every(isDeployedRule))
        return lost(`hold a \`${routesOutput}\` that is not a list of { priority, service, hosts, paths }`);
    return {
        rules: routes.map((rule) => ({ service: rule.service, hosts: [...rule.hosts], paths: [...rule.paths], priority: rule.priority })),
    };
}

/** A rule to place, as routing.ts describes it. */
export interface Placement {
    /** The route's `priority`, when pinned. */
    readonly pinned?: number;
    /** The priority this same rule was deployed with, when known. */
    readonly deployed?: number;
    /** Where it goes when free and in order: the hash of its patterns into its tier. */
    readonly home: number;
    /** First and last priority of the ranges to look in, in turn: its tier, its band, any slot of its kind. */
    readonly ranges: readonly (readonly [first: number, last: number])[];
}

/** A rule whose priority cannot be used or found; indices are positions in the rules placed. */
export type Conflict =
    /** Pinned onto a priority another pinned rule has. */
    | { readonly kind: "pinned-twice"; readonly rule: number; readonly other: number; readonly priority: number }
    /** Pinned onto a priority another rule keeps from the last deploy. */
    | { readonly kind: "pinned-on-kept"; readonly rule: number; readonly other: number; readonly priority: number }
    /** Pinned onto a priority a deployed rule holds until this update deletes or moves it. */
    | { readonly kind: "pinned-on-leaving"; readonly rule: number; readonly priority: number }
    /** No free priority between the rules it must follow (`after`) and precede (`before`). */
    | { readonly kind: "no-free-slot"; readonly rule: number; readonly after?: number; readonly before?: number };

export interface Allocation {
    /** Each rule's priority and where it came from, in the order given (a conflicting pin keeps its value). */
    readonly placed: readonly { readonly priority: number; readonly origin: PriorityOrigin }[];
    readonly conflicts: readonly Conflict[];
}

/**
 * Places every rule: pins first, then kept rules, then new rules by home slot. `precedes(a, b)`
 * says rule `a` must be evaluated before rule `b` (it is strictly more specific and they overlap).
 * `deployed` holds every priority the last deploy used: a new rule never takes one.
 */
export function allocatePriorities(
    rules: readonly Placement[],
    precedes: (a: number, b: number) => boolean,
    deployed: ReadonlySet<number>,
): Allocation {
    const placed: ({ priority: number; origin: PriorityOrigin } | undefined)[] = rules.map(() => undefined);
    const conflicts: Conflict[] = [];
    const holder = new Map<number, number>();
    const take = (rule: number, priority: number, origin: PriorityOrigin) => {
        placed[rule] = { priority, origin };
        if (!holder.has(priority)) holder.set(priority, rule);
    };
    // Kept priorities, by rule: a pin onto one of them is refused, not the kept rule moved.
    const keeps = new Map<number, number>();
    rules.forEach((rule, i) => {
        if (rule.pinned === undefined && rule.deployed !== undefined) keeps.set(rule.deployed, i);
    });

    rules.forEach((rule, i) => {
        if (rule.pinned === undefined) return;
        const other = holder.get(rule.pinned);
        const kept = keeps.get(rule.pinned);
        if (other !== undefined) conflicts.push({ kind: "pinned-twice", rule: i, other, priority: rule.pinned });
        else if (kept !== undefined) conflicts.push({ kind: "pinned-on-kept", rule: i, other: kept, priority: rule.pinned });
        else if (deployed.has(rule.pinned) && rule.deployed !== rule.pinned)
            conflicts.push({ kind: "pinned-on-leaving", rule: i, priority: rule.pinned });
        take(i, rule.pinned, "pinned");
    });
    for (const [priority, i] of keeps) take(i, priority, "kept");

    const fresh = rules.flatMap((rule, i) => (placed[i] === undefined ? [i] : [])).sort((a, b) => rules[a].home - rules[b].home || a - b);
    for (const i of fresh) {
        // The placed rules it must follow and precede bound where it may go.
        let after: number | undefined;
        let before: number | undefined;
        placed.forEach((other, j) => {
            if (other === undefined) return;
            if (precedes(j, i) && (after === undefined || other.priority > placed[after]!.priority)) after = j;
            if (precedes(i, j) && (before === undefined || other.priority < placed[before]!.priority)) before = j;
        });
        const low = after === undefined ? 1 : placed[after]!.priority + 1;
        const high = before === undefined ? Number.MAX_SAFE_INTEGER : placed[before]!.priority - 1;
        const free = (p: number) => !holder.has(p) && !deployed.has(p);
        const priority = findSlot(rules[i], low, high, free);
        if (priority === undefined) {
            conflicts.push({ kind: "no-free-slot", rule: i, after, before });
            take(i, rules[i].home, "new");
        } else {
            take(i, priority, "new");
        }
    }
    return { placed: placed.map((p) => p!), conflicts };
}

/**
 * The free slot nearest the home slot, or the middle of the allowed part of a range when the home
 * is not in it, looking in each range in turn; later slots first on a tie.
 */
function findSlot(rule: Placement, low: number, high: number, free: (priority: number) => boolean): number | undefined {
    for (const [first, last] of rule.ranges) {
        const from = Math.max(first, low);
        const to = Math.min(last, high);
        if (from > to) continue;
        const target = rule.home >= from && rule.home <= to ? rule.home : Math.floor((from + to) / 2);
        for (let distance = 0; target + distance <= to || target - distance >= from; distance++) {
            if (target + distance <= to && free(target + distance)) return target + distance;
            if (target - distance >= from && free(target - distance)) return target - distance;
        }
    }
    return undefined;
}
