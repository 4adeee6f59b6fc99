/**
 * `deployment`: rolling (start new tasks, then stop old) or recreate (stop old tasks first), what
 * it sets on the ECS service, how the review reads it back, and that a job refuses it.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deploymentExtraTasks, largestServices } from "../review/advisor";
import { rolloutEstimate } from "../review/rollout";
import { ServiceFacts } from "../review/facts";
import { resolveForTest } from "./harness";

const memory = { reservation: 64, limit: 128 };
const stack = { network: { natGateways: "single" }, cluster: { defaultCapacity: "fargate" } };

describe("deployment", () => {
    it("is rolling unless the entry says recreate", () => {
        const fleet = resolveForTest(
            { web: { image: "nginx:1.27", memory }, db: { image: "postgres:16.4", port: 5432, memory, deployment: "recreate" } },
            stack,
        );
        assert.deepEqual(
            fleet.services.map((s) => [s.name, s.deployment]),
            [
                ["db", "recreate"],
                ["web", "rolling"],
            ],
        );
    });

    const facts = (name: string, desired: number, deployment?: "recreate"): ServiceFacts => ({
        name,
        capacity: "ec2",
        reservation: 512,
        limit: 1024,
        cpu: 256,
        desired,
        stopTimeout: 30,
        gracePeriodSeconds: 0,
        builds: false,
        ...(deployment ? { deployment } : {}),
    });

    it("keeps no room for a recreate service's copy, which it never starts", () => {
        assert.equal(deploymentExtraTasks(2), 2);
        assert.equal(deploymentExtraTasks(2, "recreate"), 0);
        // The largest copy is the rolling service's, however large the recreate one is.
        assert.deepEqual(
            largestServices([facts("db", 4, "recreate"), facts("web", 1)]).map((s) => s.name),
            ["web"],
        );
    });

    it("is read in the rollout estimate", () => {
        assert.equal(rolloutEstimate(facts("db", 1, "recreate")).recreate, true);
        assert.equal(rolloutEstimate(facts("web", 1)).recreate, undefined);
    });
});
