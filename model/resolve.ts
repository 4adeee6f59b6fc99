/**
 * Validates and resolves the catalog and the stack file into one typed, fully-defaulted fleet.
 * Pure: no resources, no config reads. The shapes, ranges and defaults are the schemas'
 * (catalog.ts, stackSettings.ts); what is checked here needs the stack or several fields at once.
 * Every problem is collected, so one run reports them all; the caller stops before registering
 * anything when there is any.
 */
import { ResolvedGrant, resolveGrants, taskRolePolicy } from "./access";
import {
    Capacity,
    Catalog,
    defaultUser,
    healthDefaults,
    matcherCodes,
    ParsedService,
    secretSourceFields,
    serviceFields,
    serviceSchema,
} from "./catalog";
import { placeholderValues } from "./placeholders";
import { resolveConnections, ResolvedConnection, ServiceConnectRole, unwatchedServers } from "./connections";
import { arnRegion, partitionOf, secretArnParts } from "./awsNames";
import { resolveDns, ResolvedDns } from "./dns";
import { largestFargateSize, smallestFargateSize } from "./fargate";
import { cachedImagePath, cachedRepository, parseImageReference } from "./images";
import { instanceTypes } from "./instanceTypes";
import { serviceNameProblem, serviceNameRule, serviceNameSuggestion, servicePhysicalNames, shortNameClashes, stackNames } from "./naming";
import {
    BuildPlatform,
    ContainerSecurity,
    ImageBuild,
    ImageTag,
    ResolvedFleet,
    ResolvedHealth,
    ResolvedImage,
    ResolvedSecret,
    ResolvedCapacity,
    ResolvedService,
    ResolvedVolume,
    StackSettings,
} from "./fleet";
import type { ProblemCode } from "./problemCodes";
import { AddProblem, didYouMean, hiddenValue, isRecord, Problem, Problems } from "./problems";
import { checkQueueScaling, resolveJob } from "./jobs";
import { maxPatternLength, maxWildcardsPerRule, PlannedRule, planRoutes, RouteInput, SuggestedPin } from "./routing";
import { fieldOf, reportIssues } from "./schema";
import { placeholderMount, efsMountStatements, resolveFileSystems, resolveVolumes, volumeField } from "./volumes";
import {
    cpuUnitsPerVcpu,
    fargateMaxStopTimeoutSeconds,
    iamPolicySize,
    iamQuotas,
    serviceConnectAgent,
    ssmStandardParameterMaxCharacters,
} from "../facts/aws";
import { deregistrationDelay as deregistration, fleetHealthCheck, rootUserPattern } from "../facts/fleet";
import { resolveStackSettings, stackKeys } from "./stackSettings";

export interface FleetInput {
    readonly project: string;
    readonly stack: string;
    /** The stack's `fleet:*` config values (parsed), keyed without the namespace. Secret values are never passed. */
    readonly config: Readonly<Record<string, unknown>>;
    /**
     * The stack's AWS region (`aws:region`), when known: the regional resources the stack file and
     * the catalog name by ARN (certificate, cache credentials, parameters, queues, keys) are checked
     * against it, and the task-role policy is sized with it.
     */
    readonly region?: string;
    /** Every `fleet:*` key set in the stack, and which of them are secret. */
    readonly configKeys: ReadonlyMap<string, { readonly secret: boolean }>;
    /**
     * The length of a secret config value, when this run can read it (a real `pulumi up`, not the
     * offline plan): measured, never shown, so that one too long for SSM is refused before anything.
     */
    readonly secretLength?: (key: string) => number | undefined;
    /**
     * The content tag and revision of an image build (contentTag.ts), or why they could not be
     * computed. Required only when a service builds.
     */
    readonly buildTag?: (build: ImageBuild) => ImageTag | string;
    /** Whether a path (relative to the repository root) exists; build contexts are checked with it. */
    readonly pathExists?: (path: string) => boolean;
}

export type FleetResult =
    | { readonly ok: true; readonly fleet: ResolvedFleet }
    | {
          readonly ok: false;
          /** Every problem, as data: its code, subject, path, value, problem, fix and message. */
          readonly problems: readonly Problem[];
          /** The problems' messages, one line each, as printed. */
          readonly errors: readonly string[];
          /** The free priorities routing suggests pinning, as data (the messages say the same in words). */
          readonly suggestedPins: readonly SuggestedPin[];
      };

const hostPattern = /^[a-z0-9*?]([a-z0-9*?.-]*[a-z0-9*?])?$/;
/** A gRPC method as an ALB health check calls it: `/package.Service/Method`. */
const grpcMethodPattern = /^\/[A-Za-z_][A-Za-z0-9_.]*\/[A-Za-z_][A-Za-z0-9_]*$/;
const stopTimeoutMin = serviceSchema.shape.stopTimeout.unwrap().minValue;

/** Objects inside a field that merge one level further: a stack names its own queue and keeps the catalog's backlogPerTask. */
const nestedMerges: Readonly<Record<string, readonly string[]>> = { scaling: ["queue"] };

function merge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [field, value] of Object.entries(override)) {
        const current = merged[field];
        // Objects merge one level (tune memory.limit alone); lists and scalars replace.
        merged[field] = isRecord(current) && isRecord(value) ? mergeObject(current, value, nestedMerges[field] ?? []) : value;
    }
    return merged;
}

function mergeObject(base: Record<string, unknown>, override: Record<string, unknown>, nested: readonly string[]): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base, ...override };
    for (const key of nested) {
        const [current, value] = [base[key], override[key]];
        if (isRecord(current) && isRecord(value)) merged[key] = { ...current, ...value };
    }
    return merged;
}

/** What a service calls, and its part in Service Connect (connections.ts). */
type Connections = { readonly connects: readonly ResolvedConnection[]; readonly serviceConnect?: ServiceConnectRole };

const asList = <T>(value: T | readonly T[] | undefined): readonly T[] =>
    value === undefined ? [] : Array.isArray(value) ? value : [value as T];

