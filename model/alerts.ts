/**
 * `fleet:alerts`: who is paged, and when. The schema (stack settings), the alarms it makes of a
 * service, a job and the load balancer as plain data (metric, namespace, statistic, threshold),
 * and the rule that a mandatory stack pages someone. Pure: infra/alerts.ts turns the data into
 * CloudWatch alarms and EventBridge rules.
 */
import { z } from "zod";
import { alarmPeriodSeconds } from "../facts/aws";
import { alertDefaults } from "../facts/fleet";
import type { StackSettings } from "./fleet";
import { fieldsObject, refuse, said, whenValid, wholeNumber } from "./schema";

/** An address SNS can mail: something, one @, a domain with a dot; no spaces. */
const emailPattern = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>.]+$/;
/**
 * A standard SNS topic's ARN (topic names: 1-256 of A-Za-z0-9 - _, SNS API CreateTopic). A FIFO
 * topic (`.fifo`) is refused: CloudWatch alarm actions and EventBridge do not publish to one
 * without a message group (CloudWatch user guide, "Using Amazon CloudWatch alarms": alarm
 * actions to "standard SNS topics").
 */
export const snsTopicArnPattern = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

const emailError = said(
    "stack/alerts-email-invalid",
    "is not an email address",
    "write an address such as oncall@example.com, or a list of them",
);
const email = z.string({ error: emailError }).trim().regex(emailPattern, { error: emailError });
const whole = (min: number, max: number, fix: string) => wholeNumber(min, max, fix);

/** `fleet:alerts`. */
export const alertsSchema = fieldsObject({
    /**
     * Address(es) subscribed to the topic fleet creates for the stack, encrypted with the stack's KMS key. SNS mails
     * each a confirmation link first: nothing is delivered to an address until it is confirmed. @default none
     */
    email: z.union([email, z.array(email, { error: emailError }).min(1, { error: emailError })], { error: emailError }).optional(),
    /**
     * An SNS topic of your own (a standard topic in the stack's region) to publish to instead: fleet creates no topic
     * then, and the topic's policy (and its KMS key's, when encrypted) must let `cloudwatch.amazonaws.com` and
     * `events.amazonaws.com` publish (docs/ops.md). @default none
     */
    topicArn: z
        .string({ error: said("not-a-string", "must be an SNS topic ARN", "write arn:aws:sns:<region>:<account>:<topic>") })
        .regex(snsTopicArnPattern, {
            error: said(
                "stack/alerts-topic-arn-invalid",
                (value) =>
                    String(value).endsWith(".fifo")
                        ? "is a FIFO topic, which CloudWatch alarms and EventBridge do not publish to"
                        : "is not an SNS topic ARN",
                "use the ARN of a standard topic, arn:aws:sns:<region>:<account>:<topic>",
            ),
        })
        .optional(),
    /**
     * 5xx responses a minute that page: from a routed service's targets (HTTPCode_Target_5XX_Count), or from the load
     * balancer itself (HTTPCode_ELB_5XX_Count). @default 10
     */
    errorsPerMinute: whole(1, 1_000_000, "use a whole number of responses a minute, e.g. 10").default(alertDefaults.errorsPerMinute),
    /** Unhealthy targets of a routed service that page (UnHealthyHostCount). @default 1 */
    unhealthyTargets: whole(1, 1000, "use a whole number of targets, e.g. 1").default(alertDefaults.unhealthyTargets),
    /**
     * Minutes the oldest message of a worker's queue (the one it scales on) may wait before it pages
     * (ApproximateAgeOfOldestMessage). At most 14 days, SQS's longest retention. @default 10
     */
    queueAgeMinutes: whole(1, 20_160, "use a whole number of minutes up to 20160 (14 days)").default(alertDefaults.queueAgeMinutes),
    /**
     * Minutes running a metric must breach before its alarm fires (each alarm's evaluation periods, one minute each;
     * CloudWatch evaluates minute periods over one day at most). @default 3
     */
    evaluationMinutes: whole(1, 1440, "use a whole number of minutes from 1 to 1440").default(alertDefaults.evaluationMinutes),
}).superRefine((alerts, ctx) => {
    if (alerts.email === undefined && alerts.topicArn === undefined) {
        refuse(
            ctx,
            "stack/alerts-no-destination",
            [],
            alerts,
            "names no one to page",
            "set email (fleet creates the topic) or topicArn (a topic of yours)",
        );
    } else if (alerts.email !== undefined && alerts.topicArn !== undefined) {
        refuse(
            ctx,
            "stack/alerts-email-and-topic",
            ["email"],
            alerts.email,
            "is set beside topicArn: fleet subscribes addresses only to the topic it creates, and would leave yours alone",
            "subscribe the addresses to your topic yourself and remove email, or remove topicArn to let fleet create the topic",
        );
    }
}, whenValid);

/** `fleet:alerts` as the program uses it. */
export interface AlertSettings {
    /** Addresses subscribed to the topic fleet creates, in order, each once; empty with `topicArn`. */
    readonly emails: readonly string[];
    /** A topic of the user's: fleet creates none. */
    readonly topicArn?: string;
    readonly errorsPerMinute: number;
    readonly unhealthyTargets: number;
    readonly queueAgeMinutes: number;
    readonly evaluationMinutes: number;
}

