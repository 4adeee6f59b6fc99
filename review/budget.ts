/**
 * The stack's cost budget (`fleet:budget: { monthly, increase }`) against the plan's monthly
 * estimate and, with a base plan of the same stack, against the change. Pure: a verdict the
 * report shows and the CLI acts on (a violation fails a mandatory stack, warns on an advisory one).
 */
import { parseJsonOrString } from "../facts/json";
import { Enforcement } from "../facts/controls";
import { PlanDocument } from "../plan/runProgram";
import { usd } from "./costItems";
import type { BudgetSettings } from "../model/stackSettings";

export interface BudgetVerdict {
    /** `none`: the stack sets no budget; `over`: a limit is exceeded. */
    readonly status: "ok" | "over" | "none";
    /** The plan's monthly estimate (USD). */
    readonly monthly: number;
    /** fleet:budget.monthly, when set. */
    readonly budget: number | null;
    /** fleet:budget.increase, when set. */
    readonly increase: number | null;
    /** The base plan's monthly estimate and the change, when a base plan of the same stack was given. */
    readonly base: { readonly monthly: number; readonly change: number } | null;
    readonly enforcement: Enforcement;
    /** Whether the violation fails the plan: over on a mandatory stack. */
    readonly blocking: boolean;
    /** One line per exceeded limit, naming the figure, the budget and the stack key. */
    readonly violations: readonly string[];
    /** Why a limit was not checked (an increase without a base plan of the same stack). */
    readonly notes: readonly string[];
}

export interface BudgetInput {
    readonly stack: string;
    readonly budget?: BudgetSettings;
    readonly enforcement: Enforcement;
    readonly monthly: number;
    /** The base plan: its stack and monthly estimate. */
    readonly base?: { readonly stack: string; readonly monthly: number };
}

export function checkBudget(input: BudgetInput): BudgetVerdict {
    const budget = input.budget;
    const file = `Pulumi.${input.stack}.yaml`;
    const sameStack = input.base !== undefined && input.base.stack === input.stack;
    const base = sameStack ? { monthly: input.base!.monthly, change: input.monthly - input.base!.monthly } : null;
    const violations: string[] = [];
    const notes: string[] = [];
    if (budget?.monthly !== undefined && input.monthly > budget.monthly) {
        violations.push(
            `budget: the monthly estimate ${usd(input.monthly)} is above fleet:budget.monthly (${usd(budget.monthly)}) of ${file} by ` +
                `${usd(input.monthly - budget.monthly)}: reduce the stack's cost, or raise fleet:budget.monthly if the spend is intended.`,
        );
    }
    if (budget?.increase !== undefined) {
        if (base && base.change > budget.increase) {
            violations.push(
                `budget: this change raises the monthly estimate by ${usd(base.change)} ` +
                    `(${usd(base.monthly)} → ${usd(input.monthly)}), above ` +
                    `fleet:budget.increase (${usd(budget.increase)}) of ${file}: ` +
                    "split or reduce the change, or raise fleet:budget.increase if it is intended.",
            );
        } else if (!base) {
            notes.push(
                input.base
                    ? `fleet:budget.increase not checked: the base plan is of stack ${input.base.stack}, not ${input.stack}`
                    : "fleet:budget.increase not checked: no base plan (--against)",
            );
        }
    }
    const status = budget === undefined ? "none" : violations.length > 0 ? "over" : "ok";
    return {
        status,
        monthly: input.monthly,
        budget: budget?.monthly ?? null,
        increase: budget?.increase ?? null,
        base,
        enforcement: input.enforcement,
        blocking: status === "over" && input.enforcement === "mandatory",
        violations,
        notes,
    };
}

/** The budget a plan's stack sets (`<project>:budget` of its config, as the program validated it). */
export function planBudget(plan: PlanDocument): BudgetSettings | undefined {
    const text = plan.config[`${plan.project}:budget`];
    if (text === undefined) return undefined;
    const value = parseJsonOrString(text) as { monthly?: unknown; increase?: unknown } | null;
    if (!value || typeof value !== "object") return undefined;
    const amount = (x: unknown) => (typeof x === "number" ? x : undefined);
    return { monthly: amount(value.monthly), increase: amount(value.increase) };
}

/** The verdict as report lines: a warning on an advisory stack, an error on a mandatory one. */
export function budgetLines(verdict: BudgetVerdict, markdown: boolean): string[] {
    if (verdict.status === "none") return [];
    const limits = [
        verdict.budget !== null ? `${usd(verdict.budget)} a month` : "",
        verdict.increase !== null ? `${usd(verdict.increase)} per change` : "",
    ]
        .filter(Boolean)
        .join(", ");
    const change = verdict.base ? `, ${verdict.base.change >= 0 ? "+" : "−"}${usd(Math.abs(verdict.base.change))} against the base` : "";
    const status = verdict.status === "ok" ? "within" : "over";
    const head = `Budget (${verdict.enforcement}; ${limits}): ${status}; estimate ${usd(verdict.monthly)}${change}.`;
    const level = verdict.enforcement === "mandatory" ? "error" : "warning";
    return [
        head,
        ...verdict.violations.map((v) => (markdown ? `- :x: **${level}** ${v}` : `  ${level}: ${v}`)),
        ...verdict.notes.map((n) => (markdown ? `- ${n}` : `  ${n}`)),
    ];
}
