/**
 * `connects`: service-to-service calls through ECS Service Connect. Pure: checks every target
 * against the stack's fleet and says, per service, what it calls, whether it serves calls, and the
 * variables its container gets.
 *
 * Service Connect (ECS developer guide, "Service Connect"; AWS-FACTS.md): one Cloud Map namespace;
 * a server names a port mapping of its task definition and is discovered by its name on its port;
 * a client reaches `http://<name>:<port>` through the Envoy agent ECS adds to each task. Only the
 * services that take part get it: the agent costs memory and CPU in every task, so a stack without
 * `connects` plans exactly as before.
 *
 * Network modes: Service Connect runs in awsvpc tasks (Fargate) and in bridge tasks on EC2 (the
 * ECS agent starts the Service Connect container in bridge mode and gives its ingress listener a
 * dynamic host port: aws/amazon-ecs-agent#3200, #3609); the task definition must state the network
 * mode (fleet always does). So a server on Fargate admits the caller on its container port (the
 * proxy listens there in awsvpc mode), and a server on EC2 admits it on the instances' dynamic
 * port range (where the proxy's ephemeral port is).
 */
import { didYouMean } from "./problems";

export interface ResolvedConnection {
    /** The service called. */
    readonly target: string;
    readonly port: number;
    /** `API_URL` for `api`. */
    readonly variable: string;
    /** `http://api:8080`. */
    readonly url: string;
}

/** A service's part in Service Connect. */
export interface ServiceConnectRole {
    /** Discoverable by its name on its port (another service calls it). */
    readonly server: boolean;
    /** Calls others. */
    readonly client: boolean;
}

export interface ConnectionInput {
    readonly name: string;
    readonly port?: number;
    readonly connects: readonly string[];
    /** Variable names already taken by the entry's env and secrets. */
    readonly taken: ReadonlySet<string>;
    /** Reports a problem on this service's `connects`. */
    readonly add: (field: string, value: unknown, problem: string, fix: string) => void;
}

/** `API_URL` for `api`, `BILLING_API_URL` for `billing-api`. */
export const urlVariable = (target: string) => `${target.toUpperCase().replace(/-/g, "_")}_URL`;

/**
 * The connections of every service, checked against the services of this stack (`disabled`: in
 * the catalog but turned off here). Problems go to each service's `add`.
 */
export function resolveConnections(
    services: readonly ConnectionInput[],
    disabled: ReadonlySet<string>,
): Map<string, { connects: ResolvedConnection[]; serviceConnect?: ServiceConnectRole }> {
    const byName = new Map(services.map((s) => [s.name, s]));
    const names = [...byName.keys()];
    const result = new Map<string, { connects: ResolvedConnection[]; serviceConnect?: ServiceConnectRole }>();
    const servers = new Set<string>();
    for (const service of services) {
        const connects: ResolvedConnection[] = [];
        const seen = new Set<string>();
        service.connects.forEach((target, index) => {
            const field = `connects[${index}]`;
            if (seen.has(target)) {
                service.add(field, target, "is listed twice", "list each service once");
                return;
            }
            seen.add(target);
            if (target === service.name) {
                service.add(field, target, "is the service itself", "remove it: a service calls itself on localhost");
                return;
            }
            if (disabled.has(target)) {
                service.add(
                    field,
                    target,
                    "is turned off in this stack (fleet:services." + target + ".enabled: false)",
                    "remove it from connects in this stack's override, or enable the service",
                );
                return;
            }
            const server = byName.get(target);
            if (!server) {
                service.add(field, target, `is not a service in the catalog${didYouMean(target, names)}`, "name a catalog service");
                return;
            }
            if (server.port === undefined) {
                service.add(field, target, `has no port, so it cannot be called`, `set port on "${target}" or remove it from connects`);
                return;
            }
            const variable = urlVariable(target);
            if (service.taken.has(variable)) {
                service.add(
                    field,
                    target,
                    `would set ${variable}, which the entry already sets in env or secrets`,
                    `remove ${variable} from env or secrets: connects sets it to http://${target}:${server.port}`,
                );
                return;
            }
            servers.add(target);
            connects.push({ target, port: server.port, variable, url: `http://${target}:${server.port}` });
        });
        result.set(service.name, { connects });
    }
    for (const [name, entry] of result) {
        const server = servers.has(name);
        const client = entry.connects.length > 0;
        if (server || client) result.set(name, { ...entry, serviceConnect: { server, client } });
    }
    return result;
}

/** Every connection of the fleet, caller first: what the plan's connections table shows. */
export function connectionRows(
    services: readonly { readonly name: string; readonly connects: readonly ResolvedConnection[] }[],
): { caller: string; target: string; port: number; variable: string }[] {
    return services.flatMap((s) => s.connects.map((c) => ({ caller: s.name, target: c.target, port: c.port, variable: c.variable })));
}
