/**
 * The local stack's compose.yaml: one compose service per service of the stack, under the same
 * name, so the names services call each other by (Service Connect's, and the `connects` variables)
 * work unchanged, and an HAProxy router in front (local/haproxy.ts) in the ALB's place.
 *
 * Each service's container is the one its task definition describes: the compose service is read
 * off the model's container definition (model/containerDefinition.ts), so memory, CPU, command,
 * environment, user, read-only root and tmpfs, capabilities, init, stop timeout and health check
 * are the deployed ones, not a second copy of the rules that make them. Secrets come from env files
 * that stay on this machine (local/secrets.ts), never from this file.
 */
import * as path from "path";
import * as YAML from "yaml";
import { efs } from "../facts/aws";
import { containerDefinition, ContainerDefinition } from "../model/containerDefinition";
import { ResolvedFleet, ResolvedService } from "../model/fleet";

/** The router's compose service. A catalog name is a DNS label, so it never has a dot. */
export const routerService = "fleet.router";
/** The one-off service that gives each EFS volume to its service's user, as an access point gives its root directory. */
export const volumesService = "fleet.volumes";
/** HAProxy's long-term-support branch; the configuration is checked with Debian's haproxy (`haproxy -c`). */
export const routerImage = "haproxy:3.2-alpine";
export const volumesImage = "busybox:1.37";
/** The port the router listens on in its container (its image runs it as an unprivileged user). */
export const routerContainerPort = 8080;
/** Jobs start only when asked for: `docker compose run <job>`, or `--profile jobs`. */
export const jobsProfile = "jobs";

export interface ComposeOptions {
    /** The repository root: build contexts are relative to it. */
    readonly root: string;
    /** Where compose.yaml is written: paths in it are relative to it. */
    readonly outDir: string;
    /** The port of this machine's loopback the router publishes. */
    readonly port: number;
    /** The env file holding each service's secrets, relative to `outDir`; absent for a service without secrets. */
    readonly secretFiles: ReadonlyMap<string, string>;
}

type Condition = "service_healthy" | "service_started" | "service_completed_successfully";

export interface ComposeService {
    image?: string;
    build?: { context: string; dockerfile: string; args?: Record<string, string> };
    command?: string[];
    environment?: Record<string, string>;
    env_file?: string[];
    mem_reservation?: string;
    mem_limit?: string;
    cpus?: number;
    read_only?: boolean;
    tmpfs?: string[];
    user?: string;
    privileged?: boolean;
    cap_drop?: string[];
    cap_add?: string[];
    security_opt?: string[];
    init?: boolean;
    stop_grace_period?: string;
    sysctls?: Record<string, string>;
    healthcheck?: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
    depends_on?: Record<string, { condition: Condition }>;
    volumes?: string[];
    ports?: string[];
    network_mode?: string;
    profiles?: string[];
    restart?: string;
}

export interface ComposeFile {
    services: Record<string, ComposeService>;
    volumes?: Record<string, Record<string, never>>;
}

/** A value Compose must take literally: it interpolates `$` in every string of the file. */
const literal = (value: string) => value.replace(/\$/g, "$$$$");

/** The image as this machine pulls it: a cached upstream image from its upstream registry; anything else as the task names it. */
function image(spec: ResolvedService, options: ComposeOptions): Pick<ComposeService, "image" | "build"> {
    const source = spec.image;
    switch (source.kind) {
        case "build": {
            const context = path.relative(options.outDir, path.resolve(options.root, source.context)) || ".";
            const args = Object.fromEntries(Object.entries(source.args).map(([k, v]) => [k, literal(v)]));
            return {
                build: {
                    context: context.startsWith(".") ? context : `./${context}`,
                    dockerfile: source.dockerfile,
                    ...(Object.keys(args).length > 0 ? { args } : {}),
                },
            };
        }
        case "cached":
            return { image: source.upstream };
        default:
            return { image: source.reference };
    }
}

/** The EFS volume of one service: its own, as each service reaches a file system through an access point of its own. */
export const efsVolumeName = (fileSystem: string, service: string) => `efs.${fileSystem}.${service}`;

function volumes(spec: ResolvedService): string[] | undefined {
    if (!spec.volumes?.length) return undefined;
    // A scratch volume is a bind mount with no host path: Docker keeps it as an anonymous volume, for the container's life.
    return spec.volumes.map((v) => (v.kind === "scratch" ? v.path : `${efsVolumeName(v.fileSystem, spec.name)}:${v.path}`));
}

function healthcheck(container: ContainerDefinition<string>): ComposeService["healthcheck"] {
    const check = container.healthCheck;
    if (!check) return undefined;
    return {
        test: check.command.map(literal),
        interval: `${check.interval}s`,
        timeout: `${check.timeout}s`,
        retries: check.retries,
        start_period: `${check.startPeriod}s`,
    };
}

