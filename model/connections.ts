/**
 * `connects`: service-to-service calls through ECS Service Connect. Pure: checks every target
 * against the stack's fleet and says, per service, what it calls, whether it serves calls, and the
 * variables its container gets.
 *
 * Service Connect (ECS developer guide, "Service Connect"; AWS-FACTS.md): one Cloud Map namespace;
 * a server names a port mapping of its task definition and is discovered by its name on its port;
 * a client reaches `<name>:<port>` through the Envoy agent ECS adds to each task, which handles the
 * traffic by the port's appProtocol (http, http2, grpc; none is plain TCP). Only the
 * services that take part get it: the agent costs memory and CPU in every task, so a service
 * outside `connects` runs as before. The stack's namespace is always there (infra/platform.ts).
 *
 * Network modes: Service Connect runs in awsvpc tasks (Fargate) and in bridge tasks on EC2 (the
 * ECS agent starts the Service Connect container in bridge mode and gives its ingress listener a
 * dynamic host port: aws/amazon-ecs-agent#3200, #3609); the task definition must state the network
 * mode (fleet always does). So a server on Fargate admits the caller on its container port (the
 * proxy listens there in awsvpc mode), and a server on EC2 admits it on the instances' dynamic
 * port range (where the proxy's ephemeral port is).
 */
import type { Protocol } from "./catalog";
import { AddProblem, didYouMean } from "./problems";

export interface ResolvedConnection {
    /** The service called. */
    readonly target: string;
    readonly port: number;
    /** What the target speaks on its port. */
    readonly protocol: Protocol;
    /** `API_URL` for an http or http2 `api`, `CART_ADDR` for a grpc or tcp `cart`. */
    readonly variable: string;
    /** What the variable is set to: `http://api:8080`, or `cart:7070` for grpc and tcp. */
    readonly url: string;
    /**
     * The entry sets the variable itself (in `env` or `secrets`): its own value is kept and
     * `url` is not injected. Absent when connects sets it.
     */
    readonly kept?: "env" | "secrets";
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
    readonly protocol: Protocol;
    readonly connects: readonly string[];
    /** Variable names the entry sets itself in `env` and in `secrets`. */
    readonly env: ReadonlySet<string>;
    readonly secrets: ReadonlySet<string>;
    /** Reports a problem on this service's `connects`. */
    readonly add: AddProblem;
}

/** The variable's stem: `API` for `api`, `BILLING_API` for `billing-api`. */
const variableStem = (target: string) => target.toUpperCase().replace(/-/g, "_");

/**
 * The variable a caller gets and its value: a URL for an HTTP server (`API_URL=http://api:8080`),
 * an address for a gRPC or TCP server, whose clients dial host:port (`CART_ADDR=cart:7070`).
 * Service Connect resolves the target's name on its port through the caller's agent.
 */
export function connectionVariable(target: string, port: number, protocol: Protocol): { variable: string; url: string } {
    return protocol === "http" || protocol === "http2"
        ? { variable: `${variableStem(target)}_URL`, url: `http://${target}:${port}` }
        : { variable: `${variableStem(target)}_ADDR`, url: `${target}:${port}` };
}

/**
 * The connections of every service, checked against the services of this stack (`disabled`: in
 * the catalog but turned off here; `invalid`: in the catalog with problems of their own, already
 * reported). Problems go to each service's `add`.
 */
export function resolveConnections(
    services: readonly ConnectionInput[],
    disabled: ReadonlySet<string>,
    invalid: ReadonlySet<string> = new Set(),
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
                service.add("connects/repeated", field, target, "is listed twice", "list each service once");
                return;
            }
            seen.add(target);
            if (target === service.name) {
                service.add("connects/self", field, target, "is the service itself", "remove it: a service calls itself on localhost");
                return;
            }
            if (disabled.has(target)) {
                service.add(
                    "connects/turned-off-target",
                    field,
                    target,
                    "is turned off in this stack (fleet:services." + target + ".enabled: false)",
                    "remove it from connects in this stack's override, or enable the service",
                );
                return;
            }
            const server = byName.get(target);
            if (!server && invalid.has(target)) return;
            if (!server) {
                service.add(
                    "connects/unknown-target",
                    field,
                    target,
                    `is not a service in the catalog${didYouMean(target, names)}`,
                    "name a catalog service",
                );
                return;
            }
            if (server.port === undefined) {
                service.add(
                    "connects/target-without-port",
                    field,
                    target,
                    `has no port, so it cannot be called`,
                    `set port on "${target}" or remove it from connects`,
                );
                return;
            }
            servers.add(target);
            const { variable, url } = connectionVariable(target, server.port, server.protocol);
            // The entry's own variable wins (a REDIS_ADDR of its own, a URL with a path): the plan says so.
            const kept = service.env.has(variable) ? "env" : service.secrets.has(variable) ? "secrets" : undefined;
            connects.push({ target, port: server.port, protocol: server.protocol, variable, url, ...(kept ? { kept } : {}) });
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

/**
 * Services others call that have no health check at all: not routed (no target group) and no
 * container health command. ECS then never replaces a task that hangs, and Service Connect keeps
 * sending it calls. One warning naming them all (a gRPC fleet may have many), not an error: many
 * data stores and gRPC images are run this way, for want of a probe in the image.
 */
export function unwatchedServers(
    services: readonly {
        readonly name: string;
        readonly rules: readonly unknown[];
        readonly health: { readonly command?: readonly unknown[] };
        readonly connects: readonly { readonly target: string }[];
    }[],
): string[] {
    const called = new Set(services.flatMap((s) => s.connects.map((c) => c.target)));
    const unwatched = services.filter((s) => called.has(s.name) && s.rules.length === 0 && !s.health.command).map((s) => s.name);
    if (unwatched.length === 0) return [];
    const [which, verb] =
        unwatched.length === 1 ? [`service "${unwatched[0]}" is`, "has"] : [`services ${unwatched.join(", ")} are`, "have"];
    return [
        `${which} called through connects but ${verb} no health check at all (no routes, no health.command): ECS keeps a task ` +
            "that hangs, and Service Connect keeps sending it calls; " +
            'add health.command, e.g. ["CMD-SHELL", "<a command that exits 0 when the server answers>"]',
    ];
}
