/**
 * Three applications other people wrote, as catalogs written from their own compose files and
 * Kubernetes manifests (examples/): Google's Online Boutique (gRPC between eleven services, Redis),
 * Docker's Example Voting App (Redis, Postgres on EFS, a .NET worker) and Weaveworks Sock Shop
 * (MongoDB, MySQL, RabbitMQ, Java services). Each plans in its dev and prod stack as a user runs
 * it, policy-clean, and its plan shows what each server speaks and mounts, with the wiring that
 * matters: protocols, variables, volumes, file systems, deployments.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { PlanResource } from "../plan/runProgram";
import { planOrFail, PlanJson } from "./support/planCli";
import { projectRoot } from "./support/fixtures";

const apps = ["online-boutique", "voting-app", "sock-shop"] as const;
const stacks = ["dev", "prod"] as const;
type App = (typeof apps)[number];
type Stack = (typeof stacks)[number];

const plans = new Map<string, PlanJson>();
const catalogs = new Map<App, Record<string, { port?: number; protocol?: string; volumes?: Record<string, unknown> }>>();

before(async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-examples-"));
    const runs = apps.flatMap((app) =>
        stacks.map(async (stack) => {
            const root = path.join(projectRoot, "examples", app);
            const args = ["--root", root, "--catalog", path.join(root, "services.ts"), "--stack", stack];
            plans.set(
                `${app}/${stack}`,
                await planOrFail(args, { json: path.join(out, `${app}-${stack}.json`), label: `${app} ${stack}` }),
            );
        }),
    );
    for (const app of apps) catalogs.set(app, require(path.join(projectRoot, "examples", app, "services.ts")).services);
    await Promise.all(runs);
});

const planOf = (app: App, stack: Stack) => plans.get(`${app}/${stack}`)!;
const one = (plan: PlanJson, type: string, name: string): PlanResource => {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${type} ${name}`);
    return found[0];
};
const containerOf = (plan: PlanJson, service: string) =>
    JSON.parse(String(one(plan, "aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`).inputs.containerDefinitions))[0];

for (const app of apps) {
    for (const stack of stacks) {
        describe(`${app} in ${stack}`, () => {
            it("plans policy-clean", () => {
                const plan = planOf(app, stack);
                assert.deepEqual(
                    plan.policy?.violations.filter((v) => !v.waived),
                    [],
                );
            });

            it("shows each server's protocol, as its catalog says", () => {
                const catalog = catalogs.get(app)!;
                const disabled = new Set(planOf(app, stack).model?.disabled ?? []);
                const expected = Object.entries(catalog)
                    .filter(([name, entry]) => entry.port !== undefined && !disabled.has(name))
                    .map(([service, entry]) => ({ service, port: entry.port, protocol: entry.protocol ?? "http" }))
                    .sort((a, b) => a.service.localeCompare(b.service));
                assert.deepEqual(planOf(app, stack).model?.ports, expected);
            });

            it("shows each service's volumes, as its catalog says", () => {
                const catalog = catalogs.get(app)!;
                const shown = (planOf(app, stack).model?.services ?? []).flatMap((s) =>
                    (s.volumes ?? []).map((v) => [s.name, v.path, v.kind]),
                );
                const written = Object.entries(catalog)
                    .flatMap(([name, entry]) =>
                        Object.entries(entry.volumes ?? {}).map(([volumePath, v]) => [
                            name,
                            volumePath,
                            v === "scratch" ? "scratch" : "efs",
                        ]),
                    )
                    .sort((a, b) => a.join().localeCompare(b.join()));
                assert.deepEqual(
                    shown.sort((a, b) => a.join().localeCompare(b.join())),
                    written,
                );
            });
        });
    }
}

describe("Online Boutique", () => {
    it("runs its gRPC servers under Service Connect as grpc, each caller keeping the app's own variable", () => {
        const plan = planOf("online-boutique", "prod");
        assert.deepEqual(containerOf(plan, "productcatalogservice").portMappings, [
            { name: "productcatalogservice", containerPort: 3550, hostPort: 3550, protocol: "tcp", appProtocol: "grpc" },
        ]);
        const frontend = containerOf(plan, "frontend");
        const env = Object.fromEntries(frontend.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
        assert.equal(env.PRODUCT_CATALOG_SERVICE_ADDR, "productcatalogservice:3550");
        assert.equal(env.PRODUCTCATALOGSERVICE_ADDR, "productcatalogservice:3550");
        // Redis speaks TCP: a named port without an appProtocol, and a per-task /data as the image's redis user.
        const redis = containerOf(plan, "redis-cart");
        assert.deepEqual(redis.portMappings, [{ name: "redis-cart", containerPort: 6379, hostPort: 6379, protocol: "tcp" }]);
        assert.equal(redis.user, "999:1000");
        assert.equal(redis.readonlyRootFilesystem, true);
        assert.deepEqual(
            redis.mountPoints.map((m: { containerPath: string; readOnly: boolean }) => [m.containerPath, m.readOnly]),
            [["/data", false]],
        );
    });

    it("routes only the front end, and warns once about the gRPC servers without a health check", () => {
        const plan = planOf("online-boutique", "prod");
        assert.deepEqual(
            plan.resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup").map((r) => [r.name, r.inputs.protocolVersion]),
            [["frontend-tg", "HTTP1"]],
        );
        // The gRPC servers' warning, and the sample stack's placeholders.
        assert.equal(plan.model?.warnings?.length, 2);
        assert.match(
            plan.model!.warnings![1],
            /^replace before a real deploy, still the samples' placeholders: fleet:domain \(example\.com\)/,
        );
        const grpcServers = [
            "adservice",
            "cartservice",
            "checkoutservice",
            "currencyservice",
            "emailservice",
            "paymentservice",
            "productcatalogservice",
            "recommendationservice",
            "shippingservice",
        ];
        assert.ok(plan.model!.warnings![0].startsWith(`services ${grpcServers.join(", ")} are called through connects`));
    });

    it("leaves the load generator out of prod", () => {
        assert.deepEqual(planOf("online-boutique", "prod").model?.disabled, ["loadgenerator"]);
        assert.deepEqual(planOf("online-boutique", "dev").model?.disabled, []);
    });
});

describe("Example Voting App", () => {
    for (const stack of stacks) {
        it(`keeps Postgres on the stack's encrypted file system through its own access point, deployed stop-first (${stack})`, () => {
            const plan = planOf("voting-app", stack);
            const point = one(plan, "aws:efs/accessPoint:AccessPoint", "db-efs-pgdata").inputs;
            assert.deepEqual(point.posixUser, { uid: 70, gid: 70 });
            assert.deepEqual(point.rootDirectory, { path: "/db", creationInfo: { ownerUid: 70, ownerGid: 70, permissions: "0750" } });
            const fileSystem = plan.resources.find((r) => r.type === "aws:efs/fileSystem:FileSystem")!;
            assert.equal(fileSystem.inputs.encrypted, true);
            assert.equal(fileSystem.protect, stack === "prod");
            const service = one(plan, "aws:ecs/service:Service", "db").inputs;
            assert.deepEqual([service.deploymentMinimumHealthyPercent, service.deploymentMaximumPercent], [0, 100]);
            // The password is read from its SSM parameter, never written in the task definition.
            const db = containerOf(plan, "db");
            assert.deepEqual(
                db.secrets.map((s: { name: string; valueFrom: string }) => [s.name, s.valueFrom]),
                [["POSTGRES_PASSWORD", "arn:aws:ssm:us-east-1:123456789012:parameter/fleet/" + stack + "/db/POSTGRES_PASSWORD"]],
            );
            assert.equal(JSON.stringify(plan).includes("postgres:postgres"), false);
        });
    }

    it("opens NFS to the db's own group alone, on Fargate (dev) and on EC2 (prod), where Service Connect runs it in awsvpc", () => {
        const nfs = (stack: Stack) =>
            planOf("voting-app", stack)
                .resources.filter(
                    (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.fromPort === 2049,
                )
                .map((r) => r.name);
        assert.deepEqual(nfs("dev"), ["db-nfs-pgdata"]);
        assert.deepEqual(nfs("prod"), ["db-nfs-pgdata"]);
    });
});

describe("Sock Shop", () => {
    it("runs its data stores as tcp servers on per-task volumes, and its port-80 binaries with their capabilities", () => {
        const plan = planOf("sock-shop", "prod");
        assert.deepEqual(containerOf(plan, "rabbitmq").portMappings, [
            { name: "rabbitmq", containerPort: 5672, hostPort: 5672, protocol: "tcp" },
        ]);
        assert.deepEqual(
            containerOf(plan, "user-db").mountPoints.map((m: { containerPath: string }) => m.containerPath),
            ["/data/db-users"],
        );
        // optOut.noNewPrivileges keeps Docker's default capabilities: the binaries carry cap_net_bind_service.
        assert.equal(containerOf(plan, "catalogue").linuxParameters.capabilities, undefined);
        assert.deepEqual(containerOf(plan, "front-end").linuxParameters.capabilities, { drop: ["ALL"] });
        assert.deepEqual(plan.outputs.urls, { "front-end": ["https://socks.sock-shop.example.com/"] });
    });
});
