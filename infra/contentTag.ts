/**
 * Content-addressed tags for images built from source. A tag is a hash of what goes into the
 * build as the builder sees it, so a commit that changes nothing a build reads (a README, another
 * service's code) keeps that image's tag, its task definition and its running tasks as they are.
 *
 * What the tag hashes:
 * - every file of the context that `.dockerignore` does not exclude (BuildKit's
 *   `<Dockerfile>.dockerignore` next to the Dockerfile wins over the context's): its path relative
 *   to the context, whether it is executable, and its content; a symlink by its target; and its
 *   full permission bits when they are not git's 0644 or 0755 (a checkout under another umask:
 *   0664, 0775). The builder copies the mode into the image, and docker-build's own context hash
 *   reads it, so a rebuild from such a checkout is a new image under a new tag, never a second
 *   image pushed under a tag ECR already holds immutable. Tracked, untracked and git-ignored files
 *   alike, because the builder is sent them all;
 * - the Dockerfile's content, wherever it is and even when ignored (the builder always reads it);
 * - the build args (sorted) and the target platform;
 * - the revision, because it is a label inside the image: repositories have immutable tags, so a
 *   tag must never name two different images.
 *
 * The revision (label `org.opencontainers.image.revision`) traces an image to the commit that
 * introduced its content, and stays put across commits that do not change it (a revision that
 * moved with HEAD would rebuild every image on every commit). From HEAD, the commits that touched
 * the context or the Dockerfile are walked back on the first-parent line while their content
 * equals the worktree's; the oldest of that run is the revision. Both sides are compared by git
 * blob ids (computed for worktree files, read with `git ls-tree` for commits), so no commit is
 * checked out. A worktree whose content is not HEAD's (uncommitted, untracked or git-ignored
 * files in the context) gets `<HEAD>-dirty`; outside a git checkout, `unknown`.
 *
 * Reads files and runs git; nothing from Pulumi. Throws an Error saying what could not be read.
 */
import ignore from "@balena/dockerignore";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ImageBuild, ImageTag } from "../model/fleet";

/**
 * Commits (among those touching the build) compared with the worktree at most. Past it the
 * oldest one compared is the revision: still stable, since only commits touching the build move it.
 */
export const revisionWalkLimit = 100;

/** Git tree-entry modes, which are also the modes the tag distinguishes. */
type FileMode = "100644" | "100755" | "120000";

/** The permissions a checkout gives a file of each git mode under git's usual umask (022). */
const standardPermissions: Readonly<Record<FileMode, number>> = { "100644": 0o644, "100755": 0o755, "120000": 0o777 };

/** One file of the build as both the worktree and git history can describe it. */
interface SourceEntry {
    /** Relative to the context, `/`-separated. */
    readonly path: string;
    readonly mode: string;
    /** Git blob id of the content (of the target, for a symlink). */
    readonly oid: string;
}

interface WorktreeFile extends SourceEntry {
    readonly mode: FileMode;
    /** SHA-256 of the content, for the tag (git's blob ids may be SHA-1). */
    readonly sha256: string;
    /** The file's permission bits (`mode & 0o7777`); absent for a symlink. */
    readonly permissions?: number;
}

/** The build's files and Dockerfile, in a form comparable between worktree and commits. */
interface Source {
    readonly entries: readonly SourceEntry[];
    /** Blob id of the Dockerfile, absent when it does not exist. */
    readonly dockerfile?: string;
}

/** The repository the build lives in, with paths as git names them (from the top level). */
interface Repository {
    readonly top: string;
    readonly objectFormat: "sha1" | "sha256";
    readonly head: string;
    /** The context, from the top level, without a trailing slash ("" for the top itself). */
    readonly context: string;
    readonly dockerfile: string;
}

export interface ContentTagOptions {
    /** Commits compared with the worktree at most, in the revision walk. @default revisionWalkLimit */
    readonly walkLimit?: number;
}

/** The content tag and revision of one build, from the worktree under `root` (the repository root of the catalog's paths). */
export function contentTag(root: string, build: ImageBuild, options: ContentTagOptions = {}): ImageTag {
    const repository = openRepository(root, build);
    const worktree = readWorktree(root, build, repository?.objectFormat ?? "sha1");
    const revision = repository ? revisionOf(repository, worktree, options.walkLimit ?? revisionWalkLimit) : "unknown";

    const hash = createHash("sha256");
    // One JSON array per line: no field can run into the next.
    const line = (...fields: string[]) => hash.update(JSON.stringify(fields) + "\n");
    line("fleet content tag", "1");
    line("platform", build.platform);
    for (const name of Object.keys(build.args).sort()) line("arg", name, build.args[name]);
    line("dockerfile", worktree.dockerfileSha256);
    for (const file of worktree.files) {
        line("file", file.mode, file.path, file.sha256);
        // Only permissions git cannot record: a checkout under git's own 0644/0755 keeps its tags.
        if (file.permissions !== undefined && file.permissions !== standardPermissions[file.mode])
            line("permissions", file.path, file.permissions.toString(8));
    }
    line("revision", revision);
    return { tag: `c-${hash.digest("hex").slice(0, 20)}`, revision };
}

