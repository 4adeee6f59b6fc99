/**
 * Runs the real program (index.ts) in-process under fleet's mocks with a stack's real config
 * file, and returns what `pulumi preview` would register. One run per process: Pulumi's runtime
 * is global state.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { lastResolvedFleet, runFleetProgram } from "../infra/program";
import { Catalog } from "../model/catalog";
import { Problem } from "../model/problems";
import { ModelSection, modelSection } from "../review/modelSection";
import { installMocks, settle } from "./mocks";
import { applyConfigOverrides, readStackConfig, secretPlaceholder } from "./stackFile";
import { stackKeys } from "../model/stackSettings";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly inputs: Record<string, unknown>;
    readonly protect: boolean;
    /** Inputs another system owns, left alone by updates (`ignoreChanges`). */
    readonly ignoreChanges: string[];
    /**
     * URNs the resource waits for on create (and that wait for it on delete): explicit
     * `dependsOn` and those reached through its inputs. Absent in plans written before it existed.
     */
    readonly dependencies?: string[];
    /** Input property → URNs its value came from. */
    readonly propertyDependencies?: Record<string, string[]>;
    /** Replaced by deleting first (resources with fixed physical names). */
    readonly deleteBeforeReplace?: boolean;
    /** Inputs whose change the program declares as forcing replacement (`replaceOnChanges`). */
    readonly replaceOnChanges?: string[];
    /** A value whose change the engine answers with a replacement (`replacementTrigger`); absent without one. */
    readonly replacementTrigger?: unknown;
}

/** The plan document: `{ project, stack, resources, outputs, config, model }` is an interface other tools read. */
export interface PlanDocument {
    readonly project: string;
    readonly stack: string;
    readonly resources: PlanResource[];
    readonly outputs: Record<string, unknown>;
    /** The stack's config as the program saw it; secure values as "[secret]". */
    readonly config: Record<string, string>;
    /**
     * What the resolved fleet says the reports need (review/modelSection.ts), versioned; no secret.
     * Absent in plans written before it existed, and when the program did not resolve a fleet.
     */
    readonly model?: ModelSection;
}

/** What `--json` holds when the program refuses its input: every problem, as data (model/problems.ts). */
export interface RefusalDocument {
    readonly project: string;
    readonly stack: string;
    readonly problems: readonly Problem[];
}

export type PlanResult =
    | { readonly ok: true; readonly plan: PlanDocument }
    | ({ readonly ok: false; readonly kind: "invalid"; readonly message: string } & RefusalDocument)
    | { readonly ok: false; readonly kind: "error"; readonly message: string };

export const repoRoot = path.resolve(__dirname, "..");

/** The program over another catalog module, with the outputs index.ts exports. */
function planCatalog(catalogModule: string, root: string): Record<string, unknown> {
    const catalog = require(catalogModule).services as Catalog | undefined;
    if (catalog === undefined) throw new Error(`${catalogModule} does not export services`);
    return { ...runFleetProgram(catalog, { root }).outputs };
}

function describeError(error: unknown): string {
    const text = error instanceof Error ? (error.stack && error.stack.includes("\n") ? error.stack : error.message) : String(error);
    return process.env.FLEET_PLAN_STACK_TRACES ? text : `${text}\n(run with FLEET_PLAN_STACK_TRACES=1 for stack traces)`;
}

export interface RunProgramOptions {
    /** Where Pulumi.yaml, the stack files and index.ts are. @default the repository */
    readonly root?: string;
    /**
     * A catalog module (exporting `services`) to plan instead of services/: the same program
     * (infra/program.ts) over another catalog, for the benchmark, tests and trying a change.
     * @default index.ts over services/
     */
    readonly catalog?: string;
    /**
     * Key → value, like `pulumi preview -c key=value` (a key without a namespace is the
     * project's), read as the stack file would read it (applyConfigOverrides): `key.path=value`
     * sets one field, an object merges into the key's object, `null` removes a field.
     */
    readonly configOverrides?: Record<string, string>;
    /** Run as `pulumi up` would (not a preview): what only an update refuses is refused. */
    readonly update?: boolean;
}