export function alertSettings(parsed: z.output<typeof alertsSchema>): AlertSettings {
    const emails = parsed.email === undefined ? [] : typeof parsed.email === "string" ? [parsed.email] : parsed.email;
    const { email: _email, ...rest } = parsed;
    return { ...rest, emails: [...new Set(emails)] };
}

/**
 * A mandatory stack that pages no one (FLEET.alerts): no `fleet:alerts`, and no waiver of the
 * control for the platform. The offline plan and a preview warn; an update refuses it.
 */
export function pagesNoOne(settings: Pick<StackSettings, "alerts" | "policy">): boolean {
    return (
        settings.policy.enforcement === "mandatory" && settings.alerts === undefined && !settings.policy.waivers.platform?.["FLEET.alerts"]
    );
}

/** The sentence of the plan's warning, and of an update's refusal. */
export function pagesNoOneMessage(stack: string): string {
    return (
        `stack ${stack} is mandatory (fleet:policy.enforcement) and pages no one (FLEET.alerts): set fleet:alerts ` +
        `{ email: <address> } in Pulumi.${stack}.yaml, or waive FLEET.alerts for platform in fleet:policy.waivers; ` +
        "pulumi up refuses it until then"
    );
}

/** What a CloudWatch alarm watches and when it fires, without the resources it names (infra/alerts.ts adds those). */
export interface AlarmSpec {
    /** Its logical name's suffix, and what it is about: `5xx`, `unhealthy`, `queue-age`, `dlq`, `alb-5xx`. */
    readonly key: "5xx" | "unhealthy" | "queue-age" | "dlq" | "alb-5xx";
    readonly namespace: "AWS/ApplicationELB" | "AWS/SQS";
    readonly metricName: string;
    readonly statistic: "Sum" | "Maximum";
    readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
    readonly threshold: number;
    readonly period: number;
    readonly evaluationPeriods: number;
    /** What it means in words, after the subject: "answered 10 or more 5xx a minute for 3 minutes". */
    readonly says: string;
}

const minutes = (n: number) => `${n} minute${n === 1 ? "" : "s"}`;

/** A routed service's alarms: its targets' 5xx and unhealthy targets. */
export function routedServiceAlarms(alerts: AlertSettings): AlarmSpec[] {
    const over = { period: alarmPeriodSeconds, evaluationPeriods: alerts.evaluationMinutes } as const;
    return [
        {
            key: "5xx",
            namespace: "AWS/ApplicationELB",
            metricName: "HTTPCode_Target_5XX_Count",
            statistic: "Sum",
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: alerts.errorsPerMinute,
            ...over,
            says: `answered ${alerts.errorsPerMinute} or more 5xx a minute for ${minutes(alerts.evaluationMinutes)}`,
        },
        {
            key: "unhealthy",
            namespace: "AWS/ApplicationELB",
            metricName: "UnHealthyHostCount",
            statistic: "Maximum",
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: alerts.unhealthyTargets,
            ...over,
            says: `had ${alerts.unhealthyTargets} or more unhealthy targets for ${minutes(alerts.evaluationMinutes)}`,
        },
    ];
}

/** A worker's alarm on the queue it scales on: its oldest message too old. */
export function queueAgeAlarm(alerts: AlertSettings): AlarmSpec {
    return {
        key: "queue-age",
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        statistic: "Maximum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: alerts.queueAgeMinutes * 60,
        period: alarmPeriodSeconds,
        evaluationPeriods: alerts.evaluationMinutes,
        says: `left a message waiting ${minutes(alerts.queueAgeMinutes)} or more for ${minutes(alerts.evaluationMinutes)}`,
    };
}

/** A job's dead-letter queue holding any message: a run the scheduler could not start. */
export function deadLetterAlarm(): AlarmSpec {
    return {
        key: "dlq",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        period: alarmPeriodSeconds,
        evaluationPeriods: 1,
        says: "has a run the scheduler could not start in its dead-letter queue",
    };
}

/** The load balancer's own 5xx (no healthy target, a target that closed the connection, a timeout). */
export function loadBalancerAlarm(alerts: AlertSettings): AlarmSpec {
    return {
        key: "alb-5xx",
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_ELB_5XX_Count",
        statistic: "Sum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: alerts.errorsPerMinute,
        period: alarmPeriodSeconds,
        evaluationPeriods: alerts.evaluationMinutes,
        says: `answered ${alerts.errorsPerMinute} or more 5xx of its own a minute for ${minutes(alerts.evaluationMinutes)}`,
    };
}

/**
 * The EventBridge pattern of a job run that failed: an ECS task of the job's family, started by
 * its schedule (the task group RunTask gives by default, `family:<family>`, which `ops run` does
 * not use), in the stack's cluster, STOPPED with a container that exited non-zero or that never
 * started (stopCode TaskFailedToStart: an image that cannot be pulled, a secret that cannot be
 * read). EventBridge matches a field inside an array of objects (`containers[].exitCode`) when any
 * element matches; `anything-but` takes a number (EventBridge user guide, "Content filtering in
 * event patterns"); the event is ECS's "Task State Change" (ECS developer guide, "Amazon ECS task
 * state change events").
 */
export function jobFailurePattern(clusterArn: string, family: string): Record<string, unknown> {
    return {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
            clusterArn: [clusterArn],
            group: [`family:${family}`],
            lastStatus: ["STOPPED"],
            $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
        },
    };
}
