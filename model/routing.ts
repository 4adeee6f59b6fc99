/**
 * Listener rules for the one shared ALB, from the catalog: their kinds, specificity and home slots,
 * the claims two rules cannot share, and the problems of the whole table. Pure, table-tested. Where
 * each priority finally goes (kept from the last deploy, pinned, or a free slot) is priorities.ts.
 *
 * A rule's home slot is a function of that rule alone (its service name and its patterns):
 *
 *   home = band(kind) + tier(specificity) * slotsPerTier + hash(service, patterns) % slotsPerTier
 *
 * - band: host+path rules first, then host-only, then path-only; the one catch-all (`/*`) last.
 * - tier: within a band, exact patterns first, then wildcard patterns with more literal characters
 *   first, so `/api/v2/*` is evaluated before `/api/*` whatever the services are called.
 * - the hash spreads rules of the same tier; a rule whose home is taken gets the nearest free slot
 *   once, and keeps it (priorities.ts).
 */
import { createHash } from "crypto";
import { allocatePriorities, Conflict, DeployedRule, Placement, PriorityOrigin } from "./priorities";
import type { ProblemCode } from "./problemCodes";
import { Problem, show } from "./problems";

/** AWS: listener rule priorities are 1-50000 and unique per listener. */
export const maxPriority = 50000;
/** AWS quota: rules per ALB, excluding the default rules. */
export const maxRulesPerLoadBalancer = 100;
/** AWS quota: condition values per rule (host and path values together). */
export const maxConditionValuesPerRule = 5;
/** AWS quota: wildcards (`*`, `?`) per rule. */
export const maxWildcardsPerRule = 5;
/** AWS: host-header and path-pattern values are at most 128 characters. */
export const maxPatternLength = 128;

export type RuleKind = "host+path" | "host" | "path" | "catch-all";

const tiers = 32;
const bandSize = Math.floor((maxPriority - 1) / 3); // 16666: three bands below the catch-all
export const slotsPerTier = Math.floor(bandSize / tiers); // 520
const bandStart: Record<Exclude<RuleKind, "catch-all">, number> = {
    "host+path": 1,
    host: 1 + bandSize,
    path: 1 + 2 * bandSize,
};
/** The last priority of the path band: the two above it are the catch-all's. */
const lastBandPriority = 3 * bandSize;
/**
 * The catch-all rule is evaluated last, just before the listener's default 404; the one below it
 * is its spare, for a catch-all that changes service or spelling while the old rule holds this one
 * until the update deletes it.
 */
export const catchAllPriority = maxPriority;

/** One route of one service, hosts already expanded to full names. */
export interface RouteInput {
    readonly service: string;
    /** Position in the service's `routes`, for messages. */
    readonly index: number;
    readonly hosts: readonly string[];
    readonly paths: readonly string[];
    readonly pinnedPriority?: number;
}

/** A listener rule as it will be deployed. */
export interface PlannedRule {
    readonly service: string;
    readonly index: number;
    /** Stable short key of the rule's patterns, used in its logical name. */
    readonly key: string;
    readonly kind: RuleKind;
    readonly priority: number;
    /** Where the priority came from: kept from the last deploy, pinned by the route, or new (priorities.ts). */
    readonly origin: PriorityOrigin;
    readonly hosts: readonly string[];
    readonly paths: readonly string[];
}

export interface RoutingPlan {
    /** Rules in evaluation order (ascending priority). */
    readonly rules: readonly PlannedRule[];
    /** Each on the rule it is about (`service "api"`, `routes[0]`), its message `routing: <problem>; <fix>.` */
    readonly problems: readonly Problem[];
    /** For each priority collision, the free priority its error message suggests pinning, as data. */
    readonly suggestedPins: readonly SuggestedPin[];
}

/** `priority` to pin on one route of a service to resolve a collision. */
export interface SuggestedPin {
    readonly service: string;
    /** Index in the service's `routes`. */
    readonly route: number;
    readonly priority: number;
}

const isMatchAllPath = (path: string) => path === "/*" || path === "*";
const literalLength = (pattern: string) => pattern.replace(/[*?]/g, "").length;
const wildcardCount = (pattern: string) => (pattern.match(/[*?]/g) ?? []).length;

function hashInt(text: string): number {
    return createHash("sha256").update(text).digest().readUInt32BE(0);
}

export function ruleKey(hosts: readonly string[], paths: readonly string[]): string {
    return createHash("sha256")
        .update(`${[...hosts].sort().join(",")}|${[...paths].sort().join(",")}`)
        .digest("hex")
        .slice(0, 8);
}

