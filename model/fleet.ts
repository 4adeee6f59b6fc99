/**
 * The resolved fleet: the catalog and the stack file merged, validated and fully defaulted.
 * Components take only these types, so they never read config and never branch on the stack.
 */
import { ResolvedGrant } from "./access";
import { Capacity, Deployment, MemorySpec, Protocol, ScalingSpec } from "./catalog";
import { ResolvedConnection, ServiceConnectRole } from "./connections";
import { DnsSettings, ResolvedDns } from "./dns";
import { FargateSize } from "./fargate";
import { UpstreamRegistryKey } from "./images";
import { PlannedRule } from "./routing";
import type { BudgetSettings, ClusterSettings, LoadBalancerSettings, NetworkSettings } from "./stackSettings";

/** The stack's network, cluster and load balancer, as their schemas give them (stackSettings.ts). */
export type { ClusterSettings, LoadBalancerSettings, NetworkSettings } from "./stackSettings";

export interface PullThroughCacheSettings {
    readonly registry: UpstreamRegistryKey;
    /** ECR repository prefix of the rule, e.g. `dev-cache/docker-hub`. */
    readonly prefix: string;
    /** Secrets Manager credential ARN (`ecr-pullthroughcache/...`), for registries that need one. */
    readonly credentialArn?: string;
}

export interface RegistrySettings {
    /** Images kept per service repository by the lifecycle policy. */
    readonly keepImages: number;
    readonly pullThroughCache: readonly PullThroughCacheSettings[];
}

/** The platform an image is built for: the architecture of the capacity that runs it. */
export type BuildPlatform = "linux/amd64" | "linux/arm64";

/** What goes into an image build, as the builder sees it (the input of content tags). */
export interface ImageBuild {
    /** Build context, relative to the repository root, e.g. `./apps/api`. */
    readonly context: string;
    /** Dockerfile path relative to the context. */
    readonly dockerfile: string;
    readonly args: Readonly<Record<string, string>>;
    readonly platform: BuildPlatform;
}

/** A content-addressed image tag and the commit it traces to (see contentTag.ts). */
export interface ImageTag {
    /** `c-<20 hex>`: a hash of the build's inputs and the revision; equal content, equal tag. */
    readonly tag: string;
    /** `org.opencontainers.image.revision`: the commit that introduced the content, `<HEAD>-dirty`, or `unknown`. */
    readonly revision: string;
}

export type ResolvedImage =
    | ({ readonly kind: "build" } & ImageBuild & ImageTag)
    /** A full ECR URI, used as is. */
    | { readonly kind: "ecr"; readonly reference: string }
    /** Served through this stack's pull-through cache: `path` is relative to the account's registry. */
    | {
          readonly kind: "cached";
          readonly registry: UpstreamRegistryKey;
          readonly prefix: string;
          /** The cached repository, e.g. `dev-cache/docker-hub/library/redis`: what the roles may import into. */
          readonly repository: string;
          /** The repository with its tag or digest. */
          readonly path: string;
          readonly upstream: string;
      }
    /** An upstream image with no cache rule in this stack: pulled from the internet through NAT. */
    | { readonly kind: "direct"; readonly reference: string }
    /**
     * An image of a private registry (`credentials`): used exactly as written, never through the cache, and
     * pulled with the registry credentials held in a Secrets Manager secret (`repositoryCredentials`).
     */
    | {
          readonly kind: "private";
          readonly reference: string;
          /** The full ARN of the Secrets Manager secret holding `{"username","password"}`. */
          readonly credentials: string;
      };

export type ResolvedSecret =
    | { readonly name: string; readonly source: "config"; readonly configKey: string; readonly parameterName: string }
    | { readonly name: string; readonly source: "generate"; readonly length: number; readonly parameterName: string }
    | {
          readonly name: string;
          readonly source: "existing";
          readonly parameter: string;
          /** The customer-managed key encrypting it (ARN or id); absent for `aws/ssm`. */
          readonly kmsKey?: string;
      }
    /** An existing Secrets Manager secret (`existing` with its full ARN), in the stack's region. */
    | {
          readonly name: string;
          readonly source: "secretsManager";
          /** The secret's full ARN (with the six characters AWS appends to its name). */
          readonly secretArn: string;
          /** The top-level key of its JSON whose value is injected; absent for the whole secret. */
          readonly key?: string;
          /** The customer-managed key encrypting it (ARN or id); absent for `aws/secretsmanager`. */
          readonly kmsKey?: string;
      };

