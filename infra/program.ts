/**
 * The fleet program: the one place that reads the stack's config. It resolves a catalog against
 * the stack file (every problem reported at once, before any resource exists), then registers
 * the platform and one Service per entry. index.ts runs it over services/; the offline plan runs
 * it over any catalog module (`npm run plan -- --catalog <module>`), the same way.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { Catalog } from "../model/catalog";
import { parseJsonOrString } from "../facts/json";
import { resolveFleet } from "../model/resolve";
import { ImageBuild, ImageTag, ResolvedFleet } from "../model/fleet";
import { contentTag } from "./contentTag";
import { DeployedFleet, deployFleet, DeployFleetArgs } from "./deploy";

// The SDK keeps which config keys are secret (set by the CLI or the mock runtime) and exports the
// reader without a type declaration; this declares it where it is used.
declare module "@pulumi/pulumi/runtime/config" {
    export function isConfigSecret(key: string): boolean;
}
import { isConfigSecret } from "@pulumi/pulumi/runtime/config";

export interface FleetProgramOptions {
    /** The repository root: build contexts are relative to it. */
    readonly root: string;
    /**
     * Environment values your program computes, by service then variable: a map of Inputs (an
     * Output such as an RDS instance's address is welcome), or a function of the platform, to build
     * them in its network. The names must not be set by the entry already. @default none
     */
    readonly env?: DeployFleetArgs["env"];
    /**
     * Pulumi resource transformations applied to every resource fleet registers: the door for what
     * the catalog does not model (a task's ephemeral storage, a tag policy). @default none
     */
    readonly transformations?: DeployFleetArgs["transformations"];
}

/** The stack outputs. */
export interface FleetOutputs {
    readonly albDnsName: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    /** Where each routed service answers (`<alb>` stands for the ALB's DNS name on path-only routes). */
    readonly urls: pulumi.Output<Record<string, string[]>>;
    readonly repositoryUrls: Record<string, pulumi.Output<string>>;
    /** The listener rules in evaluation order. */
    readonly routes: { priority: number; service: string; hosts: readonly string[]; paths: readonly string[] }[];
}

export interface FleetProgram {
    /** The catalog and the stack file, resolved: what the resources were built from. */
    readonly fleet: ResolvedFleet;
    readonly outputs: FleetOutputs;
    /** The components: the platform (network, cluster, load balancer...) and each entry's Service or Job. */
    readonly deployed: DeployedFleet;
}

let lastRun: FleetProgram | undefined;

/** The resolved fleet of the program run in this process, for the offline plan's review. */
export function lastResolvedFleet(): ResolvedFleet | undefined {
    return lastRun?.fleet;
}

/** The project's config (`<project>:*`): plain values parsed (structured values arrive as JSON), secret values never read. */
function readProjectConfig(project: string): { values: Record<string, unknown>; keys: Map<string, { secret: boolean }> } {
    const values: Record<string, unknown> = {};
    const keys = new Map<string, { secret: boolean }>();
    const namespace = `${project}:`;
    for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(namespace)) continue;
        const key = fullKey.slice(namespace.length);
        const secret = isConfigSecret(fullKey);
        keys.set(key, { secret });
        if (secret) continue;
        values[key] = parseJsonOrString(raw); // structured values arrive as JSON; a domain as itself
    }
    return { values, keys };
}

/**
 * Images built from source are tagged with a hash of what their build reads (contentTag.ts), so a
 * commit that does not touch a build leaves its image and its tasks alone. Services with the
 * same build inputs (the api and its worker) share one result.
 */
function buildTagger(root: string): (build: ImageBuild) => ImageTag | string {
    const tags = new Map<string, ImageTag | string>();
    return (build) => {
        const key = JSON.stringify(build);
        let result = tags.get(key);
        if (result === undefined) {
            try {
                result = contentTag(root, build);
            } catch (error) {
                result = error instanceof Error ? error.message : String(error);
            }
            tags.set(key, result);
        }
        return result;
    };
}

/** Validates `catalog` against the stack's config and registers the fleet; throws a RunError listing every problem. */
export function runFleetProgram(catalog: Catalog, options: FleetProgramOptions): FleetProgram {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const { values, keys } = readProjectConfig(project);
    const result = resolveFleet(catalog, {
        project,
        stack,
        // As the AWS provider reads it: aws:region, else AWS_REGION / AWS_DEFAULT_REGION.
        region: aws.config.region,
        config: values,
        configKeys: keys,
        // Measured before any resource is registered; the value itself is never read into the model.
        secretLength: (key) => pulumi.runtime.getConfig(`${project}:${key}`)?.length,
        buildTag: buildTagger(options.root),
        pathExists: (relative) => fs.existsSync(path.join(options.root, relative)),
    });
    if (!result.ok) {
        // RunError: Pulumi prints the message and exits non-zero, without a JavaScript stack trace.
        // The problems ride along as data, for the offline plan's JSON (plan/runProgram.ts).
        const error = new pulumi.RunError(
            `fleet: ${result.errors.length} problem(s) in services/index.ts or Pulumi.${stack}.yaml; nothing was changed:\n` +
                result.errors.map((error) => `  - ${error}`).join("\n"),
        );
        throw Object.assign(error, { problems: result.problems });
    }
    const fleet = result.fleet;
    // An update must not deploy the samples' placeholders (an account that is not this one, a domain
    // no one serves); a preview, and the offline plan, show what the stack would be, with a warning.
    // Refused before any resource is registered, so nothing is half-created.
    if (fleet.placeholders.length > 0 && !pulumi.runtime.isDryRun()) {
        throw new pulumi.RunError(
            `fleet: Pulumi.${stack}.yaml still holds the samples' placeholders; replace them before deploying ` +
                `(pulumi config set --path <key> <value> -s ${stack}):\n` +
                fleet.placeholders.map((value) => `  - ${value}`).join("\n"),
        );
    }
    // Valid but likely wrong: shown by `pulumi preview` and `up`. The offline plan (no engine, where the
    // SDK would print them among its report) lists them in its review instead.
    if (pulumi.runtime.hasEngine()) for (const warning of fleet.warnings) void pulumi.log.warn(`fleet: ${warning}`);

    const config = new pulumi.Config(project);
    const configSecrets: Record<string, pulumi.Output<string>> = {};
    for (const service of fleet.services) {
        for (const secret of service.secrets) {
            if (secret.source === "config") configSecrets[secret.configKey] = config.requireSecret(secret.configKey);
        }
    }

    const deployed = deployFleet(fleet, { configSecrets, env: options.env, transformations: options.transformations });
    const lb = deployed.platform.loadBalancer;
    const outputs: FleetOutputs = {
        albDnsName: lb.dnsName,
        clusterName: deployed.platform.cluster.name,
        urls: pulumi
            .output(lb.dnsName)
            .apply((dns) =>
                Object.fromEntries(
                    fleet.services.filter((s) => s.urls.length > 0).map((s) => [s.name, s.urls.map((u) => u.replace("<alb>", dns))]),
                ),
            ),
        repositoryUrls: Object.fromEntries(
            Object.entries(deployed.services).flatMap(([name, service]) => (service.repositoryUrl ? [[name, service.repositoryUrl]] : [])),
        ),
        routes: fleet.rules.map((rule) => ({ priority: rule.priority, service: rule.service, hosts: rule.hosts, paths: rule.paths })),
    };
    lastRun = { fleet, outputs, deployed };
    return lastRun;
}
