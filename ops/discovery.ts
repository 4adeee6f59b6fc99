/**
 * Finds a stack's ECS cluster and services in the live account by the tags the program puts on
 * them (model/naming.ts fleetTagKeys): no Pulumi CLI, no state. Physical names carry random
 * suffixes (Pulumi auto-naming), so tags are the stable way in.
 */
import {
    DescribeClustersCommand,
    DescribeServicesCommand,
    ListClustersCommand,
    ListServicesCommand,
    Service,
    Tag,
} from "@aws-sdk/client-ecs";
import { fleetTagKeys, StackNames } from "../model/naming";
import { ecsDescribeBatch } from "../facts/aws";
import { call, chunks, Clients } from "./aws";
import { OpsError } from "./errors";

export interface FleetCluster {
    readonly arn: string;
    readonly name: string;
    /** The cluster's `containerInsights` setting: `enabled`, `enhanced` or `disabled`; undefined when ECS reports none. */
    readonly containerInsights?: string;
    /** ECS services by their `fleet:service` tag (the catalog name), in name order. */
    readonly services: ReadonlyMap<string, Service>;
}

const tagValue = (tags: readonly Tag[] | undefined, key: string) => tags?.find((t) => t.key === key)?.value;

export async function discoverCluster(clients: Clients, names: StackNames): Promise<FleetCluster> {
    const clusterArns: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await call(clients, "ecs:ListClusters", () => clients.ecs.send(new ListClustersCommand({ nextToken })));
        clusterArns.push(...(page.clusterArns ?? []));
        nextToken = page.nextToken;
    } while (nextToken);

    const matching = [];
    for (const batch of chunks(clusterArns, ecsDescribeBatch.clusters)) {
        const described = await call(clients, "ecs:DescribeClusters", () =>
            clients.ecs.send(new DescribeClustersCommand({ clusters: batch, include: ["TAGS", "SETTINGS"] })),
        );
        for (const cluster of described.clusters ?? []) {
            if (cluster.status !== "ACTIVE") continue;
            if (
                tagValue(cluster.tags, fleetTagKeys.project) === names.project &&
                tagValue(cluster.tags, fleetTagKeys.stack) === names.stack
            ) {
                matching.push(cluster);
            }
        }
    }
    const tagged = `${fleetTagKeys.project}=${names.project} and ${fleetTagKeys.stack}=${names.stack}`;
    if (matching.length === 0) {
        throw new OpsError(
            `no active ECS cluster tagged ${tagged} in ${clients.region} of this account: ` +
                `deploy the stack (pulumi up -s ${names.stack}), or use the account and region it runs in (AWS_PROFILE, aws:region)`,
        );
    }
    if (matching.length > 1) {
        throw new OpsError(
            `${matching.length} ECS clusters are tagged ${tagged} (${matching.map((c) => c.clusterName).join(", ")}): ` +
                `delete the stray one or fix its tags, so ops knows which is the stack's`,
        );
    }
    const cluster = matching[0];

    const serviceArns: string[] = [];
    nextToken = undefined;
    do {
        const page = await call(clients, "ecs:ListServices", () =>
            clients.ecs.send(new ListServicesCommand({ cluster: cluster.clusterArn, nextToken })),
        );
        serviceArns.push(...(page.serviceArns ?? []));
        nextToken = page.nextToken;
    } while (nextToken);
    const services = new Map<string, Service>();
    for (const batch of chunks(serviceArns, ecsDescribeBatch.services)) {
        const described = await call(clients, "ecs:DescribeServices", () =>
            clients.ecs.send(new DescribeServicesCommand({ cluster: cluster.clusterArn, services: batch, include: ["TAGS"] })),
        );
        for (const service of described.services ?? []) {
            const name = tagValue(service.tags, fleetTagKeys.service);
            if (name && service.status === "ACTIVE") services.set(name, service);
        }
    }
    return {
        arn: cluster.clusterArn!,
        name: cluster.clusterName!,
        containerInsights: cluster.settings?.find((s) => s.name === "containerInsights")?.value,
        services: new Map([...services.entries()].sort(([a], [b]) => a.localeCompare(b))),
    };
}
