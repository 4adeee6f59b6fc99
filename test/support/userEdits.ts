/**
 * The edits a user makes to fleet's data, made to a copy of the project: a catalog entry pasted
 * into or cut out of services/index.ts as text, a service retired or turned off in the stack
 * files, a stack file written by `pulumi config set`. The copy holds the project as it would be
 * committed now (test/support/project.ts), so the shipped-file properties can be checked on it
 * (test/support/shippedProperties.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { Catalog, ServiceSpec } from "../../model/catalog";
import { copyProject } from "./project";

export const catalogFile = path.join("services", "index.ts");

/** A copy of the project in a new directory under `scratch`. */
export function projectCopy(scratch: string, label: string): string {
    const root = fs.mkdtempSync(path.join(scratch, `${label}-`));
    copyProject(root);
    return root;
}

/** The project's name (the namespace of its config keys). */
export function projectName(root: string): string {
    return String(YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).name);
}

/** The stack names of the stack files under `root`, sorted. */
export function stacksAt(root: string): string[] {
    return fs
        .readdirSync(root)
        .flatMap((file) => (/^Pulumi\.(.+)\.yaml$/.exec(file) ?? []).slice(1))
        .sort();
}

/** The catalog module under `root`, loaded. */
export function catalogAt(root: string): Catalog {
    return require(path.join(root, catalogFile)).services as Catalog;
}

