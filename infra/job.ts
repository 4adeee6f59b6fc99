/**
 * A catalog entry with a `schedule`: its task (task.ts, the same steps as a Service's), started by
 * an EventBridge Scheduler schedule in the fleet's cluster (its capacity, private subnets, its own
 * security group, no public IP), which retries a run that cannot start and then puts it on a
 * dead-letter queue, with a role that may run exactly that task definition family and pass exactly
 * its two roles. No ECS service: nothing runs between runs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { servicePhysicalNames, serviceLogicalNames } from "../model/naming";
import { ResolvedJob, ResolvedService } from "../model/fleet";
import { sqsMaxRetentionSeconds } from "../facts/aws";
import { jobRetryPolicy } from "../facts/fleet";
import { capacityProviderFor } from "./cluster";
import { PlatformRefs } from "./platform";
import { schedulerRoleDocument, schedulerTrustDocument } from "./schedulerDocuments";
import { Task, TaskArgs } from "./task";

/**
 * A job: its task and the schedule that starts it. Registered under the Service's type token,
 * `fleet:ecs:Service`, as jobs were before they had a component of their own: the type is part of
 * every child's URN, so a job deployed then keeps its resources (log group, repository, parameters,
 * roles) instead of replacing them, and the plan's reports find every entry's resources alike.
 */
export class Job extends pulumi.ComponentResource {
    public readonly scheduleArn: pulumi.Output<string>;
    public readonly taskDefinitionArn: pulumi.Output<string>;
    /** The image the task runs. */
    public readonly image: pulumi.Output<string>;
    public readonly repositoryUrl?: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    /** The tasks' own security group (awsvpc); bridge tasks on EC2 share the instances' group. */
    public readonly securityGroupId?: pulumi.Output<string>;

    constructor(name: string, args: TaskArgs, opts?: pulumi.ComponentResourceOptions) {
        const job = args.spec.job;
        if (args.spec.name !== name)
            throw new Error(`Job "${name}" was given the catalog entry of "${args.spec.name}": the catalog key is the job's name`);
        if (!job) throw new Error(`Job "${name}" was given a service (no schedule): a service is a Service`);
        super("fleet:ecs:Service", name, {}, opts);

        const task = new Task(this, args);
        const schedule = createJobSchedule(this, {
            spec: { ...args.spec, job },
            platform: args.platform,
            family: servicePhysicalNames.taskFamily(args.names, name),
            task,
            tags: args.tags,
        });

        this.scheduleArn = schedule.arn;
        ({
            taskDefinitionArn: this.taskDefinitionArn,
            image: this.image,
            repositoryUrl: this.repositoryUrl,
            logGroupName: this.logGroupName,
            securityGroupId: this.securityGroupId,
        } = task.outputs);
        this.registerOutputs({ scheduleArn: this.scheduleArn, ...task.outputs });
    }
}

export interface JobScheduleArgs {
    readonly spec: ResolvedService & { readonly job: ResolvedJob };
    readonly platform: PlatformRefs;
    /** The task definition family (servicePhysicalNames.taskFamily). */
    readonly family: string;
    /** The job's task: its definition, roles, and its own group when its tasks use awsvpc. */
    readonly task: Task;
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
                        executionRoleArn: args.task.executionRole.arn,
                        taskRoleArn: args.task.taskRole.arn,
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
                    taskDefinitionArn: args.task.taskDefinition.arn,
                    taskCount: 1,
                    capacityProviderStrategies: [
                        {
                            capacityProvider: capacityProviderFor(spec.capacity, platform.cluster.ec2CapacityProviderName),
                            weight: 1,
                            base: 0,
                        },
                    ],
                    networkConfiguration: args.task.securityGroup
                        ? {
                              subnets: platform.network.privateSubnetIds,
                              securityGroups: [args.task.securityGroup.id],
                              assignPublicIp: false,
                          }
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
        // The scheduler checks it may assume the role when the schedule is created; a run mounts its
        // file systems only through mount targets that exist, and needs its roles' policies.
        { parent, dependsOn: [permissions, ...args.task.mountTargets, ...args.task.rolePolicies] },
    );
}
