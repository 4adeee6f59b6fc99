/**
 * IAM documents (the permissions of the roles and whom they trust), scoped to exact ARNs. Kept
 * apart from the components so tests can read them as plain data. Named for IAM ("document",
 * "statement"), never like the policy pack (policy/), which checks them.
 */
import * as pulumi from "@pulumi/pulumi";
import { iamDocumentVersion, ResolvedGrant, taskRolePolicy } from "../model/access";
import { EfsMount, efsMountStatements } from "../model/volumes";
import { ecsExecChannelActions } from "../facts/aws";

export interface AwsContext {
    readonly accountId: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
}

export { iamDocumentVersion };

export interface IamStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: string | string[];
    readonly Resource: pulumi.Input<string> | pulumi.Input<string>[];
    readonly Condition?: Record<string, Record<string, pulumi.Input<string>>>;
}

/** Actions that pull an image from an ECR repository. */
export const ecrPullActions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/** ECR's registry-wide token call cannot be scoped to a repository (AWS requires Resource "*"). */
export const ecrAuthStatement: IamStatement = { Sid: "EcrAuthToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" };

export const repositoryArn = (ctx: AwsContext, repository: pulumi.Input<string>) =>
    pulumi.interpolate`arn:${ctx.partition}:ecr:${ctx.region}:${ctx.accountId}:repository/${repository}`;

/**
 * The first pull of an upstream image through the cache imports it (`BatchImportUpstreamImage`)
 * into a repository ECR creates on the fly (`CreateRepository`); later pulls are ordinary pulls.
 * Scoped to the repositories given: a task's exact cached repository on its execution role, the
 * cache prefixes (`<prefix>/*`) on the EC2 instance role shared by every service (infra/cluster.ts).
 */
export function pullThroughCacheStatements(repositories: readonly string[], ctx: AwsContext): IamStatement[] {
    return [
        {
            Sid: "PullThroughCache",
            Effect: "Allow",
            Action: [...ecrPullActions, "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
            Resource: repositories.map((repository) => repositoryArn(ctx, repository)),
        },
        ecrAuthStatement,
    ];
}

export interface ExecutionRoleDocumentArgs {
    readonly logGroupArn: pulumi.Input<string>;
    /** ECR repositories the task pulls from (its own, or an ECR image's). */
    readonly repositoryArns: readonly pulumi.Input<string>[];
    /** Pull-through cache repositories of its upstream image. */
    readonly cacheRepositories: readonly string[];
    /** The SSM parameters holding its secrets, exactly. */
    readonly parameterArns: readonly pulumi.Input<string>[];
    /** The key that encrypts the parameters fleet creates, when the task reads any. */
    readonly secretsKeyArn?: pulumi.Input<string>;
    /** The customer-managed keys of the existing parameters it references (`existing` with `kmsKey`). */
    readonly referencedKeyArns?: readonly pulumi.Input<string>[];
    /** The Secrets Manager secrets holding its secrets (`existing` with a secret's full ARN), exactly. */
    readonly secretArns?: readonly string[];
    /** The customer-managed keys of those secrets (`kmsKey`). */
    readonly secretKeyArns?: readonly pulumi.Input<string>[];
    /** The Secrets Manager secret holding its private registry's credentials (`credentials`). */
    readonly registryCredentialsArn?: string;
}

/**
 * The task execution role's only permissions: write its own log group, pull its own image (with
 * its private registry's credentials), read its own parameters and decrypt them with the fleet key
 * (and a referenced parameter's own key) through SSM only, and read its own Secrets Manager
 * secrets, decrypting with their own keys through Secrets Manager only. No managed policy (the
 * AWS-managed execution policy allows pulling from every repository in the account).
 */
export function executionRoleDocument(args: ExecutionRoleDocumentArgs, ctx: AwsContext): { Version: string; Statement: IamStatement[] } {
    const statements: IamStatement[] = [
        {
            Sid: "Logs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${args.logGroupArn}:log-stream:*`,
        },
    ];
    if (args.repositoryArns.length > 0) {
        statements.push(
            { Sid: "PullImage", Effect: "Allow", Action: ecrPullActions, Resource: [...args.repositoryArns] },
            ecrAuthStatement,
        );
    }
    if (args.cacheRepositories.length > 0) {
        const [cache] = pullThroughCacheStatements(args.cacheRepositories, ctx);
        statements.push(cache);
        if (args.repositoryArns.length === 0) statements.push(ecrAuthStatement);
    }
    if (args.registryCredentialsArn !== undefined) {
        // ECS guide, "Private registry authentication for tasks": the execution role reads the credentials' secret.
        statements.push({
            Sid: "ReadRegistryCredentials",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: args.registryCredentialsArn,
        });
    }
    if (args.parameterArns.length > 0) {
        statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: "ssm:GetParameters", Resource: [...args.parameterArns] });
        const throughSsm = { StringEquals: { "kms:ViaService": pulumi.interpolate`ssm.${ctx.region}.amazonaws.com` } };
        if (args.secretsKeyArn !== undefined) {
            statements.push({
                Sid: "DecryptSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: args.secretsKeyArn,
                Condition: throughSsm,
            });
        }
        if (args.referencedKeyArns?.length) {
            statements.push({
                Sid: "DecryptReferencedSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: [...args.referencedKeyArns],
                Condition: throughSsm,
            });
        }
    }
    if (args.secretArns?.length) {
        statements.push({
            Sid: "ReadSecretsManagerSecrets",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: [...args.secretArns],
        });
        if (args.secretKeyArns?.length) {
            statements.push({
                Sid: "DecryptSecretsManagerSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: [...args.secretKeyArns],
                Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`secretsmanager.${ctx.region}.amazonaws.com` } },
            });
        }
    }
    return { Version: iamDocumentVersion, Statement: statements };
}

