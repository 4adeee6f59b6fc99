/**
 * Runs Compose on the generated files: Docker Compose v2 (`docker compose`) where the Docker CLI has
 * it, else the standalone `docker-compose`; where neither exists, one message saying what to install.
 */
import { spawn, spawnSync } from "child_process";
import { LocalError } from "./stack";

export const installHint =
    "neither `docker compose` (Docker Compose v2) nor `docker-compose` was found on PATH: install Docker Desktop " +
    "(https://docs.docker.com/desktop/), or Docker Engine with its Compose plugin " +
    "(https://docs.docker.com/compose/install/linux/, e.g. apt-get install docker-compose-plugin), then run the command again";

/** The command that runs Compose here, e.g. `["docker", "compose"]`; throws with `installHint` when there is none. */
export function findCompose(env: NodeJS.ProcessEnv = process.env): string[] {
    for (const command of [["docker", "compose"], ["docker-compose"]]) {
        const probe = spawnSync(command[0], [...command.slice(1), "version"], { env, stdio: "ignore" });
        if (!probe.error && probe.status === 0) return command;
    }
    throw new LocalError(installHint);
}

/** Runs Compose with `args` on this terminal; resolves to its exit code. */
export function runCompose(command: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(command[0], [...command.slice(1), ...args], { env, stdio: "inherit" });
        child.on("error", reject);
        child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
}