/** The rules of one parsed entry that need the stack or several fields at once. */
class ServiceResolver {
    constructor(
        private readonly problems: Problems,
        private readonly input: FleetInput,
        private readonly settings: StackSettings,
        private readonly name: string,
        private readonly spec: ParsedService,
        /** The entry as written (merged with its override): tells a default from a value set. */
        private readonly raw: Record<string, unknown>,
        private readonly subject: (field: string) => string,
        /** Stack keys already reported invalid: nothing is checked against their defaults. */
        private readonly invalid: ReadonlySet<string>,
        /** What the service calls, and its part in Service Connect (connections.ts). */
        private readonly connections: Connections,
    ) {}

    private add(code: ProblemCode, field: string, value: unknown, problem: string, fix: string): void {
        this.problems.add(code, this.subject(field), field, value, problem, fix);
    }

    /** `add`, for the checks of other modules (jobs.ts, volumes.ts). */
    private readonly report: AddProblem = (...problem) => this.add(...problem);

    resolve(): { service: Omit<ResolvedService, "rules" | "urls">; routes: RouteInput[] } {
        const s = this.spec;
        const capacity = this.capacity();
        const image = this.image(capacity);
        const routes = this.routes();
        if (capacity !== "ec2" && s.stopTimeout > fargateMaxStopTimeoutSeconds) {
            this.add(
                "capacity/fargate-stop-timeout",
                "stopTimeout",
                s.stopTimeout,
                `must be a whole number from ${stopTimeoutMin} to ${fargateMaxStopTimeoutSeconds}`,
                `use seconds between SIGTERM and SIGKILL (Fargate allows at most ${fargateMaxStopTimeoutSeconds})`,
            );
        }
        const deregistrationDelay = s.deregistrationDelay ?? Math.min(deregistration.fleetDefault, s.stopTimeout);
        if (deregistrationDelay > s.stopTimeout) {
            this.add(
                "catalog/deregistration-delay-above-stop-timeout",
                "deregistrationDelay",
                deregistrationDelay,
                `is above stopTimeout (${s.stopTimeout} s): ECS kills the container while the ALB still sends it requests`,
                "lower deregistrationDelay or raise stopTimeout",
            );
        }
        this.protocol(routes.length > 0);
        const job = resolveJob(s, this.raw, this.report);
        checkQueueScaling(s, this.settings, this.input.stack, this.report, this.input.region);
        // A job has no ECS service: nothing runs between its scheduled runs.
        const desiredCount = job ? 0 : this.counts(routes.length > 0);
        const security = this.security(capacity);
        const volumes = this.volumes(security);
        const { connects, serviceConnect } = this.connections;
        const sized = this.sized(capacity);
        return {
            service: {
                name: this.name,
                image,
                port: s.port,
                protocol: s.protocol,
                health: this.health(routes.length > 0),
                memory: s.memory,
                cpu: s.cpu,
                env: this.env(connects),
                secrets: this.secrets(),
                desiredCount,
                scaling: s.scaling,
                ...(job ? { job } : {}),
                command: s.command,
                stopTimeout: s.stopTimeout,
                deregistrationDelay,
                capacity: sized,
                // awsvpc for Service Connect on EC2: a server's own group admits its callers' groups alone.
                networkMode: sized.kind === "fargate" || serviceConnect ? "awsvpc" : "bridge",
                deployment: s.deployment,
                security,
                grants: this.grants(volumes.filter((v) => v.kind === "efs").length),
                connects,
                ...(serviceConnect ? { serviceConnect } : {}),
                volumes,
            },
            routes,
        };
    }

    /** The `volumes`, checked against the container's user and its tmpfs (model/volumes.ts). */
    private volumes(security: ContainerSecurity): ResolvedVolume[] {
        return resolveVolumes(this.spec.volumes, { user: security.user, tmpfs: security.readonlyRootFilesystem }, this.report);
    }

    /**
     * The `access` grants, whose task-role policy (with a statement per file system mount) must fit
     * IAM's quota on a role's inline policies. Sized with the stack's region (an account id is
     * always 12 digits) and EFS ids of their full length, as infra will write it.
     */
    private grants(mounts: number): ResolvedGrant[] {
        const grants = resolveGrants(this.spec.access);
        for (const grant of grants) {
            // SSE-KMS takes a key of the resource's own region (an S3 bucket's region is not in its name).
            const keyRegion = grant.kmsKey && arnRegion(grant.kmsKey);
            const resourceRegion = grant.kind === "s3" ? undefined : (arnRegion(grant.resource) ?? this.input.region);
            if (keyRegion && resourceRegion && keyRegion !== resourceRegion) {
                this.add(
                    "access/kms-key-other-region",
                    `access.${grant.kind}.${grant.resource}.kmsKey`,
                    grant.kmsKey,
                    `is a key in ${keyRegion}, but the ${grant.kind} resource is in ${resourceRegion}, and AWS encrypts ` +
                        "a resource only with a key of its own region",
                    `name the resource's own key, in ${resourceRegion}`,
                );
            }
        }
        const region = this.input.region ?? "us-east-1";
        const ctx = { partition: partitionOf(region), region, accountId: "123456789012" };
        const size = iamPolicySize(
            taskRolePolicy(grants, ctx, efsMountStatements(Array.from({ length: mounts }, () => placeholderMount(ctx)))),
        );
        if (size > iamQuotas.roleInlinePolicies) {
            this.add(
                "access/task-role-policy-too-large",
                "access",
                mounts > 0 ? `${grants.length} grants and ${mounts} file system mount(s)` : `${grants.length} grants`,
                `gives the task role a policy of ${size} characters (without white space), above IAM's ` +
                    `${iamQuotas.roleInlinePolicies} for a role's inline policies, so creating the role would fail`,
                "grant fewer resources (a bucket instead of several of its prefixes, one table instead of many), or split the service",
            );
        }
        return grants;
    }

