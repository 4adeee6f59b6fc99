/**
 * Collects validation problems so that every bad value is reported at once, each message naming
 * what is wrong (the service or stack key), the field, the value received and the fix.
 */

export class Problems {
    private readonly messages: string[] = [];

    /** `<subject>: <field> = <value>: <problem>; <fix>.` */
    add(subject: string, field: string, value: unknown, problem: string, fix: string): void {
        this.messages.push(`${subject}: ${field} = ${show(value)}: ${problem}; ${fix}.`);
    }

    /** A message that is already complete (routing errors name two services). */
    addRaw(message: string): void {
        this.messages.push(message);
    }

    /** Another collection's messages, after these. */
    append(other: Problems): void {
        this.messages.push(...other.messages);
    }

    get count(): number {
        return this.messages.length;
    }

    list(): string[] {
        return [...this.messages];
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
