import * as pulumi from "@pulumi/pulumi";
import { enforcementTag, optOutControls, waiverTagPrefix } from "../facts/controls";
import { asTagValue, fleetTagKeys, stackNames } from "../model/naming";
import { ResolvedFleet } from "../model/fleet";
import { Platform, PlatformRefs } from "./platform";
import { RetiredService } from "./retired";
import { Job } from "./job";
import { Service } from "./service";
import { connectionRules } from "./serviceConnect";
import { programEnvProblems } from "../model/programEnv";

/** Environment values a program computes, by service then variable name (an RDS endpoint, a bucket's name). */
export type ProgramEnv = Readonly<Record<string, Readonly<Record<string, pulumi.Input<string>>>>>;

export interface DeployFleetArgs {
    /** Values of the `fromConfig` secrets, by config key. */
    readonly configSecrets: Readonly<Record<string, pulumi.Output<string>>>;
    /**
     * Environment values the program computes, beside the catalog's strings: a map, or a function of
     * the platform (a database in its private subnets). Names must fit the catalog
     * (model/programEnv.ts): checked before any service is registered. @default none
     */
    readonly env?: ProgramEnv | ((platform: Platform) => ProgramEnv);
    /**
     * Pulumi resource transformations applied to every resource fleet registers (Platform, Service,
     * Job and their children): the door for what the catalog does not model. @default none
     */
    readonly transformations?: readonly pulumi.ResourceTransformation[];
}

export interface DeployedFleet {
    readonly platform: Platform;
    /** Every catalog entry's component: a Service, or a Job for an entry with a schedule. */
    readonly services: Readonly<Record<string, Service | Job>>;
}

/** Registers the platform and one `Service` (or `Job`, for an entry with a schedule) per resolved catalog entry. */
export function deployFleet(fleet: ResolvedFleet, args: DeployFleetArgs): DeployedFleet {
    const names = stackNames(fleet.project, fleet.stack);
    const tags = { [fleetTagKeys.project]: fleet.project, [fleetTagKeys.stack]: fleet.stack };
    // `<project>-<stack>` makes physical names (cluster, ALB) readable across stacks in one account.
    const opts: pulumi.ComponentResourceOptions = args.transformations?.length ? { transformations: [...args.transformations] } : {};
    const platform = new Platform(
        names.prefix,
        {
            fleet,
            tags,
            policyTags: { [enforcementTag]: fleet.policy.enforcement, ...waiverTags(fleet.policy.waivers.platform ?? {}) },
        },
        opts,
    );
    const env = typeof args.env === "function" ? args.env(platform) : (args.env ?? {});
    const envProblems = programEnvProblems(
        fleet,
        Object.fromEntries(Object.entries(env).map(([service, values]) => [service, Object.keys(values)])),
    );
    if (envProblems.length > 0) {
        throw new pulumi.RunError(
            `fleet: ${envProblems.length} problem(s) in the environment the program gives its services:\n` +
                envProblems.map((problem) => `  - ${problem.message}`).join("\n"),
        );
    }
    const refs = platformRefs(platform);
    const kept = { names, keepImages: fleet.registry.keepImages, logRetentionDays: fleet.logRetentionDays, protect: fleet.protect };
    const services: Record<string, Service | Job> = {};
    for (const spec of serversFirst(fleet.services)) {
        // A caller waits for the ECS services it calls (ordered first): its tasks resolve them.
        const servers = spec.connects.flatMap((c) => {
            const server = services[c.target];
            return server instanceof Service ? [server.ecsService] : [];
        });
        const Entry = spec.job ? Job : Service;
        services[spec.name] = new Entry(
            spec.name,
            {
                spec,
                servers,
                environment: env[spec.name],
                platform: refs,
                ...kept,
                configSecrets: args.configSecrets,
                // A catalog opt-out waives the matching control; the stack file may waive more.
                policyTags: waiverTags({
                    ...Object.fromEntries(
                        Object.entries(spec.security.optOuts).flatMap(([optOut, reason]) =>
                            optOutControls[optOut] ? [[optOutControls[optOut], reason]] : [],
                        ),
                    ),
                    ...fleet.policy.waivers[spec.name],
                }),
                tags: { ...tags, [fleetTagKeys.service]: spec.name },
            },
            opts,
        );
    }
    if (fleet.services.some((s) => s.connects.length > 0)) {
        connectionRules(fleet, {
            serviceGroups: Object.fromEntries(Object.entries(services).map(([name, service]) => [name, service.securityGroupId])),
            components: services,
        });
    }
    for (const retired of fleet.retired) {
        new RetiredService(
            retired.name,
            { retired, ...kept, secretsKeyArn: refs.secretsKeyArn, tags: { ...tags, [fleetTagKeys.service]: retired.name } },
            opts,
        );
    }
    return { platform, services };
}

/** What services use of the platform, built once. */
function platformRefs(platform: Platform): PlatformRefs {
    return {
        aws: platform.aws,
        cluster: {
            arn: platform.cluster.arnForServices,
            name: platform.cluster.nameForServices,
            ec2CapacityProviderName: platform.cluster.ec2CapacityProviderName,
        },
        network: { vpcId: platform.network.vpcId, privateSubnetIds: platform.network.privateSubnetIds },
        loadBalancer: platform.loadBalancer,
        registry: { url: platform.registryUrl, cacheDependencies: platform.registry.cacheDependencies },
        secretsKeyArn: platform.secretsKeyArn,
        serviceConnectNamespaceArn: platform.serviceConnectNamespaceArn,
        fileSystems: platform.fileSystems,
    };
}

/** Waivers as tags, where the policy pack can read them: each reason in the tag character set (asTagValue). */
function waiverTags(waivers: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(waivers).map(([control, reason]) => [`${waiverTagPrefix}${control}`, asTagValue(reason)]));
}

/**
 * The services in an order that puts every server before the services that call it, so each caller
 * can wait for the servers it calls (Service.servers); otherwise by name. A cycle of calls (two
 * services calling each other) cannot be ordered: the service first by name goes first, and the
 * call back to it starts without waiting.
 */
export function serversFirst<S extends { readonly name: string; readonly connects: readonly { readonly target: string }[] }>(
    services: readonly S[],
): S[] {
    const byName = new Map(services.map((s) => [s.name, s]));
    const placed = new Set<string>();
    const visiting = new Set<string>();
    const order: S[] = [];
    const visit = (service: S) => {
        if (placed.has(service.name) || visiting.has(service.name)) return;
        visiting.add(service.name);
        for (const call of service.connects) {
            const server = byName.get(call.target);
            if (server) visit(server);
        }
        visiting.delete(service.name);
        placed.add(service.name);
        order.push(service);
    };
    [...services].sort((a, b) => a.name.localeCompare(b.name)).forEach(visit);
    return order;
}