export function ruleKind(hosts: readonly string[], paths: readonly string[]): RuleKind {
    if (hosts.length > 0 && paths.length > 0) return "host+path";
    if (hosts.length > 0) return "host";
    return paths.every(isMatchAllPath) ? "catch-all" : "path";
}

/**
 * The tier (0 = most specific) of a rule. Exact patterns (no wildcard) come first: two different
 * exact patterns never match the same request, so they need no order among themselves, and an
 * exact host such as a long `api.services.example-company.com` must precede any wildcard host.
 * Wildcard patterns follow by literal length: a pattern contained in another always has more
 * literal characters (`/api/v2/*` ⊂ `/api/*`, `*.dev.example.com` ⊂ `*.example.com`).
 * Host+path rules are tiered by their paths (their hosts are usually exact).
 */
function tierOf(kind: RuleKind, hosts: readonly string[], paths: readonly string[]): number {
    const patterns = kind === "host" ? hosts : paths;
    if (patterns.every((p) => wildcardCount(p) === 0)) return 0;
    const literal = Math.min(...patterns.map(literalLength));
    return tiers - 1 - Math.min(tiers - 2, literal);
}

/** The computed priority of a rule, ignoring pins and collisions. */
export function computedPriority(service: string, hosts: readonly string[], paths: readonly string[]): number {
    const kind = ruleKind(hosts, paths);
    if (kind === "catch-all") return catchAllPriority;
    const tier = tierOf(kind, hosts, paths);
    const slot = hashInt(`${service}\n${[...hosts].sort().join(",")}\n${[...paths].sort().join(",")}`) % slotsPerTier;
    return bandStart[kind] + tier * slotsPerTier + slot;
}

/**
 * Whether every value `specific` matches, `general` matches too. Both are ALB patterns (`*` any
 * characters, `?` exactly one): a wildcard of `specific` stands for every value it may take, so
 * `/a/*` covers `/a/b*` but `/a?` does not cover `/a*`. Sound: true only when it holds; a few
 * covers that need a star of `specific` split across `general` are not seen (`?*` covering `*a`).
 */
export function patternCovers(general: string, specific: string, caseInsensitive: boolean): boolean {
    const g = caseInsensitive ? general.toLowerCase() : general;
    const s = caseInsensitive ? specific.toLowerCase() : specific;
    // A pattern without wildcards matches one value: it covers only itself.
    const first = g.search(/[*?]/);
    if (first < 0) return g === s;
    // Literals before g's first wildcard and after its last must be s's own literals there (the common miss, without the table).
    for (let k = 0; k < first; k++) if (s[k] !== g[k]) return false;
    for (let k = 1; k < g.length && !"*?".includes(g[g.length - k]); k++)
        if (s.length < k || s[s.length - k] !== g[g.length - k]) return false;
    // next[j] (the row of s from i + 1) and row[j] (from i): g from j covers s from there; filled from the ends.
    let next = new Uint8Array(g.length + 1);
    let row = new Uint8Array(g.length + 1);
    for (let i = s.length; i >= 0; i--) {
        row.fill(0);
        if (i === s.length) row[g.length] = 1;
        for (let j = g.length - 1; j >= 0; j--) {
            if (g[j] === "*") {
                // Empty, or it takes s[i] (whatever s[i] stands for) and stays.
                row[j] = row[j + 1] || (i < s.length ? next[j] : 0);
            } else if (i < s.length && s[i] !== "*") {
                // One character of s: g's `?` takes any; a literal of g only itself, never s's `?`.
                row[j] = (g[j] === "?" || (s[i] !== "?" && g[j] === s[i])) && next[j + 1] ? 1 : 0;
            }
        }
        [next, row] = [row, next];
    }
    return next[0] === 1;
}

/** A rule's paths as conditions: none, or a match-all path among them, matches every path. */
const pathCondition = (paths: readonly string[]) => (paths.some(isMatchAllPath) ? [] : paths);

/** Whether the `general` values of a condition match every value the `specific` ones do (none: any value). */
function conditionCovers(general: readonly string[], specific: readonly string[], caseInsensitive: boolean): boolean {
    if (general.length === 0) return true;
    if (specific.length === 0) return false;
    return specific.every((s) => general.some((g) => patternCovers(g, s, caseInsensitive)));
}

