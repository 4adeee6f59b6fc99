/**
 * fleet's own code stays within the formatter's width: Prettier breaks code but never a string,
 * a regex or a comment, so a long one would pass `npm run format:check` and still run off the
 * screen. The user's catalog (services/) and data files are theirs, and not held to it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { projectRoot } from "./support/fixtures";

const { printWidth } = JSON.parse(fs.readFileSync(path.join(projectRoot, ".prettierrc.json"), "utf8")) as { printWidth: number };
/** Folders that are not fleet's code: dependencies, the user's catalog, data. */
const skipped = new Set(["node_modules", "services", "data", ".git"]);

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return skipped.has(entry.name) ? [] : sources(full);
        return /\.(ts|js)$/.test(entry.name) ? [full] : [];
    });
}

describe("code style", () => {
    it(`keeps every line of fleet's TypeScript and JavaScript within ${printWidth} characters`, () => {
        const long = sources(projectRoot).flatMap((file) =>
            fs
                .readFileSync(file, "utf8")
                .split("\n")
                .flatMap((line, i) => {
                    const length = [...line].length;
                    return length > printWidth ? [`${path.relative(projectRoot, file)}:${i + 1} (${length} characters)`] : [];
                }),
        );
        assert.deepEqual(long, [], "split the string, regex or comment on these lines");
    });
});
