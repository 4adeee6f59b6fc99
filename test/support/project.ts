/**
 * A copy of the project for tests that need a repository of their own: every file that would be
 * committed now (tracked and new, not ignored), with node_modules symlinked and kept out of git.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "./fixtures";
import { git } from "./git";

export { projectRoot };

/** Copies the project as it would be committed now into `to` (created). */
export function copyProject(to: string): void {
    const files = git(projectRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0");
    for (const file of files) {
        const from = path.join(projectRoot, file);
        if (file === "" || !fs.existsSync(from) || !fs.statSync(from).isFile()) continue; // deleted in the worktree
        fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
        fs.copyFileSync(from, path.join(to, file));
    }
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(to, "node_modules"));
}

/** Makes `repo` a git repository whose first commit is what it holds; node_modules stays out. */
export function initRepository(repo: string): string {
    git(repo, "init", "-q");
    // The symlink is not a directory, so .gitignore's `node_modules/` does not keep it out.
    fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), "/node_modules\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "--no-verify", "-m", "base");
    return git(repo, "rev-parse", "HEAD");
}