/** The offset just after `export const services ... = {`, or -1. */
function catalogStart(source: string): number {
    const match = /export\s+const\s+services\b[^=]*=\s*\{/.exec(source);
    return match ? match.index + match[0].length : -1;
}

/** The offset of the `}` closing the object literal opened just before `start` (strings and comments skipped), or -1. */
function closingBrace(source: string, start: number): number {
    let depth = 1;
    for (let i = start; i < source.length; i++) {
        const c = source[i];
        if (c === "/" && (source[i + 1] === "/" || source[i + 1] === "*")) {
            const close = source.indexOf(source[i + 1] === "/" ? "\n" : "*/", i + 2);
            if (close < 0) return -1;
            i = close;
        } else if (c === '"' || c === "'" || c === "`") {
            for (i++; i < source.length && source[i] !== c; i++) if (source[i] === "\\") i++;
        } else if (c === "{" || c === "[" || c === "(") depth++;
        else if (c === "}" || c === "]" || c === ")") {
            depth--;
            if (depth === 0) return i;
        }
    }
    return -1;
}

/** `entry` (`name: { ... },`) pasted as the catalog's last key, indented like its other keys. */
function pasteEntry(source: string, entry: string): string | undefined {
    const start = catalogStart(source);
    const end = start < 0 ? -1 : closingBrace(source, start);
    if (end < 0) return undefined;
    const indent = /\n([ \t]+)\S/.exec(source.slice(start, end))?.[1] ?? "    ";
    const body = source.slice(start, end).replace(/\s*$/, "");
    // The last code line of the catalog needs a comma before another key.
    const lastCode =
        body
            .split("\n")
            .filter((line) => line.trim() !== "" && !line.trim().startsWith("//"))
            .pop() ?? "";
    const comma = lastCode.trim().endsWith(",") || lastCode.trim().endsWith("{") ? "" : ",";
    const pasted = entry
        .replace(/\s*$/, "")
        .split("\n")
        .map((line) => (line.trim() === "" ? "" : indent + line))
        .join("\n");
    return `${source.slice(0, start)}${body}${comma}\n\n${pasted}\n${source.slice(end)}`;
}

/** The catalog without one top-level key: its lines from the comments above it to its closing comma. */
function cutEntry(source: string, name: string): string | undefined {
    const start = catalogStart(source);
    const end = start < 0 ? -1 : closingBrace(source, start);
    if (end < 0) return undefined;
    const indent = /\n([ \t]+)\S/.exec(source.slice(start, end))?.[1];
    if (indent === undefined) return undefined;
    const key = new RegExp(`\\n${indent}(["']?)${name}\\1\\s*:\\s*`).exec(source.slice(start, end));
    if (!key) return undefined;
    let from = start + key.index + 1;
    const valueStart = from + key[0].length - 1;
    let to: number;
    if (source[valueStart] === "{") {
        const close = closingBrace(source, valueStart + 1);
        if (close < 0) return undefined;
        to = close + 1;
    } else {
        to = source.indexOf("\n", valueStart);
    }
    if (source[to] === ",") to++;
    to = source.indexOf("\n", to) + 1;
    // The comment lines just above the entry go with it.
    const lines = source.slice(0, from).split("\n");
    lines.pop();
    while (lines.length > 0 && lines[lines.length - 1].trim().startsWith("//")) {
        from -= lines.pop()!.length + 1;
    }
    return source.slice(0, from) + source.slice(to);
}

/**
 * The catalog file as edited by hand; when it cannot be edited as text (a catalog built by code),
 * a module that derives the expected catalog from the one before.
 */
function writeCatalog(root: string, edited: string | undefined, derived: string, expected: Catalog): void {
    const file = path.join(root, catalogFile);
    if (edited !== undefined) {
        fs.writeFileSync(file, edited);
        try {
            if (JSON.stringify(catalogAt(root)) === JSON.stringify(expected)) return;
        } catch {
            // Falls through to the derived module.
        }
        delete require.cache[file];
    }
    fs.renameSync(file, path.join(root, "services", "catalogBefore.ts"));
    fs.writeFileSync(
        file,
        `import { Catalog } from "../model/catalog";\nimport { services as before } from "./catalogBefore";\n\n${derived}\n`,
    );
}

/** Pastes `source` (`name: { ... },`, as the README shows an entry) into the catalog under `root`. */
export function addEntry(root: string, source: string): void {
    const entry = new Function(`return ({${source}});`)() as Record<string, ServiceSpec>;
    const before = catalogAt(root);
    delete require.cache[path.join(root, catalogFile)];
    const text = fs.readFileSync(path.join(root, catalogFile), "utf8");
    writeCatalog(root, pasteEntry(text, source), `export const services: Catalog = {\n    ...before,\n${source}};`, {
        ...before,
        ...entry,
    });
}

/**
 * Removes `name` as a user removes a service: its catalog entry, its tuning and waivers in every
 * stack file, and a retirement (keeping its repository and parameters) where the stack protects
 * its resources. Returns the entry removed.
 */
export function removeService(root: string, name: string): ServiceSpec {
    const { [name]: removed, ...rest } = catalogAt(root);
    delete require.cache[path.join(root, catalogFile)];
    const text = fs.readFileSync(path.join(root, catalogFile), "utf8");
    writeCatalog(
        root,
        cutEntry(text, name),
        `const { ${JSON.stringify(name)}: _removed, ...rest } = before;\nexport const services: Catalog = rest;`,
        rest,
    );
    const project = projectName(root);
    for (const stack of stacksAt(root)) {
        editStackFile(root, stack, (doc) => {
            for (const key of [
                ["config", `${project}:services`, name],
                ["config", `${project}:policy`, "waivers", name],
            ]) {
                if (doc.hasIn(key)) doc.deleteIn(key);
            }
            if (doc.getIn(["config", `${project}:protect`]) === true) {
                const parameters = Object.entries(removed.secrets ?? {})
                    .filter(([, source]) => !("existing" in source))
                    .map(([variable]) => variable);
                doc.setIn(["config", `${project}:retired`, name], {
                    reason: "removed from the catalog by the fleet test of removing a service",
                    ...(removed.build ? { repository: true } : {}),
                    ...(parameters.length > 0 ? { parameters } : {}),
                });
            }
        });
    }
    return removed;
}

/** Edits a stack file as YAML, keeping its comments and order. */
export function editStackFile(root: string, stack: string, edit: (doc: YAML.Document) => void): void {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    edit(doc);
    fs.writeFileSync(file, doc.toString());
}

/** `pulumi config set --path '<project>:services.<name>.enabled' false -s <stack>`, kept in the file's own layout. */
export function turnOff(root: string, stack: string, name: string): void {
    editStackFile(root, stack, (doc) => doc.setIn(["config", `${projectName(root)}:services`, name, "enabled"], false));
}

/**
 * The stack file `pulumi config set` writes for a new stack `stack` given the settings of the
 * stack file `from`: no comment (so no schema declaration), the passphrase provider's salt first,
 * keys in alphabetical order at every level (the CLI's YAML marshalling sorts map keys), and top-level
 * scalars as the strings `pulumi config set <key> <value>` stores (`"30"`, `"false"`).
 */
export function stackFileAsTheCliWrites(root: string, from: string, stack: string): string {
    const config = (YAML.parse(fs.readFileSync(path.join(root, `Pulumi.${from}.yaml`), "utf8"))?.config ?? {}) as Record<string, unknown>;
    const sorted = (value: unknown): unknown =>
        Array.isArray(value)
            ? value.map(sorted)
            : typeof value === "object" && value !== null
              ? Object.fromEntries(
                    Object.keys(value)
                        .sort()
                        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
                )
              : value;
    const written = Object.fromEntries(
        Object.keys(config)
            .sort()
            .map((key) => {
                const value = config[key];
                return [key, typeof value === "object" && value !== null ? sorted(value) : String(value)];
            }),
    );
    const text = YAML.stringify({ encryptionsalt: "v1:ZmxlZXQtdGVzdA==:v1:c2FsdA==:c2FsdC1vZi10aGUtdGVzdA==", config: written });
    fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), text);
    return text;
}

/** A scratch directory for copies, removed by the caller. */
export function scratchDirectory(label: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `fleet-${label}-`));
}
