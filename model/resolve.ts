/**
 * Validates and resolves the catalog and the stack file into one typed, fully-defaulted fleet.
 * Pure: no resources, no config reads. Every problem is collected, so one run reports them all;
 * the caller stops before registering anything when there is any.
 */
import { BuildSpec, Capacity, capacities, Catalog, securityOptOutFields, serviceFields } from "./catalog";
import { FargateSize, largestFargateSize, smallestFargateSize } from "./fargate";
import { cachedImagePath, cachedRepository, parseImageReference } from "./images";
import { instanceTypes } from "./instanceTypes";
import { servicePhysicalNames, stackNames } from "./naming";
import { BuildPlatform, ContainerSecurity, ImageBuild, ImageTag, ResolvedFleet, ResolvedHealth, ResolvedImage, ResolvedSecret, ResolvedService, StackSettings } from "./resolved";
import { didYouMean, hiddenValue, isInteger, isRecord, Problems } from "./problems";
import { maxPatternLength, maxConditionValuesPerRule, maxWildcardsPerRule, maxPriority, planRoutes, RouteInput } from "./routing";
import { minimumReasonLength, waiverReasonPattern } from "../policy/controls";
import { deregistrationDelay as deregistration, ecsDefaultStopTimeoutSeconds, fargateMaxStopTimeoutSeconds, fleetHealthCheck, rootUserPattern } from "../policy/limits";
import { resolveStackSettings, stackKeys } from "./stackSettings";

export interface FleetInput {
    readonly project: string;
    readonly stack: string;
    /** The stack's `fleet:*` config values (parsed), keyed without the namespace. Secret values are never passed. */
    readonly config: Readonly<Record<string, unknown>>;
    /** Every `fleet:*` key set in the stack, and which of them are secret. */
    readonly configKeys: ReadonlyMap<string, { readonly secret: boolean }>;
    /**
     * The content tag and revision of an image build (contentTag.ts), or why they could not be
     * computed. Required only when a service builds.
     */
    readonly buildTag?: (build: ImageBuild) => ImageTag | string;
    /** Whether a path (relative to the repository root) exists; build contexts are checked with it. */
    readonly pathExists?: (path: string) => boolean;
}

export type FleetResult = { readonly ok: true; readonly fleet: ResolvedFleet } | { readonly ok: false; readonly errors: readonly string[] };

/** Service names become logical names and the prefix of target-group names (AWS: 32 characters, Pulumi adds 8). */
const serviceNamePattern = /^[a-z](?:[a-z0-9]|-(?!-)){0,18}[a-z0-9]$/;
const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const hostPattern = /^[a-z0-9*?]([a-z0-9*?.-]*[a-z0-9*?])?$/;
const pathPattern = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;
const matcherPattern = /^(\d{3})(-(\d{3}))?(,(\d{3})(-(\d{3}))?)*$/;
const ssmNamePattern = /^\/?[A-Za-z0-9_.\-/]+$/;
const ssmArnPattern = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/;


function merge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...base };
    for (const [field, value] of Object.entries(override)) {
        const current = merged[field];
        // Objects merge one level (tune memory.limit alone); lists and scalars replace.
        merged[field] = isRecord(current) && isRecord(value) ? { ...current, ...value } : value;
    }
    return merged;
}

