"use strict";
// Tiny web front end: one HTML page and a health check. Built-in modules only.
const http = require("node:http");

const PORT = Number(process.env.PORT) || 8080;
const SERVICE_NAME = process.env.SERVICE_NAME || "web";

// One JSON object per line on stdout, so CloudWatch Logs can parse it.
function log(level, msg, extra = {}) {
    console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, service: SERVICE_NAME, ...extra }));
}

// Escape the service name before putting it into HTML (it comes from the environment).
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(SERVICE_NAME)}</title></head>
<body><h1>Hello from ${escapeHtml(SERVICE_NAME)}</h1><p>Running on AWS ECS.</p></body>
</html>
`;

const server = http.createServer((req, res) => {
    const path = new URL(req.url, "http://localhost").pathname;
    if (req.method === "GET" && path === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "ok" }));
    } else if (req.method === "GET" && path === "/") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(page);
    } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "not found" }));
    }
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