    private security(capacity: Capacity): ContainerSecurity {
        const optOuts = Object.fromEntries(
            Object.entries(this.spec.optOut).filter((entry): entry is [string, string] => entry[1] !== undefined),
        );
        if (optOuts.privileged && capacity !== "ec2") {
            this.add(
                "security/privileged-on-fargate",
                "optOut.privileged",
                optOuts.privileged,
                "Fargate does not run privileged containers",
                "run the service on ec2 capacity or drop the opt-out",
            );
        }
        const user = this.spec.user;
        if (user !== undefined && rootUserPattern.test(user) && !optOuts.nonRootUser) {
            this.add(
                "security/runs-as-root",
                "user",
                user,
                "runs the container as root",
                "use the image's unprivileged user, or set optOut.nonRootUser with the reason",
            );
        }
        return {
            readonlyRootFilesystem: !optOuts.readonlyRootFilesystem,
            user: user ?? (optOuts.nonRootUser ? undefined : defaultUser),
            privileged: optOuts.privileged !== undefined,
            initProcessEnabled: !optOuts.initProcess,
            noNewPrivileges: !optOuts.noNewPrivileges,
            optOuts,
        };
    }

    private capacity(): Capacity {
        const capacity = this.spec.capacity ?? this.settings.cluster.defaultCapacity;
        if (capacity === "ec2" && !this.settings.cluster.ec2 && !this.invalid.has("cluster")) {
            this.add(
                "capacity/ec2-not-in-stack",
                "capacity",
                capacity,
                `stack ${this.input.stack} has no EC2 capacity (fleet:cluster.ec2 is not set)`,
                "set fleet:cluster.ec2 or use fargate / fargate-spot",
            );
        }
        return capacity;
    }

    private image(capacity: Capacity): ResolvedImage {
        const { image, build } = this.spec;
        if ((image === undefined) === (build === undefined)) {
            this.add(
                image === undefined ? "image/neither-image-nor-build" : "image/both-image-and-build",
                image === undefined ? "image" : "image, build",
                image === undefined ? undefined : { image, build: this.raw.build },
                image === undefined ? "neither image nor build is set" : "both image and build are set",
                "set exactly one: image for a published image, build for a context built and pushed to the service's repository",
            );
            return { kind: "direct", reference: "invalid" };
        }
        const credentials = this.spec.credentials;
        if (build !== undefined) {
            if (credentials !== undefined) {
                this.add(
                    "image/credentials-with-build",
                    "credentials",
                    credentials,
                    "is set, but the service builds its image (build), which goes to the service's own ECR repository, " +
                        "pulled with the execution role's IAM permissions",
                    "remove credentials",
                );
            }
            return this.build(build, capacity);
        }
        const parsed = parseImageReference(image!);
        if (credentials !== undefined && typeof parsed !== "string" && parsed.isEcr) {
            this.add(
                "image/credentials-with-ecr-image",
                "credentials",
                credentials,
                `is set, but image ${image} is in ECR, which ECS pulls with the execution role's IAM permissions, ` +
                    "not with registry credentials",
                "remove credentials (for an image of another account's ECR, that registry's repository policy grants the pull)",
            );
        } else if (credentials !== undefined) {
            // A private registry's image is pulled as written: the cache's rule would pull it with other credentials.
            return { kind: "private", reference: image!, credentials };
        }
        if (typeof parsed === "string" || parsed.isEcr) return { kind: typeof parsed === "string" ? "direct" : "ecr", reference: image! };
        const cache = this.settings.registry.pullThroughCache.find((c) => c.registry === parsed.upstream);
        if (cache && parsed.upstream) {
            return {
                kind: "cached",
                registry: parsed.upstream,
                prefix: cache.prefix,
                repository: cachedRepository(stackNames(this.input.project, this.input.stack), { ...parsed, upstream: parsed.upstream }),
                path: cachedImagePath(stackNames(this.input.project, this.input.stack), { ...parsed, upstream: parsed.upstream }),
                upstream: image!,
            };
        }
        return { kind: "direct", reference: image! };
    }

    private build(build: NonNullable<ParsedService["build"]>, capacity: Capacity): ResolvedImage {
        const { context, dockerfile, args } = build;
        const located = !this.input.pathExists || this.input.pathExists(`${context}/${dockerfile}`);
        if (!located) {
            this.add(
                "image/dockerfile-missing",
                "build.context",
                context,
                `has no ${dockerfile}`,
                "point build at a directory with a Dockerfile, or set build.dockerfile",
            );
        }
        const platform: BuildPlatform =
            capacity === "ec2" && this.settings.cluster.ec2?.architecture === "arm64" ? "linux/arm64" : "linux/amd64";
        const inputs: ImageBuild = { context, dockerfile, args, platform };
        let tagged: ImageTag = { tag: "invalid", revision: "unknown" };
        if (!this.input.buildTag) {
            this.add(
                "image/build-tag-unavailable",
                "build",
                this.raw.build,
                "images built from source are tagged with a hash of their build context, which this run cannot compute",
                "run the program from the repository (index.ts), where the build contexts are",
            );
        } else if (located) {
            // Hashed only once the context is known to hold its Dockerfile: a bad path is reported once, above.
            const result = this.input.buildTag(inputs);
            if (typeof result === "string") {
                this.add(
                    "image/build-context-unhashable",
                    "build.context",
                    context,
                    `cannot be hashed into an image tag: ${result}`,
                    "make every file of the context readable, or exclude it in .dockerignore",
                );
            } else {
                tagged = result;
            }
        }
        return { kind: "build", ...inputs, ...tagged };
    }

    private host(value: string, field: string): string | undefined {
        const url = /^[a-z]+:\/\/([^/:]+)/i.exec(value);
        if (url) {
            this.add(
                "routing/host-is-url",
                field,
                value,
                "is a URL, but a route matches the Host header alone",
                `write the host, e.g. ${url[1].toLowerCase()}`,
            );
            return undefined;
        }
        let host = value.toLowerCase();
        if (!host.includes(".")) {
            if (!this.settings.domain) {
                if (this.invalid.has("domain")) return undefined;
                this.add(
                    "routing/subdomain-without-domain",
                    field,
                    value,
                    "is a subdomain, but the stack has no fleet:domain",
                    `set fleet:domain in Pulumi.${this.input.stack}.yaml or write the full host`,
                );
                return undefined;
            }
            host = `${host}.${this.settings.domain}`;
        }
        const lastLabel = host.slice(host.lastIndexOf(".") + 1);
        if (host.length > maxPatternLength || !hostPattern.test(host) || host.includes("..") || !/^[a-z]+$/.test(lastLabel)) {
            this.add(
                "routing/host-invalid",
                field,
                value,
                `is not a valid ALB host ` +
                    `condition${host !== value ? ` (expands to ${host})` : ""}: at ` +
                    `most ${maxPatternLength} characters of a-z 0-9 - . * ?, with only ` +
                    `letters after the last dot`,
                "use a host such as api.example.com or *.example.com",
            );
            return undefined;
        }
        return host;
    }

