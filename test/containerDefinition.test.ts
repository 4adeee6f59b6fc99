/**
 * The container definition builder (model/containerDefinition.ts), without the Pulumi runtime:
 * resource values are plain strings. Tables over capacity, ports, secrets, health and opt-outs,
 * and one exact definition as ECS receives it (the JSON the policy pack and the review parse).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ContainerInputs, containerDefinition, secretVersionLabelPrefix, tmpfsSizeMiB } from "../model/containerDefinition";
import { ContainerSecurity, ResolvedCapacity, ResolvedService } from "../model/fleet";

const fargate: ResolvedCapacity = { kind: "fargate", spot: false, size: { cpu: 256, memory: 1024 } };
const ec2: ResolvedCapacity = { kind: "ec2" };

const secure: ContainerSecurity = {
    readonlyRootFilesystem: true,
    user: "1000",
    privileged: false,
    initProcessEnabled: true,
    noNewPrivileges: true,
    optOuts: {},
};

const api: ResolvedService = {
    name: "api",
    image: { kind: "direct", reference: "ghcr.io/acme/api:1.2.3" },
    port: 8080,
    protocol: "http",
    deployment: "rolling",
    rules: [],
    health: {
        path: "/healthz",
        matcher: "200-399",
        gracePeriodSeconds: 30,
        intervalSeconds: 10,
        timeoutSeconds: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
    },
    memory: { reservation: 256, limit: 768 },
    cpu: 256,
    env: { LOG_LEVEL: "info" },
    secrets: [],
    desiredCount: 2,
    stopTimeout: 30,
    deregistrationDelay: 15,
    capacity: fargate,
    networkMode: "awsvpc",
    security: secure,
    urls: [],
    grants: [],
    connects: [],
};

const noSecrets: ContainerInputs<string> = {
    image: "ghcr.io/acme/api:1.2.3",
    logGroupName: "/fleet/test/api",
    region: "eu-west-1",
    secrets: new Map(),
};
const withSecrets: ContainerInputs<string> = {
    ...noSecrets,
    secrets: new Map([
        ["DB_PASSWORD", { arn: "arn:aws:ssm:eu-west-1:123456789012:parameter/fleet/test/api/DB_PASSWORD", version: "3" }],
        ["SHARED", { arn: "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/token", version: "1" }],
    ]),
};

/** The definition as ECS receives it: through JSON, so undefined fields are absent. */
const asJson = (spec: ResolvedService, inputs: ContainerInputs<string> = noSecrets) =>
    JSON.parse(JSON.stringify(containerDefinition(spec, inputs)));

