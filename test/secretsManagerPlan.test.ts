/**
 * The whole program over a service that reads Secrets Manager secrets and pulls its image from a
 * private registry (test/fixtures/catalogSecretsManager.ts), on the prod-like fixture stack with
 * mandatory policy: the mocks accept what it registers, it plans policy-clean, and the review
 * words a changed secret source and changed registry credentials.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { PlanDocument } from "../plan/runProgram";
import { renderText, review } from "../review/render";
import { prodSettingsRoot } from "./support/fixtures";
import { planAt } from "./support/planCli";

const fixtures = path.resolve(__dirname, "fixtures");

let plan: PlanDocument;
before(async () => {
    const root = prodSettingsRoot("prod");
    plan = await planAt("Secrets Manager and a private registry", root, "prod", undefined, path.join(fixtures, "catalogSecretsManager.ts"));
});

/** The plan with the payments container changed. */
function withContainer(change: (container: Record<string, any>) => void): PlanDocument {
    return {
        ...plan,
        resources: plan.resources.map((r) => {
            if (r.name !== "payments-taskdef") return r;
            const containers = JSON.parse(String(r.inputs.containerDefinitions));
            change(containers[0]);
            return { ...r, inputs: { ...r.inputs, containerDefinitions: JSON.stringify(containers) } };
        }),
    };
}

describe("a plan with Secrets Manager secrets and a private registry", () => {
    it("plans policy-clean on a mandatory stack, the image as written with its credentials", () => {
        const report = review(plan);
        assert.deepEqual(report.policy?.violations, []);
        const task = plan.resources.find((r) => r.name === "payments-taskdef")!;
        const container = JSON.parse(String(task.inputs.containerDefinitions))[0];
        assert.equal(container.image, "ghcr.io/acme/payments-api:2.3.1");
        assert.deepEqual(container.repositoryCredentials, {
            credentialsParameter: "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry/acme-ghcr-Q1w2E3",
        });
    });

    it("words a changed secret source and changed registry credentials in the review", () => {
        const changed = withContainer((c) => {
            c.secrets.find((s: { name: string }) => s.name === "DATABASE_USER").valueFrom = c.secrets
                .find((s: { name: string }) => s.name === "DATABASE_USER")
                .valueFrom.replace(":username::", ":user::");
            c.repositoryCredentials.credentialsParameter = c.repositoryCredentials.credentialsParameter.replace("Q1w2E3", "R4t5Y6");
        });
        const text = renderText(review(changed, plan));
        assert.match(text, /secret DATABASE_USER source/);
        assert.match(text, /registry credentials/);
    });
});
