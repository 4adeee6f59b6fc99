/**
 * ops' command line where no AWS answers: wrong arguments, no credentials, an endpoint nobody
 * listens on, a stack file that is not there. Each is one line and exit 2, never a stack trace.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { runOps } from "./support/ops";

const root = path.join(__dirname, "fixtures", "stacks");

const ops = (...args: string[]) => runOps(args);

describe("ops: arguments", () => {
    it("a command and --stack are required; unknown options are refused with the usage", async () => {
        const none = await ops();
        assert.equal(none.code, 2);
        assert.match(none.err, /^ops: a command is required\nusage: npm run ops -- status --stack <name>\n/);
        const noStack = await ops("status");
        assert.equal(noStack.code, 2);
        assert.match(noStack.err, /^ops: --stack <name> is required \(the stack file Pulumi\.<name>\.yaml names the region\)\n/);
        const unknown = await ops("tune", "--stack", "dev", "--dayz", "3");
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /^ops: Unknown option '--dayz'/);
    });

    it("as a program (npm run ops): the message on stderr and the exit code", () => {
        const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "ops", "cli.ts"), "status"], {
            encoding: "utf8",
        });
        assert.equal(result.status, 2);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /^ops: --stack <name> is required/);
    });

    it("bad values name the option and the accepted form", async () => {
        const since = await ops("logs", "api", "--stack", "dev", "--root", root, "--since", "ten");
        assert.deepEqual(
            [since.code, since.err],
            [2, "ops logs: --since ten: use a positive number and a unit s, m, h or d (e.g. 10m, 2h, 1d)"],
        );
        const days = await ops("tune", "--stack", "dev", "--root", root, "--days", "0");
        assert.deepEqual(
            [days.code, days.err],
            [2, "ops tune: --days 0: use a whole number of days from 1 to 455 (CloudWatch keeps hourly data 455 days)"],
        );
        const stack = await ops("status", "--stack", "qa", "--root", root);
        assert.equal(stack.code, 2);
        assert.equal(
            stack.err,
            `ops status: no stack file Pulumi.qa.yaml (stacks here: dev, prod) ` +
                `in ${root}: pass --stack <name> of a stack file there (or --root <dir>)`,
        );
    });
});

describe("ops: no AWS to talk to", () => {
    const saved = { ...process.env };
    let home = "";
    before(() => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ops-home-"));
        for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
        // No profile files, no instance metadata: the credential chain has nothing to find.
        process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, "credentials");
        process.env.AWS_CONFIG_FILE = path.join(home, "config");
        process.env.AWS_EC2_METADATA_DISABLED = "true";
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    });
    after(() => {
        process.env = saved;
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("no credentials: says where credentials come from and where the policy is", async () => {
        const result = await ops("status", "--stack", "dev", "--root", root);
        assert.equal(result.code, 2);
        assert.equal(
            result.err,
            "ops status: no AWS credentials found for ecs:ListClusters: set " +
                "AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), " +
                "or run where a role is available; the read-only policy ops needs is in docs/ops.md, section The read-only policy",
        );
        assert.equal(result.out, "");
    });

    it("an endpoint nobody answers on: names it", async () => {
        const port = await new Promise<number>((resolve) => {
            const server = net.createServer().listen(0, "127.0.0.1", () => {
                const p = (server.address() as net.AddressInfo).port;
                server.close(() => resolve(p));
            });
        });
        process.env.AWS_ACCESS_KEY_ID = "testing";
        process.env.AWS_SECRET_ACCESS_KEY = "testing";
        process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
        process.env.AWS_MAX_ATTEMPTS = "1";
        const result = await ops("logs", "api", "--stack", "dev", "--root", root);
        assert.equal(result.code, 2);
        assert.equal(
            result.err,
            `ops logs: cannot reach AWS at http://127.0.0.1:${port} for ` +
                `logs:FilterLogEvents (ECONNREFUSED): check the network, the region, ` +
                `or AWS_ENDPOINT_URL`,
        );
    });
});
