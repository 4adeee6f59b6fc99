/**
 * `fleet:services.<name>.exec` under Pulumi mocks: the service enables execute command, its task
 * role gets exactly ECS Exec's statements (the four Session Manager channel actions on "*", as AWS
 * documents them; the session log to the service's own log group; the stack key for the channel)
 * in a policy of their own, the cluster encrypts sessions with the stack's key and logs them as
 * each task definition says; nothing changes for the other services; FLEET.exec names it, and a
 * waiver of the service waives it.
 */
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { deployFleet } from "../infra/deploy";
import { Catalog } from "../model/catalog";
import { resolveFleet } from "../model/resolve";
import { installMocks, RecordedResource } from "../plan/mocks";
import { evaluate } from "../policy/rules";
import { account, policyOf, region, Registered } from "./harness";
import { fleetInput } from "./support/fleetInput";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

const memory = { reservation: 64, limit: 128 };
const catalog: Catalog = {
    api: { image: "nginx:1.27", port: 8080, routes: [{ host: "api" }], memory },
    web: { image: "nginx:1.27", port: 8080, routes: [{ host: "www" }], memory },
};
const shell = { exec: true, optOut: { readonlyRootFilesystem: "ECS Exec's agent writes to the root filesystem" } };

function fleetOf(stack: string, config: Record<string, unknown>) {
    const result = resolveFleet(
        catalog,
        fleetInput(
            { domain: "acme.io", network: { natGateways: "single" }, cluster: { defaultCapacity: "fargate" }, ...config },
            { stack, region },
        ),
    );
    if (!result.ok) assert.fail(result.errors.join("\n"));
    return result.fleet;
}

const dev = fleetOf("dev", { policy: { enforcement: "advisory" }, services: { api: shell } });
const prod = fleetOf("prod", {
    alerts: { email: "oncall@acme.io" },
    services: { api: shell },
    policy: { waivers: { api: { "FLEET.exec": "break-glass access while the migration runs" } } },
});
deployFleet(dev, { configSecrets: {} });
deployFleet(prod, { configSecrets: {} });

let registered: Registered;
before(async () => {
    registered = await settled(runtime);
});

const stackOf = (r: RecordedResource) => (r.inputs.tags as Record<string, string> | undefined)?.["fleet:stack"];
const ofStack = (stack: string, type: string, name: string) => {
    const found = registered.all(type).filter((r) => r.name === name && (stackOf(r) === stack || r.urn.includes(`fleet-${stack}`)));
    assert.equal(found.length, 1, `${stack}: one ${type} ${name}`);
    return found[0];
};

describe("exec: true", () => {
    it("enables execute command on that service alone", () => {
        assert.equal(ofStack("dev", "aws:ecs/service:Service", "api").inputs.enableExecuteCommand, true);
        assert.equal("enableExecuteCommand" in ofStack("dev", "aws:ecs/service:Service", "web").inputs, false);
    });

    it("gives its task role exactly ECS Exec's statements, in a policy of their own", () => {
        // Both stacks register an `api`: the dev one is the policy naming dev's log group.
        const logGroup = `arn:aws:logs:${region}:${account}:log-group:/fleet/dev/api`;
        const devPolicy = registered
            .all("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.name === "api-exec-command" && String(p.inputs.policy).includes(logGroup));
        assert.equal(devPolicy.length, 1);
        assert.match(String(devPolicy[0].inputs.role), /^api-task-[0-9a-f]{7}$/);
        const key = clusterKey("dev");
        assert.match(key, new RegExp(`^arn:aws:kms:${region}:${account}:key/`));
        assert.deepEqual(policyOf(devPolicy[0]), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "EcsExecChannels",
                    Effect: "Allow",
                    Action: [
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                    Resource: "*",
                },
                {
                    Sid: "EcsExecSessionLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                    Resource: `${logGroup}:*`,
                },
                { Sid: "EcsExecFindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
                { Sid: "EcsExecChannelKey", Effect: "Allow", Action: "kms:Decrypt", Resource: key },
            ],
        });
        // The application's own grants are untouched: api has none, so no `<service>-task` policy.
        assert.equal(
            registered.all("aws:iam/rolePolicy:RolePolicy").some((p) => p.name === "api-task"),
            false,
        );
        assert.equal(
            registered.all("aws:iam/rolePolicy:RolePolicy").some((p) => p.name === "web-exec-command"),
            false,
        );
    });

    it("makes the cluster encrypt sessions with the stack's key and log them to each service's own log group (DEFAULT)", () => {
        const cluster = ofStack("dev", "aws:ecs/cluster:Cluster", "fleet-dev");
        assert.deepEqual(cluster.inputs.configuration, {
            executeCommandConfiguration: { kmsKeyId: clusterKey("dev"), logging: "DEFAULT" },
        });
        const container = JSON.parse(
            String(ofStack("dev", "aws:ecs/taskDefinition:TaskDefinition", "api-taskdef").inputs.containerDefinitions),
        )[0];
        assert.deepEqual(container.logConfiguration.options["awslogs-group"], "/fleet/dev/api");
        assert.equal(container.readonlyRootFilesystem, false);
    });

    it("is FLEET.exec's violation on an advisory stack, and waived for the service on a mandatory one", () => {
        const policyResult = (stack: string) =>
            evaluate(
                registered
                    .all("aws:ecs/service:Service")
                    .concat(registered.all("aws:ecs/taskDefinition:TaskDefinition"), registered.all("aws:ecs/cluster:Cluster"))
                    .filter((r) => stackOf(r) === stack)
                    .map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent })),
            ).violations.filter((v) => v.control === "FLEET.exec");
        assert.deepEqual(
            policyResult("dev").map((v) => [v.message, v.waived]),
            [
                [
                    "[FLEET.exec] aws:ecs/service:Service api (service api): lets anyone allowed ecs:ExecuteCommand open a shell in its " +
                        "running tasks (ECS Exec). Fix: remove exec from fleet:services.api in the stack file, " +
                        "or waive FLEET.exec for api " +
                        "with a reason in fleet:policy.waivers.",
                    undefined,
                ],
            ],
        );
        assert.deepEqual(
            policyResult("prod").map((v) => v.waived),
            ["break-glass access while the migration runs"],
        );
    });
});

/** The stack key's ARN, as the cluster's execute-command configuration names it. */
function clusterKey(stack: string): string {
    const cluster = ofStack(stack, "aws:ecs/cluster:Cluster", `fleet-${stack}`);
    return String(
        (cluster.inputs.configuration as { executeCommandConfiguration: { kmsKeyId: string } }).executeCommandConfiguration.kmsKeyId,
    );
}
