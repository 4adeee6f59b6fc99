/**
 * Workers and jobs under Pulumi mocks: the queue-backlog scaling policy (metric math, ids, target),
 * scheduled scaling actions, and a job's EventBridge Scheduler schedule (expression, zone, retry
 * policy, dead-letter queue, ECS target), its role (exact ARNs) and the task steps it shares with
 * services, on Fargate and on EC2.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, it } from "node:test";
import { Job } from "../infra/job";
import { Service, ServiceArgs } from "../infra/service";
import { stackNames } from "../model/naming";
import { installMocks } from "../plan/mocks";
import { account, containerOf, policyOf, region, Registered, resolveForTest, testPlatform } from "./harness";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

const fleet = resolveForTest(
    {
        worker: {
            image: "public.ecr.aws/docker/library/busybox:1.36",
            command: ["node", "worker.js"],
            memory: { reservation: 128, limit: 256 },
            stopTimeout: 90,
            scaling: {
                min: 1,
                max: 10,
                cpuPercent: 70,
                queue: { name: "orders", backlogPerTask: 100 },
                schedule: [
                    { cron: "cron(0 8 ? * MON-FRI *)", min: 4, max: 20, timezone: "Europe/Berlin" },
                    { cron: "cron(0 19 ? * MON-FRI *)", min: 1, max: 10, timezone: "Europe/Berlin" },
                ],
            },
            access: { sqs: { orders: "consume" } },
        },
        report: {
            image: "public.ecr.aws/docker/library/busybox:1.36",
            command: ["node", "report.js"],
            memory: { reservation: 256, limit: 512 },
            secrets: { REPORT_TOKEN: { generate: { length: 32 } } },
            schedule: "cron(30 2 * * ? *)",
            timezone: "Europe/Berlin",
            jobDurationMinutes: 20,
        },
        sweep: {
            image: "public.ecr.aws/docker/library/busybox:1.36",
            memory: { reservation: 64, limit: 128 },
            schedule: "rate(15 minutes)",
            capacity: "ec2",
        },
    },
    {
        network: { natGateways: "single" },
        cluster: { defaultCapacity: "fargate", ec2: { instanceType: "t3.medium", minSize: 0, maxSize: 2 } },
        registry: { pullThroughCache: { "ecr-public": {} } },
        services: { worker: { scaling: { queue: { name: "orders-test" } }, access: { sqs: { "orders-test": "consume" } } } },
    },
);

const platform = testPlatform;
const clusterArn = platform.cluster.arn;
const common: Omit<ServiceArgs, "spec"> = { platform, names: stackNames("fleet", "test"), logRetentionDays: 14 };
// A job is a Job, a service a Service: the same task steps, registered under the same type.
for (const spec of fleet.services) spec.job ? new Job(spec.name, { ...common, spec }) : new Service(spec.name, { ...common, spec });

/** The physical name the mocks give an auto-named resource (Pulumi's `<logical name>-<7 characters>`). */
const autoName = (type: string, name: string) => `${name}-${createHash("sha256").update(`${type}/${name}`).digest("hex").slice(0, 7)}`;
const roleArn = (name: string) => `arn:aws:iam::${account}:role/${autoName("aws:iam/role:Role", name)}`;
const queueArn = (name: string) => `arn:aws:sqs:${region}:${account}:${autoName("aws:sqs/queue:Queue", name)}`;

let registered: Registered;
before(async () => (registered = await settled(runtime)));

