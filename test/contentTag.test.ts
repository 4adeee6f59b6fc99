/**
 * Content tags of images built from source (infra/contentTag.ts), on temporary directories
 * and git repositories: what the build reads changes the tag, nothing else does; the revision
 * names the commit that introduced the content and survives commits that do not touch it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { contentTag } from "../infra/contentTag";
import { tagPattern } from "../model/images";
import { ImageBuild } from "../model/fleet";
import { commitAll, git } from "./support/git";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-content-tag-"));
let dirCount = 0;
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A fresh directory holding `files` (path → content). */
function tree(files: Record<string, string>): string {
    const root = path.join(scratch, `${++dirCount}`);
    for (const [file, content] of Object.entries(files)) write(root, file, content);
    return root;
}

function write(root: string, file: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
}

function repository(files: Record<string, string>): { root: string; first: string } {
    const root = tree(files);
    git(root, "init", "-q");
    return { root, first: commitAll(root, "first") };
}

const baseFiles: Record<string, string> = {
    "app/Dockerfile": "FROM scratch\nCOPY . /app\n",
    "app/.dockerignore": "# as the shipped apps do\nnode_modules\n*.log\nDockerfile\n.dockerignore\n",
    "app/server.js": "console.log('hello');\n",
    "app/lib/util.js": "module.exports = 1;\n",
    "app/node_modules/dep/index.js": "module.exports = 'dep';\n",
    "app/debug.log": "old log\n",
    "docs/README.md": "# docs\n",
    "docker/app.Dockerfile": "FROM scratch\n",
};

const baseBuild: ImageBuild = { context: "./app", dockerfile: "Dockerfile", args: { A: "1", B: "2" }, platform: "linux/amd64" };

/** [what, change to the base tree, build (default baseBuild), whether the tag changes] */
const cases: [string, (root: string) => void, ImageBuild | undefined, boolean][] = [
    [
        "nothing changed (only mtimes)",
        (root) => fs.utimesSync(path.join(root, "app/server.js"), new Date(0), new Date(0)),
        undefined,
        false,
    ],
    ["an ignored file changed", (root) => write(root, "app/debug.log", "new log\n"), undefined, false],
    ["an ignored file added", (root) => write(root, "app/error.log", "boom\n"), undefined, false],
    ["a file in an ignored directory changed", (root) => write(root, "app/node_modules/dep/index.js", "changed\n"), undefined, false],
    ["a file outside the context changed", (root) => write(root, "docs/README.md", "# new docs\n"), undefined, false],
    ["an empty directory added (not in the tag)", (root) => fs.mkdirSync(path.join(root, "app/empty")), undefined, false],
    ["the build args given in another order", () => undefined, { ...baseBuild, args: { B: "2", A: "1" } }, false],
    ["a file changed", (root) => write(root, "app/server.js", "console.log('bye');\n"), undefined, true],
    ["a nested file changed", (root) => write(root, "app/lib/util.js", "module.exports = 2;\n"), undefined, true],
    ["a file added", (root) => write(root, "app/extra.js", "\n"), undefined, true],
    ["a file renamed", (root) => fs.renameSync(path.join(root, "app/server.js"), path.join(root, "app/main.js")), undefined, true],
    ["a file removed", (root) => fs.rmSync(path.join(root, "app/lib/util.js")), undefined, true],
    [
        "the Dockerfile changed, though .dockerignore excludes it",
        (root) => write(root, "app/Dockerfile", "FROM scratch\nCOPY . /srv\n"),
        undefined,
        true,
    ],
    [
        "the .dockerignore takes a file in",
        (root) => write(root, "app/.dockerignore", "node_modules\nDockerfile\n.dockerignore\n"),
        undefined,
        true,
    ],
    [
        "an exception takes back a file of an ignored directory",
        (root) => write(root, "app/.dockerignore", "node_modules\n!node_modules/dep/index.js\n*.log\nDockerfile\n.dockerignore\n"),
        undefined,
        true,
    ],
    ["<Dockerfile>.dockerignore wins over the context's", (root) => write(root, "app/Dockerfile.dockerignore", "lib\n"), undefined, true],
    ["a build arg changed", () => undefined, { ...baseBuild, args: { A: "1", B: "3" } }, true],
    ["a build arg added", () => undefined, { ...baseBuild, args: { A: "1", B: "2", C: "" } }, true],
    ["the platform", () => undefined, { ...baseBuild, platform: "linux/arm64" }, true],
    ["a file made executable", (root) => fs.chmodSync(path.join(root, "app/server.js"), 0o755), undefined, true],
    // The image holds the file's mode, and docker-build's context hash reads it: another umask is another image.
    [
        "a file group-writable (a checkout under umask 002)",
        (root) => fs.chmodSync(path.join(root, "app/server.js"), 0o664),
        undefined,
        true,
    ],
    ["a file given git's own 0644 again", (root) => fs.chmodSync(path.join(root, "app/server.js"), 0o644), undefined, false],
    ["a symlink added", (root) => fs.symlinkSync("server.js", path.join(root, "app/link.js")), undefined, true],
];

