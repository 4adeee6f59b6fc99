/**
 * The reference pages `docs/catalog.md` and `docs/stack.md`, rendered from the JSON Schemas of
 * jsonSchema.ts: each field with its type, its default and its description, in the schema's order,
 * every nested object in a section of its own. The descriptions are the JSDoc of the zod schemas'
 * fields and the defaults their `@default` tags (or zod's default), so a field is explained once, in
 * model/. `npm run schema` writes the pages; a test fails when the committed ones are stale.
 */
import { FieldDoc, FieldDocs, fieldDocs, jsonSchemas, keyList } from "./jsonSchema";
import { serviceFields } from "../model/catalog";
import { stackKeys, stackSchema } from "../model/stackSettings";
import { problemsPage } from "./problemsPage";

type JsonNode = {
    readonly type?: string;
    readonly description?: string;
    readonly default?: unknown;
    readonly enum?: readonly unknown[];
    readonly const?: unknown;
    readonly minimum?: number;
    readonly maximum?: number;
    readonly anyOf?: readonly JsonNode[];
    readonly items?: JsonNode;
    readonly properties?: Readonly<Record<string, JsonNode>>;
    readonly propertyNames?: JsonNode;
    readonly additionalProperties?: JsonNode | boolean;
    readonly required?: readonly string[];
};

/** Where a field is explained at length, by its path on the page. */
const guides: Readonly<Record<string, string>> = {
    image: "[Images](services.md#images)",
    build: "[Image tags](services.md#image-tags)",
    credentials: "[Secrets Manager and private registries](services.md#secrets-manager-and-private-registries)",
    protocol: "[Protocols](services.md#protocols-grpc-http2-and-tcp-servers)",
    routes: "[Routing](routing.md)",
    memory: "[Memory and capacity](memory-and-capacity.md)",
    secrets: "[Secrets](services.md#secrets)",
    scaling: "[Workers](workers-and-jobs.md#workers)",
    schedule: "[Jobs](workers-and-jobs.md#jobs)",
    capacity: "[Memory and capacity](memory-and-capacity.md)",
    user: "[Security defaults](services.md#security-defaults)",
    optOut: "[Security defaults](services.md#security-defaults)",
    access: "[Access](services.md#access)",
    connects: "[Calls between services](services.md#calls-between-services-connects)",
    volumes: "[Volumes](services.md#volumes)",
    "fleet:cluster": "[Memory and capacity](memory-and-capacity.md)",
    "fleet:registry": "[Images](services.md#images)",
    "fleet:protect": "[Production safety](guardrails.md#production-safety)",
    "fleet:services": "[Adding a service](../README.md#adding-a-service)",
    "fleet:policy": "[Policy](guardrails.md#policy)",
    "fleet:retired": "[Retiring a service](guardrails.md#retiring-a-service)",
    "fleet:budget": "[Budgets](guardrails.md#budgets)",
    "fleet:dns": "[Certificates and DNS](deploying.md#certificates-and-dns)",
};

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
    heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");

/** An object a field holds (itself, a list's item, a map's value, one option of several), and the path it has on the page. */
interface Shape {
    readonly path: string;
    readonly node: JsonNode;
    /** Whether the field holds the object itself (whose description is the field's), not in a list, a map or an option. */
    readonly direct?: boolean;
}

function shapesOf(node: JsonNode, path: string, direct = true): Shape[] {
    if (node.properties) return [{ path, node, direct }];
    if (node.anyOf) return node.anyOf.flatMap((option) => shapesOf(option, path, false));
    if (node.items) return shapesOf(node.items, `${path}[]`, false);
    if (typeof node.additionalProperties === "object") return shapesOf(node.additionalProperties, `${path}.<name>`, false);
    return [];
}

