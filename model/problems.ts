/**
 * Collects validation problems so that every bad value is reported at once, each naming the rule it
 * breaks (a stable code, model/problemCodes.ts), what is wrong (the service or stack key), the
 * field, the value received and the fix: data for CI and the plan JSON, a line for people.
 */
import type { ProblemCode } from "./problemCodes";

/** One problem with the input, as compilers and linters keep them: a code, a path, a message, a fix. */
export interface Problem {
    /** The rule the input breaks, stable across changes of wording: `catalog/memory-reservation-not-below-limit`. */
    readonly code: ProblemCode;
    /** Who it is about: `service "api"`, `stack config fleet:network`, `stack`, `catalog`. */
    readonly subject: string;
    /** The field of the subject: `memory.reservation`, `routes[0].host`, `waivers.platform.ELB.5`. */
    readonly path: string;
    /** The value received, as the message shows it: `(missing)`, or `(value not shown)` for one that may be a secret. */
    readonly value: string;
    /** What is wrong with it. */
    readonly problem: string;
    /** What to do. */
    readonly fix: string;
    /** The line as printed: `<subject>: <path> = <value>: <problem>; <fix>.` (a routing problem: `routing: <problem>; <fix>.`). */
    readonly message: string;
}

/** A problem with its message in the usual form, `<subject>: <path> = <value>: <problem>; <fix>.` */
export function problemOf(code: ProblemCode, subject: string, path: string, value: unknown, problem: string, fix: string): Problem {
    const shown = show(value);
    return { code, subject, path, value: shown, problem, fix, message: `${subject}: ${path} = ${shown}: ${problem}; ${fix}.` };
}

/** Reports one problem of a subject known to the caller (a service's field): code, field, value, problem, fix. */
export type AddProblem = (code: ProblemCode, field: string, value: unknown, problem: string, fix: string) => void;

export class Problems {
    private readonly problems: Problem[] = [];

    /** `<subject>: <field> = <value>: <problem>; <fix>.` */
    add(code: ProblemCode, subject: string, field: string, value: unknown, problem: string, fix: string): void {
        this.problems.push(problemOf(code, subject, field, value, problem, fix));
    }

    /** A problem already made (routing's, whose message names two services). */
    push(problem: Problem): void {
        this.problems.push(problem);
    }

    /** Another collection's problems, after these. */
    append(other: Problems): void {
        this.problems.push(...other.problems);
    }

    get count(): number {
        return this.problems.length;
    }

    /** The messages, one line each, as printed. */
    list(): string[] {
        return this.problems.map((problem) => problem.message);
    }

    /** The problems, as data. */
    all(): Problem[] {
        return [...this.problems];
    }
}

/** Stands for a value a message must not repeat (it may be a secret someone put in the wrong place). */
export const hiddenValue: unique symbol = Symbol("hidden value");

/** A short, single-line rendering of a received value. */
export function show(value: unknown): string {
    if (value === hiddenValue) return "(value not shown)";
    if (value === undefined) return "(missing)";
    const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
    return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

function commonPrefix(a: string, b: string): number {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
}

/**
 * ` (did you mean "memory"?)` for a near miss, or an empty string: a small edit distance
 * (`memroy`), or a long shared start (`readOnlyRootFs` for `readonlyRootFilesystem`).
 */
export function didYouMean(received: string, known: readonly string[]): string {
    const lower = received.toLowerCase();
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const distance = editDistance(lower, candidate.toLowerCase());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    if (best !== undefined && bestDistance <= Math.max(2, Math.floor(received.length / 3))) return ` (did you mean "${best}"?)`;
    const byPrefix = [...known].sort((a, b) => commonPrefix(lower, b.toLowerCase()) - commonPrefix(lower, a.toLowerCase()))[0];
    if (byPrefix !== undefined && commonPrefix(lower, byPrefix.toLowerCase()) >= Math.max(6, Math.ceil(received.length * 0.6)))
        return ` (did you mean "${byPrefix}"?)`;
    return "";
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
