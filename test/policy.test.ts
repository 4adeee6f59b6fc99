/**
 * fleet's policy rules: for every control, the prod plan passes, and one change to it fails with
 * the exact message. Runs the program in-process (one Pulumi runtime per test file) over the
 * tests' own fleet: the fixture catalog with the fixture prod-like stack file.
 */
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { controlIds, controlInfos } from "../facts/controls";
import { evaluate, ResourceView } from "../policy/rules";
import { fixtureCatalog, fixtureRoot } from "./support/fixtures";
import { planAt, planProgram } from "./support/planCli";

let base: ResourceView[];
before(async () => {
    const plan = await planAt("the fixture fleet", fixtureRoot, "prod", undefined, fixtureCatalog());
    base = plan.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent }));
});

/** A copy of the prod resources with one resource's props changed. */
function withChange(type: string, name: string, change: (props: Record<string, any>) => Record<string, any>): ResourceView[] {
    let found = false;
    const changed = base.map((r) => {
        if (r.type !== type || r.name !== name) return r;
        found = true;
        return { ...r, props: change(structuredClone(r.props)) };
    });
    assert.ok(found, `${type} ${name} is in the prod plan`);
    return changed;
}

/** The prod resources with a task-role policy added to a service (its component's child, as infra/service.ts registers it). */
function withTaskPolicy(service: string, statements: object[]): ResourceView[] {
    const component = base.find((r) => r.type === "fleet:ecs:Service" && r.name === service)!;
    const urn = `${component.urn.replace(/::[^:]+$/, "")}$aws:iam/rolePolicy:RolePolicy::${service}-task`;
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    return [...base, { urn, type: "aws:iam/rolePolicy:RolePolicy", name: `${service}-task`, props: { policy }, parentUrn: component.urn }];
}

/** Changes the first container of a task definition. */
function withContainer(name: string, change: (container: Record<string, any>) => void): ResourceView[] {
    return withChange("aws:ecs/taskDefinition:TaskDefinition", `${name}-taskdef`, (props) => {
        const containers = JSON.parse(props.containerDefinitions);
        change(containers[0]);
        return { ...props, containerDefinitions: JSON.stringify(containers) };
    });
}

function messagesFor(resources: ResourceView[], control: string): string[] {
    return evaluate(resources)
        .violations.filter((v) => v.control === control)
        .map((v) => v.message);
}

const waive = (control: string, scope: string) => `or waive ${control} for ${scope} with a reason in fleet:policy.waivers.`;

