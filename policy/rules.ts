/**
 * fleet's policy rules over registered resources. One code path for the Pulumi policy pack
 * (`pulumi preview --policy-pack policy`), the offline plan (`--policy`) and the tests.
 * Pure: no imports beyond controls.ts, limits.ts and secretValues.ts, so the pack loads it from its own directory.
 * Messages name the control, the resource and the fix, and never a secret's value.
 */
import { secretLikeValue } from "./secretValues";
import { ControlInfo, controlInfos, Enforcement, enforcementTag, waiverTagPrefix } from "../facts/controls";
import {
    ecrRegistryHostPattern,
    ecsDefaultStopTimeoutSeconds,
    minimumLoadBalancerZones,
    recommendedTlsPolicies,
    webPorts,
} from "../facts/aws";
import { defaultSslPolicy, deregistrationDelay, rootUserPattern } from "../facts/fleet";

/** A resource as the rules see it (a PolicyResource, or a plan entry). */
export interface ResourceView {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs; a value unknown during preview is undefined or a non-JSON string. */
    readonly props: Record<string, any>;
    readonly parentUrn?: string;
}

export interface Violation {
    readonly control: string;
    readonly policyName: string;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The service the resource belongs to; undefined for the platform. */
    readonly service?: string;
    readonly message: string;
    /** The waiver's reason, when the violation is waived. */
    readonly waived?: string;
}

export interface Waiver {
    /** A service name, or "platform". */
    readonly scope: string;
    readonly control: string;
    readonly reason: string;
}

export interface PolicySettings {
    readonly enforcement: Enforcement;
    readonly waivers: readonly Waiver[];
}

export interface PolicyResult extends PolicySettings {
    readonly violations: readonly Violation[];
}

interface Container {
    readonly name?: string;
    readonly image?: string;
    readonly memory?: number;
    readonly memoryReservation?: number;
    readonly user?: string;
    readonly privileged?: boolean;
    readonly readonlyRootFilesystem?: boolean;
    readonly stopTimeout?: number;
    readonly environment?: { name: string; value?: string }[];
    readonly logConfiguration?: { logDriver?: string };
}

/** Lookups shared by the rules. */
export class ResourceIndex {
    readonly byUrn: ReadonlyMap<string, ResourceView>;

    constructor(readonly resources: readonly ResourceView[]) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
    }

    ofType(type: string): ResourceView[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The `fleet:ecs:Service` a resource belongs to, by its parent chain (or its tag). */
    serviceOf(resource: ResourceView): string | undefined {
        let current: ResourceView | undefined = resource;
        while (current) {
            if (current.type === "fleet:ecs:Service") return current.name;
            current = current.parentUrn ? this.byUrn.get(current.parentUrn) : undefined;
        }
        const tag = resource.props.tags?.["fleet:service"];
        return typeof tag === "string" ? tag : undefined;
    }

    /** The service of the resource with this URN. */
    serviceOfUrn(urn: string): string | undefined {
        const resource = this.byUrn.get(urn);
        return resource ? this.serviceOf(resource) : undefined;
    }

    /** Whether a component of this type is among the resource's ancestors. */
    under(resource: ResourceView, componentType: string): boolean {
        let parent = resource.parentUrn ? this.byUrn.get(resource.parentUrn) : undefined;
        while (parent) {
            if (parent.type === componentType) return true;
            parent = parent.parentUrn ? this.byUrn.get(parent.parentUrn) : undefined;
        }
        return false;
    }

    /** Container definitions of a task definition, or undefined while unknown (preview). */
    containers(taskDefinition: ResourceView): Container[] | undefined {
        const text = taskDefinition.props.containerDefinitions;
        if (typeof text !== "string") return undefined;
        try {
            const parsed = JSON.parse(text);
            return Array.isArray(parsed) ? parsed : undefined;
        } catch {
            return undefined;
        }
    }

    /** The IAM document in the resource's `policy` input, parsed, or undefined while unknown. */
    iamDocument(resource: ResourceView): { Statement?: any[] } | undefined {
        const text = resource.props.policy;
        if (typeof text !== "string") return undefined;
        try {
            return JSON.parse(text);
        } catch {
            return undefined;
        }
    }

    taskDefinitionOf(service: string): ResourceView | undefined {
        return this.ofType("aws:ecs/taskDefinition:TaskDefinition").find((t) => this.serviceOf(t) === service);
    }
}

