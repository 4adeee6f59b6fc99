/**
 * Image references and the ECR pull-through cache. Pure: parses a catalog `image` and says
 * whether it is an ECR image used as is, or an upstream image served through a cache rule.
 */
import { ecrRegistryHostPattern } from "../facts/aws";
import { platformPhysicalNames, StackNames } from "./naming";

/** An upstream registry ECR can cache, keyed by the name AWS uses (`UpstreamRegistry`). */
export interface UpstreamRegistry {
    /** The registry URL ECR's rule points at. */
    readonly url: string;
    /** Hosts that name this registry in an image reference. */
    readonly hosts: readonly string[];
    /** Short name used in the cache's ECR repository prefix (prefixes are limited to 30 characters). */
    readonly alias: string;
    /** Whether AWS requires a Secrets Manager credential (`ecr-pullthroughcache/...`). */
    readonly needsCredential: boolean;
}

/** The upstreams AWS supports that need no IAM role (another ECR registry is out of scope). GCR is not supported by AWS. */
export const upstreamRegistries = {
    "ecr-public": { url: "public.ecr.aws", hosts: ["public.ecr.aws"], alias: "ecr-public", needsCredential: false },
    quay: { url: "quay.io", hosts: ["quay.io"], alias: "quay", needsCredential: false },
    k8s: { url: "registry.k8s.io", hosts: ["registry.k8s.io"], alias: "k8s", needsCredential: false },
    "docker-hub": {
        url: "registry-1.docker.io",
        hosts: ["docker.io", "registry-1.docker.io", "index.docker.io"],
        alias: "docker-hub",
        needsCredential: true,
    },
    "github-container-registry": { url: "ghcr.io", hosts: ["ghcr.io"], alias: "ghcr", needsCredential: true },
    "gitlab-container-registry": {
        url: "registry.gitlab.com",
        hosts: ["registry.gitlab.com"],
        alias: "gitlab",
        needsCredential: true,
    },
} as const satisfies Record<string, UpstreamRegistry>;

export type UpstreamRegistryKey = keyof typeof upstreamRegistries;
export const upstreamRegistryKeys = Object.keys(upstreamRegistries) as UpstreamRegistryKey[];

/** A parsed image reference. */
export interface ImageReference {
    /** Registry host, normalised (`docker.io` for Docker Hub). */
    readonly host: string;
    /** Repository path inside the registry (`library/redis` for an official Docker Hub image). */
    readonly repository: string;
    /** `:tag` or `@sha256:...`, as written; `:latest` is never implied. */
    readonly suffix: string;
    /** The upstream registry this host is, if ECR can cache it. */
    readonly upstream?: UpstreamRegistryKey;
    /** An ECR private registry URI (`<account>.dkr.ecr.<region>.amazonaws.com`). */
    readonly isEcr: boolean;
}

const repositoryComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A Docker (and ECR) image tag: up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`. */
export const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const digestPattern = /^sha256:[a-f0-9]{64}$/;

/**
 * Parses an image reference the way Docker does (a first component with a dot, a colon or
 * `localhost` is a registry host; otherwise Docker Hub, with `library/` for official images).
 * Returns an error string, never throws. A tag or digest is required: `latest` drifts.
 */
export function parseImageReference(reference: string): ImageReference | string {
    if (reference.trim() !== reference || reference === "") {
        return "is empty or has surrounding spaces";
    }
    let rest = reference;
    let suffix = "";
    const at = rest.indexOf("@");
    if (at >= 0) {
        const digest = rest.slice(at + 1);
        if (!digestPattern.test(digest)) return `has a malformed digest "${digest}" (expected sha256:<64 hex>)`;
        suffix = "@" + digest;
        rest = rest.slice(0, at);
    } else {
        const lastSlash = rest.lastIndexOf("/");
        const colon = rest.lastIndexOf(":");
        if (colon > lastSlash) {
            const tag = rest.slice(colon + 1);
            if (!tagPattern.test(tag)) return `has a malformed tag "${tag}"`;
            suffix = ":" + tag;
            rest = rest.slice(0, colon);
        }
    }
    if (suffix === "") return "has no tag or digest (pin one, e.g. redis:7.4; `latest` drifts between deploys)";
    if (suffix === ":latest") return "uses the tag `latest`, which drifts between deploys (pin a version or a digest)";

    const parts = rest.split("/");
    let host = "docker.io";
    if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
        host = parts.shift()!.toLowerCase();
    }
    if (parts.length === 0 || parts.some((part) => !repositoryComponent.test(part))) {
        return "has a malformed repository path (lowercase letters, digits and . _ - separators, components split by /)";
    }
    const upstream = upstreamRegistryKeys.find((key) => (upstreamRegistries[key].hosts as readonly string[]).includes(host));
    if (upstream === "docker-hub") {
        host = "docker.io";
        if (parts.length === 1) parts.unshift("library");
    }
    return { host, repository: parts.join("/"), suffix, upstream, isEcr: ecrRegistryHostPattern.test(host) };
}

/** The ECR repository prefix of a stack's cache rule for one upstream, e.g. `fleet-dev-cache/docker-hub`. */
export function cachePrefix(names: StackNames, registry: UpstreamRegistryKey): string {
    return platformPhysicalNames.cachePrefix(names, upstreamRegistries[registry].alias);
}

/** The cached image's repository within the account's registry, e.g. `dev-cache/docker-hub/library/redis`. */
export function cachedRepository(names: StackNames, image: ImageReference & { upstream: UpstreamRegistryKey }): string {
    return `${cachePrefix(names, image.upstream)}/${image.repository}`;
}

/** The cached image's path within the account's registry, e.g. `dev-cache/docker-hub/library/redis:7`. */
export function cachedImagePath(names: StackNames, image: ImageReference & { upstream: UpstreamRegistryKey }): string {
    return `${cachedRepository(names, image)}${image.suffix}`;
}
