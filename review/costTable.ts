/**
 * The cost estimate as the reports print it: in cents, every total the sum of the lines printed
 * above it, the EC2 instances counted once. cost.ts estimates in exact amounts; rounded apart, lines
 * of $22.265 and $100.795 would print $22.27 and $100.80 above a total of $123.06. Here each line is
 * rounded first and every total is their sum; the EC2 instances' cost (on-demand and Spot) is shared
 * out to the services on them in whole cents that add up to it (largest remainder). Pure.
 */
import { onEc2 } from "../model/catalog";
import { CostLine, CostReport, ServiceCost } from "./cost";
import { plural } from "./changes";

/** Whole cents. */
const toCents = (amount: number) => Math.round(amount * 100);
const fromCents = (cents: number) => cents / 100;
const sumOf = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0);

/** The item names cost.ts gives the lines that the rounding reads (the EC2 lines, and the comparisons' sums). */
const lineNames = { ec2: "EC2 instances", spot: "EC2 Spot instances", logs: "logs", otherItems: "other items" } as const;

/** A service whose compute is a share of EC2 instances (cost.ts counts the instances once, in the shared lines). */
export const onInstances = (s: ServiceCost) => onEc2(s.capacity);
const isInstanceLine = (l: CostLine) => l.item === lineNames.ec2 || l.item === lineNames.spot;

/**
 * `amounts` (exact) in whole cents that add up to `totalCents`: each rounded down, then the cents left
 * given to the largest remainders (ties to the first).
 */
export function shareOut(amounts: readonly number[], totalCents: number): number[] {
    const floors = amounts.map((a) => Math.floor(a * 100));
    let left = totalCents - sumOf(floors);
    const order = amounts.map((a, i) => ({ i, remainder: a * 100 - floors[i] })).sort((x, y) => y.remainder - x.remainder || x.i - y.i);
    const cents = [...floors];
    for (let k = 0; left > 0 && amounts.length > 0; k = (k + 1) % amounts.length, left--) cents[order[k].i]++;
    return cents;
}

/**
 * The estimate in cents: lines, services and items rounded, each EC2 service's share of the
 * instances in cents adding up to the instances' line, and every total the sum of its parts.
 */
export function roundedCost(c: CostReport): CostReport {
    // The instances' lines, each in cents; the services on them carry shares adding up to their sum.
    const ec2Cents = sumOf(c.shared.filter(isInstanceLine).map((l) => toCents(l.monthly)));
    const onEc2 = c.services.filter(onInstances);
    const ec2Shares =
        onEc2.length && sumOf(onEc2.map((s) => s.compute)) > 0
            ? shareOut(
                  onEc2.map((s) => s.compute),
                  ec2Cents,
              )
            : [];
    const services: ServiceCost[] = c.services.map((s) => {
        const share = onEc2.indexOf(s);
        const compute = share >= 0 ? (ec2Shares[share] ?? 0) : toCents(s.compute);
        const logs = toCents(s.logs);
        return { ...s, compute: fromCents(compute), logs: fromCents(logs), monthly: fromCents(compute + logs) };
    });
    const shared: CostLine[] = c.shared.map((l) => ({ ...l, monthly: fromCents(toCents(l.monthly)) }));
    const items = c.items.map((i) => ({ ...i, monthly: i.monthly === null ? null : fromCents(toCents(i.monthly)) }));
    const itemCents = (all: boolean) => sumOf(items.map((i) => (i.monthly !== null && (all || i.inComparisons) ? toCents(i.monthly) : 0)));
    const logCents = sumOf(services.map((s) => toCents(s.logs)));
    const fargateCents = sumOf(services.filter((s) => !onInstances(s)).map((s) => toCents(s.compute)));
    const total = sumOf(shared.map((l) => toCents(l.monthly))) + fargateCents + logCents + itemCents(true);
    const comparison = (lines: readonly CostLine[]) => {
        const rounded = lines.map((l) => ({
            ...l,
            monthly: fromCents(
                l.item === lineNames.logs ? logCents : l.item === lineNames.otherItems ? itemCents(false) : toCents(l.monthly),
            ),
        }));
        return { lines: rounded, total: fromCents(sumOf(rounded.map((l) => toCents(l.monthly)))) };
    };
    return {
        ...c,
        shared,
        services,
        items,
        total: fromCents(total),
        baseline: comparison(c.baseline.lines),
        sharedAlbFargate: comparison(c.sharedAlbFargate.lines),
    };
}

/** A row of a printed cost table. */
export interface CostRow {
    readonly item: string;
    readonly monthly: number;
    readonly detail: string;
}

/**
 * The stack's bill, one row per part, adding up to `roundedCost(...).total`: the tasks on Fargate,
 * the EC2 instances, on-demand and Spot (once: the services' shares are in the per-service table),
 * log ingestion, the shared platform, and the other items listed apart.
 */
export function costLines(c: CostReport): CostRow[] {
    const ec2 = c.shared.find((l) => l.item === lineNames.ec2);
    const spot = c.shared.find((l) => l.item === lineNames.spot);
    const onEc2 = c.services.filter(onInstances);
    const onSpot = c.services.filter((s) => s.capacity === "ec2-spot");
    const fargate = c.services.filter((s) => !onInstances(s));
    const estimated = c.items.filter((i) => i.monthly !== null);
    const notEstimated = c.items.length - estimated.length;
    const rows: CostRow[] = [];
    if (fargate.length)
        rows.push({
            item: "Fargate tasks",
            monthly: fromCents(sumOf(fargate.map((s) => toCents(s.compute)))),
            detail: plural(fargate.length, "service"),
        });
    if (ec2)
        rows.push({
            item: ec2.item,
            monthly: ec2.monthly,
            detail:
                `${ec2.detail.replace(/ \(shared out to EC2 services above\)$/, "")}, ` +
                `shared by ${plural(onEc2.length, "service")} by memory reserved`,
        });
    if (spot)
        rows.push({
            item: spot.item,
            monthly: spot.monthly,
            detail:
                `${spot.detail.replace(/; shared out to ec2-spot services above\)$/, ")")}, ` +
                `shared by ${plural(onSpot.length, "ec2-spot service")} by memory reserved`,
        });
    rows.push({
        item: "log ingestion",
        monthly: fromCents(sumOf(c.services.map((s) => toCents(s.logs)))),
        detail: plural(c.services.length, "service"),
    });
    rows.push(...c.shared.filter((l) => !isInstanceLine(l)));
    if (c.items.length)
        rows.push({
            item: "other items",
            monthly: fromCents(sumOf(estimated.map((i) => toCents(i.monthly!)))),
            detail: `${estimated.length} estimated${notEstimated ? `, ${notEstimated} not` : ""}: listed below`,
        });
    return rows;
}

/** What the per-service table's total row holds: the services' compute and logs, and their sum. */
export function serviceTotals(c: CostReport): { readonly compute: number; readonly logs: number; readonly monthly: number } {
    const [compute, logs] = [sumOf(c.services.map((s) => toCents(s.compute))), sumOf(c.services.map((s) => toCents(s.logs)))];
    return { compute: fromCents(compute), logs: fromCents(logs), monthly: fromCents(compute + logs) };
}
