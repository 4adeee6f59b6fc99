"use strict";
// Background worker. Same image as the API; the catalog overrides the container
// command with ["node", "worker.js"].
const { setTimeout: sleep } = require("node:timers/promises");

const SERVICE_NAME = process.env.SERVICE_NAME || "worker";
const INTERVAL_SECONDS = Number(process.env.INTERVAL_SECONDS) || 10;

// One JSON object per line on stdout, so CloudWatch Logs can parse it.
function log(level, msg, extra = {}) {
    console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, service: SERVICE_NAME, ...extra }));
}

// The signal handler only aborts the sleep between ticks, so a tick that is
// running always completes before the loop exits.
const stop = new AbortController();
function shutdown(signal) {
    if (stop.signal.aborted) return;
    log("info", "shutting down", { signal });
    stop.abort();
    // Bounded wait in case a tick hangs; unref() so this timer never keeps the process alive.
    setTimeout(() => {
        log("warn", "forced exit after timeout");
        process.exit(0);
    }, 10000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

async function tick(n) {
    // Real work (poll a queue, etc.) goes here.
    log("info", "tick", { n });
}

async function main() {
    log("info", "worker started", { intervalSeconds: INTERVAL_SECONDS });
    for (let n = 1; !stop.signal.aborted; n++) {
        await tick(n);
        try {
            await sleep(INTERVAL_SECONDS * 1000, undefined, { signal: stop.signal });
        } catch {
            // AbortError: shutdown requested while sleeping.
        }
    }
    log("info", "stopped");
}

main().then(
    () => process.exit(0),
    (err) => {
        log("error", "worker crashed", { error: err.message });
        process.exit(1);
    },
);
