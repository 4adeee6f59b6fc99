/**
 * Layer 4: the real cloud. `pulumi up` of an ephemeral stack with dev's settings, a request
 * through the load balancer, then `pulumi destroy`. Runs only where the Pulumi CLI, a backend
 * login and AWS credentials exist, and FLEET_CLOUD_TEST=1 asks for it (it creates billable
 * resources for about 15 minutes); skipped with the reason otherwise.
 *
 *   FLEET_CLOUD_TEST=1 AWS_PROFILE=<sandbox> node --import tsx --test test/cloud.test.ts
 */
import type * as Automation from "@pulumi/pulumi/automation";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { readStackConfig } from "../plan/stackFile";

const root = path.resolve(__dirname, "..");

function skipReason(): string | false {
    if (process.env.FLEET_CLOUD_TEST !== "1")
        return "set FLEET_CLOUD_TEST=1 to deploy an ephemeral stack to AWS (creates billable resources)";
    if (spawnSync("pulumi", ["version"], { stdio: "ignore" }).status !== 0) return "the Pulumi CLI is not installed";
    if (spawnSync("pulumi", ["whoami"], { stdio: "ignore" }).status !== 0) return "not logged in to a Pulumi backend (pulumi login)";
    if (spawnSync("aws", ["sts", "get-caller-identity"], { stdio: "ignore" }).status !== 0 && !process.env.AWS_ACCESS_KEY_ID)
        return "no AWS credentials";
    return false;
}

/** GET until a target (not the ALB itself) answers, or the deadline passes; returns "<status> <body>". */
async function serverAnswering(url: string, deadline: number): Promise<string> {
    let answer = "";
    while (Date.now() < deadline) {
        try {
            const response = await fetch(url);
            const server = response.headers.get("server") ?? "";
            // 502/503 while targets register; the ALB's own answers (its 404) carry "awselb".
            answer = `${response.status} ${await response.text()}`;
            if (response.status < 500 && !/awselb/i.test(server)) return answer;
        } catch {
            // DNS of a new ALB takes a moment to resolve.
        }
        await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    return answer;
}

describe("against the real cloud", { skip: skipReason() }, () => {
    it("deploys dev's settings to an ephemeral stack, serves a request, and destroys it", { timeout: 60 * 60 * 1000 }, async () => {
        // Loaded here: the Automation API takes seconds to load, and a skipped test needs none of it.
        const automation: typeof Automation = await import("@pulumi/pulumi/automation");
        const stackName = `ci-${randomBytes(4).toString("hex")}`;
        const dev = readStackConfig(root, "dev");
        const stack = await automation.LocalWorkspace.createStack({ stackName, workDir: root });
        try {
            const config: Automation.ConfigMap = {};
            for (const [key, value] of Object.entries(dev.config)) {
                if (!dev.secretKeys.includes(key)) config[key] = { value };
            }
            // Secrets of the committed stack file are encrypted for another backend: fresh ones.
            for (const key of dev.secretKeys) config[key] = { value: randomBytes(24).toString("base64url"), secret: true };
            await stack.setAllConfig(config);

            const up = await stack.up({ onOutput: (line) => process.stdout.write(line) });
            const dns = String(up.outputs.albDnsName.value);
            assert.match(dns, /\.elb\.amazonaws\.com$/);
            // api is also routed by path (/api/*), so it answers on the ALB's own name, without DNS
            // records; a 404 page would not match.
            assert.match(await serverAnswering(`http://${dns}/api/hello`, Date.now() + 10 * 60 * 1000), /^200 \{"message":"hello"\}$/);
        } finally {
            await stack.destroy({ onOutput: (line) => process.stdout.write(line) });
            await stack.workspace.removeStack(stackName);
            fs.rmSync(path.join(root, `Pulumi.${stackName}.yaml`), { force: true });
        }
    });
});
