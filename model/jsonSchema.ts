/**
 * JSON Schemas generated from the zod schemas, for editors: `schema/catalog.schema.json` (one
 * catalog entry) and `schema/stack.schema.json` (a `Pulumi.<stack>.yaml`). Pure: `npm run schema`
 * writes them, and a test checks the committed files are what this returns.
 */
import { z } from "zod";
import { serviceSchema } from "./catalog";
import { stackKeys, stackSchema } from "./stackSettings";

/** A value `pulumi config set --secret` encrypted into the stack file. */
const secureValue = z.strictObject({ secure: z.string() });

/** The stack file: Pulumi's own top-level keys, and the config map with fleet's keys. */
const stackFileSchema = z.object({
    secretsprovider: z.string().optional(),
    encryptedkey: z.string().optional(),
    encryptionsalt: z.string().optional(),
    config: z
        .object({
            "aws:region": z.string().optional(),
            "aws:profile": z.string().optional(),
            "aws:defaultTags": z.object({ tags: z.record(z.string(), z.string()) }).optional(),
            ...Object.fromEntries(stackKeys.map((key) => [`fleet:${key}`, stackSchema.shape[key].optional()])),
        })
        // Any other key is a plain value or a secret (the keys catalog secrets read with fromConfig);
        // an object under another key is a misspelt fleet key.
        .catchall(z.union([z.string(), z.number(), z.boolean(), secureValue])),
});

const document = (schema: z.ZodType, id: string, title: string) => ({
    ...z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }),
    $id: id,
    title,
});

/** File name under schema/ → JSON Schema. */
export function jsonSchemas(): Record<string, object> {
    return {
        "catalog.schema.json": document(serviceSchema, "catalog.schema.json", "fleet catalog entry (services/index.ts)"),
        "stack.schema.json": document(stackFileSchema, "stack.schema.json", "fleet stack file (Pulumi.<stack>.yaml)"),
    };
}

/** The file's text: two-space JSON with a final newline. */
export const jsonSchemaText = (schema: object): string => `${JSON.stringify(schema, null, 2)}\n`;
