/**
 * A user who edits fleet's data keeps a green suite. Each edit is made to a copy of the project as
 * a user makes it, and the copy is checked for the properties the shipped files are checked for
 * (test/support/shippedProperties.ts), each stack planned once: a service removed (its catalog
 * entry cut from services/index.ts, its tuning and waivers out of the stack files, retired where
 * the stack protects its resources); a scheduled job pasted into services/index.ts; a service
 * turned off in a stack file; a third stack file written by `pulumi config set`. (Adding the
 * README's example is shipped.test.ts's.)
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as YAML from "yaml";
import { Catalog } from "../model/catalog";
import { serviceLogicalNames } from "../model/naming";
import { services as shipped } from "../services";
import { exampleName } from "./fixtures/catalogReadmeExample";
import { PlanCliRun } from "./support/planCli";
import { projectRoot } from "./support/project";
import { entriesOf, planOf, planStack, PlannedStack, projectProperties, stackSchemaDeclaration } from "./support/shippedProperties";
import {
    addEntry,
    catalogAt,
    catalogFile,
    projectCopy,
    projectName,
    removeService,
    scratchDirectory,
    stackFileAsTheCliWrites,
    stacksAt,
    turnOff,
} from "./support/userEdits";

const scratch = scratchDirectory("shipped-edits");
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const stacks = stacksAt(projectRoot);
const names = Object.keys(shipped);

/** The last catalog entry other than the README's example is removed; a catalog of one service has none to spare. */
const removedName = names.length > 1 ? names.filter((name) => name !== exampleName).pop() : undefined;

/** A job as a user writes one: an image that does one run and exits, on a schedule. */
const jobName = ["nightly-export", "nightly-export-2", "nightly-export-3"].find((name) => !(name in shipped))!;
const jobSource = `"${jobName}": {
    image: "public.ecr.aws/docker/library/busybox:1.36",
    command: ["sh", "-c", "echo exported"],
    user: "65534",
    memory: { reservation: 32, limit: 64 },
    schedule: "cron(30 2 * * ? *)",
    timezone: "Europe/Berlin",
},
`;

/** The stack a service is turned off in, and the service: the last one no other entry calls (one that is called cannot go alone). */
const offStack = stacks[0];
const called = new Set(Object.values(shipped).flatMap((spec) => spec.connects ?? []));
const offName = names.filter((name) => !called.has(name)).pop();

/** The new stack, written by the CLI with the settings of the first stack file. */
const newStack = ["staging", "staging-2", "staging-3"].find((name) => !stacks.includes(name))!;

interface Edited {
    readonly root: string;
    readonly catalog: Catalog;
    readonly stacks: readonly string[];
    readonly runs: Record<string, PlanCliRun>;
}

const edits: Record<"removed" | "job" | "off" | "newStack", Edited | undefined> = {
    removed: undefined,
    job: undefined,
    off: undefined,
    newStack: undefined,
};
let cliStackFile = "";

/** Plans `planned` of the copy at `root` with its own catalog (with the project's root for a catalog-only edit). */
async function planCopy(label: string, copy: string, planned: readonly string[], root = copy): Promise<Edited> {
    const runs: Record<string, PlanCliRun> = {};
    for (const stack of planned) runs[stack] = await planStack(scratch, label, root, stack, path.join(copy, catalogFile));
    return { root, catalog: catalogAt(copy), stacks: planned, runs };
}

before(async () => {
    if (removedName !== undefined) {
        const copy = projectCopy(scratch, "removed");
        removeService(copy, removedName);
        edits.removed = await planCopy("removed", copy, stacks);
    }
    {
        // The stack files are the project's: the copy differs in its catalog only.
        const copy = projectCopy(scratch, "job");
        addEntry(copy, jobSource);
        edits.job = await planCopy("job", copy, stacks, projectRoot);
    }
    if (offName !== undefined && offStack !== undefined) {
        const copy = projectCopy(scratch, "off");
        turnOff(copy, offStack, offName);
        edits.off = await planCopy("off", copy, [offStack]);
    }
    if (offStack !== undefined) {
        const copy = projectCopy(scratch, "new-stack");
        cliStackFile = stackFileAsTheCliWrites(copy, offStack, newStack);
        edits.newStack = await planCopy("new-stack", copy, [newStack]);
    }
});