/** [control, the change, the exact message]. */
const cases: [string, () => ResourceView[], string][] = [
    [
        "ECS.2/ECS.16",
        () =>
            withChange("aws:ecs/service:Service", "docs", (p) => ({
                ...p,
                networkConfiguration: { ...p.networkConfiguration, assignPublicIp: true },
            })),
        `[ECS.2/ECS.16] aws:ecs/service:Service docs (service docs): assigns ` +
            `public IP addresses to its tasks. Fix: set assignPublicIp false and ` +
            `run tasks in private subnets behind ` +
            `NAT, ${waive("ECS.2/ECS.16", "docs")}`,
    ],
    [
        "ECS.4",
        () => withContainer("web", (c) => (c.privileged = true)),
        `[ECS.4] aws:ecs/taskDefinition:TaskDefinition web-taskdef (service ` +
            `web): container web runs privileged. Fix: remove optOut.privileged ` +
            `from the catalog entry, ${waive("ECS.4", "web")}`,
    ],
    [
        "ECS.5",
        () => withContainer("web", (c) => (c.readonlyRootFilesystem = false)),
        `[ECS.5] aws:ecs/taskDefinition:TaskDefinition web-taskdef (service ` +
            `web): container web has a writable root filesystem. Fix: remove ` +
            `optOut.readonlyRootFilesystem; write to /tmp (a tmpfs) ` +
            `instead, ${waive("ECS.5", "web")}`,
    ],
    [
        "ECS.8",
        () => withContainer("api", (c) => c.environment.push({ name: "AWS_SECRET_ACCESS_KEY", value: "wJalrXUtnFEMI-example" })),
        `[ECS.8] aws:ecs/taskDefinition:TaskDefinition api-taskdef (service ` +
            `api): container api passes AWS_SECRET_ACCESS_KEY in its plain ` +
            `environment. Fix: move AWS_SECRET_ACCESS_KEY from env to secrets in ` +
            `the catalog (SSM, by reference), ${waive("ECS.8", "api")}`,
    ],
    [
        "ECS.9",
        () => withContainer("api", (c) => delete c.logConfiguration),
        `[ECS.9] aws:ecs/taskDefinition:TaskDefinition api-taskdef (service ` +
            `api): container api has no log configuration. Fix: configure the ` +
            `awslogs driver, ${waive("ECS.9", "api")}`,
    ],
    [
        "ECS.12",
        () =>
            withChange("aws:ecs/cluster:Cluster", "fleet-prod", (p) => ({
                ...p,
                settings: [{ name: "containerInsights", value: "disabled" }],
            })),
        `[ECS.12] aws:ecs/cluster:Cluster fleet-prod: does not enable ` +
            `Container Insights. Fix: set fleet:cluster.containerInsights to ` +
            `enabled or enhanced, ${waive("ECS.12", "platform")}`,
    ],
    [
        "ECS.20",
        () => withContainer("status", (c) => (c.user = "0")),
        `[ECS.20] aws:ecs/taskDefinition:TaskDefinition status-taskdef ` +
            `(service status): container status runs as 0. Fix: set user to the ` +
            `image's unprivileged uid and remove ` +
            `optOut.nonRootUser, ${waive("ECS.20", "status")}`,
    ],
    [
        "ELB.1",
        () =>
            withChange("aws:lb/listener:Listener", "fleet-prod-alb-http", (p) => ({
                ...p,
                defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "text/plain" } }],
            })),
        `[ELB.1] aws:lb/listener:Listener fleet-prod-alb-http: serves plain ` +
            `HTTP instead of redirecting to HTTPS. Fix: set ` +
            `fleet:loadBalancer.certificateArn (HTTPS, with HTTP ` +
            `redirected), ${waive("ELB.1", "platform")}`,
    ],
    [
        "ELB.4",
        () => withChange("aws:lb/loadBalancer:LoadBalancer", "fleet-prod-alb", (p) => ({ ...p, dropInvalidHeaderFields: false })),
        `[ELB.4] aws:lb/loadBalancer:LoadBalancer fleet-prod-alb: keeps ` +
            `invalid HTTP header fields. Fix: set dropInvalidHeaderFields ` +
            `true, ${waive("ELB.4", "platform")}`,
    ],
    [
        "ELB.5",
        () => withChange("aws:lb/loadBalancer:LoadBalancer", "fleet-prod-alb", (p) => ({ ...p, accessLogs: undefined })),
        `[ELB.5] aws:lb/loadBalancer:LoadBalancer fleet-prod-alb: writes no ` +
            `access logs. Fix: set ` +
            `fleet:loadBalancer.accessLogs.bucket, ${waive("ELB.5", "platform")}`,
    ],
    [
        "ELB.6",
        () => withChange("aws:lb/loadBalancer:LoadBalancer", "fleet-prod-alb", (p) => ({ ...p, enableDeletionProtection: false })),
        `[ELB.6] aws:lb/loadBalancer:LoadBalancer fleet-prod-alb: has no ` +
            `deletion protection. Fix: set fleet:loadBalancer.deletionProtection ` +
            `true, ${waive("ELB.6", "platform")}`,
    ],
    [
        "ELB.12",
        () => withChange("aws:lb/loadBalancer:LoadBalancer", "fleet-prod-alb", (p) => ({ ...p, desyncMitigationMode: "monitor" })),
        `[ELB.12] aws:lb/loadBalancer:LoadBalancer fleet-prod-alb: uses desync ` +
            `mitigation mode monitor. Fix: use defensive or ` +
            `strictest, ${waive("ELB.12", "platform")}`,
    ],
    [
        "ELB.13",
        () => withChange("aws:lb/loadBalancer:LoadBalancer", "fleet-prod-alb", (p) => ({ ...p, subnets: p.subnets.slice(0, 1) })),
        `[ELB.13] aws:lb/loadBalancer:LoadBalancer fleet-prod-alb: spans 1 ` +
            `subnet(s). Fix: place the load balancer in public subnets of at least ` +
            `2 availability zones, ${waive("ELB.13", "platform")}`,
    ],
    [
        "ELB.17",
        () => withChange("aws:lb/listener:Listener", "fleet-prod-alb-https", (p) => ({ ...p, sslPolicy: "ELBSecurityPolicy-2016-08" })),
        `[ELB.17] aws:lb/listener:Listener fleet-prod-alb-https: uses security ` +
            `policy ELBSecurityPolicy-2016-08. Fix: use ` +
            `ELBSecurityPolicy-TLS13-1-2-2021-06 or a stricter TLS 1.3 ` +
            `policy, ${waive("ELB.17", "platform")}`,
    ],
    [
        "ECR.1",
        () => withChange("aws:ecr/repository:Repository", "api-repo", (p) => ({ ...p, imageScanningConfiguration: { scanOnPush: false } })),
        `[ECR.1] aws:ecr/repository:Repository api-repo (service api): does ` +
            `not scan images on push. Fix: set ` +
            `imageScanningConfiguration.scanOnPush true, ${waive("ECR.1", "api")}`,
    ],
    [
        "ECR.2",
        () => withChange("aws:ecr/repository:Repository", "api-repo", (p) => ({ ...p, imageTagMutability: "MUTABLE" })),
        `[ECR.2] aws:ecr/repository:Repository api-repo (service api): has ` +
            `mutable image tags. Fix: set imageTagMutability ` +
            `IMMUTABLE, ${waive("ECR.2", "api")}`,
    ],
    [
        "ECR.2",
        () =>
            withChange("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "fleet-prod-docker-hub-template", (p) => ({
                ...p,
                imageTagMutability: "IMMUTABLE",
            })),
        `[ECR.2] aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate ` +
            `fleet-prod-docker-hub-template: makes pull-through cache repositories ` +
            `immutable, which stops AWS syncing them with upstream. Fix: set ` +
            `imageTagMutability MUTABLE on the ` +
            `template, ${waive("ECR.2", "platform")}`,
    ],
    [
        "ECR.3",
        () => withChange("aws:ecr/lifecyclePolicy:LifecyclePolicy", "web-repo-lifecycle", (p) => ({ ...p, repository: "somewhere-else" })),
        `[ECR.3] aws:ecr/repository:Repository web-repo (service web): has no ` +
            `lifecycle policy. Fix: add an aws.ecr.LifecyclePolicy for ` +
            `it, ${waive("ECR.3", "web")}`,
    ],
    [
        "EC2.18/EC2.19",
        () =>
            withChange("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "docs-from-alb", (p) => ({
                ...p,
                referencedSecurityGroupId: undefined,
                cidrIpv4: "0.0.0.0/0",
            })),
        `[EC2.18/EC2.19] aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule ` +
            `docs-from-alb (service docs): opens ports 8080-8080 to the internet. ` +
            `Fix: admit only the load balancer's security group (or 80/443 on the ` +
            `load balancer itself), ${waive("EC2.18/EC2.19", "docs")}`,
    ],
    [
        "EC2.18/EC2.19",
        () =>
            withChange("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "fleet-prod-alb-in-443", (p) => ({
                ...p,
                ipProtocol: "-1",
                fromPort: undefined,
                toPort: undefined,
            })),
        `[EC2.18/EC2.19] aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule ` +
            `fleet-prod-alb-in-443: opens every port to the internet. Fix: admit ` +
            `only the load balancer's security group (or 80/443 on the load ` +
            `balancer itself), ${waive("EC2.18/EC2.19", "platform")}`,
    ],
    [
        "FLEET.memory",
        () => withContainer("api", (c) => (c.memoryReservation = c.memory)),
        `[FLEET.memory] aws:ecs/taskDefinition:TaskDefinition api-taskdef ` +
            `(service api): container api has memoryReservation 1024 and memory ` +
            `1024. Fix: set memory.reservation below memory.limit in the catalog ` +
            `(AWS requires memory above ` +
            `memoryReservation), ${waive("FLEET.memory", "api")}`,
    ],
    [
        "FLEET.log-retention",
        () => withChange("aws:cloudwatch/logGroup:LogGroup", "web-logs", (p) => ({ ...p, retentionInDays: undefined })),
        `[FLEET.log-retention] aws:cloudwatch/logGroup:LogGroup web-logs ` +
            `(service web): keeps logs forever. Fix: set ` +
            `fleet:logRetentionDays, ${waive("FLEET.log-retention", "web")}`,
    ],
    [
        "FLEET.circuit-breaker",
        () => withChange("aws:ecs/service:Service", "api", (p) => ({ ...p, deploymentCircuitBreaker: { enable: true, rollback: false } })),
        `[FLEET.circuit-breaker] aws:ecs/service:Service api (service api): ` +
            `does not roll back failed deployments. Fix: set ` +
            `deploymentCircuitBreaker { enable: true, rollback: true ` +
            `}, ${waive("FLEET.circuit-breaker", "api")}`,
    ],
    [
        "FLEET.deregistration",
        () => withChange("aws:lb/targetGroup:TargetGroup", "web-tg", (p) => ({ ...p, deregistrationDelay: 2 })),
        `[FLEET.deregistration] aws:lb/targetGroup:TargetGroup web-tg (service ` +
            `web): deregisters in 2 s, which cuts in-flight requests. Fix: set ` +
            `deregistrationDelay to 5 s or ` +
            `more, ${waive("FLEET.deregistration", "web")}`,
    ],
    [
        "FLEET.deregistration",
        () => withChange("aws:lb/targetGroup:TargetGroup", "web-tg", (p) => ({ ...p, deregistrationDelay: 300 })),
        `[FLEET.deregistration] aws:lb/targetGroup:TargetGroup web-tg (service ` +
            `web): deregisters in 300 s, after the container is killed (stop ` +
            `timeout 30 s). Fix: lower deregistrationDelay or raise ` +
            `stopTimeout, ${waive("FLEET.deregistration", "web")}`,
    ],
    [
        "FLEET.secret-scope",
        () =>
            withChange("aws:iam/rolePolicy:RolePolicy", "api-exec", (p) => {
                const policy = JSON.parse(p.policy);
                policy.Statement.find((s: any) => s.Sid === "ReadSecrets").Resource = [
                    "arn:aws:ssm:us-east-1:123456789012:parameter/fleet/prod/*",
                ];
                return { ...p, policy: JSON.stringify(policy) };
            }),
        `[FLEET.secret-scope] aws:iam/rolePolicy:RolePolicy api-exec (service ` +
            `api): statement ReadSecrets reads secrets from ` +
            `arn:aws:ssm:us-east-1:123456789012:parameter/fleet/prod/*. Fix: grant ` +
            `ssm:GetParameters and kms:Decrypt on the exact parameter and key ` +
            `ARNs, ${waive("FLEET.secret-scope", "api")}`,
    ],
    [
        "FLEET.task-access",
        () => withTaskPolicy("api", [{ Sid: "Everything", Effect: "Allow", Action: "s3:*", Resource: "*" }]),
        `[FLEET.task-access] aws:iam/rolePolicy:RolePolicy api-task (service ` +
            `api): statement Everything allows actions s3:* and resources *. Fix: ` +
            `grant exact actions on exact ARNs through the service's access field ` +
            `(a bucket, queue, topic or table by ` +
            `name), ${waive("FLEET.task-access", "api")}`,
    ],
    [
        "FLEET.alerts",
        // A stack with alerts whose routed api does not roll back on its alarms (one alarm of the stack is enough to tell).
        () => {
            const component = base.find((r) => r.type === "fleet:ecs:Service" && r.name === "api")!;
            const urn = `${component.urn.replace(/::[^:]+$/, "")}$aws:cloudwatch/metricAlarm:MetricAlarm::api-alarm-5xx`;
            const alarm = { urn, type: "aws:cloudwatch/metricAlarm:MetricAlarm", name: "api-alarm-5xx", parentUrn: component.urn };
            const rollsBack = { alarmNames: ["x-alarm-5xx-0000000"], enable: true, rollback: true };
            const others = base.map((r) =>
                r.type === "aws:ecs/service:Service" && r.name !== "api" ? { ...r, props: { ...r.props, alarms: rollsBack } } : r,
            );
            return [...others, { ...alarm, props: { alarmActions: ["arn:aws:sns:us-east-1:123456789012:oncall"] } }];
        },
        `[FLEET.alerts] aws:ecs/service:Service api (service api): does not roll a deployment back when its alarms fire. ` +
            `Fix: set alarms { alarmNames: [its 5xx and unhealthy-target alarms], enable: true, rollback: true }, as ` +
            `fleet:alerts does, ${waive("FLEET.alerts", "api")}`,
    ],
    [
        "FLEET.exec",
        () => withChange("aws:ecs/service:Service", "api", (p) => ({ ...p, enableExecuteCommand: true })),
        `[FLEET.exec] aws:ecs/service:Service api (service api): lets anyone allowed ecs:ExecuteCommand open a shell in its ` +
            `running tasks (ECS Exec). Fix: remove exec from fleet:services.api in the stack file, ${waive("FLEET.exec", "api")}`,
    ],
    [
        "FLEET.pull-through",
        () =>
            withChange("aws:iam/rolePolicy:RolePolicy", "status-exec", (p) => {
                const policy = JSON.parse(p.policy);
                policy.Statement = policy.Statement.filter((s: any) => s.Sid !== "PullThroughCache");
                return { ...p, policy: JSON.stringify(policy) };
            }),
        `[FLEET.pull-through] aws:ecs/taskDefinition:TaskDefinition ` +
            `status-taskdef (service status): container status pulls through cache ` +
            `fleet-prod-cache/docker-hub but its execution role may not import upstream ` +
            `images. Fix: allow ecr:BatchImportUpstreamImage and ` +
            `ecr:CreateRepository on ` +
            `repository/fleet-prod-cache/docker-hub/hashicorp/http-echo, ${waive("FLEET.pull-through", "status")}`,
    ],
    [
        "FLEET.pull-through",
        () =>
            withChange("aws:iam/rolePolicy:RolePolicy", "fleet-prod-instance-pull-through", (p) => ({
                ...p,
                policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
            })),
        `[FLEET.pull-through] aws:ecs/taskDefinition:TaskDefinition ` +
            `status-taskdef (service status): container status runs on EC2 and ` +
            `pulls through cache fleet-prod-cache/docker-hub, but the container-instance ` +
            `role may not import upstream images. Fix: allow ` +
            `ecr:BatchImportUpstreamImage and ecr:CreateRepository on ` +
            `repository/fleet-prod-cache/docker-hub/hashicorp/http-echo for the instance ` +
            `role, ${waive("FLEET.pull-through", "status")}`,
    ],
];

