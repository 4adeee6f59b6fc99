/**
 * IAM documents of a job's scheduler role: EventBridge Scheduler assumes it to start the job's
 * task. Scoped to exact ARNs, apart from the component so tests read them as plain data.
 */
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, iamDocumentVersion, IamStatement } from "./iamDocuments";

/**
 * Only EventBridge Scheduler, and only on behalf of this account (confused-deputy guard), as the
 * Scheduler guide's execution-role trust policy shows:
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
export function schedulerTrustDocument(ctx: AwsContext) {
    return {
        Version: iamDocumentVersion,
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "scheduler.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
            },
        ],
    };
}

export interface SchedulerRoleDocumentArgs {
    /** The job's task definition family: RunTask on any revision of it, none other. */
    readonly family: string;
    readonly clusterArn: pulumi.Input<string>;
    readonly clusterName: pulumi.Input<string>;
    /** The two roles the task runs with, which RunTask passes to ECS. */
    readonly executionRoleArn: pulumi.Input<string>;
    readonly taskRoleArn: pulumi.Input<string>;
    readonly deadLetterQueueArn: pulumi.Input<string>;
}

/**
 * What the scheduler may do for one job: run its task definition family in the fleet's cluster,
 * pass exactly its execution and task roles to ECS, tag the task it starts, and put a run it could
 * not start on the job's dead-letter queue. AWS's managed AmazonEC2ContainerServiceEventsRole
 * allows the same actions on every resource; the ECS guide says to name the task's roles instead:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html
 */
export function schedulerRoleDocument(args: SchedulerRoleDocumentArgs, ctx: AwsContext): { Version: string; Statement: IamStatement[] } {
    return {
        Version: iamDocumentVersion,
        Statement: [
            {
                Sid: "RunJobTask",
                Effect: "Allow",
                Action: "ecs:RunTask",
                Resource: pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task-definition/${args.family}:*`,
                Condition: { ArnEquals: { "ecs:cluster": args.clusterArn } },
            },
            {
                Sid: "PassTaskRoles",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: [args.executionRoleArn, args.taskRoleArn],
                Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
            },
            {
                // The task carries the task definition's tags (propagateTags), set as RunTask creates it.
                Sid: "TagJobTask",
                Effect: "Allow",
                Action: "ecs:TagResource",
                Resource: pulumi.interpolate`arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task/${args.clusterName}/*`,
                Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
            },
            { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.deadLetterQueueArn },
        ],
    };
}
