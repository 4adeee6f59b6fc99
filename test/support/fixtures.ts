/**
 * Where the tests' own fleet is: test/fixtures/stacks holds its Pulumi.yaml (a copy of the
 * project's), its dev-like and prod-like stack files and its build contexts; test/fixtures holds
 * its catalogs. Tests of fleet's behaviour plan these, never services/ or the repository's
 * Pulumi.<stack>.yaml, which are the user's data (DESIGN.md, "Tests, in layers").
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const projectRoot = path.resolve(__dirname, "..", "..");

/** The fixture project's root: `runProgram`'s `root`, `plan/cli.ts --root`. */
export const fixtureRoot = path.join(projectRoot, "test", "fixtures", "stacks");

/** A fixture catalog module by file name (`catalog.ts` is the fixture fleet): `runProgram`'s `catalog`, `plan/cli.ts --catalog`. */
export function fixtureCatalog(file = "catalog.ts"): string {
    return path.join(projectRoot, "test", "fixtures", file);
}

/**
 * A project root holding the prod-like fixture stack as `Pulumi.<stack>.yaml`, without its tuning of
 * the fixture fleet's services (its settings alone, for another fixture catalog), plus `extra`
 * lines appended under `config:`.
 */
export function prodSettingsRoot(stack: string, extra = ""): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `fleet-${stack}-`));
    fs.copyFileSync(path.join(fixtureRoot, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    const prod = fs.readFileSync(path.join(fixtureRoot, "Pulumi.prod.yaml"), "utf8");
    fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), `${prod.slice(0, prod.indexOf("  # pulumi config set --secret"))}${extra}`);
    return root;
}
