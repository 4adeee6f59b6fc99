/**
 * Plans a stack whose files live in another directory, for tests of stack-file changes:
 * `node --import tsx test/support/planAt.ts <root> <stack> <out.json> <catalog module>`. The root
 * holds Pulumi.yaml and Pulumi.<stack>.yaml.
 */
import * as fs from "fs";
import { runProgram } from "../../plan/runProgram";

const [root, stack, out, catalog] = process.argv.slice(2);
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