type Finding = { resource: ResourceView; problem: string; fix: string };
type Check = (index: ResourceIndex) => Finding[];

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Environment variable names that hold secrets (AWS's ECS.8 names, and the usual words). */
/** IAM actions that read a secret's value (or any action at all), for FLEET.secret-scope. */
const secretReadAction =
    /^(ssm:GetParameters?|ssm:GetParametersByPath|secretsmanager:GetSecretValue|kms:Decrypt|ssm:\*|secretsmanager:\*|kms:\*|\*)$/;

export const secretLikeName = new RegExp(
    "^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|ECS_ENGINE_AUTH_DATA)$" +
        "|(^|_)(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)(_|$)",
    "i",
);

const eachContainer = (index: ResourceIndex, visit: (task: ResourceView, container: Container) => Finding | undefined): Finding[] =>
    index
        .ofType("aws:ecs/taskDefinition:TaskDefinition")
        .flatMap((task) => (index.containers(task) ?? []).flatMap((c) => asList(visit(task, c))));

const albs = (index: ResourceIndex) => index.ofType("aws:lb/loadBalancer:LoadBalancer");

/** `*`, or every action of a service (`s3:*`), or a wildcard over a verb (`s3:Get*`). */
const wildcardAction = (action: string) => action === "*" || /^[a-z0-9-]+:[A-Za-z]*\*$/.test(action);

/**
 * `*`, or an ARN whose partition, service, region or account is a wildcard, or whose resource part
 * is a wildcard alone (`arn:aws:sqs:us-east-1:123456789012:*`, `arn:aws:s3:::*`). A wildcard
 * below a named resource (`arn:aws:s3:::bucket/avatars/*`, a table's `index/*`) names it exactly.
 */
function wildcardResource(resource: string): boolean {
    if (resource === "*") return true;
    const parts = resource.split(":");
    if (parts[0] !== "arn" || parts.length < 6) return /^[*?]/.test(resource);
    if (parts.slice(1, 5).some((part) => /[*?]/.test(part))) return true;
    const rest = parts.slice(5).join(":");
    // S3's resource part is the bucket itself; other services prefix a resource type (`table/`, `key/`).
    return /^[*?]/.test(rest) || (parts[2] !== "s3" && /^[a-z-]+\/[*?]/.test(rest));
}

/** The rule of every control, keyed by control id. */
const checks: Record<string, Check> = {
    "ECS.2/ECS.16": (index) =>
        [
            ...index.ofType("aws:ecs/service:Service").filter((s) => s.props.networkConfiguration?.assignPublicIp === true),
            // A job's tasks are started by its schedule, with the schedule's network configuration.
            ...index
                .ofType("aws:scheduler/schedule:Schedule")
                .filter((s) => s.props.target?.ecsParameters?.networkConfiguration?.assignPublicIp === true),
        ].map((resource) => ({
            resource,
            problem: "assigns public IP addresses to its tasks",
            fix: "set assignPublicIp false and run tasks in private subnets behind NAT",
        })),
    "ECS.4": (index) =>
        eachContainer(index, (resource, c) =>
            c.privileged === true
                ? { resource, problem: `container ${c.name} runs privileged`, fix: "remove optOut.privileged from the catalog entry" }
                : undefined,
        ),
    "ECS.5": (index) =>
        eachContainer(index, (resource, c) =>
            c.readonlyRootFilesystem !== true
                ? {
                      resource,
                      problem: `container ${c.name} has a writable root filesystem`,
                      fix: "remove optOut.readonlyRootFilesystem; write to /tmp (a tmpfs) instead",
                  }
                : undefined,
        ),
    "ECS.8": (index) =>
        eachContainer(index, (resource, c) => {
            // Names and kinds only: a violation never prints a value.
            const flagged = (c.environment ?? []).flatMap((e) => {
                if (secretLikeName.test(e.name)) return [{ name: e.name, said: e.name }];
                const kind = typeof e.value === "string" ? secretLikeValue(e.value) : undefined;
                return kind ? [{ name: e.name, said: `${e.name} (its value looks like ${kind})` }] : [];
            });
            return flagged.length
                ? {
                      resource,
                      problem: `container ${c.name} passes ${flagged.map((f) => f.said).join(", ")} in its plain environment`,
                      fix: `move ${flagged.map((f) => f.name).join(", ")} from env to secrets in the catalog (SSM, by reference)`,
                  }
                : undefined;
        }),
    "ECS.9": (index) =>
        eachContainer(index, (resource, c) =>
            !c.logConfiguration?.logDriver
                ? { resource, problem: `container ${c.name} has no log configuration`, fix: "configure the awslogs driver" }
                : undefined,
        ),
    "ECS.12": (index) =>
        index
            .ofType("aws:ecs/cluster:Cluster")
            .filter(
                (c) =>
                    !asList(c.props.settings).some(
                        (s: any) => s?.name === "containerInsights" && ["enabled", "enhanced"].includes(s?.value),
                    ),
            )
            .map((resource) => ({
                resource,
                problem: "does not enable Container Insights",
                fix: "set fleet:cluster.containerInsights to enabled or enhanced",
            })),
    "ECS.20": (index) =>
        eachContainer(index, (resource, c) =>
            !c.user || rootUserPattern.test(c.user)
                ? {
                      resource,
                      problem: `container ${c.name} runs as ${c.user ? c.user : "the image's user, which may be root"}`,
                      fix: "set user to the image's unprivileged uid and remove optOut.nonRootUser",
                  }
                : undefined,
        ),
    "ELB.1": (index) =>
        index
            .ofType("aws:lb/listener:Listener")
            .filter((l) => l.props.protocol === "HTTP")
            .filter((l) => !asList(l.props.defaultActions).some((a: any) => a?.type === "redirect" && a?.redirect?.protocol === "HTTPS"))
            .map((resource) => ({
                resource,
                problem: "serves plain HTTP instead of redirecting to HTTPS",
                fix: "set fleet:loadBalancer.certificateArn (HTTPS, with HTTP redirected)",
            })),
    "ELB.4": (index) =>
        albs(index)
            .filter((lb) => lb.props.dropInvalidHeaderFields !== true)
            .map((resource) => ({ resource, problem: "keeps invalid HTTP header fields", fix: "set dropInvalidHeaderFields true" })),
    "ELB.5": (index) =>
        albs(index)
            .filter((lb) => lb.props.accessLogs?.enabled !== true)
            .map((resource) => ({ resource, problem: "writes no access logs", fix: "set fleet:loadBalancer.accessLogs.bucket" })),
    "ELB.6": (index) =>
        albs(index)
            .filter((lb) => lb.props.enableDeletionProtection !== true)
            .map((resource) => ({
                resource,
                problem: "has no deletion protection",
                fix: "set fleet:loadBalancer.deletionProtection true",
            })),
    "ELB.12": (index) =>
        albs(index)
            // AWS's default is defensive.
            .filter(
                (lb) => lb.props.desyncMitigationMode !== undefined && !["defensive", "strictest"].includes(lb.props.desyncMitigationMode),
            )
            .map((resource) => ({
                resource,
                problem: `uses desync mitigation mode ${resource.props.desyncMitigationMode}`,
                fix: "use defensive or strictest",
            })),
    "ELB.13": (index) =>
        albs(index)
            .filter(
                (lb) =>
                    Array.isArray(lb.props.subnets) &&
                    lb.props.subnets.length < minimumLoadBalancerZones &&
                    !Array.isArray(lb.props.subnetMappings),
            )
            .map((resource) => ({
                resource,
                problem: `spans ${resource.props.subnets.length} subnet(s)`,
                fix: `place the load balancer in public subnets of at least ${minimumLoadBalancerZones} availability zones`,
            })),
    "ELB.17": (index) =>
        index
            .ofType("aws:lb/listener:Listener")
            .filter(
                (l) =>
                    l.props.protocol === "HTTPS" &&
                    typeof l.props.sslPolicy !== "undefined" &&
                    !recommendedTlsPolicies.includes(l.props.sslPolicy),
            )
            .map((resource) => ({
                resource,
                problem: `uses security policy ${resource.props.sslPolicy}`,
                fix: `use ${defaultSslPolicy} or a stricter TLS 1.3 policy`,
            })),
    "ECR.1": (index) =>
        index
            .ofType("aws:ecr/repository:Repository")
            .filter((r) => r.props.imageScanningConfiguration?.scanOnPush !== true)
            .map((resource) => ({
                resource,
                problem: "does not scan images on push",
                fix: "set imageScanningConfiguration.scanOnPush true",
            })),
    "ECR.2": (index) => [
        ...index
            .ofType("aws:ecr/repository:Repository")
            .filter((r) => !["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"].includes(r.props.imageTagMutability))
            .map((resource) => ({ resource, problem: "has mutable image tags", fix: "set imageTagMutability IMMUTABLE" })),
        // The exception, checked the other way: AWS syncs a cached tag with upstream only while it is mutable.
        ...index
            .ofType("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate")
            .filter(
                (t) =>
                    asList(t.props.appliedFors).includes("PULL_THROUGH_CACHE") &&
                    t.props.imageTagMutability !== undefined &&
                    t.props.imageTagMutability !== "MUTABLE",
            )
            .map((resource) => ({
                resource,
                problem: "makes pull-through cache repositories immutable, which stops AWS syncing them with upstream",
                fix: "set imageTagMutability MUTABLE on the template",
            })),
    ],
    "ECR.3": (index) => {
        const lifecycles = index.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy");
        // A repository reference still unknown (preview of a new stack) cannot be matched: decide at `up`.
        if (lifecycles.some((p) => typeof p.props.repository !== "string")) return [];
        const covered = new Set(lifecycles.map((p) => p.props.repository));
        return [
            ...index
                .ofType("aws:ecr/repository:Repository")
                .filter((r) => typeof r.props.name === "string" && !covered.has(r.props.name))
                .map((resource) => ({ resource, problem: "has no lifecycle policy", fix: "add an aws.ecr.LifecyclePolicy for it" })),
            ...index
                .ofType("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate")
                .filter((t) => !t.props.lifecyclePolicy)
                .map((resource) => ({
                    resource,
                    problem: "creates repositories without a lifecycle policy",
                    fix: "set lifecyclePolicy on the template",
                })),
        ];
    },
    "EC2.18/EC2.19": (index) => {
        const open = (rule: any) =>
            rule?.cidrIpv4 === "0.0.0.0/0" ||
            rule?.cidrIpv6 === "::/0" ||
            asList(rule?.cidrBlocks).includes("0.0.0.0/0") ||
            asList(rule?.ipv6CidrBlocks).includes("::/0");
        // A separate ingress rule names it ipProtocol; an inline one, protocol.
        const protocolOf = (rule: any) => rule?.ipProtocol ?? rule?.protocol;
        const web: number[] = [webPorts.http, webPorts.https];
        const webPort = (rule: any) => protocolOf(rule) === "tcp" && rule?.fromPort === rule?.toPort && web.includes(rule?.fromPort);
        const describe = (rule: any) => (protocolOf(rule) === "-1" ? "every port" : `ports ${rule?.fromPort}-${rule?.toPort}`);
        return [
            ...index
                .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .filter((r) => open(r.props) && !(webPort(r.props) && index.under(r, "fleet:lb:LoadBalancer")))
                .map((resource) => ({
                    resource,
                    problem: `opens ${describe(resource.props)} to the internet`,
                    fix:
                        `admit only the load balancer's security group ` +
                        `(or ${webPorts.http}/${webPorts.https} on the load balancer itself)`,
                })),
            ...index.ofType("aws:ec2/securityGroup:SecurityGroup").flatMap((sg) =>
                asList(sg.props.ingress)
                    .filter((rule: any) => open(rule) && !(webPort(rule) && index.under(sg, "fleet:lb:LoadBalancer")))
                    .map((rule: any) => ({
                        resource: sg,
                        problem: `opens ${describe(rule)} to the internet`,
                        fix: "admit only the load balancer's security group",
                    })),
            ),
        ];
    },
    "FLEET.memory": (index) =>
        eachContainer(index, (resource, c) =>
            c.memory === undefined || c.memoryReservation === undefined || !(c.memoryReservation < c.memory)
                ? {
                      resource,
                      problem:
                          `container ${c.name} has ` +
                          `memoryReservation ${c.memoryReservation ?? "unset"} and ` +
                          `memory ${c.memory ?? "unset"}`,
                      fix: "set memory.reservation below memory.limit in the catalog (AWS requires memory above memoryReservation)",
                  }
                : undefined,
        ),
    "FLEET.log-retention": (index) =>
        index
            .ofType("aws:cloudwatch/logGroup:LogGroup")
            .filter((g) => !(typeof g.props.retentionInDays === "number" && g.props.retentionInDays > 0))
            .map((resource) => ({ resource, problem: "keeps logs forever", fix: "set fleet:logRetentionDays" })),
    "FLEET.circuit-breaker": (index) =>
        index
            .ofType("aws:ecs/service:Service")
            .filter((s) => !(s.props.deploymentCircuitBreaker?.enable === true && s.props.deploymentCircuitBreaker?.rollback === true))
            .map((resource) => ({
                resource,
                problem: "does not roll back failed deployments",
                fix: "set deploymentCircuitBreaker { enable: true, rollback: true }",
            })),
    "FLEET.deregistration": (index) =>
        index.ofType("aws:lb/targetGroup:TargetGroup").flatMap((tg) => {
            const delay = tg.props.deregistrationDelay ?? deregistrationDelay.awsDefault;
            const service = index.serviceOf(tg);
            const task = service ? index.taskDefinitionOf(service) : undefined;
            const containers = task ? index.containers(task) : undefined;
            const stopTimeout = containers ? Math.max(...containers.map((c) => c.stopTimeout ?? ecsDefaultStopTimeoutSeconds)) : undefined;
            if (typeof delay !== "number") return [];
            if (delay < deregistrationDelay.fleetMin) {
                return [
                    {
                        resource: tg,
                        problem: `deregisters in ${delay} s, which cuts in-flight requests`,
                        fix: `set deregistrationDelay to ${deregistrationDelay.fleetMin} s or more`,
                    },
                ];
            }
            if (stopTimeout !== undefined && delay > stopTimeout) {
                return [
                    {
                        resource: tg,
                        problem: `deregisters in ${delay} s, after the container is killed (stop timeout ${stopTimeout} s)`,
                        fix: "lower deregistrationDelay or raise stopTimeout",
                    },
                ];
            }
            return [];
        }),
    "FLEET.secret-scope": (index) =>
        [...index.ofType("aws:iam/rolePolicy:RolePolicy"), ...index.ofType("aws:iam/policy:Policy")].flatMap((grant) =>
            asList(index.iamDocument(grant)?.Statement)
                .filter((s: any) => s?.Effect === "Allow" && asList<string>(s.Action).some((a) => secretReadAction.test(a)))
                // `?` too: a partial Secrets Manager ARN's `-??????` matches whichever secret takes the name.
                .filter((s: any) => asList<string>(s.Resource).some((r) => typeof r === "string" && /[*?]/.test(r)))
                .map((s: any) => ({
                    resource: grant,
                    problem: `statement ${s.Sid ?? "(no Sid)"} reads secrets from ${asList<string>(s.Resource)
                        .filter((r) => /[*?]/.test(r))
                        .join(", ")}`,
                    fix: asList<string>(s.Action).includes("secretsmanager:GetSecretValue")
                        ? "grant secretsmanager:GetSecretValue and kms:Decrypt on the exact secret ARNs (with their six-character " +
                          "suffix) and key ARNs"
                        : "grant ssm:GetParameters and kms:Decrypt on the exact parameter and key ARNs",
                })),
        ),
    "FLEET.task-access": (index) =>
        index
            .ofType("aws:iam/rolePolicy:RolePolicy")
            // The application (task) role's policy: named after the role, `<service>-task` (model/naming.ts).
            .filter((grant) => index.under(grant, "fleet:ecs:Service") && grant.name.endsWith("-task"))
            .flatMap((grant) =>
                asList(index.iamDocument(grant)?.Statement)
                    .filter((s: any) => s?.Effect === "Allow")
                    .flatMap((s: any) => {
                        const actions = asList<string>(s.Action).filter((a) => typeof a === "string" && wildcardAction(a));
                        const resources = asList<string>(s.Resource).filter((r) => typeof r === "string" && wildcardResource(r));
                        if (actions.length === 0 && resources.length === 0) return [];
                        const what = [
                            ...(actions.length ? [`actions ${actions.join(", ")}`] : []),
                            ...(resources.length ? [`resources ${resources.join(", ")}`] : []),
                        ].join(" and ");
                        return [
                            {
                                resource: grant,
                                problem: `statement ${s.Sid ?? "(no Sid)"} allows ${what}`,
                                fix:
                                    "grant exact actions on exact ARNs through the service's access field " +
                                    "(a bucket, queue, topic or table by name)",
                            },
                        ];
                    }),
            ),
    "FLEET.pull-through": (index) => {
        const prefixes = index.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule").map((r) => String(r.props.ecrRepositoryPrefix));
        // The cached repository itself, or a wildcard over its cache prefix.
        const allows = (grant: ResourceView | undefined, prefix: string, repository: string) =>
            asList(grant ? index.iamDocument(grant)?.Statement : undefined).some(
                (s: any) =>
                    s?.Effect === "Allow" &&
                    ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"].every((a) => asList<string>(s.Action).includes(a)) &&
                    asList<string>(s.Resource).some(
                        (r) => typeof r === "string" && (r.endsWith(`:repository/${repository}`) || r.endsWith(`:repository/${prefix}/*`)),
                    ),
            );
        const instanceGrants = index.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => index.under(p, "fleet:ecs:Cluster"));
        return index.ofType("aws:ecs/taskDefinition:TaskDefinition").flatMap((task) => {
            const service = index.serviceOf(task);
            const execution = index
                .ofType("aws:iam/rolePolicy:RolePolicy")
                .find((p) => index.serviceOf(p) === service && p.name.endsWith("-exec"));
            return (index.containers(task) ?? []).flatMap((c) => {
                // `<ECR registry>/<prefix>/<upstream path>[:tag|@digest]`.
                const image = typeof c.image === "string" ? c.image : "";
                const slash = image.indexOf("/");
                if (slash < 0 || !ecrRegistryHostPattern.test(image.slice(0, slash))) return [];
                const path = image.slice(slash + 1);
                const prefix = prefixes.find((p) => path.startsWith(`${p}/`));
                if (!prefix) return [];
                // → `<prefix>/<upstream path>`.
                const repository = path.replace(/(@sha256:[0-9a-f]+|:[^:/]+)$/, "");
                const findings: Finding[] = [];
                // An IAM document still unknown (preview) is decided at `up`, not reported.
                if (execution && !index.iamDocument(execution)) return [];
                if (!allows(execution, prefix, repository)) {
                    findings.push({
                        resource: task,
                        problem: `container ${c.name} pulls through cache ${prefix} but its execution role may not import upstream images`,
                        fix: `allow ecr:BatchImportUpstreamImage and ecr:CreateRepository on repository/${repository}`,
                    });
                }
                const ec2 = asList(task.props.requiresCompatibilities).includes("EC2");
                if (
                    ec2 &&
                    instanceGrants.every((p) => index.iamDocument(p)) &&
                    !instanceGrants.some((p) => allows(p, prefix, repository))
                ) {
                    findings.push({
                        resource: task,
                        problem:
                            `container ${c.name} runs on EC2 and pulls through cache ${prefix}, ` +
                            `but the container-instance role may not import upstream images`,
                        fix:
                            `allow ecr:BatchImportUpstreamImage and ecr:CreateRepository on ` +
                            `repository/${repository} for the instance role`,
                    });
                }
                return findings;
            });
        });
    },
};

