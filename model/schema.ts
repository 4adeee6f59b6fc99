/**
 * zod helpers shared by the catalog and stack schemas: errors that carry fleet's code, problem and
 * fix, and the mapping of zod issues to problems (`<subject>: <field> = <value>: <problem>; <fix>.`).
 */
import { z } from "zod";
import { domainMistake, pastedUrlMistake } from "./awsNames";
import type { ProblemCode, ShapeRule } from "./problemCodes";
import { didYouMean, hiddenValue, Problems } from "./problems";

/** The catalog is data: its types are read-only all the way down, as the user writes it. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/**
 * The code of a problem a schema reports: a rule of its own (`catalog/memory-reservation-not-below-limit`),
 * or a rule of a value's shape (`number-out-of-range`), which reportIssues names by where it applies,
 * `catalog/<rule>` or `stack/<rule>`.
 */
export type SchemaCode = ProblemCode | ShapeRule;

/** Separates the code, the problem and the fix inside a zod issue message. */
const separator = "\u0000";

/** An issue message for `ctx.addIssue` in a refinement, or for an `error` function. */
export const saying = (code: SchemaCode, problem: string, fix: string): string => `${code}${separator}${problem}${separator}${fix}`;

/**
 * A zod `error` that says which rule the value breaks, what is wrong and how to fix it. `problem`
 * and `fix` may depend on the value received; an absent value breaks the rule `required` and reads
 * `missing` (is required) instead.
 */
export function said(
    code: SchemaCode | ((input: unknown) => SchemaCode),
    problem: string | ((input: unknown) => string),
    fix: string | ((input: unknown) => string),
    missing = "is required",
) {
    return (issue: { readonly input?: unknown }): string => {
        const fixText = typeof fix === "function" ? fix(issue.input) : fix;
        if (issue.input === undefined) return saying("required", missing, fixText);
        const rule = typeof code === "function" ? code(issue.input) : code;
        return saying(rule, typeof problem === "function" ? problem(issue.input) : problem, fixText);
    };
}

/** A zod `error` whose code, problem and fix are worked out together from the value received (read once). */
function saidOf(explain: (input: unknown) => { readonly code: SchemaCode; readonly problem: string; readonly fix: string }) {
    return (issue: { readonly input?: unknown }): string => {
        const { code, problem, fix } = explain(issue.input);
        return issue.input === undefined ? saying("required", "is required", fix) : saying(code, problem, fix);
    };
}

/** The error of a DNS name field: a pasted root dot or capitals are named and corrected (awsNames.ts). */
export const domainError = (code: ProblemCode, what: string, example: string) =>
    saidOf((value) => ({ code, ...domainMistake(value, what, example) }));

/** The error of a resource-name field, which names a pasted URL (`s3://...`, a queue URL) and the name in it (awsNames.ts). */
export const nameError = (code: ProblemCode, problem: string, fix: string) =>
    saidOf((value) => {
        const pasted = pastedUrlMistake(String(value), "a name");
        return pasted ? { code: "url-for-name", ...pasted } : { code, problem, fix };
    });

/** Reports a problem from a refinement, at `path` below the refined value. */
export function refuse(ctx: z.RefinementCtx, code: SchemaCode, path: PropertyKey[], input: unknown, problem: string, fix: string): void {
    ctx.addIssue({ code: "custom", path, input, message: saying(code, problem, fix) });
}

/** Cross-field rules of an object run only once its fields are valid. */
export const whenValid = { when: (payload: { readonly issues: readonly unknown[] }) => payload.issues.length === 0 };

/** A whole number in [min, max]; every failure reads the same. */
export function wholeNumber(min: number, max: number, fix: string | ((input: unknown) => string)) {
    const error = said("number-out-of-range", `must be a whole number from ${min} to ${max}`, fix);
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
    return z.strictObject(shape, { error: said("not-an-object", "must be an object", `set ${fieldList(shape)}${after}`) });
}

/** true or false, never a quoted string. */
export const flag = () => z.boolean({ error: said("not-true-or-false", "must be true or false", "write true or false without quotes") });

/** How an object reports a key it does not know, when the generic "unknown field" would say less. */
type KeyText<T = string> = T | ((key: string) => T);
const unknownKeyTexts = new WeakMap<z.ZodType, { readonly code: KeyText<SchemaCode>; readonly problem: KeyText; readonly fix?: KeyText }>();
/** `problem` as a function says everything, "did you mean" included; `code` names the rule, by key when the problem does. */
export function unknownKeysSay<T extends z.ZodType>(schema: T, code: KeyText<SchemaCode>, problem: KeyText, fix?: KeyText): T {
    unknownKeyTexts.set(schema, { code, problem, fix });
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
    /** Where the value is: a rule of its shape is `catalog/<rule>` or `stack/<rule>`. */
    readonly area: "catalog" | "stack";
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

/**
 * The rule of one of zod's own issues, which fleet gave no words: named by zod's code, `invalid-type`
 * for a value of none of the types a field takes (a union's issue is left only when no option's type
 * matches: closestOption).
 */
const zodRule = (issue: z.core.$ZodIssue): ShapeRule =>
    (issue.code === "invalid_union" ? "invalid-type" : issue.code.replace(/_/g, "-")) as ShapeRule;

/** Adds one problem per issue zod found, unknown keys first, one per field. */
export function reportIssues(
    problems: Problems,
    schema: z.ZodType,
    raw: unknown,
    issues: readonly z.core.$ZodIssue[],
    context: IssueContext,
): void {
    const field = context.field ?? fieldOf;
    const reported = new Set<string>();
    const add = (code: SchemaCode, path: readonly Segment[], value: unknown, problem: string, fix: string) => {
        const name = field(path);
        if (reported.has(name)) return;
        reported.add(name);
        // A rule of a value's shape is named by where it applies; the table of codes (problemCodes.ts) holds each.
        const qualified = (code.includes("/") ? code : `${context.area}/${code}`) as ProblemCode;
        problems.add(qualified, context.subject(path), name, context.hidden?.(path) ? hiddenValue : value, problem, fix);
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
                const code = typeof text?.code === "function" ? text.code(key) : (text?.code ?? "unknown-field");
                add(code, path, valueAt(raw, path), problem, fix ?? `use one of ${known.join(", ")}`);
            }
            continue;
        }
        const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
        const [code, problem, fix] = message.includes(separator)
            ? (message.split(separator) as [SchemaCode, string, string])
            : [zodRule(issue), message.charAt(0).toLowerCase() + message.slice(1), context.fallbackFix];
        const value = issue.code !== "invalid_key" && "input" in issue ? issue.input : valueAt(raw, issue.path);
        add(code, issue.path, value, problem, fix);
    }
}
