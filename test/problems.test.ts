/**
 * Problems as data: every input of the corpus (test/fixtures/problems) reports the problems it
 * should, by code, subject and path; and every message reads as test/snapshots/problems.txt says,
 * the one place the wording is checked. After changing a message on purpose, regenerate it:
 *
 *     UPDATE_SNAPSHOTS=1 node --import tsx --test test/problems.test.ts
 *
 * and review the diff of test/snapshots/problems.txt.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { problemAreas, problemCodes } from "../model/problemCodes";
import { corpus } from "./fixtures/problems";

const snapshotFile = path.join(__dirname, "snapshots", "problems.txt");
const update = process.env.UPDATE_SNAPSHOTS === "1";

describe("problems: codes and paths", () => {
    for (const [area, cases] of Object.entries(corpus)) {
        describe(area, () => {
            for (const problemCase of cases) {
                it(problemCase.name, () =>
                    assert.deepEqual(
                        problemCase.problems().map((p) => [p.code, p.subject, p.path]),
                        problemCase.expected,
                    ),
                );
            }
        });
    }
});

describe("problems: the table of codes", () => {
    const produced = new Set(Object.values(corpus).flatMap((cases) => cases.flatMap((c) => c.problems().map((p) => p.code))));

    it("holds every code the corpus gives", () => {
        assert.deepEqual(
            [...produced].filter((code) => !(code in problemCodes)),
            [],
        );
    });

    it("holds no code that no input of the corpus gives (each rule has a case)", () => {
        assert.deepEqual(
            Object.keys(problemCodes).filter((code) => !produced.has(code as keyof typeof problemCodes)),
            [],
        );
    });

    it("names each code <area>/<rule> in lower case, in an area of its own list, with a line saying the rule", () => {
        for (const [code, description] of Object.entries(problemCodes)) {
            assert.match(code, /^[a-z]+\/[a-z0-9]+(-[a-z0-9]+)*$/, code);
            assert.ok(code.slice(0, code.indexOf("/")) in problemAreas, code);
            assert.ok(description.length > 0 && !description.includes("\n"), code);
        }
    });
});

/** `# <area>: <case>` and the case's messages, one a line; `(none)` for a case without any. */
function snapshotText(): string {
    const blocks = Object.entries(corpus).flatMap(([area, cases]) =>
        cases.map((problemCase) => {
            const lines = problemCase.problems().map((problem) => problem.message);
            return [`# ${area}: ${problemCase.name}`, ...(lines.length > 0 ? lines : ["(none)"])].join("\n");
        }),
    );
    return `${blocks.join("\n\n")}\n`;
}

/** Heading → block, for a diff that names the cases whose wording changed. */
const blocksOf = (text: string) =>
    new Map(
        text
            .trim()
            .split(/\n\n(?=# )/)
            .map((block) => [block.slice(0, block.indexOf("\n") < 0 ? block.length : block.indexOf("\n")), block] as const),
    );

describe("problems: the wording", () => {
    it("every case's name is unique in its area", () => {
        for (const [area, cases] of Object.entries(corpus)) {
            const names = cases.map((c) => c.name);
            assert.deepEqual(
                names.filter((name, i) => names.indexOf(name) !== i),
                [],
                area,
            );
        }
    });

    it("reads as test/snapshots/problems.txt", () => {
        const actual = snapshotText();
        if (update) fs.writeFileSync(snapshotFile, actual);
        const expected = fs.existsSync(snapshotFile) ? fs.readFileSync(snapshotFile, "utf8") : "";
        if (actual === expected) return;
        const [before, after] = [blocksOf(expected), blocksOf(actual)];
        const changes = [...new Set([...before.keys(), ...after.keys()])]
            .filter((heading) => before.get(heading) !== after.get(heading))
            .map((heading) => {
                const [old, now] = [before.get(heading), after.get(heading)];
                const lines = (block: string | undefined, sign: string) =>
                    (block ?? "")
                        .split("\n")
                        .slice(1)
                        .map((line) => `${sign} ${line}`);
                return [
                    heading,
                    ...(old ? lines(old, "-") : ["- (not in the snapshot)"]),
                    ...(now ? lines(now, "+") : ["+ (no such case)"]),
                ].join("\n");
            });
        assert.fail(
            `${changes.length} case(s) read otherwise than test/snapshots/problems.txt:\n\n${changes.join("\n\n")}\n\n` +
                "If the new wording is meant, run UPDATE_SNAPSHOTS=1 node --import tsx --test test/problems.test.ts and commit " +
                "the snapshot.",
        );
    });
});
