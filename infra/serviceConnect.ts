import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { servicePortName } from "../model/containerDefinition";
import { serviceLogicalNames } from "../model/naming";
import { ResolvedFleet, ResolvedService } from "../model/fleet";
import { dynamicPortRange } from "./cluster";

/**
 * The ECS service's `serviceConnectConfiguration`: a server is discovered by its name on its
 * named port; a caller is a client of the namespace. Its agent logs to the service's log group.
 */
export function serviceConnectConfiguration(
    spec: ResolvedService,
    namespaceArn: pulumi.Input<string> | undefined,
    logGroupName: pulumi.Input<string>,
    region: pulumi.Input<string>,
): aws.types.input.ecs.ServiceServiceConnectConfiguration | undefined {
    const role = spec.serviceConnect;
    if (!role) return undefined;
    if (namespaceArn === undefined)
        throw new Error(`service "${spec.name}" takes part in Service Connect but the platform has no namespace`);
    return {
        enabled: true,
        namespace: namespaceArn,
        services:
            role.server && spec.port !== undefined
                ? [
                      {
                          portName: servicePortName(spec.name),
                          discoveryName: spec.name,
                          clientAlias: [{ port: spec.port, dnsName: spec.name }],
                      },
                  ]
                : undefined,
        logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": logGroupName, "awslogs-region": region, "awslogs-stream-prefix": `${spec.name}-connect` },
        },
    };
}

/** What a connection rule needs of the services and the platform. */
export interface ConnectionGroups {
    /** The own security group of each awsvpc (Fargate) service. */
    readonly serviceGroups: Readonly<Record<string, pulumi.Input<string> | undefined>>;
    /** The container instances' group (EC2 capacity), where bridge tasks and their agents listen. */
    readonly instancesGroup?: pulumi.Input<string>;
    /** The component each caller's rules belong to. */
    readonly components: Readonly<Record<string, pulumi.Resource>>;
    /** Parent of the one rule for EC2 callers of EC2 services (shared: the instances' group on both sides). */
    readonly platform: pulumi.Resource;
    readonly platformNames: { readonly instancesConnect: string };
}

/**
 * The ingress each connection needs, on the server's side, from the caller's group only:
 * - a Fargate server admits the caller on its container port (the agent listens there in awsvpc mode);
 * - an EC2 server's agent listens on a dynamic host port of its instance, so the instances' group
 *   admits the caller on the dynamic port range: one rule per Fargate caller, and one for all EC2
 *   callers (the same group on both sides: two would be the same rule, which AWS refuses).
 * A caller's rules are its children: adding a connection changes the caller alone.
 */
export function connectionRules(fleet: ResolvedFleet, groups: ConnectionGroups): aws.vpc.SecurityGroupIngressRule[] {
    const byName = new Map(fleet.services.map((s) => [s.name, s]));
    const rules: aws.vpc.SecurityGroupIngressRule[] = [];
    let instancesToInstances = false;
    for (const caller of fleet.services) {
        const names = serviceLogicalNames(caller.name);
        const callerGroup = caller.capacity.kind === "fargate" ? groups.serviceGroups[caller.name] : groups.instancesGroup;
        let toInstances = false;
        for (const connection of caller.connects) {
            const server = byName.get(connection.target)!;
            if (server.capacity.kind === "fargate") {
                rules.push(
                    new aws.vpc.SecurityGroupIngressRule(
                        names.connectionTo(server.name),
                        {
                            securityGroupId: groups.serviceGroups[server.name]!,
                            referencedSecurityGroupId: callerGroup!,
                            ipProtocol: "tcp",
                            fromPort: connection.port,
                            toPort: connection.port,
                            description: `Service Connect from ${caller.name} to ${server.name}`,
                        },
                        { parent: groups.components[caller.name] },
                    ),
                );
            } else if (caller.capacity.kind === "fargate") {
                toInstances = true;
            } else {
                instancesToInstances = true;
            }
        }
        if (toInstances) {
            rules.push(
                new aws.vpc.SecurityGroupIngressRule(
                    names.connectionToInstances,
                    {
                        securityGroupId: groups.instancesGroup!,
                        referencedSecurityGroupId: callerGroup!,
                        ipProtocol: "tcp",
                        fromPort: dynamicPortRange.from,
                        toPort: dynamicPortRange.to,
                        description: `Service Connect from ${caller.name} to bridge-mode services on the instances`,
                    },
                    { parent: groups.components[caller.name] },
                ),
            );
        }
    }
    if (instancesToInstances) {
        rules.push(
            new aws.vpc.SecurityGroupIngressRule(
                groups.platformNames.instancesConnect,
                {
                    securityGroupId: groups.instancesGroup!,
                    referencedSecurityGroupId: groups.instancesGroup!,
                    ipProtocol: "tcp",
                    fromPort: dynamicPortRange.from,
                    toPort: dynamicPortRange.to,
                    description: "Service Connect between bridge-mode services on the instances",
                },
                { parent: groups.platform },
            ),
        );
    }
    return rules;
}
