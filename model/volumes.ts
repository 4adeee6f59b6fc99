/**
 * A service's `volumes`: container path → `"scratch"` (a writable volume per task) or
 * `{ efs: "<name>" }` (the stack's encrypted EFS file system of that name, reached through an
 * access point of the service's own). The field's rules, each with its message; the stack's file
 * systems; and the IAM statements a mount needs. Pure.
 */
import { iamDocumentVersion, type AccessStatement, type ArnContext } from "./access";
import { taskVolumeName } from "./naming";
import type { NetworkSettings, ResolvedFileSystem, ResolvedVolume, RetiredService } from "./fleet";
import type { AddProblem } from "./problems";
import { efs } from "../facts/aws";

/** A volume as the catalog writes it. */
export type VolumeSpec = "scratch" | { readonly efs: string };

/**
 * A file system's name in the catalog: 1-32 lowercase letters, digits and hyphens, starting with a
 * letter and not ending with a hyphen. It is part of every name fleet derives for the file system
 * (its Name tag `<project>-<stack>-<name>`, its security group's auto-name, the logical names of
 * its resources and of each service's access point and NFS rule), and these characters are valid
 * in all of them; 32 keeps the security group's name and the tags short.
 */
export const efsNamePattern = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const efsNameProblem =
    "is not a file system name: 1-32 lowercase letters, digits and hyphens, starting with a letter and not ending " +
    "with a hyphen (it is part of the names of the file system's resources: its Name tag <project>-<stack>-<name>, " +
    "its security group and each service's access point)";
/** The fix for a bad name: the name lowercased with other characters as hyphens, when that is valid. */
export function efsNameFix(value: unknown): string {
    const suggestion =
        typeof value === "string"
            ? value
                  .toLowerCase()
                  .replace(/[^a-z0-9]+/g, "-")
                  .replace(/^-+|-+$/g, "")
            : "";
    return efsNamePattern.test(suggestion) ? `write "${suggestion}"` : 'use e.g. "pgdata"';
}

/** How the catalog names the value at one container path, e.g. `volumes["/data"]`. */
export const volumeField = (path: string) => `volumes[${JSON.stringify(path)}]`;

/** A part of a container path: what a directory is named here (no white space, quotes, `$`, `:` or `\`). */
const segmentPattern = /^[A-Za-z0-9._@+-]+$/;

/** A path as the mount point is written: without trailing slashes (`/data/` is `/data`). */
const normalised = (path: string) => (/^\/+$/.test(path) ? "/" : path.replace(/\/+$/, ""));

export interface VolumeContext {
    /** The container's user (`uid[:gid]` or a name); undefined when it runs the image's own (optOut.nonRootUser). */
    readonly user?: string;
    /** Whether fleet mounts its tmpfs at /tmp (a read-only root filesystem). */
    readonly tmpfs: boolean;
}

