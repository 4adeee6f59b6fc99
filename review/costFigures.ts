/**
 * The cost, capacity and budget figures of the plan JSON's `review` section (section.ts), so CI
 * and other tools read numbers instead of text. Part of the plan JSON, an interface: extend it,
 * never rename a field. USD amounts are monthly and rounded to cents.
 */
import { CapacityChoice } from "./advisor";
import { BudgetVerdict } from "./budget";
import { savings } from "./cost";
import type { Review } from "./render";

const cents = (amount: number) => Math.round(amount * 100) / 100;

export interface ReviewCapacityChoice {
    readonly instanceType: string;
    readonly count: number;
    readonly monthly: number;
    /** Reserved / registered: memory (the reservations) and cpu (CPU units), 0-1. */
    readonly utilisation: { readonly memory: number; readonly cpu: number };
}

export interface CostFigures {
    readonly cost: {
        /** The stack's monthly estimate, every estimated item included. */
        readonly monthly: number;
        /** One ALB per routed service, every task on Fargate on-demand. */
        readonly baseline: { readonly monthly: number };
        /** One shared ALB, every task on Fargate on-demand. */
        readonly sharedAlbFargate: { readonly monthly: number };
        /** baseline − sharedAlbFargate, and sharedAlbFargate − monthly. */
        readonly savings: { readonly albConsolidation: number; readonly packingAndSpot: number };
        /** Items beyond compute and networking: monthly null when not estimated, with the reason in detail. */
        readonly items: readonly { readonly item: string; readonly monthly: number | null; readonly detail: string }[];
        readonly priceRegion: string;
        readonly priceDate: string;
        /** With --against: the base plan's estimate and the change. */
        readonly base?: { readonly monthly: number; readonly change: number };
    };
    /** Null choices without EC2 capacity. */
    readonly capacity: {
        readonly current: ReviewCapacityChoice | null;
        readonly recommendation: ReviewCapacityChoice | null;
        readonly monthlySaving: number | null;
        readonly graviton: { readonly considered: boolean; readonly reason: string } | null;
        readonly rule: string | null;
    };
    readonly budget: BudgetVerdict;
}

function capacityChoice(choice: CapacityChoice | null | undefined): ReviewCapacityChoice | null {
    if (!choice) return null;
    const ratio = (x: number) => Math.round(x * 10000) / 10000;
    return {
        instanceType: choice.instanceType,
        count: choice.count,
        monthly: cents(choice.monthly),
        utilisation: { memory: ratio(choice.utilisation.memory), cpu: ratio(choice.utilisation.cpu) },
    };
}

/** The `review` section of the plan JSON. */
export function costFigures(r: Review): CostFigures {
    const cost = r.cost;
    const saved = savings(cost);
    return {
        cost: {
            monthly: cents(cost.total),
            baseline: { monthly: cents(cost.baseline.total) },
            sharedAlbFargate: { monthly: cents(cost.sharedAlbFargate.total) },
            savings: { albConsolidation: cents(saved.albConsolidation), packingAndSpot: cents(saved.packingAndSpot) },
            items: cost.items.map((i) => ({ item: i.item, monthly: i.monthly === null ? null : cents(i.monthly), detail: i.detail })),
            priceRegion: cost.priceRegion,
            priceDate: cost.priceDate,
            ...(r.against?.cost
                ? { base: { monthly: cents(r.against.cost.total), change: cents(cost.total - r.against.cost.total) } }
                : {}),
        },
        capacity: {
            current: capacityChoice(r.advice?.current),
            recommendation: capacityChoice(r.advice?.recommendation),
            monthlySaving: r.advice?.monthlySaving == null ? null : cents(r.advice.monthlySaving),
            graviton: r.advice?.graviton ?? null,
            rule: r.advice?.rule ?? null,
        },
        budget: {
            ...r.budget,
            monthly: cents(r.budget.monthly),
            base: r.budget.base ? { monthly: cents(r.budget.base.monthly), change: cents(r.budget.base.change) } : null,
        },
    };
}
