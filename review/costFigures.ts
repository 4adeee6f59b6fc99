/**
 * The cost, capacity and budget figures of the plan JSON's `review` section (section.ts), so CI
 * and other tools read numbers instead of text. Part of the plan JSON, an interface: extend it,
 * never rename a field. USD amounts are monthly and rounded to cents.
 */
import { FleetChoice } from "./placement";
import { BudgetVerdict } from "./budget";
import { savings } from "./cost";
import type { Review } from "./render";

const cents = (amount: number) => Math.round(amount * 100) / 100;

export interface ReviewFleetChoice {
    /** The EC2 type, null when no service runs on EC2. */
    readonly instanceType: string | null;
    readonly count: number;
    /** Instances of the Spot group (ec2-spot services above their on-demand base), of the same type. */
    readonly spotCount: number;
    /** The stack's monthly cost under this choice. */
    readonly monthly: number;
    /** EC2 instances with their root volumes, and Fargate tasks. */
    readonly compute: number;
    /** Reserved / registered on the EC2 instances: memory and CPU units, 0-1; null without EC2. */
    readonly utilisation: { readonly memory: number; readonly cpu: number } | null;
    /** Each service's capacity. */
    readonly placement: Readonly<Record<string, string>>;
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
    /**
     * The placement advisor (placement.ts): where each service runs and on which instances, now and
     * advised, with the stack settings that apply the advice. `graviton` and `rule` are the EC2
     * type advisor's (advisor.ts), null without EC2 capacity.
     */
    readonly capacity: {
        readonly current: ReviewFleetChoice;
        readonly recommendation: ReviewFleetChoice & {
            /** The `Pulumi.<stack>.yaml` config that applies it, keyed as under `config:`; empty when it is the plan. */
            readonly settings: Readonly<Record<string, unknown>>;
            readonly moves: readonly { readonly service: string; readonly from: string; readonly to: string; readonly replaces: boolean }[];
            /** The advice in one line, as the text says it. */
            readonly summary: string;
        };
        readonly monthlySaving: number;
        readonly graviton: { readonly considered: boolean; readonly reason: string } | null;
        readonly rule: string | null;
    };
    readonly budget: BudgetVerdict;
}

function fleetChoice(choice: FleetChoice): ReviewFleetChoice {
    const ratio = (x: number) => Math.round(x * 10000) / 10000;
    return {
        instanceType: choice.instanceType,
        count: choice.count,
        spotCount: choice.spotCount,
        monthly: cents(choice.monthly),
        compute: cents(choice.compute),
        utilisation: choice.utilisation && { memory: ratio(choice.utilisation.memory), cpu: ratio(choice.utilisation.cpu) },
        placement: choice.placement,
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
            current: fleetChoice(r.placement.current),
            recommendation: {
                ...fleetChoice(r.placement.recommendation),
                settings: r.placement.settings,
                moves: r.placement.moves,
                summary: r.placement.summary,
            },
            monthlySaving: cents(r.placement.monthlySaving),
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
