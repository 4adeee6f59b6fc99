import * as pulumi from "@pulumi/pulumi";
import { ResolvedFleet } from "./model";
import { Platform } from "./platform";
import { Service } from "./service";

export interface DeployFleetArgs {
    /** Values of the `fromConfig` secrets, by config key. */
    readonly configSecrets: Readonly<Record<string, pulumi.Output<string>>>;
}

export interface DeployedFleet {
    readonly platform: Platform;
    readonly services: Readonly<Record<string, Service>>;
}

/** Registers the platform and one `Service` per resolved catalog entry. */
export function deployFleet(fleet: ResolvedFleet, args: DeployFleetArgs): DeployedFleet {
    const tags = { "fleet:project": fleet.project, "fleet:stack": fleet.stack };
    // `<project>-<stack>` makes physical names (cluster, ALB) readable across stacks in one account.
    const platform = new Platform(`${fleet.project}-${fleet.stack}`, { fleet, tags });
    const services: Record<string, Service> = {};
    for (const spec of fleet.services) {
        services[spec.name] = new Service(spec.name, {
            spec,
            namePrefix: `${fleet.project}-${fleet.stack}`,
            pathPrefix: `/${fleet.project}/${fleet.stack}`,
            keepImages: fleet.registry.keepImages,
            clusterArn: platform.cluster.arn,
            clusterName: platform.cluster.name,
            ec2CapacityProviderName: platform.cluster.ec2CapacityProviderName,
            ec2Architecture: fleet.cluster.ec2?.architecture,
            vpcId: platform.network.vpcId,
            privateSubnetIds: platform.network.privateSubnetIds,
            loadBalancer: spec.rules.length > 0 ? platform.loadBalancer : undefined,
            secretsKeyArn: platform.secretsKeyArn,
            configSecrets: args.configSecrets,
            registryUrl: platform.registryUrl,
            aws: platform.aws,
            logRetentionDays: fleet.logRetentionDays,
            protect: fleet.protect,
            tags: { ...tags, "fleet:service": spec.name },
        });
    }
    return { platform, services };
}
