/**
 * The tests run plan/cli.ts's command in their own process (test/support/planCli.ts); a user runs
 * `npm run plan`, a process of its own. Once, both run the same plan, one whose verdict fails (a
 * mandatory stack over its budget: the whole report, then the violation, exit 1): what the
 * process prints, writes and exits with is what the command run in-process gives.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { projectRoot } from "./support/fixtures";
import { onFixtures, PlanCliRun, runPlanCli } from "./support/planCli";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-plan-process-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const args = ["--stack", "prod", ...onFixtures(), "-c", 'budget={"monthly":300}'];
const files = (label: string) => ({ json: path.join(scratch, `${label}.json`), markdown: path.join(scratch, `${label}.md`) });

/** `node --import tsx plan/cli.ts <args>` in the project, as `npm run plan` runs it. */
function planProcess(out: { json: string; markdown: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "plan/cli.ts", ...args, "--json", out.json, "--markdown", out.markdown], {
            cwd: projectRoot,
        });
        child.stdout.setEncoding("utf8");
        child.stderr.setEncoding("utf8");
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

/** The report without the line that times it. */
const untimed = (text: string) => text.replace(/^planned in \d+\.\d\d s$/m, "planned in (time) s");

let own: { code: number | null; stdout: string; stderr: string };
let inProcess: PlanCliRun;
before(async () => {
    // The process first: the in-process plan must not wait for the whole child.
    const running = planProcess(files("process"));
    inProcess = await runPlanCli(args, files("in-process"));
    own = await running;
});

describe("plan/cli.ts in a process of its own", () => {
    it("exits with the command's code", () => {
        assert.equal(inProcess.code, 1, inProcess.output);
        assert.equal(own.code, inProcess.code, own.stderr);
    });

    it("prints what the command prints, on the same streams", () => {
        assert.equal(
            untimed(own.stdout),
            untimed(
                inProcess.stdout
                    .replaceAll(files("in-process").json, files("process").json)
                    .replaceAll(files("in-process").markdown, files("process").markdown),
            ),
        );
        assert.equal(own.stderr, inProcess.stderr);
        assert.match(own.stderr, /^budget: the monthly estimate \$\d+\.\d\d is above fleet:budget\.monthly/);
    });

    it("writes the plan JSON and the Markdown the command writes", () => {
        const read = (file: string) => fs.readFileSync(file, "utf8");
        assert.deepEqual(JSON.parse(read(files("process").json)), JSON.parse(read(files("in-process").json)));
        assert.equal(read(files("process").markdown), read(files("in-process").markdown));
    });
});
