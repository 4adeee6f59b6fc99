/**
 * Rollout time of one rolling step per service: how long ECS needs before a new task takes
 * traffic and the old one is gone. Pure, table-tested.
 */
import { awsDefaultHealthCheck } from "../facts/aws";
import { deregistrationDelay } from "../facts/fleet";
import { ServiceFacts } from "./facts";

/** What AWS's defaults give: their health-check interval × healthy threshold + their deregistration delay, no grace. */
export const awsDefaultStepSeconds =
    awsDefaultHealthCheck.intervalSeconds * awsDefaultHealthCheck.healthyThreshold + deregistrationDelay.awsDefault;

/** Below this the ALB may cut in-flight requests of a deregistering task. */
export const minimumSafeDeregistrationSeconds = deregistrationDelay.fleetMin;

export interface RolloutEstimate {
    readonly service: string;
    /** Seconds: grace + interval × healthy threshold + deregistration delay; undefined without a load balancer. */
    readonly stepSeconds?: number;
    readonly parts?: { readonly grace: number; readonly healthy: number; readonly deregistration: number };
    readonly awsDefaultSeconds: number;
    /** A `recreate` deployment: the old tasks stop before new ones start, so the service is down while it deploys. */
    readonly recreate?: true;
    readonly warnings: readonly string[];
}

export function rolloutEstimate(service: ServiceFacts): RolloutEstimate {
    const tg = service.targetGroup;
    const recreate = service.deployment === "recreate" ? ({ recreate: true } as const) : {};
    if (!tg) {
        return { service: service.name, awsDefaultSeconds: awsDefaultStepSeconds, ...recreate, warnings: [] };
    }
    const healthy = tg.intervalSeconds * tg.healthyThreshold;
    const warnings: string[] = [];
    if (tg.deregistrationDelay < minimumSafeDeregistrationSeconds) {
        warnings.push(
            `${service.name}: deregistration delay ${tg.deregistrationDelay} s is ` +
                `under ${minimumSafeDeregistrationSeconds} s: in-flight requests may ` +
                `be cut when a task stops`,
        );
    }
    if (tg.deregistrationDelay > service.stopTimeout) {
        warnings.push(
            `${service.name}: deregistration delay ${tg.deregistrationDelay} s is ` +
                `above the container's stop timeout ${service.stopTimeout} s: the task ` +
                `is killed while the ALB still sends it requests`,
        );
    }
    return {
        service: service.name,
        stepSeconds: service.gracePeriodSeconds + healthy + tg.deregistrationDelay,
        parts: { grace: service.gracePeriodSeconds, healthy, deregistration: tg.deregistrationDelay },
        awsDefaultSeconds: awsDefaultStepSeconds,
        ...recreate,
        warnings,
    };
}
