/**
 * Hand-made review facts (review/facts.ts) for tests of the pure reports: a service's facts with
 * defaults a test overrides, and a plan's facts around them.
 */
import { PlanFacts, ServiceFacts } from "../../review/facts";

/** An EC2 service of 256 MiB reserved (512 limit), 256 CPU units, one task, 30 s stop timeout and grace period, a published image. */
export function serviceFacts(name: string, overrides: Partial<ServiceFacts> = {}): ServiceFacts {
    return {
        name,
        capacity: "ec2",
        reservation: 256,
        limit: 512,
        cpu: 256,
        desired: 1,
        stopTimeout: 30,
        gracePeriodSeconds: 30,
        builds: false,
        ...overrides,
    };
}

/** Stack `test` in us-east-1 over two zones, one NAT gateway, one load balancer, no listener rules. */
export function planFactsOf(services: ServiceFacts[], platform: Partial<PlanFacts["platform"]> = {}): PlanFacts {
    return {
        stack: "test",
        platform: { region: "us-east-1", availabilityZones: 2, natGateways: 1, loadBalancers: 1, ...platform },
        services,
        rules: [],
    };
}
