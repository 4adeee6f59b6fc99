/**
 * The documentation: the reference pages docs/catalog.md and docs/stack.md are what `npm run
 * schema` generates from the zod schemas (as schema.test.ts holds the JSON Schemas), every link
 * between the README and docs/ reaches a file and a heading, and the README stays a quick start
 * that opens with the two commands CI and people run.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { referencePages } from "../schema/docs";

const root = path.join(__dirname, "..");
const docsDir = path.join(root, "docs");
const pages = [path.join(root, "README.md"), ...fs.readdirSync(docsDir).map((file) => path.join(docsDir, file))].filter((file) =>
    file.endsWith(".md"),
);
const read = (file: string) => fs.readFileSync(file, "utf8");
/** The text outside fenced code blocks. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, "");

/** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const found = new Set<string>();
    for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
        const base = heading
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, "")
            .replace(/ /g, "-");
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        found.add(count === 0 ? base : `${base}-${count}`);
    }
    return found;
}

describe("docs", () => {
    for (const [file, text] of Object.entries(referencePages())) {
        it(`docs/${file} is what npm run schema generates`, () => {
            assert.equal(read(path.join(docsDir, file)), text, `docs/${file} is stale: run npm run schema and commit the result`);
        });
    }

    it("links only to files and headings that exist", () => {
        const broken: string[] = [];
        for (const page of pages) {
            for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                const [file, anchor] = target.split("#");
                const linked = file === "" ? page : path.resolve(path.dirname(page), file);
                const where = `${path.relative(root, page)} → ${target}`;
                if (!fs.existsSync(linked)) broken.push(`${where}: no such file`);
                else if (anchor !== undefined && !anchors(read(linked)).has(anchor)) broken.push(`${where}: no such heading`);
            }
        }
        assert.deepEqual(broken, []);
    });

    it("are each linked from the README", () => {
        const readme = read(path.join(root, "README.md"));
        const unlinked = fs
            .readdirSync(docsDir)
            .filter((file) => file.endsWith(".md") && !readme.includes(`](docs/${file})`) && !readme.includes(`](docs/${file}#`));
        assert.deepEqual(unlinked, []);
    });

    it("keep the README a quick start that opens with the two commands", () => {
        const lines = read(path.join(root, "README.md")).split("\n");
        assert.deepEqual(lines.slice(0, 6), [
            "# fleet",
            "",
            "```sh",
            "npm ci && npm run plan -- --stack dev      # the main job: the offline plan of the dev stack",
            "npm ci && npm test                         # type-check (strict) and the whole test suite",
            "```",
        ]);
        assert.ok(lines.length <= 250, `README.md has ${lines.length} lines; keep it at most 250 and move detail to docs/`);
    });
});