/** A rule's conditions as matching compares them: hosts in lower case (ELB matches them in any case), paths as conditions. */
const conditionsOf = (rule: Pick<PlannedRule, "hosts" | "paths">) => ({
    hosts: rule.hosts.map((host) => host.toLowerCase()),
    paths: pathCondition(rule.paths),
});

const conditionsCover = (a: ReturnType<typeof conditionsOf>, b: ReturnType<typeof conditionsOf>) =>
    conditionCovers(a.hosts, b.hosts, false) && conditionCovers(a.paths, b.paths, false);

/** Whether rule `a` matches every request rule `b` matches, so `b` would never be reached after `a`. */
export function ruleCovers(a: Pick<PlannedRule, "hosts" | "paths">, b: Pick<PlannedRule, "hosts" | "paths">): boolean {
    return conditionsCover(conditionsOf(a), conditionsOf(b));
}

/** Whether rule `a` must be evaluated before rule `b`: `b` matches every request `a` does, and more. */
export const mustPrecede = (a: Pick<PlannedRule, "hosts" | "paths">, b: Pick<PlannedRule, "hosts" | "paths">): boolean =>
    ruleCovers(b, a) && !ruleCovers(a, b);

const describe = (rule: Pick<PlannedRule, "service" | "index" | "hosts" | "paths">) =>
    `service "${rule.service}" routes[${rule.index}] (${[
        rule.hosts.length ? `host ${rule.hosts.join(", ")}` : "",
        rule.paths.length ? `path ${rule.paths.join(", ")}` : "",
    ]
        .filter(Boolean)
        .join(" ")})`;

/**
 * A problem of `rule` (of the whole table without one), whose message reads `routing: <problem>; <fix>.`:
 * it names the rules involved itself.
 */
function routingProblem(
    code: ProblemCode,
    rule: Pick<PlannedRule, "service" | "index"> | undefined,
    value: unknown,
    problem: string,
    fix: string,
): Problem {
    return {
        code,
        subject: rule ? `service "${rule.service}"` : "catalog",
        path: rule ? `routes[${rule.index}]` : "routes",
        value: show(value),
        problem,
        fix,
        message: `routing: ${problem}; ${fix}.`,
    };
}
const patternsOf = (rule: Pick<PlannedRule, "hosts" | "paths">) => ({ hosts: rule.hosts, paths: rule.paths });

/** The first and last priority of the band holding `priority` (the catch-all's two at the top). */
function bandBounds(priority: number): { first: number; last: number } {
    if (priority > lastBandPriority) return { first: lastBandPriority + 1, last: catchAllPriority };
    const start = priority >= bandStart.path ? bandStart.path : priority >= bandStart.host ? bandStart.host : bandStart["host+path"];
    return { first: start, last: start + bandSize - 1 };
}

/** The first and last priority of the tier holding `priority` (tiers are counted from their band's start). */
function tierBounds(priority: number): { first: number; last: number } {
    const band = bandBounds(priority);
    if (priority > lastBandPriority) return band;
    const first = band.first + Math.floor((priority - band.first) / slotsPerTier) * slotsPerTier;
    return { first, last: Math.min(first + slotsPerTier - 1, band.last) };
}

/** A free priority in the same tier as `taken` (after it if possible), so pinning it keeps the intended order. */
function freeSlotNear(taken: number, used: ReadonlySet<number>): number | undefined {
    const { first, last } = tierBounds(taken);
    for (let p = taken + 1; p <= last; p++) if (!used.has(p)) return p;
    for (let p = taken - 1; p >= first; p--) if (!used.has(p)) return p;
    return undefined;
}

/** Where a new rule may go, in turn: its home's tier, its home's band, then any priority of its kind. */
function rangesOf(kind: RuleKind, home: number): Placement["ranges"] {
    if (kind === "catch-all") return [[lastBandPriority + 1, catchAllPriority]];
    const tier = tierBounds(home);
    const band = bandBounds(home);
    return [
        [tier.first, tier.last],
        [band.first, band.last],
        [1, lastBandPriority],
    ];
}

/** A rule's identity across deploys: its service and patterns, as its listener rule's logical name. */
const identity = (service: string, hosts: readonly string[], paths: readonly string[]) => `${service}\n${ruleKey(hosts, paths)}`;

const describeDeployed = (rule: DeployedRule) =>
    `the deployed rule of service "${rule.service}" (${[
        rule.hosts.length ? `host ${rule.hosts.join(", ")}` : "",
        rule.paths.length ? `path ${rule.paths.join(", ")}` : "",
    ]
        .filter(Boolean)
        .join(" ")})`;

