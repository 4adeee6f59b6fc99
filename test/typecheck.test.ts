/**
 * `npm test` type-checks with tsconfig.json: every TypeScript file of the project must be one of
 * its files, not only checked through what imports it (a folder missing from `include` is
 * checked only where a test happens to import it, and not at all where none does).
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as ts from "typescript";
import { git } from "./support/git";
import { projectRoot } from "./support/project";

describe("the type check", () => {
    it("covers every TypeScript file of the project", () => {
        const config = ts.readConfigFile(path.join(projectRoot, "tsconfig.json"), ts.sys.readFile);
        assert.equal(config.error, undefined);
        const checked = new Set(
            ts.parseJsonConfigFileContent(config.config, ts.sys, projectRoot).fileNames.map((file) => path.resolve(file)),
        );
        // Every file that would be committed now: tracked, and new but not ignored.
        const files = git(projectRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.ts")
            .split("\0")
            .filter((file) => file !== "");
        assert.ok(files.length > 100, `only ${files.length} TypeScript files found`);
        assert.deepEqual(
            files.filter((file) => !checked.has(path.join(projectRoot, file))),
            [],
            "TypeScript files tsconfig.json's include does not name",
        );
    });
});