/**
 * The trust document (IAM's "trust policy") of the roles ECS tasks assume. The application (task) role is limited to tasks of this
 * account (confused-deputy guard, as AWS documents for task roles). The execution role keeps AWS's
 * documented trust without conditions: the agent's calls are not documented to carry
 * aws:SourceArn, and a condition on a missing key would stop every task from starting.
 */
export function ecsTasksTrustDocument(ctx: AwsContext, role: "task" | "execution") {
    return {
        Version: iamDocumentVersion,
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
                ...(role === "task"
                    ? {
                          Condition: {
                              StringEquals: { "aws:SourceAccount": ctx.accountId },
                              ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:*` },
                          },
                      }
                    : {}),
            },
        ],
    };
}

/**
 * The task (application) role's permissions: exactly the `access` grants of the service, on the
 * exact ARNs of the stack's account and region (model/access.ts), and the client actions on each
 * file system it mounts, through its access point only (model/volumes.ts), as JSON.
 */
export function taskRoleDocument(
    grants: readonly ResolvedGrant[],
    ctx: AwsContext,
    mounts: readonly EfsMount<pulumi.Input<string>>[] = [],
): pulumi.Output<string> {
    const arns = pulumi.all(mounts.map((mount) => pulumi.all([mount.fileSystemArn, mount.accessPointArn])));
    return pulumi
        .all([ctx.partition, ctx.region, ctx.accountId, arns])
        .apply(([partition, region, accountId, resolved]) =>
            taskRolePolicy(
                grants,
                { partition, region, accountId },
                efsMountStatements(resolved.map(([fileSystemArn, accessPointArn]) => ({ fileSystemArn, accessPointArn }))),
            ),
        );
}

/**
 * What a task role needs for ECS Exec (`exec`), apart from the service's `access`: the four
 * Session Manager channel actions, which AWS documents on `"Resource": "*"` (facts/aws.ts
 * ecsExecChannelActions); writing the session's log to the service's own log group, which the
 * cluster's DEFAULT logging sends it to, with `logs:DescribeLogGroups`, which takes no resource;
 * and decrypting the session's channel with the stack's key (the cluster's kmsKeyId). As AWS's
 * amazon-ecs-exec-checker simulates them.
 */
export function execCommandDocument(logGroupArn: pulumi.Input<string>, keyArn: pulumi.Input<string>) {
    return {
        Version: iamDocumentVersion,
        Statement: [
            { Sid: "EcsExecChannels", Effect: "Allow", Action: [...ecsExecChannelActions], Resource: "*" },
            {
                Sid: "EcsExecSessionLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: pulumi.interpolate`${logGroupArn}:*`,
            },
            { Sid: "EcsExecFindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
            { Sid: "EcsExecChannelKey", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
        ] satisfies IamStatement[],
    };
}
