/**
 * Plans a stack whose files live in another directory, for tests of stack-file changes:
 * `node --import tsx test/support/planAt.ts <root> <stack> <out.json>`. The root holds
 * Pulumi.yaml, Pulumi.<stack>.yaml and an index.ts that loads the program.
 */
import * as fs from "fs";
import { runProgram } from "../../plan/runProgram";

const [root, stack, out] = process.argv.slice(2);
runProgram(stack, { root }).then(
    (result) => {
        fs.writeFileSync(out, JSON.stringify(result));
        process.exit(0);
    },
    (error) => {
        console.error(error);
        process.exit(2);
    },
);
