/**
 * The routing table as deployed, in evaluation order, with a note where an earlier rule of
 * another service takes part of a rule's traffic. (A rule taken whole is a validation error.)
 * That host rules come before path-only rules is the design, said once (`routingOrder`), not
 * noted on every path-only rule: a note marks only an overlap a reviewer could not infer.
 */
import { patternCovers } from "../model/routing";
import { RuleFacts } from "./facts";

export interface RouteRow extends RuleFacts {
    readonly notes: readonly string[];
}

/** Whether two patterns can match the same value (one covers the other; conservative). */
function patternsOverlap(a: string, b: string, caseInsensitive: boolean): boolean {
    return patternCovers(a, b, caseInsensitive) || patternCovers(b, a, caseInsensitive);
}

/** The part of `later`'s condition an earlier condition also matches, or undefined if none. */
function overlap(earlier: readonly string[], later: readonly string[], caseInsensitive: boolean): string[] | undefined {
    if (earlier.length === 0) return later.length === 0 ? [] : [...later];
    if (later.length === 0) return [...earlier];
    const common = earlier.filter((e) => later.some((l) => patternsOverlap(e, l, caseInsensitive)));
    return common.length > 0 ? common : undefined;
}

/** How path-only rules relate to host rules: one line above the table. */
export const routingOrder =
    "Host rules (with or without a path) are evaluated before path-only " +
    "rules, so a path-only rule serves its path on every host that no host " +
    "rule matches.";

/** What the table's `from` column says: where each priority came from (model/priorities.ts). */
export const priorityOrigins =
    "from: kept = the priority the rule was deployed with; new = placed now, in a free slot of its " +
    "specificity tier; pinned = the route's own priority. A deployed rule never moves for another.";

export function routingTable(rules: readonly RuleFacts[]): RouteRow[] {
    const ordered = [...rules].sort((a, b) => a.priority - b.priority);
    return ordered.map((rule, index) => {
        const notes: string[] = [];
        for (const earlier of ordered.slice(0, index)) {
            if (earlier.service === rule.service) continue;
            // A host rule ahead of a path-only rule is routingOrder, not an overlap worth a note.
            if (earlier.hosts.length > 0 && rule.hosts.length === 0) continue;
            const hosts = overlap(earlier.hosts, rule.hosts, true);
            const paths = overlap(earlier.paths, rule.paths, false);
            if (!hosts || !paths) continue;
            const where = [hosts.length ? `host ${hosts.join(", ")}` : "", paths.length ? `path ${paths.join(", ")}` : ""]
                .filter(Boolean)
                .join(" ");
            notes.push(`requests for ${where || "every request"} go to ${earlier.service} (priority ${earlier.priority}) first`);
        }
        return { ...rule, notes };
    });
}
