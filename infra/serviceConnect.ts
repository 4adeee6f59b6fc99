import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { servicePortName } from "../model/containerDefinition";
import { serviceLogicalNames } from "../model/naming";
import { ResolvedFleet, ResolvedService } from "../model/fleet";

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

/** What a connection rule needs of the services. */
export interface ConnectionGroups {
    /** The own security group of each awsvpc service: every service in Service Connect has one. */
    readonly serviceGroups: Readonly<Record<string, pulumi.Input<string> | undefined>>;
    /** The component each caller's rules belong to. */
    readonly components: Readonly<Record<string, pulumi.Resource>>;
}

/**
 * The ingress each connection needs: the server's group admits the caller's group on the server's
 * port, where its Service Connect proxy listens (awsvpc: the container port, ECS API
 * ServiceConnectService.ingressPortOverride). Every service in Service Connect runs in awsvpc, on
 * EC2 too, so no rule opens a range of ports or admits a group other than a caller's (in bridge
 * mode the proxy would listen on an ephemeral host port, and every task on the instances would
 * share one group). A caller's rules are its children: adding a connection changes the caller alone.
 */
export function connectionRules(fleet: ResolvedFleet, groups: ConnectionGroups): aws.vpc.SecurityGroupIngressRule[] {
    const groupOf = (service: string): pulumi.Input<string> => {
        const group = groups.serviceGroups[service];
        // resolve.ts gives every service in Service Connect awsvpc, and with it a group of its own.
        if (group === undefined) throw new Error(`service "${service}" takes part in Service Connect without a security group of its own`);
        return group;
    };
    return fleet.services.flatMap((caller) =>
        caller.connects.map(
            (connection) =>
                new aws.vpc.SecurityGroupIngressRule(
                    serviceLogicalNames(caller.name).connectionTo(connection.target),
                    {
                        securityGroupId: groupOf(connection.target),
                        referencedSecurityGroupId: groupOf(caller.name),
                        ipProtocol: "tcp",
                        fromPort: connection.port,
                        toPort: connection.port,
                        description: `Service Connect from ${caller.name} to ${connection.target}`,
                    },
                    { parent: groups.components[caller.name] },
                ),
        ),
    );
}