function readWorktree(
    root: string,
    build: ImageBuild,
    objectFormat: Repository["objectFormat"],
): { files: WorktreeFile[]; dockerfileSha256: string; source: Source } {
    const contextDir = path.resolve(root, build.context);
    const dockerfilePath = path.resolve(contextDir, build.dockerfile);
    if (!isDirectory(contextDir)) throw new Error(`${build.context} is not a directory`);
    const dockerfile = readContent(dockerfilePath, `${build.context}/${build.dockerfile}`);

    const ignoreText = [`${dockerfilePath}.dockerignore`, path.join(contextDir, ".dockerignore")]
        .filter((file) => fs.existsSync(file))
        .map((file) => readContent(file, `./${toPosix(path.relative(root, file))}`).toString("utf8"))[0];
    const matcher = ignoreText === undefined ? undefined : ignore().add(ignoreText);
    // A `!pattern` may take back a file inside an excluded directory, which must then be walked.
    const hasExceptions = ignoreText?.split(/\r?\n/).some((text) => text.trim().startsWith("!")) ?? false;

    const files: WorktreeFile[] = [];
    const walk = (relativeDir: string) => {
        const absoluteDir = path.join(contextDir, relativeDir);
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(absoluteDir, { withFileTypes: true });
        } catch (error) {
            throw new Error(`cannot list ${describe(build, relativeDir)}: ${errorCode(error)}`);
        }
        for (const entry of entries) {
            const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
            const ignored = matcher?.ignores(relative) ?? false;
            if (entry.isDirectory()) {
                if (!ignored || hasExceptions) walk(relative);
            } else if (ignored) {
                continue;
            } else if (entry.isSymbolicLink()) {
                // The builder sends a symlink as a link (never followed): its target is its content.
                const target = Buffer.from(fs.readlinkSync(path.join(contextDir, relative)));
                files.push(worktreeFile(relative, "120000", target, objectFormat));
            } else if (entry.isFile()) {
                const absolute = path.join(contextDir, relative);
                const content = readContent(absolute, describe(build, relative));
                // Git records only the owner's execute bit; so does the tag, to agree with every clone.
                const stat = fs.statSync(absolute);
                const mode: FileMode = (stat.mode & 0o100) !== 0 ? "100755" : "100644";
                files.push({ ...worktreeFile(relative, mode, content, objectFormat), permissions: stat.mode & 0o7777 });
            }
            // Sockets, FIFOs and devices are not sent to the builder.
        }
    };
    walk("");
    files.sort((a, b) => compare(a.path, b.path));
    return {
        files,
        dockerfileSha256: sha256(dockerfile),
        source: { entries: files.map(({ path: p, mode, oid }) => ({ path: p, mode, oid })), dockerfile: blobId(dockerfile, objectFormat) },
    };
}

function worktreeFile(relative: string, mode: FileMode, content: Buffer, objectFormat: Repository["objectFormat"]): WorktreeFile {
    return { path: relative, mode, oid: blobId(content, objectFormat), sha256: sha256(content) };
}

/** The repository holding `root`, or undefined outside a git checkout (or before its first commit). */
function openRepository(root: string, build: ImageBuild): Repository | undefined {
    let top: string;
    let prefix: string;
    let objectFormat: string;
    let head: string;
    try {
        // --show-prefix prints an empty line at the top level, so the lines are positional.
        [top, prefix, objectFormat] = git(root, ["rev-parse", "--show-toplevel", "--show-prefix", "--show-object-format"]).split("\n");
        head = git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).trim();
    } catch {
        return undefined; // no git, not a checkout, or nothing committed yet
    }
    const context = path.posix
        .normalize(prefix + toPosix(build.context))
        .replace(/\/+$/, "")
        .replace(/^\.$/, "");
    const dockerfile = path.posix.normalize(path.posix.join(context === "" ? "." : context, toPosix(build.dockerfile)));
    if (dockerfile.startsWith("../") || context.startsWith("../")) return undefined; // outside this repository: nothing to trace
    return { top, objectFormat: objectFormat === "sha256" ? "sha256" : "sha1", head, context, dockerfile };
}

