/**
 * Validation and resolution of the catalog and the stack file: a value that may be a secret in the
 * wrong place is never repeated in a message, valid input resolves to the expected defaults, and
 * what is accepted is accepted. Each invalid input's problems (code, subject and path) are asserted
 * by test/problems.test.ts over the corpus of test/fixtures/problems, and their wording by
 * test/snapshots/problems.txt.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Catalog } from "../model/catalog";
import { ImageBuild, ImageTag } from "../model/fleet";
import { Problem } from "../model/problems";
import { FleetInput, resolveFleet } from "../model/resolve";
import { fleetInput } from "./support/fleetInput";

const baseConfig: Record<string, unknown> = {
    domain: "example.com",
    network: { natGateways: "single" },
    cluster: { defaultCapacity: "fargate" },
};

function input(config: Record<string, unknown> = {}, extra: Partial<FleetInput> = {}): FleetInput {
    return fleetInput({ ...baseConfig, ...config }, { stack: "dev", secretKeys: ["dbPassword"], buildTag: fixedBuildTag, ...extra });
}

const ok = { image: "redis:7", memory: { reservation: 64, limit: 128 } };

const fixedTag: ImageTag = { tag: "c-00112233445566778899", revision: "abc123def4567890abc123def4567890abc123de" };
const fixedBuildTag = (): ImageTag => fixedTag;

function problemsOf(catalog: unknown, config: Record<string, unknown> = {}, extra: Partial<FleetInput> = {}): readonly Problem[] {
    const result = resolveFleet(catalog, input(config, extra));
    return result.ok ? [] : result.problems;
}

function resolve(catalog: Catalog, config: Record<string, unknown> = {}) {
    const result = resolveFleet(catalog, input(config));
    if (!result.ok) assert.fail(`expected a valid fleet, got:\n${result.errors.join("\n")}`);
    return result.fleet;
}

const t3small = { cluster: { defaultCapacity: "ec2", ec2: { instanceType: "t3.small", minSize: 0, maxSize: 2 } } };

describe("values that may be secrets in the wrong place", () => {
    /** [what, catalog, stack config, the value that must never appear, the path of the problem that holds it] */
    const cases: [string, unknown, Record<string, unknown>, string, string][] = [
        ["an unknown field (a misspelt env)", { svc: { ...ok, enviroment: { DB_PASSWORD: "hunter2" } } }, {}, "hunter2", "enviroment"],
        ["an environment value under a bad name", { svc: { ...ok, env: { "1BAD": "hunter2" } } }, {}, "hunter2", "env.1BAD"],
        ["an environment value that is not a string", { svc: { ...ok, env: { PIN: 271828 } } }, {}, "271828", "env.PIN"],
        [
            "a variable both in env and secrets",
            { svc: { ...ok, env: { TOKEN: "hunter2" }, secrets: { TOKEN: { generate: { length: 32 } } } } },
            {},
            "hunter2",
            "env.TOKEN",
        ],
        ["a secret's value written where its source goes", { svc: { ...ok, secrets: { DB: "hunter2" } } }, {}, "hunter2", "secrets.DB"],
        [
            "a secret's value in a source of its own making",
            { svc: { ...ok, secrets: { API_KEY: { value: "hunter2" } } } },
            {},
            "hunter2",
            "secrets.API_KEY",
        ],
        ["secrets that are not a map", { svc: { ...ok, secrets: "hunter2" } }, {}, "hunter2", "secrets"],
        ["a password pasted in credentials", { svc: { ...ok, credentials: "hunter2-registry" } }, {}, "hunter2", "credentials"],
        ["an unknown stack key (a secret set without --secret)", { svc: ok }, { dbPasword: "hunter2" }, "hunter2", "dbPasword"],
        ["an override of a service not in the catalog", { api: ok }, { services: { apii: { env: { DB: "hunter2" } } } }, "hunter2", "apii"],
    ];
    for (const [what, catalog, config, secret, path] of cases) {
        it(`are not repeated: ${what}`, () => {
            const problems = problemsOf(catalog, config);
            const problem = problems.find((p) => p.path === path);
            assert.ok(problem, `a problem at ${path}, got ${JSON.stringify(problems)}`);
            assert.equal(problem.value, "(value not shown)");
            assert.ok(!JSON.stringify(problems).includes(secret), `${secret} appears in ${JSON.stringify(problems)}`);
        });
    }
});