/** The service's volumes, sorted by path, or problems through `add` (the volumes then resolved are those without one). */
export function resolveVolumes(
    volumes: Readonly<Record<string, VolumeSpec>> | undefined,
    context: VolumeContext,
    add: AddProblem,
): ResolvedVolume[] {
    const entries = Object.entries(volumes ?? {});
    const byPath = new Map<string, string[]>();
    for (const [written] of entries) {
        const path = normalised(written);
        if (!written.startsWith("/")) {
            add(
                "volumes/path-not-absolute",
                "volumes",
                written,
                "is not an absolute path: ECS mounts a volume at a path from the container's root",
                `write "/${written.replace(/^\.?\/*/, "")}"`,
            );
        } else if (path === "/") {
            add(
                "volumes/path-is-root",
                "volumes",
                written,
                "is the container's root, which a volume cannot replace",
                'mount the volume on the directory the application writes to, e.g. "/data"',
            );
        } else if (
            !path
                .slice(1)
                .split("/")
                .every((part) => segmentPattern.test(part) && part !== "." && part !== "..")
        ) {
            add(
                "volumes/path-not-plain",
                "volumes",
                written,
                'is not a plain absolute path: each part between slashes must be letters, digits, . _ - @ or +, none empty, "." or ".."',
                'write the directory\'s path, e.g. "/var/lib/app"',
            );
        } else if (path === "/tmp" && context.tmpfs) {
            add(
                "volumes/path-is-tmpfs",
                "volumes",
                written,
                "is where fleet mounts the container's tmpfs (the root filesystem is read-only)",
                "write temporary files to /tmp without a volume (memory-backed, per task), or mount the volume at another path",
            );
        } else {
            byPath.set(path, [...(byPath.get(path) ?? []), written]);
        }
    }
    for (const [path, written] of byPath) {
        if (written.length > 1) {
            add(
                "volumes/path-repeated",
                "volumes",
                written,
                `name the same path, ${path}, twice (a trailing slash names the same directory)`,
                "keep one of them",
            );
        }
    }

    const resolved: { path: string; spec: VolumeSpec; written: string }[] = [];
    for (const [path, written] of byPath) {
        if (written.length === 1) resolved.push({ path, spec: volumes![written[0]], written: written[0] });
    }
    resolved.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    const efsPaths = new Map<string, string[]>();
    for (const { spec, written } of resolved) {
        if (spec === "scratch") continue;
        if (!efsNamePattern.test(spec.efs)) {
            add("volumes/file-system-name-invalid", `${volumeField(written)}.efs`, spec.efs, efsNameProblem, efsNameFix(spec.efs));
            continue;
        }
        efsPaths.set(spec.efs, [...(efsPaths.get(spec.efs) ?? []), written]);
    }
    for (const [fileSystem, paths] of efsPaths) {
        if (paths.length > 1) {
            add(
                "volumes/file-system-mounted-twice",
                "volumes",
                paths,
                `mount the file system "${fileSystem}" twice: a service reaches a file system through one access point, ` +
                    "rooted at a directory of its own",
                "mount it once and use subdirectories of that path",
            );
        }
    }
    const [firstFileSystem] = efsPaths;
    const owner = firstFileSystem ? efsOwner(context.user, firstFileSystem[0], firstFileSystem[1][0], add) : undefined;

    return resolved.flatMap(({ path, spec }): ResolvedVolume[] => {
        const volumeName = taskVolumeName(path);
        if (spec === "scratch") return [{ path, kind: "scratch", volumeName }];
        if (efsPaths.get(spec.efs)?.length !== 1 || !owner) return [];
        return [{ path, kind: "efs", fileSystem: spec.efs, volumeName, ...owner }];
    });
}

/**
 * The POSIX owner of a service's files on EFS: its numeric `uid[:gid]` (the gid defaults to the
 * uid), which its access point enforces on every file operation and gives its root directory.
 */
function efsOwner(user: string | undefined, fileSystem: string, path: string, add: AddProblem): { uid: number; gid: number } | undefined {
    const mounted = `the file system "${fileSystem}" (${volumeField(path)}) is mounted through an access point`;
    const numeric = user === undefined ? null : /^(\d+)(?::(\d+))?$/.exec(user);
    const needs = `${mounted} that needs the numeric uid[:gid] the files are written as`;
    if (user === undefined) {
        add(
            "volumes/efs-user-not-set",
            "user",
            user,
            `is not set (optOut.nonRootUser runs the image's own user), but ${needs}`,
            'set user to the numeric uid:gid the image runs as, e.g. "999:999"',
        );
        return undefined;
    }
    if (!numeric) {
        add(
            "volumes/efs-user-not-numeric",
            "user",
            user,
            `is a name, but ${needs}`,
            `write the numeric uid:gid the image gives that user (docker run --rm --entrypoint id <image> ${user}), e.g. "999:999"`,
        );
        return undefined;
    }
    const uid = Number(numeric[1]);
    const gid = numeric[2] === undefined ? uid : Number(numeric[2]);
    if (uid > efs.maxPosixId || gid > efs.maxPosixId) {
        add(
            "volumes/efs-user-out-of-range",
            "user",
            user,
            `is not a uid:gid EFS takes (0 to ${efs.maxPosixId}), and ${mounted} as that user`,
            'use the image\'s numeric uid:gid, e.g. "999:999"',
        );
        return undefined;
    }
    if (uid === 0) {
        add(
            "volumes/efs-user-root",
            "user",
            user,
            `is root, and ${mounted} without root access (fleet never grants elasticfilesystem:ClientRootAccess)`,
            'run as the image\'s unprivileged numeric user, e.g. "999:999"',
        );
        return undefined;
    }
    return { uid, gid };
}