/** See the module comment: the oldest commit of the run that has the worktree's content, or `<HEAD>-dirty`. */
function revisionOf(repository: Repository, worktree: { source: Source }, walkLimit: number): string {
    const current = sourceKey(worktree.source);
    if (sourceKey(sourceAt(repository, repository.head)) !== current) return `${repository.head}-dirty`;
    const pathspecs = [
        repository.context === "" ? "." : repository.context,
        repository.dockerfile,
        `${repository.dockerfile}.dockerignore`,
    ];
    const commits = gitObjects(repository.top, [
        "log",
        "--first-parent",
        "--format=%H",
        `-n${walkLimit}`,
        repository.head,
        "--",
        ...pathspecs,
    ])
        .split("\n")
        .filter((commit) => commit !== "");
    let revision = repository.head;
    for (const commit of commits) {
        if (sourceKey(sourceAt(repository, commit)) !== current) break;
        revision = commit;
    }
    return revision;
}

/** The build's source as committed: `git ls-tree`, filtered by that commit's own `.dockerignore`. */
function sourceAt(repository: Repository, commit: string): Source {
    const { context, dockerfile } = repository;
    const specs = [context === "" ? "." : context, dockerfile, `${dockerfile}.dockerignore`];
    const blobs = new Map<string, { mode: string; oid: string }>();
    const listing = gitObjects(repository.top, ["ls-tree", "-r", "-z", "--full-tree", commit, "--", ...specs]);
    for (const record of listing.split("\0")) {
        if (record === "") continue;
        // <mode> SP <type> SP <object> TAB <path>
        const tab = record.indexOf("\t");
        const [mode, , oid] = record.slice(0, tab).split(" ");
        blobs.set(record.slice(tab + 1), { mode, oid });
    }
    const ignoreFile = blobs.get(`${dockerfile}.dockerignore`) ?? blobs.get(context === "" ? ".dockerignore" : `${context}/.dockerignore`);
    const ignoreText = ignoreFile ? gitObjects(repository.top, ["cat-file", "blob", ignoreFile.oid]) : undefined;
    const matcher = ignoreText === undefined ? undefined : ignore().add(ignoreText);
    const under = context === "" ? "" : `${context}/`;
    const entries: SourceEntry[] = [];
    for (const [file, { mode, oid }] of blobs) {
        if (!file.startsWith(under)) continue;
        const relative = file.slice(under.length);
        if (matcher?.ignores(relative)) continue;
        entries.push({ path: relative, mode, oid });
    }
    entries.sort((a, b) => compare(a.path, b.path));
    return { entries, dockerfile: blobs.get(dockerfile)?.oid };
}

function sourceKey(source: Source): string {
    return JSON.stringify([source.dockerfile ?? null, source.entries.map((e) => [e.path, e.mode, e.oid])]);
}

function git(cwd: string, args: string[]): string {
    return execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 }).toString("utf8");
}

/** What git said about immutable objects (a commit's history and trees, a blob), by repository and question. */
const answered = new Map<string, string>();

/**
 * `git <args>` where the answer depends only on the objects the arguments name by id (a commit,
 * a blob), which never change: asked once per process, however many images and plans ask again.
 */
function gitObjects(top: string, args: string[]): string {
    const key = JSON.stringify([top, args]);
    let answer = answered.get(key);
    if (answer === undefined) {
        answer = git(top, args);
        answered.set(key, answer);
    }
    return answer;
}

/** Git's object id of a blob with this content, as `git hash-object` computes it. */
function blobId(content: Buffer, objectFormat: Repository["objectFormat"]): string {
    return createHash(objectFormat).update(`blob ${content.length}\0`).update(content).digest("hex");
}

function sha256(content: Buffer): string {
    return createHash("sha256").update(content).digest("hex");
}

function readContent(file: string, shown: string): Buffer {
    try {
        return fs.readFileSync(file);
    } catch (error) {
        throw new Error(`cannot read ${shown}: ${errorCode(error)}`);
    }
}

function isDirectory(dir: string): boolean {
    try {
        return fs.statSync(dir).isDirectory();
    } catch {
        return false;
    }
}

/** A path in the context, as the catalog's user knows it. */
function describe(build: ImageBuild, relative: string): string {
    return relative === "" ? build.context : `${build.context.replace(/\/+$/, "")}/${relative}`;
}

function errorCode(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return code ?? (error instanceof Error ? error.message : String(error));
}

function toPosix(p: string): string {
    return p.split(path.sep).join("/").replace(/^\.\//, "");
}

/** Code-unit order, the same on every machine and locale. */
function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
