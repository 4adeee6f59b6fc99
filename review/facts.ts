/**
 * What a plan says about the fleet, for the reports (capacity, cost, rollout, routes): the facts
 * its model wrote (the `model` section, modelSection.ts). A plan whose section this version of fleet
 * does not read (none, or another version: a base plan written by an older fleet) has no facts;
 * the review then compares its resources only.
 */
import { instanceTypes, registeredMemoryMiB } from "../model/instanceTypes";
import { awsDefaultHealthCheck, awsxDefaultAvailabilityZones, ecsDefaultStopTimeoutSeconds, minimumLoadBalancerZones } from "../facts/aws";
import { deregistrationDelay } from "../facts/fleet";
import { ResourceIndex } from "../policy/rules";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { Capacity } from "../model/catalog";
import {
    Ec2Facts,
    jobFacts,
    ModelPlatformFacts,
    modelSectionVersion,
    RuleFacts,
    scheduledMinFacts,
    ServiceFacts,
    VolumeFacts,
} from "./modelSection";
export { placedOnInstance } from "./modelSection";

export type { Ec2Facts, JobFacts, RuleFacts, ScheduledMinFacts, ServiceFacts, TargetGroupFacts, VolumeFacts } from "./modelSection";

export interface PlatformFacts extends ModelPlatformFacts {
    /** Load balancers the plan creates. */
    readonly loadBalancers: number;
}

export interface PlanFacts {
    readonly stack: string;
    readonly platform: PlatformFacts;
    readonly services: readonly ServiceFacts[];
    readonly rules: readonly RuleFacts[];
}

/** A plan's resources as the policy rules see them, with their lookups (the service of a resource among them). */
export function planResources(plan: PlanDocument): ResourceIndex {
    return new ResourceIndex(plan.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, parentUrn: r.parent })));
}

const loadBalancersOf = (plan: PlanDocument) => plan.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").length;

/** The facts of a plan's model section; undefined when it has none this version of fleet reads. */
export function planFacts(plan: PlanDocument): PlanFacts | undefined {
    const model = plan.model;
    if (model?.version !== modelSectionVersion) return undefined;
    return {
        stack: plan.stack,
        platform: { ...model.platform, loadBalancers: loadBalancersOf(plan) },
        services: model.services,
        rules: model.rules,
    };
}

/** The facts of the plan under review, which this version of fleet wrote (the base may be older). */
export function currentFacts(plan: PlanDocument): PlanFacts {
    const facts = planFacts(plan);
    if (!facts)
        throw new Error(
            `the plan of ${plan.project}/${plan.stack} has no model section of version ${modelSectionVersion}: ` +
                "plan it again with this version of fleet",
        );
    return facts;
}