describe("content tags", () => {
    const baseline = contentTag(tree(baseFiles), baseBuild);

    it("are valid Docker tags, and name no revision outside a git checkout", () => {
        assert.match(baseline.tag, /^c-[0-9a-f]{20}$/);
        assert.match(baseline.tag, tagPattern);
        assert.equal(baseline.revision, "unknown");
    });

    for (const [what, change, build, changes] of cases) {
        it(`${changes ? "change" : "keep"} the tag: ${what}`, () => {
            const root = tree(baseFiles);
            change(root);
            const { tag } = contentTag(root, build ?? baseBuild);
            if (changes) assert.notEqual(tag, baseline.tag);
            else assert.equal(tag, baseline.tag);
        });
    }

    it("count a Dockerfile outside the context", () => {
        const build = { ...baseBuild, dockerfile: "../docker/app.Dockerfile" };
        const root = tree(baseFiles);
        const before = contentTag(root, build).tag;
        write(root, "docker/app.Dockerfile", "FROM busybox\n");
        assert.notEqual(contentTag(root, build).tag, before);
    });

    it("count a symlink by its target (the builder sends links, never follows them)", () => {
        const root = tree(baseFiles);
        fs.symlinkSync("server.js", path.join(root, "app/link.js"));
        const before = contentTag(root, baseBuild).tag;
        fs.rmSync(path.join(root, "app/link.js"));
        fs.symlinkSync("lib/util.js", path.join(root, "app/link.js"));
        assert.notEqual(contentTag(root, baseBuild).tag, before);
        fs.rmSync(path.join(root, "app/link.js"));
        fs.symlinkSync("missing.js", path.join(root, "app/link.js"));
        assert.match(contentTag(root, baseBuild).tag, tagPattern, "a dangling link is content too");
    });

    it("say what they could not read", () => {
        assert.throws(() => contentTag(tree(baseFiles), { ...baseBuild, context: "./nope" }), { message: "./nope is not a directory" });
        assert.throws(() => contentTag(tree(baseFiles), { ...baseBuild, dockerfile: "Dockerfile.prod" }), {
            message: "cannot read ./app/Dockerfile.prod: ENOENT",
        });
    });
});

