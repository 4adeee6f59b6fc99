/** `-c` reads like the stack file: dotted paths, object merges, null removes (plan/stackFile.ts). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyConfigOverrides } from "../plan/stackFile";

const config = {
    "aws:region": "us-east-1",
    "fleet:domain": "dev.example.com",
    "fleet:cluster": JSON.stringify({ containerInsights: "enabled", defaultCapacity: "fargate-spot" }),
    "fleet:services": JSON.stringify({ api: { memory: { reservation: 192, limit: 384 }, scaling: { min: 1, max: 2 } }, docs: {} }),
};
const apply = (...pairs: [string, string][]) => applyConfigOverrides(config, "fleet", pairs);

describe("-c overrides", () => {
    it("sets one field by a dotted path, keeping the others", () => {
        assert.deepEqual(apply(["cluster.defaultCapacity", "ec2"]), {
            "fleet:cluster": JSON.stringify({ containerInsights: "enabled", defaultCapacity: "ec2" }),
        });
    });

    it("merges an object into the key's object instead of replacing it", () => {
        assert.deepEqual(JSON.parse(apply(["cluster", '{"defaultCapacity":"fargate"}'])["fleet:cluster"]), {
            containerInsights: "enabled",
            defaultCapacity: "fargate",
        });
        assert.deepEqual(JSON.parse(apply(["fleet:services.api.memory", "{ limit: 448 }"])["fleet:services"]).api, {
            memory: { reservation: 192, limit: 448 },
            scaling: { min: 1, max: 2 },
        });
    });

    it("reads values as YAML: numbers, booleans and strings", () => {
        const services = JSON.parse(apply(["services.api.memory.limit", "448"], ["services.api.scaling.min", "2"])["fleet:services"]);
        assert.equal(services.api.memory.limit, 448);
        assert.equal(services.api.scaling.min, 2);
        assert.equal(JSON.parse(apply(["loadBalancer.deletionProtection", "true"])["fleet:loadBalancer"]).deletionProtection, true);
    });

    it("removes a field with null, and creates the path of a key the stack file does not set", () => {
        assert.deepEqual(Object.keys(JSON.parse(apply(["services.docs", "null"])["fleet:services"])), ["api"]);
        assert.deepEqual(apply(["registry.keepImages", "5"]), { "fleet:registry": '{"keepImages":5}' });
        assert.deepEqual(apply(["services.api.routes[0].host", "api"])["fleet:services"].includes('"routes":[{"host":"api"}]'), true);
    });

    it("keeps a plain value as the text given", () => {
        assert.deepEqual(apply(["domain", "prod.example.com"], ["aws:region", "eu-west-1"]), {
            "fleet:domain": "prod.example.com",
            "aws:region": "eu-west-1",
        });
    });

    it("refuses a path it cannot read", () => {
        assert.throws(() => apply(["services..api", "1"]), {
            message: '-c services..api: "..api" is not a path; write key.field or key.list[0].field',
        });
    });
});
