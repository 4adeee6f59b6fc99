// @ts-check
/**
 * Loads fleet's TypeScript under `npm test` (`node --require ./test/support/typescript.js`): each
 * .ts file compiled to CommonJS by TypeScript itself, with tsconfig.json's options and an inline
 * source map, and kept in node_modules/.cache/fleet-tests by the hash of its path and content, so
 * a file is compiled once until it changes. Unlike tsx, it leaves JavaScript alone: tsx reads and
 * scans every .js file a test loads, and Pulumi's SDK alone is thousands of them (a second of CPU
 * in each test file's process). Type errors are tsc's (the script runs `tsc --noEmit` first).
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const projectRoot = path.resolve(__dirname, "..", "..");
const cacheDirectory = path.join(projectRoot, "node_modules", ".cache", "fleet-tests", "typescript");

/** @type {typeof import("typescript") | undefined} */
let ts;
/** @type {import("typescript").CompilerOptions | undefined} */
let compilerOptions;
/** What else the output depends on: TypeScript's version and the project's options. */
let salt = "";

function compilerSalt() {
    return fs.readFileSync(path.join(projectRoot, "tsconfig.json"), "utf8") + require("typescript/package.json").version;
}

/**
 * Where the output for this source of this file is kept.
 * @param {string} source
 * @param {string} filename
 */
function cachedPath(source, filename) {
    salt ||= compilerSalt();
    const key = crypto.createHash("sha256").update(salt).update("\0").update(filename).update("\0").update(source).digest("hex");
    return path.join(cacheDirectory, `${key}.js`);
}

/**
 * @param {string} source
 * @param {string} filename
 * @returns {string}
 */
function compile(source, filename) {
    const cached = cachedPath(source, filename);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // Not compiled yet.
    }
    ts ??= require("typescript");
    compilerOptions ??= {
        ...ts.parseJsonConfigFileContent(
            ts.readConfigFile(path.join(projectRoot, "tsconfig.json"), ts.sys.readFile).config,
            ts.sys,
            projectRoot,
        ).options,
        module: ts.ModuleKind.CommonJS,
        sourceMap: false,
        inlineSourceMap: true,
        inlineSources: true,
        noEmit: false,
        declaration: false,
        incremental: false,
        tsBuildInfoFile: undefined,
    };
    const output = ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText;
    // A file outside the project (a test's copy, under a new temporary name each run) is not kept.
    if (path.relative(projectRoot, filename).startsWith("..")) return output;
    // Written aside and renamed: test files compile at once in several processes.
    fs.mkdirSync(cacheDirectory, { recursive: true });
    const partial = `${cached}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
    return output;
}

/**
 * Compiles every TypeScript file of the project (tracked, or new and not ignored) not compiled yet,
 * in this process: the test runner does it once before the test files start, instead of each test
 * file's process loading TypeScript for the files it needs (half a second each) on a fresh checkout.
 * Without git, the test files compile what they load.
 */
function compileProject() {
    let files;
    try {
        files = require("node:child_process")
            .execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.ts"], {
                cwd: projectRoot,
                stdio: ["ignore", "pipe", "ignore"],
            })
            .toString("utf8")
            .split("\0");
    } catch {
        return;
    }
    for (const file of files) {
        const filename = path.join(projectRoot, file);
        let source;
        try {
            source = fs.readFileSync(filename, "utf8");
        } catch {
            continue; // deleted in the worktree
        }
        if (!fs.existsSync(cachedPath(source, filename))) compile(source, filename);
    }
}
module.exports = { compileProject };

/** @type {Record<string, (module: NodeJS.Module & { _compile(code: string, filename: string): void }, filename: string) => void>} */
// @ts-expect-error: Module._extensions is Node's loader table, not in its types.
const extensions = Module._extensions;
extensions[".ts"] = (module, filename) => module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
