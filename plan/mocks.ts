/**
 * Pulumi's mock runtime for fleet: used by the offline plan and by the tests. Every resource type
 * and invoke the program uses has a realistic fake here (ARNs, URLs, auto-names with AWS's length
 * limits); anything else throws, so a new resource type cannot slip into a plan unfaked.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import {
    efsAccessPointBreaches,
    efsFileSystemBreaches,
    efsFileSystemPolicyBreaches,
    efsMountTargetBreaches,
    ecsServiceNetworkBreaches,
    enforceAwsRules,
    listenerRuleProtocolProblem,
    listenerRuleProtocolSource,
    refuseBreaches,
    serviceConnectTaskProblem,
    serviceConnectTaskSource,
    taskDefinitionVolumeBreaches,
} from "./awsRules";
import { iamPolicySize, iamQuotas, ssmStandardParameterMaxCharacters } from "../facts/aws";
import { arnRegion, secretArnParts } from "../model/awsNames";
import { pulumiAutoNameRandomLength } from "../model/naming";

export const fakeAccountId = "123456789012";

/** A registered resource as the plan shows it. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    /** Inputs as registered; secret values replaced by "[secret]", unknowns by "[unknown]". */
    readonly inputs: Record<string, unknown>;
    /** Inputs with secret values kept wrapped in Pulumi's secret marker (tests only; never printed). */
    readonly rawInputs: Record<string, unknown>;
    readonly protect: boolean;
    /** Input properties another system owns (`ignoreChanges`). */
    readonly ignoreChanges: string[];
    /**
     * URNs this resource waits for: explicit `dependsOn` and those reached through its inputs,
     * as the engine receives them (so creation and deletion order can be reviewed).
     */
    readonly dependencies: string[];
    /** Input property → URNs of the resources its value came from. */
    readonly propertyDependencies: Record<string, string[]>;
    /** Replaced delete-first (fixed physical names). */
    readonly deleteBeforeReplace: boolean;
    /** Inputs whose change forces replacement beyond the provider's own (`replaceOnChanges`). */
    readonly replaceOnChanges: string[];
    /** A value whose change replaces the resource (`replacementTrigger`); absent when the program sets none. */
    readonly replacementTrigger?: unknown;
}

const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const sigKey = "4dabf18193072939515e22adb298388d";
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Replaces Pulumi secret markers with "[secret]" and unknowns with "[unknown]", recursively. */
export function maskSecrets(value: unknown): unknown {
    if (value === unknownValue) return "[unknown]";
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[sigKey] === secretSig) return "[secret]";
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v)]));
    }
    return value;
}

/** A value as the program passed it, out of Pulumi's secret wrapper. */
function unwrapSecret(value: unknown): unknown {
    if (value && typeof value === "object" && (value as Record<string, unknown>)[sigKey] === secretSig)
        return (value as Record<string, unknown>).value;
    return value;
}

const hash = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);
/**
 * A UUID-shaped id derived from the name (8-4-4-4-12 hex), as AWS gives KMS keys, certificates and
 * Auto Scaling groups. `salts` keeps each type's fake ids as earlier plans recorded them.
 */
const uuidOf = (name: string, salts = "abcd") =>
    [8, 4, 4, 4, 12].map((length, i) => hash(i === 0 ? name : name + salts[i - 1], length)).join("-");

export class FleetMocks implements pulumi.runtime.Mocks {
    /** Task definitions registered so far, by ARN: a service's rules read its task definition. */
    private readonly taskDefinitions = new Map<string, Record<string, unknown>>();
    /**
     * Route 53 record sets that exist, `<zone id>_<name>_<type>`: those registered so far, and any a
     * test says were made by hand before the stack managed them.
     */
    public readonly records = new Set<string>();
    /** The digest each pushed image tag holds: ECR repositories keep tags immutable. */
    public readonly pushedTags = new Map<string, string>();
    /** Listeners' protocols and target groups' protocol versions, by ARN: a listener rule joins the two. */
    private readonly listenerProtocols = new Map<string, unknown>();
    private readonly targetGroupVersions = new Map<string, unknown>();
    /** Target groups' target types (ip, instance) by ARN: an ECS service's tasks must register as its network mode does. */
    private readonly targetGroupTypes = new Map<string, unknown>();
    /** Each role's inline policies so far, as IAM sizes them: their total has a quota. */
    private readonly inlinePolicySizes = new Map<string, number>();
    /** Each file system's mount target subnets so far: one mount target per subnet. */
    private readonly mountTargetSubnets = new Map<string, Set<string>>();

