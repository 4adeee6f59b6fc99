/**
 * What a stack-file change rolls, through the real program and the offline plan: a re-set
 * `fromConfig` secret gives exactly its readers a new task definition (ECS reads secrets only
 * when a task starts), and nothing else changes. Fixture catalog and stack files of its own.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PlanDocument } from "../plan/runProgram";
import { fixtureCatalog, fixtureRoot } from "./support/fixtures";
import { planAt } from "./support/planCli";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-rollouts-"));

/** A stack file with the two secrets set to these (fake) ciphertexts. */
function stackFile(shared: string, smtp: string): string {
    return [
        "config:",
        "  aws:region: us-east-1",
        "  fleet:network: { availabilityZones: 2, natGateways: single }",
        "  fleet:cluster: { defaultCapacity: fargate }",
        "  fleet:sharedPassword:",
        `    secure: v1:${shared}`,
        "  fleet:smtpPassword:",
        `    secure: v1:${smtp}`,
        "",
    ].join("\n");
}

/** Plans the fixture catalog with a stack file in a directory of its own. */
function plan(label: string, stack: string): Promise<PlanDocument> {
    const root = path.join(scratch, label);
    fs.mkdirSync(root);
    fs.copyFileSync(path.join(fixtureRoot, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.writeFileSync(path.join(root, "Pulumi.rollout.yaml"), stack);
    return planAt(`fixture plan ${label}`, root, "rollout", path.join(root, "plan.json"), fixtureCatalog("catalogSecrets.ts"));
}

/** Resources whose inputs differ between two plans of the same stack, by name. */
function changedNames(before: PlanDocument, after: PlanDocument): string[] {
    const byUrn = new Map(before.resources.map((r) => [r.urn, r]));
    return after.resources
        .filter((r) => JSON.stringify(byUrn.get(r.urn)?.inputs) !== JSON.stringify(r.inputs))
        .map((r) => r.name)
        .sort();
}

const labels = (p: PlanDocument, taskDefinition: string) =>
    JSON.parse(String(p.resources.find((r) => r.name === taskDefinition)!.inputs.containerDefinitions))[0].dockerLabels as
        Record<string, string> | undefined;

const plans: Record<string, PlanDocument> = {};
before(async () => {
    const [base, again, rotated] = await Promise.all([
        plan("base", stackFile("c2hhcmVkLW9uZQ==", "c210cC1vbmU=")),
        plan("again", stackFile("c2hhcmVkLW9uZQ==", "c210cC1vbmU=")),
        plan("rotated", stackFile("c2hhcmVkLXR3bw==", "c210cC1vbmU=")),
    ]);
    Object.assign(plans, { base, again, rotated });
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("a re-set secret reaches running tasks", () => {
    it("puts the version of every parameter a task reads into its task definition, as labels", () => {
        const invoices = labels(plans.base, "invoices-taskdef")!;
        assert.deepEqual(Object.keys(invoices).sort(), ["fleet.secret-version.DATABASE_PASSWORD", "fleet.secret-version.TOKEN"]);
        for (const version of Object.values(invoices)) assert.match(version, /^\d+$/);
        assert.equal(labels(plans.base, "cron-taskdef"), undefined, "a service without secrets has no labels");
    });

    it("changes nothing when the stack file is unchanged", () => {
        assert.deepEqual(changedNames(plans.base, plans.again), []);
    });

    it("changes the parameter and the task definitions of exactly the services that read it", () => {
        // The parameters' own inputs are masked ("[secret]" before and after): their new version
        // is what shows, in the task definitions of their readers.
        assert.deepEqual(changedNames(plans.base, plans.rotated), ["billing-taskdef", "invoices-taskdef"]);
        const before = labels(plans.base, "billing-taskdef")!["fleet.secret-version.DATABASE_PASSWORD"];
        const after = labels(plans.rotated, "billing-taskdef")!["fleet.secret-version.DATABASE_PASSWORD"];
        assert.notEqual(after, before);
        // The token generated for invoices keeps its version.
        assert.equal(
            labels(plans.rotated, "invoices-taskdef")!["fleet.secret-version.TOKEN"],
            labels(plans.base, "invoices-taskdef")!["fleet.secret-version.TOKEN"],
        );
    });

    it("never shows a secret's value or its placeholder fingerprint in the plan", () => {
        const text = JSON.stringify(plans.rotated);
        assert.doesNotMatch(text, /c2hhcmVk|\[secret [0-9a-f]{12}\]/);
        const parameter = plans.rotated.resources.find((r) => r.name === "billing-DATABASE_PASSWORD")!;
        assert.equal(parameter.inputs.value, "[secret]");
    });
});
