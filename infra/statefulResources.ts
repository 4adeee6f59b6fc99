import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { servicePhysicalNames, serviceLogicalNames, StackNames } from "../model/naming";
import { lifecyclePolicy } from "./registry";

/**
 * What a service's stateful resources (log group, repository, secret parameters) are declared
 * from. Service and RetiredService both declare them through this module, so a retired service
 * keeps exactly the logical names, types, inputs and options its Service gave them.
 */
export interface StatefulSettings {
    /** The stack's name prefixes (model/naming.ts). */
    readonly names: StackNames;
    /** Images kept by the lifecycle policy of the service's repository. @default 20 */
    readonly keepImages?: number;
    /** Log retention in days. */
    readonly logRetentionDays: number;
    /** `protect` the stateful resources. @default false */
    readonly protect?: boolean;
    /** KMS key encrypting the SSM parameters fleet creates. */
    readonly secretsKeyArn: pulumi.Input<string>;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/** The service's log group: `/<project>/<stack>/<service>`. */
export function serviceLogGroup(parent: pulumi.Resource, service: string, settings: StatefulSettings): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
        serviceLogicalNames(service).logGroup,
        { name: servicePhysicalNames.logGroup(settings.names, service), retentionInDays: settings.logRetentionDays, tags: settings.tags },
        fixedNameOptions(parent, settings),
    );
}

/** The service's own image repository, with its lifecycle policy. */
export function serviceRepository(parent: pulumi.Resource, service: string, settings: StatefulSettings): aws.ecr.Repository {
    const names = serviceLogicalNames(service);
    const repository = new aws.ecr.Repository(
        names.repository,
        {
            name: servicePhysicalNames.repository(settings.names, service),
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            // A protected repository keeps its images; an unprotected one (dev) can be torn down with them.
            forceDelete: !(settings.protect ?? false),
            tags: settings.tags,
        },
        fixedNameOptions(parent, settings),
    );
    // One policy per repository: a replacement created first would be removed by the old one's deletion.
    new aws.ecr.LifecyclePolicy(
        names.repositoryLifecycle,
        { repository: repository.name, policy: lifecyclePolicy(settings.keepImages ?? 20) },
        { parent, deleteBeforeReplace: true },
    );
    return repository;
}

/** A secret's SecureString parameter (named by servicePhysicalNames.secretParameter), encrypted with the fleet key. */
export function secretParameter(
    parent: pulumi.Resource,
    service: string,
    secret: { readonly name: string; readonly parameterName: string },
    value: pulumi.Input<string>,
    settings: StatefulSettings,
    opts: pulumi.CustomResourceOptions = {},
): aws.ssm.Parameter {
    return new aws.ssm.Parameter(
        serviceLogicalNames(service).secret(secret.name),
        {
            name: secret.parameterName,
            type: "SecureString",
            value,
            keyId: settings.secretsKeyArn,
            description: `fleet: ${secret.name} of ${service}`,
            tags: settings.tags,
        },
        { ...fixedNameOptions(parent, settings), ...opts },
    );
}

/**
 * Options of a resource whose physical name fleet fixes (log group, repository, parameter). A
 * change that forces replacement would create the new one first and fail with AlreadyExists, so
 * an unprotected one is deleted first; a protected one is never deleted (the engine refuses, and
 * the plan says so).
 */
function fixedNameOptions(parent: pulumi.Resource, settings: Pick<StatefulSettings, "protect">): pulumi.CustomResourceOptions {
    const protect = settings.protect ?? false;
    return { parent, protect, deleteBeforeReplace: !protect };
}
