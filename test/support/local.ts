/**
 * What the local stack's tests share: the fixture project they write it from, the binaries they
 * check it with (skipped, with the reason, where one is missing), HAProxy started on a generated
 * configuration, and stub servers on loopback that answer with their service's name.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { prodSettingsRoot } from "./fixtures";
import { freePort } from "./ports";
export { freePort };

/** `false` when `command` runs (`--version`-like `args`), else why the test that needs it is skipped. */
export function skipUnless(command: string, args: readonly string[], install: string): false | string {
    const probe = spawnSync(command, args, { stdio: "ignore" });
    return !probe.error && probe.status === 0 ? false : `${command} not installed: ${install} to run it`;
}

export const noHaproxy = skipUnless("haproxy", ["-v"], "apt-get install haproxy");
export const noDockerCompose = skipUnless("docker-compose", ["version"], "apt-get install docker-compose (no engine needed for config)");

/** The stack name of the local fixture project, and its secret config key. */
export const localStack = "local";

/**
 * A project root with the prod-like fixture settings as Pulumi.local.yaml (the secret the local
 * fixture catalog reads added) and the build context test/fixtures/catalogLocal.ts names.
 */
export function localFixtureRoot(): string {
    const root = prodSettingsRoot(localStack, "  fleet:localPassword:\n    secure: v1:bG9jYWw:c2VjcmV0\n");
    fs.mkdirSync(path.join(root, "apps", "api"), { recursive: true });
    fs.writeFileSync(path.join(root, "apps", "api", "Dockerfile"), "FROM node:22-alpine\n");
    return root;
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `fleet-${prefix}-`));
}

/** Connects to `port` until it accepts, retrying on each refusal up to `attempts` times; fails early if `process` exits. */
export function waitForPort(port: number, process: ChildProcess, output: () => string, attempts = 500): Promise<void> {
    return new Promise((resolve, reject) => {
        let left = attempts;
        const exited = () => reject(new Error(`haproxy exited (${process.exitCode}) before listening: ${output()}`));
        process.once("exit", exited);
        const attempt = () => {
            const socket = net.connect(port, "127.0.0.1");
            socket.once("connect", () => {
                socket.destroy();
                process.off("exit", exited);
                resolve();
            });
            socket.once("error", () => {
                socket.destroy();
                if (process.exitCode !== null) return;
                if (--left === 0) return reject(new Error(`haproxy did not listen on ${port}: ${output()}`));
                setTimeout(attempt, 5);
            });
        };
        attempt();
    });
}

export interface RunningHaproxy {
    readonly port: number;
    stop(): Promise<void>;
}

/** Runs HAProxy in the foreground on `config` (whose frontend binds 127.0.0.1:`port`), once it listens. */
export async function startHaproxy(config: string, port: number): Promise<RunningHaproxy> {
    const file = path.join(tempDir("haproxy"), "haproxy.cfg");
    fs.writeFileSync(file, config);
    const child = spawn("haproxy", ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    await waitForPort(port, child, () => stderr);
    return {
        port,
        stop: () =>
            new Promise((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill();
            }),
    };
}

export interface StubBackends {
    /** Each service's port on 127.0.0.1. */
    readonly ports: ReadonlyMap<string, number>;
    close(): Promise<void>;
}

/**
 * One server per service on a free loopback port, answering every request with 200 and the service's
 * name: HTTP/1.1, or HTTP/2 without TLS (what the router speaks to an http2 or grpc server).
 */
export async function stubBackends(services: readonly { name: string; h2: boolean }[]): Promise<StubBackends> {
    const servers: (http.Server | http2.Http2Server)[] = [];
    const sessions = new Set<http2.ServerHttp2Session>();
    const ports = new Map<string, number>();
    for (const { name, h2 } of services) {
        const answer = (_request: unknown, response: http.ServerResponse | http2.Http2ServerResponse) => {
            response.writeHead(200, { "content-type": "text/plain" });
            response.end(name);
        };
        const server = h2 ? http2.createServer(answer) : http.createServer(answer);
        if (h2) server.on("session", (session: http2.ServerHttp2Session) => sessions.add(session));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        servers.push(server);
        ports.set(name, (server.address() as net.AddressInfo).port);
    }
    return {
        ports,
        close: async () => {
            for (const session of sessions) session.destroy();
            for (const server of servers) {
                if (server instanceof http.Server) server.closeAllConnections();
                await new Promise((resolve) => server.close(resolve));
            }
        },
    };
}

/** GET `path` with `host` as the Host header through `port`; the status and the body. */
export function get(port: number, host: string, path: string, agent: http.Agent): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const request = http.request({ host: "127.0.0.1", port, path, headers: { host }, agent }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on("error", reject);
        request.end();
    });
}

/** The same over an HTTP/2 session: `host` as the :authority. */
export function get2(session: http2.ClientHttp2Session, host: string, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const stream = session.request({ ":path": path, ":authority": host });
        let status = 0;
        let body = "";
        stream.setEncoding("utf8");
        stream.on("response", (headers) => (status = Number(headers[":status"])));
        stream.on("data", (chunk) => (body += chunk));
        stream.on("end", () => resolve({ status, body }));
        stream.on("error", reject);
        stream.end();
    });
}
