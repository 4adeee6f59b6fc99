/**
 * What tests resolve a catalog with (model/resolve.ts's FleetInput): the stack's values as given,
 * each a key the stack file sets (the secret ones marked so), every build context present, and a
 * fixed build tag, since test fixtures have no build contexts on disk to hash (contentTag.ts).
 */
import { ImageTag } from "../../model/fleet";
import { FleetInput, resolveFleet } from "../../model/resolve";

/** The tag and revision every test build gets. */
export const testBuildTag = (): ImageTag => ({ tag: "c-0123456789abcdef0123", revision: "0123456789abcdef0123456789abcdef01234567" });

export interface TestInputOptions extends Partial<FleetInput> {
    /** Keys the stack file sets as secrets (their values are not in `config`, as the program reads them). */
    readonly secretKeys?: readonly string[];
}

/** Project `fleet`, stack `test` unless `options` says otherwise. */
export function fleetInput(config: Record<string, unknown>, options: TestInputOptions = {}): FleetInput {
    const { secretKeys = [], ...rest } = options;
    const configKeys = new Map<string, { secret: boolean }>(Object.keys(config).map((k) => [k, { secret: false }]));
    for (const key of secretKeys) configKeys.set(key, { secret: true });
    return { project: "fleet", stack: "test", config, configKeys, buildTag: testBuildTag, pathExists: () => true, ...rest };
}

/** Every problem resolving `catalog` against `config` reports; none for a valid fleet. */
export function resolutionProblems(catalog: unknown, config: Record<string, unknown>, options: TestInputOptions = {}): readonly string[] {
    const result = resolveFleet(catalog, fleetInput(config, options));
    return result.ok ? [] : result.errors;
}
