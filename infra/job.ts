/**
 * What makes a catalog entry with a `schedule` a job: an EventBridge Scheduler schedule that runs
 * the entry's task definition in the fleet's cluster (its capacity, private subnets, its own
 * security group, no public IP), retries a run that cannot start and then puts it on a dead-letter
 * queue, and a role that may run exactly that task definition family and pass exactly its two
 * roles. The task definition, roles, secrets and log group are the Service component's own steps.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceLogicalNames } from "../model/naming";
import { ResolvedJob, ResolvedService } from "../model/fleet";
import { sqsMaxRetentionSeconds } from "../facts/aws";
import { jobRetryPolicy } from "../facts/fleet";
import { capacityProviderFor } from "./cluster";
import { PlatformRefs } from "./platform";
import { schedulerRoleDocument, schedulerTrustDocument } from "./schedulerDocuments";

export interface JobScheduleArgs {
    readonly spec: ResolvedService & { readonly job: ResolvedJob };
    readonly platform: PlatformRefs;
    /** The task definition family (servicePhysicalNames.taskFamily). */
    readonly family: string;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly executionRole: aws.iam.Role;
    readonly taskRole: aws.iam.Role;
    /** The job's own group when its tasks use awsvpc (Fargate); none on EC2 (bridge). */
    readonly securityGroup?: aws.ec2.SecurityGroup;
    readonly tags?: Record<string, string>;
}

/** The job's schedule, its role and its dead-letter queue, as children of `parent`. */
export function createJobSchedule(parent: pulumi.Resource, args: JobScheduleArgs): aws.scheduler.Schedule {
    const { spec, platform } = args;
    const children = serviceLogicalNames(spec.name);
    const deadLetters = new aws.sqs.Queue(
        children.deadLetterQueue,
        { sqsManagedSseEnabled: true, messageRetentionSeconds: sqsMaxRetentionSeconds, tags: args.tags },
        { parent },
    );
    const role = new aws.iam.Role(
        children.schedulerRole,
        {
            assumeRolePolicy: pulumi.jsonStringify(schedulerTrustDocument(platform.aws)),
            description: `fleet: EventBridge Scheduler runs the ${spec.name} job`,
            tags: args.tags,
        },
        { parent },
    );
    const permissions = new aws.iam.RolePolicy(
        children.schedulerRole,
        {
            role: role.name,
            policy: pulumi.jsonStringify(
                schedulerRoleDocument(
                    {
                        family: args.family,
                        clusterArn: platform.cluster.arn,
                        clusterName: platform.cluster.name,
                        executionRoleArn: args.executionRole.arn,
                        taskRoleArn: args.taskRole.arn,
                        deadLetterQueueArn: deadLetters.arn,
                    },
                    platform.aws,
                ),
            ),
        },
        { parent },
    );
    const job = spec.job;
    return new aws.scheduler.Schedule(
        children.jobSchedule,
        {
            description: `fleet: runs the ${spec.name} task on ${job.schedule}`,
            scheduleExpression: job.schedule,
            scheduleExpressionTimezone: job.timezone ?? "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            state: "ENABLED",
            target: {
                arn: platform.cluster.arn,
                roleArn: role.arn,
                ecsParameters: {
                    // The exact revision: a changed task definition updates the schedule, and a rollback is exact.
                    taskDefinitionArn: args.taskDefinition.arn,
                    taskCount: 1,
                    capacityProviderStrategies: [
                        {
                            capacityProvider: capacityProviderFor(spec.capacity, platform.cluster.ec2CapacityProviderName),
                            weight: 1,
                            base: 0,
                        },
                    ],
                    networkConfiguration: args.securityGroup
                        ? { subnets: platform.network.privateSubnetIds, securityGroups: [args.securityGroup.id], assignPublicIp: false }
                        : undefined,
                    // Packed by memory with the services, so a run does not need an instance of its own.
                    placementStrategies: spec.capacity.kind === "ec2" ? [{ type: "binpack", field: "memory" }] : undefined,
                    enableEcsManagedTags: true,
                    propagateTags: "TASK_DEFINITION",
                },
                retryPolicy: { ...jobRetryPolicy },
                deadLetterConfig: { arn: deadLetters.arn },
            },
        },
        // The scheduler checks it may assume the role when the schedule is created.
        { parent, dependsOn: [permissions] },
    );
}
