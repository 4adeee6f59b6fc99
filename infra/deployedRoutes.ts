/**
 * The listener rules this stack deployed last, read back from its own outputs before anything is
 * resolved, so that each keeps its priority (model/priorities.ts, docs/routing.md).
 *
 * Why a StackReference to the stack itself: it is the one documented way for a program to read
 * what its own last update left (Pulumi's maintainers show it in pulumi/pulumi#3722), and the
 * outputs are the program's own record, so no AWS call and no credentials beyond the backend's.
 * How the engine answers it (pulumi/pulumi pkg/resource/deploy/builtins.go, readStackReference):
 * the builtin provider asks the backend for the stack's latest snapshot and returns its root
 * stack resource's outputs.
 * - A stack never deployed has no snapshot, or one without a root stack resource: the outputs are
 *   empty (GetRootStackResource returns none, and the read succeeds), and `getOutputDetails`
 *   sets neither `value` nor `secretValue` for an output that is not there (its SDK docs). So the
 *   very first preview and update read nothing and place every rule as on a first deploy.
 * - During an update the root stack resource is a "same" step until the program registers its
 *   outputs at the end, and a same step keeps the old outputs (deploy/step.go, SameStep.Apply):
 *   the update reads what the preview read.
 * - A read that fails (a backend that cannot be reached) fails the run here, before any resource
 *   is registered: nothing is half-changed.
 * Outputs are async and resolveFleet is not, so the program awaits this first (index.ts exports an
 * async function); the offline plan runs the same code, its mocks answering the StackReference
 * with the base plan's outputs (`--against`).
 */
import * as pulumi from "@pulumi/pulumi";
import { DeployedRoutes, deployedRoutesOf, routesOutput } from "../model/priorities";

/** Outputs read back: the routes, and one every fleet stack has, to tell a lost `routes` from a first deploy. */
const readBack = [routesOutput, "albDnsName"] as const;

/** A DIY backend's one organization (the CLI gives every DIY stack this name). */
export const diyOrganization = "organization";

/**
 * The stack's own name as its backend resolves it. On a DIY backend the bare stack name: both of
 * its layouts resolve it to this project's stack, and the legacy layout (state not upgraded with
 * `pulumi state upgrade`) refuses `organization/<project>/<stack>`. Elsewhere (Pulumi Cloud) the
 * fully qualified name, which never resolves to the user's default organization instead of the
 * stack's own.
 */
export function ownStackName(): string {
    let organization: string | undefined;
    try {
        organization = pulumi.getOrganization();
    } catch {
        // An engine too old to say its organization: the bare name is this project's stack on any backend.
        organization = undefined;
    }
    return organization === undefined || organization === diyOrganization
        ? pulumi.getStack()
        : `${organization}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/** The logical name of the StackReference: one per stack, a read and never a resource to create. */
export const deployedRoutesReference = "fleet-deployed-routes";

/**
 * Reads the rules the stack deployed last. A stack never deployed has no outputs: unknown, and
 * every rule is placed as on a first deploy. `stack`: another name for this stack where the
 * backend spells it otherwise.
 */
export async function readDeployedRoutes(stack: string = ownStackName()): Promise<DeployedRoutes> {
    const self = new pulumi.StackReference(deployedRoutesReference, { name: stack });
    const details = await Promise.all(readBack.map((name) => self.getOutputDetails(name)));
    const outputs: Record<string, unknown> = {};
    readBack.forEach((name, i) => {
        const value = details[i].value ?? details[i].secretValue;
        if (value !== undefined) outputs[name] = value;
    });
    return deployedRoutesOf(outputs);
}