describe("content tags in a git checkout", () => {
    it("name the commit that introduced the content, and keep it over commits that do not touch the build", () => {
        const { root, first } = repository(baseFiles);
        const atFirst = contentTag(root, baseBuild);
        assert.equal(atFirst.revision, first);

        write(root, "docs/README.md", "# more docs\n");
        commitAll(root, "docs only");
        // An ignored file committed inside the context changes nothing the build reads either.
        write(root, "app/debug.log", "committed by mistake\n");
        commitAll(root, "ignored file");
        assert.deepEqual(contentTag(root, baseBuild), atFirst);

        write(root, "app/server.js", "console.log('v2');\n");
        const second = commitAll(root, "v2");
        const atSecond = contentTag(root, baseBuild);
        assert.equal(atSecond.revision, second);
        assert.notEqual(atSecond.tag, atFirst.tag);

        // Back to the first content in a new commit: the walk stops at v2, so the revision is the
        // revert, and the tag differs from the first one (the image's label differs; tags are immutable).
        write(root, "app/server.js", baseFiles["app/server.js"]);
        const revert = commitAll(root, "revert v2");
        const atRevert = contentTag(root, baseBuild);
        assert.equal(atRevert.revision, revert);
        assert.notEqual(atRevert.tag, atFirst.tag);
    });

    it("stop the walk at the limit, on a revision that only commits touching the build move", () => {
        const { root } = repository(baseFiles);
        // Commits that touch the context without changing what the build reads (an ignored file).
        const walkLimit = 3;
        const touching = Array.from({ length: walkLimit + 2 }, (_, i) => {
            write(root, "app/debug.log", `log ${i}\n`);
            return commitAll(root, `log ${i}`);
        });
        const limited = contentTag(root, baseBuild, { walkLimit });
        assert.equal(limited.revision, touching[touching.length - walkLimit]);
        write(root, "docs/README.md", "# docs again\n");
        commitAll(root, "docs");
        assert.deepEqual(contentTag(root, baseBuild, { walkLimit }), limited);
    });

    it("mark a worktree whose build content is not committed as <HEAD>-dirty, and return once it is", () => {
        const { root, first } = repository(baseFiles);
        const clean = contentTag(root, baseBuild);
        write(root, "app/server.js", "console.log('wip');\n");
        const dirty = contentTag(root, baseBuild);
        assert.equal(dirty.revision, `${first}-dirty`);
        assert.notEqual(dirty.tag, clean.tag);
        // A change outside the build, or to an ignored file, leaves it clean.
        write(root, "app/server.js", baseFiles["app/server.js"]);
        write(root, "docs/README.md", "# uncommitted docs\n");
        write(root, "app/debug.log", "uncommitted log\n");
        assert.deepEqual(contentTag(root, baseBuild), clean);
    });

    it("count an untracked file by its content: two clones with the same file agree", () => {
        const { root } = repository(baseFiles);
        const clones = ["one", "two"].map((name) => {
            const clone = path.join(scratch, `${++dirCount}-${name}`);
            git(scratch, "clone", "-q", root, clone);
            write(clone, "app/generated.js", "module.exports = 'generated';\n");
            return clone;
        });
        const [one, two] = clones.map((clone) => contentTag(clone, baseBuild));
        assert.deepEqual(one, two);
        assert.match(one.revision, /^[0-9a-f]{40}-dirty$/);
        write(clones[1], "app/generated.js", "module.exports = 'other';\n");
        assert.notEqual(contentTag(clones[1], baseBuild).tag, one.tag);
    });

    it("count a git-ignored file in the context (the builder is sent it) as uncommitted content", () => {
        const { root, first } = repository({ ...baseFiles, ".gitignore": "app/config.local.js\n" });
        write(root, "app/config.local.js", "module.exports = {};\n");
        assert.equal(contentTag(root, baseBuild).revision, `${first}-dirty`);
    });

    it("record the executable bit as git does", () => {
        const { root, first } = repository(baseFiles);
        fs.chmodSync(path.join(root, "app/server.js"), 0o755);
        assert.equal(contentTag(root, baseBuild).revision, `${first}-dirty`);
        const second = commitAll(root, "executable");
        assert.equal(contentTag(root, baseBuild).revision, second);
    });

    it("trace a build context in a subdirectory of the repository", () => {
        const { root, first } = repository(
            Object.fromEntries(Object.entries(baseFiles).map(([file, content]) => [`project/${file}`, content])),
        );
        assert.equal(contentTag(path.join(root, "project"), baseBuild).revision, first);
    });
});
