/**
 * The plan's guards against a base plan of the same stack: what the engine would refuse is
 * refused offline, naming the resource and the way out. Small hand-written plans.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { protectedDeletionProblems, protectedReplacementProblems } from "../review/guards";
import { PlanDocument, PlanResource } from "../plan/runProgram";

const service = "urn:pulumi:prod::fleet::fleet:ecs:Service::api";
const child = (type: string, name: string) => `urn:pulumi:prod::fleet::fleet:ecs:Service$${type}::${name}`;

function resource(urn: string, type: string, inputs: Record<string, unknown>, protect = false, parent?: string): PlanResource {
    return { urn, type, name: urn.split("::").pop()!, parent, inputs, protect, ignoreChanges: [] };
}

function plan(resources: PlanResource[], config: Record<string, string> = {}): PlanDocument {
    return { project: "fleet", stack: "prod", resources, outputs: {}, config };
}

const component = resource(service, "fleet:ecs:Service", {});
const logs = (inputs: Record<string, unknown>, protect: boolean) =>
    resource(child("aws:cloudwatch/logGroup:LogGroup", "api-logs"), "aws:cloudwatch/logGroup:LogGroup", inputs, protect, service);
const parameter = (protect: boolean) =>
    resource(
        child("aws:ssm/parameter:Parameter", "api-TOKEN"),
        "aws:ssm/parameter:Parameter",
        { name: "/fleet/prod/api/TOKEN", value: "[secret]" },
        protect,
        service,
    );

describe("protected resources against the base plan", () => {
    it("refuses to delete what the base protects, naming it and the two-step way out", () => {
        const base = plan([component, logs({ name: "/fleet/prod/api" }, true), parameter(true)]);
        const head = plan([component, logs({ name: "/fleet/prod/api" }, true)]);
        assert.deepEqual(protectedDeletionProblems(base, head), [
            'aws:ssm/parameter:Parameter "api-TOKEN" of service "api" is protected ' +
                "in the base plan of prod and this plan deletes it: the engine refuses " +
                "to delete a protected resource. " +
                "To delete it on purpose, unprotect it in one update (e.g. list it " +
                "under fleet:retired.api with release: true in Pulumi.prod.yaml), then " +
                "remove it in the next.",
        ]);
    });

    it("lets go of what the base no longer protects", () => {
        const base = plan([component, parameter(false)]);
        assert.deepEqual(protectedDeletionProblems(base, plan([component])), []);
    });

    it("refuses to replace a protected resource, naming the inputs that force it", () => {
        const base = plan([component, logs({ name: "/fleet/prod/api", retentionInDays: 90 }, true)]);
        const renamed = plan([component, logs({ name: "/fleet/prod/api-v2", retentionInDays: 90 }, true)]);
        assert.deepEqual(protectedReplacementProblems(base, renamed), [
            'aws:cloudwatch/logGroup:LogGroup "api-logs" is protected and this ' +
                "plan replaces it (name cannot change in place): the engine refuses to " +
                "delete a protected resource. " +
                "Revert the change, or unprotect it (fleet:protect: false in " +
                "Pulumi.prod.yaml) for the update that replaces it, knowing what the " +
                "replacement loses.",
        ]);
    });

    it("allows in-place updates of protected resources, and replacements once unprotected", () => {
        const base = plan([component, logs({ name: "/fleet/prod/api", retentionInDays: 90 }, true)]);
        assert.deepEqual(
            protectedReplacementProblems(base, plan([component, logs({ name: "/fleet/prod/api", retentionInDays: 30 }, true)])),
            [],
        );
        assert.deepEqual(
            protectedReplacementProblems(base, plan([component, logs({ name: "/fleet/prod/api-v2", retentionInDays: 90 }, false)])),
            [],
        );
    });
});
