/**
 * The verdict a review opens with: does the plan pass, and what does it do that a reviewer must
 * weigh (refused deletions, replacements, redeploys, cost). Data first; render.ts words it. Pure.
 */
import { PolicyResult } from "../policy/rules";
import { isNotableReplacement, ServiceChange } from "./changes";
import { PlanDiff } from "./diff";

export interface Replacement {
    readonly service: string;
    readonly type: string;
    readonly name: string;
    /** What the replacement risks (protected, fixed name, lost state); empty when nothing. */
    readonly warnings: readonly string[];
}

export interface Verdict {
    /** false when a mandatory check fails: the plan exits non-zero. */
    readonly passes: boolean;
    /** Why it fails, one reason per check that failed. */
    readonly reasons: readonly string[];
    readonly policy: {
        readonly enforcement: PolicyResult["enforcement"];
        /** Unwaived violations. */
        readonly violations: number;
        readonly waived: number;
        /** Unwaived violations that fail the plan (all of them on a mandatory stack). */
        readonly blocking: number;
    };
    readonly deletionsRefused: readonly string[];
    /** Replaced resources other than task definition revisions (those are redeploys). */
    readonly replacements: readonly Replacement[];
    /** Services that start a rolling deployment. */
    readonly redeploys: readonly string[];
    readonly added: readonly string[];
    readonly removed: readonly string[];
    /** Monthly cost: the base's (with --against) and this plan's. */
    readonly cost: { readonly before?: number; readonly after: number };
}

export function verdictOf(input: {
    policy: PolicyResult;
    blocking: number;
    diff?: PlanDiff;
    changes: readonly ServiceChange[];
    deletionsRefused: readonly string[];
    cost: { before?: number; after: number };
    /** Budget violations that fail the plan (a mandatory stack over `fleet:budget`). */
    budgetViolations?: number;
}): Verdict {
    const { policy, blocking, diff, changes, deletionsRefused } = input;
    const violations = policy.violations.filter((v) => !v.waived).length;
    const replacements: Replacement[] = (diff?.groups ?? []).flatMap((group) =>
        group.changes
            .filter(isNotableReplacement)
            .map((c) => ({ service: group.group, type: c.type, name: c.name, warnings: c.warnings ?? [] })),
    );
    const reasons = [
        blocking ? `${blocking} mandatory policy violation(s)` : "",
        deletionsRefused.length ? `${deletionsRefused.length} deletion(s) refused` : "",
        input.budgetViolations ? `${input.budgetViolations} budget violation(s) on a mandatory stack` : "",
    ].filter(Boolean);
    return {
        passes: reasons.length === 0,
        reasons,
        policy: { enforcement: policy.enforcement, violations, waived: policy.violations.length - violations, blocking },
        deletionsRefused,
        replacements,
        redeploys: changes.filter((c) => c.redeploys).map((c) => c.service),
        added: changes.filter((c) => c.status === "added").map((c) => c.service),
        removed: changes.filter((c) => c.status === "removed").map((c) => c.service),
        cost: input.cost,
    };
}
