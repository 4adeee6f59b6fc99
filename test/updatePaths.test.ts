/**
 * Update paths a first deploy never exercises (issue 20): callers created after the servers they
 * call, tasks after their roles' policies, DNS records made by hand taken over, URLs only where TLS
 * serves them, and the cost note agreeing with the records the stack creates. The whole program
 * over test/fixtures/catalogProtocols.ts (a front end calling five servers) on the prod-like stack.
 */
import * as assert from "node:assert/strict";
import { placeholderValues } from "../model/placeholders";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { serversFirst } from "../infra/deploy";
import { FleetMocks } from "../plan/mocks";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { costContext, CostContext, costItems } from "../review/costItems";
import { cachePrefixChanges, capacityRemovalProblems } from "../review/guards";
import { priceBook } from "../review/cost";
import { resolveForTest } from "./harness";
import { fixtureCatalog, prodSettingsRoot } from "./support/fixtures";
import { planOrFail, planProgram } from "./support/planCli";

let plan: PlanDocument;
before(async () => {
    const result = await planProgram("paths", { root: prodSettingsRoot("paths"), catalog: fixtureCatalog("catalogProtocols.ts") });
    if (!result.ok) assert.fail(result.message);
    plan = result.plan;
});

const one = (type: string, name: string): PlanResource => {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${type} ${name}`);
    return found[0];
};
const ecsService = (name: string) => one("aws:ecs/service:Service", name);

describe("the order of a deploy", () => {
    it("creates a caller's ECS service after the ECS services it calls (Service Connect resolves endpoints at task start)", () => {
        const frontend = ecsService("frontend");
        for (const server of ["cache", "catalog", "ledger", "stream"]) {
            assert.ok(frontend.dependencies?.includes(ecsService(server).urn), `frontend waits for ${server}`);
        }
        // And nothing waits for a service that is not called.
        assert.equal(
            plan.resources.some((r) => r.dependencies?.includes(ecsService("frontend").urn)),
            false,
        );
    });

    it("starts a service's tasks only once its execution and task roles' policies exist (IAM is eventually consistent)", () => {
        const policies = plan.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("frontend-"));
        assert.deepEqual(policies.map((p) => p.name).sort(), ["frontend-exec"]);
        for (const policy of policies) assert.ok(ecsService("frontend").dependencies?.includes(policy.urn), policy.name);
    });

    it("orders servers first, breaking a cycle of calls by name", () => {
        const order = (services: { name: string; connects: { target: string }[] }[]) => serversFirst(services).map((s) => s.name);
        assert.deepEqual(
            order([
                { name: "web", connects: [{ target: "api" }] },
                { name: "api", connects: [{ target: "db" }] },
                { name: "db", connects: [] },
            ]),
            ["db", "api", "web"],
        );
        assert.deepEqual(
            order([
                { name: "b", connects: [{ target: "a" }] },
                { name: "a", connects: [{ target: "b" }] },
            ]),
            ["b", "a"],
        );
    });
});

describe("records made by hand", () => {
    it("are refused by Route 53 without allowOverwrite, as the mocks hold it; fleet:dns's records take them over", () => {
        const mocks = new FleetMocks("us-east-1");
        mocks.records.add("Z0123456789ABC_www.example.com_A");
        const record = (allowOverwrite?: boolean) => () =>
            mocks.newResource({
                type: "aws:route53/record:Record",
                name: "dns-www-example-com",
                inputs: { zoneId: "Z0123456789ABC", name: "www.example.com", type: "A", ...(allowOverwrite ? { allowOverwrite } : {}) },
                custom: true,
            });
        assert.throws(record(), /www\.example\.com \(A\) already exists in zone Z0123456789ABC; Route 53 refuses to create it again/);
        assert.doesNotThrow(record(true));
    });
});

describe("URLs", () => {
    it("name a host over HTTPS, and give a path-only rule the ALB's name over HTTP alone (TLS refuses the ALB's name)", () => {
        const catalog = {
            api: {
                image: "nginx:1.27",
                port: 8080,
                routes: [{ host: "api" }, { path: "/api/*" }],
                memory: { reservation: 64, limit: 128 },
            },
        };
        const stack = { domain: "example.com", network: { natGateways: "single" }, cluster: { defaultCapacity: "fargate" } };
        const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        assert.deepEqual(resolveForTest(catalog, stack).services[0].urls, ["http://api.example.com/", "http://<alb>/api/"]);
        assert.deepEqual(resolveForTest(catalog, { ...stack, loadBalancer: { certificateArn } }).services[0].urls, [
            "https://api.example.com/",
        ]);
    });

    it("the cost note counts the records fleet:dns creates", () => {
        const facts = { stack: "x", platform: { region: "us-east-1", availabilityZones: 2, loadBalancers: 1 }, services: [], rules: [] };
        const withRecords: CostContext = { ...costContext(plan), route53Records: 3 };
        const note = (context: CostContext) =>
            costItems(facts, context, 0, priceBook, priceBook.regions["us-east-1"]).find((i) => i.item === "Route 53")!.detail;
        assert.match(note(withRecords), /^not estimated: the stack creates 3 records in an existing hosted zone \(fleet:dns\)/);
        assert.match(note({ ...withRecords, route53Records: undefined }), /^not estimated: the stack creates no hosted zone or record/);
    });
});

describe("EC2 capacity removed", () => {
    const provider = {
        urn: "urn:pulumi:prod::fleet::fleet:ecs:Cluster$aws:ecs/capacityProvider:CapacityProvider::c-ec2",
        type: "aws:ecs/capacityProvider:CapacityProvider",
        name: "c-ec2",
        inputs: {},
        protect: false,
        ignoreChanges: [],
    };
    const service = (name: string, capacityProvider: string): PlanResource => ({
        urn: `urn:pulumi:prod::fleet::fleet:ecs:Service$aws:ecs/service:Service::${name}`,
        type: "aws:ecs/service:Service",
        name,
        inputs: { capacityProviderStrategies: [{ capacityProvider, weight: 1, base: 0 }] },
        protect: false,
        ignoreChanges: [],
    });
    const plan = (resources: PlanResource[]): PlanDocument => ({ project: "fleet", stack: "prod", resources, outputs: {}, config: {} });

    it("in the same deploy as the services on it move away is refused, naming them and the two steps", () => {
        const base = plan([provider, service("api", "c-ec2-1234567"), service("web", "c-ec2-1234567"), service("docs", "FARGATE_SPOT")]);
        const head = plan([service("api", "FARGATE"), service("web", "FARGATE"), service("docs", "FARGATE_SPOT")]);
        assert.deepEqual(capacityRemovalProblems(base, head), [
            "EC2 capacity (fleet:cluster.ec2) is removed while api, web still run on it in the base plan of prod: ECS refuses to " +
                "detach a capacity provider that services use (ResourceInUseException), so the update would fail half-way. Do it " +
                "in two deploys: first move them off EC2 (capacity: fargate or fargate-spot in Pulumi.prod.yaml, or " +
                "fleet:cluster.defaultCapacity) with the EC2 capacity still set, then remove fleet:cluster.ec2.",
        ]);
    });

    it("in two deploys passes: the services move with the capacity still there, then the capacity goes", () => {
        const before = plan([provider, service("api", "c-ec2-1234567")]);
        const moved = plan([provider, service("api", "FARGATE")]);
        const dropped = plan([service("api", "FARGATE")]);
        assert.deepEqual(capacityRemovalProblems(before, moved), []);
        assert.deepEqual(capacityRemovalProblems(moved, dropped), []);
    });
});

describe("a secret given for one run of the plan", () => {
    it("is a value for this run alone: the program reads it as a secret, and the plan never holds it", async () => {
        const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fleet-secret-run-")), "plan.json");
        const secretPlan = await planOrFail(
            [
                ...["--root", prodSettingsRoot("run"), "--catalog", fixtureCatalog("catalogSecrets.ts"), "--stack", "run"],
                ...["-c", "sharedPassword=correct-horse-battery", "-c", "smtpPassword=staple-staple-staple"],
            ],
            { json },
        );
        assert.equal(secretPlan.config["fleet:sharedPassword"], "[secret]");
        assert.equal(secretPlan.config["fleet:smtpPassword"], "[secret]");
        const text = fs.readFileSync(json, "utf8");
        for (const value of ["correct-horse-battery", "staple-staple-staple"]) assert.equal(text.includes(value), false, value);
    });
});

describe("one image per tag", () => {
    it("is held by the mocks as ECR holds immutable tags: the same build again passes, another image under the tag is refused", () => {
        const mocks = new FleetMocks("us-east-1");
        const image = (name: string, context: string) => () =>
            mocks.newResource({
                type: "docker-build:index:Image",
                name,
                inputs: {
                    tags: ["123456789012.dkr.ecr.us-east-1.amazonaws.com/fleet-dev/api:c-0123456789abcdef0123"],
                    push: true,
                    context: { location: context },
                },
                custom: true,
            });
        assert.doesNotThrow(image("api-image", "./apps/api"));
        // The api's worker shares its build: the same image under the same tag.
        assert.doesNotThrow(image("worker-image", "./apps/api"));
        assert.throws(
            image("other-image", "./apps/other"),
            /pushes a second image under .*api:c-0123456789abcdef0123, which holds another already/,
        );
    });
});

describe("cache prefixes that name the project", () => {
    it("are said, against a base with the stack's prefix alone: who pulls again, and what stays unused", () => {
        const rule = (prefix: string): PlanResource => ({
            urn: `urn:pulumi:paths::fleet::fleet:ecr:Registry$aws:ecr/pullThroughCacheRule:PullThroughCacheRule::r-${prefix.length}`,
            type: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
            name: "fleet-paths-docker-hub",
            inputs: { upstreamRegistryUrl: "registry-1.docker.io", ecrRepositoryPrefix: prefix },
            protect: false,
            ignoreChanges: [],
        });
        const current = plan.resources.find(
            (r) =>
                r.type === "aws:ecr/pullThroughCacheRule:PullThroughCacheRule" && r.inputs.upstreamRegistryUrl === "registry-1.docker.io",
        )!;
        assert.equal(current.inputs.ecrRepositoryPrefix, "fleet-paths-cache/docker-hub");
        const older: PlanDocument = {
            ...plan,
            resources: [...plan.resources.filter((r) => r !== current), rule("paths-cache/docker-hub")],
        };
        assert.deepEqual(cachePrefixChanges(older, plan), [
            "the pull-through cache of registry-1.docker.io moves from paths-cache/docker-hub to fleet-paths-cache/docker-hub: " +
                "cache, frontend, ledger (pulling through it) fetch their image from the upstream again on their next deployment " +
                "(its rate limits apply once more), and the repositories cached under paths-cache/docker-hub/ stay in ECR, unused: " +
                "delete them (aws ecr delete-repository) once no task runs from them",
        ]);
        assert.deepEqual(cachePrefixChanges(plan, plan), []);
    });
});

describe("the samples' placeholders", () => {
    const placeholders = [
        "fleet:domain (example.com)",
        "fleet:loadBalancer.accessLogs.bucket (account 123456789012)",
        "fleet:loadBalancer.certificateArn (account 123456789012)",
        "fleet:registry.pullThroughCache.docker-hub.credentialArn (account 123456789012)",
        "fleet:registry.pullThroughCache.github-container-registry.credentialArn (account 123456789012)",
    ];

    it("count an address at a documentation domain, not a domain that only ends like one", () => {
        assert.deepEqual(placeholderValues({ alerts: { email: ["oncall@example.com", "ops@acme.io"] }, domain: "myexample.com" }), [
            "fleet:alerts.email[0] (example.com)",
        ]);
    });

    it("are a warning of the plan, naming each key still holding one", () => {
        assert.ok(
            plan.model?.warnings?.includes(`replace before a real deploy, still the samples' placeholders: ${placeholders.join(", ")}`),
            JSON.stringify(plan.model?.warnings),
        );
    });

    it("are refused by an update before any resource is registered, and pass once replaced", async () => {
        const catalog = fixtureCatalog("catalogProtocols.ts");
        const refused = await planProgram("paths", { root: prodSettingsRoot("paths"), catalog, update: true });
        assert.equal(refused.ok, false);
        assert.equal(
            !refused.ok && refused.message,
            "fleet: Pulumi.paths.yaml still holds the samples' placeholders; replace them before deploying " +
                "(pulumi config set --path <key> <value> -s paths):\n" +
                placeholders.map((p) => `  - ${p}`).join("\n"),
        );
        const root = prodSettingsRoot("paths");
        const file = path.join(root, "Pulumi.paths.yaml");
        fs.writeFileSync(
            file,
            fs.readFileSync(file, "utf8").replaceAll("123456789012", "210987654321").replaceAll("example.com", "acme.io"),
        );
        // A mandatory stack must also page someone before an update (FLEET.alerts, test/alerts.test.ts).
        const unalerted = await planProgram("paths", { root, catalog, update: true });
        assert.equal(
            !unalerted.ok && unalerted.message,
            "fleet: stack paths is mandatory (fleet:policy.enforcement) and pages no one (FLEET.alerts): set fleet:alerts " +
                "{ email: <address> } in Pulumi.paths.yaml, or waive FLEET.alerts for platform in fleet:policy.waivers; " +
                "pulumi up refuses it until then",
        );
        fs.appendFileSync(file, "  fleet:alerts:\n    email: oncall@acme.io\n");
        const replaced = await planProgram("paths", { root, catalog, update: true });
        assert.ok(replaced.ok, !replaced.ok ? replaced.message : "");
        assert.equal(
            replaced.plan.model?.warnings?.some((w) => w.includes("placeholders")),
            false,
        );
    });
});