/** Every control with its rule. */
export const controls: readonly (ControlInfo & { readonly check: Check })[] = controlInfos.map((info) => {
    const check = checks[info.id];
    if (!check) throw new Error(`control ${info.id} has no rule`);
    return { ...info, check };
});

/** The stack's enforcement and waivers, as the program tags them on the cluster and task definitions. */
export function settingsOf(index: ResourceIndex): PolicySettings {
    const cluster = index.ofType("aws:ecs/cluster:Cluster")[0];
    // No tag (another program, or an unknown value in preview): enforce.
    const enforcement: Enforcement = cluster?.props.tags?.[enforcementTag] === "advisory" ? "advisory" : "mandatory";
    const waivers: Waiver[] = [];
    const collect = (scope: string, tags: Record<string, unknown> | undefined) => {
        for (const [key, reason] of Object.entries(tags ?? {})) {
            if (key.startsWith(waiverTagPrefix) && typeof reason === "string")
                waivers.push({ scope, control: key.slice(waiverTagPrefix.length), reason });
        }
    };
    if (cluster) collect("platform", cluster.props.tags);
    for (const task of index.ofType("aws:ecs/taskDefinition:TaskDefinition")) {
        const service = index.serviceOf(task);
        if (service) collect(service, task.props.tags);
    }
    return { enforcement, waivers };
}