describe("a worker scaled on its queue's backlog and on a schedule", () => {
    it("tracks messages visible per running task with metric math, beside CPU", () => {
        const policy = registered.one("aws:appautoscaling/policy:Policy", "worker-queue");
        const ecsServiceName = autoName("aws:ecs/service:Service", "worker");
        assert.equal(policy.inputs.policyType, "TargetTrackingScaling");
        assert.equal(policy.inputs.resourceId, `service/fleet-test/${ecsServiceName}`);
        assert.deepEqual(policy.inputs.targetTrackingScalingPolicyConfiguration, {
            targetValue: 100,
            customizedMetricSpecification: {
                metrics: [
                    {
                        id: "m1",
                        label: "Messages visible in the queue",
                        returnData: false,
                        metricStat: {
                            metric: {
                                namespace: "AWS/SQS",
                                metricName: "ApproximateNumberOfMessagesVisible",
                                // The stack file's queue, not the catalog's.
                                dimensions: [{ name: "QueueName", value: "orders-test" }],
                            },
                            stat: "Sum",
                        },
                    },
                    {
                        id: "m2",
                        label: "Running tasks of the service",
                        returnData: false,
                        metricStat: {
                            metric: {
                                namespace: "ECS/ContainerInsights",
                                metricName: "RunningTaskCount",
                                dimensions: [
                                    { name: "ClusterName", value: "fleet-test" },
                                    { name: "ServiceName", value: ecsServiceName },
                                ],
                            },
                            stat: "Average",
                        },
                    },
                    { id: "e1", label: "Backlog per task", expression: "m1 / m2", returnData: true },
                ],
            },
            scaleInCooldown: 300,
            scaleOutCooldown: 60,
        });
        const cpu = registered.one("aws:appautoscaling/policy:Policy", "worker-cpu");
        assert.equal((cpu.inputs.targetTrackingScalingPolicyConfiguration as any).targetValue, 70);
        assert.equal(registered.has("aws:appautoscaling/policy:Policy", "worker-requests"), false);
    });

    it("changes the bounds on schedule, one action per entry keyed by its cron and zone", () => {
        const actions = registered.all("aws:appautoscaling/scheduledAction:ScheduledAction");
        const key = (cron: string) => createHash("sha256").update(`${cron} Europe/Berlin`).digest("hex").slice(0, 8);
        assert.deepEqual(
            actions.map((a) => [a.name, a.inputs.schedule, a.inputs.timezone, a.inputs.scalableTargetAction]),
            [
                [
                    `worker-at-${key("cron(0 8 ? * MON-FRI *)")}`,
                    "cron(0 8 ? * MON-FRI *)",
                    "Europe/Berlin",
                    { minCapacity: 4, maxCapacity: 20 },
                ],
                [
                    `worker-at-${key("cron(0 19 ? * MON-FRI *)")}`,
                    "cron(0 19 ? * MON-FRI *)",
                    "Europe/Berlin",
                    { minCapacity: 1, maxCapacity: 10 },
                ],
            ],
        );
        for (const action of actions) {
            assert.equal(action.inputs.serviceNamespace, "ecs");
            assert.equal(action.inputs.scalableDimension, "ecs:service:DesiredCount");
            assert.equal(action.inputs.resourceId, `service/fleet-test/${autoName("aws:ecs/service:Service", "worker")}`);
        }
        const target = registered.one("aws:appautoscaling/target:Target", "worker-scaling");
        assert.deepEqual([target.inputs.minCapacity, target.inputs.maxCapacity], [1, 10]);
        assert.deepEqual(registered.one("aws:ecs/service:Service", "worker").ignoreChanges, ["desiredCount"]);
    });
});