    private routes(): RouteInput[] {
        const routes = this.spec.routes;
        if (routes.length > 0 && this.spec.port === undefined) {
            this.add(
                "routing/port-required",
                "port",
                undefined,
                "is required when the service has routes",
                "set the port the container listens on",
            );
        }
        const result: RouteInput[] = [];
        routes.forEach((route, index) => {
            const field = `routes[${index}]`;
            const hosts = asList(route.host).map((h, i) =>
                this.host(h, Array.isArray(route.host) ? `${field}.host[${i}]` : `${field}.host`),
            );
            const paths = asList(route.path);
            if (hosts.includes(undefined)) return;
            const wildcards = [...hosts, ...paths].join("").replace(/[^*?]/g, "").length;
            if (wildcards > maxWildcardsPerRule) {
                this.add(
                    "routing/too-many-wildcards",
                    field,
                    this.raw.routes && (this.raw.routes as unknown[])[index],
                    `uses ${wildcards} wildcards, above AWS's ${maxWildcardsPerRule} per rule`,
                    "use fewer * and ? or split the route",
                );
                return;
            }
            result.push({ service: this.name, index, hosts: hosts as string[], paths: [...paths], pinnedPriority: route.priority });
        });
        return result;
    }

    /**
     * The capacity with the size its tasks need: the container, and the Service Connect agent ECS
     * adds to every task of a service that calls or is called. On EC2 such a task gets a task size
     * (ECS refuses Service Connect without task memory above the containers' limits); on Fargate the
     * smallest task size holds both. Each limit is checked against the instance type or the largest
     * Fargate size, once.
     */
    private sized(capacity: Capacity): ResolvedCapacity {
        const { cpu, memory } = this.spec;
        const agent = this.connections.serviceConnect !== undefined;
        const task = agent
            ? { cpu: cpu + serviceConnectAgent.cpu, memory: memory.limit + serviceConnectAgent.memoryMiB }
            : { cpu, memory: memory.limit };
        if (capacity === "ec2") {
            const ec2 = this.settings.cluster.ec2;
            const type = ec2 && instanceTypes[ec2.instanceType];
            if (ec2 && type) {
                const [registered, units] = [ec2.registeredMemoryMiB, type.vcpus * cpuUnitsPerVcpu];
                if (task.memory > registered) {
                    this.add(
                        memory.limit > registered ? "capacity/memory-above-instance" : "capacity/memory-with-agent-above-instance",
                        "memory.limit",
                        memory.limit,
                        (memory.limit > registered
                            ? "exceeds"
                            : `with the Service Connect agent (${serviceConnectAgent.memoryMiB} MiB more) ` +
                              `needs a ${task.memory} MiB task, more than`) +
                            ` the ${registered} MiB a ${ec2.instanceType} registers for tasks, so the task can never be placed`,
                        "lower the limit or choose a larger fleet:cluster.ec2.instanceType",
                    );
                }
                if (task.cpu > units) {
                    this.add(
                        cpu > units ? "capacity/cpu-above-instance" : "capacity/cpu-with-agent-above-instance",
                        "cpu",
                        cpu,
                        cpu > units
                            ? `exceeds the ${units} units of a ${ec2.instanceType}`
                            : `with the Service Connect agent (${serviceConnectAgent.cpu} CPU units more) needs ` +
                                  `${task.cpu} units, more than the ${units} of a ${ec2.instanceType}`,
                        "lower cpu or choose a larger instance type",
                    );
                }
            }
            return agent ? { kind: "ec2", task } : { kind: "ec2" };
        }
        const size = smallestFargateSize(task.cpu, task.memory);
        if (!size && agent && smallestFargateSize(cpu, memory.limit)) {
            this.add(
                "capacity/no-fargate-size-with-agent",
                "memory.limit",
                memory.limit,
                `with ${cpu} CPU units, leaves no Fargate task size room for ` +
                    `the Service Connect agent (${serviceConnectAgent.cpu} CPU units ` +
                    `and ${serviceConnectAgent.memoryMiB} MiB more), which every task of a ` +
                    `service that calls or is called runs`,
                "lower cpu or memory.limit, or run the service on ec2 capacity",
            );
        } else if (!size) {
            this.add(
                "capacity/no-fargate-size",
                cpu > largestFargateSize.cpu ? "cpu" : "memory.limit",
                cpu > largestFargateSize.cpu ? cpu : memory.limit,
                `no Fargate task size holds ${cpu} CPU units and ${memory.limit} MiB ` +
                    `(the largest is ${largestFargateSize.cpu} ` +
                    `units, ${largestFargateSize.memory} MiB)`,
                "lower cpu or memory.limit, or run the service on ec2 capacity",
            );
        }
        // Without a size a problem was added, and the fleet is not returned: the largest stands in.
        return { kind: "fargate", spot: capacity === "fargate-spot", size: size ?? largestFargateSize };
    }

