/**
 * zod helpers shared by the catalog and stack schemas: errors that carry fleet's problem and fix,
 * and the mapping of zod issues to the `<subject>: <field> = <value>: <problem>; <fix>.` messages.
 */
import { z } from "zod";
import { domainMistake, pastedUrlMistake } from "./awsNames";
import { didYouMean, hiddenValue, Problems } from "./problems";

/** The catalog is data: its types are read-only all the way down, as the user writes it. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** Separates the problem from the fix inside a zod issue message. */
const separator = "\u0000";

/**
 * A zod `error` that says what is wrong and how to fix it. `problem` and `fix` may depend on the
 * value received; an absent value reads `missing` (is required) instead.
 */
export function said(problem: string | ((input: unknown) => string), fix: string | ((input: unknown) => string), missing = "is required") {
    return (issue: { readonly input?: unknown }): string => {
        const text = issue.input === undefined ? missing : typeof problem === "function" ? problem(issue.input) : problem;
        return `${text}${separator}${typeof fix === "function" ? fix(issue.input) : fix}`;
    };
}

/** A zod `error` whose problem and fix are worked out together from the value received (read once). */
function saidOf(explain: (input: unknown) => { readonly problem: string; readonly fix: string }, missing = "is required") {
    return (issue: { readonly input?: unknown }): string => {
        const { problem, fix } = explain(issue.input);
        return `${issue.input === undefined ? missing : problem}${separator}${fix}`;
    };
}

/** The error of a DNS name field: a pasted root dot or capitals are named and corrected (awsNames.ts). */
export const domainError = (what: string, example: string) => saidOf((value) => domainMistake(value, what, example));

/** The error of a resource-name field, which names a pasted URL (`s3://...`, a queue URL) and the name in it (awsNames.ts). */
export const nameError = (problem: string, fix: string) => saidOf((value) => pastedUrlMistake(String(value), "a name") ?? { problem, fix });

/** An issue message for `ctx.addIssue` in a refinement. */
export const saying = (problem: string, fix: string): string => `${problem}${separator}${fix}`;

/** Reports a problem from a refinement, at `path` below the refined value. */
export function refuse(ctx: z.RefinementCtx, path: PropertyKey[], input: unknown, problem: string, fix: string): void {
    ctx.addIssue({ code: "custom", path, input, message: saying(problem, fix) });
}

/** Cross-field rules of an object run only once its fields are valid. */
export const whenValid = { when: (payload: { readonly issues: readonly unknown[] }) => payload.issues.length === 0 };

/** A whole number in [min, max]; every failure reads the same. */
export function wholeNumber(min: number, max: number, fix: string | ((input: unknown) => string)) {
    const error = said(`must be a whole number from ${min} to ${max}`, fix);
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/**
 * `{ a, b?, c? }`: the fields an object takes, read from its shape, those with a default or
 * optional marked with `?`. Messages list them from here, so a new field is never missing there.
 */
export function fieldList(shape: Readonly<Record<string, z.ZodType>>): string {
    return `{ ${Object.entries(shape)
        .map(([key, field]) => (field.safeParse(undefined).success ? `${key}?` : key))
        .join(", ")} }`;
}

/** A strict object whose wrong type is told the fields it takes (`after` adds to the fix). */
export function fieldsObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, after = "") {
    return z.strictObject(shape, { error: said("must be an object", `set ${fieldList(shape)}${after}`) });
}

/** true or false, never a quoted string. */
export const flag = () => z.boolean({ error: said("must be true or false", "write true or false without quotes") });

/** How an object reports a key it does not know, when the generic "unknown field" would say less. */
type KeyText = string | ((key: string) => string);
const unknownKeyTexts = new WeakMap<z.ZodType, { readonly problem: KeyText; readonly fix?: KeyText }>();
/** `problem` as a function says everything, "did you mean" included. */
export function unknownKeysSay<T extends z.ZodType>(schema: T, problem: KeyText, fix?: KeyText): T {
    unknownKeyTexts.set(schema, { problem, fix });
    return schema;
}

type Segment = PropertyKey;
// zod keeps a schema's structure in `_zod.def`; walking it finds the keys an object accepts.
type Def = {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    keyType?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
    entries?: Record<string, string>;
};
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(schema: z.ZodType): z.ZodType {
    const def = defOf(schema);
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === "pipe" && def.in) return unwrap(def.in);
    return schema;
}

function objectOptions(schema: z.ZodType): z.ZodType[] {
    const node = unwrap(schema);
    const def = defOf(node);
    if (def.type === "union") return (def.options ?? []).flatMap(objectOptions);
    return def.type === "object" || def.type === "record" ? [node] : [];
}

