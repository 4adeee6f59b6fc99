/**
 * Where the tests' own fleet is: test/fixtures/stacks holds its Pulumi.yaml (a copy of the
 * project's), its dev-like and prod-like stack files and its build contexts; test/fixtures holds
 * its catalogs. Tests of fleet's behaviour plan these, never services/ or the repository's
 * Pulumi.<stack>.yaml, which are the user's data (DESIGN.md, "Tests, in layers").
 */
import * as path from "path";

export const projectRoot = path.resolve(__dirname, "..", "..");

/** The fixture project's root: `runProgram`'s `root`, `plan/cli.ts --root`. */
export const fixtureRoot = path.join(projectRoot, "test", "fixtures", "stacks");

/** A fixture catalog module by file name (`catalog.ts` is the fixture fleet): `runProgram`'s `catalog`, `plan/cli.ts --catalog`. */
export function fixtureCatalog(file = "catalog.ts"): string {
    return path.join(projectRoot, "test", "fixtures", file);
}