    /**
     * The health checks, with the protocol's defaults: a gRPC target group checks a gRPC method and
     * gRPC status codes (ELB: "You must provide a custom health check method with the format
     * /package.service/method" and "the gRPC status codes"), the others an HTTP path and HTTP codes.
     */
    private health(routed: boolean): ResolvedHealth {
        const { health, protocol } = this.spec;
        const raw = isRecord(this.raw.health) ? this.raw.health : {};
        if (raw.path !== undefined && !routed) {
            this.add(
                "health/path-without-routes",
                "health.path",
                health.path,
                "is set but the service has no routes, so there is no target group to check it",
                "remove health.path or add routes (use health.command for a container check)",
            );
        }
        const defaults = protocol === "grpc" ? healthDefaults.grpc : healthDefaults.http;
        const path = health.path ?? defaults.path;
        const matcher = health.matcher ?? defaults.matcher;
        if (routed && protocol === "grpc" && !grpcMethodPattern.test(path)) {
            this.add(
                "health/path-not-grpc-method",
                "health.path",
                path,
                "is not a gRPC method: the target group of a grpc service calls /package.Service/Method",
                `use ${healthDefaults.grpc.path} (the standard gRPC health service), or another method the server answers`,
            );
        }
        if (
            health.matcher !== undefined &&
            !matcherCodes(matcher)!.every((code) => code >= defaults.codes.min && code <= defaults.codes.max)
        ) {
            this.add(
                "health/matcher-not-for-protocol",
                "health.matcher",
                matcher,
                protocol === "grpc"
                    ? "must be gRPC status codes from 0 to 99 for a grpc service, as a list or ranges"
                    : `must be HTTP codes from 200 to 499, as a list or ranges`,
                protocol === "grpc" ? 'use e.g. "0" (OK)' : "use e.g. 200 or 200-399",
            );
        }
        return { path, matcher, command: health.command, gracePeriodSeconds: health.gracePeriodSeconds, ...fleetHealthCheck };
    }

    /**
     * `protocol` against the entry: it is what the server speaks on its port, and the load balancer
     * reaches a target over HTTP/1.1, HTTP/2 or gRPC only (the last two need an HTTPS listener,
     * checked once the stack's certificate is known: `unroutableProtocols`).
     */
    private protocol(routed: boolean): void {
        const protocol = this.spec.protocol;
        if (this.raw.protocol !== undefined && this.spec.port === undefined) {
            this.add("protocol/without-port", "protocol", protocol, "is set but the entry has no port", "set port, or remove protocol");
        }
        if (!routed) return;
        if (protocol === "tcp") {
            this.add(
                "protocol/tcp-routed",
                "protocol",
                protocol,
                "cannot be routed: the load balancer speaks HTTP (HTTP/1.1, HTTP/2 or gRPC) to its targets, not raw TCP",
                "remove routes (other services reach a tcp server through connects), or set the protocol the server speaks " +
                    "if it is http, http2 or grpc",
            );
        }
    }

    /** The entry's variables, and the URL or address of each service it calls (unless the entry sets that variable itself). */
    private env(connects: readonly ResolvedConnection[]): Record<string, string> {
        const env: Record<string, string> = Object.fromEntries(connects.filter((c) => !c.kept).map((c) => [c.variable, c.url]));
        for (const key of Object.keys(this.spec.env).sort()) {
            if (key in this.spec.secrets) {
                // Environment values are never repeated in messages: a secret may have landed there by mistake.
                this.add(
                    "secrets/also-in-env",
                    `env.${key}`,
                    hiddenValue,
                    "is also declared under secrets",
                    "keep it in secrets only; secrets never go in plain environment",
                );
            } else {
                env[key] = this.spec.env[key];
            }
        }
        // Sorted, so the container definition does not change with the order the entry is written in.
        return Object.fromEntries(
            Object.keys(env)
                .sort()
                .map((key) => [key, env[key]]),
        );
    }

    private secrets(): ResolvedSecret[] {
        const resolved: ResolvedSecret[] = [];
        for (const name of Object.keys(this.spec.secrets).sort()) {
            const source = this.spec.secrets[name];
            const parameterName = servicePhysicalNames.secretParameter(stackNames(this.input.project, this.input.stack), this.name, name);
            if ("generate" in source) {
                resolved.push({ name, source: "generate", length: source.generate.length, parameterName });
            } else if ("existing" in source && secretArnParts(source.existing)) {
                resolved.push(this.secretsManagerSecret(name, source));
            } else if ("existing" in source) {
                // The program reads the parameter's version through SSM in the stack's region, whose
                // Parameter Store holds only that region's parameters.
                const parameterRegion = arnRegion(source.existing);
                if (this.input.region && parameterRegion && parameterRegion !== this.input.region) {
                    this.add(
                        "secrets/parameter-other-region",
                        `secrets.${name}.existing`,
                        source.existing,
                        `is a parameter in ${parameterRegion}, but fleet reads it through SSM in the stack's region, ` +
                            `${this.input.region} (aws:region)`,
                        `copy the parameter to ${this.input.region} and name that one`,
                    );
                }
                const keyRegion = source.kmsKey && arnRegion(source.kmsKey);
                if (this.input.region && keyRegion && keyRegion !== this.input.region) {
                    this.add(
                        "secrets/parameter-kms-key-other-region",
                        `secrets.${name}.kmsKey`,
                        source.kmsKey,
                        `is a key in ${keyRegion}, but the parameter is in the stack's region, ${this.input.region}, and SSM ` +
                            "encrypts a parameter only with a key of its own region",
                        `name the parameter's own key, in ${this.input.region}`,
                    );
                }
                resolved.push({
                    name,
                    source: "existing",
                    parameter: source.existing,
                    ...(source.kmsKey ? { kmsKey: source.kmsKey } : {}),
                });
            } else {
                const key = source.fromConfig;
                const entry = this.input.configKeys.get(key);
                const length = this.input.secretLength?.(key) ?? 0;
                const field = `secrets.${name}.fromConfig`;
                if ((stackKeys as readonly string[]).includes(key)) {
                    this.add(
                        "secrets/config-key-is-fleet-setting",
                        field,
                        key,
                        "must name a stack config key of its own",
                        "use a key such as apiDatabasePassword",
                    );
                } else if (!entry) {
                    this.add(
                        "secrets/config-key-not-set",
                        field,
                        key,
                        `is not set in Pulumi.${this.input.stack}.yaml`,
                        `run: pulumi config set --secret ${key} <value> -s ${this.input.stack}`,
                    );
                } else if (!entry.secret) {
                    this.add(
                        "secrets/config-key-not-secret",
                        field,
                        key,
                        `is stored in plain text in Pulumi.${this.input.stack}.yaml`,
                        `re-set it encrypted: pulumi config set --secret ${key} <value> -s ${this.input.stack}`,
                    );
                } else if (length > ssmStandardParameterMaxCharacters) {
                    // fleet creates Standard parameters; SSM refuses a longer value in the middle of an update.
                    this.add(
                        "secrets/config-value-too-long",
                        field,
                        key,
                        `holds ${length} characters, more than the ${ssmStandardParameterMaxCharacters} ` +
                            "of the SSM Standard parameter fleet stores it in",
                        `store it in an Advanced-tier parameter yourself and reference that: secrets.${name}: { existing: "/path" }`,
                    );
                } else {
                    resolved.push({ name, source: "config", configKey: key, parameterName });
                }
            }
        }
        return resolved;
    }