    constructor(
        private readonly region: string,
        private readonly accountId: string = fakeAccountId,
    ) {}

    /** The physical name: `name` when set, else Pulumi's auto-name (AWS's limits on it: awsRules.ts). */
    private physicalName(type: string, name: string, inputs: Record<string, unknown>): string {
        return typeof inputs.name === "string" ? inputs.name : `${name}-${hash(`${type}/${name}`, pulumiAutoNameRandomLength)}`;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const { type, name } = args;
        const inputs = args.inputs as Record<string, unknown>;
        const r = this.region;
        const a = this.accountId;
        const id = (prefix: string, length = 17) => `${prefix}${hash(`${type}/${name}`, length)}`;
        const named = () => this.physicalName(type, name, inputs);
        // AWS refuses names and free text outside its character sets and lengths: so do the mocks.
        enforceAwsRules({ type, name, inputs, physicalName: named(), context: { region: r, accountId: a } });
        // fleet's own components have no provider; their state is what they register as outputs.
        if (!args.custom && type.startsWith("fleet:")) return { id: "", state: {} };
        switch (type) {
            case "awsx:ec2:Vpc": {
                const zones = Number(inputs.numberOfAvailabilityZones ?? 3);
                const subnets = (kind: string) => Array.from({ length: zones }, (_, i) => `subnet-${hash(`${name}/${kind}/${i}`, 17)}`);
                return {
                    id: id("vpc-"),
                    state: {
                        vpcId: id("vpc-"),
                        publicSubnetIds: subnets("public"),
                        privateSubnetIds: subnets("private"),
                        isolatedSubnetIds: [],
                    },
                };
            }
            case "aws:ec2/securityGroup:SecurityGroup": {
                const sg = id("sg-");
                return { id: sg, state: { ...inputs, name: named(), arn: `arn:aws:ec2:${r}:${a}:security-group/${sg}`, ownerId: a } };
            }
            case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
                const rule = id("sgr-");
                return {
                    id: rule,
                    state: { ...inputs, securityGroupRuleId: rule, arn: `arn:aws:ec2:${r}:${a}:security-group-rule/${rule}` },
                };
            }
            case "aws:lb/loadBalancer:LoadBalancer": {
                const lbName = named();
                const arnSuffix = `app/${lbName}/${hash(name, 16)}`;
                return {
                    id: `arn:aws:elasticloadbalancing:${r}:${a}:loadbalancer/${arnSuffix}`,
                    state: {
                        ...inputs,
                        name: lbName,
                        arn: `arn:aws:elasticloadbalancing:${r}:${a}:loadbalancer/${arnSuffix}`,
                        arnSuffix,
                        dnsName: `${lbName}-${parseInt(hash(name, 8), 16)}.${r}.elb.amazonaws.com`,
                        zoneId: "Z35SXDOTRQ7X7K",
                    },
                };
            }
            case "aws:lb/targetGroup:TargetGroup": {
                const tgName = named();
                const arnSuffix = `targetgroup/${tgName}/${hash(name, 16)}`;
                const arn = `arn:aws:elasticloadbalancing:${r}:${a}:${arnSuffix}`;
                this.targetGroupVersions.set(arn, inputs.protocolVersion ?? "HTTP1");
                this.targetGroupTypes.set(arn, inputs.targetType ?? "instance");
                return { id: arn, state: { ...inputs, name: tgName, arn, arnSuffix } };
            }
            case "aws:lb/listener:Listener": {
                const lbArn = String(inputs.loadBalancerArn ?? `arn:aws:elasticloadbalancing:${r}:${a}:loadbalancer/app/unknown/0`);
                const arn = `${lbArn.replace(":loadbalancer/", ":listener/")}/${hash(name, 16)}`;
                this.listenerProtocols.set(arn, inputs.protocol ?? "HTTP");
                return { id: arn, state: { ...inputs, arn } };
            }
            case "aws:lb/listenerRule:ListenerRule": {
                const listenerProtocol = this.listenerProtocols.get(String(inputs.listenerArn));
                for (const action of (inputs.actions ?? []) as { targetGroupArn?: unknown }[]) {
                    const version = this.targetGroupVersions.get(String(action.targetGroupArn));
                    const problem = listenerProtocol === undefined ? undefined : listenerRuleProtocolProblem(listenerProtocol, version);
                    if (problem)
                        throw new Error(`fleet mocks: ${type} "${name}": ${problem}; ELB refuses it — ${listenerRuleProtocolSource}`);
                }
                const arn = `${String(inputs.listenerArn).replace(":listener/", ":listener-rule/")}/${hash(name, 16)}`;
                return { id: arn, state: { ...inputs, arn } };
            }
            case "aws:ecs/cluster:Cluster": {
                const clusterName = named();
                const arn = `arn:aws:ecs:${r}:${a}:cluster/${clusterName}`;
                return { id: arn, state: { ...inputs, name: clusterName, arn } };
            }
            case "aws:ecs/capacityProvider:CapacityProvider": {
                const providerName = named();
                const arn = `arn:aws:ecs:${r}:${a}:capacity-provider/${providerName}`;
                return { id: arn, state: { ...inputs, name: providerName, arn } };
            }
            case "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":
                return { id: String(inputs.clusterName), state: { ...inputs } };
            case "aws:ecs/taskDefinition:TaskDefinition": {
                refuseBreaches(type, name, taskDefinitionVolumeBreaches(inputs));
                const arnWithoutRevision = `arn:aws:ecs:${r}:${a}:task-definition/${inputs.family}`;
                this.taskDefinitions.set(`${arnWithoutRevision}:1`, inputs);
                return { id: String(inputs.family), state: { ...inputs, arn: `${arnWithoutRevision}:1`, arnWithoutRevision, revision: 1 } };
            }
            case "aws:ecs/service:Service": {
                const serviceName = named();
                const taskDefinition = this.taskDefinitions.get(String(inputs.taskDefinition));
                if (taskDefinition)
                    refuseBreaches(
                        type,
                        name,
                        ecsServiceNetworkBreaches(taskDefinition, inputs, (arn) => this.targetGroupTypes.get(arn)),
                    );
                const connect = inputs.serviceConnectConfiguration as { enabled?: unknown } | undefined;
                const problem = connect?.enabled === true && taskDefinition ? serviceConnectTaskProblem(taskDefinition) : undefined;
                if (problem) {
                    throw new Error(
                        `fleet mocks: ${type} "${name}": serviceConnectConfiguration is enabled but its task definition ` +
                            `${String(taskDefinition!.family)} ${problem}; ECS requires task memory above the containers' ` +
                            `limits for the Service Connect agent — ${serviceConnectTaskSource}`,
                    );
                }
                const clusterName = String(inputs.cluster ?? "")
                    .split("/")
                    .pop();
                const arn = `arn:aws:ecs:${r}:${a}:service/${clusterName}/${serviceName}`;
                return { id: arn, state: { ...inputs, name: serviceName, arn } };
            }
            case "aws:iam/role:Role": {
                const roleName = named();
                return {
                    id: roleName,
                    state: { ...inputs, name: roleName, arn: `arn:aws:iam::${a}:role/${roleName}`, uniqueId: id("AROA", 17).toUpperCase() },
                };
            }
            case "aws:iam/rolePolicy:RolePolicy": {
                if (typeof inputs.policy === "string" && typeof inputs.role === "string") {
                    const total = (this.inlinePolicySizes.get(inputs.role) ?? 0) + iamPolicySize(inputs.policy);
                    this.inlinePolicySizes.set(inputs.role, total);
                    if (total > iamQuotas.roleInlinePolicies) {
                        throw new Error(
                            `fleet mocks: ${type} "${name}": the inline policies of role ${inputs.role} total ${total} ` +
                                `characters without white space; IAM allows a role at most ${iamQuotas.roleInlinePolicies} ` +
                                `— IAM and AWS STS quotas, ${iamQuotas.source}`,
                        );
                    }
                }
                return { id: `${inputs.role}:${name}`, state: { ...inputs, name } };
            }
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
                return { id: `${inputs.role}-${hash(name, 8)}`, state: { ...inputs } };
            case "aws:iam/instanceProfile:InstanceProfile": {
                const profileName = named();
                return {
                    id: profileName,
                    state: { ...inputs, name: profileName, arn: `arn:aws:iam::${a}:instance-profile/${profileName}` },
                };
            }
            case "aws:ec2/launchTemplate:LaunchTemplate": {
                const lt = id("lt-");
                return {
                    id: lt,
                    state: {
                        ...inputs,
                        name: named(),
                        arn: `arn:aws:ec2:${r}:${a}:launch-template/${lt}`,
                        latestVersion: 1,
                        defaultVersion: 1,
                    },
                };
            }
            case "aws:autoscaling/group:Group": {
                const groupName = named();
                const arn = `arn:aws:autoscaling:${r}:${a}:autoScalingGroup:${uuidOf(name, "1234")}:autoScalingGroupName/${groupName}`;
                return { id: groupName, state: { ...inputs, name: groupName, arn } };
            }
            case "aws:ecr/repository:Repository": {
                const repoName = named();
                return {
                    id: repoName,
                    state: {
                        ...inputs,
                        name: repoName,
                        arn: `arn:aws:ecr:${r}:${a}:repository/${repoName}`,
                        registryId: a,
                        repositoryUrl: `${a}.dkr.ecr.${r}.amazonaws.com/${repoName}`,
                    },
                };
            }
            case "aws:ecr/lifecyclePolicy:LifecyclePolicy":
            case "aws:ecr/pullThroughCacheRule:PullThroughCacheRule":
            case "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate":
                return {
                    id: String(inputs.repository ?? inputs.ecrRepositoryPrefix ?? inputs.prefix),
                    state: { ...inputs, registryId: a },
                };
            // A database a program of the user's own creates beside fleet (infra/program.ts `env`).
            case "aws:rds/subnetGroup:SubnetGroup": {
                const groupName = named().toLowerCase();
                return { id: groupName, state: { ...inputs, name: groupName, arn: `arn:aws:rds:${r}:${a}:subgrp:${groupName}` } };
            }
            case "aws:rds/instance:Instance": {
                const identifier = typeof inputs.identifier === "string" ? inputs.identifier : named().toLowerCase();
                const port = Number(inputs.port ?? (String(inputs.engine).startsWith("mysql") ? 3306 : 5432));
                const address = `${identifier}.c${hash(name, 12)}.${r}.rds.amazonaws.com`;
                return {
                    id: identifier,
                    state: {
                        ...inputs,
                        identifier,
                        address,
                        port,
                        endpoint: `${address}:${port}`,
                        arn: `arn:aws:rds:${r}:${a}:db:${identifier}`,
                        resourceId: `db-${hash(name, 26).toUpperCase()}`,
                    },
                };
            }
            case "aws:kms/key:Key": {
                const keyId = uuidOf(name);
                return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${r}:${a}:key/${keyId}` } };
            }
            case "aws:kms/alias:Alias":
                return { id: String(inputs.name), state: { ...inputs, arn: `arn:aws:kms:${r}:${a}:${inputs.name}` } };
            case "aws:ssm/parameter:Parameter": {
                const parameterName = String(inputs.name);
                const value = unwrapSecret(inputs.value);
                const standard = inputs.tier === undefined || inputs.tier === "Standard";
                if (standard && typeof value === "string" && value.length > ssmStandardParameterMaxCharacters) {
                    // The length only: the value is a secret.
                    throw new Error(
                        `fleet mocks: ${type} "${name}": a value of ${value.length} characters; Standard tier parameters ` +
                            `hold at most ${ssmStandardParameterMaxCharacters} — SSM, ` +
                            "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
                    );
                }
                // AWS numbers versions 1, 2, 3... and bumps it on every new value (or description);
                // without state, the fake derives it from both, so a changed value is a new version.
                const version =
                    1 + (parseInt(hash(`${JSON.stringify(unwrapSecret(inputs.value))}/${String(inputs.description ?? "")}`, 8), 16) % 9999);
                return {
                    id: parameterName,
                    state: { ...inputs, arn: `arn:aws:ssm:${r}:${a}:parameter/${parameterName.replace(/^\//, "")}`, version },
                };
            }
            case "aws:cloudwatch/logGroup:LogGroup": {
                const groupName = named();
                return { id: groupName, state: { ...inputs, name: groupName, arn: `arn:aws:logs:${r}:${a}:log-group:${groupName}` } };
            }
            case "aws:appautoscaling/target:Target":
                return {
                    id: String(inputs.resourceId),
                    state: { ...inputs, arn: `arn:aws:application-autoscaling:${r}:${a}:scalable-target/${hash(name, 20)}` },
                };
            case "aws:appautoscaling/policy:Policy":
                return {
                    id: name,
                    state: {
                        ...inputs,
                        name,
                        arn:
                            `arn:aws:autoscaling:${r}:${a}:scalingPolicy:${hash(name, 8)}:` +
                            `resource/${inputs.resourceId}:policyName/${name}`,
                    },
                };
            case "aws:appautoscaling/scheduledAction:ScheduledAction": {
                const actionName = named();
                const uuid = [hash(name, 8), hash(name + "a", 4), hash(name + "b", 4), hash(name + "c", 4), hash(name + "d", 12)].join("-");
                const resource = `resource/${inputs.resourceId}`;
                return {
                    id: actionName,
                    state: {
                        ...inputs,
                        name: actionName,
                        arn: `arn:aws:autoscaling:${r}:${a}:scheduledAction:${uuid}:${resource}:scheduledActionName/${actionName}`,
                    },
                };
            }
            case "aws:sqs/queue:Queue": {
                const queueName = named();
                const url = `https://sqs.${r}.amazonaws.com/${a}/${queueName}`;
                return { id: url, state: { ...inputs, name: queueName, url, arn: `arn:aws:sqs:${r}:${a}:${queueName}` } };
            }
            case "aws:scheduler/schedule:Schedule": {
                const scheduleName = named();
                const group = String(inputs.groupName ?? "default");
                return {
                    id: `${group}/${scheduleName}`,
                    state: {
                        ...inputs,
                        name: scheduleName,
                        groupName: group,
                        arn: `arn:aws:scheduler:${r}:${a}:schedule/${group}/${scheduleName}`,
                    },
                };
            }
            case "aws:servicediscovery/httpNamespace:HttpNamespace": {
                const namespace = id("ns-", 16);
                return {
                    id: namespace,
                    state: { ...inputs, arn: `arn:aws:servicediscovery:${r}:${a}:namespace/${namespace}`, httpName: inputs.name },
                };
            }
            case "aws:acm/certificate:Certificate": {
                const certificateId = uuidOf(name);
                const names = [
                    String(inputs.domainName),
                    ...(Array.isArray(inputs.subjectAlternativeNames) ? inputs.subjectAlternativeNames.map(String) : []),
                ];
                // ACM gives each name a CNAME under the name without its wildcard label; a wildcard and its base share it.
                const domainValidationOptions = names.map((domainName) => {
                    const base = domainName.replace(/^\*\./, "");
                    return {
                        domainName,
                        resourceRecordName: `_${hash(base, 32)}.${base}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${hash(`${base}/value`, 32)}.mhbtsbpdnt.acm-validations.aws.`,
                    };
                });
                return {
                    id: `arn:aws:acm:${r}:${a}:certificate/${certificateId}`,
                    state: {
                        ...inputs,
                        arn: `arn:aws:acm:${r}:${a}:certificate/${certificateId}`,
                        domainValidationOptions,
                        status: "PENDING_VALIDATION",
                    },
                };
            }
            case "aws:acm/certificateValidation:CertificateValidation":
                return { id: String(inputs.certificateArn), state: { ...inputs } };
            case "aws:route53/record:Record": {
                const fqdn = String(inputs.name).replace(/\.$/, "");
                const key = `${inputs.zoneId}_${fqdn}_${inputs.type}`;
                // Route 53 creates a record set with CREATE, which fails on one that exists (made by
                // hand before fleet:dns, say) unless the provider may UPSERT it (allowOverwrite).
                if (this.records.has(key) && inputs.allowOverwrite !== true) {
                    throw new Error(
                        `fleet mocks: ${type} "${name}": ${fqdn} (${String(inputs.type)}) already exists in zone ` +
                            `${String(inputs.zoneId)}; Route 53 refuses to create it again without allowOverwrite — Route 53 API ` +
                            "ChangeResourceRecordSets (CREATE: InvalidChangeBatch, it already exists), " +
                            "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html",
                    );
                }
                this.records.add(key);
                return { id: key, state: { ...inputs, fqdn } };
            }
            case "aws:efs/fileSystem:FileSystem": {
                refuseBreaches(type, name, efsFileSystemBreaches(inputs));
                const fileSystem = id("fs-");
                return {
                    id: fileSystem,
                    state: {
                        ...inputs,
                        arn: `arn:aws:elasticfilesystem:${r}:${a}:file-system/${fileSystem}`,
                        dnsName: `${fileSystem}.efs.${r}.amazonaws.com`,
                        creationToken: `${name}-${hash(name, 8)}`,
                        ownerId: a,
                    },
                };
            }
            case "aws:efs/mountTarget:MountTarget": {
                const fileSystemId = String(inputs.fileSystemId);
                const subnets = this.mountTargetSubnets.get(fileSystemId) ?? new Set<string>();
                refuseBreaches(type, name, efsMountTargetBreaches(inputs, subnets));
                if (typeof inputs.subnetId === "string") this.mountTargetSubnets.set(fileSystemId, subnets.add(inputs.subnetId));
                const mountTarget = id("fsmt-");
                return {
                    id: mountTarget,
                    state: {
                        ...inputs,
                        fileSystemArn: `arn:aws:elasticfilesystem:${r}:${a}:file-system/${fileSystemId}`,
                        networkInterfaceId: id("eni-"),
                        mountTargetDnsName: `${r}a.${fileSystemId}.efs.${r}.amazonaws.com`,
                        ownerId: a,
                    },
                };
            }
            case "aws:efs/accessPoint:AccessPoint": {
                refuseBreaches(type, name, efsAccessPointBreaches(inputs));
                const accessPoint = id("fsap-");
                return {
                    id: accessPoint,
                    state: {
                        ...inputs,
                        arn: `arn:aws:elasticfilesystem:${r}:${a}:access-point/${accessPoint}`,
                        fileSystemArn: `arn:aws:elasticfilesystem:${r}:${a}:file-system/${inputs.fileSystemId}`,
                        ownerId: a,
                    },
                };
            }
            case "aws:efs/fileSystemPolicy:FileSystemPolicy":
                refuseBreaches(type, name, efsFileSystemPolicyBreaches(inputs));
                return { id: String(inputs.fileSystemId), state: { ...inputs } };
            case "random:index/randomPassword:RandomPassword":
                return { id: "none", state: { ...inputs, result: `mock-${hash(name, Number(inputs.length ?? 16))}`, bcryptHash: "mock" } };
            case "docker-build:index:Image": {
                // What a build reads decides its digest; registry credentials do not (and are secret).
                const { registries: _credentials, ...build } = inputs;
                const tags = (Array.isArray(inputs.tags) ? inputs.tags : []).map(String);
                if (inputs.push === true && tags.length === 0)
                    throw new Error(`fleet mocks: image ${name} is pushed with no tag; the registry export needs one`);
                const digest = `sha256:${hash(JSON.stringify(build), 64)}`;
                // Repositories keep tags immutable: a second image under a tag already pushed is refused.
                for (const tag of tags) {
                    const pushed = this.pushedTags.get(tag);
                    if (inputs.push === true && pushed !== undefined && pushed !== digest) {
                        throw new Error(
                            `fleet mocks: ${type} "${name}": pushes a second image under ${tag}, which holds another already; ` +
                                "a repository with immutable tags refuses it (ImageTagAlreadyExistsException) — ECR User Guide, " +
                                "Image tag mutability, https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
                        );
                    }
                    this.pushedTags.set(tag, digest);
                }
                return {
                    id: `${name}-${hash(JSON.stringify(build), 8)}`,
                    state: {
                        ...inputs,
                        digest,
                        // As the provider reports a pushed image: its first tag, pinned to the digest.
                        ref: tags.length > 0 ? `${tags[0]}@${digest}` : "",
                        contextHash: hash(
                            JSON.stringify([inputs.context, inputs.dockerfile, inputs.buildArgs, inputs.platforms, tags]),
                            64,
                        ),
                    },
                };
            }
            default:
                throw new Error(`fleet mocks: no fake for resource type ${type} (${name}); add one to plan/mocks.ts`);
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = args.inputs as Record<string, unknown>;
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId: this.accountId,
                    arn: `arn:aws:iam::${this.accountId}:user/plan`,
                    userId: "AIDAPLAN",
                    id: this.accountId,
                };
            case "aws:index/getRegion:getRegion":
                return {
                    name: this.region,
                    region: this.region,
                    id: this.region,
                    endpoint: `ec2.${this.region}.amazonaws.com`,
                    description: this.region,
                };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:ssm/getParameter:getParameter": {
                const name = String(inputs.name);
                if (name.startsWith("/aws/service/ecs/optimized-ami/")) {
                    // A public String parameter: pulumi-aws returns it in `value` (always marked
                    // secret) and in `insecureValue` (not marked).
                    const ami = `ami-${hash(name, 17)}`;
                    return {
                        name,
                        value: ami,
                        type: "String",
                        arn: `arn:aws:ssm:${this.region}::parameter${name}`,
                        id: name,
                        version: 1,
                        insecureValue: ami,
                    };
                }
                // A parameter a service references with `existing`: read for its version only,
                // without decryption (a SecureString then comes back as ciphertext, never in the plan).
                if (inputs.withDecryption !== false)
                    throw new Error(`fleet mocks: SSM parameter ${name} read with decryption; fleet reads only versions`);
                // Parameter Store is regional: the provider's SSM endpoint holds its own region's
                // parameters, and an ARN names the region its parameter lives in.
                const parameterRegion = arnRegion(name);
                if (parameterRegion !== undefined && parameterRegion !== this.region)
                    throw new Error(
                        `fleet mocks: SSM parameter ${name} is in ${parameterRegion}; ` +
                            `GetParameter in ${this.region} reads only that region's parameters`,
                    );
                const arn = name.startsWith("arn:")
                    ? name
                    : `arn:aws:ssm:${this.region}:${this.accountId}:parameter/${name.replace(/^\//, "")}`;
                return {
                    name,
                    value: "AQICAHmock-ciphertext",
                    type: "SecureString",
                    arn,
                    id: name,
                    version: 1 + (parseInt(hash(name, 4), 16) % 20),
                    insecureValue: "",
                };
            }
            case "aws:secretsmanager/getSecretVersions:getSecretVersions": {
                // A secret a service references by ARN: its version ids and labels (ListSecretVersionIds), never its value.
                const secretId = String(inputs.secretId);
                const secret = secretArnParts(secretId);
                if (!secret || secret.fields)
                    throw new Error(`fleet mocks: secret ${secretId} is not named by its ARN; fleet reads secrets by their full ARN`);
                // Secrets Manager is regional: the provider's endpoint holds its own region's secrets (and replicas).
                if (secret.region !== this.region)
                    throw new Error(
                        `fleet mocks: secret ${secretId} is in ${secret.region}; ` +
                            `ListSecretVersionIds in ${this.region} reads only that region's secrets`,
                    );
                const name = secret.complete ? secret.name.slice(0, -7) : secret.name;
                return {
                    arn: secret.arn,
                    secretArn: secret.arn,
                    name,
                    secretName: name,
                    secretId,
                    region: this.region,
                    id: secret.arn,
                    versions: [
                        {
                            versionId: uuidOf(`${secret.arn}/current`),
                            versionStages: ["AWSCURRENT"],
                            createdTime: "2026-01-01T00:00:00Z",
                            lastAccessedDate: "2026-01-01T00:00:00Z",
                        },
                        {
                            versionId: uuidOf(`${secret.arn}/previous`),
                            versionStages: ["AWSPREVIOUS"],
                            createdTime: "2025-12-01T00:00:00Z",
                            lastAccessedDate: "2026-01-01T00:00:00Z",
                        },
                    ],
                };
            }
            case "aws:secretsmanager/getSecretVersion:getSecretVersion":
                // GetSecretValue: the value would land in the program's outputs and the plan.
                throw new Error(`fleet mocks: secret ${String(inputs.secretId)} read with its value; fleet reads only versions`);
            case "aws:route53/getZone:getZone": {
                const zone = String(inputs.name ?? "").replace(/\.$/, "");
                const zoneId = `Z${hash(zone, 20).toUpperCase()}`;
                return {
                    id: zoneId,
                    zoneId,
                    name: zone,
                    privateZone: inputs.privateZone === true,
                    nameServers: [],
                    arn: `arn:aws:route53:::hostedzone/${zoneId}`,
                };
            }
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                return {
                    authorizationToken: "bW9jazptb2Nr",
                    userName: "AWS",
                    password: "mock-ecr-password",
                    proxyEndpoint: `https://${this.accountId}.dkr.ecr.${this.region}.amazonaws.com`,
                    expiresAt: "2099-01-01T00:00:00Z",
                    id: this.region,
                };
            default:
                throw new Error(`fleet mocks: no fake for invoke ${args.token}; add one to plan/mocks.ts`);
        }
    }
}