function keysOf(schema: z.ZodType): string[] {
    return objectOptions(schema).flatMap((node) => {
        const def = defOf(node);
        if (def.shape) return Object.keys(def.shape);
        const keys = def.keyType && defOf(unwrap(def.keyType)).entries;
        return keys ? Object.values(keys) : [];
    });
}

/** The schema that validates the value at `path`. */
export function schemaAt(schema: z.ZodType, path: readonly Segment[]): z.ZodType | undefined {
    if (path.length === 0) return schema;
    const [head, ...rest] = path;
    const node = unwrap(schema);
    const def = defOf(node);
    if (def.type === "array" && def.element) return schemaAt(def.element, rest);
    if (def.type === "union") {
        const options = (def.options ?? []).map((o) => schemaAt(o, path)).filter((o): o is z.ZodType => o !== undefined);
        return options[0];
    }
    if (def.shape) return def.shape[String(head)] && schemaAt(def.shape[String(head)], rest);
    if (def.valueType) return schemaAt(def.valueType, rest);
    return undefined;
}

function valueAt(value: unknown, path: readonly Segment[]): unknown {
    let current = value;
    for (const segment of path) {
        if (typeof current !== "object" || current === null) return undefined;
        current = (current as Record<PropertyKey, unknown>)[segment];
    }
    return current;
}

/** `routes[0].host`, `memory.limit`, `pullThroughCache.docker-hub`. */
export function fieldOf(path: readonly Segment[]): string {
    return path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : `${i === 0 ? "" : "."}${String(segment)}`)).join("");
}

export interface IssueContext {
    /** Who the message is about, from the path of the issue. */
    readonly subject: (path: readonly Segment[]) => string;
    /** How the field is named in the message. @default fieldOf(path) */
    readonly field?: (path: readonly Segment[]) => string;
    /** Values that may be secrets in the wrong place are not repeated. */
    readonly hidden?: (path: readonly Segment[]) => boolean;
    /** The fix of an issue the schema gave no words for. */
    readonly fallbackFix: string;
}

/**
 * The issues of the union option the value comes closest to (fewest problems, the wrong type
 * counting as the most), so that `{ natGateways: none }` is told about NAT gateways rather than
 * about a missing vpcId; the union's own message when two options are as close.
 */
function closestOption(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
    const distance = (option: readonly z.core.$ZodIssue[]) =>
        option.some((i) => i.code === "invalid_type" && i.path.length === 0)
            ? Infinity
            : option.reduce((n, i) => n + (i.code === "unrecognized_keys" ? i.keys.length : 1), 0);
    const distances = issue.errors.map(distance);
    const best = Math.min(...distances);
    if (best === Infinity || distances.filter((d) => d === best).length > 1) return [issue];
    return issue.errors[distances.indexOf(best)].flatMap((i) =>
        closestOption({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue),
    );
}

/** Adds one message per problem zod found, unknown keys first, one per field. */
export function reportIssues(
    problems: Problems,
    schema: z.ZodType,
    raw: unknown,
    issues: readonly z.core.$ZodIssue[],
    context: IssueContext,
): void {
    const field = context.field ?? fieldOf;
    const reported = new Set<string>();
    const add = (path: readonly Segment[], value: unknown, problem: string, fix: string) => {
        const name = field(path);
        if (reported.has(name)) return;
        reported.add(name);
        problems.add(context.subject(path), name, context.hidden?.(path) ? hiddenValue : value, problem, fix);
    };
    const ordered = issues.flatMap(closestOption);
    const sorted = [...ordered.filter((i) => i.code === "unrecognized_keys"), ...ordered.filter((i) => i.code !== "unrecognized_keys")];
    for (const issue of sorted) {
        if (issue.code === "unrecognized_keys") {
            const node = schemaAt(schema, issue.path);
            const known = node ? keysOf(node) : [];
            const text = node && unknownKeyTexts.get(unwrap(node));
            for (const key of issue.keys) {
                const path = [...issue.path, key];
                const problem =
                    typeof text?.problem === "function"
                        ? text.problem(key)
                        : `${text?.problem ?? "unknown field"}${didYouMean(key, known)}`;
                const fix = typeof text?.fix === "function" ? text.fix(key) : text?.fix;
                add(path, valueAt(raw, path), problem, fix ?? `use one of ${known.join(", ")}`);
            }
            continue;
        }
        const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
        const [problem, fix] = message.includes(separator)
            ? message.split(separator)
            : [message.charAt(0).toLowerCase() + message.slice(1), context.fallbackFix];
        const value = issue.code !== "invalid_key" && "input" in issue ? issue.input : valueAt(raw, issue.path);
        add(issue.path, value, problem, fix);
    }
}
