/**
 * A user who edits the catalog keeps a green suite. In a git repository of its own (the project's
 * files, committed), the README's "Adding a service" example is pasted into services/index.ts and
 * committed; then another service is removed as a user removes it (its catalog entry, its
 * stack-file tuning and waivers, and a retirement where the stack protects deletions) and
 * committed. At each commit, in a checkout of its own, test/shipped.test.ts runs as `npm test`
 * runs it, and passes.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as YAML from "yaml";
import { Catalog, ServiceSpec } from "../model/catalog";
import { services as shipped } from "../services";
import { exampleName, exampleSource, services as withExample } from "./fixtures/catalogReadmeExample";
import { commitAll, git, gitEnv } from "./support/git";
import { copyProject, initRepository, projectRoot } from "./support/project";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-shipped-edits-"));
const catalogFile = path.join("services", "index.ts");

/** The last catalog entry other than the README's example is removed; a catalog of one service has none to spare. */
const removedName =
    Object.keys(shipped).length > 1
        ? Object.keys(shipped)
              .filter((name) => name !== exampleName)
              .pop()
        : undefined;
const exampleTaken = exampleName in shipped;

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

/** The README's entry pasted as the catalog's last key, indented like its other keys. */
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

/** A checkout of `commit` on a branch of its own, with node_modules. */
function checkoutAt(repo: string, label: string, commit: string): string {
    const checkout = path.join(scratch, label);
    git(repo, "worktree", "add", "-q", "-b", label, checkout, commit);
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(checkout, "node_modules"));
    return checkout;
}

/** The catalog as it is when edited by hand; when it cannot be edited as text, a module that derives it. */
function writeCatalog(repo: string, label: string, edited: string | undefined, derived: string, expected: Catalog): void {
    const file = path.join(repo, catalogFile);
    if (edited !== undefined) {
        fs.writeFileSync(file, edited);
        try {
            const loaded = require(file).services as Catalog;
            if (JSON.stringify(loaded) === JSON.stringify(expected)) return;
        } catch {
            // Falls through to the derived module.
        }
    }
    fs.renameSync(file, path.join(repo, "services", `catalogBefore${label}.ts`));
    fs.writeFileSync(
        file,
        `import { Catalog } from "../model/catalog";\nimport { services as before } from "./catalogBefore${label}";\n\n${derived}\n`,
    );
}

/** Stack files without any tuning or waiver of `name`, retiring it where deletions are guarded. */
function retireInStackFiles(repo: string, name: string, spec: ServiceSpec): void {
    const project = String(YAML.parse(fs.readFileSync(path.join(repo, "Pulumi.yaml"), "utf8")).name);
    for (const file of fs.readdirSync(repo).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
        const doc = YAML.parseDocument(fs.readFileSync(path.join(repo, file), "utf8"));
        for (const key of [
            ["config", `${project}:services`, name],
            ["config", `${project}:policy`, "waivers", name],
        ]) {
            if (doc.hasIn(key)) doc.deleteIn(key);
        }
        if (doc.getIn(["config", `${project}:protect`]) === true) {
            const parameters = Object.entries(spec.secrets ?? {})
                .filter(([, source]) => !("existing" in source))
                .map(([variable]) => variable);
            doc.setIn(["config", `${project}:retired`, name], {
                reason: "removed from the catalog by the fleet test of removing a service",
                ...(spec.build ? { repository: true } : {}),
                ...(parameters.length > 0 ? { parameters } : {}),
            });
        }
        fs.writeFileSync(path.join(repo, file), doc.toString());
    }
}

/** test/shipped.test.ts in a checkout, as `npm test` runs it there. */
function runShippedTests(checkout: string): Promise<{ code: number | null; output: string }> {
    // Not a child of this runner: its own run, reporting to us as text.
    const env = { ...gitEnv };
    delete env.NODE_TEST_CONTEXT;
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "test/shipped.test.ts"], {
            cwd: checkout,
            env,
        });
        let output = "";
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, output }));
    });
}

interface Edit {
    readonly checkout: string;
    readonly commit: string;
    readonly result: { code: number | null; output: string };
}

const edits: { added?: Edit; removed?: Edit } = {};

before(async () => {
    const repo = path.join(scratch, "repo");
    copyProject(repo);
    const base = initRepository(repo);

    // A user's history: the README's example added, then another service removed.
    const runs: Promise<void>[] = [];
    let head = base;
    let catalog: Catalog = shipped;
    if (!exampleTaken) {
        const checkout = checkoutAt(repo, "added", head);
        const source = fs.readFileSync(path.join(checkout, catalogFile), "utf8");
        catalog = withExample;
        writeCatalog(
            checkout,
            "Added",
            pasteEntry(source, exampleSource),
            `export const services: Catalog = {\n    ...before,\n${exampleSource}};`,
            catalog,
        );
        head = commitAll(checkout, `Add ${exampleName}, as the README shows`);
        const commit = head;
        runs.push(runShippedTests(checkout).then((result) => void (edits.added = { checkout, commit, result })));
    }
    if (removedName !== undefined) {
        const checkout = checkoutAt(repo, "removed", head);
        const source = fs.readFileSync(path.join(checkout, catalogFile), "utf8");
        const { [removedName]: removed, ...rest } = catalog;
        writeCatalog(
            checkout,
            "Removed",
            cutEntry(source, removedName),
            `const { ${JSON.stringify(removedName)}: _removed, ...rest } = before;\nexport const services: Catalog = rest;`,
            rest,
        );
        retireInStackFiles(checkout, removedName, removed);
        const commit = commitAll(checkout, `Remove ${removedName}`);
        runs.push(runShippedTests(checkout).then((result) => void (edits.removed = { checkout, commit, result })));
    }
    await Promise.all(runs);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The files a commit changed. */
const changedFiles = (edit: Edit) => git(edit.checkout, "show", "--name-only", "--format=", edit.commit).split("\n").sort();

describe("editing the shipped catalog keeps the suite green", () => {
    it(
        `adds the README's example (${exampleName}) in a commit, and the shipped-catalog checks pass`,
        { skip: exampleTaken && `the catalog already has ${exampleName}` },
        () => {
            const edit = edits.added!;
            assert.ok(
                changedFiles(edit).some((file) => file.startsWith("services/")),
                "the commit changes the catalog",
            );
            const catalog = require(path.join(edit.checkout, catalogFile)).services as Catalog;
            assert.ok(exampleName in catalog, `the committed catalog has ${exampleName}`);
            assert.equal(edit.result.code, 0, `test/shipped.test.ts after adding ${exampleName}:\n${edit.result.output}`);
        },
    );

    it(
        `removes a service (${removedName}) in a commit, and the shipped-catalog checks pass`,
        { skip: removedName === undefined && "the catalog has one service" },
        () => {
            const edit = edits.removed!;
            assert.ok(
                changedFiles(edit).some((file) => file.startsWith("services/")),
                "the commit changes the catalog",
            );
            const catalog = require(path.join(edit.checkout, catalogFile)).services as Catalog;
            assert.ok(!(removedName! in catalog), `the committed catalog has no ${removedName}`);
            assert.equal(edit.result.code, 0, `test/shipped.test.ts after removing ${removedName}:\n${edit.result.output}`);
        },
    );
});