export interface MockRuntime {
    readonly mocks: FleetMocks;
    /** Every resource registered so far, in registration order. */
    readonly resources: RecordedResource[];
    /** Errors raised while registering (an unfaked type, a name over AWS's limit). */
    readonly errors: Error[];
}

/**
 * Installs fleet's mocks as Pulumi's runtime and records every registration with its parent and
 * `protect` (the mock monitor's own callback does not see them).
 */
export function installMocks(options: {
    project: string;
    stack: string;
    region: string;
    config?: Record<string, string>;
    secretKeys?: string[];
    preview?: boolean;
}): MockRuntime {
    if (options.config) pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
    const mocks = new FleetMocks(options.region);
    void pulumi.runtime.setMocks(mocks, options.project, options.stack, options.preview ?? true);
    const resources: RecordedResource[] = [];
    const errors: Error[] = [];
    // The monitor is Pulumi's MockMonitor; wrap its registerResource to see the request itself.
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: any, callback: (err: any, response: any) => void): Promise<void>;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, response) => {
            if (err) {
                errors.push(err instanceof Error ? err : new Error(String(err)));
            } else {
                const rawInputs = pulumi.runtime.deserializeProperties(req.getObject()) as Record<string, unknown>;
                resources.push({
                    urn: response.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent() || undefined,
                    inputs: maskSecrets(rawInputs) as Record<string, unknown>,
                    rawInputs,
                    protect: req.getProtect() ?? false,
                    ignoreChanges: req.getIgnorechangesList(),
                    dependencies: [...req.getDependenciesList()].sort(),
                    propertyDependencies: propertyDependenciesOf(req),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    ...(req.hasReplacementTrigger() ? { replacementTrigger: req.getReplacementTrigger()!.toJavaScript() } : {}),
                });
            }
            callback(err, response);
        });
    return { mocks, resources, errors };
}

/** A registration's property dependencies, property → sorted URNs, without empty entries. */
function propertyDependenciesOf(req: {
    getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void };
}): Record<string, string[]> {
    const entries: [string, string[]][] = [];
    req.getPropertydependenciesMap().forEach((urns, property) => {
        const list = [...urns.getUrnsList()].sort();
        if (list.length > 0) entries.push([property, list]);
    });
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** Resolves a value containing Outputs, masking secrets. Awaited, never asserted inside an apply. */
export async function settle(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        if (await pulumi.isSecret(output)) return "[secret]";
        // Output.promise(withUnknowns) is the SDK's own awaitable; an unknown value (possible in a
        // preview) resolves to the unknown sentinel instead of never calling back like apply would.
        const resolved = await (output as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true);
        return pulumi.isUnknown(resolved) ? "[unknown]" : settle(resolved);
    }
    if (value instanceof Promise) return settle(await value);
    if (Array.isArray(value)) return Promise.all(value.map(settle));
    if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await settle(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}