/** Plans a stack: the program under fleet's mocks with the stack's config. */
export async function runProgram(stack: string, options: RunProgramOptions = {}): Promise<PlanResult> {
    const root = options.root ?? repoRoot;
    const fileConfig = readStackConfig(root, stack);
    const pairs = Object.entries(options.configOverrides ?? {});
    const overrides = applyConfigOverrides(fileConfig.config, fileConfig.project, pairs);
    const runtimeOverrides = applyConfigOverrides(fileConfig.runtimeConfig, fileConfig.project, pairs);
    // A `-c` value of a project key that is not one of fleet's settings is a secret's (what a
    // `fromConfig` reads): a value for this run alone, secret to the program and never in the plan.
    const fleetKeys = new Set<string>(stackKeys.map((key) => `${fileConfig.project}:${key}`));
    const secretOverrides = Object.keys(runtimeOverrides).filter((key) => key.startsWith(`${fileConfig.project}:`) && !fleetKeys.has(key));
    const stackConfig = {
        ...fileConfig,
        config: { ...fileConfig.config, ...overrides, ...Object.fromEntries(secretOverrides.map((key) => [key, secretPlaceholder])) },
        runtimeConfig: { ...fileConfig.runtimeConfig, ...runtimeOverrides },
        // A merge into a secret key keeps its secret parts, and the key stays secret.
        secretKeys: [
            ...new Set([
                ...fileConfig.secretKeys.filter((key) => !(key in overrides) || overrides[key].includes(secretPlaceholder)),
                ...secretOverrides,
            ]),
        ],
    };
    const runtime = installMocks({
        project: stackConfig.project,
        stack,
        region: stackConfig.region,
        config: stackConfig.runtimeConfig,
        secretKeys: stackConfig.secretKeys,
        preview: !options.update,
    });
    const asyncErrors: unknown[] = [];
    const onRejection = (reason: unknown) => asyncErrors.push(reason);
    process.on("unhandledRejection", onRejection);

    // The SDK captures a stack trace for every promise it creates (about 70 per resource) and
    // reads it only when PULUMI_DEBUG_PROMISE_LEAKS is set: two thirds of a plan's time. Traces
    // stay off while the program runs unless FLEET_PLAN_STACK_TRACES asks for them.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.FLEET_PLAN_STACK_TRACES) Error.stackTraceLimit = 0;
    let outputs: Record<string, unknown>;
    try {
        let exported: Record<string, unknown>;
        try {
            exported = options.catalog ? planCatalog(path.resolve(options.catalog), root) : require(path.join(root, "index.ts"));
        } catch (error) {
            if (pulumi.RunError.isInstance(error)) {
                // infra/program.ts attaches the problems to the RunError it throws; another program's has none.
                const problems = (error as { readonly problems?: readonly Problem[] }).problems ?? [];
                return { ok: false, kind: "invalid", message: (error as Error).message, project: stackConfig.project, stack, problems };
            }
            return { ok: false, kind: "error", message: describeError(error) };
        }
        outputs = (await settle({ ...exported })) as Record<string, unknown>;
        // Wait until every registration the program started has reached the mock monitor.
        await pulumi.runtime.disconnect();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        process.off("unhandledRejection", onRejection);
    }

    const failures = [...runtime.errors, ...asyncErrors];
    if (failures.length > 0) {
        return { ok: false, kind: "error", message: failures.map(describeError).join("\n") };
    }
    // The plan shows what the engine receives; the raw secret-wrapped inputs stay in the runtime.
    const resources: PlanResource[] = runtime.resources.map(({ rawInputs: _raw, ...resource }) => resource);
    // The fleet this run resolved (one run per process); a program that is not fleet's leaves none.
    const fleet = lastResolvedFleet();
    const model =
        fleet && fleet.project === stackConfig.project && fleet.stack === stack
            ? modelSection(fleet, stackConfig.config["aws:region"] ?? stackConfig.region)
            : undefined;
    return {
        ok: true,
        plan: { project: stackConfig.project, stack, resources, outputs, config: stackConfig.config, ...(model ? { model } : {}) },
    };
}
