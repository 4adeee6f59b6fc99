"use strict";
// JSON API. Built-in modules only. The same image also runs worker.js.
const http = require("node:http");

const PORT = Number(process.env.PORT) || 8080;
const SERVICE_NAME = process.env.SERVICE_NAME || "api";

// One JSON object per line on stdout, so CloudWatch Logs can parse it.
function log(level, msg, extra = {}) {
    console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, service: SERVICE_NAME, ...extra }));
}

function sendJson(res, status, body) {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
}

// Report only whether a secret is present. Never log or return the value itself.
const presence = (name) => (process.env[name] ? "set" : "missing");

const routes = {
    "/healthz": () => ({ status: "ok" }),
    "/api/hello": () => ({ message: "hello" }),
    "/hello": () => ({ message: "hello" }),
    "/api/config": () => ({
        databasePassword: presence("DATABASE_PASSWORD"),
        sessionKey: presence("SESSION_KEY"),
    }),
};

const server = http.createServer((req, res) => {
    const path = new URL(req.url, "http://localhost").pathname;
    const handler = req.method === "GET" && Object.hasOwn(routes, path) ? routes[path] : null;
    if (handler) sendJson(res, 200, handler());
    else sendJson(res, 404, { error: "not found" });
});

// Keep idle connections open longer than the ALB's 60 s idle timeout, so the ALB
// always closes first and never reuses a connection the app has already closed
// (which would show up as sporadic 502s). headersTimeout must exceed keepAliveTimeout.
server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;

server.listen(PORT, () => log("info", "listening", { port: server.address().port }));

// Graceful shutdown: ECS sends SIGTERM when stopping a task (SIGINT for Ctrl-C locally).
// Stop accepting connections, let in-flight requests finish, then exit 0.
let shuttingDown = false;
function shutdown(signal) {
    if (shuttingDown) return;
    shuttingDown = true;
    log("info", "shutting down", { signal });
    server.close((err) => {
        if (err) log("error", "close failed", { error: err.message });
        log("info", "stopped");
        process.exit(err ? 1 : 0);
    });
    // Idle keep-alive sockets would otherwise hold server.close() open for up to 65 s.
    server.closeIdleConnections();
    // Bounded wait (well inside ECS's default 30 s stopTimeout); unref() so this
    // timer alone never keeps the process alive.
    setTimeout(() => {
        log("warn", "forced exit after timeout");
        process.exit(0);
    }, 10000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