describe("containerDefinition", () => {
    it("is exactly this for a Fargate service with a port and secrets", () => {
        assert.deepEqual(asJson(api, withSecrets), {
            name: "api",
            image: "ghcr.io/acme/api:1.2.3",
            essential: true,
            cpu: 256,
            memory: 768,
            memoryReservation: 256,
            portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
            environment: [{ name: "LOG_LEVEL", value: "info" }],
            secrets: [
                { name: "DB_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/fleet/test/api/DB_PASSWORD" },
                { name: "SHARED", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/token" },
            ],
            dockerLabels: { "fleet.secret-version.DB_PASSWORD": "3", "fleet.secret-version.SHARED": "1" },
            logConfiguration: {
                logDriver: "awslogs",
                options: {
                    "awslogs-group": "/fleet/test/api",
                    "awslogs-region": "eu-west-1",
                    "awslogs-stream-prefix": "api",
                    mode: "non-blocking",
                    "max-buffer-size": "25m",
                },
            },
            stopTimeout: 30,
            user: "1000",
            readonlyRootFilesystem: true,
            linuxParameters: {
                initProcessEnabled: true,
                capabilities: { drop: ["ALL"] },
                tmpfs: [{ containerPath: "/tmp", size: 192, mountOptions: ["rw", "nosuid", "nodev", "mode=1777"] }],
            },
        });
    });

    it("keeps the JSON's key order (a reordering would be a new task definition revision for every service)", () => {
        assert.deepEqual(
            Object.keys(asJson({ ...api, command: ["serve"], health: { ...api.health, command: ["CMD", "true"] } }, withSecrets)),
            [
                "name",
                "image",
                "essential",
                "cpu",
                "memory",
                "memoryReservation",
                "portMappings",
                "command",
                "environment",
                "secrets",
                "dockerLabels",
                "logConfiguration",
                "healthCheck",
                "stopTimeout",
                "user",
                "readonlyRootFilesystem",
                "linuxParameters",
            ],
        );
    });

    const ports: [string, Partial<ResolvedService>, unknown][] = [
        [
            "Fargate (awsvpc): the container port on the host",
            { capacity: fargate },
            [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
        ],
        ["Fargate Spot: the same", { capacity: { ...fargate, spot: true } }, [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]],
        [
            "EC2 (bridge): a dynamic host port",
            { capacity: ec2, networkMode: "bridge" },
            [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
        ],
        [
            "EC2 in Service Connect (awsvpc): the container port",
            { capacity: ec2, networkMode: "awsvpc" },
            [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
        ],
        ["a worker with no port: none", { port: undefined }, []],
    ];
    for (const [when, spec, expected] of ports) {
        it(`maps ports on ${when}`, () => assert.deepEqual(asJson({ ...api, ...spec }).portMappings, expected));
    }

    it("lets a non-root server with no capabilities bind a port below 1024, and nothing below its own", () => {
        for (const capacity of [fargate, ec2]) {
            assert.deepEqual(asJson({ ...api, capacity, port: 80 }).systemControls, [
                { namespace: "net.ipv4.ip_unprivileged_port_start", value: "80" },
            ]);
        }
        assert.equal(asJson({ ...api, port: 1024 }).systemControls, undefined);
        assert.equal(asJson({ ...api, port: undefined }).systemControls, undefined);
    });

    const hardening: [string, Partial<ResolvedService>, Record<string, unknown>][] = [
        [
            "Fargate: no privileged flag, no dockerSecurityOptions (Fargate refuses both)",
            { capacity: fargate },
            {
                user: "1000",
                readonlyRootFilesystem: true,
                privileged: undefined,
                dockerSecurityOptions: undefined,
                capabilities: { drop: ["ALL"] },
                tmpfs: 192,
            },
        ],
        [
            "EC2: privileged off and no-new-privileges",
            { capacity: ec2 },
            {
                user: "1000",
                readonlyRootFilesystem: true,
                privileged: false,
                dockerSecurityOptions: ["no-new-privileges"],
                capabilities: { drop: ["ALL"] },
                tmpfs: 192,
            },
        ],
        [
            "EC2 with the privileged opt-out",
            { capacity: ec2, security: { ...secure, privileged: true, optOuts: { privileged: "the agent needs the host network stack" } } },
            {
                user: "1000",
                readonlyRootFilesystem: true,
                privileged: true,
                dockerSecurityOptions: ["no-new-privileges"],
                capabilities: { drop: ["ALL"] },
                tmpfs: 192,
            },
        ],
        [
            "the readonlyRootFilesystem opt-out: a writable root and no tmpfs",
            { security: { ...secure, readonlyRootFilesystem: false } },
            {
                user: "1000",
                readonlyRootFilesystem: false,
                privileged: undefined,
                dockerSecurityOptions: undefined,
                capabilities: { drop: ["ALL"] },
                tmpfs: undefined,
            },
        ],
        [
            "the noNewPrivileges opt-out on EC2: capabilities kept, no security option",
            { capacity: ec2, security: { ...secure, noNewPrivileges: false } },
            {
                user: "1000",
                readonlyRootFilesystem: true,
                privileged: false,
                dockerSecurityOptions: undefined,
                capabilities: undefined,
                tmpfs: 192,
            },
        ],
        [
            "the nonRootUser opt-out: the image's own user",
            { security: { ...secure, user: undefined } },
            {
                user: undefined,
                readonlyRootFilesystem: true,
                privileged: undefined,
                dockerSecurityOptions: undefined,
                capabilities: { drop: ["ALL"] },
                tmpfs: 192,
            },
        ],
    ];
    for (const [when, spec, expected] of hardening) {
        it(`hardens the container on ${when}`, () => {
            const c = containerDefinition({ ...api, ...spec }, noSecrets);
            assert.deepEqual(
                {
                    user: c.user,
                    readonlyRootFilesystem: c.readonlyRootFilesystem,
                    privileged: c.privileged,
                    dockerSecurityOptions: c.dockerSecurityOptions,
                    capabilities: c.linuxParameters.capabilities,
                    tmpfs: c.linuxParameters.tmpfs?.[0].size,
                },
                expected,
            );
            assert.equal(c.linuxParameters.initProcessEnabled, true);
        });
    }

    it("labels every secret with its parameter version, and sets no labels without secrets", () => {
        const labelled = containerDefinition(api, withSecrets);
        assert.deepEqual(Object.keys(labelled.dockerLabels ?? {}), [
            `${secretVersionLabelPrefix}DB_PASSWORD`,
            `${secretVersionLabelPrefix}SHARED`,
        ]);
        assert.equal(containerDefinition(api, noSecrets).dockerLabels, undefined);
        assert.deepEqual(containerDefinition(api, noSecrets).secrets, []);
    });

    const healthChecks: [string, Partial<ResolvedService["health"]>, unknown][] = [
        ["no command: none (the target group checks the path)", {}, undefined],
        [
            "a command: every 15 s, the grace period as start period",
            { command: ["CMD-SHELL", "true"] },
            { command: ["CMD-SHELL", "true"], interval: 15, timeout: 5, retries: 3, startPeriod: 30 },
        ],
        [
            "a long grace period: the start period capped at ECS's 300 s",
            { command: ["CMD", "true"], gracePeriodSeconds: 900 },
            { command: ["CMD", "true"], interval: 15, timeout: 5, retries: 3, startPeriod: 300 },
        ],
    ];
    for (const [when, health, expected] of healthChecks) {
        it(`checks health with ${when}`, () =>
            assert.deepEqual(containerDefinition({ ...api, health: { ...api.health, ...health } }, noSecrets).healthCheck, expected));
    }

    it("passes values from resources through as they are (Outputs in infra)", () => {
        type Ref = { ref: string };
        const ref = (r: string): Ref => ({ ref: r });
        const c = containerDefinition<Ref>(api, {
            image: ref("image"),
            logGroupName: ref("group"),
            region: ref("region"),
            secrets: new Map([["A", { arn: ref("arn"), version: ref("v") }]]),
        });
        assert.deepEqual(
            [
                c.image,
                c.logConfiguration.options["awslogs-group"],
                c.logConfiguration.options["awslogs-region"],
                c.secrets[0].valueFrom,
                c.dockerLabels?.[`${secretVersionLabelPrefix}A`],
            ],
            [ref("image"), ref("group"), ref("region"), ref("arn"), ref("v")],
        );
    });

    it("imports nothing from @pulumi (model/ is pure)", () => {
        const source = fs.readFileSync(path.join(__dirname, "..", "model", "containerDefinition.ts"), "utf8");
        // Only fleet's own pure modules: the model and its facts (facts/ imports nothing).
        assert.deepEqual(
            [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]),
            ["./fleet", "../facts/aws"],
        );
    });
});

describe("tmpfsSizeMiB", () => {
    const table: [number, number][] = [
        [32, 16],
        [64, 16],
        [128, 32],
        [768, 192],
        [1024, 256],
        [8192, 256],
    ];
    for (const [limit, size] of table) {
        it(`gives a ${limit} MiB container a ${size} MiB /tmp`, () => assert.equal(tmpfsSizeMiB(limit), size));
    }
});