describe("validation", () => {
    it("hashes no context whose Dockerfile is missing (the path is reported once)", () => {
        const calls: ImageBuild[] = [];
        const problems = problemsOf(
            { svc: { memory: ok.memory, build: "./apps/nope" } },
            {},
            { pathExists: () => false, buildTag: (b) => (calls.push(b), fixedTag) },
        );
        assert.deepEqual(
            problems.map((p) => p.code),
            ["image/dockerfile-missing"],
        );
        assert.deepEqual(calls, []);
    });

    it("reports every problem of every service at once, in service name order", () => {
        const problems = problemsOf({
            one: { ...ok, memory: { reservation: 300, limit: 200 } },
            two: { ...ok, port: 0 },
            three: { memory: ok.memory },
        });
        assert.deepEqual(
            problems.map((p) => p.subject),
            ['service "one"', 'service "three"', 'service "two"'],
        );
    });
});

describe("resolution", () => {
    it("tags a build with what buildTag computes from its inputs and platform", () => {
        const calls: ImageBuild[] = [];
        const result = resolveFleet(
            { svc: { memory: ok.memory, build: { context: "./apps/api", dockerfile: "docker/Dockerfile", args: { B: "2", A: "1" } } } },
            input({}, { buildTag: (b) => (calls.push(b), fixedTag) }),
        );
        assert.ok(result.ok);
        const build = { context: "./apps/api", dockerfile: "docker/Dockerfile", args: { B: "2", A: "1" }, platform: "linux/amd64" };
        assert.deepEqual(calls, [build]);
        assert.deepEqual(result.fleet.services[0].image, { kind: "build", ...build, ...fixedTag });
    });

    it("builds for arm64 on Graviton EC2 capacity and for amd64 elsewhere", () => {
        const graviton = { cluster: { defaultCapacity: "ec2", ec2: { instanceType: "t4g.small", minSize: 0, maxSize: 2 } } };
        const build = { build: "./apps/api", memory: ok.memory };
        const platforms = (config: Record<string, unknown>, catalog: Catalog) =>
            resolve(catalog, config).services.map((s) => [s.name, s.image.kind === "build" ? s.image.platform : undefined]);
        assert.deepEqual(platforms(graviton, { ec2: build, spot: { ...build, capacity: "fargate-spot" } }), [
            ["ec2", "linux/arm64"],
            ["spot", "linux/amd64"],
        ]);
        assert.deepEqual(platforms(t3small, { ec2: build }), [["ec2", "linux/amd64"]]);
    });

    it("sizes Fargate tasks to the smallest valid pair holding the hard limit", () => {
        const fleet = resolve({ svc: { ...ok, cpu: 512, memory: { reservation: 900, limit: 1500 } } });
        assert.deepEqual(fleet.services[0].capacity, { kind: "fargate", spot: false, size: { cpu: 512, memory: 2048 } });
        assert.deepEqual(fleet.services[0].memory, { reservation: 900, limit: 1500 });
    });

    it("applies documented defaults", () => {
        const svc = resolve({ svc: { ...ok, port: 8080, routes: [{ host: "svc" }] } }).services[0];
        assert.equal(svc.cpu, 256);
        assert.equal(svc.desiredCount, 1);
        assert.equal(svc.stopTimeout, 30);
        assert.equal(svc.deregistrationDelay, 15);
        assert.deepEqual(svc.capacity, { kind: "fargate", spot: false, size: { cpu: 256, memory: 512 } });
        assert.deepEqual(svc.health, {
            path: "/healthz",
            matcher: "200-399",
            command: undefined,
            gracePeriodSeconds: 30,
            intervalSeconds: 10,
            timeoutSeconds: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        });
        assert.deepEqual(svc.urls, ["http://svc.example.com/"]);
    });

    it("merges per-stack overrides one level deep", () => {
        const svc = resolve(
            { svc: { ...ok, env: { A: "1", B: "2" } } },
            { services: { svc: { memory: { limit: 256 }, env: { B: "3" }, desiredCount: 2 } } },
        ).services[0];
        assert.deepEqual(svc.memory, { reservation: 64, limit: 256 });
        assert.deepEqual(svc.env, { A: "1", B: "3" });
        assert.equal(svc.desiredCount, 2);
    });

    it("routes upstream images through the stack's cache, and others directly", () => {
        const fleet = resolve(
            {
                hub: { ...ok, image: "redis:7" },
                pub: { ...ok, image: "public.ecr.aws/nginx/nginx:1.27" },
                gh: { ...ok, image: "ghcr.io/org/app:1.2" },
                own: { ...ok, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1" },
            },
            {
                registry: {
                    pullThroughCache: {
                        "ecr-public": {},
                        "docker-hub": {
                            credentialArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCd",
                        },
                    },
                },
            },
        );
        const images = Object.fromEntries(fleet.services.map((s) => [s.name, s.image]));
        assert.deepEqual(images.hub, {
            kind: "cached",
            registry: "docker-hub",
            prefix: "fleet-dev-cache/docker-hub",
            repository: "fleet-dev-cache/docker-hub/library/redis",
            path: "fleet-dev-cache/docker-hub/library/redis:7",
            upstream: "redis:7",
        });
        assert.deepEqual(images.pub, {
            kind: "cached",
            registry: "ecr-public",
            prefix: "fleet-dev-cache/ecr-public",
            repository: "fleet-dev-cache/ecr-public/nginx/nginx",
            path: "fleet-dev-cache/ecr-public/nginx/nginx:1.27",
            upstream: "public.ecr.aws/nginx/nginx:1.27",
        });
        assert.deepEqual(images.gh, { kind: "direct", reference: "ghcr.io/org/app:1.2" });
        assert.deepEqual(images.own, { kind: "ecr", reference: "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1" });
    });

    it("names each secret's parameter by stack, service and variable", () => {
        const svc = resolve({
            svc: {
                ...ok,
                secrets: { DB: { fromConfig: "dbPassword" }, KEY: { generate: { length: 32 } }, EXT: { existing: "/shared/x" } },
            },
        }).services[0];
        assert.deepEqual(svc.secrets, [
            { name: "DB", source: "config", configKey: "dbPassword", parameterName: "/fleet/dev/svc/DB" },
            { name: "EXT", source: "existing", parameter: "/shared/x" },
            { name: "KEY", source: "generate", length: 32, parameterName: "/fleet/dev/svc/KEY" },
        ]);
    });

    it("hardens containers by default and records opt-outs with their reasons", () => {
        const [plain, rooted] = resolve({
            plain: ok,
            rooted: {
                ...ok,
                user: "root",
                optOut: { nonRootUser: "the vendor image must start as root", noNewPrivileges: "drops to its user with setuid" },
            },
        }).services;
        assert.deepEqual(plain.security, {
            readonlyRootFilesystem: true,
            user: "1000",
            privileged: false,
            initProcessEnabled: true,
            noNewPrivileges: true,
            optOuts: {},
        });
        assert.deepEqual(rooted.security, {
            readonlyRootFilesystem: true,
            user: "root",
            privileged: false,
            initProcessEnabled: true,
            noNewPrivileges: false,
            optOuts: { nonRootUser: "the vendor image must start as root", noNewPrivileges: "drops to its user with setuid" },
        });
    });

    it("uses the registered memory of the instance type for EC2 capacity", () => {
        const fleet = resolve(
            { svc: { ...ok, capacity: "ec2" } },
            { cluster: { ec2: { instanceType: "m6i.large", minSize: 1, maxSize: 3 } } },
        );
        // floor(8192 × 0.975) − 256 (ECS_RESERVED_MEMORY default)
        assert.equal(fleet.cluster.ec2?.registeredMemoryMiB, 7731);
        assert.deepEqual(fleet.services[0].capacity, { kind: "ec2" });
    });
});

describe("ARNs of regional resources the stack file names", () => {
    const certificate = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
    const credential = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCd`;
    const stack = (region: string) => ({
        loadBalancer: { certificateArn: certificate(region) },
        registry: { pullThroughCache: { "docker-hub": { credentialArn: credential(region) } } },
    });
    const parameter = (region: string) => `arn:aws:ssm:${region}:123456789012:parameter/shared/token`;
    const key = (region: string) => `arn:aws:kms:${region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

    it("are accepted in the stack's region, and not checked where the region is not known", () => {
        assert.deepEqual(problemsOf({ svc: ok }, stack("eu-west-1"), { region: "eu-west-1" }), []);
        assert.deepEqual(problemsOf({ svc: ok }, stack("us-east-1"), { region: undefined }), []);
        assert.deepEqual(
            problemsOf({ svc: { ...ok, secrets: { TOKEN: { existing: parameter("us-east-1") } } } }, {}, { region: "us-east-1" }),
            [],
        );
        const keyed = (region: string) => ({ svc: { ...ok, secrets: { TOKEN: { existing: "/shared/token", kmsKey: key(region) } } } });
        assert.deepEqual(problemsOf(keyed("eu-west-1"), {}, { region: "eu-west-1" }), []);
    });
});

describe("secret config values, measured where the run can read them", () => {
    const catalog = { svc: { ...ok, secrets: { DB_PASSWORD: { fromConfig: "dbPassword" } } } };
    const lengthOf = (n: number) => ({ secretLength: (key: string) => (key === "dbPassword" ? n : undefined) });

    it("accepts one that fits, and one the run cannot read (the offline plan)", () => {
        assert.deepEqual(problemsOf(catalog, {}, lengthOf(4096)), []);
        assert.deepEqual(problemsOf(catalog, {}, { secretLength: undefined }), []);
    });
});
