/**
 * `fleet:alerts` as resources: the stack's alert topic (encrypted with the stack's KMS key, email
 * subscriptions) or the user's own, its policy, the key policy that lets CloudWatch and
 * EventBridge publish to an encrypted topic, and the alarms and rules each component creates from
 * the specs of model/alerts.ts, as its own children.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, AlertSettings, jobFailurePattern } from "../model/alerts";
import { AwsContext, iamDocumentVersion } from "./iamDocuments";

/** What a component needs to raise alarms: the topic they publish to, and the thresholds. */
export interface AlertRefs {
    readonly topicArn: pulumi.Input<string>;
    readonly settings: AlertSettings;
    /** The stack's name, for the alarms' descriptions. */
    readonly stack: string;
}

/**
 * A CloudWatch alarm over `spec`, on the metric with these dimensions, publishing to the alert
 * topic when it fires and when it clears. No data is not a breach: a metric the load balancer
 * or SQS publishes only while there is traffic goes quiet when there is none.
 */
export function metricAlarm(
    parent: pulumi.Resource,
    name: string,
    spec: AlarmSpec,
    dimensions: Record<string, pulumi.Input<string>>,
    subject: string,
    alerts: AlertRefs,
    tags?: Record<string, string>,
): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: `fleet ${alerts.stack}: ${subject} ${spec.says}`,
            namespace: spec.namespace,
            metricName: spec.metricName,
            dimensions,
            statistic: spec.statistic,
            period: spec.period,
            evaluationPeriods: spec.evaluationPeriods,
            datapointsToAlarm: spec.evaluationPeriods,
            threshold: spec.threshold,
            comparisonOperator: spec.comparisonOperator,
            treatMissingData: "notBreaching",
            alarmActions: [alerts.topicArn],
            okActions: [alerts.topicArn],
            tags,
        },
        { parent },
    );
}

/**
 * The rule that publishes a failed run of a job to the alert topic (model/alerts.ts
 * jobFailurePattern), and its target. The topic's policy lets exactly these rules publish
 * (alertTopicPolicy), when fleet owns the topic.
 */
export function jobFailureRule(
    parent: pulumi.Resource,
    name: string,
    args: { readonly job: string; readonly clusterArn: pulumi.Input<string>; readonly family: string; readonly alerts: AlertRefs },
    tags?: Record<string, string>,
): aws.cloudwatch.EventRule {
    const rule = new aws.cloudwatch.EventRule(
        name,
        {
            description: `fleet ${args.alerts.stack}: a run of the ${args.job} job exited non-zero or did not start`,
            eventPattern: pulumi.output(args.clusterArn).apply((clusterArn) => JSON.stringify(jobFailurePattern(clusterArn, args.family))),
            tags,
        },
        { parent },
    );
    new aws.cloudwatch.EventTarget(name, { rule: rule.name, arn: args.alerts.topicArn }, { parent });
    return rule;
}

/**
 * The statements a key encrypting the alert topic needs: the account administers the key through
 * IAM, as AWS's default key policy says; CloudWatch (alarm actions) and EventBridge (rule targets)
 * may generate and decrypt the data keys an encrypted topic takes from its publishers (SNS
 * developer guide, "Enable compatibility between event sources from AWS services and encrypted
 * topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * No source conditions: EventBridge's request to KMS does not carry aws:SourceArn or
 * aws:SourceAccount, and a condition on a missing key drops every notification.
 */
export function alertKeyPolicy(ctx: AwsContext): pulumi.Output<string> {
    const publish = (service: string, sid: string) => ({
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: service },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
    });
    return pulumi.jsonStringify({
        Version: iamDocumentVersion,
        Statement: [
            {
                Sid: "AccountAdministersThroughIam",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            publish("cloudwatch.amazonaws.com", "AlarmsPublishToEncryptedTopic"),
            publish("events.amazonaws.com", "JobRulesPublishToEncryptedTopic"),
        ],
    });
}

/** The alert topic fleet creates, encrypted with the stack's key, and one email subscription per address. */
export function alertTopic(
    parent: pulumi.Resource,
    names: { readonly topic: string; readonly subscription: (address: string) => string },
    args: { readonly emails: readonly string[]; readonly keyArn: pulumi.Input<string>; readonly stack: string },
    tags?: Record<string, string>,
): aws.sns.Topic {
    const topic = new aws.sns.Topic(
        names.topic,
        { displayName: `fleet ${args.stack} alerts`, kmsMasterKeyId: args.keyArn, tags },
        { parent },
    );
    for (const address of args.emails) {
        // SNS mails the address a confirmation link; nothing is delivered before it is followed.
        new aws.sns.TopicSubscription(names.subscription(address), { topic: topic.arn, protocol: "email", endpoint: address }, { parent });
    }
    return topic;
}

/**
 * The topic's policy: CloudWatch may publish for the stack's account's alarms in its region, and
 * EventBridge for exactly the job rules given (SNS developer guide, "Amazon SNS access policy
 * examples": publishing from AWS services with aws:SourceArn and aws:SourceAccount). It replaces
 * SNS's default policy, which already admits the account's own principals through IAM.
 */
export function alertTopicPolicy(
    parent: pulumi.Resource,
    name: string,
    topic: aws.sns.Topic,
    ruleArns: readonly pulumi.Input<string>[],
    ctx: AwsContext,
): aws.sns.TopicPolicy {
    const statements: unknown[] = [
        {
            Sid: "AlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: {
                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${ctx.partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:*` },
                StringEquals: { "aws:SourceAccount": ctx.accountId },
            },
        },
    ];
    if (ruleArns.length > 0) {
        statements.push({
            Sid: "JobRulesPublish",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: { ArnEquals: { "aws:SourceArn": [...ruleArns] } },
        });
    }
    return new aws.sns.TopicPolicy(
        name,
        { arn: topic.arn, policy: pulumi.jsonStringify({ Version: iamDocumentVersion, Statement: statements }) },
        { parent },
    );
}
