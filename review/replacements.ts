/**
 * Which input changes replace a resource instead of updating it, per resource type fleet
 * registers. pulumi-aws is generated from terraform-provider-aws: an attribute with
 * `ForceNew: true` (SDKv2) or a `RequiresReplace` plan modifier (plugin framework) replaces, and a
 * `CustomizeDiff` can force it conditionally; `source` names the provider file each entry was read
 * from. Also recorded per type: which input holds a physical name fleet fixes (so a replacement that
 * keeps it cannot create before it deletes), and what a replacement destroys for stateful types.
 */

/** A resource's inputs as the plan records them. */
export type Inputs = Readonly<Record<string, unknown>>;

/** A replacing input that replaces only under a condition the provider checks at plan time. */
export interface ConditionalInput {
    /** Input path; `[]` stands for any index. */
    readonly path: string;
    /** Whether a change at this path replaces, given the inputs before and after. */
    readonly when: (before: Inputs, after: Inputs) => boolean;
}

/** A replacing input: an input path (`[]` for any index) or a conditional one. */
export type ReplacingInput = string | ConditionalInput;

/**
 * How a second resource with the same fixed name fares:
 * - `unique`: AWS refuses to create it while the old one exists;
 * - `overwrite`: creating it takes over the old one in place, so deleting the old one afterwards
 *   removes the new one too;
 * - `revision`: AWS adds a revision under the same name (nothing collides).
 */
export type NameReuse = "unique" | "overwrite" | "revision";

export interface ReplacementRule {
    /** Inputs whose change replaces the resource, or every input except the listed top-level ones. */
    readonly replaces: readonly ReplacingInput[] | { readonly allExcept: readonly string[] };
    /** The input holding a physical name fleet sets itself (not auto-named by Pulumi). */
    readonly fixedName?: { readonly input: string; readonly reuse: NameReuse };
    /** What a replacement destroys, for types that hold state. */
    readonly stateful?: string;
    /** Where the rule was read: a provider source file, with what matters in it. */
    readonly source: string;
}

const tfAws = "hashicorp/terraform-provider-aws";

const isEmpty = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.length === 0);
const lengthOf = (value: unknown) => (Array.isArray(value) ? value.length : 0);

/** Which of the mutually exclusive sources a security group rule names. */
function ruleSource(inputs: Inputs): string | undefined {
    return ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"].find((key) => !isEmpty(inputs[key]));
}

/** A security group rule's source may change value in place, but not kind (ModifyPlan). */
const ruleSourceKind: ReplacingInput[] = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"].map((path) => ({
    path,
    when: (before, after) => ruleSource(before) !== ruleSource(after),
}));

const securityGroupRule: ReplacementRule = {
    replaces: ["securityGroupId", ...ruleSourceKind],
    source:
        `${tfAws} internal/service/ec2/vpc_security_group_ingress_rule.go (shared by vpc_security_group_egress_rule.go): ` +
        "security_group_id RequiresReplace; ModifyPlan replaces when the " +
        "source attribute changes kind; ports, protocol, description update in place",
};

/** Subnet mappings of an ALB may only be added or removed in place (customizeDiffLoadBalancerALB). */
function subnetMappingsReplace(before: Inputs, after: Inputs): boolean {
    if ((after.loadBalancerType ?? "application") !== "application") return true;
    const key = (mapping: unknown) => JSON.stringify(mapping);
    const olds = new Set(((before.subnetMappings ?? []) as unknown[]).map(key));
    const news = new Set(((after.subnetMappings ?? []) as unknown[]).map(key));
    const kept = [...news].filter((mapping) => olds.has(mapping)).length;
    if (news.size === olds.size) return true;
    return news.size < olds.size ? kept !== news.size : kept !== olds.size;
}

/**
 * The table, keyed by Pulumi type token. Paths use Pulumi's camelCase input names, as in the plan.
 * Types not listed never replace on an input change (fleet's components; awsx's remote VPC, whose
 * children are not in the plan).
 */