/** The properties of each stack of an edit. */
function editedProperties(edit: () => Edited | undefined, stacksOf: readonly string[]): void {
    const planned = (stack: string): PlannedStack => ({ stack, root: edit()!.root, catalog: edit()!.catalog, run: edit()!.runs[stack] });
    projectProperties(stacksOf, planned);
}

describe("the shipped files, edited as a user edits them", () => {
    describe(
        `a service (${removedName}) removed from the catalog and the stack files`,
        { skip: removedName === undefined && "the catalog has one service" },
        () => {
            it("is out of the catalog and out of every stack's plan", () => {
                const edit = edits.removed!;
                assert.ok(!(removedName! in edit.catalog), `the edited catalog has no ${removedName}`);
                assert.deepEqual(Object.keys(edit.catalog).sort(), names.filter((name) => name !== removedName).sort());
                for (const stack of edit.stacks) {
                    const p = planOf({ stack, run: edit.runs[stack] }, "the catalog without it");
                    assert.ok(
                        !p.resources.some((r) => r.type === "aws:ecs/service:Service" && r.name === removedName),
                        `${stack}: no ECS service`,
                    );
                }
            });
            editedProperties(() => edits.removed, stacks);
        },
    );

    describe("a scheduled job added to the catalog", () => {
        it("runs on its schedule in every stack, as no ECS service", () => {
            const edit = edits.job!;
            assert.equal(edit.catalog[jobName].schedule, "cron(30 2 * * ? *)");
            for (const stack of edit.stacks) {
                const p = planOf({ stack, run: edit.runs[stack] }, "the catalog with a job");
                // The catalog's own jobs are the user's: this one runs among them, on a schedule of its own.
                assert.ok(entriesOf(edit.catalog, p).jobs.includes(jobName), `${stack}: the job runs`);
                assert.equal(
                    p.resources.filter(
                        (r) => r.type === "aws:scheduler/schedule:Schedule" && r.name === serviceLogicalNames(jobName).jobSchedule,
                    ).length,
                    1,
                    `${stack}: the job's schedule`,
                );
                assert.ok(
                    !p.resources.some((r) => r.type === "aws:ecs/service:Service" && r.name === jobName),
                    `${stack}: a job is no ECS service`,
                );
            }
        });
        editedProperties(() => edits.job, stacks);
    });

    describe(
        `a service (${offName}) turned off in Pulumi.${offStack}.yaml`,
        { skip: offName === undefined && "every service is called by another" },
        () => {
            it("has nothing of it in that stack", () => {
                const edit = edits.off!;
                const file = YAML.parse(fs.readFileSync(path.join(edit.root, `Pulumi.${offStack}.yaml`), "utf8"));
                assert.equal(file.config[`${projectName(edit.root)}:services`][offName!].enabled, false);
                const p = planOf({ stack: offStack, run: edit.runs[offStack] }, "the stack with a service turned off");
                assert.ok(!entriesOf(edit.catalog, p).services.includes(offName!));
                assert.deepEqual(
                    p.resources.filter((r) => r.name === offName || r.name.startsWith(`${offName}-`)).map((r) => `${r.type} ${r.name}`),
                    [],
                );
            });
            editedProperties(() => edits.off, [offStack]);
        },
    );

    describe(`a third stack (${newStack}) whose file \`pulumi config set\` wrote`, () => {
        it("has no comment and its keys in the order the CLI writes them", () => {
            assert.ok(!cliStackFile.includes("#"), "no comment, so no schema declaration");
            assert.ok(!cliStackFile.split("\n")[0].includes(stackSchemaDeclaration));
            const config = YAML.parse(cliStackFile).config as Record<string, unknown>;
            assert.deepEqual(Object.keys(config), Object.keys(config).sort());
            assert.ok(Object.keys(config).length > 0);
        });
        editedProperties(() => edits.newStack, [newStack]);
    });
});
