/**
 * The JSON Schemas under schema/ are generated from the zod schemas (npm run schema): the
 * committed files must be exactly what generation gives, so editors never check against a stale contract.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { jsonSchemas, jsonSchemaText } from "../schema/jsonSchema";
import { serviceFields, serviceSchema } from "../model/catalog";
import { stackKeys, stackSchema } from "../model/stackSettings";

const root = path.join(__dirname, "..");

describe("JSON Schemas", () => {
    for (const [file, schema] of Object.entries(jsonSchemas())) {
        it(`schema/${file} is what npm run schema generates`, () => {
            const committed = fs.readFileSync(path.join(root, "schema", file), "utf8");
            assert.equal(committed, jsonSchemaText(schema), `schema/${file} is stale: run npm run schema and commit the result`);
        });
    }

    it("describe every catalog field and every fleet stack key, and refuse others", () => {
        const { "catalog.schema.json": catalog, "stack.schema.json": stack } = jsonSchemas() as Record<
            string,
            { properties: Record<string, any>; additionalProperties?: unknown }
        >;
        assert.deepEqual(Object.keys(catalog.properties), [...serviceFields]);
        assert.equal(catalog.additionalProperties, false);
        const config = stack.properties.config;
        assert.deepEqual(
            Object.keys(config.properties).filter((key) => key.startsWith("fleet:")),
            stackKeys.map((key) => `fleet:${key}`),
        );
        // A per-stack override is a partial entry: nothing required, unknown fields refused.
        const override = config.properties["fleet:services"].additionalProperties;
        assert.equal(override.required, undefined);
        assert.equal(override.additionalProperties, false);
    });

    it("agrees with the project-level defaults of Pulumi.yaml", () => {
        const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
        const declared = Object.entries<{ default?: unknown }>(project.config ?? {}).filter(([key]) => key.startsWith("fleet:"));
        assert.ok(declared.length > 0);
        for (const [key, declaration] of declared) {
            const name = key.slice("fleet:".length) as keyof typeof stackSchema.shape;
            assert.ok(stackKeys.includes(name), `${key} is not a stack key`);
            assert.deepEqual(
                declaration.default,
                stackSchema.shape[name].parse(undefined),
                `${key}: Pulumi.yaml's default differs from the schema's`,
            );
        }
    });

    it("agrees with the defaults in the README's reference tables", () => {
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        // `| \`field\` | meaning | default |` → field → default cell
        const cells = new Map([...readme.matchAll(/^\| `([^`]+)` \|.*\| ([^|]*) \|$/gm)].map((row) => [row[1], row[2]]));
        const leaves = (value: unknown): string[] =>
            typeof value === "object" && value !== null ? Object.values(value).flatMap(leaves) : value === undefined ? [] : [String(value)];
        const shapes: [string, Record<string, { safeParse(value: undefined): { success: boolean; data?: unknown } }>][] = [
            ["", serviceSchema.shape],
            ["fleet:", stackSchema.shape],
        ];
        let checked = 0;
        for (const [prefix, shape] of shapes) {
            for (const [field, schema] of Object.entries(shape)) {
                const cell = cells.get(prefix + field);
                const parsed = schema.safeParse(undefined);
                if (cell === undefined || !parsed.success) continue;
                for (const leaf of leaves(parsed.data)) {
                    assert.ok(
                        cell.includes(leaf),
                        `README: the default of ${prefix + field} is ${leaf} in its schema, the table says "${cell}"`,
                    );
                    checked++;
                }
            }
        }
        assert.ok(checked >= 10, `only ${checked} defaults found in the README tables`);
    });
});