export const replacementRules: Readonly<Record<string, ReplacementRule>> = {
    "aws:ec2/securityGroup:SecurityGroup": {
        replaces: ["description", "name", "namePrefix", "vpcId"],
        source:
            `${tfAws} internal/service/ec2/vpc_security_group.go: description, ` +
            `name, name_prefix, vpc_id ForceNew; inline rules and tags update`,
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule,
    "aws:lb/loadBalancer:LoadBalancer": {
        replaces: [
            "customerOwnedIpv4Pool",
            "internal",
            "loadBalancerType",
            "name",
            "namePrefix",
            { path: "subnetMappings", when: subnetMappingsReplace },
            // Network load balancers only: fewer subnets, or security groups added to or removed from none.
            {
                path: "subnets",
                when: (before, after) => after.loadBalancerType === "network" && lengthOf(after.subnets) <= lengthOf(before.subnets),
            },
            {
                path: "securityGroups",
                when: (before, after) =>
                    after.loadBalancerType === "network" && isEmpty(before.securityGroups) !== isEmpty(after.securityGroups),
            },
        ],
        stateful: "a new load balancer, with a new DNS name: traffic to the old one stops",
        source:
            `${tfAws} internal/service/elbv2/load_balancer.go: ` +
            `customer_owned_ipv4_pool, internal, load_balancer_type, name, ` +
            `name_prefix ForceNew; ` +
            "customizeDiffLoadBalancerALB/NLB force subnet_mapping, and for NLB subnets and security_groups, conditionally",
    },
    "aws:lb/targetGroup:TargetGroup": {
        replaces: ["ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId"],
        source:
            `${tfAws} internal/service/elbv2/target_group.go: ip_address_type, ` +
            `name, name_prefix, port, protocol, protocol_version, target_type, ` +
            `vpc_id ForceNew; health_check updates`,
    },
    "aws:lb/listener:Listener": {
        replaces: ["loadBalancerArn"],
        source: `${tfAws} internal/service/elbv2/listener.go: load_balancer_arn ForceNew; port, protocol, certificate, actions update`,
    },
    "aws:lb/listenerRule:ListenerRule": {
        replaces: ["listenerArn"],
        source:
            `${tfAws} internal/service/elbv2/listener_rule.go: listener_arn ` +
            `ForceNew; priority explicitly ForceNew: false (SetRulePriorities)`,
    },
    "aws:ecs/cluster:Cluster": {
        replaces: ["name"],
        source: `${tfAws} internal/service/ecs/cluster.go: name ForceNew; setting, configuration update`,
    },
    "aws:ecs/capacityProvider:CapacityProvider": {
        replaces: ["autoScalingGroupProvider.autoScalingGroupArn", "cluster", "managedInstancesProvider", "name"],
        source:
            `${tfAws} internal/service/ecs/capacity_provider.go: name, cluster, ` +
            `auto_scaling_group_provider.auto_scaling_group_arn, ` +
            `managed_instances_provider ForceNew; ` +
            "managed_scaling, managed_draining, managed_termination_protection update (expandAutoScalingGroupProviderUpdate)",
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {
        replaces: ["clusterName"],
        fixedName: { input: "clusterName", reuse: "overwrite" },
        source:
            `${tfAws} internal/service/ecs/cluster_capacity_providers.go: ` +
            `cluster_name ForceNew; one per cluster (PutClusterCapacityProviders), ` +
            `delete empties the cluster's list`,
    },
    "aws:ecs/taskDefinition:TaskDefinition": {
        // Every revision is immutable: anything but these client-side or tag inputs registers a new one.
        replaces: { allExcept: ["skipDestroy", "tags", "trackLatest"] },
        fixedName: { input: "family", reuse: "revision" },
        source: `${tfAws} internal/service/ecs/task_definition.go: every argument ForceNew except skip_destroy, tags, track_latest`,
    },
    "aws:ecs/service:Service": {
        replaces: [
            "cluster",
            "deploymentController.type",
            "iamRole",
            "launchType",
            "name",
            "schedulingStrategy",
            // Replaces unless forceNewDeployment is on and neither side is empty (newer providers refuse the change instead).
            {
                path: "capacityProviderStrategies",
                when: (before, after) =>
                    after.forceNewDeployment !== true ||
                    isEmpty(before.capacityProviderStrategies) ||
                    isEmpty(after.capacityProviderStrategies),
            },
        ],
        source:
            `${tfAws} internal/service/ecs/service.go: cluster, ` +
            `deployment_controller.type, iam_role, launch_type, name, ` +
            `scheduling_strategy ForceNew; ` +
            "capacityProviderStrategyCustomizeDiff forces capacity_provider_strategy unless force_new_deployment (issue #11351)",
    },
    "aws:iam/role:Role": {
        replaces: ["name", "namePrefix", "path"],
        source: `${tfAws} internal/service/iam/role.go: name, name_prefix, path ForceNew; assume_role_policy, description update`,
    },
    "aws:iam/rolePolicy:RolePolicy": {
        replaces: ["name", "namePrefix", "role"],
        source: `${tfAws} internal/service/iam/role_policy.go: name, name_prefix, role ForceNew; policy updates (PutRolePolicy)`,
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        replaces: ["policyArn", "role"],
        source: `${tfAws} internal/service/iam/role_policy_attachment.go: policy_arn, role ForceNew (no update)`,
    },
    "aws:iam/instanceProfile:InstanceProfile": {
        replaces: ["name", "namePrefix", "path"],
        source: `${tfAws} internal/service/iam/instance_profile.go: name, name_prefix, path ForceNew; role updates`,
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        replaces: ["name", "namePrefix"],
        source: `${tfAws} internal/service/ec2/ec2_launch_template.go: name, name_prefix ForceNew; everything else is a new version`,
    },
    "aws:autoscaling/group:Group": {
        replaces: ["initialLifecycleHooks", "name", "namePrefix"],
        source:
            `${tfAws} internal/service/autoscaling/group.go: name, name_prefix, ` +
            `initial_lifecycle_hook ForceNew; launch_template, sizes, tags update`,
    },
    "aws:ecr/repository:Repository": {
        replaces: ["encryptionConfigurations", "name"],
        fixedName: { input: "name", reuse: "unique" },
        stateful: "its images are deleted with it",
        source:
            `${tfAws} internal/service/ecr/repository.go: name, ` +
            `encryption_configuration (and its encryption_type, kms_key) ForceNew; ` +
            `image_scanning_configuration, image_tag_mutability update`,
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
        replaces: ["policy", "repository"],
        fixedName: { input: "repository", reuse: "overwrite" },
        source:
            `${tfAws} internal/service/ecr/lifecycle_policy.go: policy, repository ` +
            `ForceNew (no update); id is the repository name, delete is ` +
            `DeleteLifecyclePolicy on it`,
    },
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": {
        replaces: ["ecrRepositoryPrefix", "upstreamRegistryUrl", "upstreamRepositoryPrefix"],
        fixedName: { input: "ecrRepositoryPrefix", reuse: "unique" },
        source:
            `${tfAws} internal/service/ecr/pull_through_cache_rule.go: ` +
            `ecr_repository_prefix, upstream_registry_url, ` +
            `upstream_repository_prefix ForceNew; credential_arn, custom_role_arn update`,
    },
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": {
        replaces: ["prefix"],
        fixedName: { input: "prefix", reuse: "unique" },
        source: `${tfAws} internal/service/ecr/repository_creation_template.go: prefix ForceNew; everything else updates`,
    },
    "aws:kms/key:Key": {
        replaces: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"],
        stateful: "the old key is scheduled for deletion: whatever is still encrypted under it becomes unreadable",
        source:
            `${tfAws} internal/service/kms/key.go: custom_key_store_id, ` +
            `customer_master_key_spec, key_usage, multi_region, xks_key_id ` +
            `ForceNew; description, rotation, deletion window update`,
    },
    "aws:kms/alias:Alias": {
        replaces: ["name", "namePrefix"],
        fixedName: { input: "name", reuse: "unique" },
        source: `${tfAws} internal/service/kms/alias.go: name, name_prefix ForceNew; target_key_id updates`,
    },
    "aws:ssm/parameter:Parameter": {
        replaces: ["dataType", "name", { path: "tier", when: (before, after) => before.tier === "Advanced" && after.tier === "Standard" }],
        fixedName: { input: "name", reuse: "unique" },
        stateful: "its version history is lost",
        source:
            `${tfAws} internal/service/ssm/parameter.go: name, data_type ForceNew; ` +
            `tier forced only from Advanced to Standard; value, type, key_id, ` +
            `description update`,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        replaces: ["logGroupClass", "name", "namePrefix"],
        fixedName: { input: "name", reuse: "unique" },
        stateful: "its log events are deleted",
        source:
            `${tfAws} internal/service/logs/group.go: name, name_prefix, ` +
            `log_group_class ForceNew; retention_in_days, kms_key_id update`,
    },
    "aws:appautoscaling/target:Target": {
        replaces: ["resourceId", "scalableDimension", "serviceNamespace"],
        source:
            `${tfAws} internal/service/appautoscaling/target.go: resource_id, ` +
            `scalable_dimension, service_namespace ForceNew; capacities update`,
    },
    "aws:appautoscaling/policy:Policy": {
        replaces: ["name", "resourceId", "scalableDimension", "serviceNamespace"],
        source:
            `${tfAws} internal/service/appautoscaling/policy.go: name, ` +
            `resource_id, scalable_dimension, service_namespace ForceNew; policy ` +
            `configuration updates`,
    },
    "aws:appautoscaling/scheduledAction:ScheduledAction": {
        replaces: ["name", "resourceId", "scalableDimension", "serviceNamespace"],
        source:
            `${tfAws} internal/service/appautoscaling/scheduled_action.go: name, resource_id, scalable_dimension, ` +
            "service_namespace ForceNew; schedule, timezone, scalable_target_action update",
    },
    "aws:sqs/queue:Queue": {
        replaces: ["name", "namePrefix", "fifoQueue"],
        stateful: "the messages on it are lost",
        source: `${tfAws} internal/service/sqs/queue.go: name, name_prefix, fifo_queue ForceNew; retention, encryption and policies update`,
    },
    "aws:scheduler/schedule:Schedule": {
        replaces: ["groupName", "name", "namePrefix"],
        source:
            `${tfAws} internal/service/scheduler/schedule.go: group_name, name, name_prefix ForceNew; ` +
            "expression, timezone and target update",
    },
    "aws:servicediscovery/httpNamespace:HttpNamespace": {
        replaces: ["description", "name"],
        fixedName: { input: "name", reuse: "unique" },
        source: `${tfAws} internal/service/servicediscovery/http_namespace.go: name, description ForceNew; tags update`,
    },
    "aws:acm/certificate:Certificate": {
        replaces: ["certificateAuthorityArn", "domainName", "keyAlgorithm", "subjectAlternativeNames", "validationMethod"],
        source:
            `${tfAws} internal/service/acm/certificate.go: ` +
            `certificate_authority_arn, domain_name, key_algorithm, ` +
            `subject_alternative_names, validation_method ForceNew; options and ` +
            `tags update`,
    },
    "aws:acm/certificateValidation:CertificateValidation": {
        replaces: ["certificateArn", "validationRecordFqdns"],
        source: `${tfAws} internal/service/acm/certificate_validation.go: certificate_arn, validation_record_fqdns ForceNew`,
    },
    "aws:route53/record:Record": {
        replaces: ["name", "zoneId"],
        source:
            `${tfAws} internal/service/route53/record.go: name, zone_id ForceNew; ` +
            `type, records, alias and ttl update (UPSERT, or DELETE and CREATE in ` +
            `one change batch when type changes)`,
    },
    "aws:efs/fileSystem:FileSystem": {
        replaces: ["availabilityZoneName", "creationToken", "encrypted", "kmsKeyId", "performanceMode"],
        stateful: "a new, empty file system: every file on the old one is deleted with it",
        source:
            `${tfAws} internal/service/efs/file_system.go: availability_zone_name, creation_token, encrypted, ` +
            "kms_key_id, performance_mode ForceNew; throughput, lifecycle policies, protection and tags update",
    },
    "aws:efs/mountTarget:MountTarget": {
        replaces: ["fileSystemId", "ipAddress", "ipAddressType", "ipv6Address", "subnetId"],
        source:
            `${tfAws} internal/service/efs/mount_target.go: file_system_id, ip_address, ip_address_type, ipv6_address, ` +
            "subnet_id ForceNew; security_groups update",
    },
    "aws:efs/accessPoint:AccessPoint": {
        replaces: ["fileSystemId", "posixUser", "rootDirectory"],
        source: `${tfAws} internal/service/efs/access_point.go: file_system_id, posix_user, root_directory ForceNew; tags update`,
    },
    "aws:efs/fileSystemPolicy:FileSystemPolicy": {
        replaces: ["fileSystemId"],
        source: `${tfAws} internal/service/efs/file_system_policy.go: file_system_id ForceNew; policy and the lockout check update`,
    },
    // A database a program of the user's own creates beside the fleet (docs/program.md).
    "aws:rds/subnetGroup:SubnetGroup": {
        replaces: ["name", "namePrefix"],
        source: `${tfAws} internal/service/rds/subnet_group.go: name, name_prefix ForceNew; subnet_ids and description update`,
    },
    "aws:rds/instance:Instance": {
        replaces: [
            "identifier",
            "identifierPrefix",
            "availabilityZone",
            "dbName",
            "engine",
            "storageEncrypted",
            "kmsKeyId",
            "username",
            "characterSetName",
            "snapshotIdentifier",
            "timezone",
        ],
        stateful: "its data, unless a final snapshot is kept",
        source:
            `${tfAws} internal/service/rds/instance.go: identifier, identifier_prefix, availability_zone, db_name, ` +
            "engine (other than a major version upgrade), storage_encrypted, kms_key_id, username, character_set_name, " +
            "snapshot_identifier, timezone ForceNew; instance class, storage, password and parameters update",
    },
    "aws:sns/topic:Topic": {
        replaces: ["name", "namePrefix", "fifoTopic"],
        source: `${tfAws} internal/service/sns/topic.go: name, name_prefix, fifo_topic ForceNew; policy, kms_master_key_id update`,
    },
    "aws:sns/topicSubscription:TopicSubscription": {
        replaces: ["endpoint", "protocol", "topic", "endpointAutoConfirms"],
        source:
            `${tfAws} internal/service/sns/topic_subscription.go: endpoint, protocol, topic_arn, endpoint_auto_confirms ` +
            "ForceNew (an email address subscribes again and must confirm again); filter and delivery policies update",
    },
    "aws:sns/topicPolicy:TopicPolicy": {
        replaces: ["arn"],
        source: `${tfAws} internal/service/sns/topic_policy.go: arn ForceNew; policy updates`,
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        replaces: ["name"],
        source: `${tfAws} internal/service/cloudwatch/metric_alarm.go: alarm_name ForceNew; metric, threshold and actions update`,
    },
    "aws:cloudwatch/eventRule:EventRule": {
        replaces: ["name", "namePrefix", "eventBusName"],
        source: `${tfAws} internal/service/events/rule.go: name, name_prefix, event_bus_name ForceNew; event_pattern updates`,
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        replaces: ["rule", "targetId", "eventBusName"],
        source: `${tfAws} internal/service/events/target.go: rule, target_id, event_bus_name ForceNew; arn and input update`,
    },
    "random:index/randomPassword:RandomPassword": {
        replaces: { allExcept: [] },
        stateful: "a new value is generated: the secret rotates",
        source:
            "hashicorp/terraform-provider-random " +
            "internal/provider/resource_password.go: every argument " +
            'RequiresReplace (keepers when not null, override_special unless "" to null)',
    },
    "docker:index/image:Image": {
        replaces: [],
        source: "pulumi/pulumi-docker provider/provider.go: Diff reports updates only (a rebuild and push); Delete does nothing",
    },
    "docker-build:index:Image": {
        replaces: [],
        source: "pulumi/pulumi-docker-build provider/internal/image.go: Diff marks every changed input as an update (a rebuild)",
    },
};

