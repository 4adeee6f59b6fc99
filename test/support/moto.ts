/**
 * moto_server (moto 5's emulation of the AWS APIs) for the tests of tools that read a live account:
 * where it is installed, a free port to run it on, and waiting until it answers.
 */
import { ChildProcess, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
export { freePort } from "./ports";

/** The command that runs moto_server: the script on PATH, or the module through python3; undefined without moto. */
export function findMoto(): string[] | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, "moto_server");
        if (dir && fs.existsSync(candidate)) return [candidate];
    }
    const python = spawnSync("python3", ["-c", "import moto.server, flask, flask_cors"], { stdio: "ignore" });
    return python.status === 0 ? ["python3", "-m", "moto.server"] : undefined;
}

/** Polls until the server answers (no fixed sleep): each attempt is a real request. */
export async function waitForServer(endpoint: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
        try {
            const response = await fetch(`${endpoint}/moto-api/`);
            if (response.ok) return;
        } catch {
            // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}
