/**
 * The fleet program: the only place that reads config. It resolves the catalog against the
 * stack file (every problem reported at once, before any resource exists), then registers the
 * platform and one Service per catalog entry.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { Catalog } from "./model/catalog";
import { contentTag } from "./infra/contentTag";
import { deployFleet } from "./infra/deploy";
import { ImageBuild, ImageTag } from "./model/resolved";
import { resolveFleet } from "./model/resolve";
import { services as catalog } from "./services";

const project = pulumi.getProject();
const stack = pulumi.getStack();

// Pulumi keeps the list of secret keys in the runtime; the SDK does not export this reader in its
// typings, so fall back to the variable the CLI passes them in.
const runtimeConfig = require("@pulumi/pulumi/runtime/config");
const isConfigSecret: (key: string) => boolean =
    typeof runtimeConfig.isConfigSecret === "function"
        ? runtimeConfig.isConfigSecret
        : (key) => (JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]") as string[]).includes(key);

/** The project's config (`fleet:*`): plain values parsed (structured values arrive as JSON), secret values never read. */
function readFleetConfig(): { values: Record<string, unknown>; keys: Map<string, { secret: boolean }> } {
    const values: Record<string, unknown> = {};
    const keys = new Map<string, { secret: boolean }>();
    const namespace = `${project}:`;
    for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(namespace)) continue;
        const key = fullKey.slice(namespace.length);
        const secret = isConfigSecret(fullKey);
        keys.set(key, { secret });
        if (secret) continue;
        try {
            values[key] = JSON.parse(raw);
        } catch {
            values[key] = raw; // a plain string such as a domain
        }
    }
    return { values, keys };
}

const buildTags = new Map<string, ImageTag | string>();

/**
 * Images built from source are tagged with a hash of what their build reads (contentTag.ts), so a
 * commit that does not touch a build leaves its image and its tasks alone. Services with the
 * same build inputs (the api and its worker) share one result.
 */
function buildTag(build: ImageBuild): ImageTag | string {
    const key = JSON.stringify(build);
    let result = buildTags.get(key);
    if (result === undefined) {
        try {
            result = contentTag(__dirname, build);
        } catch (error) {
            result = error instanceof Error ? error.message : String(error);
        }
        buildTags.set(key, result);
    }
    return result;
}

/** `FLEET_CATALOG` lets the offline tools (benchmark, diff tests) plan another catalog module. */
function loadCatalog(): Catalog {
    const alternative = process.env.FLEET_CATALOG;
    return alternative ? (require(path.resolve(alternative)).services as Catalog) : catalog;
}

const { values, keys } = readFleetConfig();
const result = resolveFleet(loadCatalog(), {
    project,
    stack,
    config: values,
    configKeys: keys,
    buildTag,
    pathExists: (relative) => fs.existsSync(path.join(__dirname, relative)),
});
if (!result.ok) {
    // RunError: Pulumi prints the message and exits non-zero, without a JavaScript stack trace.
    throw new pulumi.RunError(
        `fleet: ${result.errors.length} problem(s) in services/index.ts or Pulumi.${stack}.yaml; nothing was changed:\n` +
            result.errors.map((error) => `  - ${error}`).join("\n"),
    );
}
const fleet = result.fleet;

const config = new pulumi.Config(project);
const configSecrets: Record<string, pulumi.Output<string>> = {};
for (const service of fleet.services) {
    for (const secret of service.secrets) {
        if (secret.source === "config") configSecrets[secret.configKey] = config.requireSecret(secret.configKey);
    }
}

const deployed = deployFleet(fleet, { configSecrets });
const lb = deployed.platform.loadBalancer;

export const albDnsName = lb.dnsName;
export const clusterName = deployed.platform.cluster.name;
/** Where each routed service answers (`<alb>` stands for the ALB's DNS name on path-only routes). */
export const urls = pulumi
    .output(lb.dnsName)
    .apply((dns) => Object.fromEntries(fleet.services.filter((s) => s.urls.length > 0).map((s) => [s.name, s.urls.map((u) => u.replace("<alb>", dns))])));
export const repositoryUrls = Object.fromEntries(
    Object.entries(deployed.services).flatMap(([name, service]) => (service.repositoryUrl ? [[name, service.repositoryUrl]] : [])),
);
/** The listener rules in evaluation order. */
export const routes = fleet.rules.map((rule) => ({
    priority: rule.priority,
    service: rule.service,
    hosts: rule.hosts,
    paths: rule.paths,
}));
