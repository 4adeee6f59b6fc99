/**
 * The listener rules this stack deployed last, read back from its own outputs before anything is
 * resolved, so that each keeps its priority (model/priorities.ts, docs/routing.md).
 *
 * A StackReference to the stack itself reads the outputs of its last completed update (the engine's
 * builtin provider asks the backend for the stack's latest checkpoint; Pulumi's maintainers show it
 * in pulumi/pulumi#3722), in a preview as in an update: the update in progress copies the root
 * stack's old outputs until the program registers its new ones, at the end. Outputs are async and
 * resolveFleet is not, so the program awaits this first (index.ts exports an async function); the
 * offline plan runs the same code, its mocks answering with the base plan's outputs (`--against`).
 */
import * as pulumi from "@pulumi/pulumi";
import { DeployedRoutes, deployedRoutesOf, routesOutput } from "../model/priorities";

/** Outputs read back: the routes, and one every fleet stack has, to tell a lost `routes` from a first deploy. */
const readBack = [routesOutput, "albDnsName"] as const;

/** The stack's own fully qualified name, as a StackReference takes it (`organization/<project>/<stack>` on a DIY backend). */
export function ownStackName(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
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