/** A shape's heading: its path, and its fields when the path holds several shapes. */
const headingOf = (shape: Shape, several: boolean) =>
    `\`${shape.path}\`${several ? ` as \`{ ${Object.keys(shape.node.properties ?? {}).join(", ")} }\`` : ""}`;

function typeOf(node: JsonNode): string {
    if (node.const !== undefined) return code(node.const);
    if (node.enum) return node.enum.map(code).join(" | ");
    if (node.anyOf) return [...new Set(node.anyOf.map(typeOf))].join(" or ");
    if (node.type === "array") return `list of ${node.items ? typeOf(node.items) : "values"}`;
    if (node.type === "integer") {
        if (node.minimum === undefined) return "integer";
        return node.maximum === undefined || node.maximum >= 2 ** 31 - 1
            ? `integer ≥ ${node.minimum}`
            : `integer ${node.minimum}-${node.maximum}`;
    }
    if (node.type === "object" && !node.properties && typeof node.additionalProperties === "object") {
        const keys = node.propertyNames?.enum ? node.propertyNames.enum.map(code).join(" | ") : "name";
        return `map of ${keys} → ${typeOf(node.additionalProperties)}`;
    }
    return node.type ?? "any";
}

/** The default cell: the `@default` tag's words (its quoted values as code), else zod's default, else whether the field is required. */
function defaultOf(node: JsonNode, doc: FieldDoc | undefined, required: boolean): string {
    if (doc?.default !== undefined) {
        return doc.default.replace(/"([^"]*)"/g, "`$1`").replace(/^(\{\}|\[\]|true|false|\d+)(?=[:,]|$)/, "`$1`");
    }
    if (required) return "required";
    if (node.properties && JSON.stringify(node.default) === "{}") return "each field's default";
    return node.default === undefined ? "none" : code(node.default);
}

/** Renders object shapes as tables, each followed by the sections of the objects its fields hold. */
class Page {
    readonly lines: string[] = [];

    constructor(
        private readonly docs: FieldDocs,
        /** Docs of fields an object's literal does not hold (the stack keys, written `fleet:<key>`). */
        private readonly extraDocs: (name: string) => FieldDoc | undefined = () => undefined,
        /** Fields required where the JSON Schema cannot say it (a stack key is optional in the file's `config`). */
        private readonly mustHave: (path: string) => boolean = () => false,
    ) {}

    section(shape: Shape, heading: string | undefined, intro: string[] = []): void {
        if (heading) this.lines.push(`### ${heading}`, "");
        if (!shape.direct && shape.node.description) this.lines.push(shape.node.description, "");
        this.lines.push(...intro);
        const properties = Object.entries(shape.node.properties ?? {});
        const fieldDocs = this.docs.get(keyList(properties.map(([name]) => name))) ?? {};
        const nested: { shapes: Shape[]; headings: string[] }[] = [];
        const rows = properties.map(([name, node]) => {
            const path = shape.path ? `${shape.path}.${name}` : name;
            const doc = fieldDocs[name] ?? this.extraDocs(name);
            const shapes = shapesOf(node, path);
            const headings = shapes.map((s) => headingOf(s, shapes.length > 1));
            nested.push({ shapes, headings });
            const link = headings.length > 0 ? ` ([fields](#${slug(headings[0])}))` : "";
            const guide = guides[path] ? ` Guide: ${guides[path]}.` : "";
            const description = (node.description ?? doc?.description ?? "") + guide;
            const required = (shape.node.required?.includes(name) ?? false) || this.mustHave(path);
            const cells = [`\`${name}\``, typeOf(node) + link, defaultOf(node, doc, required), description].map(escapeCell);
            return `| ${cells.join(" | ")} |`;
        });
        if (rows.length > 0) this.lines.push("| field | type | default | description |", "|---|---|---|---|", ...rows, "");
        for (const { shapes, headings } of nested) {
            shapes.forEach((s, i) => this.subsection(s, headings[i]));
        }
    }

    /** A catalog entry inside the stack file (`fleet:services.<name>`) is the catalog's table, linked, and its own fields. */
    private subsection(shape: Shape, heading: string): void {
        const names = Object.keys(shape.node.properties ?? {});
        if (!serviceFields.every((field) => names.includes(field)) || names.length === serviceFields.length) {
            return this.section(shape, heading);
        }
        const own = Object.fromEntries(
            Object.entries(shape.node.properties ?? {}).filter(([name]) => !serviceFields.includes(name as never)),
        );
        this.section({ path: shape.path, node: { ...shape.node, properties: own } }, heading, [
            "Any field of a [catalog entry](catalog.md), each optional, and:",
            "",
        ]);
    }
}

const generated = "<!-- Generated by `npm run schema` from the zod schemas' JSDoc (schema/docs.ts): edit model/, not this page. -->";

