/**
 * `fleet:alerts` under Pulumi mocks: the topic (encrypted with the stack's key, whose policy admits
 * CloudWatch and EventBridge) and its email subscriptions, or the stack's own topic; exact alarms
 * (metric, namespace, dimensions, statistic, threshold, periods, actions) on a routed service, a
 * queue worker, a job's dead-letter queue and the load balancer; the EventBridge rule of a failed
 * job run and the topic policy that lets exactly it publish; the deployment alarms that roll a
 * service back; nothing of it without alerts. Then FLEET.alerts, the plan's warning on a mandatory
 * stack that pages no one, and the mocks refusing what CloudWatch and EventBridge refuse.
 */
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { deployFleet } from "../infra/deploy";
import { Catalog } from "../model/catalog";
import { resolveFleet } from "../model/resolve";
import { RecordedResource, installMocks } from "../plan/mocks";
import {
    checkText,
    ecsClusterExecBreaches,
    ecsServiceAlarmBreaches,
    eventRuleBreaches,
    eventRuleName,
    eventTargetBreaches,
    metricAlarmBreaches,
    snsTopicName,
} from "../plan/awsRules";
import { evaluate } from "../policy/rules";
import { account, policyOf, region, Registered } from "./harness";
import { fleetInput } from "./support/fleetInput";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });

const memory = { reservation: 64, limit: 128 };
const catalog: Catalog = {
    web: { image: "nginx:1.27", port: 8080, routes: [{ host: "www" }], memory },
    worker: {
        image: "busybox:1.36",
        memory,
        scaling: { min: 1, max: 4, queue: { name: "orders", backlogPerTask: 10 } },
        access: { sqs: { orders: "consume" } },
    },
    nightly: { image: "busybox:1.36", memory, schedule: "cron(0 2 * * ? *)" },
};
const base = { domain: "acme.io", network: { natGateways: "single" }, cluster: { defaultCapacity: "fargate" } };

/** The fleet of stack `stack`, every problem failing the test. */
function fleetOf(stack: string, config: Record<string, unknown>) {
    const result = resolveFleet(catalog, fleetInput({ ...base, ...config }, { stack, region }));
    if (!result.ok) assert.fail(result.errors.join("\n"));
    return result.fleet;
}

// Three stacks in one program: fleet's own topic, the user's topic, no alerts at all.
const emailed = fleetOf("mail", { alerts: { email: ["oncall@acme.io", "ops@acme.io", "oncall@acme.io"], errorsPerMinute: 20 } });
const ownTopic = `arn:aws:sns:${region}:${account}:oncall`;
const topical = fleetOf("topic", { alerts: { topicArn: ownTopic, evaluationMinutes: 5, queueAgeMinutes: 30 } });
const quiet = fleetOf("quiet", {});
for (const fleet of [emailed, topical, quiet]) deployFleet(fleet, { configSecrets: {} });

let registered: Registered;
before(async () => {
    registered = await settled(runtime);
});

const alarmType = "aws:cloudwatch/metricAlarm:MetricAlarm";
/** The resources under a stack's components (its platform `fleet-<stack>` and its entries' tags). */
const ofStack = (stack: string, type: string) =>
    registered.all(type).filter((r) => (r.inputs.tags as Record<string, string> | undefined)?.["fleet:stack"] === stack);
const inStack = (stack: string, type: string, name: string): RecordedResource => {
    const found = registered.all(type).filter((r) => r.name === name && r.urn.includes(`fleet-${stack}`) === false);
    // Services and jobs are not under the platform: find them by their tags.
    const tagged = ofStack(stack, type).filter((r) => r.name === name);
    const matches = tagged.length > 0 ? tagged : found;
    assert.equal(matches.length, 1, `${stack}: expected one ${type} ${name}, found ${matches.length}`);
    return matches[0];
};
const alarmOf = (stack: string, name: string) => {
    const alarm = inStack(stack, alarmType, name);
    const { tags: _tags, ...inputs } = alarm.inputs;
    return inputs;
};

