/**
 * AWS numbers and fleet thresholds, each defined once: validation (model/), resources (infra/),
 * the policy rules and the review import them from here. No imports: the policy pack loads only
 * its own folder, and this is part of it.
 */

/** CPU units in one vCPU, as ECS counts them (ContainerDefinition.cpu, TaskDefinition.cpu). */
export const cpuUnitsPerVcpu = 1024;

/**
 * Seconds ECS waits between SIGTERM and SIGKILL when a container sets no stopTimeout
 * (ECS ContainerDefinition.stopTimeout; agent ECS_CONTAINER_STOP_TIMEOUT).
 */
export const ecsDefaultStopTimeoutSeconds = 30;
/** Fargate's maximum stopTimeout (ECS ContainerDefinition.stopTimeout). */
export const fargateMaxStopTimeoutSeconds = 120;

/**
 * Target-group deregistration delay. AWS accepts 0-3600 s and defaults to 300 s
 * (TargetGroupAttribute deregistration_delay.timeout_seconds). fleet refuses under 5 s (in-flight
 * requests are cut when a task stops) and defaults to 15 s, never above the container's stop
 * timeout (the container would be killed while the ALB still sends it requests).
 */
export const deregistrationDelay = { awsMax: 3600, awsDefault: 300, fleetMin: 5, fleetDefault: 15 } as const;

/**
 * AWS's default target-group health check for HTTP instance/ip targets
 * (TargetGroup HealthCheckIntervalSeconds, HealthCheckTimeoutSeconds, HealthyThresholdCount).
 */
export const awsDefaultHealthCheck = { intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5 } as const;

/** The ports the load balancer listens on, and the only ones a security group may open to the internet (EC2.18/EC2.19). */
export const webPorts = { http: 80, https: 443 } as const;

/** An application load balancer needs subnets in at least two availability zones (ELB CreateLoadBalancer; Security Hub ELB.13). */
export const minimumLoadBalancerZones = 2;

/** Availability zones an `awsx.ec2.Vpc` spans when `numberOfAvailabilityZones` is not set (awsx's default). */
export const awsxDefaultAvailabilityZones = 3;

/**
 * fleet's rolling deployments: every task stays up while a full new copy starts
 * (ECS deploymentMinimumHealthyPercent / deploymentMaximumPercent).
 */
export const rollingDeployment = { minimumHealthyPercent: 100, maximumPercent: 200 } as const;

/**
 * A `recreate` deployment: ECS stops the running tasks before it starts the new ones ("If
 * minimumHealthyPercent is 0 ... the scheduler can stop all the running tasks before starting new
 * ones"; maximumPercent 100 lets no new task start beside an old one: ECS API DeploymentConfiguration,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
 */
export const recreateDeployment = { minimumHealthyPercent: 0, maximumPercent: 100 } as const;

/** Below this share of registered memory reserved by tasks, EC2 capacity is flagged as oversized (fleet's threshold, review/advisor.ts). */
export const lowReservedMemoryUtilisation = 0.5;

/** fleet's target-group health check, tuned for fast rollouts: healthy after 2 × 10 s, not AWS's 5 × 30 s. */
export const fleetHealthCheck = { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3 } as const;

/** AWS tag values are at most 256 characters (every service that tags; the mocks enforce it in plan/awsRules.ts). */
export const awsTagValueMaxLength = 256;

/**
 * The ALB's TLS policy unless the stack names another: TLS 1.3, with TLS 1.2 still accepted for
 * older clients and TLS 1.0/1.1 refused (ELB.17).
 */
export const defaultSslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** A container `user` that is root: the name, uid 0, with or without a group (ECS.20). */
export const rootUserPattern = /^(root|0)(:.*)?$/;

