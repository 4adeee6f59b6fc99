/**
 * The local stack's router: an HAProxy configuration that routes exactly as the fleet's ALB does,
 * written from the listener rules the plan deploys (`ResolvedFleet.rules`, model/routing.ts), in
 * their evaluation order. Nothing here decides routing: each rule becomes one `use_backend` line, in
 * order, its host and path globs translated to anchored regular expressions, and HAProxy, like the
 * ALB, takes the first rule that matches (Elastic Load Balancing guide, "Listener rules": rules are
 * evaluated in priority order, lowest first; the default action when none matches).
 *
 * Hosts: a browser resolves `*.localhost` to loopback (RFC 6761 §6.3), so a host under the stack's
 * `fleet:domain` is served as the same name under `localhost` (`www.dev.example.com` as
 * `www.localhost`). The router turns the request's Host back into the stack's name (without its
 * port, lowercased) before any rule is tried, so each rule keeps the ALB's own patterns.
 */
import { ResolvedFleet, ResolvedService } from "../model/fleet";
import { PlannedRule } from "../model/routing";

/** Answered when no rule matches, as the listener's default action (infra/loadBalancer.ts). */
export const notFoundResponse = { status: 404, contentType: "application/json", body: '{"error":"not found"}' } as const;
/** The backend of the default 404: not a service name (a service name is a DNS label, without dots). */
export const notFoundBackend = "fleet.not-found";
/** Docker's embedded DNS server, which resolves compose service names on a compose network. */
export const composeDns = "127.0.0.11:53";

export interface RouterOptions {
    /** Where the frontend listens, e.g. `*:8080`. */
    readonly bind: string;
    /** `host:port` of a routed service's server: its compose name and port unless given. */
    readonly address?: (service: ResolvedService) => string;
    /** The first line(s) of the file, as comments. */
    readonly header?: readonly string[];
}

/** The name a browser on this machine uses for an ALB host: under `localhost` when it is under `domain`, else itself. */
export function localHost(host: string, domain: string | undefined): string {
    if (domain === undefined) return host;
    if (host === domain) return "localhost";
    return host.endsWith(`.${domain}`) ? `${host.slice(0, -domain.length)}localhost` : host;
}

/**
 * An ALB glob (`*` any characters, `?` exactly one) as an anchored PCRE, written as an HAProxy
 * single-quoted word: HAProxy reads nothing inside single quotes (not even `\`), and a quote of the
 * pattern is written as the PCRE escape `\x27`.
 */
