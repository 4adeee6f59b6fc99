/**
 * The fleet the local stack runs: the catalog module resolved against a stack file by the model's
 * own resolution (model/resolve.ts), as the program and the offline plan resolve it, without the
 * Pulumi runtime. Secure stack values are never decrypted: the local stack has values of its own
 * (local/secrets.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { parseJsonOrString } from "../facts/json";
import { Catalog } from "../model/catalog";
import { ImageTag, ResolvedFleet } from "../model/fleet";
import { resolveFleet } from "../model/resolve";
import { readStackConfig } from "../plan/stackFile";

/** A path as messages show it: relative to the working directory when it is under it, else absolute. */
export function shownPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** A problem of the command's input: printed as it is, without a stack trace; the command exits non-zero. */
export class LocalError extends Error {}

/** Images are built by Compose from their context: no content tag is needed, so every build gets this one. */
const localTag: ImageTag = { tag: "c-00000000000000000000", revision: "unknown" };

/** Loads a catalog module (`services/index.ts` by default). */
export function loadCatalog(module: string): Catalog {
    let catalog: Catalog | undefined;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        catalog = require(path.resolve(module)).services as Catalog | undefined;
    } catch (error) {
        throw new LocalError(`cannot load the catalog ${module}: ${(error as Error).message.split("\n")[0]}`);
    }
    if (catalog === undefined) throw new LocalError(`${module} does not export services: export const services: Catalog = { ... }`);
    return catalog;
}

/** The catalog resolved against `Pulumi.<stack>.yaml` in `root`; every problem at once, as the program reports them. */
export function resolveLocalFleet(root: string, stack: string, catalog: Catalog): ResolvedFleet {
    let config;
    try {
        config = readStackConfig(root, stack);
    } catch (error) {
        throw new LocalError(`--stack ${stack}: ${(error as Error).message}; pass --stack with the name of a stack file in ${root}`);
    }
    const namespace = `${config.project}:`;
    const values: Record<string, unknown> = {};
    const keys = new Map<string, { secret: boolean }>();
    for (const [fullKey, raw] of Object.entries(config.config)) {
        if (!fullKey.startsWith(namespace)) continue;
        const key = fullKey.slice(namespace.length);
        const secret = config.secretKeys.includes(fullKey);
        keys.set(key, { secret });
        if (!secret) values[key] = parseJsonOrString(raw);
    }
    const result = resolveFleet(catalog, {
        project: config.project,
        stack,
        region: config.region,
        config: values,
        configKeys: keys,
        buildTag: () => localTag,
        pathExists: (relative) => fs.existsSync(path.join(root, relative)),
    });
    if (!result.ok) {
        throw new LocalError(
            [
                `${result.errors.length} problem(s) in the catalog or Pulumi.${stack}.yaml; nothing was written:`,
                ...result.errors.map((line) => `  - ${line}`),
            ].join("\n"),
        );
    }
    return result.fleet;
}
