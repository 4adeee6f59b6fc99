/**
 * The controls fleet enforces: AWS Security Hub Foundational Security Best Practices ids where
 * one applies, `FLEET.*` for fleet's own. Shared by the policy pack, the offline plan and the
 * stack-file validation (waivers must name a known control). A leaf with facts/aws.ts and
 * facts/fleet.ts: the model and the policy pack both read it, and it imports nothing else.
 */
import { awsTagValueMaxLength, minimumLoadBalancerZones } from "./aws";
import { deregistrationDelay } from "./fleet";

export interface ControlInfo {
    /** Security Hub control id(s), or FLEET.<name>. */
    readonly id: string;
    /** Policy name in the pack (lowercase, hyphens). */
    readonly policyName: string;
    readonly description: string;
}

export const controlInfos: readonly ControlInfo[] = [
    {
        id: "ECS.2/ECS.16",
        policyName: "ecs-2-16-no-public-ip",
        description: "ECS services and task sets do not assign public IP addresses",
    },
    { id: "ECS.4", policyName: "ecs-4-not-privileged", description: "ECS containers run unprivileged" },
    { id: "ECS.5", policyName: "ecs-5-read-only-root", description: "ECS containers have read-only root filesystems" },
    {
        id: "ECS.8",
        policyName: "ecs-8-no-secrets-in-environment",
        description: "Secrets are not passed as container environment variables",
    },
    { id: "ECS.9", policyName: "ecs-9-logging", description: "ECS task definitions configure logging" },
    { id: "ECS.12", policyName: "ecs-12-container-insights", description: "ECS clusters use Container Insights" },
    { id: "ECS.20", policyName: "ecs-20-non-root-user", description: "ECS containers run as a non-root user" },
    { id: "ELB.1", policyName: "elb-1-https-redirect", description: "ALB HTTP listeners redirect to HTTPS" },
    { id: "ELB.4", policyName: "elb-4-drop-invalid-headers", description: "ALBs drop invalid HTTP headers" },
    { id: "ELB.5", policyName: "elb-5-access-logs", description: "ALBs write access logs" },
    { id: "ELB.6", policyName: "elb-6-deletion-protection", description: "ALBs have deletion protection" },
    { id: "ELB.12", policyName: "elb-12-desync-mitigation", description: "ALBs use defensive or strictest desync mitigation" },
    { id: "ELB.13", policyName: "elb-13-multiple-azs", description: `ALBs span at least ${minimumLoadBalancerZones} availability zones` },
    { id: "ELB.17", policyName: "elb-17-tls-policy", description: "HTTPS listeners use a TLS 1.2+ policy with TLS 1.3" },
    { id: "ECR.1", policyName: "ecr-1-scan-on-push", description: "ECR repositories scan images on push" },
    {
        id: "ECR.2",
        policyName: "ecr-2-immutable-tags",
        description: "ECR repositories have immutable tags (pull-through cache repositories stay mutable, as AWS requires)",
    },
    { id: "ECR.3", policyName: "ecr-3-lifecycle-policy", description: "ECR repositories have a lifecycle policy" },
    {
        id: "EC2.18/EC2.19",
        policyName: "ec2-18-19-restricted-ingress",
        description: "No ingress from 0.0.0.0/0 or ::/0 except HTTP(S) on the load balancer",
    },
    {
        id: "FLEET.memory",
        policyName: "fleet-memory-soft-below-hard",
        description: "Every container's memoryReservation is below its memory (AWS requires it)",
    },
    { id: "FLEET.log-retention", policyName: "fleet-log-retention", description: "Log groups have a retention period" },
    { id: "FLEET.circuit-breaker", policyName: "fleet-circuit-breaker", description: "ECS services roll back failed deployments" },
    {
        id: "FLEET.deregistration",
        policyName: "fleet-deregistration-delay",
        description: `Target-group deregistration delay is between ${deregistrationDelay.fleetMin} s and the container's stop timeout`,
    },
    { id: "FLEET.secret-scope", policyName: "fleet-secret-scope", description: "Secret reads are scoped to exact ARNs" },
    {
        id: "FLEET.task-access",
        policyName: "fleet-task-access",
        description: "Task roles grant exact actions on exact resources (no * action or resource)",
    },
    {
        id: "FLEET.pull-through",
        policyName: "fleet-pull-through-permissions",
        description: "Roles pulling an upstream image through the cache may import it",
    },
];

export const controlIds: readonly string[] = controlInfos.map((c) => c.id);

/** Security Hub control ids a catalog opt-out waives, with the opt-out's reason. */
export const optOutControls: Readonly<Record<string, string>> = {
    readonlyRootFilesystem: "ECS.5",
    nonRootUser: "ECS.20",
    privileged: "ECS.4",
};

export type Enforcement = "mandatory" | "advisory";

/** Tag on the ECS cluster carrying the stack's enforcement (the pack reads resources, not config). */
export const enforcementTag = "fleet:policy";
/** Tag prefix carrying a waiver's reason: on the cluster for the platform, on a task definition for its service. */
export const waiverTagPrefix = "fleet:waiver:";

/** The fewest characters a reason may have. */
export const minimumReasonLength = 10;

/**
 * The most characters a reason may have: a waiver's reason travels as an AWS tag value (at most
 * awsTagValueMaxLength), written in the tag character set by model/awsNames.ts asTagValue.
 */
export const maximumReasonLength = awsTagValueMaxLength;
