/**
 * A service's container definition: the JSON in its task definition that ECS runs, and that the
 * policy pack, the review facts and the tests parse back. Pure: the values that come from other
 * resources (image, log group, region, parameter ARNs and versions) are a type parameter `T`, so
 * infra passes Pulumi Outputs and tests pass strings. The key order is the JSON's: keep it.
 */
import { ResolvedService } from "./fleet";
import { linuxFirstUnprivilegedPort } from "../facts/aws";

/** Values from other resources, as `T` (a Pulumi Output in infra, a string in tests). */
export interface ContainerInputs<T> {
    /** The image reference the task runs. */
    readonly image: T;
    readonly logGroupName: T;
    readonly region: T;
    /** Every SSM parameter or Secrets Manager secret the task reads as a secret, by variable name, in injection order. */
    readonly secrets: ReadonlyMap<string, SecretInput<T>>;
    /**
     * Environment values the program computes (an RDS endpoint), beside the catalog's strings; their
     * names never clash with the entry's (model/programEnv.ts). @default none
     */
    readonly environment?: ReadonlyMap<string, T>;
}

/** A secret a task reads: what ECS reads it from and its current version (as a string, for a label). */
export interface SecretInput<T> {
    /**
     * The `valueFrom`: an SSM parameter's ARN, or a Secrets Manager secret's ARN (`<arn>:<json-key>::`
     * for one key of its JSON, secretsManager.ts).
     */
    readonly arn: T;
    /** An SSM parameter's version number, or the id of a Secrets Manager secret's AWSCURRENT version. */
    readonly version: T;
}

export interface PortMapping {
    /** The name Service Connect refers to (`portName`); set only on a service others call. */
    readonly name?: string;
    readonly containerPort: number;
    /** The container port on awsvpc; 0 (a dynamic host port) in bridge mode. */
    readonly hostPort: number;
    readonly protocol: "tcp";
    /**
     * What the server speaks, on a Service Connect port: the agent then handles and measures the
     * traffic as HTTP/1.1, HTTP/2 or gRPC. Absent for a tcp server: the agent passes raw TCP
     * (ECS PortMapping.appProtocol: "If you don't set a value for this parameter, then TCP is used").
     */
    readonly appProtocol?: AppProtocol;
}

export interface ContainerHealthCheck {
    readonly command: readonly string[];
    readonly interval: number;
    readonly timeout: number;
    readonly retries: number;
    readonly startPeriod: number;
}

export interface Tmpfs {
    readonly containerPath: string;
    readonly size: number;
    readonly mountOptions: readonly string[];
}

/** A volume of the task mounted in the container (ECS MountPoint). */
export interface MountPoint {
    /** The task definition volume's name. */
    readonly sourceVolume: string;
    readonly containerPath: string;
    readonly readOnly: false;
}

/** The container definition, as ECS reads it (`undefined` fields are left out of the JSON). */
export interface ContainerDefinition<T> {
    readonly name: string;
    readonly image: T;
    /** A private registry's credentials: the Secrets Manager secret holding them (set only with `credentials`). */
    readonly repositoryCredentials?: { readonly credentialsParameter: string };
    readonly essential: true;
    readonly cpu: number;
    /** Hard limit: killed above it. */
    readonly memory: number;
    /** Soft reservation: what placement reserves (bin-packing on EC2). */
    readonly memoryReservation: number;
    readonly portMappings: readonly PortMapping[];
    readonly command?: readonly string[];
    readonly environment: readonly { readonly name: string; readonly value: string | T }[];
    readonly secrets: readonly { readonly name: string; readonly valueFrom: T }[];
    readonly dockerLabels?: Readonly<Record<string, T>>;
    readonly logConfiguration: {
        readonly logDriver: "awslogs";
        readonly options: {
            readonly "awslogs-group": T;
            readonly "awslogs-region": T;
            readonly "awslogs-stream-prefix": string;
            readonly mode: "non-blocking";
            readonly "max-buffer-size": string;
        };
    };
    readonly healthCheck?: ContainerHealthCheck;
    readonly stopTimeout: number;
    readonly user?: string;
    readonly readonlyRootFilesystem: boolean;
    readonly privileged?: boolean;
    readonly dockerSecurityOptions?: readonly string[];
    /** Namespaced kernel parameters (`net.*` only, in the task's network namespace). */
    readonly systemControls?: readonly { readonly namespace: string; readonly value: string }[];
    readonly linuxParameters: {
        readonly initProcessEnabled: boolean;
        readonly capabilities?: { readonly drop: readonly string[] };
        readonly tmpfs?: readonly Tmpfs[];
    };
    /** The service's `volumes`; absent without any. */
    readonly mountPoints?: readonly MountPoint[];
}

/** The appProtocol values ECS accepts on a port mapping (ECS API PortMapping.appProtocol). */
export const appProtocols = ["http", "http2", "grpc"] as const;
export type AppProtocol = (typeof appProtocols)[number];

/** Docker label carrying the version of the parameter or secret behind a secret, e.g. `fleet.secret-version.DATABASE_PASSWORD`. */
export const secretVersionLabelPrefix = "fleet.secret-version.";

/** The container health check's timing (the command comes from the catalog). */
export const containerHealthCheck = { interval: 15, timeout: 5, retries: 3, maxStartPeriod: 300 } as const;