    /**
     * An existing Secrets Manager secret, by its full ARN (the schema's rule). In the stack's region:
     * the program reads its version and lets the execution role decrypt through Secrets Manager there.
     */
    private secretsManagerSecret(name: string, source: { existing: string; key?: string; kmsKey?: string }): ResolvedSecret {
        const secret = secretArnParts(source.existing)!;
        const stackRegion = this.input.region;
        if (stackRegion && secret.region !== stackRegion) {
            const replica = source.existing.replace(`:secretsmanager:${secret.region}:`, `:secretsmanager:${stackRegion}:`);
            this.add(
                "secrets/secret-other-region",
                `secrets.${name}.existing`,
                source.existing,
                `is a secret in ${secret.region}, but fleet reads secrets through Secrets Manager in the stack's region, ` +
                    `${stackRegion} (aws:region)`,
                `replicate it to ${stackRegion} (aws secretsmanager replicate-secret-to-regions --secret-id ${source.existing} ` +
                    `--add-replica-regions Region=${stackRegion}) and name the replica, ${replica}`,
            );
        }
        const keyRegion = source.kmsKey && arnRegion(source.kmsKey);
        if (keyRegion && keyRegion !== secret.region) {
            this.add(
                "secrets/secret-kms-key-other-region",
                `secrets.${name}.kmsKey`,
                source.kmsKey,
                `is a key in ${keyRegion}, but the secret is in ${secret.region}, and Secrets Manager encrypts a secret only ` +
                    "with a key of its own region",
                `name the secret's own key, in ${secret.region}`,
            );
        }
        return {
            name,
            source: "secretsManager",
            secretArn: source.existing,
            ...(source.key !== undefined ? { key: source.key } : {}),
            ...(source.kmsKey ? { kmsKey: source.kmsKey } : {}),
        };
    }

    private counts(routed: boolean): number {
        const { desiredCount, scaling } = this.spec;
        if (!scaling) return desiredCount ?? 1;
        if (scaling.requestsPerTarget !== undefined && !routed) {
            this.add(
                "scaling/requests-without-routes",
                "scaling.requestsPerTarget",
                scaling.requestsPerTarget,
                "needs a target group, but the service has no routes",
                "scale on cpuPercent instead",
            );
        }
        if (desiredCount !== undefined && (desiredCount < scaling.min || desiredCount > scaling.max)) {
            this.add(
                "scaling/desired-count-outside-bounds",
                "desiredCount",
                desiredCount,
                `is outside scaling bounds ${scaling.min}-${scaling.max}`,
                "set desiredCount within them or remove it (autoscaling starts at min)",
            );
        }
        return desiredCount ?? scaling.min;
    }
}

/**
 * Where a service answers, one URL per rule that names a host. A rule without a host answers on the
 * ALB's own DNS name over HTTP (`<alb>`, filled in by the program); over HTTPS no URL is given for
 * it, since the certificate covers the stack's hosts and never the ALB's name, which TLS refuses.
 */
function urlsOf(rules: ResolvedService["rules"], https: boolean): string[] {
    const scheme = https ? "https" : "http";
    return rules.flatMap((rule) => {
        const host = rule.hosts.find((h) => !/[*?]/.test(h));
        const path = (rule.paths[0] ?? "/").replace(/\*.*$/, "").replace(/\?.*$/, "");
        if (host) return [`${scheme}://${host}${path}`];
        return https ? [] : [`http://<alb>${path}`];
    });
}

