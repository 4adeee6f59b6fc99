/**
 * AWS's numbers and rules that fleet relies on, each defined once with its source: validation
 * (model/), resources (infra/), the mocks (plan/), the policy pack (policy/), the review and ops
 * import them from here. A leaf: imports nothing, so the policy pack loads it beside its own folder.
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

/** AWS tag values are at most 256 characters (every service that tags; the mocks enforce it in plan/awsRules.ts). */
export const awsTagValueMaxLength = 256;

/** An ECR private registry host: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`. */
export const ecrRegistryHostPattern = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

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

/** Security policies that keep TLS 1.0 and 1.1 out and offer TLS 1.3 (Security Hub ELB.17's list). */
export const recommendedTlsPolicies = [
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];