function asList(value: unknown): unknown[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

class ServiceResolver {
    constructor(
        private readonly problems: Problems,
        private readonly input: FleetInput,
        private readonly settings: StackSettings,
        private readonly name: string,
        private readonly spec: Record<string, unknown>,
        private readonly overridden: ReadonlySet<string>,
    ) {}

    private get subject(): string {
        return `service "${this.name}"`;
    }

    private add(field: string, value: unknown, problem: string, fix: string): void {
        const top = field.split(/[.[]/)[0];
        const where = this.overridden.has(top) ? ` (set in fleet:services.${this.name} of Pulumi.${this.input.stack}.yaml)` : "";
        this.problems.add(this.subject + where, field, value, problem, fix);
    }

    private integer(field: string, value: unknown, min: number, max: number, fix: string): number | undefined {
        if (value === undefined) return undefined;
        if (!isInteger(value) || value < min || value > max) {
            this.add(field, value, `must be a whole number from ${min} to ${max}`, fix);
            return undefined;
        }
        return value;
    }

    resolve(): { service: Omit<ResolvedService, "rules" | "urls">; routes: RouteInput[] } {
        const s = this.spec;
        for (const field of Object.keys(s)) {
            if (!(serviceFields as string[]).includes(field)) {
                // The value is not repeated: a misspelt `secrets` or `env` may hold a secret.
                this.add(field, hiddenValue, `unknown field${didYouMean(field, serviceFields)}`, `use one of ${serviceFields.join(", ")}`);
            }
        }
        const capacity = this.capacity();
        const image = this.image(capacity);
        const port = this.integer("port", s.port, 1, 65535, "use the port the container listens on (1-65535)");
        const routes = this.routes();
        const memory = this.memory();
        const cpu = s.cpu === undefined ? 256 : this.integer("cpu", s.cpu, 128, 16384, "use CPU units: 1024 is one vCPU, 256 a quarter") ?? 256;
        const stopTimeout =
            this.integer("stopTimeout", s.stopTimeout, 2, capacity === "ec2" ? 3600 : fargateMaxStopTimeoutSeconds, `use seconds between SIGTERM and SIGKILL${capacity === "ec2" ? "" : ` (Fargate allows at most ${fargateMaxStopTimeoutSeconds})`}`) ??
            ecsDefaultStopTimeoutSeconds;
        const deregistrationDelay =
            this.integer(
                "deregistrationDelay",
                s.deregistrationDelay,
                deregistration.fleetMin,
                deregistration.awsMax,
                `use ${deregistration.fleetMin}-${deregistration.awsMax} seconds: under ${deregistration.fleetMin} s the ALB cuts in-flight requests when a task stops`,
            ) ?? Math.min(deregistration.fleetDefault, stopTimeout);
        if (deregistrationDelay > stopTimeout) {
            this.add(
                "deregistrationDelay",
                deregistrationDelay,
                `is above stopTimeout (${stopTimeout} s): ECS kills the container while the ALB still sends it requests`,
                "lower deregistrationDelay or raise stopTimeout",
            );
        }
        const { desiredCount, scaling } = this.counts(routes.length > 0);
        const fargateSize = this.size(capacity, cpu, memory);
        const security = this.security(capacity);
        return {
            service: {
                name: this.name,
                image,
                port,
                health: this.health(routes.length > 0),
                memory,
                cpu,
                env: this.env(),
                secrets: this.secrets(),
                desiredCount,
                scaling,
                command: this.command(),
                stopTimeout,
                deregistrationDelay,
                // Without a size a problem was added, and the fleet is not returned: the largest stands in.
                capacity: capacity === "ec2" ? { kind: "ec2" } : { kind: "fargate", spot: capacity === "fargate-spot", size: fargateSize ?? largestFargateSize },
                security,
            },
            routes,
        };
    }

    private security(capacity: Capacity): ContainerSecurity {
        const raw = this.spec.optOut ?? {};
        const optOuts: Record<string, string> = {};
        if (!isRecord(raw)) {
            this.add("optOut", raw, "must map a secure default to the reason it is turned off", `use keys among ${securityOptOutFields.join(", ")}`);
        } else {
            for (const [key, reason] of Object.entries(raw)) {
                if (!(securityOptOutFields as readonly string[]).includes(key)) {
                    this.add(`optOut.${key}`, reason, `is not a secure default${didYouMean(key, securityOptOutFields)}`, `use one of ${securityOptOutFields.join(", ")}`);
                } else if (typeof reason !== "string" || reason.trim().length < minimumReasonLength) {
                    this.add(`optOut.${key}`, reason, "needs the reason the default is turned off (at least 10 characters)", "write why, e.g. \"nginx writes its cache under /var/cache/nginx\"");
                } else if (!waiverReasonPattern.test(reason.trim())) {
                    this.add(`optOut.${key}`, reason, "is stored as an AWS tag (a policy waiver), which allows only letters, digits, spaces and _ . : / = + - @", "reword it without other punctuation");
                } else {
                    optOuts[key] = reason.trim();
                }
            }
        }
        if (optOuts.privileged && capacity !== "ec2") {
            this.add("optOut.privileged", optOuts.privileged, "Fargate does not run privileged containers", "run the service on ec2 capacity or drop the opt-out");
        }
        const user = this.spec.user;
        const isRoot = (u: string) => rootUserPattern.test(u);
        if (user !== undefined && (typeof user !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(user))) {
            this.add("user", user, "is not a user (uid, uid:gid, or a name the image defines)", "use e.g. \"1000\" or \"101:101\"");
        } else if (user !== undefined && isRoot(user) && !optOuts.nonRootUser) {
            this.add("user", user, "runs the container as root", "use the image's unprivileged user, or set optOut.nonRootUser with the reason");
        }
        return {
            readonlyRootFilesystem: !optOuts.readonlyRootFilesystem,
            user: typeof user === "string" ? user : optOuts.nonRootUser ? undefined : "1000",
            privileged: optOuts.privileged !== undefined,
            initProcessEnabled: !optOuts.initProcess,
            noNewPrivileges: !optOuts.noNewPrivileges,
            optOuts,
        };
    }

    private capacity(): Capacity {
        const value = this.spec.capacity ?? this.settings.cluster.defaultCapacity;
        if (!capacities.includes(value as Capacity)) {
            this.add("capacity", value, "is not a capacity", `use one of ${capacities.join(", ")}`);
            return this.settings.cluster.defaultCapacity;
        }
        if (value === "ec2" && !this.settings.cluster.ec2) {
            this.add("capacity", value, `stack ${this.input.stack} has no EC2 capacity (fleet:cluster.ec2 is not set)`, "set fleet:cluster.ec2 or use fargate / fargate-spot");
        }
        return value as Capacity;
    }

    private image(capacity: Capacity): ResolvedImage {
        const { image, build } = this.spec;
        if ((image === undefined) === (build === undefined)) {
            this.add(
                image === undefined ? "image" : "image, build",
                image === undefined ? undefined : { image, build },
                image === undefined ? "neither image nor build is set" : "both image and build are set",
                "set exactly one: image for a published image, build for a context built and pushed to the service's repository",
            );
            return { kind: "direct", reference: "invalid" };
        }
        if (build !== undefined) return this.build(build, capacity);
        if (typeof image !== "string") {
            this.add("image", image, "must be a string", "use an image reference such as redis:7.4 or public.ecr.aws/nginx/nginx:1.27");
            return { kind: "direct", reference: "invalid" };
        }
        const parsed = parseImageReference(image);
        if (typeof parsed === "string") {
            this.add("image", image, `is not a valid image reference: it ${parsed}`, "use registry/repository:tag, e.g. redis:7.4, ghcr.io/org/app:1.2 or public.ecr.aws/nginx/nginx:1.27");
            return { kind: "direct", reference: image };
        }
        if (parsed.isEcr) return { kind: "ecr", reference: image };
        const cache = this.settings.registry.pullThroughCache.find((c) => c.registry === parsed.upstream);
        if (cache && parsed.upstream) {
            return {
                kind: "cached",
                registry: parsed.upstream,
                prefix: cache.prefix,
                repository: cachedRepository(this.input.stack, { ...parsed, upstream: parsed.upstream }),
                path: cachedImagePath(this.input.stack, { ...parsed, upstream: parsed.upstream }),
                upstream: image,
            };
        }
        return { kind: "direct", reference: image };
    }

    private build(build: unknown, capacity: Capacity): ResolvedImage {
        const spec: Partial<BuildSpec> | undefined = typeof build === "string" ? { context: build } : isRecord(build) ? (build as Partial<BuildSpec>) : undefined;
        if (!spec) {
            this.add("build", build, "must be a context path or { context, dockerfile?, args? }", "use e.g. ./apps/api");
            return { kind: "direct", reference: "invalid" };
        }
        if (isRecord(build)) {
            for (const field of Object.keys(build)) {
                if (!["context", "dockerfile", "args"].includes(field)) this.add(`build.${field}`, build[field], "unknown field", "use context, dockerfile or args");
            }
        }
        const context = spec.context;
        const dockerfile = spec.dockerfile ?? "Dockerfile";
        let located = false;
        if (typeof context !== "string" || !context.startsWith("./") || context.split("/").includes("..")) {
            this.add("build.context", context, "must be a path inside the repository starting with ./", "use e.g. ./apps/api");
        } else if (typeof dockerfile !== "string" || dockerfile.split("/").includes("..")) {
            this.add("build.dockerfile", dockerfile, "must be a path inside the build context", "use e.g. Dockerfile or docker/Dockerfile.prod");
        } else if (this.input.pathExists && !this.input.pathExists(`${context}/${dockerfile}`)) {
            this.add("build.context", context, `has no ${dockerfile}`, "point build at a directory with a Dockerfile, or set build.dockerfile");
        } else {
            located = true;
        }
        const args: Record<string, string> = {};
        if (spec.args !== undefined) {
            if (!isRecord(spec.args)) {
                this.add("build.args", spec.args, "must map argument names to strings", "use { NAME: \"value\" }");
            } else {
                for (const [key, value] of Object.entries(spec.args)) {
                    if (typeof value !== "string") this.add(`build.args.${key}`, value, "must be a string", "quote the value");
                    else args[key] = value;
                }
            }
        }
        const platform: BuildPlatform = capacity === "ec2" && this.settings.cluster.ec2?.architecture === "arm64" ? "linux/arm64" : "linux/amd64";
        const inputs: ImageBuild = { context: String(context), dockerfile: String(dockerfile), args, platform };
        let tagged: ImageTag = { tag: "invalid", revision: "unknown" };
        if (!this.input.buildTag) {
            this.add("build", build, "images built from source are tagged with a hash of their build context, which this run cannot compute", "run the program from the repository (index.ts), where the build contexts are");
        } else if (located) {
            // Hashed only once the context is known to hold its Dockerfile: a bad path is reported once, above.
            const result = this.input.buildTag(inputs);
            if (typeof result === "string") {
                this.add("build.context", context, `cannot be hashed into an image tag: ${result}`, "make every file of the context readable, or exclude it in .dockerignore");
            } else {
                tagged = result;
            }
        }
        return { kind: "build", ...inputs, ...tagged };
    }

    private host(value: unknown, field: string): string | undefined {
        if (typeof value !== "string" || value === "") {
            this.add(field, value, "must be a non-empty string", "use a subdomain such as api, or a full host such as api.example.com");
            return undefined;
        }
        let host = value.toLowerCase();
        if (!host.includes(".")) {
            if (!this.settings.domain) {
                this.add(field, value, "is a subdomain, but the stack has no fleet:domain", `set fleet:domain in Pulumi.${this.input.stack}.yaml or write the full host`);
                return undefined;
            }
            host = `${host}.${this.settings.domain}`;
        }
        const lastLabel = host.slice(host.lastIndexOf(".") + 1);
        if (host.length > maxPatternLength || !hostPattern.test(host) || host.includes("..") || !/^[a-z]+$/.test(lastLabel)) {
            this.add(
                field,
                value,
                `is not a valid ALB host condition${host !== value ? ` (expands to ${host})` : ""}: at most ${maxPatternLength} characters of a-z 0-9 - . * ?, with only letters after the last dot`,
                "use a host such as api.example.com or *.example.com",
            );
            return undefined;
        }
        return host;
    }

    private path(value: unknown, field: string): string | undefined {
        if (typeof value !== "string" || !pathPattern.test(value) || value.length > maxPatternLength) {
            this.add(
                field,
                value,
                `is not a valid ALB path condition: it must start with / and have at most ${maxPatternLength} characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?`,
                "use a pattern such as /api/*",
            );
            return undefined;
        }
        return value;
    }

    private routes(): RouteInput[] {
        const raw = this.spec.routes;
        if (raw === undefined) return [];
        if (!Array.isArray(raw)) {
            this.add("routes", raw, "must be a list of { host?, path? }", "write routes: [{ host: \"api\" }]");
            return [];
        }
        // Only when no port was given at all: a port out of range is already reported.
        if (raw.length > 0 && this.spec.port === undefined) {
            this.add("port", this.spec.port, "is required when the service has routes", "set the port the container listens on");
        }
        const result: RouteInput[] = [];
        raw.forEach((route: unknown, index) => {
            const field = `routes[${index}]`;
            if (!isRecord(route)) {
                this.add(field, route, "must be an object { host?, path? }", "write { host: \"api\" } or { path: \"/api/*\" }");
                return;
            }
            for (const key of Object.keys(route)) {
                if (!["host", "path", "priority"].includes(key)) this.add(`${field}.${key}`, route[key], `unknown field${didYouMean(key, ["host", "path", "priority"])}`, "use host, path or priority");
            }
            const hostValues = asList(route.host);
            const pathValues = asList(route.path);
            if (hostValues.length === 0 && pathValues.length === 0) {
                this.add(field, route, "has neither host nor path, so it would match every request", "add a host or a path (use path \"/*\" for an explicit catch-all)");
                return;
            }
            if (hostValues.length + pathValues.length > maxConditionValuesPerRule) {
                this.add(field, route, `has ${hostValues.length + pathValues.length} host and path values, above AWS's ${maxConditionValuesPerRule} condition values per rule`, "split it into several routes");
                return;
            }
            const hosts = hostValues.map((h, i) => this.host(h, Array.isArray(route.host) ? `${field}.host[${i}]` : `${field}.host`));
            const paths = pathValues.map((p, i) => this.path(p, Array.isArray(route.path) ? `${field}.path[${i}]` : `${field}.path`));
            if (hosts.includes(undefined) || paths.includes(undefined)) return;
            const wildcards = [...hosts, ...paths].join("").replace(/[^*?]/g, "").length;
            if (wildcards > maxWildcardsPerRule) {
                this.add(field, route, `uses ${wildcards} wildcards, above AWS's ${maxWildcardsPerRule} per rule`, "use fewer * and ? or split the route");
                return;
            }
            const priority = route.priority === undefined ? undefined : this.integer(`${field}.priority`, route.priority, 1, maxPriority - 1, `pin a value from 1 to ${maxPriority - 1}`);
            result.push({ service: this.name, index, hosts: hosts as string[], paths: paths as string[], pinnedPriority: priority });
        });
        return result;
    }

    private memory(): ResolvedService["memory"] {
        const raw = this.spec.memory;
        const fix = "set memory: { reservation, limit } in MiB, the soft reservation below the hard limit";
        if (!isRecord(raw)) {
            this.add("memory", raw, raw === undefined ? "is required" : "must be an object", fix);
            return { reservation: 128, limit: 256 };
        }
        for (const key of Object.keys(raw)) {
            if (!["reservation", "limit"].includes(key)) this.add(`memory.${key}`, raw[key], `unknown field${didYouMean(key, ["reservation", "limit"])}`, "use reservation and limit");
        }
        // Docker reserves at least 6 MiB per container (20.10+); less cannot start.
        const reservation = this.integer("memory.reservation", raw.reservation ?? -1, 6, 1_000_000, "use the MiB the service needs at steady state (at least 6)");
        const limit = this.integer("memory.limit", raw.limit ?? -1, 7, 1_000_000, "use the MiB at which the container should be killed (above the reservation)");
        if (reservation !== undefined && limit !== undefined && reservation >= limit) {
            this.add(
                "memory.reservation",
                reservation,
                `must be below memory.limit (${limit}): AWS requires the hard limit (memory) above the soft reservation (memoryReservation)`,
                "lower memory.reservation or raise memory.limit",
            );
        }
        return { reservation: reservation ?? 128, limit: limit ?? 256 };
    }

    private size(capacity: Capacity, cpu: number, memory: ResolvedService["memory"]): FargateSize | undefined {
        if (capacity === "ec2") {
            const ec2 = this.settings.cluster.ec2;
            const type = ec2 && instanceTypes[ec2.instanceType];
            if (ec2 && type) {
                if (memory.limit > ec2.registeredMemoryMiB) {
                    this.add(
                        "memory.limit",
                        memory.limit,
                        `exceeds the ${ec2.registeredMemoryMiB} MiB a ${ec2.instanceType} registers for tasks, so the task can never be placed`,
                        "lower the limit or choose a larger fleet:cluster.ec2.instanceType",
                    );
                }
                if (cpu > type.vcpus * 1024) {
                    this.add("cpu", cpu, `exceeds the ${type.vcpus * 1024} units of a ${ec2.instanceType}`, "lower cpu or choose a larger instance type");
                }
            }
            return undefined;
        }
        const size = smallestFargateSize(cpu, memory.limit);
        if (!size) {
            this.add(
                cpu > largestFargateSize.cpu ? "cpu" : "memory.limit",
                cpu > largestFargateSize.cpu ? cpu : memory.limit,
                `no Fargate task size holds ${cpu} CPU units and ${memory.limit} MiB (the largest is ${largestFargateSize.cpu} units, ${largestFargateSize.memory} MiB)`,
                "lower cpu or memory.limit, or run the service on ec2 capacity",
            );
        }
        return size;
    }

    private health(routed: boolean): ResolvedHealth {
        const raw = this.spec.health ?? {};
        const base = { path: "/healthz", matcher: "200-399", gracePeriodSeconds: 30, ...fleetHealthCheck };
        if (!isRecord(raw)) {
            this.add("health", raw, "must be an object", "set { path?, matcher?, command?, gracePeriodSeconds? }");
            return base;
        }
        for (const key of Object.keys(raw)) {
            if (!["path", "matcher", "command", "gracePeriodSeconds"].includes(key)) {
                this.add(`health.${key}`, raw[key], `unknown field${didYouMean(key, ["path", "matcher", "command", "gracePeriodSeconds"])}`, "use path, matcher, command or gracePeriodSeconds");
            }
        }
        const path = raw.path ?? base.path;
        if (typeof path !== "string" || !path.startsWith("/") || path.length > 1024 || /[\s\x00-\x1f\x7f]/.test(path)) {
            this.add("health.path", path, "must be a path starting with / (at most 1024 characters, no spaces)", "use e.g. /healthz");
        } else if (raw.path !== undefined && !routed) {
            this.add("health.path", path, "is set but the service has no routes, so there is no target group to check it", "remove health.path or add routes (use health.command for a container check)");
        }
        const matcher = raw.matcher ?? base.matcher;
        const codes = typeof matcher === "string" ? matcherPattern.exec(matcher) && matcher.split(/[,-]/).map(Number) : null;
        if (!codes || codes.some((code) => code < 200 || code > 499)) {
            this.add("health.matcher", matcher, "must be HTTP codes from 200 to 499, as a list or ranges", "use e.g. 200 or 200-399");
        }
        let command: string[] | undefined;
        if (raw.command !== undefined) {
            const c = raw.command;
            if (!Array.isArray(c) || c.length < 2 || !c.every((part) => typeof part === "string" && part !== "") || !["CMD", "CMD-SHELL"].includes(c[0] as string)) {
                this.add("health.command", c, "must be a list starting with CMD or CMD-SHELL", "use e.g. [\"CMD-SHELL\", \"wget -qO- http://localhost:8080/healthz || exit 1\"]");
            } else {
                command = c as string[];
            }
        }
        const gracePeriodSeconds = this.integer("health.gracePeriodSeconds", raw.gracePeriodSeconds, 0, 2_147_483_647, "use the seconds the service needs to start") ?? base.gracePeriodSeconds;
        return { ...base, path: String(path), matcher: String(matcher), command, gracePeriodSeconds };
    }

    private env(): Record<string, string> {
        const raw = this.spec.env ?? {};
        const env: Record<string, string> = {};
        if (!isRecord(raw)) {
            this.add("env", raw, "must map variable names to strings", "use { NAME: \"value\" }");
            return env;
        }
        const secrets = isRecord(this.spec.secrets) ? this.spec.secrets : {};
        for (const key of Object.keys(raw).sort()) {
            const value = raw[key];
            if (!envNamePattern.test(key)) {
                // Environment values are never repeated in messages: a secret may have landed there by mistake.
                this.add(`env.${key}`, hiddenValue, "is not a valid environment variable name", "use letters, digits and _ not starting with a digit");
            } else if (typeof value !== "string") {
                this.add(`env.${key}`, hiddenValue, `must be a string, not a ${Array.isArray(value) ? "list" : typeof value}`, "quote the value in the catalog");
            } else if (key in secrets) {
                this.add(`env.${key}`, hiddenValue, "is also declared under secrets", "keep it in secrets only; secrets never go in plain environment");
            } else {
                env[key] = value;
            }
        }
        return env;
    }

    private secrets(): ResolvedSecret[] {
        const raw = this.spec.secrets ?? {};
        if (!isRecord(raw)) {
            this.add("secrets", raw, "must map variable names to a source", "use { NAME: { fromConfig: \"key\" } | { generate: { length: 32 } } | { existing: \"/ssm/name\" } }");
            return [];
        }
        const resolved: ResolvedSecret[] = [];
        for (const name of Object.keys(raw).sort()) {
            const source = raw[name];
            const field = `secrets.${name}`;
            const parameterName = servicePhysicalNames.secretParameter(stackNames(this.input.project, this.input.stack), this.name, name);
            if (!envNamePattern.test(name)) {
                this.add(field, source, "is not a valid environment variable name", "use letters, digits and _ not starting with a digit");
                continue;
            }
            const kinds = isRecord(source) ? Object.keys(source) : [];
            if (!isRecord(source) || kinds.length !== 1 || !["fromConfig", "generate", "existing"].includes(kinds[0])) {
                this.add(field, source, "must have exactly one source", "use { fromConfig: \"key\" }, { generate: { length: 32 } } or { existing: \"/path/to/parameter\" }");
                continue;
            }
            if (source.fromConfig !== undefined) {
                const key = source.fromConfig;
                const entry = typeof key === "string" ? this.input.configKeys.get(key) : undefined;
                if (typeof key !== "string" || (stackKeys as readonly string[]).includes(key)) {
                    this.add(`${field}.fromConfig`, key, "must name a stack config key of its own", "use a key such as apiDatabasePassword");
                } else if (!entry) {
                    this.add(`${field}.fromConfig`, key, `is not set in Pulumi.${this.input.stack}.yaml`, `run: pulumi config set --secret ${key} <value> -s ${this.input.stack}`);
                } else if (!entry.secret) {
                    this.add(`${field}.fromConfig`, key, `is stored in plain text in Pulumi.${this.input.stack}.yaml`, `re-set it encrypted: pulumi config set --secret ${key} <value> -s ${this.input.stack}`);
                } else {
                    resolved.push({ name, source: "config", configKey: key, parameterName });
                }
            } else if (source.generate !== undefined) {
                const length = isRecord(source.generate) ? source.generate.length : undefined;
                if (!isRecord(source.generate) || Object.keys(source.generate).some((k) => k !== "length") || !isInteger(length) || length < 16 || length > 1024) {
                    this.add(`${field}.generate.length`, length, "must be a whole number from 16 to 1024", "use e.g. { generate: { length: 32 } }");
                } else {
                    resolved.push({ name, source: "generate", length, parameterName });
                }
            } else {
                const parameter = source.existing;
                const validName = typeof parameter === "string" && ssmNamePattern.test(parameter) && parameter.length <= 1011 && !/^\/?(aws|ssm)/i.test(parameter);
                if (typeof parameter !== "string" || (!validName && !ssmArnPattern.test(parameter))) {
                    this.add(`${field}.existing`, parameter, "is not an SSM parameter name or ARN", "use /path/to/parameter (not starting with aws or ssm) or arn:aws:ssm:<region>:<account>:parameter/path");
                } else {
                    resolved.push({ name, source: "existing", parameter });
                }
            }
        }
        return resolved;
    }

    private command(): string[] | undefined {
        const raw = this.spec.command;
        if (raw === undefined) return undefined;
        if (!Array.isArray(raw) || raw.length === 0 || !raw.every((part) => typeof part === "string")) {
            this.add("command", raw, "must be a non-empty list of strings", "use e.g. [\"node\", \"worker.js\"]");
            return undefined;
        }
        return raw as string[];
    }

    private counts(routed: boolean): { desiredCount: number; scaling?: ResolvedService["scaling"] } {
        const desired = this.integer("desiredCount", this.spec.desiredCount, 0, 1000, "use 0-1000 tasks");
        const raw = this.spec.scaling;
        if (raw === undefined) return { desiredCount: desired ?? 1 };
        if (!isRecord(raw)) {
            this.add("scaling", raw, "must be an object", "set { min, max, cpuPercent?, requestsPerTarget? }");
            return { desiredCount: desired ?? 1 };
        }
        for (const key of Object.keys(raw)) {
            if (!["min", "max", "cpuPercent", "requestsPerTarget"].includes(key)) {
                this.add(`scaling.${key}`, raw[key], `unknown field${didYouMean(key, ["min", "max", "cpuPercent", "requestsPerTarget"])}`, "use min, max, cpuPercent or requestsPerTarget");
            }
        }
        const min = this.integer("scaling.min", raw.min ?? -1, 0, 1000, "use 0-1000 tasks");
        const max = this.integer("scaling.max", raw.max ?? -1, 1, 1000, "use 1-1000 tasks");
        if (min !== undefined && max !== undefined && min > max) {
            this.add("scaling.min", min, `is above scaling.max (${max})`, "lower min or raise max");
        }
        const cpuPercent = this.integer("scaling.cpuPercent", raw.cpuPercent, 1, 100, "use a target CPU percentage such as 60");
        const requestsPerTarget = this.integer("scaling.requestsPerTarget", raw.requestsPerTarget, 1, 1_000_000, "use the requests per minute one task should serve");
        if (raw.cpuPercent === undefined && raw.requestsPerTarget === undefined) {
            this.add("scaling", raw, "has no target to track", "set cpuPercent, requestsPerTarget or both");
        }
        if (raw.requestsPerTarget !== undefined && !routed) {
            this.add("scaling.requestsPerTarget", raw.requestsPerTarget, "needs a target group, but the service has no routes", "scale on cpuPercent instead");
        }
        if (desired !== undefined && min !== undefined && max !== undefined && (desired < min || desired > max)) {
            this.add("desiredCount", desired, `is outside scaling bounds ${min}-${max}`, "set desiredCount within them or remove it (autoscaling starts at min)");
        }
        return {
            desiredCount: desired ?? min ?? 1,
            scaling: min !== undefined && max !== undefined ? { min, max, cpuPercent, requestsPerTarget } : undefined,
        };
    }
}

function urlsOf(rules: ResolvedService["rules"], https: boolean): string[] {
    const scheme = https ? "https" : "http";
    return rules.map((rule) => {
        const host = rule.hosts.find((h) => !/[*?]/.test(h));
        const path = (rule.paths[0] ?? "/").replace(/\*.*$/, "").replace(/\?.*$/, "");
        return host ? `${scheme}://${host}${path}` : `${scheme}://<alb>${path}`;
    });
}

/** Validates the catalog against the stack and resolves the whole fleet, or returns every problem found. */
export function resolveFleet(catalog: Catalog | unknown, input: FleetInput): FleetResult {
    const problems = new Problems();
    const settings = resolveStackSettings(problems, input.stack, input.config);

    // Keys that catalog secrets read with fromConfig are not typos.
    const secretSourceKeys = new Set(
        (isRecord(catalog) ? Object.values(catalog) : [])
            .flatMap((spec) => (isRecord(spec) && isRecord(spec.secrets) ? Object.values(spec.secrets) : []))
            .flatMap((source) => (isRecord(source) && typeof source.fromConfig === "string" ? [source.fromConfig] : [])),
    );
    for (const [key, { secret }] of input.configKeys) {
        if (!(stackKeys as readonly string[]).includes(key) && !secretSourceKeys.has(key) && !secret) {
            // A misspelt key may be a secret set without --secret: its value is not repeated.
            problems.add(`stack config fleet:${key}`, key, hiddenValue, `unknown key${didYouMean(key, stackKeys)}`, `use one of ${stackKeys.map((k) => `fleet:${k}`).join(", ")}, or remove it`);
        }
    }

    if (!isRecord(catalog) || Object.keys(catalog).length === 0) {
        problems.add("catalog", "services", catalog, "must be a non-empty record of service name → entry", "export const services: Catalog = { api: { ... } } from services/index.ts");
        return { ok: false, errors: problems.list() };
    }

    const overrides = input.config.services ?? {};
    if (!isRecord(overrides)) {
        problems.add("stack config fleet:services", "services", overrides, "must be an object keyed by service name", "write fleet:services: { api: { memory: { limit: 1024 } } }");
    }
    const overrideMap = isRecord(overrides) ? overrides : {};
    for (const name of Object.keys(overrideMap)) {
        if (!(name in catalog)) {
            problems.add(
                `stack config fleet:services.${name}`,
                name,
                hiddenValue,
                `overrides a service that is not in the catalog${didYouMean(name, Object.keys(catalog))}`,
                "fix the name or remove the override",
            );
        } else if (!isRecord(overrideMap[name])) {
            problems.add(`stack config fleet:services.${name}`, name, overrideMap[name], "must be an object of catalog fields", "write e.g. { memory: { limit: 1024 } }");
        }
    }

    const resolved: Omit<ResolvedService, "rules" | "urls">[] = [];
    const routes: RouteInput[] = [];
    for (const name of Object.keys(catalog).sort()) {
        const spec = catalog[name];
        if (!serviceNamePattern.test(name)) {
            problems.add(
                `service "${name}"`,
                "name",
                name,
                "must be 2-20 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it prefixes target-group names, which AWS limits to 32 characters)",
                "rename the catalog key",
            );
            continue;
        }
        if (!isRecord(spec)) {
            problems.add(`service "${name}"`, "entry", spec, "must be an object", "see the catalog contract in README.md");
            continue;
        }
        const override = isRecord(overrideMap[name]) ? (overrideMap[name] as Record<string, unknown>) : {};
        const merged = merge(spec, override);
        const result = new ServiceResolver(problems, input, settings, name, merged, new Set(Object.keys(override))).resolve();
        resolved.push(result.service);
        routes.push(...result.routes);
    }

    const names = Object.keys(catalog);
    for (const scope of Object.keys(settings.policy.waivers)) {
        if (scope !== "platform" && !names.includes(scope)) {
            problems.add(
                "stack config fleet:policy",
                `waivers.${scope}`,
                settings.policy.waivers[scope],
                `waives controls for a service that is not in the catalog${didYouMean(scope, [...names, "platform"])}`,
                "use a catalog service name, or platform for the shared resources",
            );
        }
    }
    for (const retired of settings.retired) {
        if (names.includes(retired.name)) {
            problems.add(
                "stack config fleet:retired",
                retired.name,
                retired.reason,
                "is retired but still in the catalog",
                "remove the catalog entry to retire it, or remove it from fleet:retired to keep running it",
            );
        } else if (!serviceNamePattern.test(retired.name)) {
            problems.add("stack config fleet:retired", retired.name, retired.name, "is not a service name (2-20 lowercase letters, digits and single hyphens)", "use the catalog key the service had");
        }
    }

    const routing = planRoutes(routes);
    routing.errors.forEach((message) => problems.addRaw(message));

    if (problems.count > 0) return { ok: false, errors: problems.list() };

    const https = settings.loadBalancer.certificateArn !== undefined;
    const services: ResolvedService[] = resolved.map((service) => {
        const rules = routing.rules.filter((rule) => rule.service === service.name);
        return { ...service, rules, urls: urlsOf(rules, https) };
    });
    return {
        ok: true,
        fleet: { project: input.project, stack: input.stack, ...settings, services, rules: routing.rules },
    };
}