/** The rule for a type, or undefined when changes to it never replace it. */
export function replacementRule(type: string): ReplacementRule | undefined {
    return replacementRules[type];
}

/** `containerDefinitions[0].memory` → `containerDefinitions[].memory`. */
const anyIndex = (path: string) => path.replace(/\[(\d+|\*)\]/g, "[]");

/** Whether `path` is `root` or lies below it, any index matching `[]` or `[*]`. */
export function within(path: string, root: string): boolean {
    const p = anyIndex(path);
    const r = anyIndex(root);
    return p === r || p.startsWith(`${r}.`) || p.startsWith(`${r}[`);
}

/**
 * Whether a change at `changed` touches the input at `rule`: at it, below it, or above it (a whole
 * block added, removed or retyped carries the input with it).
 */
export function touches(changed: string, rule: string): boolean {
    return within(changed, rule) || within(rule, changed);
}

/**
 * The changed paths that force `type` to be replaced (paths as `changedPaths` in review/diff.ts
 * writes them). Conditional rules are judged on `inputs` when given, and count as replacing when
 * not, since a reviewer is better warned than surprised.
 */
export function replacementPaths(
    type: string,
    changedPaths: readonly string[],
    inputs?: { readonly before: Inputs; readonly after: Inputs },
): string[] {
    const rule = replacementRule(type);
    if (!rule) return [];
    const replaces = rule.replaces;
    if ("allExcept" in replaces) return changedPaths.filter((path) => !replaces.allExcept.some((except) => within(path, except)));
    return changedPaths.filter((path) =>
        replaces.some((input) =>
            typeof input === "string"
                ? touches(path, input)
                : touches(path, input.path) && (!inputs || input.when(inputs.before, inputs.after)),
        ),
    );
}