describe("every control", () => {
    it("has a rule, and a failing case below", () => {
        assert.deepEqual([...new Set(cases.map(([control]) => control))].sort(), [...controlIds].sort());
        assert.equal(new Set(controlInfos.map((c) => c.policyName)).size, controlInfos.length);
    });

    it("passes on the prod plan", () => {
        assert.deepEqual(evaluate(base).violations, []);
    });

    for (const [control, change, message] of cases) {
        it(`${control}: ${message.slice(message.indexOf("]") + 2, message.indexOf(". Fix"))}`, () => {
            assert.deepEqual(messagesFor(change(), control), [message]);
        });
    }
});

describe("values unknown during a real preview", () => {
    const unknown = (type: string, name: string, key: string) => withChange(type, name, (p) => ({ ...p, [key]: undefined }));

    it("are decided at `up`, not reported", () => {
        const cases: [string, string, string][] = [
            ["aws:ecs/taskDefinition:TaskDefinition", "status-taskdef", "containerDefinitions"],
            ["aws:iam/rolePolicy:RolePolicy", "status-exec", "policy"],
            ["aws:iam/rolePolicy:RolePolicy", "fleet-prod-instance-pull-through", "policy"],
            ["aws:ecr/lifecyclePolicy:LifecyclePolicy", "api-repo-lifecycle", "repository"],
            ["aws:lb/loadBalancer:LoadBalancer", "fleet-prod-alb", "subnets"],
        ];
        for (const [type, name, key] of cases) {
            assert.deepEqual(evaluate(unknown(type, name, key)).violations, [], `${name}.${key} unknown`);
        }
    });
});

