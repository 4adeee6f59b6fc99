/**
 * Shared test helpers: fleet's mocks installed in-process, and lookups over what was registered.
 * Each test file runs in its own process (node --test), so each gets a fresh Pulumi runtime.
 */
import * as assert from "node:assert/strict";
import { Catalog } from "../model/catalog";
import { ResolvedFleet } from "../model/fleet";
import { resolveFleet } from "../model/resolve";
import type { PlatformRefs } from "../infra/platform";
import { RecordedResource } from "../plan/mocks";
import { fleetInput } from "./support/fleetInput";

export const region = "eu-west-1";
export const account = "123456789012";

/**
 * The platform a Service or Job is given in tests that register components alone: fixed ids and
 * ARNs in `region` and `account`, so that their inputs can be asserted exactly.
 */
export const testPlatform: PlatformRefs = {
    aws: { accountId: account, region, partition: "aws" },
    cluster: { arn: `arn:aws:ecs:${region}:${account}:cluster/fleet-test`, name: "fleet-test", ec2CapacityProviderName: "fleet-test-ec2" },
    network: { vpcId: "vpc-0test", privateSubnetIds: ["subnet-0a", "subnet-0b"] },
    // Every service is given the load balancer; only those with routes and a port join it.
    loadBalancer: {
        securityGroupId: "sg-0alb",
        targetsSecurityGroupId: "sg-0targets",
        listenerArn: `arn:aws:elasticloadbalancing:${region}:${account}:listener/app/fleet-test-alb/abc/def`,
        arnSuffix: "app/fleet-test-alb/abc",
    },
    registry: { url: `${account}.dkr.ecr.${region}.amazonaws.com` },
    secretsKeyArn: `arn:aws:kms:${region}:${account}:key/1111-2222`,
};

/** Resolves a catalog against stack values, failing the test on any validation problem. */
export function resolveForTest(catalog: Catalog, config: Record<string, unknown>, secretKeys: string[] = []): ResolvedFleet {
    const result = resolveFleet(catalog, fleetInput(config, { secretKeys }));
    if (!result.ok) assert.fail(`invalid test fleet:\n${result.errors.join("\n")}`);
    return result.fleet;
}

export class Registered {
    constructor(private readonly resources: readonly RecordedResource[]) {}

    /** Every resource of a type. */
    all(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of a type with this logical name; fails if absent or ambiguous. */
    one(type: string, name: string): RecordedResource {
        const matches = this.resources.filter((r) => r.type === type && r.name === name);
        assert.equal(matches.length, 1, `expected exactly one ${type} named ${name}, found ${matches.length}`);
        return matches[0];
    }

    /** Whether a resource of a type with this name exists. */
    has(type: string, name: string): boolean {
        return this.resources.some((r) => r.type === type && r.name === name);
    }

    /** Resources whose parent chain includes the component named `name`. */
    under(componentType: string, name: string): RecordedResource[] {
        const component = this.one(componentType, name);
        const byUrn = new Map(this.resources.map((r) => [r.urn, r]));
        return this.resources.filter((r) => {
            let parent = r.parent;
            while (parent) {
                if (parent === component.urn) return true;
                parent = byUrn.get(parent)?.parent;
            }
            return false;
        });
    }
}

/** The single container definition of a recorded task definition. */
export function containerOf(taskDefinition: RecordedResource): Record<string, any> {
    const containers = JSON.parse(String(taskDefinition.inputs.containerDefinitions));
    assert.equal(containers.length, 1);
    return containers[0];
}

/** A recorded IAM policy document, parsed. */
export function policyOf(resource: RecordedResource): { Version: string; Statement: Record<string, unknown>[] } {
    return JSON.parse(String(resource.inputs.policy));
}