/** Validates the catalog against the stack and resolves the whole fleet, or returns every problem found. */
export function resolveFleet(catalog: Catalog | unknown, input: FleetInput): FleetResult {
    const problems = new Problems();
    const invalid = new Set<string>();
    const settings = resolveStackSettings(problems, input.stack, input.config, invalid, input.region, input.project);

    // Keys that catalog secrets read with fromConfig are not typos.
    const secretSourceKeys = new Set(
        (isRecord(catalog) ? Object.values(catalog) : [])
            .flatMap((spec) => (isRecord(spec) && isRecord(spec.secrets) ? Object.values(spec.secrets) : []))
            .flatMap((source) => (isRecord(source) && typeof source.fromConfig === "string" ? [source.fromConfig] : [])),
    );
    for (const [key, { secret }] of input.configKeys) {
        if (!(stackKeys as readonly string[]).includes(key) && !secretSourceKeys.has(key) && !secret) {
            // A misspelt key may be a secret set without --secret: its value is not repeated.
            problems.add(
                "stack/unknown-key",
                `stack config fleet:${key}`,
                key,
                hiddenValue,
                `unknown key${didYouMean(key, stackKeys)}`,
                `use one of ${stackKeys.map((k) => `fleet:${k}`).join(", ")}, or remove it`,
            );
        }
    }

    if (!isRecord(catalog) || Object.keys(catalog).length === 0) {
        problems.add(
            "catalog/empty",
            "catalog",
            "services",
            catalog,
            "must be a non-empty record of service name → entry",
            "export const services: Catalog = { api: { ... } } from services/index.ts",
        );
        return { ok: false, problems: problems.all(), errors: problems.list(), suggestedPins: [] };
    }

    const overrides = input.config.services ?? {};
    if (!isRecord(overrides)) {
        problems.add(
            "stack/services-not-an-object",
            "stack config fleet:services",
            "services",
            overrides,
            "must be an object keyed by service name",
            "write fleet:services: { api: { memory: { limit: 1024 } } }",
        );
    }
    const overrideMap = isRecord(overrides) ? overrides : {};
    for (const name of Object.keys(overrideMap)) {
        if (!(name in catalog)) {
            problems.add(
                "stack/override-of-unknown-service",
                `stack config fleet:services.${name}`,
                name,
                hiddenValue,
                `overrides a service that is not in the catalog${didYouMean(name, Object.keys(catalog))}`,
                "fix the name or remove the override",
            );
        } else if (!isRecord(overrideMap[name])) {
            problems.add(
                "stack/override-not-an-object",
                `stack config fleet:services.${name}`,
                name,
                overrideMap[name],
                "must be an object of catalog fields",
                "write e.g. { memory: { limit: 1024 } }",
            );
        }
    }

    // Every entry is parsed before any is resolved: a service's task size depends on whether
    // another service calls it (the Service Connect agent), known only once all are parsed. Each
    // service's problems are kept apart and listed in name order, the connections' after them.
    const entries: {
        name: string;
        data: ParsedService;
        merged: Record<string, unknown>;
        subject: (field: string) => string;
        problems: Problems;
    }[] = [];
    const serviceProblems: Problems[] = [];
    const connectionProblems = new Problems();
    const disabled = new Set<string>();
    for (const name of Object.keys(catalog).sort()) {
        const spec = catalog[name];
        const own = new Problems();
        serviceProblems.push(own);
        const rawOverride = isRecord(overrideMap[name]) ? (overrideMap[name] as Record<string, unknown>) : {};
        const enabled = enabledIn(own, name, rawOverride.enabled, input.stack);
        if (enabled === false) {
            // Left out of this stack: nothing of it is checked or registered here.
            disabled.add(name);
            continue;
        }
        const nameProblem = serviceNameProblem(name);
        if (nameProblem !== undefined) {
            const suggestion = serviceNameSuggestion(name);
            own.add(
                "catalog/service-name-invalid",
                `service "${name}"`,
                "name",
                name,
                `${nameProblem}; ${serviceNameRule}`,
                `rename the catalog key${suggestion ? `, e.g. to ${suggestion}` : ""}`,
            );
            continue;
        }
        if (!isRecord(spec)) {
            own.add(
                "catalog/entry-not-an-object",
                `service "${name}"`,
                "entry",
                spec,
                "must be an object",
                "see the catalog reference in docs/catalog.md",
            );
            continue;
        }
        const { enabled: _enabled, ...override } = rawOverride;
        const merged = merge(spec, override);
        const where = ` (set in fleet:services.${name} of Pulumi.${input.stack}.yaml)`;
        const subjectOf = (top: PropertyKey | undefined) => `service "${name}"${top !== undefined && String(top) in override ? where : ""}`;
        const parsed = serviceSchema.safeParse(merged, { reportInput: true });
        if (!parsed.success) {
            reportIssues(own, serviceSchema, merged, parsed.error.issues, {
                area: "catalog",
                subject: (path) => subjectOf(path[0]),
                // A container path is a key with slashes: `volumes["/data"].efs`.
                field: (path) =>
                    path[0] === "volumes" && path.length > 1
                        ? `${volumeField(String(path[1]))}${path.length > 2 ? `.${fieldOf(path.slice(2))}` : ""}`
                        : fieldOf(path),
                hidden: (path) => mayHoldSecret(path, merged),
                fallbackFix: "see the catalog reference in docs/catalog.md",
            });
            continue;
        }
        entries.push({ name, data: parsed.data, merged, subject: (field) => subjectOf(field.split(/[.[,]/)[0]), problems: own });
    }
    for (const clash of shortNameClashes(entries.map((entry) => entry.name))) {
        const other = clash.other === clash.name ? `service "${clash.other}"'s own name` : `what service "${clash.other}" is shortened to`;
        entries
            .find((entry) => entry.name === clash.service)!
            .problems.add(
                "catalog/service-name-clash",
                `service "${clash.service}"`,
                "name",
                clash.service,
                `is shortened to "${clash.name}" in its ${clash.child}'s name (AWS allows ${clash.maxLength} characters), ` +
                    `which is ${other}`,
                `rename one of the two services`,
            );
    }
    const connections = resolveConnections(
        entries.map(({ name, data, subject }) => ({
            name,
            port: data.port,
            protocol: data.protocol,
            // A job's connects are refused (jobs.ts): Service Connect serves tasks of ECS services only.
            connects: data.schedule === undefined ? (data.connects ?? []) : [],
            env: new Set(Object.keys(data.env)),
            secrets: new Set(Object.keys(data.secrets)),
            add: (code, field, value, problem, fix) => connectionProblems.add(code, subject(field), field, value, problem, fix),
        })),
        disabled,
        // Catalog entries with problems of their own: calls to them are not reported a second time.
        new Set(Object.keys(catalog).filter((name) => !disabled.has(name) && !entries.some((entry) => entry.name === name))),
    );
    const subjects = new Map(entries.map((entry) => [entry.name, entry.subject]));
    const resolved: Omit<ResolvedService, "rules" | "urls">[] = [];
    const routes: RouteInput[] = [];
    for (const entry of entries) {
        const { name, data, merged, subject } = entry;
        const serviceConnections = connections.get(name) ?? { connects: [] };
        const result = new ServiceResolver(
            entry.problems,
            input,
            settings,
            name,
            data,
            merged,
            subject,
            invalid,
            serviceConnections,
        ).resolve();
        resolved.push(result.service);
        routes.push(...result.routes);
    }
    [...serviceProblems, connectionProblems].forEach((own) => problems.append(own));

    const names = Object.keys(catalog);
    for (const scope of Object.keys(settings.policy.waivers)) {
        if (scope !== "platform" && !names.includes(scope)) {
            problems.add(
                "stack/waiver-of-unknown-service",
                "stack config fleet:policy",
                `waivers.${scope}`,
                settings.policy.waivers[scope],
                `waives controls for a service that is not in the catalog${didYouMean(scope, [...names, "platform"])}`,
                "use a catalog service name, or platform for the shared resources",
            );
        }
    }
    for (const retired of settings.retired) {
        // A service turned off in this stack may be retired here while other stacks keep it.
        if (names.includes(retired.name) && !disabled.has(retired.name)) {
            problems.add(
                "stack/retired-still-in-catalog",
                "stack config fleet:retired",
                retired.name,
                retired.reason,
                "is retired but still in the catalog",
                `remove the catalog entry (or set ` +
                    `fleet:services.${retired.name}.enabled: false in this stack) to ` +
                    `retire it, or remove it from fleet:retired to keep running it`,
            );
        } else if (serviceNameProblem(retired.name) !== undefined) {
            problems.add(
                "stack/retired-name-invalid",
                "stack config fleet:retired",
                retired.name,
                retired.name,
                `is not a service name: it ${serviceNameProblem(retired.name)}; ${serviceNameRule}`,
                "use the catalog key the service had",
            );
        }
    }

    const routing = planRoutes(routes);
    routing.problems.forEach((problem) => problems.push(problem));
    const resolvedDns = dnsOf(problems, settings, routing.rules, invalid);

    const https = settings.loadBalancer.certificateArn !== undefined || resolvedDns?.certificate !== undefined;
    if (!invalid.has("loadBalancer") && !invalid.has("dns")) {
        unroutableProtocols(resolved, routing.rules, https, input.stack).forEach(({ service, message }) =>
            problems.add(
                "protocol/needs-https",
                subjects.get(service)!("protocol"),
                "protocol",
                message.value,
                message.problem,
                message.fix,
            ),
        );
    }
    if (problems.count > 0) return { ok: false, problems: problems.all(), errors: problems.list(), suggestedPins: routing.suggestedPins };

    const fileSystems = resolveFileSystems(
        resolved.map((service) => ({ name: service.name, bridge: service.networkMode === "bridge", volumes: service.volumes ?? [] })),
        settings.retired,
        settings.protect,
    );
    const placeholders = placeholderValues(input.config);
    const services: ResolvedService[] = resolved.map((service) => {
        const rules = routing.rules.filter((rule) => rule.service === service.name);
        return { ...service, rules, urls: urlsOf(rules, https) };
    });
    return {
        ok: true,
        fleet: {
            project: input.project,
            stack: input.stack,
            ...settings,
            services,
            rules: routing.rules,
            ...(resolvedDns ? { resolvedDns } : {}),
            disabled: [...disabled].sort(),
            warnings: [
                ...unwatchedServers(services),
                ...(placeholders.length
                    ? [`replace before a real deploy, still the samples' placeholders: ${placeholders.join(", ")}`]
                    : []),
            ],
            placeholders,
            fileSystems,
        },
    };
}

/**
 * Whether a catalog value a message is about may be a secret in the wrong place, so that it is not
 * repeated in the message (CI logs keep it): an unknown field (a misspelt secrets or env), an
 * environment value, and under `secrets` anything but a source's own fields and a source object
 * made only of them: `secrets: { DB: "hunter2" }` or `{ DB: { value: "hunter2" } }` is not shown.
 */
function mayHoldSecret(path: readonly PropertyKey[], entry: Record<string, unknown>): boolean {
    if (path[0] === "env") return true;
    // Registry credentials pasted where their secret's ARN goes (a token, a password) are not repeated.
    if (path[0] === "credentials") return !(typeof entry.credentials === "string" && entry.credentials.startsWith("arn:"));
    if (path[0] === "secrets") {
        if (path.length >= 3) return !secretSourceFields.includes(String(path[2]));
        const source = path.length === 2 && isRecord(entry.secrets) ? entry.secrets[String(path[1])] : undefined;
        return !(isRecord(source) && Object.keys(source).every((key) => secretSourceFields.includes(key)));
    }
    return path.length === 1 && !(serviceFields as readonly PropertyKey[]).includes(path[0]);
}

/** `fleet:services.<name>.enabled`: true, false, or undefined when not set (a bad value is reported). */
function enabledIn(problems: Problems, name: string, value: unknown, stack: string): boolean | undefined {
    if (value === undefined || typeof value === "boolean") return value;
    problems.add(
        "stack/enabled-not-true-or-false",
        `stack config fleet:services.${name}`,
        "enabled",
        value,
        "must be true or false",
        `write enabled: false (without quotes) in Pulumi.${stack}.yaml to leave the service out of this stack, or remove it`,
    );
    return undefined;
}

/**
 * Routed services whose protocol needs an HTTPS listener the stack does not have: an ALB sends
 * HTTP/2 and gRPC to targets only from an HTTPS listener (ELB guide, target group protocol version:
 * "The only supported listener protocol is HTTPS").
 */
function unroutableProtocols(
    services: readonly Omit<ResolvedService, "rules" | "urls">[],
    rules: readonly PlannedRule[],
    https: boolean,
    stack: string,
): { service: string; message: { value: unknown; problem: string; fix: string } }[] {
    if (https) return [];
    const routed = new Set(rules.map((rule) => rule.service));
    return services
        .filter((s) => routed.has(s.name) && (s.protocol === "http2" || s.protocol === "grpc"))
        .map((s) => ({
            service: s.name,
            message: {
                value: s.protocol,
                problem:
                    `needs an HTTPS listener to be routed (an ALB sends ${s.protocol === "grpc" ? "gRPC" : "HTTP/2"} to targets ` +
                    `only from HTTPS), and stack ${stack} serves plain HTTP`,
                fix: `set fleet:loadBalancer.certificateArn or fleet:dns in Pulumi.${stack}.yaml, or route the service as http`,
            },
        }));
}

/** `fleet:dns` against the routed hosts: the records and certificate, or problems naming each host. */
function dnsOf(
    problems: Problems,
    settings: StackSettings,
    rules: readonly PlannedRule[],
    invalid: ReadonlySet<string>,
): ResolvedDns | undefined {
    if (!settings.dns) return undefined;
    const result = resolveDns(settings.dns, rules, settings.domain, settings.loadBalancer.certificateArn);
    for (const p of result.problems) {
        if (p.service === "") problems.add(p.code, "stack config fleet:dns", p.field, p.value, p.problem, p.fix);
        else if (!invalid.has("domain")) problems.add(p.code, `service "${p.service}"`, p.field, p.value, p.problem, p.fix);
    }
    return result.dns;
}