/** An ECR private registry host: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`. */
export const ecrRegistryHostPattern = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** A value as it travels in config and plans: JSON when it parses (documents, structured config), the string itself otherwise. */
export function parseJsonOrString(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * What ops (the day-two tools) relies on when it reads the live account:
 * - CloudWatch keeps 1-hour data points 455 days (CloudWatch API reference, GetMetricData and
 *   GetMetricStatistics: "Amazon CloudWatch retains metric data as follows");
 * - GetMetricData takes at most 500 metrics per request (same page);
 * - ECS's Describe calls take at most 10 services (DescribeServices), 100 clusters
 *   (DescribeClusters) and 100 tasks (DescribeTasks) (ECS API reference);
 * - "stopped tasks appear in the returned results for at least one hour" (ECS API reference,
 *   DescribeTasks): older OOM kills are not in ECS's answer.
 */
export const cloudWatchHourlyRetentionDays = 455;
export const getMetricDataMaxQueries = 500;
export const ecsDescribeBatch = { services: 10, clusters: 100, tasks: 100 } as const;
export const ecsStoppedTaskVisibilityHours = 1;

/**
 * A job's retry policy when its task cannot be started (EventBridge Scheduler RetryPolicy: 0-185
 * attempts, default 185; event age 60-86400 s, default 86400): three more tries within an hour,
 * then the dead-letter queue, rather than a nightly job starting a day late.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
 */
export const jobRetryPolicy = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } as const;

/** SQS's longest message retention, 14 days (CreateQueue MessageRetentionPeriod: 60-1,209,600 s): a failed run stays to be looked at. */
export const sqsMaxRetentionSeconds = 1_209_600;

/**
 * Domain names (the domain name and its subject alternative names) per ACM certificate, by
 * default; AWS raises it on request (ACM quotas: https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html,
 * "Domain names per ACM certificate": 10). fleet:dns refuses a certificate above it at plan time.
 */
export const acmDefaultNamesPerCertificate = 10;

/**
 * What the Service Connect agent (Envoy) ECS adds to a task needs on top of the application: AWS
 * recommends adding 256 CPU units and 64 MiB of memory to the task for it (ECS developer guide,
 * "Service Connect", task definition considerations). fleet sizes Fargate tasks of services that
 * take part in Service Connect with it, so the agent never starves the container.
 */
export const serviceConnectAgent = { cpu: 256, memoryMiB: 64 } as const;

/**
 * IAM's quotas on policy documents (IAM and AWS STS quotas): a role's inline policies together at
 * most 10,240 characters and its trust policy at most 2,048 (the default quota), white space not
 * counted.
 */
export const iamQuotas = {
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
    roleInlinePolicies: 10_240,
    trustPolicy: 2_048,
} as const;

/** A policy document's size as IAM counts it against its quotas: its characters other than white space. */
export const iamPolicySize = (document: string): number => [...document.replace(/\s/g, "")].length;

/**
 * The longest value an SSM Standard parameter holds, the tier fleet creates (SSM: "Standard tier
 * parameters support a maximum parameter value of 4096 characters"; Advanced holds 8 KB):
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
 */
export const ssmStandardParameterMaxCharacters = 4096;

/** Linux: binding a port below this needs root or CAP_NET_BIND_SERVICE (net.ipv4.ip_unprivileged_port_start defaults to 1024). */
export const linuxFirstUnprivilegedPort = 1024;

/**
 * The longest names AWS accepts for the auto-named resources whose name fleet derives from a
 * service name and which a 63-character service name would overflow (model/naming.ts shortens
 * those; the mocks enforce the same numbers in plan/awsRules.ts):
 * - a target group: ELBv2 CreateTargetGroup Name, 32
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html);
 * - an IAM role: IAM CreateRole RoleName, 64 (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html);
 * - a schedule: EventBridge Scheduler CreateSchedule Name, 64
 *   (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
 */
export const awsNameMaxLength = { targetGroup: 32, iamRole: 64, schedule: 64 } as const;

/**
 * EFS as fleet mounts it: NFS on TCP 2049 (EFS guide, "Using VPC security groups": mount targets
 * admit NFS on port 2049 from the clients' groups); POSIX ids 0-4294967295 (EFS API PosixUser and
 * CreationInfo: "Valid Range: Minimum value of 0. Maximum value of 4294967295"); a service's root
 * directory created 0750, owner and group only, as Copilot's managed EFS does.
 */
export const efs = { nfsPort: 2049, maxPosixId: 4_294_967_295, rootDirectoryPermissions: "0750" } as const;