function format(control: ControlInfo, finding: Finding, service: string | undefined): string {
    const owner = service ? ` (service ${service})` : "";
    return (
        `[${control.id}] ${finding.resource.type} ${finding.resource.name}${owner}: ${finding.problem}. ` +
        `Fix: ${finding.fix}, or waive ${control.id} ` +
        `for ${service ?? "platform"} with a reason in fleet:policy.waivers.`
    );
}

/** Runs one control; violations come back with their waiver, if any. */
export function evaluateControl(control: (typeof controls)[number], index: ResourceIndex, settings: PolicySettings): Violation[] {
    return control.check(index).map((finding) => {
        const service = index.serviceOf(finding.resource);
        const waiver = settings.waivers.find((w) => w.control === control.id && w.scope === (service ?? "platform"));
        return {
            control: control.id,
            policyName: control.policyName,
            urn: finding.resource.urn,
            type: finding.resource.type,
            name: finding.resource.name,
            service,
            message: format(control, finding, service),
            waived: waiver?.reason,
        };
    });
}

/** Runs every control over the resources. */
export function evaluate(resources: readonly ResourceView[]): PolicyResult {
    return evaluateIndex(new ResourceIndex(resources));
}

/** Runs every control over resources already indexed. */
export function evaluateIndex(index: ResourceIndex): PolicyResult {
    const settings = settingsOf(index);
    return { ...settings, violations: controls.flatMap((control) => evaluateControl(control, index, settings)) };
}