describe("fleet:alerts with email: the stack's own topic", () => {
    const topicOf = () => `arn:aws:sns:${region}:${account}:${physical("aws:sns/topic:Topic", "fleet-mail-alerts")}`;
    const physical = (type: string, name: string) => `${name}-${hashOf(type, name)}`;
    // The mocks' auto-name suffix, read back from a registered resource that references it.
    const hashOf = (type: string, name: string) => {
        const subscription = registered.all("aws:sns/topicSubscription:TopicSubscription")[0];
        return String(subscription.inputs.topic).split(`${name}-`).pop()!;
    };

    it("is encrypted with the stack's key, whose policy lets CloudWatch and EventBridge publish to it", () => {
        const key = inStack("mail", "aws:kms/key:Key", "fleet-mail-secrets");
        const topic = inStack("mail", "aws:sns/topic:Topic", "fleet-mail-alerts");
        assert.deepEqual(topic.inputs, {
            displayName: "fleet mail alerts",
            kmsMasterKeyId: `arn:aws:kms:${region}:${account}:key/${String(topic.inputs.kmsMasterKeyId).split("/").pop()}`,
            tags: { "fleet:project": "fleet", "fleet:stack": "mail" },
        });
        assert.ok(String(topic.inputs.kmsMasterKeyId).startsWith(`arn:aws:kms:${region}:${account}:key/`));
        assert.deepEqual(policyOf(key), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AccountAdministersThroughIam",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${account}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Sid: "AlarmsPublishToEncryptedTopic",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                },
                {
                    Sid: "JobRulesPublishToEncryptedTopic",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                },
            ],
        });
    });

    it("subscribes each address once, by email", () => {
        const subscriptions = registered
            .all("aws:sns/topicSubscription:TopicSubscription")
            .map((s) => [s.name, s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]);
        assert.deepEqual(subscriptions, [
            ["fleet-mail-alerts-oncall@acme.io", "email", "oncall@acme.io", topicOf()],
            ["fleet-mail-alerts-ops@acme.io", "email", "ops@acme.io", topicOf()],
        ]);
    });

    it("pages on a routed service's target 5xx and unhealthy targets, and rolls its deployments back on them", () => {
        const errors = alarmOf("mail", "web-alarm-5xx");
        const dimensions = errors.dimensions as Record<string, string>;
        assert.match(dimensions.TargetGroup, /^targetgroup\/web-tg-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        assert.match(dimensions.LoadBalancer, /^app\/fleet-mail-alb-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        assert.deepEqual(errors, {
            alarmDescription: "fleet mail: web's targets answered 20 or more 5xx a minute for 3 minutes",
            namespace: "AWS/ApplicationELB",
            metricName: "HTTPCode_Target_5XX_Count",
            dimensions,
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            threshold: 20,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topicOf()],
            okActions: [topicOf()],
        });
        assert.deepEqual(alarmOf("mail", "web-alarm-unhealthy"), {
            alarmDescription: "fleet mail: web had 1 or more unhealthy targets for 3 minutes",
            namespace: "AWS/ApplicationELB",
            metricName: "UnHealthyHostCount",
            dimensions,
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topicOf()],
            okActions: [topicOf()],
        });
        const service = inStack("mail", "aws:ecs/service:Service", "web");
        const names = (service.inputs.alarms as { alarmNames: string[] }).alarmNames;
        assert.deepEqual(service.inputs.alarms, { alarmNames: names, enable: true, rollback: true });
        assert.deepEqual(
            names.map((n) => n.replace(/-[0-9a-f]{7}$/, "")),
            ["web-alarm-5xx", "web-alarm-unhealthy"],
        );
        assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
    });

    it("pages on a queue worker's oldest message, and rolls the worker back on it", () => {
        assert.deepEqual(alarmOf("mail", "worker-alarm-queue-age"), {
            alarmDescription: "fleet mail: worker's queue orders left a message waiting 10 minutes or more for 3 minutes",
            namespace: "AWS/SQS",
            metricName: "ApproximateAgeOfOldestMessage",
            dimensions: { QueueName: "orders" },
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            threshold: 600,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topicOf()],
            okActions: [topicOf()],
        });
        const alarms = inStack("mail", "aws:ecs/service:Service", "worker").inputs.alarms as { alarmNames: string[] };
        assert.deepEqual(
            alarms.alarmNames.map((n) => n.replace(/-[0-9a-f]{7}$/, "")),
            ["worker-alarm-queue-age"],
        );
    });

    it("pages on the load balancer's own 5xx", () => {
        const alarm = alarmOf("mail", "fleet-mail-alarm-alb-5xx");
        assert.match(String((alarm.dimensions as Record<string, string>).LoadBalancer), /^app\/fleet-mail-alb-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        assert.deepEqual(
            { ...alarm, dimensions: undefined },
            {
                alarmDescription: "fleet mail: the load balancer answered 20 or more 5xx of its own a minute for 3 minutes",
                namespace: "AWS/ApplicationELB",
                metricName: "HTTPCode_ELB_5XX_Count",
                dimensions: undefined,
                statistic: "Sum",
                period: 60,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                threshold: 20,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [topicOf()],
                okActions: [topicOf()],
            },
        );
    });

    it("pages on a job's dead-letter queue holding a run, and on a run that exits non-zero or does not start", () => {
        const dlq = alarmOf("mail", "nightly-alarm-dlq");
        assert.match(String((dlq.dimensions as Record<string, string>).QueueName), /^nightly-dlq-[0-9a-f]{7}$/);
        assert.deepEqual(
            { ...dlq, dimensions: undefined },
            {
                alarmDescription: "fleet mail: job nightly has a run the scheduler could not start in its dead-letter queue",
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: undefined,
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [topicOf()],
                okActions: [topicOf()],
            },
        );
        const rule = inStack("mail", "aws:cloudwatch/eventRule:EventRule", "nightly-failed");
        assert.equal(rule.inputs.description, "fleet mail: a run of the nightly job exited non-zero or did not start");
        const cluster = ofStack("mail", "aws:ecs/cluster:Cluster")[0];
        assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), {
            source: ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            detail: {
                clusterArn: [`arn:aws:ecs:${region}:${account}:cluster/${cluster.name}-${clusterSuffix(cluster)}`],
                group: ["family:fleet-mail-nightly"],
                lastStatus: ["STOPPED"],
                $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
            },
        });
        const target = registered
            .all("aws:cloudwatch/eventTarget:EventTarget")
            .find((t) => t.name === "nightly-failed" && t.inputs.arn === topicOf());
        assert.ok(target, "the rule targets the alert topic");
        assert.match(String(target.inputs.rule), /^nightly-failed-[0-9a-f]{7}$/);
    });

    it("lets CloudWatch publish for the account's alarms and EventBridge for exactly the job's rule", () => {
        const policy = registered.one("aws:sns/topicPolicy:TopicPolicy", "fleet-mail-alerts");
        const rule = `arn:aws:events:${region}:${account}:rule/${String(
            registered.all("aws:cloudwatch/eventTarget:EventTarget").find((t) => t.inputs.arn === topicOf())!.inputs.rule,
        )}`;
        assert.equal(policy.inputs.arn, topicOf());
        assert.deepEqual(policyOf(policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AlarmsPublish",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: "sns:Publish",
                    Resource: topicOf(),
                    Condition: {
                        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${region}:${account}:alarm:*` },
                        StringEquals: { "aws:SourceAccount": account },
                    },
                },
                {
                    Sid: "JobRulesPublish",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: "sns:Publish",
                    Resource: topicOf(),
                    Condition: { ArnEquals: { "aws:SourceArn": [rule] } },
                },
            ],
        });
    });
});

/** The cluster's auto-name suffix (the mocks derive it from the type and logical name). */
function clusterSuffix(cluster: RecordedResource): string {
    const service = registered.all("aws:ecs/service:Service").find((s) => String(s.inputs.cluster).includes(`cluster/${cluster.name}-`))!;
    return String(service.inputs.cluster).split(`cluster/${cluster.name}-`).pop()!;
}

describe("fleet:alerts with a topic of the user's", () => {
    it("publishes every alarm and rule to it, creates no topic, and leaves its policy and the key's alone", () => {
        assert.equal(registered.has("aws:sns/topic:Topic", "fleet-topic-alerts"), false);
        assert.equal(registered.has("aws:sns/topicPolicy:TopicPolicy", "fleet-topic-alerts"), false);
        assert.equal(inStack("topic", "aws:kms/key:Key", "fleet-topic-secrets").inputs.policy, undefined);
        const alarms = ofStack("topic", alarmType);
        assert.deepEqual(alarms.map((a) => a.name).sort(), [
            "fleet-topic-alarm-alb-5xx",
            "nightly-alarm-dlq",
            "web-alarm-5xx",
            "web-alarm-unhealthy",
            "worker-alarm-queue-age",
        ]);
        for (const alarm of alarms) {
            assert.deepEqual([alarm.inputs.alarmActions, alarm.inputs.okActions], [[ownTopic], [ownTopic]], alarm.name);
            assert.equal(alarm.inputs.evaluationPeriods, alarm.name.endsWith("dlq") ? 1 : 5, alarm.name);
        }
        assert.equal(alarmOf("topic", "worker-alarm-queue-age").threshold, 1800);
        const targets = registered.all("aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.inputs.arn === ownTopic);
        assert.equal(targets.length, 1);
    });
});

describe("without fleet:alerts", () => {
    it("registers no topic, alarm or rule, and leaves the ECS services and the key as they were", () => {
        assert.deepEqual(ofStack("quiet", alarmType), []);
        assert.deepEqual(ofStack("quiet", "aws:cloudwatch/eventRule:EventRule"), []);
        for (const service of ofStack("quiet", "aws:ecs/service:Service")) {
            assert.equal("alarms" in service.inputs, false, service.name);
            assert.equal("enableExecuteCommand" in service.inputs, false, service.name);
        }
        assert.equal("policy" in inStack("quiet", "aws:kms/key:Key", "fleet-quiet-secrets").inputs, false);
    });
});

describe("FLEET.alerts", () => {
    const violations = (resources: readonly RecordedResource[]) =>
        evaluate(resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent })))
            .violations.filter((v) => v.control === "FLEET.alerts")
            .map((v) => v.message);

    it("passes what fleet:alerts registers, and names a routed service that would not roll back on its alarms", () => {
        const all = [...ofStack("mail", alarmType), ...ofStack("mail", "aws:ecs/service:Service")];
        assert.deepEqual(violations(all), []);
        const withoutRollback = all.map((r) =>
            r.type === "aws:ecs/service:Service" && r.name === "web" ? { ...r, inputs: { ...r.inputs, alarms: undefined } } : r,
        );
        assert.deepEqual(violations(withoutRollback), [
            "[FLEET.alerts] aws:ecs/service:Service web (service web): does not roll a deployment back when its alarms fire. " +
                "Fix: set alarms { alarmNames: [its 5xx and unhealthy-target alarms], enable: true, rollback: true }, as fleet:alerts " +
                "does, or waive FLEET.alerts for web with a reason in fleet:policy.waivers.",
        ]);
        const silent = all.map((r) => (r.name === "web-alarm-5xx" ? { ...r, inputs: { ...r.inputs, alarmActions: [] } } : r));
        assert.deepEqual(violations(silent), [
            "[FLEET.alerts] aws:cloudwatch/metricAlarm:MetricAlarm web-alarm-5xx (service web): notifies no one when it fires. " +
                "Fix: publish it to the stack's alert topic (alarmActions), as fleet:alerts does, or waive FLEET.alerts for web " +
                "with a reason in fleet:policy.waivers.",
        ]);
    });

    it("a mandatory stack without alerts is a warning of the plan (an update refuses it); advisory, alerted or waived is not", () => {
        const warning =
            "stack quiet is mandatory (fleet:policy.enforcement) and pages no one (FLEET.alerts): set fleet:alerts " +
            "{ email: <address> } in Pulumi.quiet.yaml, or waive FLEET.alerts for platform in fleet:policy.waivers; " +
            "pulumi up refuses it until then";
        assert.deepEqual(quiet.warnings, [warning]);
        assert.deepEqual(fleetOf("quiet", { policy: { enforcement: "advisory" } }).warnings, []);
        assert.deepEqual(emailed.warnings, []);
        assert.deepEqual(
            fleetOf("quiet", { policy: { waivers: { platform: { "FLEET.alerts": "paged by the company's own monitoring" } } } }).warnings,
            [],
        );
    });
});

describe("the mocks refuse what CloudWatch, EventBridge and SNS refuse", () => {
    const context = { region, accountId: account };

    it("an alarm period, evaluation range, datapoints or actions CloudWatch does not take", () => {
        const alarm = {
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
        };
        assert.deepEqual(metricAlarmBreaches(alarm, region), []);
        const source =
            "CloudWatch API PutMetricAlarm, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html";
        assert.deepEqual(metricAlarmBreaches({ ...alarm, period: 45 }, region), [
            { problem: "period 45 is not 10, 20, 30 or a multiple of 60 seconds", source },
        ]);
        assert.deepEqual(metricAlarmBreaches({ ...alarm, evaluationPeriods: 1441, datapointsToAlarm: 1 }, region), [
            { problem: "period × evaluationPeriods is 86460 s, above 86400 s for a period of 60 s", source },
        ]);
        assert.deepEqual(metricAlarmBreaches({ ...alarm, datapointsToAlarm: 4 }, region), [
            { problem: "datapointsToAlarm 4 is not from 1 to evaluationPeriods (3)", source },
        ]);
        assert.deepEqual(metricAlarmBreaches({ ...alarm, statistic: "p99" }, region), [
            { problem: 'statistic "p99" is not one of SampleCount, Average, Sum, Minimum, Maximum', source },
        ]);
        assert.deepEqual(metricAlarmBreaches({ ...alarm, alarmActions: ["arn:aws:sns:us-east-1:123456789012:oncall"] }, region), [
            {
                problem: `alarmActions names arn:aws:sns:us-east-1:123456789012:oncall, in us-east-1, not the alarm's region ${region}`,
                source,
            },
        ]);
    });

    it("an event pattern EventBridge does not take, and a target in another region", () => {
        const source =
            "EventBridge user guide, Creating event patterns and Content filtering in event patterns, " +
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html";
        assert.deepEqual(eventRuleBreaches({ eventPattern: JSON.stringify({ source: "aws.ecs" }) }), [
            { problem: 'event pattern: source is "aws.ecs", not a list: EventBridge matches a field against a list of values', source },
        ]);
        assert.deepEqual(eventRuleBreaches({ eventPattern: JSON.stringify({ detail: { $or: [{ a: ["b"] }] } }) }), [
            { problem: "event pattern: detail.$or is not a list of two or more patterns", source },
        ]);
        assert.deepEqual(eventRuleBreaches({ eventPattern: JSON.stringify({ detail: { exitCode: [{ "not-equal": 0 }] } }) }), [
            {
                problem:
                    'event pattern: detail.exitCode has a filter {"not-equal":0} that is not one of prefix, suffix, anything-but, ' +
                    "numeric, exists, cidr, equals-ignore-case, wildcard",
                source,
            },
        ]);
        assert.equal(
            eventRuleBreaches({ eventPattern: JSON.stringify({ source: ["x".repeat(4100)] }) })[0].problem,
            "an event pattern of 4115 characters, above 4096",
        );
        assert.deepEqual(eventTargetBreaches({ arn: "arn:aws:sns:us-east-1:123456789012:oncall" }, region), [
            {
                problem: `targets arn:aws:sns:us-east-1:123456789012:oncall, in us-east-1, not the rule's region ${region}`,
                source: "AWS re:Post knowledge center, https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification",
            },
        ]);
    });

    it("names over EventBridge's and SNS's limits, empty deployment alarms, OVERRIDE logging without a log configuration", () => {
        assert.equal(checkText(eventRuleName, `${"a".repeat(58)}-failed`, context), "is 65 characters; EventBridge allows at most 64");
        assert.equal(checkText(eventRuleName, "nightly/failed", context), 'has characters EventBridge refuses ("/")');
        assert.equal(checkText(snsTopicName, "fleet.dev-alerts", context), "is not of the form SNS requires");
        assert.deepEqual(ecsServiceAlarmBreaches({ alarms: { alarmNames: [], enable: true, rollback: true } }), [
            {
                problem: "alarms.alarmNames is empty",
                source: "ECS API DeploymentAlarms, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html",
            },
        ]);
        assert.deepEqual(ecsClusterExecBreaches({ configuration: { executeCommandConfiguration: { logging: "OVERRIDE" } } }), [
            {
                problem: "executeCommandConfiguration.logging OVERRIDE without a logConfiguration",
                source:
                    "ECS API ExecuteCommandConfiguration, " +
                    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html",
            },
        ]);
    });

    it("and a registration breaking them fails the program, as a deploy would", async () => {
        const { FleetMocks } = await import("../plan/mocks");
        const mocks = new FleetMocks(region);
        assert.throws(
            () =>
                mocks.newResource({
                    type: alarmType,
                    name: "bad",
                    inputs: { period: 90, evaluationPeriods: 1 },
                    custom: true,
                } as never),
            /fleet mocks: aws:cloudwatch\/metricAlarm:MetricAlarm "bad": period 90 is not 10, 20, 30 or a multiple of 60 seconds/,
        );
    });
});