/** One service of the stack, from its container definition. */
function service(spec: ResolvedService, byName: ReadonlyMap<string, ResolvedService>, options: ComposeOptions): ComposeService {
    const container = containerDefinition<string>(spec, { image: "", logGroupName: "", region: "", secrets: new Map() });
    const linux = container.linuxParameters;
    const security = spec.security;
    const dependsOn: Record<string, { condition: Condition }> = {};
    // A service it calls starts first, and is healthy first when it has a container health check.
    for (const { target } of spec.connects) {
        dependsOn[target] = { condition: byName.get(target)?.health.command ? "service_healthy" : "service_started" };
    }
    if (spec.volumes?.some((v) => v.kind === "efs")) dependsOn[volumesService] = { condition: "service_completed_successfully" };
    const secretFile = options.secretFiles.get(spec.name);
    return {
        ...image(spec, options),
        command: container.command?.map(literal),
        environment: container.environment.length
            ? Object.fromEntries(container.environment.map(({ name, value }) => [name, literal(value)]))
            : undefined,
        env_file: secretFile ? [secretFile] : undefined,
        mem_reservation: `${container.memoryReservation}m`,
        mem_limit: `${container.memory}m`,
        cpus: container.cpu / 1024,
        read_only: container.readonlyRootFilesystem,
        tmpfs: linux.tmpfs?.map((t) => `${t.containerPath}:${[...t.mountOptions, `size=${t.size}m`].join(",")}`),
        user: container.user,
        privileged: security.privileged || undefined,
        cap_drop: linux.capabilities ? [...linux.capabilities.drop] : undefined,
        // ECS sets no-new-privileges on EC2 only (Fargate refuses dockerSecurityOptions); Docker takes it everywhere.
        security_opt: security.noNewPrivileges ? ["no-new-privileges:true"] : undefined,
        init: linux.initProcessEnabled,
        stop_grace_period: `${container.stopTimeout}s`,
        sysctls: container.systemControls ? Object.fromEntries(container.systemControls.map((c) => [c.namespace, c.value])) : undefined,
        healthcheck: healthcheck(container),
        depends_on: Object.keys(dependsOn).length ? dependsOn : undefined,
        volumes: volumes(spec),
        ...(spec.job ? { profiles: [jobsProfile], restart: "no" } : { restart: "unless-stopped" }),
    };
}

/** The hardening every service gets, for the two services of fleet's own. */
const hardened: ComposeService = {
    read_only: true,
    cap_drop: ["ALL"],
    security_opt: ["no-new-privileges:true"],
};

/**
 * The one-off service that does what an access point does on EFS: it gives the root directory of
 * each service's volume to the service's uid:gid, with the access point's permissions.
 */
function volumesHelper(fleet: ResolvedFleet): { helper?: ComposeService; names: string[] } {
    const mounts = fleet.services.flatMap((spec) =>
        (spec.volumes ?? []).flatMap((v) =>
            v.kind === "efs" ? [{ name: efsVolumeName(v.fileSystem, spec.name), uid: v.uid, gid: v.gid }] : [],
        ),
    );
    if (mounts.length === 0) return { names: [] };
    const at = (name: string) => `/volumes/${name}`;
    const script = mounts.map((m) => `chmod ${efs.rootDirectoryPermissions} ${at(m.name)} && chown ${m.uid}:${m.gid} ${at(m.name)}`);
    return {
        names: mounts.map((m) => m.name),
        helper: {
            image: volumesImage,
            command: ["sh", "-c", script.join(" && ")],
            user: "0",
            ...hardened,
            cap_add: ["CHOWN"],
            network_mode: "none",
            volumes: mounts.map((m) => `${m.name}:${at(m.name)}`),
            restart: "no",
        },
    };
}

/** The compose file of a fleet, as data. */
export function composeFile(fleet: ResolvedFleet, options: ComposeOptions): ComposeFile {
    const byName = new Map(fleet.services.map((s) => [s.name, s]));
    const services: Record<string, ComposeService> = {};
    for (const spec of fleet.services) services[spec.name] = dropUndefined(service(spec, byName, options));
    services[routerService] = {
        image: routerImage,
        ...hardened,
        tmpfs: ["/tmp:rw,nosuid,nodev,mode=1777,size=16m"],
        init: true,
        // Published on loopback alone: the local stack is for this machine.
        ports: [`127.0.0.1:${options.port}:${routerContainerPort}`],
        volumes: ["./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"],
        restart: "unless-stopped",
    };
    const { helper, names } = volumesHelper(fleet);
    if (helper) services[volumesService] = helper;
    return { services, ...(names.length ? { volumes: Object.fromEntries(names.map((n) => [n, {}])) } : {}) };
}

function dropUndefined<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** compose.yaml's text: YAML 1.1 quoting, so that Compose v1 (PyYAML) reads `no`, `on` or `12:30` as the strings they are. */
export function composeYaml(file: ComposeFile, header: readonly string[] = []): string {
    const document = new YAML.Document(file, { version: "1.1", aliasDuplicateObjects: false });
    if (header.length) document.commentBefore = header.map((line) => ` ${line}`).join("\n");
    return document.toString({ lineWidth: 0 });
}