/** A service as the stack's file systems see it. */
export interface MountingService {
    readonly name: string;
    /** Bridge tasks (EC2) mount through their instance, whose security group NFS must admit; awsvpc tasks through their own group. */
    readonly bridge: boolean;
    readonly volumes: readonly ResolvedVolume[];
}

/**
 * The stack's file systems: every one a live service mounts or a retired entry keeps, by name.
 * Protected where the stack protects, unless only released retired entries keep it.
 */
export function resolveFileSystems(
    services: readonly MountingService[],
    retired: readonly RetiredService[],
    protect: boolean,
): ResolvedFileSystem[] {
    const names = new Set([
        ...services.flatMap((s) => s.volumes.flatMap((v) => (v.kind === "efs" ? [v.fileSystem] : []))),
        ...retired.flatMap((r) => r.fileSystems),
    ]);
    return [...names].sort().map((name) => {
        const mounting = services.filter((s) => s.volumes.some((v) => v.kind === "efs" && v.fileSystem === name));
        const keeping = retired.filter((r) => r.fileSystems.includes(name));
        return {
            name,
            services: mounting.map((s) => s.name).sort(),
            instances: mounting.some((s) => s.bridge),
            keptBy: keeping.map((r) => r.name).sort(),
            protect: protect && (mounting.length > 0 || keeping.some((r) => !r.release)),
        };
    });
}

/** Mount targets a file system gets: one per private subnet, known from the stack's network settings. */
export function privateSubnetCount(network: NetworkSettings): number {
    return network.kind === "create" ? network.availabilityZones : network.privateSubnetIds.length;
}

/** A service's mount of one file system: the file system and its own access point. */
export interface EfsMount<T = string> {
    readonly fileSystemArn: T;
    readonly accessPointArn: T;
}

/** Mounting (read) and writing; never `ClientRootAccess` (EFS guide, "Using IAM to control file system data access"). */
export const efsClientActions = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"] as const;

/** The task role's statements for its mounts: the client actions on exactly that file system, through its access point only. */
export function efsMountStatements(mounts: readonly EfsMount[]): AccessStatement[] {
    return mounts.map((mount, index) => ({
        Sid: `Efs${index}`,
        Effect: "Allow",
        Action: [...efsClientActions],
        Resource: [mount.fileSystemArn],
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": mount.accessPointArn } },
    }));
}

/**
 * The ARNs validation sizes a mount's statement with: ids as long as EFS makes them (`fs-` and
 * `fsap-` with 17 hex digits), in the stack's account and region.
 */
export function placeholderMount(ctx: ArnContext): EfsMount {
    const arn = (resource: string) => `arn:${ctx.partition}:elasticfilesystem:${ctx.region}:${ctx.accountId}:${resource}`;
    return { fileSystemArn: arn("file-system/fs-0123456789abcdef0"), accessPointArn: arn("access-point/fsap-0123456789abcdef0") };
}

/**
 * The file system policy (EFS guide, "Creating file system policies": the console's "Enforce in-transit
 * encryption for all clients" and "Prevent root access by default"): no access without TLS; mounting
 * and writing only through a mount target, granted to the account (`arn:...:root` delegates to its
 * IAM policies, so each task role's statement, scoped to its access point, decides; `"*"` would let
 * any role of the account mount any directory of the file system); never root access.
 */
export function fileSystemPolicyDocument<T>(fileSystemArn: T, accountRoot: T) {
    return {
        Version: iamDocumentVersion,
        Statement: [
            {
                Sid: "MountThroughMountTargets",
                Effect: "Allow",
                Principal: { AWS: accountRoot },
                Action: [...efsClientActions],
                Resource: fileSystemArn,
                Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
            },
            {
                Sid: "DenyWithoutTls",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "*",
                Resource: fileSystemArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}
