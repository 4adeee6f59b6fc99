/**
 * The plan JSON's `review` section: the review's figures as data, so CI and other tools read
 * numbers instead of text. An interface: extend it, never rename a field (docs/review.md, "The plan JSON").
 * Secrets stay "[secret]" (the plan never holds a value); values are the plan's inputs.
 */
import { ValueChange } from "./diff";
import { Review } from "./render";
import { costFigures } from "./costFigures";
import { Verdict } from "./verdict";

export const reviewSectionVersion = 1;

export interface ResourceRef {
    readonly type: string;
    readonly name: string;
}

export interface ServiceDiff {
    readonly added: readonly ResourceRef[];
    readonly removed: readonly ResourceRef[];
    readonly updated: readonly (ResourceRef & { readonly values: readonly ValueChange[] })[];
    readonly replaced: readonly (ResourceRef & {
        readonly values: readonly ValueChange[];
        /** The changed inputs that force the replacement. */
        readonly replacedBy: readonly string[];
        readonly warnings: readonly string[];
    })[];
    /** The service's changes in words, as the report says them. */
    readonly words: readonly string[];
    readonly redeploys: boolean;
}

export interface ReviewSection {
    readonly version: number;
    readonly verdict: Verdict;
    /** The cost, capacity advice and budget (costFigures.ts), with each service's monthly cost. */
    readonly cost: CostSection["cost"] & { readonly services: Readonly<Record<string, number>> };
    readonly capacity: CostSection["capacity"];
    readonly budget: CostSection["budget"];
    /** Seconds of one rolling step per service; null for a service without a load balancer. */
    readonly rollout: Readonly<Record<string, number | null>>;
    readonly policy: {
        readonly enforcement: string;
        readonly violations: readonly {
            readonly control: string;
            readonly service: string | null;
            readonly type: string;
            readonly name: string;
            readonly message: string;
            readonly waived: string | null;
        }[];
        readonly waivers: readonly { readonly control: string; readonly scope: string; readonly reason: string }[];
    };
    /** With --against: the base plan and each service's (and "platform"'s) changes. */
    readonly diff?: { readonly against: string; readonly services: Readonly<Record<string, ServiceDiff>> };
}

type CostSection = ReturnType<typeof costFigures>;

/** The whole `review` section: the verdict, rollout, policy and diff here, the cost figures from costFigures.ts. */
export function reviewSection(r: Review): ReviewSection {
    const figures = costFigures(r);
    let diff: ReviewSection["diff"];
    if (r.against) {
        const words = new Map(r.changes.map((c) => [c.service, c]));
        const services: Record<string, ServiceDiff> = {};
        for (const group of r.against.diff.groups) {
            const ref = (c: { type: string; name: string }) => ({ type: c.type, name: c.name });
            const of = (kind: string) => group.changes.filter((c) => c.kind === kind);
            services[group.group] = {
                added: of("add").map(ref),
                removed: of("remove").map(ref),
                updated: of("change").map((c) => ({ ...ref(c), values: c.values ?? [] })),
                replaced: of("replace").map((c) => ({
                    ...ref(c),
                    values: c.values ?? [],
                    replacedBy: c.replacedBy ?? [],
                    warnings: c.warnings ?? [],
                })),
                words: words.get(group.group)?.lines ?? [],
                redeploys: words.get(group.group)?.redeploys ?? false,
            };
        }
        diff = { against: `${r.against.plan.project}/${r.against.plan.stack}`, services };
    }
    return {
        version: reviewSectionVersion,
        verdict: r.verdict,
        ...figures,
        cost: { ...figures.cost, services: Object.fromEntries(r.cost.services.map((s) => [s.service, s.monthly])) },
        rollout: Object.fromEntries(r.rollouts.map((e) => [e.service, e.stepSeconds ?? null])),
        policy: {
            enforcement: r.policy.enforcement,
            violations: r.policy.violations.map((v) => ({
                control: v.control,
                service: v.service ?? null,
                type: v.type,
                name: v.name,
                message: v.message,
                waived: v.waived ?? null,
            })),
            waivers: r.policy.waivers.map((w) => ({ control: w.control, scope: w.scope, reason: w.reason })),
        },
        ...(diff ? { diff } : {}),
    };
}