/**
 * Computes every rule's priority and reports, all at once: AWS quota breaches, two services
 * claiming the same host and path, pins onto a priority another rule has, and rules that an
 * earlier rule makes unreachable. `deployed`: the rules the stack deployed last, whose priorities
 * are kept (priorities.ts); absent when unknown, as on a first deploy.
 */
export function planRoutes(routes: readonly RouteInput[], deployed?: readonly DeployedRule[]): RoutingPlan {
    const problems: Problem[] = [];
    const suggestedPins: SuggestedPin[] = [];
    const shapes = routes.map((route) => ({
        service: route.service,
        index: route.index,
        key: ruleKey(route.hosts, route.paths),
        kind: ruleKind(route.hosts, route.paths),
        hosts: route.hosts,
        paths: route.paths,
    }));
    type Shape = (typeof shapes)[number];

    if (shapes.length > maxRulesPerLoadBalancer) {
        problems.push(
            routingProblem(
                "routing/too-many-rules",
                undefined,
                shapes.length,
                `the catalog needs ${shapes.length} listener rules, above AWS's quota of ${maxRulesPerLoadBalancer} rules per ALB`,
                `merge routes (up to ${maxConditionValuesPerRule} host and path values ` +
                    `share one rule) or request a quota increase and raise the limit here`,
            ),
        );
    }

    // Two services claiming the same host and path pair.
    const claims = new Map<string, Shape>();
    // Rules reported as claiming the same pair: their equal priority is that problem, not another.
    const pairOf = (a: Shape, b: Shape) => [`${a.service}#${a.index}`, `${b.service}#${b.index}`].sort().join(" ");
    const conflicting = new Set<string>();
    for (const rule of shapes) {
        const hostKeys = rule.hosts.length ? rule.hosts.map((h) => h.toLowerCase()) : ["*"];
        // `*` and `/*` both match every path: one claim.
        const pathKeys = rule.paths.length ? rule.paths.map((p) => (isMatchAllPath(p) ? "/*" : p)) : ["/*"];
        for (const host of hostKeys) {
            for (const path of pathKeys) {
                const claim = `${host} ${path}`;
                const other = claims.get(claim);
                if (other) conflicting.add(pairOf(rule, other));
                if (other && other.service !== rule.service) {
                    problems.push(
                        routingProblem(
                            "routing/claimed-by-two-services",
                            rule,
                            patternsOf(rule),
                            `${describe(rule)} and ${describe(other)} both claim host ${host} path ${path}`,
                            "give one of them a different host or path",
                        ),
                    );
                } else if (other && other.index !== rule.index) {
                    problems.push(
                        routingProblem(
                            "routing/duplicate-rule",
                            rule,
                            patternsOf(rule),
                            `${describe(rule)} repeats host ${host} path ${path} of routes[${other.index}]`,
                            "remove the duplicate",
                        ),
                    );
                } else {
                    claims.set(claim, rule);
                }
            }
        }
    }

    // The last deploy's priorities: one per rule and one rule per priority, as AWS held them.
    const deployedById = new Map<string, number>();
    const holders = new Map<number, DeployedRule>();
    for (const rule of deployed ?? []) {
        const id = identity(rule.service, rule.hosts, rule.paths);
        const valid = Number.isInteger(rule.priority) && rule.priority >= 1 && rule.priority <= maxPriority;
        if (!valid || holders.has(rule.priority) || deployedById.has(id)) continue;
        deployedById.set(id, rule.priority);
        holders.set(rule.priority, rule);
    }
    const claimed = new Set<string>();
    const placements: Placement[] = routes.map((route, i) => {
        const id = identity(route.service, route.hosts, route.paths);
        // A duplicate of a deployed rule is another resource: it cannot keep the same priority.
        const own = claimed.has(id) ? undefined : deployedById.get(id);
        claimed.add(id);
        const home = computedPriority(route.service, route.hosts, route.paths);
        return { pinned: route.pinnedPriority, deployed: own, home, ranges: rangesOf(shapes[i].kind, home) };
    });
    // covers[a][b]: rule a matches every request rule b does; a precedes b when b covers it and not the reverse.
    const conditions = shapes.map(conditionsOf);
    const covers = conditions.map((a) => conditions.map((b) => a === b || conditionsCover(a, b)));
    const precedes = (a: number, b: number) => covers[b][a] && !covers[a][b];
    const allocation = allocatePriorities(placements, precedes, new Set(holders.keys()));
    const rules: PlannedRule[] = shapes.map((shape, i) => ({ ...shape, ...allocation.placed[i] }));
    // Suggestions avoid every priority in use, deployed, or suggested already.
    const used = new Set([...rules.map((r) => r.priority), ...holders.keys()]);
    const suggest = (rule: PlannedRule): string => {
        const free = freeSlotNear(rule.priority, used);
        if (free === undefined) return "";
        suggestedPins.push({ service: rule.service, route: rule.index, priority: free });
        used.add(free);
        return `pin \`priority: ${free}\` on ${describe(rule)} (a free value in the same specificity tier)`;
    };
    for (const conflict of allocation.conflicts) problems.push(...conflictProblems(conflict, rules, holders, pairOf, conflicting, suggest));
    // A rule left without a priority is that problem alone, not also an unreachable one.
    const unplaced = new Set(allocation.conflicts.flatMap((c) => (c.kind === "no-free-slot" ? [rules[c.rule]] : [])));

    const order = rules
        .map((_, i) => i)
        .sort(
            (a, b) =>
                rules[a].priority - rules[b].priority ||
                rules[a].service.localeCompare(rules[b].service) ||
                rules[a].index - rules[b].index,
        );
    const ordered = order.map((i) => rules[i]);

    // Unreachable rules: an earlier rule matches everything a later rule would.
    for (let i = 0; i < order.length; i++) {
        for (let j = i + 1; j < order.length; j++) {
            const earlier = rules[order[i]];
            const later = rules[order[j]];
            if (earlier.priority === later.priority || unplaced.has(earlier) || unplaced.has(later)) continue;
            if (precedes(order[j], order[i])) {
                problems.push(
                    routingProblem(
                        "routing/unreachable-rule",
                        later,
                        patternsOf(later),
                        `${describe(later)} (priority ${later.priority}) is ` +
                            `unreachable: ${describe(earlier)} (priority ${earlier.priority}) ` +
                            `matches every request it would`,
                        `pin \`priority\` on ${describe(later)} below ${earlier.priority}, or narrow the earlier route`,
                    ),
                );
            }
        }
    }

    return { rules: ordered, problems, suggestedPins };
}

