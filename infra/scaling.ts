/**
 * The worker side of autoscaling: target tracking on a queue's backlog per running task, and
 * scheduled changes of the scaling bounds. Called by Service.createAutoscaling next to the CPU and
 * request policies.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ScalingSpec } from "../model/catalog";
import { serviceLogicalNames } from "../model/naming";
import { scheduledScalingId } from "../model/workloads";

type MetricSpecification = aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification;

/**
 * Messages visible in the queue divided by the service's running tasks, with metric math, as
 * Application Auto Scaling's "SQS queue backlog per task" example does (RunningTaskCount comes from
 * Container Insights):
 * https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html
 */
export function queueBacklogMetric(
    queueName: string,
    clusterName: pulumi.Input<string>,
    serviceName: pulumi.Input<string>,
): MetricSpecification {
    return {
        metrics: [
            {
                id: "m1",
                label: "Messages visible in the queue",
                returnData: false,
                metricStat: {
                    metric: {
                        namespace: "AWS/SQS",
                        metricName: "ApproximateNumberOfMessagesVisible",
                        dimensions: [{ name: "QueueName", value: queueName }],
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
                            { name: "ClusterName", value: clusterName },
                            { name: "ServiceName", value: serviceName },
                        ],
                    },
                    stat: "Average",
                },
            },
            { id: "e1", label: "Backlog per task", expression: "m1 / m2", returnData: true },
        ],
    };
}

/**
 * One scheduled action per `scaling.schedule` entry, keyed by its cron and zone: at each time the
 * cron names, the bounds become that entry's min and max, until another entry changes them.
 */
export function scheduledScalingActions(
    parent: pulumi.Resource,
    service: string,
    schedule: NonNullable<ScalingSpec["schedule"]>,
    target: aws.appautoscaling.Target,
): aws.appautoscaling.ScheduledAction[] {
    const children = serviceLogicalNames(service);
    return schedule.map(
        (entry) =>
            new aws.appautoscaling.ScheduledAction(
                children.scheduledScaling(scheduledScalingId(entry)),
                {
                    serviceNamespace: target.serviceNamespace,
                    scalableDimension: target.scalableDimension,
                    resourceId: target.resourceId,
                    schedule: entry.cron.trim(),
                    timezone: entry.timezone ?? "UTC",
                    scalableTargetAction: { minCapacity: entry.min, maxCapacity: entry.max },
                },
                { parent },
            ),
    );
}