describe("enforcement and waivers", () => {
    it("reads the enforcement from the cluster, mandatory when absent", () => {
        assert.equal(evaluate(base).enforcement, "mandatory");
        const untagged = withChange("aws:ecs/cluster:Cluster", "fleet-prod", (p) => ({ ...p, tags: {} }));
        assert.equal(evaluate(untagged).enforcement, "mandatory");
        const advisory = withChange("aws:ecs/cluster:Cluster", "fleet-prod", (p) => ({
            ...p,
            tags: { ...p.tags, "fleet:policy": "advisory" },
        }));
        assert.equal(evaluate(advisory).enforcement, "advisory");
    });

    it("waives a service's violation with the reason tagged on its task definition", () => {
        const resources = withContainer("web", (c) => (c.readonlyRootFilesystem = false)).map((r) =>
            r.name === "web-taskdef"
                ? { ...r, props: { ...r.props, tags: { ...r.props.tags, "fleet:waiver:ECS.5": "the vendor image writes under /var" } } }
                : r,
        );
        const result = evaluate(resources);
        assert.deepEqual(result.waivers, [{ scope: "web", control: "ECS.5", reason: "the vendor image writes under /var" }]);
        assert.deepEqual(
            result.violations.map((v) => [v.control, v.service, v.waived]),
            [["ECS.5", "web", "the vendor image writes under /var"]],
        );
    });

    it("takes a reason in the author's words, tagged in AWS's tag characters for the pack to read", async () => {
        const reason = 'nginx can\'t write its cache (see OPS-12), "temporarily"';
        const planned = await planProgram("prod", {
            root: fixtureRoot,
            catalog: fixtureCatalog(),
            configOverrides: { "fleet:policy": JSON.stringify({ waivers: { web: { "ECS.5": reason } } }) },
        });
        if (!planned.ok) assert.fail(planned.message);
        const taskDefinition = planned.plan.resources.find((r) => r.name === "web-taskdef")!;
        assert.equal(
            (taskDefinition.inputs.tags as Record<string, string>)["fleet:waiver:ECS.5"],
            "nginx cant write its cache see OPS-12 temporarily",
        );
        const views = planned.plan.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent }));
        assert.deepEqual(evaluate(views).waivers, [
            { scope: "web", control: "ECS.5", reason: "nginx cant write its cache see OPS-12 temporarily" },
        ]);
    });

    it("does not let one service's waiver cover another's violation", () => {
        const resources = withContainer("api", (c) => (c.readonlyRootFilesystem = false)).map((r) =>
            r.name === "web-taskdef"
                ? { ...r, props: { ...r.props, tags: { ...r.props.tags, "fleet:waiver:ECS.5": "the vendor image writes under /var" } } }
                : r,
        );
        assert.deepEqual(
            evaluate(resources).violations.map((v) => [v.service, v.waived]),
            [["api", undefined]],
        );
    });
});