/** The problem a conflict of the allocation is, if any (a pin between two rules claiming one pair is that problem alone). */
function conflictProblems(
    conflict: Conflict,
    rules: readonly PlannedRule[],
    holders: ReadonlyMap<number, DeployedRule>,
    pairOf: (a: PlannedRule, b: PlannedRule) => string,
    conflicting: ReadonlySet<string>,
    suggest: (rule: PlannedRule) => string,
): Problem[] {
    const rule = rules[conflict.rule];
    const problem = (text: string, fix: string) => [routingProblem("routing/priority-collision", rule, patternsOf(rule), text, fix)];
    switch (conflict.kind) {
        case "pinned-twice": {
            const other = rules[conflict.other];
            if (conflicting.has(pairOf(rule, other))) return [];
            return problem(
                `${describe(rule)} and ${describe(other)} both get priority ${conflict.priority}`,
                suggest(rule) || "pin distinct priorities on them",
            );
        }
        case "pinned-on-kept": {
            const other = rules[conflict.other];
            const fix = suggest(rule);
            return problem(
                `${describe(rule)} is pinned to priority ${conflict.priority}, which ${describe(other)} keeps from the last ` +
                    `deploy (a deployed rule never moves for another)`,
                `${fix ? `${fix}, ` : ""}or remove the pin`,
            );
        }
        case "pinned-on-leaving": {
            const fix = suggest(rule);
            const holder = describeDeployed(holders.get(conflict.priority)!);
            return problem(
                `${describe(rule)} is pinned to priority ${conflict.priority}, which ${holder} ` +
                    `holds until this update deletes or moves it (ELB allows one rule per priority on a listener)`,
                `${fix ? `${fix}, ` : ""}or pin ${conflict.priority} in a later update`,
            );
        }
        case "no-free-slot": {
            const bounds = [
                conflict.after === undefined ? "" : `after ${describe(rules[conflict.after])} (priority ${rules[conflict.after].priority})`,
                conflict.before === undefined
                    ? ""
                    : `before ${describe(rules[conflict.before])} (priority ${rules[conflict.before].priority})`,
            ].filter(Boolean);
            return [
                routingProblem(
                    "routing/no-free-priority",
                    rule,
                    patternsOf(rule),
                    `${describe(rule)} must be evaluated ${bounds.join(" and ")}, and no free priority is left there`,
                    `pin \`priority\` on one of those two rules to open a gap`,
                ),
            ];
        }
    }
}
