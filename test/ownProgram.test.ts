/**
 * fleet from a Pulumi program of your own (docs/example-program): environment values the program
 * computes (an RDS instance's address, an Output) reach a service's container beside the catalog's
 * strings; transformations change what the catalog does not model, on exactly the resource they
 * pick; names that would clash with the catalog entry are refused before any service exists.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { programEnvProblems } from "../model/programEnv";
import { PlanDocument } from "../plan/runProgram";
import { projectRoot } from "./support/fixtures";
import { planAt } from "./support/planCli";
import { resolveForTest } from "./harness";

let plan: PlanDocument;
before(async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fleet-own-program-")), "plan.json");
    plan = await planAt("the example program", path.join(projectRoot, "docs", "example-program"), "dev", out);
});

const one = (type: string, name: string) => {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${type} ${name}`);
    return found[0];
};

describe("a program of your own", () => {
    it("gives the service the database's address and port, sorted among the catalog's variables", () => {
        const database = one("aws:rds/instance:Instance", "orders-db").inputs;
        const container = JSON.parse(String(one("aws:ecs/taskDefinition:TaskDefinition", "orders-taskdef").inputs.containerDefinitions))[0];
        assert.deepEqual(container.environment, [
            { name: "DATABASE_HOST", value: plan.outputs.databaseAddress },
            { name: "DATABASE_NAME", value: "orders" },
            { name: "DATABASE_PORT", value: "5432" },
            { name: "DATABASE_USER", value: "orders" },
        ]);
        // One stack secret, never a value in the plan: the database's password and the service's, by SSM reference.
        assert.equal(database.password, "[secret]");
        assert.deepEqual(
            container.secrets.map((s: { name: string }) => s.name),
            ["DATABASE_PASSWORD"],
        );
        assert.equal(JSON.stringify(plan).includes("UGxhY2Vob2xkZXJPcmRlcnNEYg"), false);
    });

    it("transforms exactly the resource the transformation picks", () => {
        assert.deepEqual(one("aws:ecs/taskDefinition:TaskDefinition", "orders-taskdef").inputs.ephemeralStorage, { sizeInGib: 50 });
        const others = plan.resources.filter((r) => r.inputs.ephemeralStorage !== undefined).map((r) => r.name);
        assert.deepEqual(others, ["orders-taskdef"]);
    });

    it("opens the database to the service's own group on Postgres's port alone", () => {
        const rule = one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "orders-db-from-orders").inputs;
        const ordersGroup = plan.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "orders-sg")!;
        assert.deepEqual([rule.fromPort, rule.toPort, rule.ipProtocol], [5432, 5432, "tcp"]);
        assert.match(String(rule.referencedSecurityGroupId), /^sg-/);
        assert.ok(ordersGroup);
    });
});

describe("the names of a program's environment values", () => {
    const fleet = resolveForTest(
        {
            orders: {
                image: "nginx:1.27",
                memory: { reservation: 64, limit: 128 },
                env: { DATABASE_NAME: "orders" },
                secrets: { DATABASE_PASSWORD: { generate: { length: 32 } } },
                connects: ["ledger"],
            },
            ledger: { image: "nginx:1.27", port: 8080, memory: { reservation: 64, limit: 128 } },
        },
        { network: { natGateways: "single" }, cluster: { defaultCapacity: "fargate" } },
    );

    it("accepts new variables of the stack's services", () => {
        assert.deepEqual(programEnvProblems(fleet, { orders: ["DATABASE_HOST"], ledger: ["DATABASE_HOST"] }), []);
    });

    it("refuses an unknown service, a bad name and a variable the entry sets itself (the wording: test/snapshots/problems.txt)", () => {
        assert.deepEqual(
            programEnvProblems(fleet, { order: ["DATABASE_HOST"], orders: ["DATABASE_NAME", "DATABASE_PASSWORD", "LEDGER_URL", "2X"] }).map(
                (p) => [p.code, p.subject, p.path],
            ),
            [
                ["program/unknown-service", "program env", "order"],
                ["program/variable-set-by-entry", "program env", "orders.DATABASE_NAME"],
                ["program/variable-set-by-entry", "program env", "orders.DATABASE_PASSWORD"],
                ["program/variable-set-by-entry", "program env", "orders.LEDGER_URL"],
                ["program/invalid-variable-name", "program env", "orders.2X"],
            ],
        );
    });
});
