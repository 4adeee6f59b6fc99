/**
 * Validation and resolution of the catalog and the stack file: every invalid input has its exact
 * message (service, field, value, fix), and valid input resolves to the expected defaults.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Catalog, serviceFields } from "../model/catalog";
import { show } from "../model/problems";
import { controlIds } from "../facts/controls";
import { ImageBuild, ImageTag } from "../model/fleet";
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

function errorsOf(catalog: unknown, config: Record<string, unknown> = {}, extra: Partial<FleetInput> = {}): readonly string[] {
    const result = resolveFleet(catalog, input(config, extra));
    return result.ok ? [] : result.errors;
}

function resolve(catalog: Catalog, config: Record<string, unknown> = {}) {
    const result = resolveFleet(catalog, input(config));
    if (!result.ok) assert.fail(`expected a valid fleet, got:\n${result.errors.join("\n")}`);
    return result.fleet;
}

const t3small = { cluster: { defaultCapacity: "ec2", ec2: { instanceType: "t3.small", minSize: 0, maxSize: 2 } } };

/** [what, catalog, stack config, exact messages] */
const cases: [string, unknown, Record<string, unknown>, string[]][] = [
    [
        "soft memory at the hard limit",
        { svc: { ...ok, memory: { reservation: 512, limit: 512 } } },
        {},
        [
            'service "svc": memory.reservation = 512: must be below memory.limit ' +
                "(512): AWS requires the hard limit (memory) above the soft " +
                "reservation (memoryReservation); lower memory.reservation or raise " +
                "memory.limit.",
        ],
    ],
    [
        "soft memory above the hard limit",
        { svc: { ...ok, memory: { reservation: 1024, limit: 512 } } },
        {},
        [
            'service "svc": memory.reservation = 1024: must be below memory.limit ' +
                "(512): AWS requires the hard limit (memory) above the soft " +
                "reservation (memoryReservation); lower memory.reservation or raise " +
                "memory.limit.",
        ],
    ],
    [
        "zero memory reservation",
        { svc: { ...ok, memory: { reservation: 0, limit: 128 } } },
        {},
        [
            'service "svc": memory.reservation = 0: must be a whole number from 6 ' +
                "to 1000000; use the MiB the service needs at steady state (at least 6).",
        ],
    ],
    [
        "negative memory limit",
        { svc: { ...ok, memory: { reservation: 64, limit: -5 } } },
        {},
        [
            'service "svc": memory.limit = -5: must be a whole number from 7 to ' +
                "1000000; use the MiB at which the container should be killed (above " +
                "the reservation).",
        ],
    ],
    [
        "missing memory",
        { svc: { image: "redis:7" } },
        {},
        [
            'service "svc": memory = (missing): is required; set memory: { ' +
                "reservation, limit } in MiB, the soft reservation below the hard limit.",
        ],
    ],
    [
        "zero cpu",
        { svc: { ...ok, cpu: 0 } },
        {},
        ['service "svc": cpu = 0: must be a whole number from 128 to 16384; use CPU units: 1024 is one vCPU, 256 a quarter.'],
    ],
    [
        "negative desired count",
        { svc: { ...ok, desiredCount: -1 } },
        {},
        ['service "svc": desiredCount = -1: must be a whole number from 0 to 1000; use 0-1000 tasks.'],
    ],
    [
        "memory beyond the largest Fargate task",
        { svc: { ...ok, cpu: 16384, memory: { reservation: 1024, limit: 200000 } } },
        {},
        [
            'service "svc": memory.limit = 200000: no Fargate task size holds ' +
                "16384 CPU units and 200000 MiB (the largest is 16384 units, 122880 " +
                "MiB); lower cpu or memory.limit, or run the service on ec2 capacity.",
        ],
    ],
    [
        "memory beyond what the instance type registers",
        { svc: { ...ok, memory: { reservation: 512, limit: 2048 } } },
        t3small,
        [
            'service "svc": memory.limit = 2048: exceeds the 1740 MiB a t3.small ' +
                "registers for tasks, so the task can never be placed; lower the limit " +
                "or choose a larger fleet:cluster.ec2.instanceType.",
        ],
    ],
    [
        "cpu beyond the instance type",
        { svc: { ...ok, cpu: 4096 } },
        t3small,
        ['service "svc": cpu = 4096: exceeds the 2048 units of a t3.small; lower cpu or choose a larger instance type.'],
    ],
    [
        "port out of range",
        { svc: { ...ok, port: 70000, routes: [{ host: "svc" }] } },
        {},
        ['service "svc": port = 70000: must be a whole number from 1 to 65535; use the port the container listens on (1-65535).'],
    ],
    [
        "routes without a port",
        { svc: { ...ok, routes: [{ host: "svc" }] } },
        {},
        ['service "svc": port = (missing): is required when the service has routes; set the port the container listens on.'],
    ],
    [
        "a route with neither host nor path",
        { svc: { ...ok, port: 80, routes: [{}] } },
        {},
        [
            'service "svc": routes[0] = {}: has neither host nor path, so it would ' +
                'match every request; add a host or a path (use path "/*" for an ' +
                "explicit catch-all).",
        ],
    ],
    [
        "a malformed subdomain",
        { svc: { ...ok, port: 80, routes: [{ host: "api_v1" }] } },
        {},
        [
            'service "svc": routes[0].host = "api_v1": is not a valid ALB host ' +
                "condition (expands to api_v1.example.com): at most 128 characters of " +
                "a-z 0-9 - . * ?, with only letters after the last dot; use a host " +
                "such as api.example.com or *.example.com.",
        ],
    ],
    [
        "a host whose last label is not alphabetic",
        { svc: { ...ok, port: 80, routes: [{ host: "api.example.c0m" }] } },
        {},
        [
            'service "svc": routes[0].host = "api.example.c0m": is not a valid ALB ' +
                "host condition: at most 128 characters of a-z 0-9 - . * ?, with only " +
                "letters after the last dot; use a host such as api.example.com or " +
                "*.example.com.",
        ],
    ],
    [
        "a subdomain with no fleet:domain",
        { svc: { ...ok, port: 80, routes: [{ host: "api" }] } },
        { domain: undefined },
        [
            'service "svc": routes[0].host = "api": is a subdomain, but the stack ' +
                "has no fleet:domain; set fleet:domain in Pulumi.dev.yaml or write the " +
                "full host.",
        ],
    ],
    [
        "a path without a leading slash",
        { svc: { ...ok, port: 80, routes: [{ path: "api/*" }] } },
        {},
        [
            'service "svc": routes[0].path = "api/*": is not a valid ALB path ' +
                "condition: it must start with / and have at most 128 characters of " +
                "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ?; use a pattern such as /api/*.",
        ],
    ],
    [
        "a path over 128 characters",
        { svc: { ...ok, port: 80, routes: [{ path: "/" + "a".repeat(128) }] } },
        {},
        [
            `service "svc": routes[0].path = ${show("/" + "a".repeat(128))}: is ` +
                `not a valid ALB path condition: it must start with / and have at most ` +
                `128 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?; use a ` +
                `pattern such as /api/*.`,
        ],
    ],
    [
        "more than five condition values in one rule",
        { svc: { ...ok, port: 80, routes: [{ host: ["a", "b", "c"], path: ["/x", "/y", "/z"] }] } },
        {},
        [
            `service "svc": routes[0] ` +
                `= ${show({ host: ["a", "b", "c"], path: ["/x", "/y", "/z"] })}: has 6 ` +
                `host and path values, above AWS's 5 condition values per rule; split ` +
                `it into several routes.`,
        ],
    ],
    [
        "both image and build",
        { svc: { ...ok, build: "./apps/api" } },
        {},
        [
            'service "svc": image, build = ' +
                '{"image":"redis:7","build":"./apps/api"}: both image and build are ' +
                "set; set exactly one: image for a published image, build for a " +
                "context built and pushed to the service's repository.",
        ],
    ],
    [
        "neither image nor build",
        { svc: { memory: { reservation: 64, limit: 128 } } },
        {},
        [
            'service "svc": image = (missing): neither image nor build is set; set ' +
                "exactly one: image for a published image, build for a context built " +
                "and pushed to the service's repository.",
        ],
    ],
    [
        "an image without a tag",
        { svc: { ...ok, image: "redis" } },
        {},
        [
            'service "svc": image = "redis": is not a valid image reference: it ' +
                "has no tag or digest (pin one, e.g. redis:7.4; `latest` drifts " +
                "between deploys); use registry/repository:tag, e.g. redis:7.4, " +
                "ghcr.io/org/app:1.2 or public.ecr.aws/nginx/nginx:1.27.",
        ],
    ],
    [
        "an image with an uppercase repository",
        { svc: { ...ok, image: "Redis:7" } },
        {},
        [
            'service "svc": image = "Redis:7": is not a valid image reference: it ' +
                "has a malformed repository path (lowercase letters, digits and . _ - " +
                "separators, components split by /); use registry/repository:tag, e.g. " +
                "redis:7.4, ghcr.io/org/app:1.2 or public.ecr.aws/nginx/nginx:1.27.",
        ],
    ],
    [
        "a build context outside the repository",
        { svc: { memory: ok.memory, build: "../elsewhere" } },
        {},
        ['service "svc": build.context = "../elsewhere": must be a path inside the repository starting with ./; use e.g. ./apps/api.'],
    ],
    [
        "an invalid service name",
        { Api_Service: ok },
        {},
        [
            'service "Api_Service": name = "Api_Service": has characters a DNS label ' +
                'cannot have ("A", "_", "S"); a service name is a DNS label of 2-63 ' +
                "lowercase letters, digits and hyphens, starting with a letter and " +
                "ending with a letter or digit, with no two hyphens in a row (ECR " +
                "repository names refuse them); rename the catalog key, e.g. to api-service.",
        ],
    ],
    [
        "a service name longer than a DNS label",
        { [`a-very-long-service-name-${"x".repeat(39)}`]: ok },
        {},
        [
            `service "a-very-long-service-name-${"x".repeat(39)}": name = ` +
                `"a-very-long-service-name-${"x".repeat(39)}": is 64 characters, more than 63; ` +
                "a service name is a DNS label of 2-63 lowercase letters, digits and " +
                "hyphens, starting with a letter and ending with a letter or digit, with " +
                "no two hyphens in a row (ECR repository names refuse them); rename the " +
                "catalog key.",
        ],
    ],
    [
        "a typo in a field name",
        { svc: { image: "redis:7", memroy: { reservation: 64, limit: 128 } } },
        {},
        [
            // Every field of the contract, in the schema's order (the list grows with it).
            `service "svc": memroy = (value not shown): unknown field (did you mean "memory"?); use one of ${serviceFields.join(", ")}.`,
            'service "svc": memory = (missing): is required; set memory: { ' +
                "reservation, limit } in MiB, the soft reservation below the hard limit.",
        ],
    ],
    [
        "a typo in a nested field",
        { svc: { ...ok, memory: { reservation: 64, limt: 128 } } },
        {},
        [
            'service "svc": memory.limt = 128: unknown field (did you mean "limit"?); use reservation and limit.',
            'service "svc": memory.limit = (missing): is required; use the MiB at ' +
                "which the container should be killed (above the reservation).",
        ],
    ],
    [
        "objects written as scalars: every field they take, read from the schema",
        { svc: { ...ok, health: "/healthz", scaling: 3 } },
        { loadBalancer: "alb", cluster: { ec2: "t3.medium" } },
        [
            'stack config fleet:cluster: ec2 = "t3.medium": must be an object; set { instanceType, minSize?, ' +
                "maxSize, targetCapacityPercent?, reservedMemoryMiB?, rootVolumeGiB? }.",
            'stack config fleet:loadBalancer: loadBalancer = "alb": must be an object; set { certificateArn?, ' +
                "sslPolicy?, deletionProtection?, idleTimeoutSeconds?, accessLogs? }.",
            'service "svc": health = "/healthz": must be an object; set { path?, matcher?, command?, gracePeriodSeconds? }.',
            'service "svc": scaling = 3: must be an object; set { min, max, cpuPercent?, requestsPerTarget?, queue?, schedule? }.',
        ],
    ],
    [
        "an access-log bucket with a name S3 reserves (the rule access grants use too)",
        { svc: ok },
        { loadBalancer: { accessLogs: { bucket: "sthree-alb-logs" } } },
        [
            'stack config fleet:loadBalancer: accessLogs.bucket = "sthree-alb-logs": is not an S3 bucket ' +
                "name; name an existing bucket whose policy lets the ELB service write to it.",
        ],
    ],
    [
        "a bad environment variable name",
        { svc: { ...ok, env: { "1BAD": "x" } } },
        {},
        [
            'service "svc": env.1BAD = (value not shown): is not a valid ' +
                "environment variable name; use letters, digits and _ not starting " +
                "with a digit.",
        ],
    ],
    [
        "a non-string environment value",
        { svc: { ...ok, env: { PORT: 8080 } } },
        {},
        ['service "svc": env.PORT = (value not shown): must be a string, not a number; quote the value in the catalog.'],
    ],
    [
        "a variable both in env and secrets",
        { svc: { ...ok, env: { TOKEN: "x" }, secrets: { TOKEN: { generate: { length: 32 } } } } },
        {},
        [
            'service "svc": env.TOKEN = (value not shown): is also declared under ' +
                "secrets; keep it in secrets only; secrets never go in plain " +
                "environment.",
        ],
    ],
    [
        "a bad secret name",
        { svc: { ...ok, secrets: { "bad-name": { generate: { length: 32 } } } } },
        {},
        [
            'service "svc": secrets.bad-name = {"generate":{"length":32}}: is not ' +
                "a valid environment variable name; use letters, digits and _ not " +
                "starting with a digit.",
        ],
    ],
    [
        "a secret with two sources",
        { svc: { ...ok, secrets: { TOKEN: { generate: { length: 32 }, existing: "/x/y" } } } },
        {},
        [
            'service "svc": secrets.TOKEN = ' +
                '{"generate":{"length":32},"existing":"/x/y"}: must have exactly one ' +
                'source; use { fromConfig: "key" }, { generate: { length: 32 } } or { ' +
                'existing: "/path/to/parameter" }.',
        ],
    ],
    [
        "a secret's value written where its source goes: never repeated",
        { svc: { ...ok, secrets: { DB: "hunter2", API_KEY: { value: "s3cr3t" } } } },
        {},
        [
            'service "svc": secrets.DB = (value not shown): must have exactly one source; use { fromConfig: "key" }, ' +
                '{ generate: { length: 32 } } or { existing: "/path/to/parameter" }.',
            'service "svc": secrets.API_KEY = (value not shown): must have exactly one source; use { fromConfig: "key" }, ' +
                '{ generate: { length: 32 } } or { existing: "/path/to/parameter" }.',
        ],
    ],
    [
        "secrets that are not a map: never repeated",
        { svc: { ...ok, secrets: "hunter2" } },
        {},
        [
            'service "svc": secrets = (value not shown): must map variable names to a source; ' +
                'use { NAME: { fromConfig: "key" } | { generate: { length: 32 } } | { existing: "/ssm/name" } }.',
        ],
    ],
    [
        "a secret from a config key that is not set",
        { svc: { ...ok, secrets: { DB: { fromConfig: "missingKey" } } } },
        {},
        [
            'service "svc": secrets.DB.fromConfig = "missingKey": is not set in ' +
                "Pulumi.dev.yaml; run: pulumi config set --secret missingKey <value> -s dev.",
        ],
    ],
    [
        "a secret from a plain-text config key",
        { svc: { ...ok, secrets: { DB: { fromConfig: "plainKey" } } } },
        { plainKey: "hunter2" },
        [
            'service "svc": secrets.DB.fromConfig = "plainKey": is stored in plain ' +
                "text in Pulumi.dev.yaml; re-set it encrypted: pulumi config set " +
                "--secret plainKey <value> -s dev.",
        ],
    ],
    [
        "a generated secret that is too short",
        { svc: { ...ok, secrets: { TOKEN: { generate: { length: 8 } } } } },
        {},
        [
            'service "svc": secrets.TOKEN.generate.length = 8: must be a whole ' +
                "number from 16 to 1024; use e.g. { generate: { length: 32 } }.",
        ],
    ],
    [
        "an existing parameter under the reserved aws prefix",
        { svc: { ...ok, secrets: { TOKEN: { existing: "/aws/reference/x" } } } },
        {},
        [
            'service "svc": secrets.TOKEN.existing = "/aws/reference/x": is not an ' +
                "SSM parameter name or ARN; use /path/to/parameter (not starting with " +
                "aws or ssm) or arn:aws:ssm:<region>:<account>:parameter/path.",
        ],
    ],
    [
        "scaling min above max",
        { svc: { ...ok, scaling: { min: 5, max: 2, cpuPercent: 60 } } },
        {},
        ['service "svc": scaling.min = 5: is above scaling.max (2); lower min or raise max.'],
    ],
    [
        "scaling with no target",
        { svc: { ...ok, scaling: { min: 1, max: 2 } } },
        {},
        [
            'service "svc": scaling = {"min":1,"max":2}: has no target to track ' +
                "and no schedule; set cpuPercent, requestsPerTarget, queue or schedule.",
        ],
    ],
    [
        "scaling on requests without routes",
        { svc: { ...ok, scaling: { min: 1, max: 2, requestsPerTarget: 100 } } },
        {},
        [
            'service "svc": scaling.requestsPerTarget = 100: needs a target group, ' +
                "but the service has no routes; scale on cpuPercent instead.",
        ],
    ],
    [
        "a desired count outside the scaling bounds",
        { svc: { ...ok, desiredCount: 9, scaling: { min: 1, max: 3, cpuPercent: 50 } } },
        {},
        [
            'service "svc": desiredCount = 9: is outside scaling bounds 1-3; set ' +
                "desiredCount within them or remove it (autoscaling starts at min).",
        ],
    ],
    [
        "a CPU target above 100 percent",
        { svc: { ...ok, scaling: { min: 1, max: 3, cpuPercent: 150 } } },
        {},
        ['service "svc": scaling.cpuPercent = 150: must be a whole number from 1 to 100; use a target CPU percentage such as 60.'],
    ],
    [
        "a deregistration delay above the stop timeout",
        { svc: { ...ok, stopTimeout: 10, deregistrationDelay: 30 } },
        {},
        [
            'service "svc": deregistrationDelay = 30: is above stopTimeout (10 s): ' +
                "ECS kills the container while the ALB still sends it requests; lower " +
                "deregistrationDelay or raise stopTimeout.",
        ],
    ],
    [
        // The same threshold as the policy's FLEET.deregistration and the rollout report (facts/fleet.ts).
        "a deregistration delay that cuts in-flight requests",
        { svc: { ...ok, deregistrationDelay: 2 } },
        {},
        [
            'service "svc": deregistrationDelay = 2: must be a whole number from 5 ' +
                "to 3600; use 5-3600 seconds: under 5 s the ALB cuts in-flight " +
                "requests when a task stops.",
        ],
    ],
    [
        "a stop timeout above Fargate's maximum",
        { svc: { ...ok, stopTimeout: 300 } },
        {},
        [
            'service "svc": stopTimeout = 300: must be a whole number from 2 to ' +
                "120; use seconds between SIGTERM and SIGKILL (Fargate allows at most 120).",
        ],
    ],
    [
        "ec2 capacity on a stack without EC2",
        { svc: { ...ok, capacity: "ec2" } },
        {},
        [
            'service "svc": capacity = "ec2": stack dev has no EC2 capacity ' +
                "(fleet:cluster.ec2 is not set); set fleet:cluster.ec2 or use fargate " +
                "/ fargate-spot.",
        ],
    ],
    [
        "a health path on a service without routes",
        { svc: { ...ok, health: { path: "/healthz" } } },
        {},
        [
            'service "svc": health.path = "/healthz": is set but the service has ' +
                "no routes, so there is no target group to check it; remove " +
                "health.path or add routes (use health.command for a container check).",
        ],
    ],
    [
        "a health matcher outside 200-499",
        { svc: { ...ok, port: 80, routes: [{ host: "svc" }], health: { matcher: "500" } } },
        {},
        ['service "svc": health.matcher = "500": must be HTTP codes from 200 to 499, as a list or ranges; use e.g. 200 or 200-399.'],
    ],
    [
        "a domain pasted as Route 53 lists it, with the root dot",
        { svc: ok },
        { domain: "dev.example.com." },
        [
            'stack config fleet:domain: domain = "dev.example.com.": ends with the root dot (as Route 53 lists names); ' +
                "write dev.example.com.",
        ],
    ],
    [
        "resource URLs pasted where names belong (s3://, an SQS queue URL): the name or exact ARN to write",
        {
            svc: {
                ...ok,
                access: {
                    s3: { "s3://uploads/avatars/*": "read" },
                    sqs: { "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs": "send" },
                },
                scaling: { min: 1, max: 2, queue: { name: "https://eu-west-1.queue.amazonaws.com/123456789012/jobs", backlogPerTask: 10 } },
            },
        },
        { loadBalancer: { accessLogs: { bucket: "s3://fleet-logs" } } },
        [
            'stack config fleet:loadBalancer: accessLogs.bucket = "s3://fleet-logs": is an s3:// URL, not a name; write fleet-logs.',
            'service "svc": scaling.queue.name = "https://eu-west-1.queue.amazonaws.com/123456789012/jobs": is a queue URL, not a ' +
                "name; write arn:aws:sqs:eu-west-1:123456789012:jobs.",
            'service "svc": access.s3.s3://uploads/avatars/* = "s3://uploads/avatars/*": is an s3:// URL, not the s3 resource\'s ' +
                "name; write uploads/avatars/*.",
            'service "svc": access.sqs.https://sqs.eu-west-1.amazonaws.com/123456789012/jobs = ' +
                '"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs": is a queue URL, not the sqs resource\'s name; write ' +
                "arn:aws:sqs:eu-west-1:123456789012:jobs.",
        ],
    ],
    [
        "sizes written with units or in vCPUs, as Kubernetes and Compose write them: the number to write",
        { svc: { image: "redis:7", memory: { reservation: "256Mi", limit: "1Gi" }, cpu: "500m" }, web: { ...ok, cpu: 0.25 } },
        {},
        [
            'service "svc": memory.reservation = "256Mi": must be a whole number from 6 to 1000000; write 256 (MiB, a number ' +
                "without a unit).",
            'service "svc": memory.limit = "1Gi": must be a whole number from 7 to 1000000; write 1024 (MiB, a number without a unit).',
            'service "svc": cpu = "500m": must be a whole number from 128 to 16384; write 512 (CPU units, 1024 per vCPU).',
            'service "web": cpu = 0.25: must be a whole number from 128 to 16384; write 256 (CPU units, 1024 per vCPU).',
        ],
    ],
    [
        "a health command written as one shell line",
        { svc: { ...ok, health: { command: "curl -f http://localhost:8080/healthz || exit 1" } } },
        {},
        [
            'service "svc": health.command = "curl -f http://localhost:8080/healthz || exit 1": must be a list starting with CMD or ' +
                'CMD-SHELL; write ["CMD-SHELL","curl -f http://localhost:8080/healthz || exit 1"].',
        ],
    ],
    [
        "a command written as one string",
        { svc: { ...ok, command: "node worker.js --queue jobs" } },
        {},
        [
            'service "svc": command = "node worker.js --queue jobs": must be a non-empty list of strings; write it as a list: ' +
                '["node","worker.js","--queue","jobs"].',
        ],
    ],
    [
        "a route host written as a URL",
        { svc: { ...ok, port: 80, routes: [{ host: "https://API.example.com/v1" }] } },
        {},
        [
            'service "svc": routes[0].host = "https://API.example.com/v1": is a URL, but a route matches the Host header alone; ' +
                "write the host, e.g. api.example.com.",
        ],
    ],
    [
        "a route with more wildcards than an ALB rule takes (5)",
        { svc: { ...ok, port: 80, routes: [{ host: "*.example.com", path: "/a*/b*/c*/d*/e*" }] } },
        {},
        [
            'service "svc": routes[0] = {"host":"*.example.com","path":"/a*/b*/c*/d*/e*"}: uses 6 wildcards, above ' +
                "AWS's 5 per rule; use fewer * and ? or split the route.",
        ],
    ],
    [
        "an override for a service not in the catalog",
        { api: ok },
        { services: { apii: { desiredCount: 2 } } },
        [
            "stack config fleet:services.apii: apii = (value not shown): overrides " +
                'a service that is not in the catalog (did you mean "api"?); fix the ' +
                "name or remove the override.",
        ],
    ],
    [
        "overrides that are not an object keyed by service name",
        { api: ok },
        { services: ["api"] },
        [
            'stack config fleet:services: services = ["api"]: must be an object keyed by service name; ' +
                "write fleet:services: { api: { memory: { limit: 1024 } } }.",
        ],
    ],
    [
        "a service's override that is not an object (the entry is still checked without it)",
        { api: ok, web: { ...ok, port: 0 } },
        { services: { api: 2 } },
        [
            "stack config fleet:services.api: api = 2: must be an object of catalog fields; write e.g. { memory: { limit: 1024 } }.",
            'service "web": port = 0: must be a whole number from 1 to 65535; use the port the container listens on (1-65535).',
        ],
    ],
    [
        "an override that breaks memory names the stack file",
        { svc: ok },
        { services: { svc: { memory: { limit: 32 } } } },
        [
            'service "svc" (set in fleet:services.svc of Pulumi.dev.yaml): ' +
                "memory.reservation = 64: must be below memory.limit (32): AWS " +
                "requires the hard limit (memory) above the soft reservation " +
                "(memoryReservation); lower memory.reservation or raise memory.limit.",
        ],
    ],
    [
        "an unknown stack key",
        { svc: ok },
        { netwrok: { natGateways: "single" } },
        [
            "stack config fleet:netwrok: netwrok = (value not shown): unknown key " +
                '(did you mean "network"?); use one of fleet:domain, fleet:network, ' +
                "fleet:cluster, fleet:loadBalancer, fleet:registry, " +
                "fleet:logRetentionDays, fleet:protect, fleet:services, fleet:policy, " +
                "fleet:retired, fleet:budget, fleet:dns, or remove it.",
        ],
    ],
    [
        "no NAT gateway",
        { svc: ok },
        { network: { natGateways: "none" } },
        [
            'stack config fleet:network: natGateways = "none": leaves private ' +
                "subnets with no route to ECR, CloudWatch Logs and SSM, so tasks " +
                "cannot start (fleet creates no VPC endpoints); use single (one NAT " +
                "gateway, cheaper) or onePerAz (survives the loss of an availability zone).",
        ],
    ],
    [
        "a log retention CloudWatch does not accept",
        { svc: ok },
        { logRetentionDays: 10 },
        [
            "stack config fleet:logRetentionDays: logRetentionDays = 10: is not a " +
                "retention CloudWatch Logs accepts; use one of 1, 3, 5, 7, 14, 30, 60, " +
                "90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, " +
                "3288, 3653.",
        ],
    ],
    [
        "a certificate that is not an ACM ARN",
        { svc: ok },
        { loadBalancer: { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" } },
        [
            "stack config fleet:loadBalancer: certificateArn = " +
                '"arn:aws:iam::123456789012:server-certificate/x": is not an ACM ' +
                "certificate ARN; use arn:aws:acm:<region>:<account>:certificate/<id> " +
                "of a certificate in the stack's region.",
        ],
    ],
    [
        "a pull-through credential outside ecr-pullthroughcache/",
        { svc: ok },
        {
            registry: {
                pullThroughCache: {
                    "docker-hub": { credentialArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCd" },
                },
            },
        },
        [
            "stack config fleet:registry: " +
                "pullThroughCache.docker-hub.credentialArn = " +
                '"arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCd": ' +
                "AWS requires a Secrets Manager credential for registry-1.docker.io, " +
                "whose secret name starts with ecr-pullthroughcache/; create the " +
                "secret (aws secretsmanager create-secret --name " +
                "ecr-pullthroughcache/docker-hub ...) and set its ARN here.",
        ],
    ],
    [
        "a pull-through cache for GCR",
        { svc: ok },
        { registry: { pullThroughCache: { gcr: {} } } },
        [
            "stack config fleet:registry: pullThroughCache.gcr = {}: AWS's " +
                "pull-through cache does not support Google Container Registry; use " +
                "keys among ecr-public, quay, k8s, docker-hub, " +
                "github-container-registry, gitlab-container-registry.",
        ],
    ],
    [
        "EC2 capacity with min above max",
        { svc: ok },
        { cluster: { ec2: { instanceType: "t3.medium", minSize: 3, maxSize: 2 } } },
        ["stack config fleet:cluster: ec2.minSize = 3: is above ec2.maxSize (2); lower minSize or raise maxSize."],
    ],
    [
        "an unknown instance type",
        { svc: ok },
        { cluster: { ec2: { instanceType: "t3.mediun", minSize: 0, maxSize: 2 } } },
        [
            'stack config fleet:cluster: ec2.instanceType = "t3.mediun": is not an ' +
                'instance type fleet can size tasks for (did you mean "t3.medium"?); ' +
                "use one of t3.small, t3.medium, t3.large, t3.xlarge, t3.2xlarge, " +
                "t3a.medium, t3a.large, t4g.small, t4g.medium, t4g.large, t4g.xlarge, " +
                "t4g.2xlarge, m6i.large, m6i.xlarge, m6i.2xlarge, m7i.large, " +
                "m7i.xlarge, m7i.2xlarge, m6g.large, m7g.large, m7g.xlarge, " +
                "m7g.2xlarge, c6i.large, c6i.xlarge, c6i.2xlarge, c7i.large, " +
                "c7i.xlarge, c7i.2xlarge, c7g.large, c7g.xlarge, c7g.2xlarge, " +
                "r6i.large, r6i.xlarge, r6i.2xlarge, r7i.large, r7i.xlarge, " +
                "r7i.2xlarge, r7g.large, r7g.xlarge, r7g.2xlarge, or add the type to " +
                "model/instanceTypes.ts.",
        ],
    ],
    [
        "a container running as root",
        { svc: { ...ok, user: "0:0" } },
        {},
        [
            'service "svc": user = "0:0": runs the container as root; use the ' +
                "image's unprivileged user, or set optOut.nonRootUser with the reason.",
        ],
    ],
    [
        "an opt-out without a reason",
        { svc: { ...ok, optOut: { readonlyRootFilesystem: "" } } },
        {},
        [
            'service "svc": optOut.readonlyRootFilesystem = "": needs the reason ' +
                "the default is turned off (at least 10 characters); write why, e.g. " +
                '"nginx writes its cache under /var/cache/nginx".',
        ],
    ],
    [
        "an unknown opt-out",
        { svc: { ...ok, optOut: { readOnlyRootFs: "because the image needs it" } } },
        {},
        [
            'service "svc": optOut.readOnlyRootFs = "because the image needs it": ' +
                'is not a secure default (did you mean "readonlyRootFilesystem"?); use ' +
                "one of readonlyRootFilesystem, nonRootUser, privileged, initProcess, " +
                "noNewPrivileges.",
        ],
    ],
    [
        "privileged mode on Fargate",
        { svc: { ...ok, optOut: { privileged: "needs to load a kernel module" } } },
        {},
        [
            'service "svc": optOut.privileged = "needs to load a kernel module": ' +
                "Fargate does not run privileged containers; run the service on ec2 " +
                "capacity or drop the opt-out.",
        ],
    ],
    [
        "an unknown enforcement level",
        { svc: ok },
        { policy: { enforcement: "strict" } },
        [
            'stack config fleet:policy: enforcement = "strict": is not an ' +
                "enforcement level; use mandatory (violations fail the plan and the " +
                "preview) or advisory (they warn).",
        ],
    ],
    [
        "a waiver of an unknown control",
        { svc: ok },
        { policy: { waivers: { platform: { "ECS.55": "a perfectly fine reason" } } } },
        [
            `stack config fleet:policy: waivers.platform.ECS.55 = "a perfectly ` +
                `fine reason": is not a fleet control (did you mean "ECS.5"?); use one ` +
                `of ${controlIds.join(", ")}.`,
        ],
    ],
    [
        "a waiver for a service not in the catalog",
        { svc: ok },
        { policy: { waivers: { svx: { "ECS.5": "the image writes under var" } } } },
        [
            'stack config fleet:policy: waivers.svx = {"ECS.5":"the image writes ' +
                'under var"}: waives controls for a service that is not in the catalog ' +
                '(did you mean "svc"?); use a catalog service name, or platform for ' +
                "the shared resources.",
        ],
    ],
    [
        "a waiver whose reason cannot be a tag",
        { svc: ok },
        { policy: { waivers: { platform: { "ELB.5": "no bucket, no logs" } } } },
        [
            'stack config fleet:policy: waivers.platform.ELB.5 = "no bucket, no ' +
                'logs": is stored as an AWS tag, which allows only letters, digits, ' +
                "spaces and _ . : / = + - @ (at most 256 characters); reword it " +
                "without other punctuation.",
        ],
    ],
    [
        "a waiver without a real reason",
        { svc: ok },
        { policy: { waivers: { platform: { "ELB.5": "dev" } } } },
        [
            'stack config fleet:policy: waivers.platform.ELB.5 = "dev": needs a ' +
                "reason (at least 10 characters); write why, for the reviewers of this stack.",
        ],
    ],
    [
        "a retired service still in the catalog",
        { svc: ok },
        { retired: { svc: { reason: "replaced by something else" } } },
        [
            'stack config fleet:retired: svc = "replaced by something else": is ' +
                "retired but still in the catalog; remove the catalog entry (or set " +
                "fleet:services.svc.enabled: false in this stack) to retire it, or " +
                "remove it from fleet:retired to keep running it.",
        ],
    ],
    [
        "a retirement of something that cannot be a service",
        { svc: ok },
        { retired: { X_1: { reason: "replaced by something else" } } },
        [
            'stack config fleet:retired: X_1 = "X_1": is not a service name: it has ' +
                'characters a DNS label cannot have ("X", "_"); a service name is a DNS ' +
                "label of 2-63 lowercase letters, digits and hyphens, starting with a " +
                "letter and ending with a letter or digit, with no two hyphens in a row " +
                "(ECR repository names refuse them); use the catalog key the service had.",
        ],
    ],
    [
        "a retirement without a reason",
        { svc: ok },
        { retired: { old: {} } },
        [
            "stack config fleet:retired: old.reason = (missing): needs a reason " +
                "(at least 10 characters); write why, for the reviewers of this stack.",
        ],
    ],
    [
        "an unknown field in a build",
        { svc: { memory: ok.memory, build: { context: "./apps/api", dockerfle: "Dockerfile.prod" } } },
        {},
        [
            'service "svc": build.dockerfle = "Dockerfile.prod": unknown field ' +
                '(did you mean "dockerfile"?); use one of context, dockerfile, args.',
        ],
    ],
    [
        "a secret whose config key is not a string",
        { svc: { ...ok, secrets: { DB: { fromConfig: 5 } } } },
        {},
        ['service "svc": secrets.DB.fromConfig = 5: must name a stack config key of its own; use a key such as apiDatabasePassword.'],
    ],
    [
        "an existing parameter's key given by alias (IAM statements on keys take the key's ARN or id)",
        { svc: { ...ok, secrets: { TOKEN: { existing: "/shared/token", kmsKey: "alias/vendor" } } } },
        {},
        [
            'service "svc": secrets.TOKEN.kmsKey = "alias/vendor": is not a KMS key ARN or key id; give the ARN ' +
                "(arn:aws:kms:<region>:<account>:key/<id>) or id of the customer-managed key that encrypts it.",
        ],
    ],
    [
        "a secret's config key written with its namespace (it would never match: keys are read without it)",
        { svc: { ...ok, secrets: { DB: { fromConfig: "fleet:dbPassword" } } } },
        {},
        [
            'service "svc": secrets.DB.fromConfig = "fleet:dbPassword": names a namespace, but fleet reads only keys of the fleet ' +
                'namespace and names them without it; write the key alone, e.g. "apiDb" for fleet:apiDb (pulumi config set ' +
                "--secret apiDb <value>).",
        ],
    ],
    [
        "an unknown field in a stack key",
        { svc: ok },
        { cluster: { contanerInsights: "enabled" } },
        [
            'stack config fleet:cluster: contanerInsights = "enabled": unknown ' +
                'field (did you mean "containerInsights"?); use one of ' +
                "containerInsights, defaultCapacity, ec2.",
        ],
    ],
    [
        "EC2 capacity without a maximum size",
        { svc: ok },
        { cluster: { ec2: { instanceType: "t3.small" } } },
        ["stack config fleet:cluster: ec2.maxSize = (missing): is required; set a value in that range."],
    ],
    [
        "subnet ids without their VPC",
        { svc: ok },
        { network: { natGateways: "single", publicSubnetIds: ["subnet-12345678", "subnet-87654321"] } },
        [
            "stack config fleet:network: publicSubnetIds = " +
                '["subnet-12345678","subnet-87654321"]: subnet ids were given without ' +
                "the VPC they belong to; add vpcId, or remove the subnet ids to create a VPC.",
        ],
    ],
    [
        "an existing VPC with one public subnet",
        { svc: ok },
        {
            network: {
                vpcId: "vpc-12345678",
                publicSubnetIds: ["subnet-12345678"],
                privateSubnetIds: ["subnet-23456789", "subnet-34567890"],
            },
        },
        [
            'stack config fleet:network: publicSubnetIds = ["subnet-12345678"]: ' +
                "must list at least two subnet ids in different availability zones (an " +
                "ALB needs two); list ids like subnet-0123456789abcdef0.",
        ],
    ],
    [
        "an existing VPC whose subnet lists repeat an id or share one (tasks in a public subnet never start)",
        { svc: ok },
        {
            network: {
                vpcId: "vpc-12345678",
                publicSubnetIds: ["subnet-12345678", "subnet-12345678", "subnet-23456789"],
                privateSubnetIds: ["subnet-23456789", "subnet-34567890"],
            },
        },
        [
            'stack config fleet:network: publicSubnetIds = ["subnet-12345678","subnet-12345678","subnet-23456789"]: lists ' +
                "subnet-12345678 twice; list each subnet once, one per availability zone.",
            'stack config fleet:network: privateSubnetIds = ["subnet-23456789","subnet-34567890"]: names subnet-23456789, also ' +
                "listed in publicSubnetIds: tasks would run in a subnet routed to the internet gateway, without a public IP, and " +
                "could not pull images; list the subnets whose default route goes to a NAT gateway.",
        ],
    ],
    [
        "a bad stack key reported once, not again by the services that rely on it",
        { svc: { ...ok, capacity: "ec2", port: 80, routes: [{ host: "svc" }] } },
        { domain: "Example.com", cluster: { ec2: { instanceType: "t3.small", maxSize: 0 } } },
        [
            'stack config fleet:domain: domain = "Example.com": has capitals; write example.com.',
            "stack config fleet:cluster: ec2.maxSize = 0: must be a whole number from 1 to 1000; set a value in that range.",
        ],
    ],
    [
        "an empty catalog",
        {},
        {},
        [
            "catalog: services = {}: must be a non-empty record of service name → " +
                "entry; export const services: Catalog = { api: { ... } } from " +
                "services/index.ts.",
        ],
    ],
];

describe("validation messages", () => {
    for (const [what, catalog, config, expected] of cases) {
        it(what, () => {
            assert.deepEqual(errorsOf(catalog, config), expected);
        });
    }

    it("reports every problem of every service at once", () => {
        const errors = errorsOf({
            one: { ...ok, memory: { reservation: 300, limit: 200 } },
            two: { ...ok, port: 0 },
            three: { memory: ok.memory },
        });
        assert.equal(errors.length, 3);
        assert.match(errors[0], /^service "one": memory.reservation = 300/);
        assert.match(errors[1], /^service "three": image = \(missing\)/);
        assert.match(errors[2], /^service "two": port = 0/);
    });

    it("checks that a build context has its Dockerfile", () => {
        const errors = errorsOf({ svc: { memory: ok.memory, build: "./apps/nope" } }, {}, { pathExists: () => false });
        assert.deepEqual(errors, [
            'service "svc": build.context = "./apps/nope": has no Dockerfile; ' +
                "point build at a directory with a Dockerfile, or set build.dockerfile.",
        ]);
    });

    it("needs a way to hash build contexts to tag built images", () => {
        const errors = errorsOf({ svc: { memory: ok.memory, build: "./apps/api" } }, {}, { buildTag: undefined });
        assert.deepEqual(errors, [
            'service "svc": build = "./apps/api": images built from source are ' +
                "tagged with a hash of their build context, which this run cannot " +
                "compute; run the program from the repository (index.ts), where the " +
                "build contexts are.",
        ]);
    });

    it("reports a build context that cannot be hashed", () => {
        const errors = errorsOf(
            { svc: { memory: ok.memory, build: "./apps/api" } },
            {},
            { buildTag: () => "cannot read ./apps/api/secret.pem: EACCES" },
        );
        assert.deepEqual(errors, [
            'service "svc": build.context = "./apps/api": cannot be hashed into an ' +
                "image tag: cannot read ./apps/api/secret.pem: EACCES; make every file " +
                "of the context readable, or exclude it in .dockerignore.",
        ]);
    });

    it("hashes no context whose Dockerfile is missing (the path is reported once)", () => {
        const calls: ImageBuild[] = [];
        const errors = errorsOf(
            { svc: { memory: ok.memory, build: "./apps/nope" } },
            {},
            { pathExists: () => false, buildTag: (b) => (calls.push(b), fixedTag) },
        );
        assert.equal(errors.length, 1);
        assert.deepEqual(calls, []);
    });

    it("rejects a stack name that would overflow the cache prefix", () => {
        const errors = errorsOf({ svc: ok }, {}, { stack: "production-eu-west" });
        assert.deepEqual(errors, [
            'stack: name = "production-eu-west": must be 1-12 lowercase letters, ' +
                "digits or hyphens starting with a letter (it prefixes ECR " +
                "repositories, SSM paths and log groups, and pull-through cache " +
                "prefixes are limited to 30 characters); rename the stack (pulumi " +
                "stack rename).",
        ]);
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

    it("must be in the stack's region: an ALB takes only a certificate of its own, ECR a credential of the rule's", () => {
        assert.deepEqual(errorsOf({ svc: ok }, stack("us-east-1"), { region: "eu-west-1" }), [
            `stack config fleet:loadBalancer: certificateArn = ${show(certificate("us-east-1"))}: is a certificate in us-east-1, ` +
                "but the load balancer is in the stack's region, eu-west-1 (aws:region), and takes only a certificate of its own " +
                "region; request or import the certificate in eu-west-1 (ACM certificates cannot be copied between regions) and " +
                "set its ARN here.",
            `stack config fleet:registry: pullThroughCache.docker-hub.credentialArn = ${show(credential("us-east-1"))}: is a ` +
                "secret in us-east-1, but ECR takes a pull-through cache rule's credential from the rule's own region, the " +
                "stack's eu-west-1 (aws:region); create the secret ecr-pullthroughcache/docker-hub in eu-west-1 and set its ARN here.",
        ]);
    });

    it("a parameter referenced by ARN must be in it: fleet reads its version through SSM in the stack's region", () => {
        const parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/shared/token";
        assert.deepEqual(errorsOf({ svc: { ...ok, secrets: { TOKEN: { existing: parameter } } } }, {}, { region: "eu-west-1" }), [
            `service "svc": secrets.TOKEN.existing = "${parameter}": is a parameter in us-east-1, but fleet reads it through ` +
                "SSM in the stack's region, eu-west-1 (aws:region); copy the parameter to eu-west-1 and name that one.",
        ]);
        assert.deepEqual(errorsOf({ svc: { ...ok, secrets: { TOKEN: { existing: parameter } } } }, {}, { region: "us-east-1" }), []);
    });

    it("an existing parameter's key must be in the parameter's region, the stack's", () => {
        const key = (region: string) => `arn:aws:kms:${region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        const catalog = (region: string) => ({ svc: { ...ok, secrets: { TOKEN: { existing: "/shared/token", kmsKey: key(region) } } } });
        assert.deepEqual(errorsOf(catalog("us-east-1"), {}, { region: "eu-west-1" }), [
            `service "svc": secrets.TOKEN.kmsKey = "${key("us-east-1")}": is a key in us-east-1, but the parameter is in the ` +
                "stack's region, eu-west-1, and SSM encrypts a parameter only with a key of its own region; name the parameter's own " +
                "key, in eu-west-1.",
        ]);
        assert.deepEqual(errorsOf(catalog("eu-west-1"), {}, { region: "eu-west-1" }), []);
    });

    it("are accepted in the stack's region, and not checked where the region is not known", () => {
        assert.deepEqual(errorsOf({ svc: ok }, stack("eu-west-1"), { region: "eu-west-1" }), []);
        assert.deepEqual(errorsOf({ svc: ok }, stack("us-east-1"), { region: undefined }), []);
    });
});

describe("secret config values, measured where the run can read them", () => {
    const catalog = { svc: { ...ok, secrets: { DB_PASSWORD: { fromConfig: "dbPassword" } } } };
    const lengthOf = (n: number) => ({ secretLength: (key: string) => (key === "dbPassword" ? n : undefined) });

    it("refuses one longer than the SSM Standard parameter fleet stores it in, without showing it", () => {
        assert.deepEqual(errorsOf(catalog, {}, lengthOf(4097)), [
            'service "svc": secrets.DB_PASSWORD.fromConfig = "dbPassword": holds 4097 characters, more than the 4096 of the SSM ' +
                "Standard parameter fleet stores it in; store it in an Advanced-tier parameter yourself and reference that: " +
                'secrets.DB_PASSWORD: { existing: "/path" }.',
        ]);
    });

    it("accepts one that fits, and one the run cannot read (the offline plan)", () => {
        assert.deepEqual(errorsOf(catalog, {}, lengthOf(4096)), []);
        assert.deepEqual(errorsOf(catalog, {}, { secretLength: undefined }), []);
    });
});
