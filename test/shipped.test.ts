/**
 * The user's catalog (services/) and stack files (Pulumi.<stack>.yaml) are data, not fixtures:
 * they get only the properties that hold for any valid fleet (test/support/shippedProperties.ts),
 * so adding, editing or removing a service keeps this file green (shippedEdits.test.ts checks the
 * same properties on edited copies). Every stack file in the repository is planned as
 * `npm run plan -- --stack <name> --policy` does, and again with the README's "Adding a service"
 * example pasted into a copy of services/index.ts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { rootUserPattern } from "../facts/fleet";
import { services as shipped } from "../services";
import { exampleName, exampleSource, services as withExample } from "./fixtures/catalogReadmeExample";
import { PlanCliRun } from "./support/planCli";
import { projectRoot } from "./support/project";
import { ofType, planOf, planStack, PlannedStack, projectProperties, stackFileConfig } from "./support/shippedProperties";
import { addEntry, catalogAt, catalogFile, projectCopy, projectName, scratchDirectory, stacksAt } from "./support/userEdits";

const scratch = scratchDirectory("shipped");
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const stacks = stacksAt(projectRoot);

/** A service retired in a stack comes back only without its retirement: `-c retired.<name>=null`, as a user re-adding it edits the file. */
function unretire(stack: string, name: string): string[] {
    const config = stackFileConfig(projectRoot, stack);
    const retired = config[`${projectName(projectRoot)}:retired`] ?? config.retired;
    if (typeof retired !== "object" || retired === null || !(name in retired)) return [];
    return [`retired.${name}=null`];
}

/** When the catalog already holds the README's example as written, the shipped plan is that plan. */
const exampleAlreadyShipped = JSON.stringify(shipped[exampleName]) === JSON.stringify(withExample[exampleName]);

const runs: Record<string, { shipped: PlanCliRun; example: PlanCliRun }> = {};
before(async () => {
    // The README's example pasted into a copy's catalog, planned with the project's stack files and build contexts.
    const copy = exampleAlreadyShipped ? undefined : projectCopy(scratch, "example");
    if (copy) {
        addEntry(copy, exampleSource);
        assert.deepEqual(catalogAt(copy), withExample, "the pasted catalog is the shipped one with the README's example");
    }
    for (const stack of stacks) {
        const shippedRun = await planStack(scratch, "shipped", projectRoot, stack);
        const example = copy
            ? await planStack(scratch, "example", projectRoot, stack, path.join(copy, catalogFile), unretire(stack, exampleName))
            : shippedRun;
        runs[stack] = { shipped: shippedRun, example };
    }
});

const planned = (stack: string): PlannedStack => ({ stack, root: projectRoot, catalog: shipped, run: runs[stack].shipped });

describe("the shipped catalog and stack files", () => {
    projectProperties(stacks, planned, (stack) => {
        it("plans the README's example service when added, changing no other service", () => {
            const example = planOf(
                { stack, run: runs[stack].example },
                `the shipped catalog plus the README's "${exampleName}" with Pulumi.${stack}.yaml`,
            );
            const policy = example.policy!;
            if (policy.enforcement === "mandatory") {
                const blocking = policy.violations.filter((v) => v.waived === undefined).map((v) => v.message);
                assert.deepEqual(blocking, [], `${stack}: the README's example must be policy-clean where enforcement is mandatory`);
            }
            const taskDefinition = ofType(example, "aws:ecs/taskDefinition:TaskDefinition").find(
                (t) => t.name === `${exampleName}-taskdef`,
            );
            assert.ok(taskDefinition, `${stack}: the README's example has a task definition`);
            const container = JSON.parse(String(taskDefinition.inputs.containerDefinitions))[0];
            // Every capability is dropped and the user is not root: the port must be one an unprivileged
            // process may bind (from 1024, or from where the task lowers the start to).
            const port = container.portMappings[0].containerPort;
            const unprivilegedFrom = Number(
                (container.systemControls as { namespace: string; value: string }[] | undefined)?.find(
                    (c) => c.namespace === "net.ipv4.ip_unprivileged_port_start",
                )?.value ?? 1024,
            );
            assert.ok(port >= unprivilegedFrom, `${stack}: the README's example cannot bind port ${port} unprivileged`);
            assert.ok(
                container.user !== undefined && !rootUserPattern.test(container.user),
                `${stack}: the README's example runs as an unprivileged user, not ${container.user}`,
            );
            const targetGroup = ofType(example, "aws:lb/targetGroup:TargetGroup").find((t) => t.name === `${exampleName}-tg`);
            assert.ok(targetGroup, `${stack}: the README's example has a target group`);
            const health = targetGroup.inputs.healthCheck as { path: string; matcher: string };
            // The matcher is not widened to hide a 404: the example's own, or fleet's default.
            const entry = withExample[exampleName];
            if (entry.health?.path !== undefined)
                assert.equal(health.path, entry.health.path, `${stack}: the README's example health-check path`);
            assert.equal(health.matcher, entry.health?.matcher ?? "200-399", `${stack}: the README's example health-check matcher`);
            if (exampleAlreadyShipped) return;
            // No other service changes. (Platform resources may: an upstream image on EC2 capacity
            // adds its cache repository to the instance role's first-pull grant.)
            const shippedPlan = planOf({ stack, run: runs[stack].shipped }, `the shipped catalog with Pulumi.${stack}.yaml`);
            const before = new Map(shippedPlan.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
            const changed = example.resources.filter(
                (r) => before.get(r.urn) !== JSON.stringify(r.inputs) && r.urn.split("::")[2].startsWith("fleet:ecs:Service"),
            );
            const otherServices = changed.filter((r) => r.name !== exampleName && !r.name.startsWith(`${exampleName}-`));
            assert.deepEqual(
                otherServices.map((r) => `${r.type} ${r.name}`),
                [],
                `${stack}: adding the README's example must change no other service's resources`,
            );
        });
    });
});
