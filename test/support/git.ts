/**
 * Git for tests that build repositories of their own: isolated from the machine's and the user's
 * configuration (no signing, no hooks, no templates) and from any GIT_* variable of the caller.
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";

/** The environment of every git command (and of plans run inside a test repository). */
export const gitEnv: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("GIT_"))),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: os.devNull,
    GIT_AUTHOR_NAME: "fleet test",
    GIT_AUTHOR_EMAIL: "fleet@example.com",
    GIT_COMMITTER_NAME: "fleet test",
    GIT_COMMITTER_EMAIL: "fleet@example.com",
};

/** Runs git in `cwd`; returns its output without the final newline. */
export function git(cwd: string, ...args: string[]): string {
    return execFileSync("git", args, { cwd, env: gitEnv, stdio: ["ignore", "pipe", "pipe"] })
        .toString()
        .trim();
}

/** Stages everything and commits it; returns the new commit. */
export function commitAll(cwd: string, message: string): string {
    git(cwd, "add", "-A");
    git(cwd, "commit", "-q", "--no-verify", "-m", message);
    return git(cwd, "rev-parse", "HEAD");
}