export interface ResolvedHealth {
    /** Target-group path: an HTTP path, or a gRPC method `/package.Service/Method` for a grpc service. */
    readonly path: string;
    /** Healthy codes: HTTP codes, or gRPC codes for a grpc service. */
    readonly matcher: string;
    readonly command?: readonly string[];
    readonly gracePeriodSeconds: number;
    /** Target-group health check, tuned for fast rollouts. */
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
}

/** The container's hardening, after opt-outs. */
export interface ContainerSecurity {
    readonly readonlyRootFilesystem: boolean;
    /** The user to run as; undefined only when opted out (the image's own user). */
    readonly user?: string;
    readonly privileged: boolean;
    readonly initProcessEnabled: boolean;
    /** no-new-privileges (EC2) and every Linux capability dropped. */
    readonly noNewPrivileges: boolean;
    /** Opt-out → reason. */
    readonly optOuts: Readonly<Record<string, string>>;
}

/**
 * Where a service's tasks run, with what that capacity needs: Fargate tasks (awsvpc, a task size,
 * FARGATE or FARGATE_SPOT) or bridge-mode tasks on the cluster's EC2 capacity provider.
 */
export type ResolvedCapacity =
    | {
          readonly kind: "fargate";
          /** FARGATE_SPOT rather than FARGATE. */
          readonly spot: boolean;
          /** The smallest valid Fargate task size holding the container (fargate.ts). */
          readonly size: FargateSize;
      }
    | {
          readonly kind: "ec2";
          /**
           * Task-level CPU units and memory (MiB), set only where AWS requires a task size on EC2:
           * a task in Service Connect must set task memory above its containers' limits, for the
           * agent ECS adds (facts/aws.ts serviceConnectAgent). Placement then reserves this
           * size on an instance instead of the container's soft reservation.
           */
          readonly task?: { readonly cpu: number; readonly memory: number };
      };

/**
 * How a service's tasks are networked. `awsvpc`: an ENI and a security group of their own, in the
 * private subnets (Fargate always; on EC2, every service in Service Connect, so that a server admits
 * its callers' groups alone on its port, never the instances' whole dynamic port range). `bridge`:
 * the instance's network through Docker's bridge on a dynamic host port (other EC2 services, which
 * the load balancer reaches through the instances' group).
 */
export type NetworkMode = "awsvpc" | "bridge";

/** A job: a task EventBridge Scheduler runs on a schedule (the entry's `schedule`), instead of an ECS service. */
export interface ResolvedJob {
    /** `cron(...)` or `rate(...)`, as EventBridge Scheduler takes it. */
    readonly schedule: string;
    /** IANA zone of a cron schedule; UTC when absent. */
    readonly timezone?: string;
    /** Minutes a run typically takes, when declared (cost and capacity estimates only). */
    readonly durationMinutes?: number;
}

/**
 * A volume the container mounts (`volumes`), at `path` (without a trailing slash), from the task
 * definition volume `volumeName` (model/naming.ts taskVolumeName): a bind mount with no host path,
 * writable and as long-lived as the task (ECS guide, "Bind mounts"), or the stack's file system
 * `fileSystem` through the service's own access point, which writes as `uid:gid`.
 */
export type ResolvedVolume =
    | { readonly path: string; readonly kind: "scratch"; readonly volumeName: string }
    | {
          readonly path: string;
          readonly kind: "efs";
          readonly fileSystem: string;
          readonly volumeName: string;
          readonly uid: number;
          readonly gid: number;
      };

/** One of the stack's encrypted EFS file systems: named by a live service's `volumes` or kept by `fleet:retired`. */
export interface ResolvedFileSystem {
    readonly name: string;
    /** Live services that mount it, in name order (each through its own access point). */
    readonly services: readonly string[];
    /** Whether an EC2 (bridge) service mounts it: NFS then admits the container instances' group, once. */
    readonly instances: boolean;
    /** Retired entries that keep it (`fleet:retired.<name>.fileSystems`), in name order. */
    readonly keptBy: readonly string[];
    /** `protect`ed: the stack protects, and a live service or an unreleased retired entry keeps it. */
    readonly protect: boolean;
}