function catalogPage(schema: JsonNode, docs: FieldDocs): string {
    const page = new Page(docs);
    page.lines.push(
        "# Catalog reference",
        "",
        generated,
        "",
        "`services/index.ts` exports `services`: a record keyed by service name, one entry per microservice. The key is the stable",
        "logical name of every resource of the service: a DNS label of 2-63 lowercase letters, digits and hyphens, starting with a",
        "letter and ending with a letter or digit, as Kubernetes names a Service, with no two hyphens in a row (ECR repository names",
        "refuse them). Where AWS limits a name derived from it (a target group's to 32 characters, a role's and a job schedule's to",
        "64), a long name is shortened to its beginning and 8 hex characters of its hash: `productcatalogservice-v2` gets the target",
        "group `productcatal-1aa12d5e-tg`. Names of up to 21 characters are never shortened.",
        "",
        "The catalog is TypeScript: `services/index.ts` declares its record `satisfies Catalog` (or `: Catalog`), so an editor",
        "completes the fields, shows these descriptions on hover and marks type errors, from the types inferred from the schema",
        "(`model/catalog.ts`). `schema/catalog.schema.json` is the same contract as a JSON Schema, for one entry. Each stack may",
        "override any field per service under [`fleet:services`](stack.md#fleetservicesname). How to write a service:",
        "[services.md](services.md).",
        "",
        "## Fields",
        "",
    );
    page.section({ path: "", node: schema }, undefined);
    return `${page.lines.join("\n").trimEnd()}\n`;
}

function stackPage(schema: JsonNode, docs: FieldDocs): string {
    const stackDocs = docs.get(keyList(stackKeys)) ?? {};
    const stackKey = (name: string) =>
        name.startsWith("fleet:") ? (name.slice("fleet:".length) as keyof typeof stackSchema.shape) : undefined;
    const page = new Page(
        docs,
        (name) => stackDocs[stackKey(name) ?? ""],
        (path) => {
            const key = stackKey(path);
            return key !== undefined && key in stackSchema.shape && !stackSchema.shape[key].safeParse(undefined).success;
        },
    );
    const config = schema.properties?.config ?? {};
    const other = typeof config.additionalProperties === "object" ? config.additionalProperties : undefined;
    page.lines.push(
        "# Stack settings reference",
        "",
        generated,
        "",
        "Every dev/prod difference lives in `Pulumi.<stack>.yaml`, under `config:`; components never look at the stack name.",
        "`Pulumi.yaml` declares the project-level defaults of `fleet:logRetentionDays` and `fleet:protect`. Besides `config`, a",
        "stack file holds Pulumi's own keys (`secretsprovider`, `encryptedkey`, `encryptionsalt`).",
        "",
        "`npm run schema` also writes `schema/stack.schema.json`. Start every stack file with",
        "",
        "```yaml",
        "# yaml-language-server: $schema=./schema/stack.schema.json",
        "```",
        "",
        "and an editor with the YAML language server (VS Code's YAML extension, Neovim, JetBrains) completes the `fleet:*` keys,",
        "shows these descriptions and defaults, and flags unknown keys, values out of range and misspelt fields under",
        "`fleet:services`. Secret values (`secure: ...`) are accepted under any other key. The schema checks shapes only;",
        "`npm run plan` checks the rest (routing, memory against capacity, secrets against config keys): see",
        "[validation](architecture.md#validation). `npm run plan -- -c key=value` tries a change without editing the file",
        "([review.md](review.md#trying-a-change)).",
        "",
        "## Keys",
        "",
    );
    const keys: JsonNode = {
        ...config,
        properties: {
            ...config.properties,
            ...(other ? { "<any other key>": other } : {}),
        },
    };
    page.section({ path: "", node: keys }, undefined);
    return `${page.lines.join("\n").trimEnd()}\n`;
}

/** File name under docs/ → the page's text. */
export function referencePages(docs = fieldDocs()): Record<string, string> {
    const { "catalog.schema.json": catalog, "stack.schema.json": stack } = jsonSchemas(docs) as Record<string, JsonNode>;
    return { "catalog.md": catalogPage(catalog, docs), "stack.md": stackPage(stack, docs), "problems.md": problemsPage() };
}