export function globPattern(glob: string): string {
    const body = glob
        .replace(/[\\^$.|+()[\]{}]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")
        .replace(/'/g, "\\x27");
    return `'^${body}$'`;
}

/** An arbitrary value as one HAProxy word: double-quoted, with `\`, `"`, `'`, `$` and `#` escaped. */
function word(value: string): string {
    return `"${value.replace(/[\\"'$#]/g, "\\$&")}"`;
}

/**
 * A target group's matcher (`200`, `200,202`, `200-399`) as an anchored PCRE over the status code:
 * each run of codes as short as whole hundreds and tens allow.
 */
export function statusPattern(matcher: string): string {
    const codes = new Set<number>();
    for (const part of matcher.split(",")) {
        const [low, high = low] = part.split("-").map(Number);
        for (let code = low; code <= high; code++) codes.add(code);
    }
    const alternatives: string[] = [];
    for (let hundred = 0; hundred <= 5; hundred++) {
        const all = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i).every((c) => codes.has(c));
        if (all(hundred * 100, 100)) {
            alternatives.push(`${hundred}[0-9][0-9]`);
            continue;
        }
        for (let ten = 0; ten <= 9; ten++) {
            const first = hundred * 100 + ten * 10;
            if (all(first, 10)) alternatives.push(`${Math.floor(first / 10)}[0-9]`);
            else for (let code = first; code < first + 10; code++) if (codes.has(code)) alternatives.push(String(code));
        }
    }
    return `'^(${alternatives.join("|")})$'`;
}

/** The condition lines of one rule and the `use_backend` line that follows them. */
function ruleLines(rule: PlannedRule, position: number): { acls: string[]; use: string } {
    const name = `rule${position + 1}`;
    const acls: string[] = [];
    const conditions: string[] = [];
    // Hosts are case-insensitive, paths case-sensitive; several values of one condition are alternatives.
    if (rule.hosts.length > 0) {
        acls.push(`    acl ${name}_host var(txn.fleet_host) -m reg -i ${rule.hosts.map(globPattern).join(" ")}`);
        conditions.push(`${name}_host`);
    }
    if (rule.paths.length > 0) {
        acls.push(`    acl ${name}_path path -m reg ${rule.paths.map(globPattern).join(" ")}`);
        conditions.push(`${name}_path`);
    }
    const what = [rule.hosts.length ? `host ${rule.hosts.join(", ")}` : "", rule.paths.length ? `path ${rule.paths.join(", ")}` : ""]
        .filter(Boolean)
        .join(" ");
    return {
        acls: [`    # priority ${rule.priority}: ${rule.service} routes[${rule.index}] (${what})`, ...acls],
        use: `    use_backend ${rule.service} if ${conditions.join(" ")}`,
    };
}

/**
 * The health check of a service's server, as its target group checks it: the path and the healthy
 * codes over HTTP/1.1 (HTTP/2 for an http2 server), every `intervalSeconds`, healthy after
 * `healthyThreshold` passes and unhealthy after `unhealthyThreshold` failures. A grpc server is
 * checked by connecting to it (HAProxy has no gRPC health check).
 */
function backendLines(service: ResolvedService, address: string): string[] {
    const health = service.health;
    const h2 = service.protocol === "http2" || service.protocol === "grpc";
    const lines = [`backend ${service.name}`];
    if (service.protocol === "grpc") {
        lines.push("    option tcp-check", "    tcp-check connect");
    } else {
        lines.push(
            "    option httpchk",
            `    http-check send meth GET uri ${word(health.path)} ver ${h2 ? "HTTP/2" : "HTTP/1.1"} hdr host ${service.name}`,
            `    http-check expect rstatus ${statusPattern(health.matcher)}`,
        );
    }
    lines.push(
        `    timeout check ${health.timeoutSeconds}s`,
        `    server ${service.name} ${address} check${h2 ? " proto h2" : ""}${service.protocol === "http2" ? " check-proto h2" : ""} ` +
            `inter ${health.intervalSeconds}s rise ${health.healthyThreshold} fall ${health.unhealthyThreshold} ` +
            "resolvers compose init-addr none",
    );
    return lines;
}

/** The whole haproxy.cfg of a fleet. */
export function haproxyConfig(fleet: ResolvedFleet, options: RouterOptions): string {
    const address = options.address ?? ((service: ResolvedService) => `${service.name}:${service.port}`);
    const routed = fleet.services.filter((service) => service.rules.length > 0);
    const rules = fleet.rules.map(ruleLines);
    const domain = fleet.domain;
    const idle = fleet.loadBalancer.idleTimeoutSeconds;
    return [
        ...(options.header ?? []).map((line) => `# ${line}`),
        "global",
        "    log stdout format raw local0",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option forwardfor",
        "    timeout connect 5s",
        "    timeout http-request 10s",
        `    timeout client ${idle}s`,
        `    timeout server ${idle}s`,
        "",
        // Servers are compose names, resolved at run time (init-addr none): the router starts before
        // its backends and finds each one once it is up.
        "resolvers compose",
        `    nameserver docker ${composeDns}`,
        "    hold valid 10s",
        "    hold nx 1s",
        "    hold other 1s",
        "    hold refused 1s",
        "    hold timeout 1s",
        "",
        "frontend fleet",
        `    bind ${options.bind}`,
        "    http-request set-header X-Forwarded-Proto http",
        "    # The Host header without its port, lowercased, as the rules compare it",
        "    http-request set-var(txn.fleet_host) req.hdr(host),field(1,:),lower",
        ...(domain
            ? [
                  `    # A name under localhost stands for the same name under fleet:domain (${domain})`,
                  `    http-request set-var(txn.fleet_host) var(txn.fleet_host),regsub([.]localhost$,.${domain})`,
                  `    http-request set-var(txn.fleet_host) var(txn.fleet_host),regsub(^localhost$,${domain})`,
              ]
            : []),
        "    # The listener rules, in the ALB's evaluation order",
        ...rules.flatMap((rule) => [...rule.acls, rule.use]),
        `    default_backend ${notFoundBackend}`,
        "",
        `backend ${notFoundBackend}`,
        `    http-request return status ${notFoundResponse.status} content-type ${notFoundResponse.contentType} ` +
            `string ${word(notFoundResponse.body)}`,
        ...routed.flatMap((service) => ["", ...backendLines(service, address(service))]),
        "",
    ].join("\n");
}