export interface ResolvedService {
    readonly name: string;
    readonly image: ResolvedImage;
    readonly port?: number;
    /** What the server speaks on `port` (http without a port). */
    readonly protocol: Protocol;
    /** This service's listener rules (empty for a worker). */
    readonly rules: readonly PlannedRule[];
    readonly health: ResolvedHealth;
    readonly memory: MemorySpec;
    readonly cpu: number;
    readonly env: Readonly<Record<string, string>>;
    readonly secrets: readonly ResolvedSecret[];
    readonly desiredCount: number;
    readonly scaling?: ScalingSpec;
    /** Set when the entry is a job: no ECS service, a schedule that runs its task. */
    readonly job?: ResolvedJob;
    readonly command?: readonly string[];
    readonly stopTimeout: number;
    readonly deregistrationDelay: number;
    readonly capacity: ResolvedCapacity;
    readonly networkMode: NetworkMode;
    /** How a deployment replaces the tasks: start new first (`rolling`) or stop old first (`recreate`). */
    readonly deployment: Deployment;
    readonly security: ContainerSecurity;
    /** Public URL(s) of the service, one per host-based rule, or the ALB path for path rules. */
    readonly urls: readonly string[];
    /** AWS resources its task role may use (`access`), in a stable order. */
    readonly grants: readonly ResolvedGrant[];
    /** The services it calls through Service Connect (`connects`); their URLs or addresses are in `env` unless the entry keeps its own. */
    readonly connects: readonly ResolvedConnection[];
    /** Its part in Service Connect; absent when it neither calls nor is called. */
    readonly serviceConnect?: ServiceConnectRole;
    /** What the container mounts (`volumes`), sorted by path; none when absent. */
    readonly volumes?: readonly ResolvedVolume[];
}

/** `fleet:policy`: how policy violations are enforced on this stack, and what is waived. */
export interface PolicyConfig {
    readonly enforcement: "mandatory" | "advisory";
    /** Service name (or "platform") → control id → reason. */
    readonly waivers: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A service removed from the catalog on purpose (`fleet:retired`). */
export interface RetiredService {
    readonly name: string;
    readonly reason: string;
    /** Keep its ECR repository (with the images). */
    readonly repository: boolean;
    /** Keep these SSM parameters (variable names). */
    readonly parameters: readonly string[];
    /** Keep these of the stack's file systems (names), once no live service mounts them. */
    readonly fileSystems: readonly string[];
    /** Unprotect what is kept, so the next update (without the entry) may delete it. */
    readonly release: boolean;
}

/** The stack-level settings (`fleet:*` keys other than the service overrides). */
export interface StackSettings {
    /** Parent domain of subdomain hosts. */
    readonly domain?: string;
    readonly network: NetworkSettings;
    readonly cluster: ClusterSettings;
    readonly loadBalancer: LoadBalancerSettings;
    readonly registry: RegistrySettings;
    readonly logRetentionDays: number;
    /** `protect` stateful resources (ECR repositories, SSM parameters, log groups, the ALB). */
    readonly protect: boolean;
    readonly policy: PolicyConfig;
    /** Services retired from the catalog, by name. */
    readonly retired: readonly RetiredService[];
    /** The stack's cost budget, checked by the plan's review (review/budget.ts). */
    readonly budget?: BudgetSettings;
    /** `fleet:dns` as written. */
    readonly dns?: DnsSettings;
}

export interface ResolvedFleet extends StackSettings {
    readonly project: string;
    readonly stack: string;
    /** Services by name, in name order. */
    readonly services: readonly ResolvedService[];
    /** Every listener rule, in evaluation order. */
    readonly rules: readonly PlannedRule[];
    /** Records and certificate of `fleet:dns`; absent without it. */
    readonly resolvedDns?: ResolvedDns;
    /** Catalog services turned off in this stack (`fleet:services.<name>.enabled: false`). */
    readonly disabled: readonly string[];
    /** What is valid but likely wrong (a called service without any health check), one sentence each. */
    readonly warnings: readonly string[];
    /**
     * Stack values still the samples' placeholders (model/placeholders.ts): a warning in the offline
     * plan, refused by a real `pulumi up`.
     */
    readonly placeholders: readonly string[];
    /** The stack's EFS file systems, by name. */
    readonly fileSystems: readonly ResolvedFileSystem[];
}