describe("a job on Fargate", () => {
    it("is a schedule, not an ECS service", () => {
        assert.equal(registered.has("aws:ecs/service:Service", "report"), false);
        assert.equal(registered.has("aws:appautoscaling/target:Target", "report-scaling"), false);
        assert.equal(registered.has("aws:lb/targetGroup:TargetGroup", "report-tg"), false);
        const task = registered.one("aws:ecs/taskDefinition:TaskDefinition", "report-taskdef");
        assert.equal(task.inputs.family, "fleet-test-report");
        assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
        assert.deepEqual(containerOf(task).command, ["node", "report.js"]);
        assert.deepEqual(containerOf(task).secrets, [
            { name: "REPORT_TOKEN", valueFrom: `arn:aws:ssm:${region}:${account}:parameter/fleet/test/report/REPORT_TOKEN` },
        ]);
    });

    it("is a Job component under the Service's type token, so a job deployed before keeps every child's URN", () => {
        const component = registered.one("fleet:ecs:Service", "report");
        const schedule = registered.one("aws:scheduler/schedule:Schedule", "report-schedule");
        assert.equal(schedule.parent, component.urn);
        assert.match(schedule.urn, /::fleet:ecs:Service\$aws:scheduler\/schedule:Schedule::report-schedule$/);
    });

    it("runs its exact task definition in private subnets with its own group and no public IP, retrying then dead-lettering", () => {
        const schedule = registered.one("aws:scheduler/schedule:Schedule", "report-schedule");
        const groupId = `sg-${createHash("sha256").update("aws:ec2/securityGroup:SecurityGroup/report-sg").digest("hex").slice(0, 17)}`;
        assert.deepEqual(schedule.inputs, {
            description: "fleet: runs the report task on cron(30 2 * * ? *)",
            scheduleExpression: "cron(30 2 * * ? *)",
            scheduleExpressionTimezone: "Europe/Berlin",
            flexibleTimeWindow: { mode: "OFF" },
            state: "ENABLED",
            target: {
                arn: clusterArn,
                roleArn: roleArn("report-scheduler"),
                ecsParameters: {
                    taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/fleet-test-report:1`,
                    taskCount: 1,
                    capacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
                    networkConfiguration: { subnets: ["subnet-0a", "subnet-0b"], securityGroups: [groupId], assignPublicIp: false },
                    enableEcsManagedTags: true,
                    propagateTags: "TASK_DEFINITION",
                },
                retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                deadLetterConfig: { arn: queueArn("report-dlq") },
            },
        });
        const permissions = registered.one("aws:iam/rolePolicy:RolePolicy", "report-scheduler");
        assert.ok(schedule.dependencies.includes(permissions.urn), "created once the role may run the task");
    });

    it("keeps failed runs on an encrypted dead-letter queue for 14 days", () => {
        const queue = registered.one("aws:sqs/queue:Queue", "report-dlq");
        assert.equal(queue.inputs.sqsManagedSseEnabled, true);
        assert.equal(queue.inputs.messageRetentionSeconds, 1_209_600);
    });

    it("has its own group with no ingress", () => {
        registered.one("aws:ec2/securityGroup:SecurityGroup", "report-sg");
        assert.equal(registered.has("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "report-from-alb"), false);
    });

    it("lets only EventBridge Scheduler of this account assume its role", () => {
        const role = registered.one("aws:iam/role:Role", "report-scheduler");
        assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                },
            ],
        });
    });

    it("allows running exactly its family in the cluster and passing exactly its two roles", () => {
        assert.deepEqual(policyOf(registered.one("aws:iam/rolePolicy:RolePolicy", "report-scheduler")), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "RunJobTask",
                    Effect: "Allow",
                    Action: "ecs:RunTask",
                    Resource: `arn:aws:ecs:${region}:${account}:task-definition/fleet-test-report:*`,
                    Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
                },
                {
                    Sid: "PassTaskRoles",
                    Effect: "Allow",
                    Action: "iam:PassRole",
                    Resource: [roleArn("report-exec"), roleArn("report-task")],
                    Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
                },
                {
                    Sid: "TagJobTask",
                    Effect: "Allow",
                    Action: "ecs:TagResource",
                    Resource: `arn:aws:ecs:${region}:${account}:task/fleet-test/*`,
                    Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
                },
                { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn("report-dlq") },
            ],
        });
    });
});

describe("a job on EC2", () => {
    it("runs on the EC2 capacity provider in bridge mode, packed by memory, with no network configuration", () => {
        const schedule = registered.one("aws:scheduler/schedule:Schedule", "sweep-schedule");
        const target = schedule.inputs.target as any;
        assert.equal(schedule.inputs.scheduleExpression, "rate(15 minutes)");
        assert.equal(schedule.inputs.scheduleExpressionTimezone, "UTC");
        assert.deepEqual(target.ecsParameters, {
            taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/fleet-test-sweep:1`,
            taskCount: 1,
            capacityProviderStrategies: [{ capacityProvider: "fleet-test-ec2", weight: 1, base: 0 }],
            placementStrategies: [{ type: "binpack", field: "memory" }],
            enableEcsManagedTags: true,
            propagateTags: "TASK_DEFINITION",
        });
        assert.equal(registered.one("aws:ecs/taskDefinition:TaskDefinition", "sweep-taskdef").inputs.networkMode, "bridge");
        assert.equal(registered.has("aws:ec2/securityGroup:SecurityGroup", "sweep-sg"), false);
    });
});
