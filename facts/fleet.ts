/**
 * fleet's own thresholds and choices (deployments, health checks, the TLS policy, waivable
 * defaults), each defined once and said why. A leaf beside facts/aws.ts: imports nothing.
 */

/**
 * Target-group deregistration delay. AWS accepts 0-3600 s and defaults to 300 s
 * (TargetGroupAttribute deregistration_delay.timeout_seconds). fleet refuses under 5 s (in-flight
 * requests are cut when a task stops) and defaults to 15 s, never above the container's stop
 * timeout (the container would be killed while the ALB still sends it requests).
 */
export const deregistrationDelay = { awsMax: 3600, awsDefault: 300, fleetMin: 5, fleetDefault: 15 } as const;

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

/**
 * The ALB's TLS policy unless the stack names another: TLS 1.3, with TLS 1.2 still accepted for
 * older clients and TLS 1.0/1.1 refused (ELB.17).
 */
export const defaultSslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** A container `user` that is root: the name, uid 0, with or without a group (ECS.20). */
export const rootUserPattern = /^(root|0)(:.*)?$/;

/**
 * A job's retry policy when its task cannot be started (EventBridge Scheduler RetryPolicy: 0-185
 * attempts, default 185; event age 60-86400 s, default 86400): three more tries within an hour,
 * then the dead-letter queue, rather than a nightly job starting a day late.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
 */
export const jobRetryPolicy = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } as const;

/**
 * What pages the on-call when a stack sets `fleet:alerts` without its own thresholds: a routed
 * service's targets (or the load balancer itself) answering 10 or more 5xx a minute, or one target
 * unhealthy, for 3 minutes running (long enough to ride out a single slow task, short enough that
 * ECS rolls a bad deployment back within its bake time); a worker's oldest message 10 minutes old,
 * well past any healthy consumer's latency.
 */
export const alertDefaults = { errorsPerMinute: 10, unhealthyTargets: 1, queueAgeMinutes: 10, evaluationMinutes: 3 } as const;

/** Tasks of an `ec2-spot` service kept on on-demand EC2 unless the stack says otherwise (fleet:cluster.ec2.spot.onDemandBase). */
export const defaultOnDemandBase = 1;
