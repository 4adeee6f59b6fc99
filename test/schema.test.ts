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

    it("agrees with the defaults in the reference pages (docs/catalog.md, docs/stack.md)", () => {
        // The pages' default cells are a field's @default words where it has them: each must name zod's default.
        const cells = new Map<string, string>();
        for (const page of ["catalog.md", "stack.md"]) {
            let section = "";
            for (const line of fs.readFileSync(path.join(root, "docs", page), "utf8").split("\n")) {
                const heading = /^### `([^`]+)`/.exec(line);
                if (heading) section = `${heading[1]}.`;
                else if (line.startsWith("## ")) section = "";
                // | `field` | type | default | description |, pipes inside cells escaped
                const row = line.startsWith("| `") ? line.split(/(?<!\\)\|/).map((cell) => cell.trim()) : undefined;
                if (row) cells.set(section + row[1].replace(/`/g, ""), row[3]);
            }
        }
        const leaves = (value: unknown): string[] =>
            typeof value === "object" && value !== null ? Object.values(value).flatMap(leaves) : value === undefined ? [] : [String(value)];
        type Node = { default?: unknown; properties?: Record<string, Node>; anyOf?: Node[]; items?: Node; additionalProperties?: unknown };
        let checked = 0;
        const walk = (node: Node, at: string): void => {
            if (node.anyOf) node.anyOf.forEach((option) => walk(option, at));
            if (node.items) walk(node.items, `${at}[]`);
            if (typeof node.additionalProperties === "object") walk(node.additionalProperties as Node, `${at}.<name>`);
            for (const [field, child] of Object.entries(node.properties ?? {})) {
                const fieldPath = at ? `${at}.${field}` : field;
                const cell = cells.get(fieldPath);
                if (child.default !== undefined && !child.properties && cell !== undefined) {
                    for (const leaf of leaves(child.default)) {
                        assert.ok(
                            cell.includes(leaf),
                            `docs: the default of ${fieldPath} is ${leaf} in its schema, the page says "${cell}"`,
                        );
                        checked++;
                    }
                }
                walk(child, fieldPath);
            }
        };
        const { "catalog.schema.json": catalog, "stack.schema.json": stack } = jsonSchemas() as Record<string, Node>;
        walk(catalog, "");
        // A stack override's fields are the catalog's, documented once, in the catalog's page.
        const { "fleet:services": _overrides, ...keys } = stack.properties!.config.properties!;
        walk({ properties: keys }, "");
        assert.ok(checked >= 20, `only ${checked} defaults found in the reference pages`);
    });
});
