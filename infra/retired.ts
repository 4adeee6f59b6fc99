import * as pulumi from "@pulumi/pulumi";
import { servicePhysicalNames } from "../model/naming";
import { RetiredService as RetiredSettings } from "../model/fleet";
import { secretParameter, serviceLogGroup, serviceRepository, StatefulSettings } from "./statefulResources";

export interface RetiredServiceArgs extends StatefulSettings {
    readonly retired: RetiredSettings;
}

/**
 * A service taken out of the catalog on purpose (`fleet:retired`). Its tasks, target group, rules
 * and roles go; its stateful resources stay, declared through the same module (statefulResources.ts)
 * with the same logical names and inputs the Service gave them, so nothing is deleted: the log
 * group, and the repository and parameters the entry lists. Parameter values are kept as they are
 * in AWS (`ignoreChanges`). With `release: true` they are declared unprotected, so that the next
 * update without the entry may delete them.
 */
export class RetiredService extends pulumi.ComponentResource {
    constructor(name: string, args: RetiredServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // The Service's own type token: the kept children keep their URNs.
        super("fleet:ecs:Service", name, {}, opts);
        const retired = args.retired;
        const kept: StatefulSettings = { ...args, protect: (args.protect ?? false) && !retired.release };
        serviceLogGroup(this, name, kept);
        if (retired.repository) serviceRepository(this, name, kept);
        for (const variable of retired.parameters) {
            secretParameter(
                this,
                name,
                { name: variable, parameterName: servicePhysicalNames.secretParameter(args.names, name, variable) },
                // Never written: the parameter exists and its value is ignored.
                pulumi.secret("retired"),
                kept,
                { ignoreChanges: ["value"] },
            );
        }
        this.registerOutputs({});
    }
}
