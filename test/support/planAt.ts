/**
 * The plan helpers under the name tests have imported them by: `planAt`, `planOrFail`,
 * `planProgram`, `runPlanCli` and `onFixtures` live in test/support/planCli.ts and plan in the
 * tests' plan service. Run as a script, it still plans a stack whose files live in another
 * directory in a process of its own, as it did:
 * `node --import tsx test/support/planAt.ts <root> <stack> <out.json> [<catalog module>]`.
 */
export { onFixtures, planAt, planOrFail, planProgram, runPlanCli } from "./planCli";
export type { PlanCliOptions, PlanCliRun, PlanJson } from "./planCli";

if (require.main === module) {
    const [root, stack, out, catalog] = process.argv.slice(2);
    const fs = require("node:fs") as typeof import("node:fs");
    const { runProgram } = require("../../plan/runProgram") as typeof import("../../plan/runProgram");
    runProgram(stack, { root, catalog }).then(
        (result) => {
            fs.writeFileSync(out, JSON.stringify(result));
            process.exit(0);
        },
        (error) => {
            console.error(error);
            process.exit(2);
        },
    );
}
