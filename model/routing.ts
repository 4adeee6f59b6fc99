/**
 * Listener-rule priorities for the one shared ALB, computed from the catalog. Pure, table-tested.
 *
 * A rule's priority is a function of that rule alone (its service name and its patterns), never
 * of its neighbours, so adding or removing a service cannot renumber another service's rules:
 *
 *   priority = band(kind) + tier(specificity) * slotsPerTier + hash(service, patterns) % slotsPerTier
 *
 * - band: host+path rules first, then host-only, then path-only; the one catch-all (`/*`) last.
 * - tier: within a band, exact patterns first, then wildcard patterns with more literal characters
 *   first, so `/api/v2/*` is evaluated before `/api/*` whatever the services are called.
 * - the hash spreads rules of the same tier. Two rules landing on the same slot is reported as
 *   an error with a free value to pin (`priority` on the route) instead of silently shifting one
 *   of them, which is what would make priorities unstable.
 */
import { createHash } from "crypto";
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
/** The catch-all rule is evaluated last, just before the listener's default 404. */
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

/** Glob (`*`, `?`) to an anchored RegExp. */
function globToRegExp(glob: string, caseInsensitive: boolean): RegExp {
    const body = glob
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${body}$`, caseInsensitive ? "i" : "");
}

/** Whether every request matching `specific` also matches `general` (conservative: wildcards in `specific` are taken literally). */
export function patternCovers(general: string, specific: string, caseInsensitive: boolean): boolean {
    return globToRegExp(general, caseInsensitive).test(specific);
}

/** Whether rule `a` matches every request rule `b` matches, so `b` would never be reached after `a`. */
export function ruleCovers(a: Pick<PlannedRule, "hosts" | "paths">, b: Pick<PlannedRule, "hosts" | "paths">): boolean {
    const covers = (general: readonly string[], specific: readonly string[], ci: boolean) =>
        general.length === 0 || (specific.length > 0 && specific.every((s) => general.some((g) => patternCovers(g, s, ci))));
    return covers(a.hosts, b.hosts, true) && covers(a.paths, b.paths, false);
}

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
function routingProblem(code: ProblemCode, rule: PlannedRule | undefined, value: unknown, problem: string, fix: string): Problem {
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
const patternsOf = (rule: PlannedRule) => ({ hosts: rule.hosts, paths: rule.paths });

/** The first and last priority of the tier holding `priority` (tiers are counted from their band's start). */
function tierBounds(priority: number): { first: number; last: number } {
    if (priority === catchAllPriority) return { first: catchAllPriority, last: catchAllPriority };
    const start = priority >= bandStart.path ? bandStart.path : priority >= bandStart.host ? bandStart.host : bandStart["host+path"];
    const first = start + Math.floor((priority - start) / slotsPerTier) * slotsPerTier;
    return { first, last: first + slotsPerTier - 1 };
}

/** A free priority in the same tier as `taken` (after it if possible), so pinning it keeps the intended order. */
function freeSlotNear(taken: number, used: ReadonlySet<number>): number | undefined {
    const { first, last } = tierBounds(taken);
    for (let p = taken + 1; p <= last; p++) if (!used.has(p)) return p;
    for (let p = taken - 1; p >= first; p--) if (!used.has(p)) return p;
    return undefined;
}

/**
 * Computes every rule's priority and reports, all at once: AWS quota breaches, two services
 * claiming the same host and path, priority collisions (with a free value to pin), and rules that
 * an earlier rule makes unreachable.
 */
export function planRoutes(routes: readonly RouteInput[]): RoutingPlan {
    const problems: Problem[] = [];
    const suggestedPins: SuggestedPin[] = [];
    const rules: PlannedRule[] = routes.map((route) => {
        const kind = ruleKind(route.hosts, route.paths);
        return {
            service: route.service,
            index: route.index,
            key: ruleKey(route.hosts, route.paths),
            kind,
            priority: route.pinnedPriority ?? computedPriority(route.service, route.hosts, route.paths),
            hosts: route.hosts,
            paths: route.paths,
        };
    });

    if (rules.length > maxRulesPerLoadBalancer) {
        problems.push(
            routingProblem(
                "routing/too-many-rules",
                undefined,
                rules.length,
                `the catalog needs ${rules.length} listener rules, above AWS's quota of ${maxRulesPerLoadBalancer} rules per ALB`,
                `merge routes (up to ${maxConditionValuesPerRule} host and path values ` +
                    `share one rule) or request a quota increase and raise the limit here`,
            ),
        );
    }

    // Two services claiming the same host and path pair.
    const claims = new Map<string, PlannedRule>();
    // Rules reported as claiming the same pair: their equal priority is that problem, not another.
    const pairOf = (a: PlannedRule, b: PlannedRule) => [`${a.service}#${a.index}`, `${b.service}#${b.index}`].sort().join(" ");
    const conflicting = new Set<string>();
    for (const rule of rules) {
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

    // Priority collisions: unique per listener, so both rules cannot be deployed.
    const used = new Set(rules.map((r) => r.priority));
    const byPriority = new Map<number, PlannedRule>();
    for (const rule of rules) {
        const other = byPriority.get(rule.priority);
        if (other) {
            if (conflicting.has(pairOf(rule, other))) continue;
            const free = freeSlotNear(rule.priority, used);
            problems.push(
                routingProblem(
                    "routing/priority-collision",
                    rule,
                    patternsOf(rule),
                    `${describe(rule)} and ${describe(other)} both get priority ${rule.priority}`,
                    free === undefined
                        ? "pin distinct priorities on them"
                        : `pin \`priority: ${free}\` on ${describe(rule)} (a free value in the same specificity tier)`,
                ),
            );
            if (free !== undefined) suggestedPins.push({ service: rule.service, route: rule.index, priority: free });
            used.add(free ?? rule.priority);
        } else {
            byPriority.set(rule.priority, rule);
        }
    }

    const ordered = [...rules].sort((a, b) => a.priority - b.priority || a.service.localeCompare(b.service) || a.index - b.index);

    // Unreachable rules: an earlier rule matches everything a later rule would.
    for (let i = 0; i < ordered.length; i++) {
        for (let j = i + 1; j < ordered.length; j++) {
            const earlier = ordered[i];
            const later = ordered[j];
            if (earlier.priority === later.priority) continue;
            if (ruleCovers(earlier, later) && !ruleCovers(later, earlier)) {
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
