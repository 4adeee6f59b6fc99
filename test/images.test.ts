import { describe, it } from "node:test";
import { stackNames } from "../model/naming";
import * as assert from "node:assert/strict";
import {
    cachedImagePath,
    cachePrefix,
    ImageReference,
    parseImageReference,
    UpstreamRegistryKey,
    upstreamRegistryKeys,
} from "../model/images";

const digest = "sha256:" + "0123456789abcdef".repeat(4);

function parsed(reference: string): ImageReference {
    const result = parseImageReference(reference);
    if (typeof result === "string") assert.fail(`${reference}: ${result}`);
    return result;
}

function cached(reference: string): ImageReference & { upstream: UpstreamRegistryKey } {
    const image = parsed(reference);
    const upstream = image.upstream;
    if (upstream === undefined) assert.fail(`${reference} has no upstream`);
    return { ...image, upstream };
}

describe("parseImageReference", () => {
    const valid: [reference: string, expected: ImageReference][] = [
        ["redis:7", { host: "docker.io", repository: "library/redis", suffix: ":7", upstream: "docker-hub", isEcr: false }],
        [
            "docker.io/library/redis:7",
            { host: "docker.io", repository: "library/redis", suffix: ":7", upstream: "docker-hub", isEcr: false },
        ],
        ["docker.io/redis:7", { host: "docker.io", repository: "library/redis", suffix: ":7", upstream: "docker-hub", isEcr: false }],
        [
            "index.docker.io/redis:7.4",
            { host: "docker.io", repository: "library/redis", suffix: ":7.4", upstream: "docker-hub", isEcr: false },
        ],
        [
            "registry-1.docker.io/library/redis:7",
            { host: "docker.io", repository: "library/redis", suffix: ":7", upstream: "docker-hub", isEcr: false },
        ],
        [
            "hashicorp/http-echo:1.0",
            { host: "docker.io", repository: "hashicorp/http-echo", suffix: ":1.0", upstream: "docker-hub", isEcr: false },
        ],
        ["foo.bar:1", { host: "docker.io", repository: "library/foo.bar", suffix: ":1", upstream: "docker-hub", isEcr: false }],
        [`redis@${digest}`, { host: "docker.io", repository: "library/redis", suffix: `@${digest}`, upstream: "docker-hub", isEcr: false }],
        [
            "ghcr.io/org/app:1.2",
            { host: "ghcr.io", repository: "org/app", suffix: ":1.2", upstream: "github-container-registry", isEcr: false },
        ],
        [
            "GHCR.io/org/app:1.2",
            { host: "ghcr.io", repository: "org/app", suffix: ":1.2", upstream: "github-container-registry", isEcr: false },
        ],
        [
            "registry.gitlab.com/group/project/image:1",
            {
                host: "registry.gitlab.com",
                repository: "group/project/image",
                suffix: ":1",
                upstream: "gitlab-container-registry",
                isEcr: false,
            },
        ],
        [
            "public.ecr.aws/nginx/nginx:1.27-alpine",
            { host: "public.ecr.aws", repository: "nginx/nginx", suffix: ":1.27-alpine", upstream: "ecr-public", isEcr: false },
        ],
        [
            "quay.io/prometheus/node-exporter:v1.8.0",
            { host: "quay.io", repository: "prometheus/node-exporter", suffix: ":v1.8.0", upstream: "quay", isEcr: false },
        ],
        ["registry.k8s.io/pause:3.9", { host: "registry.k8s.io", repository: "pause", suffix: ":3.9", upstream: "k8s", isEcr: false }],
        [
            `registry.k8s.io/pause@${digest}`,
            { host: "registry.k8s.io", repository: "pause", suffix: `@${digest}`, upstream: "k8s", isEcr: false },
        ],
        [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1",
            {
                host: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                repository: "team/app",
                suffix: ":1",
                upstream: undefined,
                isEcr: true,
            },
        ],
        [
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1",
            {
                host: "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
                repository: "app",
                suffix: ":1",
                upstream: undefined,
                isEcr: true,
            },
        ],
        [
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1",
            { host: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", repository: "app", suffix: ":1", upstream: undefined, isEcr: true },
        ],
        [
            "12345678901.dkr.ecr.us-east-1.amazonaws.com/app:1",
            { host: "12345678901.dkr.ecr.us-east-1.amazonaws.com", repository: "app", suffix: ":1", upstream: undefined, isEcr: false },
        ],
        ["gcr.io/x/y:1", { host: "gcr.io", repository: "x/y", suffix: ":1", upstream: undefined, isEcr: false }],
        ["localhost:5000/app:1", { host: "localhost:5000", repository: "app", suffix: ":1", upstream: undefined, isEcr: false }],
        ["localhost/app:1", { host: "localhost", repository: "app", suffix: ":1", upstream: undefined, isEcr: false }],
        [
            "registry.example.com:8443/team/my_app__x:2024-01-01",
            { host: "registry.example.com:8443", repository: "team/my_app__x", suffix: ":2024-01-01", upstream: undefined, isEcr: false },
        ],
    ];
    for (const [reference, expected] of valid) {
        it(`parses ${reference}`, () => {
            const image = parsed(reference);
            assert.equal(image.host, expected.host);
            assert.equal(image.repository, expected.repository);
            assert.equal(image.suffix, expected.suffix);
            assert.equal(image.upstream, expected.upstream);
            assert.equal(image.isEcr, expected.isEcr);
        });
    }

    const noTag = "has no tag or digest (pin one, e.g. redis:7.4; `latest` drifts between deploys)";
    const latest = "uses the tag `latest`, which drifts between deploys (pin a version or a digest)";
    const badRepository = "has a malformed repository path (lowercase letters, digits and . _ - separators, components split by /)";
    const spaces = "is empty or has surrounding spaces";
    const invalid: [reference: string, error: string][] = [
        ["redis", noTag],
        ["ghcr.io/org/app", noTag],
        ["localhost:5000/app", noTag], // the port's colon is not a tag
        ["redis:latest", latest],
        ["docker.io/library/redis:latest", latest],
        ["Redis:7", badRepository],
        ["ghcr.io/Org/app:1", badRepository],
        ["docker.io//redis:7", badRepository],
        ["my-.app:1", badRepository],
        ["redis@sha256:abc", 'has a malformed digest "sha256:abc" (expected sha256:<64 hex>)'],
        [`redis@${digest.toUpperCase()}`, `has a malformed digest "${digest.toUpperCase()}" (expected sha256:<64 hex>)`],
        [
            "redis@md5:0123456789abcdef0123456789abcdef",
            'has a malformed digest "md5:0123456789abcdef0123456789abcdef" (expected sha256:<64 hex>)',
        ],
        ["", spaces],
        [" redis:7", spaces],
        ["redis:7 ", spaces],
        ["redis:7\n", spaces],
        ["redis:-7", 'has a malformed tag "-7"'],
        ["redis:", 'has a malformed tag ""'],
        ["redis:7+build", 'has a malformed tag "7+build"'],
        [`redis:${"a".repeat(129)}`, `has a malformed tag "${"a".repeat(129)}"`],
    ];
    for (const [reference, error] of invalid) {
        it(`rejects ${JSON.stringify(reference.length > 40 ? reference.slice(0, 40) + "…" : reference)}`, () => {
            assert.equal(parseImageReference(reference), error);
        });
    }

    it("accepts a tag of exactly 128 characters", () => {
        assert.equal(parsed(`redis:${"a".repeat(128)}`).suffix, `:${"a".repeat(128)}`);
    });
});

describe("cachePrefix", () => {
    const cases: [stack: string, registry: UpstreamRegistryKey, prefix: string][] = [
        ["dev", "docker-hub", "fleet-dev-cache/docker-hub"],
        ["prod", "github-container-registry", "fleet-prod-cache/ghcr"],
        ["prod", "gitlab-container-registry", "fleet-prod-cache/gitlab"],
        ["dev", "ecr-public", "fleet-dev-cache/ecr-public"],
        ["dev", "quay", "fleet-dev-cache/quay"],
        ["dev", "k8s", "fleet-dev-cache/k8s"],
    ];
    for (const [stack, registry, prefix] of cases) {
        it(`${stack} ${registry} → ${prefix}`, () => {
            assert.equal(cachePrefix(stackNames("fleet", stack), registry), prefix);
        });
    }

    it("covers every upstream registry", () => {
        assert.deepEqual([...upstreamRegistryKeys].sort(), cases.map(([, registry]) => registry).sort());
    });
});

describe("cachedImagePath", () => {
    const cases: [stack: string, reference: string, path: string][] = [
        ["dev", "redis:7", "fleet-dev-cache/docker-hub/library/redis:7"],
        ["prod", "docker.io/hashicorp/http-echo:1.0", "fleet-prod-cache/docker-hub/hashicorp/http-echo:1.0"],
        ["dev", `redis@${digest}`, `fleet-dev-cache/docker-hub/library/redis@${digest}`],
        ["prod", "ghcr.io/org/app:1.2", "fleet-prod-cache/ghcr/org/app:1.2"],
        ["dev", "public.ecr.aws/nginx/nginx:1.27-alpine", "fleet-dev-cache/ecr-public/nginx/nginx:1.27-alpine"],
        ["dev", "quay.io/prometheus/node-exporter:v1.8.0", "fleet-dev-cache/quay/prometheus/node-exporter:v1.8.0"],
        ["prod", "registry.k8s.io/pause:3.9", "fleet-prod-cache/k8s/pause:3.9"],
        ["dev", "registry.gitlab.com/group/project/image:1", "fleet-dev-cache/gitlab/group/project/image:1"],
    ];
    for (const [stack, reference, path] of cases) {
        it(`${stack} ${reference} → ${path}`, () => {
            assert.equal(cachedImagePath(stackNames("fleet", stack), cached(reference)), path);
        });
    }
});
