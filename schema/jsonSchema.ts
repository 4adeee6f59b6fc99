/**
 * JSON Schemas generated from the zod schemas, for editors: `schema/catalog.schema.json` (one
 * catalog entry) and `schema/stack.schema.json` (a `Pulumi.<stack>.yaml`). `npm run schema`
 * writes them, and a test checks the committed files are what this returns. Field descriptions
 * are the JSDoc of the schemas' fields (read from their sources), so the docs stay written once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { z } from "zod";
import { serviceSchema } from "../model/catalog";
import { stackKeys, stackSchema } from "../model/stackSettings";

/** A value `pulumi config set --secret` encrypted into the stack file. */
const secureValue = z.strictObject({ secure: z.string() }).meta({ description: "A secret, encrypted by `pulumi config set --secret`." });

/** The stack file: Pulumi's own top-level keys, and the config map with fleet's keys. */
const stackFileSchema = z.object({
    secretsprovider: z.string().optional(),
    encryptedkey: z.string().optional(),
    encryptionsalt: z.string().optional(),
    config: z
        .object({
            "aws:region": z
                .string()
                .meta({
                    description:
                        "The AWS region of the stack. The regional resources named by ARN (the certificate, the pull-through " +
                        "credentials, `existing` parameters and secrets and their keys, queues, SSE-KMS keys) must be in it, or " +
                        "in their resource's region; validation refuses one that is not.",
                })
                .optional(),
            "aws:profile": z
                .string()
                .meta({ description: "Pulumi's AWS provider: the named profile of the AWS shared configuration to deploy with." })
                .optional(),
            "aws:defaultTags": z
                .object({ tags: z.record(z.string(), z.string()) })
                .meta({ description: "Pulumi's AWS provider: tags it puts on every resource that takes tags." })
                .optional(),
            ...Object.fromEntries(stackKeys.map((key) => [`fleet:${key}`, stackSchema.shape[key].optional()])),
        })
        // Any other key is a plain value or a secret (the keys catalog secrets read with fromConfig);
        // an object under another key is a misspelt fleet key.
        .catchall(
            z.union([z.string(), z.number(), z.boolean(), secureValue]).meta({
                description:
                    "A plain value or a secret: the values of the catalog's `fromConfig` secrets " +
                    '(`pulumi config set --secret <key> <value>`, read as `fromConfig: "<key>"`).',
            }),
        ),
});

/** The modules whose zod schemas make up the catalog and the stack file. */
const sources = ["model/catalog.ts", "model/stackSettings.ts", "model/access.ts", "model/workloads.ts", "model/dns.ts"].map((file) =>
    path.join(__dirname, "..", file),
);
/** The key of an object's field names, however ordered. */
export const keyList = (keys: readonly string[]) => [...keys].sort().join(",");

/** A field's JSDoc: its text, and its `@default` tag's text (what an absent field means) when it has one. */
export interface FieldDoc {
    readonly description: string;
    readonly default?: string;
}
/** Field docs of the object literals in the sources, keyed by `keyList` of the literal's field names. */
export type FieldDocs = ReadonlyMap<string, Readonly<Record<string, FieldDoc>>>;

const oneLine = (text: string | undefined) => (text ?? "").replace(/\s+/g, " ").trim();

/** The JSDoc of the fields of every object literal in the sources, keyed by the literal's field names. */
export function fieldDocs(): FieldDocs {
    const docs = new Map<string, Record<string, FieldDoc>>();
    for (const file of sources) {
        const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
        const visit = (node: ts.Node): void => {
            if (ts.isObjectLiteralExpression(node)) {
                const fields: Record<string, FieldDoc> = {};
                const names = node.properties.flatMap((property) => {
                    if (!property.name || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) return [];
                    const jsDocs = ts.getJSDocCommentsAndTags(property).filter(ts.isJSDoc);
                    const description = oneLine(jsDocs.map((jsDoc) => ts.getTextOfJSDocComment(jsDoc.comment) ?? "").join(" "));
                    const defaultTag = jsDocs.flatMap((jsDoc) => jsDoc.tags ?? []).find((tag) => tag.tagName.text === "default");
                    const fallback = defaultTag && oneLine(ts.getTextOfJSDocComment(defaultTag.comment));
                    if (description || fallback) fields[property.name.text] = { description, ...(fallback ? { default: fallback } : {}) };
                    return [property.name.text];
                });
                if (Object.keys(fields).length > 0) docs.set(keyList(names), fields);
            }
            ts.forEachChild(node, visit);
        };
        visit(source);
    }
    return docs;
}

type JsonNode = { [key: string]: unknown; properties?: Record<string, JsonNode> };

/** Puts each field's JSDoc on its property, wherever an object's fields match a literal's. */
function describe(node: unknown, docs: FieldDocs): void {
    if (Array.isArray(node)) return node.forEach((child) => describe(child, docs));
    if (typeof node !== "object" || node === null) return;
    const { properties } = node as JsonNode;
    const fields = properties && docs.get(keyList(Object.keys(properties)));
    for (const [name, { description }] of Object.entries(fields ?? {})) {
        if (properties && description && properties[name].description === undefined)
            properties[name] = { description, ...properties[name] };
    }
    Object.values(node).forEach((child) => describe(child, docs));
}

function withoutDefaults(node: unknown): void {
    if (typeof node !== "object" || node === null) return;
    if (!Array.isArray(node)) delete (node as JsonNode).default;
    Object.values(node).forEach(withoutDefaults);
}

function document(schema: z.ZodType, id: string, title: string, docs: FieldDocs): object {
    const json = { ...z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }), $id: id, title } as JsonNode;
    const config = json.properties?.config?.properties;
    const stackDocs = docs.get(keyList(stackKeys));
    for (const key of stackKeys) {
        const description = stackDocs?.[key]?.description;
        if (config && description) config[`fleet:${key}`] = { description, ...config[`fleet:${key}`] };
    }
    // An override's absent field keeps the catalog's value, not the schema's default.
    withoutDefaults(config?.["fleet:services"]);
    describe(json, docs);
    return json;
}

/** File name under schema/ → JSON Schema. */
export function jsonSchemas(docs = fieldDocs()): Record<string, object> {
    return {
        "catalog.schema.json": document(serviceSchema, "catalog.schema.json", "fleet catalog entry (services/index.ts)", docs),
        "stack.schema.json": document(stackFileSchema, "stack.schema.json", "fleet stack file (Pulumi.<stack>.yaml)", docs),
    };
}

/** The file's text: two-space JSON with a final newline. */
export const jsonSchemaText = (schema: object): string => `${JSON.stringify(schema, null, 2)}\n`;