/** The service's one container. */
export function containerDefinition<T>(spec: ResolvedService, inputs: ContainerInputs<T>): ContainerDefinition<T> {
    const awsvpc = spec.networkMode === "awsvpc";
    const secrets = [...inputs.secrets.entries()];
    return {
        name: spec.name,
        image: inputs.image,
        repositoryCredentials: spec.image.kind === "private" ? { credentialsParameter: spec.image.credentials } : undefined,
        essential: true,
        cpu: spec.cpu,
        memory: spec.memory.limit,
        memoryReservation: spec.memory.reservation,
        portMappings: spec.port === undefined ? [] : [portMapping(spec, spec.port, awsvpc)],
        command: spec.command,
        // Sorted by name, as the catalog's are, so a program value slots in without reordering the rest.
        environment: [...Object.entries(spec.env), ...(inputs.environment ?? [])]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([name, value]) => ({ name, value })),
        secrets: secrets.map(([name, parameter]) => ({ name, valueFrom: parameter.arn })),
        // ECS cannot pin a parameter version in valueFrom (aws/containers-roadmap#859), and a secret's
        // version pinned there would outlive its rotation: the versions ride along as labels, so a
        // new value is a new task definition revision.
        dockerLabels:
            secrets.length > 0
                ? Object.fromEntries(secrets.map(([name, parameter]) => [`${secretVersionLabelPrefix}${name}`, parameter.version]))
                : undefined,
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": inputs.logGroupName,
                "awslogs-region": inputs.region,
                "awslogs-stream-prefix": spec.name,
                // Never block the application on CloudWatch; buffer and drop instead.
                mode: "non-blocking",
                "max-buffer-size": "25m",
            },
        },
        healthCheck: spec.health.command
            ? {
                  command: spec.health.command,
                  interval: containerHealthCheck.interval,
                  timeout: containerHealthCheck.timeout,
                  retries: containerHealthCheck.retries,
                  startPeriod: Math.min(containerHealthCheck.maxStartPeriod, spec.health.gracePeriodSeconds),
              }
            : undefined,
        stopTimeout: spec.stopTimeout,
        ...hardening(spec),
        systemControls: privilegedPortControls(spec.port),
        mountPoints: spec.volumes?.length
            ? spec.volumes.map((volume) => ({ sourceVolume: volume.volumeName, containerPath: volume.path, readOnly: false }))
            : undefined,
    };
}

/**
 * A port below 1024 needs root or CAP_NET_BIND_SERVICE to bind, and fleet's containers run as a
 * non-root user with every capability dropped; ECS grants neither (aws/containers-roadmap#1721).
 * Lowering `net.ipv4.ip_unprivileged_port_start` to the service's port, in the task's own network
 * namespace (ECS systemControls, `net.*`; Fargate platform 1.4.0+), lets the server bind it and
 * nothing below it.
 */
function privilegedPortControls(port: number | undefined): ContainerDefinition<never>["systemControls"] {
    if (port === undefined || port >= linuxFirstUnprivilegedPort) return undefined;
    return [{ namespace: "net.ipv4.ip_unprivileged_port_start", value: String(port) }];
}

/** The port's name (Service Connect's `portName`) is the service's, set only when another service calls it. */
export const servicePortName = (service: string) => service;

function portMapping(spec: ResolvedService, port: number, awsvpc: boolean): PortMapping {
    const mapping: PortMapping = { containerPort: port, hostPort: awsvpc ? port : 0, protocol: "tcp" };
    // Named only for Service Connect: an unnamed mapping keeps every other task definition as it was.
    if (!spec.serviceConnect?.server) return mapping;
    const named = { name: servicePortName(spec.name), ...mapping };
    return spec.protocol === "tcp" ? named : { ...named, appProtocol: spec.protocol };
}

/**
 * Secure container defaults (each can be turned off in the catalog with a reason): a read-only
 * root filesystem with a tmpfs /tmp (memory-backed, so it counts against the hard limit), a
 * non-root user, an init process that reaps zombies and forwards SIGTERM, every Linux
 * capability dropped and no-new-privileges. Fargate accepts neither dockerSecurityOptions nor
 * privileged mode, so there the dropped capabilities and the non-root user stand in.
 */
function hardening(
    spec: ResolvedService,
): Pick<ContainerDefinition<never>, "user" | "readonlyRootFilesystem" | "privileged" | "dockerSecurityOptions" | "linuxParameters"> {
    const security = spec.security;
    const ec2 = spec.capacity.kind === "ec2";
    return {
        user: security.user,
        readonlyRootFilesystem: security.readonlyRootFilesystem,
        privileged: ec2 ? security.privileged : undefined,
        dockerSecurityOptions: ec2 && security.noNewPrivileges ? ["no-new-privileges"] : undefined,
        linuxParameters: {
            initProcessEnabled: security.initProcessEnabled,
            capabilities: security.noNewPrivileges ? { drop: ["ALL"] } : undefined,
            tmpfs: security.readonlyRootFilesystem
                ? [{ containerPath: "/tmp", size: tmpfsSizeMiB(spec.memory.limit), mountOptions: ["rw", "nosuid", "nodev", "mode=1777"] }]
                : undefined,
        },
    };
}

/** The /tmp tmpfs: a quarter of the hard limit, 16 to 256 MiB (tmpfs pages count as container memory). */
export function tmpfsSizeMiB(memoryLimit: number): number {
    return Math.max(16, Math.min(256, Math.floor(memoryLimit / 4)));
}
