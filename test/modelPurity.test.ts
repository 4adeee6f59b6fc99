/**
 * model/ is pure: no module it loads, directly or through relative imports (policy/limits.ts,
 * policy/controls.ts), comes from @pulumi. So validation, naming and routing run without the
 * Pulumi runtime, and the layout keeps saying so.
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
