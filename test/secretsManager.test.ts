/**
 * Secrets Manager secrets (`secrets.<NAME>: { existing: "<secret ARN>", key?, kmsKey? }`) and a
 * private registry's credentials (`credentials`), under fleet's mocks: the exact container
 * definition (valueFrom with and without a JSON key, repositoryCredentials, version labels), the
 * exact execution-role statements, the image used as written even where the stack caches its
 * registry, the policy pack accepting exact secret ARNs and refusing wildcards, the mocks holding
 * valueFrom and credentialsParameter to ECS's forms, and what validation accepts (what it refuses is
 * in the corpus of test/fixtures/problems).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { Service, ServiceArgs } from "../infra/service";
import { secretVersionLabelPrefix } from "../model/containerDefinition";
import { stackNames } from "../model/naming";
import { resolveFleet } from "../model/resolve";
import { ResolvedFleet } from "../model/fleet";
import { checkText, ecsContainerSecrets, ecsRepositoryCredentials, RuleContext } from "../plan/awsRules";
import { FleetMocks, installMocks } from "../plan/mocks";
import { evaluate, ResourceView } from "../policy/rules";
import { account, containerOf, policyOf, region, Registered, testPlatform } from "./harness";
import { fleetInput, resolutionProblems } from "./support/fleetInput";
import { projectRoot } from "./support/fixtures";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

/** An RDS-managed master password (the secret RDS creates holds `{"username","password"}`). */
const rdsSecret = `arn:aws:secretsmanager:${region}:${account}:secret:rds!db-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-AbCdEf`;
const tokenSecret = `arn:aws:secretsmanager:${region}:${account}:secret:prod/payments/api-token-Xy12Za`;
const registrySecret = `arn:aws:secretsmanager:${region}:${account}:secret:registry/acme-ghcr-Q1w2E3`;
const databaseKey = `arn:aws:kms:${region}:${account}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const cacheCredential = `arn:aws:secretsmanager:${region}:${account}:secret:ecr-pullthroughcache/ghcr-Ab12Cd`;

const stack = {
    domain: "example.com",
    network: { natGateways: "single" },
    cluster: { defaultCapacity: "fargate" },
    // The stack caches GitHub's registry: a service with credentials still pulls its image as written.
    registry: { pullThroughCache: { "github-container-registry": { credentialArn: cacheCredential } } },
};

function resolved(catalog: Record<string, unknown>): ResolvedFleet {
    const result = resolveFleet(catalog, fleetInput(stack, { region }));
    if (!result.ok) assert.fail(`invalid test fleet:\n${result.errors.join("\n")}`);
    return result.fleet;
}

const fleet = resolved({
    payments: {
        image: "ghcr.io/acme/payments-api:2.3.1",
        credentials: registrySecret,
        port: 8080,
        routes: [{ host: "pay" }],
        memory: { reservation: 256, limit: 512 },
        secrets: {
            DATABASE_PASSWORD: { existing: rdsSecret, key: "password", kmsKey: databaseKey },
            DATABASE_USER: { existing: rdsSecret, key: "username", kmsKey: databaseKey },
            API_TOKEN: { existing: tokenSecret },
            SHARED: { existing: "/shared/token" },
        },
    },
    // The same registry without credentials: through the stack's cache.
    worker: { image: "ghcr.io/acme/worker:1.0.0", memory: { reservation: 64, limit: 128 } },
});

const platform = testPlatform;
const common: Omit<ServiceArgs, "spec"> = { platform, names: stackNames("fleet", "test"), logRetentionDays: 14 };
for (const spec of fleet.services) new Service(spec.name, { ...common, spec });

let registered: Registered;
before(async () => (registered = await settled(runtime)));

/** The id the mocks give a secret's AWSCURRENT version. */
function currentVersion(secretId: string): string {
    const { versions } = new FleetMocks(region).call({
        token: "aws:secretsmanager/getSecretVersions:getSecretVersions",
        inputs: { secretId },
    }) as { versions: { versionId: string; versionStages: string[] }[] };
    return versions.find((v) => v.versionStages.includes("AWSCURRENT"))!.versionId;
}

describe("a service reading Secrets Manager secrets, its image from a private registry", () => {
    it("resolves the secrets by kind and the image as a private one", () => {
        const payments = fleet.services.find((s) => s.name === "payments")!;
        assert.deepEqual(payments.image, { kind: "private", reference: "ghcr.io/acme/payments-api:2.3.1", credentials: registrySecret });
        assert.deepEqual(payments.secrets, [
            { name: "API_TOKEN", source: "secretsManager", secretArn: tokenSecret },
            { name: "DATABASE_PASSWORD", source: "secretsManager", secretArn: rdsSecret, key: "password", kmsKey: databaseKey },
            { name: "DATABASE_USER", source: "secretsManager", secretArn: rdsSecret, key: "username", kmsKey: databaseKey },
            { name: "SHARED", source: "existing", parameter: "/shared/token" },
        ]);
    });

    it("injects one key of a secret's JSON with <arn>:<key>::, the whole secret with its ARN, and its credentials", () => {
        const container = containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "payments-taskdef"));
        assert.deepEqual(Object.keys(container).slice(0, 4), ["name", "image", "repositoryCredentials", "essential"]);
        assert.equal(container.image, "ghcr.io/acme/payments-api:2.3.1");
        assert.deepEqual(container.repositoryCredentials, { credentialsParameter: registrySecret });
        assert.deepEqual(container.secrets, [
            { name: "API_TOKEN", valueFrom: tokenSecret },
            { name: "DATABASE_PASSWORD", valueFrom: `${rdsSecret}:password::` },
            { name: "DATABASE_USER", valueFrom: `${rdsSecret}:username::` },
            { name: "SHARED", valueFrom: `arn:aws:ssm:${region}:${account}:parameter/shared/token` },
        ]);
        assert.deepEqual(container.environment, []);
    });

    it("labels each secret with its current version id, read without its value", () => {
        const labels = containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "payments-taskdef")).dockerLabels;
        const shared = new FleetMocks(region).call({
            token: "aws:ssm/getParameter:getParameter",
            inputs: { name: "/shared/token", withDecryption: false },
        }).version;
        assert.deepEqual(labels, {
            [`${secretVersionLabelPrefix}API_TOKEN`]: currentVersion(tokenSecret),
            [`${secretVersionLabelPrefix}DATABASE_PASSWORD`]: currentVersion(rdsSecret),
            [`${secretVersionLabelPrefix}DATABASE_USER`]: currentVersion(rdsSecret),
            [`${secretVersionLabelPrefix}SHARED`]: String(shared),
        });
        assert.notEqual(currentVersion(rdsSecret), currentVersion(tokenSecret));
        // The mocks refuse GetSecretValue: fleet never reads a secret's value.
        assert.throws(
            () =>
                new FleetMocks(region).call({
                    token: "aws:secretsmanager/getSecretVersion:getSecretVersion",
                    inputs: { secretId: rdsSecret },
                }),
            { message: `fleet mocks: secret ${rdsSecret} read with its value; fleet reads only versions` },
        );
    });

    it("lets the execution role read exactly those secrets and credentials, and decrypt with their key through Secrets Manager", () => {
        assert.deepEqual(policyOf(registered.one("aws:iam/rolePolicy:RolePolicy", "payments-exec")).Statement, [
            {
                Sid: "Logs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `arn:aws:logs:${region}:${account}:log-group:/fleet/test/payments:log-stream:*`,
            },
            { Sid: "ReadRegistryCredentials", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: registrySecret },
            {
                Sid: "ReadSecrets",
                Effect: "Allow",
                Action: "ssm:GetParameters",
                Resource: [`arn:aws:ssm:${region}:${account}:parameter/shared/token`],
            },
            {
                Sid: "ReadSecretsManagerSecrets",
                Effect: "Allow",
                Action: "secretsmanager:GetSecretValue",
                Resource: [tokenSecret, rdsSecret],
            },
            {
                Sid: "DecryptSecretsManagerSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: [databaseKey],
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
            },
        ]);
    });

    it("pulls the same registry's image without credentials through the cache, with no credentials and no secret statements", () => {
        const container = containerOf(registered.one("aws:ecs/taskDefinition:TaskDefinition", "worker-taskdef"));
        assert.equal(container.image, `${account}.dkr.ecr.${region}.amazonaws.com/fleet-test-cache/ghcr/acme/worker:1.0.0`);
        assert.equal("repositoryCredentials" in container, false);
        assert.equal("dockerLabels" in container, false);
        const sids = policyOf(registered.one("aws:iam/rolePolicy:RolePolicy", "worker-exec")).Statement.map((s) => s.Sid);
        assert.deepEqual(sids, ["Logs", "PullThroughCache", "EcrAuthToken"]);
    });
});

describe("the policy pack on Secrets Manager grants", () => {
    const views = (): ResourceView[] =>
        runtime.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent }));
    const secretScope = (resources: ResourceView[]) =>
        evaluate(resources)
            .violations.filter((v) => v.control === "FLEET.secret-scope")
            .map((v) => v.message);

    it("accepts exact secret ARNs", () => {
        assert.deepEqual(secretScope(views()), []);
    });

    it("refuses a partial ARN's -?????? wildcard", () => {
        const partial = rdsSecret.slice(0, -7) + "-??????";
        const changed = views().map((r) => {
            if (r.name !== "payments-exec" || r.type !== "aws:iam/rolePolicy:RolePolicy") return r;
            const policy = JSON.parse(String(r.props.policy));
            policy.Statement.find((s: { Sid: string }) => s.Sid === "ReadSecretsManagerSecrets").Resource = [tokenSecret, partial];
            return { ...r, props: { ...r.props, policy: JSON.stringify(policy) } };
        });
        assert.deepEqual(secretScope(changed), [
            `[FLEET.secret-scope] aws:iam/rolePolicy:RolePolicy payments-exec (service payments): statement ` +
                `ReadSecretsManagerSecrets reads secrets from ${partial}. Fix: grant secretsmanager:GetSecretValue and ` +
                "kms:Decrypt on the exact secret ARNs (with their six-character suffix) and key ARNs, or waive " +
                "FLEET.secret-scope for payments with a reason in fleet:policy.waivers.",
        ]);
    });
});

const context: RuleContext = { region, accountId: account };
const containers = (container: Record<string, unknown>) => JSON.stringify([{ name: "payments", ...container }]);

describe("the mocks' rules on where a container reads its secrets and credentials", () => {
    it("accept an SSM parameter by name or ARN, and a Secrets Manager ARN with or without its fields", () => {
        for (const valueFrom of [
            "/shared/token",
            "shared-token",
            `arn:aws:ssm:${region}:${account}:parameter/shared/token`,
            tokenSecret,
            `${rdsSecret}:password::`,
            `${rdsSecret}::AWSPREVIOUS:`,
            `${rdsSecret}:password::0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
        ]) {
            assert.equal(
                checkText(ecsContainerSecrets, containers({ secrets: [{ name: "S", valueFrom }] }), context),
                undefined,
                valueFrom,
            );
        }
    });

    it("refuse a valueFrom that is neither, and one naming both a version stage and a version id", () => {
        const kms = `arn:aws:kms:${region}:${account}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
        assert.equal(
            checkText(ecsContainerSecrets, containers({ secrets: [{ name: "KEY", valueFrom: kms }] }), context),
            `sets secrets ECS refuses (KEY: "${kms}" is neither an SSM parameter nor a Secrets Manager secret ARN)`,
        );
        const both = `${rdsSecret}:password:AWSCURRENT:0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
        assert.equal(
            checkText(ecsContainerSecrets, containers({ secrets: [{ name: "DB", valueFrom: both }] }), context),
            `sets secrets ECS refuses (DB: "${both}" names both a version stage and a version id)`,
        );
    });

    it("accept registry credentials in a Secrets Manager secret, by ARN or name, and refuse an SSM parameter", () => {
        for (const credentialsParameter of [registrySecret, "registry/acme-ghcr"]) {
            assert.equal(
                checkText(ecsRepositoryCredentials, containers({ repositoryCredentials: { credentialsParameter } }), context),
                undefined,
            );
        }
        assert.equal(checkText(ecsRepositoryCredentials, containers({}), context), undefined);
        const parameter = `arn:aws:ssm:${region}:${account}:parameter/registry/acme`;
        assert.equal(
            checkText(ecsRepositoryCredentials, containers({ repositoryCredentials: { credentialsParameter: parameter } }), context),
            `sets repositoryCredentials that are not a Secrets Manager secret's ARN or name (payments: "${parameter}")`,
        );
    });

    it("refuse such a task definition when it is registered, naming the rule's source", () => {
        const parameter = `arn:aws:ssm:${region}:${account}:parameter/registry/acme`;
        assert.throws(
            () =>
                new FleetMocks(region).newResource({
                    type: "aws:ecs/taskDefinition:TaskDefinition",
                    name: "payments-taskdef",
                    inputs: {
                        family: "fleet-test-payments",
                        containerDefinitions: containers({ repositoryCredentials: { credentialsParameter: parameter } }),
                    },
                    custom: true,
                }),
            {
                message: new RegExp(
                    `^fleet mocks: aws:ecs/taskDefinition:TaskDefinition "payments-taskdef": containerDefinitions .* sets ` +
                        "repositoryCredentials that are not a Secrets Manager secret's ARN or name .* — ECS API RepositoryCredentials, " +
                        "https://docs\\.aws\\.amazon\\.com/AmazonECS/latest/APIReference/API_RepositoryCredentials\\.html$",
                ),
            },
        );
    });

    it("read a secret's versions in their own region only (Secrets Manager is regional)", () => {
        const other = tokenSecret.replace(`:${region}:`, ":us-east-1:");
        assert.throws(
            () =>
                new FleetMocks(region).call({
                    token: "aws:secretsmanager/getSecretVersions:getSecretVersions",
                    inputs: { secretId: other },
                }),
            { message: `fleet mocks: secret ${other} is in us-east-1; ListSecretVersionIds in ${region} reads only that region's secrets` },
        );
    });
});

