/**
 * The fleet as the program resolves it, read without the Pulumi runtime: the catalog module and
 * the stack file through the model's own resolution (model/resolve.ts), so ops sizes what the
 * next plan deploys. Also what a proposal would change in the plan's capacity and cost models.
 */
import * as fs from "fs";
import * as path from "path";
import { Catalog } from "../model/catalog";
import { stackNames, StackNames } from "../model/naming";
import { ImageTag, ResolvedFleet } from "../model/fleet";
import { resolveFleet } from "../model/resolve";
import { readStackConfig, StackConfig } from "../plan/stackFile";
import { parseJsonOrString } from "../facts/json";
import { ec2Capacity, Ec2CapacityReport } from "../review/capacity";
import { CostReport, estimateCost } from "../review/cost";
import { PlanFacts } from "../review/facts";
import { modelSection } from "../review/modelSection";
import { OpsError } from "./errors";

export const repoRoot = path.resolve(__dirname, "..");

export interface StackContext {
    readonly root: string;
    readonly stackFile: string;
    readonly config: StackConfig;
    readonly names: StackNames;
}

/** The stack's file, project and region; a missing file or region is one line. */
export function readStack(root: string, stack: string): StackContext {
    let config: StackConfig;
    try {
        config = readStackConfig(root, stack);
    } catch (error) {
        throw new OpsError(`${(error as Error).message} in ${root}: pass --stack <name> of a stack file there (or --root <dir>)`);
    }
    return { root, stackFile: path.join(root, `Pulumi.${stack}.yaml`), config, names: stackNames(config.project, stack) };
}

/** The `fleet:*` values of the stack, parsed, with the overrides tune proposes merged in. */
function fleetValues(context: StackContext): { values: Record<string, unknown>; keys: Map<string, { secret: boolean }> } {
    const namespace = `${context.config.project}:`;
    const values: Record<string, unknown> = {};
    const keys = new Map<string, { secret: boolean }>();
    for (const [fullKey, raw] of Object.entries(context.config.config)) {
        if (!fullKey.startsWith(namespace)) continue;
        const key = fullKey.slice(namespace.length);
        const secret = context.config.secretKeys.includes(fullKey);
        keys.set(key, { secret });
        if (!secret) values[key] = parseJsonOrString(raw);
    }
    return { values, keys };
}

/** Per-service overrides to try on top of the stack file (what `--write` would write). */
export type SizingOverrides = Readonly<Record<string, { reservation: number; limit: number; cpu: number }>>;

/** Images play no part in sizing: a build is given a fixed tag instead of hashing its context. */
const sizingTag: ImageTag = { tag: "c-00000000000000000000", revision: "unknown" };

/** Resolves the catalog against the stack file (with `overrides` applied), as the program would. */
export function resolveStack(context: StackContext, catalog: Catalog, overrides: SizingOverrides = {}): ResolvedFleet {
    const { values, keys } = fleetValues(context);
    const services = { ...((values.services as Record<string, Record<string, unknown>> | undefined) ?? {}) };
    for (const [name, sizing] of Object.entries(overrides)) {
        const entry = { ...(services[name] ?? {}) };
        entry.memory = {
            ...((entry.memory as Record<string, unknown> | undefined) ?? {}),
            reservation: sizing.reservation,
            limit: sizing.limit,
        };
        entry.cpu = sizing.cpu;
        services[name] = entry;
    }
    if (Object.keys(services).length > 0) {
        values.services = services;
        keys.set("services", { secret: false });
    }
    const result = resolveFleet(catalog, {
        project: context.config.project,
        stack: context.config.stack,
        region: context.config.region,
        config: values,
        configKeys: keys,
        buildTag: () => sizingTag,
        pathExists: (relative) => fs.existsSync(path.join(context.root, relative)),
    });
    if (!result.ok) {
        const what = Object.keys(overrides).length > 0 ? "with the proposals applied, the catalog and" : "the catalog and";
        throw new OpsError(
            `${what} Pulumi.${context.config.stack}.yaml do not resolve (run npm ` +
                `run plan -- --stack ${context.config.stack}): ${result.errors[0]}` +
                (result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ""),
        );
    }
    return result.fleet;
}

/** Loads a catalog module (`services/index.ts` by default). */
export function loadCatalog(module: string): Catalog {
    let catalog: Catalog | undefined;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        catalog = require(path.resolve(module)).services as Catalog | undefined;
    } catch (error) {
        throw new OpsError(`cannot load the catalog ${module}: ${(error as Error).message.split("\n")[0]}`);
    }
    if (catalog === undefined) throw new OpsError(`${module} does not export services: export const services: Catalog = { ... }`);
    return catalog;
}

/** The plan's capacity and cost models over a resolved fleet (one load balancer, as the program creates). */
export function capacityAndCost(
    fleet: ResolvedFleet,
    region: string,
): { facts: PlanFacts; capacity?: Ec2CapacityReport; cost: CostReport } {
    const section = modelSection(fleet, region);
    const facts: PlanFacts = {
        stack: fleet.stack,
        platform: { ...section.platform, loadBalancers: 1 },
        services: section.services,
        rules: section.rules,
    };
    const capacity = ec2Capacity(facts);
    return { facts, capacity, cost: estimateCost(facts, capacity) };
}
