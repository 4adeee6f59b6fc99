/**
 * model/ is pure: no module it loads, directly or through relative imports (facts/), comes from
 * @pulumi. So validation, naming and routing run without the Pulumi runtime, and the layout keeps
 * saying so. And imports run one way: facts/ (AWS's numbers, fleet's thresholds, the controls) is a
 * leaf that imports nothing; model/ imports only itself and facts/; policy/ only itself and facts/,
 * so the policy pack loads on its own (`pulumi preview --policy-pack policy`).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const modelDir = path.join(__dirname, "..", "model");

/** Every import specifier reachable from `file` through relative imports, with the file that names it. */
function reachableImports(file: string, seen = new Set<string>()): { from: string; specifier: string }[] {
    if (seen.has(file)) return [];
    seen.add(file);
    const source = fs.readFileSync(file, "utf8");
    const found: { from: string; specifier: string }[] = [];
    for (const [, specifier] of source.matchAll(/(?:from|import|require\()\s*"([^"]+)"/g)) {
        found.push({ from: path.relative(path.dirname(modelDir), file), specifier });
        if (specifier.startsWith(".")) {
            const target = path.resolve(path.dirname(file), specifier);
            const resolved = [`${target}.ts`, path.join(target, "index.ts")].find((candidate) => fs.existsSync(candidate));
            if (resolved) found.push(...reachableImports(resolved, seen));
        }
    }
    return found;
}

describe("the pure model", () => {
    const files = fs.readdirSync(modelDir).filter((name) => name.endsWith(".ts"));

    it("has modules to check", () => assert.ok(files.length >= 10, files.join(", ")));

    for (const name of files) {
        it(`model/${name} loads nothing from @pulumi, directly or through its imports`, () => {
            const pulumi = reachableImports(path.join(modelDir, name)).filter(({ specifier }) => specifier.startsWith("@pulumi"));
            assert.deepEqual(pulumi, []);
        });
    }
});

/** The relative imports of every .ts file of a folder, as folder names they reach (`facts`, `policy`, ...). */
function foldersImported(folder: string): { file: string; folder: string }[] {
    const dir = path.join(__dirname, "..", folder);
    return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".ts"))
        .flatMap((name) => {
            const source = fs.readFileSync(path.join(dir, name), "utf8");
            return [...source.matchAll(/(?:from|import)\s*"(\.[^"]+)"/g)].map((m) => ({
                file: `${folder}/${name}`,
                folder: path.relative(path.join(__dirname, ".."), path.resolve(dir, m[1])).split(path.sep)[0],
            }));
        });
}

describe("the direction of imports", () => {
    const allowed: Record<string, readonly string[]> = {
        facts: ["facts"],
        model: ["model", "facts"],
        policy: ["policy", "facts"],
    };
    for (const [folder, may] of Object.entries(allowed)) {
        it(`${folder}/ imports only from ${may.join(" and ")}/`, () => {
            assert.deepEqual(
                foldersImported(folder).filter((i) => !may.includes(i.folder)),
                [],
            );
        });
    }

    it("facts/ imports no package either", () => {
        const dir = path.join(__dirname, "..", "facts");
        const packages = fs
            .readdirSync(dir)
            .flatMap((name) => [...fs.readFileSync(path.join(dir, name), "utf8").matchAll(/from\s*"([^."][^"]*)"/g)].map((m) => m[1]));
        assert.deepEqual(packages, []);
    });
});