const ok = { image: "redis:7.4", memory: { reservation: 64, limit: 128 } };
const errorsOf = (service: Record<string, unknown>) =>
    resolutionProblems({ svc: { ...ok, ...service } }, { network: { natGateways: "single" } }, { region });
describe("Secrets Manager secrets and registry credentials that are accepted", () => {
    it("accepts a secret's full ARN in the stack's region, with a key, its key id, or neither", () => {
        assert.deepEqual(
            errorsOf({ secrets: { DB: { existing: rdsSecret, key: "password", kmsKey: "0a1b2c3d-4e5f-6789-abcd-ef0123456789" } } }),
            [],
        );
        assert.deepEqual(errorsOf({ secrets: { DB: { existing: tokenSecret } } }), []);
        assert.deepEqual(errorsOf({ image: "ghcr.io/acme/api:1.2", credentials: registrySecret }), []);
        // Registry credentials may live in another region (ECS guide, "Private registry authentication for tasks").
        assert.deepEqual(
            errorsOf({ image: "ghcr.io/acme/api:1.2", credentials: registrySecret.replace(`:${region}:`, ":us-east-1:") }),
            [],
        );
    });
});

describe("the Secrets Manager example of docs/services.md", () => {
    it("resolves as written: the password and user by key of the RDS secret, the image with its credentials", () => {
        const page = fs.readFileSync(path.join(projectRoot, "docs", "services.md"), "utf8");
        const block = /```ts\n([\s\S]*?)```/.exec(page.slice(page.indexOf("### Secrets Manager and private registries")));
        assert.ok(block, "a ts block under ### Secrets Manager and private registries");
        const payments = resolved(new Function(`return ({${block[1]}});`)()).services[0];
        assert.deepEqual(payments.image, { kind: "private", reference: "ghcr.io/acme/payments-api:2.3.1", credentials: registrySecret });
        assert.deepEqual(
            payments.secrets.map((s) => (s.source === "secretsManager" ? `${s.name} ${s.secretArn} ${s.key}` : s.name)),
            [`DATABASE_PASSWORD ${rdsSecret} password`, `DATABASE_USER ${rdsSecret} username`],
        );
    });
});
