/**
 * The catalog contract: what a microservice entry in `services/index.ts` may say.
 *
 * Plain data only: no resources, no Outputs. Every entry is validated and resolved by
 * `validate.ts` before any resource is registered, and `Pulumi.<stack>.yaml` may override any
 * field per service under `fleet:services`.
 */

/** An ALB route. A host with no dot is a subdomain of the stack's `fleet:domain`. */
export interface RouteSpec {
    /** Host header pattern(s), e.g. `api` or `api.example.com` or `*.example.com`. @default any host */
    readonly host?: string | readonly string[];
    /** Path pattern(s), e.g. `/api/*`. Case-sensitive, matched without the query string. @default any path */
    readonly path?: string | readonly string[];
    /**
     * Pin this route's listener-rule priority (1-49999). Only needed when the computed slot collides
     * with another route's; the validation message names a free value. @default computed
     */
    readonly priority?: number;
}

/** A docker build, as in a compose file. */
export interface BuildSpec {
    /** Build context, relative to the repository root, e.g. `./apps/api`. */
    readonly context: string;
    /** Dockerfile path relative to the context. @default "Dockerfile" */
    readonly dockerfile?: string;
    /** Build arguments (never secrets: they are visible in the image history). @default {} */
    readonly args?: Readonly<Record<string, string>>;
}

/** Where a secret's value comes from. Every secret is injected through SSM Parameter Store. */
export type SecretSource =
    /** A secret stack config key in the `fleet` namespace (`pulumi config set --secret <key>`). */
    | { readonly fromConfig: string }
    /** Generated once with `@pulumi/random` and kept across updates. */
    | { readonly generate: { readonly length: number } }
    /** A parameter that already exists (name or ARN); referenced, never created. */
    | { readonly existing: string };

export interface HealthSpec {
    /** Target-group health-check path. @default "/healthz" for a service with a port */
    readonly path?: string;
    /** HTTP codes the target group treats as healthy. @default "200-399" */
    readonly matcher?: string;
    /** Container health check command, e.g. `["CMD-SHELL", "wget -qO- localhost:8080/healthz"]`. @default none */
    readonly command?: readonly string[];
    /** Seconds ECS ignores failing health checks after a task starts. @default 30 */
    readonly gracePeriodSeconds?: number;
}

export interface MemorySpec {
    /** Soft limit in MiB (`memoryReservation`): what placement reserves on an instance. */
    readonly reservation: number;
    /** Hard limit in MiB (`memory`): the container is killed above it. Must exceed `reservation`. */
    readonly limit: number;
}

export interface ScalingSpec {
    /** Fewest tasks. */
    readonly min: number;
    /** Most tasks. */
    readonly max: number;
    /** Target average CPU utilisation (percent). @default none */
    readonly cpuPercent?: number;
    /** Target ALB requests per task per minute. @default none */
    readonly requestsPerTarget?: number;
}

/**
 * Secure container defaults a service turns off, each with the reason (shown in the plan and
 * counted as a waiver of the matching policy control).
 */
export interface SecurityOptOuts {
    /** Writable root filesystem instead of read-only with a tmpfs /tmp (control ECS.5). */
    readonly readonlyRootFilesystem?: string;
    /** Run as root (control ECS.20). */
    readonly nonRootUser?: string;
    /** Privileged mode, EC2 only (control ECS.4). */
    readonly privileged?: string;
    /** No init process as PID 1. */
    readonly initProcess?: string;
    /** Allow privilege escalation and keep Linux capabilities. */
    readonly noNewPrivileges?: string;
}
export const securityOptOutFields: readonly (keyof SecurityOptOuts)[] = ["readonlyRootFilesystem", "nonRootUser", "privileged", "initProcess", "noNewPrivileges"];

/** Where a service's tasks run. EC2 bin-packs many small tasks per instance. */
export type Capacity = "ec2" | "fargate" | "fargate-spot";
export const capacities: readonly Capacity[] = ["ec2", "fargate", "fargate-spot"];

/** One microservice. Exactly one of `image` and `build`. */
export interface ServiceSpec {
    /** An image reference: upstream references go through the pull-through cache; a full ECR URI is used as is. */
    readonly image?: string;
    /** A build context (or `{ context, dockerfile, args }`) built and pushed to the service's own ECR repository. */
    readonly build?: string | BuildSpec;
    /** Container port. @default none: a worker with no traffic */
    readonly port?: number;
    /** ALB routes. @default none: not on the load balancer */
    readonly routes?: readonly RouteSpec[];
    /** Health checks. @default `{ path: "/healthz" }` when the service has routes */
    readonly health?: HealthSpec;
    /** Soft and hard memory in MiB. */
    readonly memory: MemorySpec;
    /** CPU units (1024 = one vCPU). @default 256 */
    readonly cpu?: number;
    /** Plain environment variables. Never secrets. @default {} */
    readonly env?: Readonly<Record<string, string>>;
    /** Env var name → secret source; always injected through SSM. @default {} */
    readonly secrets?: Readonly<Record<string, SecretSource>>;
    /** Task count when not autoscaled. @default 1 */
    readonly desiredCount?: number;
    /** Target-tracking autoscaling. @default none */
    readonly scaling?: ScalingSpec;
    /** Overrides the image's command, so one image serves several roles. @default the image's */
    readonly command?: readonly string[];
    /** Seconds between SIGTERM and SIGKILL (Fargate allows at most 120). @default 30 */
    readonly stopTimeout?: number;
    /** Seconds the ALB waits for in-flight requests before deregistering a task. @default 15 */
    readonly deregistrationDelay?: number;
    /** Where the tasks run. Usually set per stack under `fleet:services`. @default the stack's `fleet:cluster.defaultCapacity` */
    readonly capacity?: Capacity;
    /** The user the container runs as (`uid[:gid]` or a name in the image); never root. @default "1000" */
    readonly user?: string;
    /** Secure defaults turned off, each with its reason. @default {} */
    readonly optOut?: SecurityOptOuts;
}

/** The catalog: service name → entry. The key is the stable logical name of every resource of the service. */
export type Catalog = Readonly<Record<string, ServiceSpec>>;

/** The fields an entry (or a stack override) may carry; anything else is reported as a typo. */
export const serviceFields: readonly (keyof ServiceSpec)[] = [
    "image", "build", "port", "routes", "health", "memory", "cpu", "env", "secrets",
    "desiredCount", "scaling", "command", "stopTimeout", "deregistrationDelay", "capacity", "user", "optOut",
];