describe("ECS.8 on values", () => {
    // Example credentials only: AWS's documented example key id, a made-up token.
    const flagged: [string, string, string][] = [
        ["DATABASE_URL", "postgres://app:pw@db/app", "a URL with a password"],
        ["UPSTREAM", "https://deploy:s3cr3t-Value@git.example.com/org/repo.git", "a URL with a password"],
        ["VENDOR_ID", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"],
        ["TLS_KEY_PEM", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----", "a private key"],
        ["OPENSSH", "-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"],
        ["STRIPE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc9Xk2Lm5Qz8", "a long random token"],
    ];
    for (const [name, value, kind] of flagged) {
        it(`flags ${name} by its value (${kind}) and never prints it`, () => {
            const messages = messagesFor(
                withContainer("api", (c) => c.environment.push({ name, value })),
                "ECS.8",
            );
            assert.deepEqual(messages, [
                `[ECS.8] aws:ecs/taskDefinition:TaskDefinition api-taskdef (service ` +
                    `api): container api passes ${name} (its value looks like ${kind}) in ` +
                    `its plain environment. Fix: move ${name} from env to secrets in the ` +
                    `catalog (SSM, by reference), ${waive("ECS.8", "api")}`,
            ]);
            assert.ok(!messages[0].includes(value.slice(0, 12)), "the value is not printed");
        });
    }

    const ordinary: [string, string][] = [
        ["DATABASE_URL", "postgres://db.internal:5432/app"],
        ["GIT_SHA", "3f786850e387550fdab836ed7e6dc881de23001b3f786850"],
        ["CONTENT_HASH", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
        ["UPSTREAM", "https://api.example.com/v1/resources/customers/by-region"],
        ["JAVA_OPTS", "-XX:MaxRAMPercentage=75.0 -XX:+UseContainerSupport -Dfile.encoding=UTF-8"],
        ["USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"],
        ["MAIL_FROM", "mailto:ops@example.com"],
    ];
    for (const [name, value] of ordinary) {
        it(`leaves ${name}=${value.slice(0, 24)}… alone`, () => {
            assert.deepEqual(
                messagesFor(
                    withContainer("api", (c) => c.environment.push({ name, value })),
                    "ECS.8",
                ),
                [],
            );
        });
    }
});
