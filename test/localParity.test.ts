/**
 * The local router routes as the ALB does: real HAProxy, on the haproxy.cfg the local stack writes,
 * in front of stub servers on loopback that answer with their service's name. Every request of a
 * table must land on the service the plan's routing model names (the first of the fleet's listener
 * rules, in evaluation order, whose conditions all match, with the model's own glob matching), or
 * on the listener's 404. For the shipped catalog on each shipped stack file and the local fixture
 * fleet (properties that hold for any valid fleet), and for seeded random catalogs with overlapping
 * and wildcard hosts, nested paths, host-and-path rules and pinned priorities.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { haproxyConfig, localHost, notFoundResponse } from "../local/haproxy";
import { loadCatalog, resolveLocalFleet } from "../local/stack";
import { Catalog, ServiceSpec } from "../model/catalog";
import { ResolvedFleet } from "../model/fleet";
import { resolveFleet } from "../model/resolve";
import { patternCovers, PlannedRule } from "../model/routing";
import { fixtureCatalog, projectRoot } from "./support/fixtures";
import { fleetInput } from "./support/fleetInput";
import { freePort, get, get2, localFixtureRoot, localStack, noHaproxy, RunningHaproxy, startHaproxy, stubBackends } from "./support/local";

/** A deterministic generator (mulberry32), so a failing seed fails again. */
function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
type Random = () => number;
const pick = <T>(next: Random, items: readonly T[]): T => items[Math.floor(next() * items.length)];
const some = <T>(next: Random, items: readonly T[], most: number): T[] => {
    const count = 1 + Math.floor(next() * most);
    return [...new Set(Array.from({ length: count }, () => pick(next, items)))];
};

/** The service the plan's routing model sends a request to, or undefined for the listener's 404. */
function modelTarget(rules: readonly PlannedRule[], host: string, requestPath: string): string | undefined {
    return rules.find(
        (rule) =>
            (rule.hosts.length === 0 || rule.hosts.some((pattern) => patternCovers(pattern, host, true))) &&
            (rule.paths.length === 0 || rule.paths.some((pattern) => patternCovers(pattern, requestPath, false))),
    )?.service;
}

/** A concrete value a glob matches: each `*` and `?` replaced by one of a few fillers. */
function instance(next: Random, glob: string, many: readonly string[], one: readonly string[]): string {
    return glob.replace(/[*?]/g, (wildcard) => pick(next, wildcard === "*" ? many : one));
}

interface Request {
    /** The Host as the stack names it (what the model sees). */
    readonly host: string;
    /** The Host a browser on this machine sends: under localhost, its case varied, maybe with a port. */
    readonly sent: string;
    readonly path: string;
    readonly query: string;
}

/** Hosts and paths from every rule's patterns (and some no rule names), crossed. */
function requestTable(fleet: ResolvedFleet, next: Random): Request[] {
    const domain = fleet.domain ?? "example.com";
    const hosts = new Set([domain, `nothing.${domain}`, "unrouted.example.net", "localhost.example.net"]);
    const paths = new Set(["/", "/nothing/here", "/API/v2/users", "/api", "/static"]);
    for (const rule of fleet.rules) {
        for (const host of rule.hosts) for (let i = 0; i < 2; i++) hosts.add(instance(next, host, ["x", "a.b", "api", "shop"], ["p", "9"]));
        for (const p of rule.paths) for (let i = 0; i < 2; i++) paths.add(instance(next, p, ["", "x", "v2/users", "a/b.c"], ["z", "-"]));
    }
    const requests: Request[] = [];
    for (const host of hosts) {
        for (const requestPath of paths) {
            const local = localHost(host, fleet.domain);
            const cased = next() < 0.3 ? local.toUpperCase() : local;
            requests.push({
                host,
                sent: next() < 0.3 ? `${cased}:8080` : cased,
                path: requestPath,
                query: next() < 0.2 ? "?q=/api/x&y=1" : "",
            });
        }
    }
    return requests;
}

interface Outcome {
    readonly mismatches: readonly string[];
    /** Requests that more than one rule matches: they fail if the order is wrong. */
    readonly contested: number;
}

/** Runs HAProxy on the fleet's haproxy.cfg in front of stubs, and sends it the whole table. */
async function sendTable(fleet: ResolvedFleet, table: readonly Request[], protocol: "HTTP/1.1" | "HTTP/2" = "HTTP/1.1"): Promise<Outcome> {
    const routed = fleet.services.filter((s) => s.rules.length > 0);
    const stubs = await stubBackends(routed.map((s) => ({ name: s.name, h2: s.protocol === "http2" || s.protocol === "grpc" })));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    let session: http2.ClientHttp2Session | undefined;
    let haproxy: RunningHaproxy | undefined;
    const mismatches: string[] = [];
    let contested = 0;
    try {
        const port = await freePort();
        const config = haproxyConfig(fleet, { bind: `127.0.0.1:${port}`, address: (s) => `127.0.0.1:${stubs.ports.get(s.name)}` });
        haproxy = await startHaproxy(config, port);
        // An HTTP/2 client without TLS (a gRPC client's prior knowledge): the router tells it from HTTP/1.1 by its preface.
        const h2 = protocol === "HTTP/2" ? (session = http2.connect(`http://127.0.0.1:${port}`)) : undefined;
        const results = await Promise.all(
            table.map((r) => (h2 ? get2(h2, r.sent, `${r.path}${r.query}`) : get(port, r.sent, `${r.path}${r.query}`, agent))),
        );
        table.forEach((request, i) => {
            const matching = fleet.rules.filter((rule) => modelTarget([rule], request.host, request.path) !== undefined);
            if (matching.length > 1) contested++;
            const expected = modelTarget(fleet.rules, request.host, request.path);
            const { status, body } = results[i];
            const got =
                status === 200
                    ? body
                    : status === notFoundResponse.status && body === notFoundResponse.body
                      ? undefined
                      : `${status} ${body}`;
            if (got !== expected) {
                mismatches.push(`Host ${request.sent} ${request.path}${request.query}: model ${expected ?? "404"}, router ${got ?? "404"}`);
            }
        });
    } finally {
        agent.destroy();
        session?.destroy();
        await haproxy?.stop();
        await stubs.close();
    }
    return { mismatches, contested };
}

const hostChoices = [
    "api",
    "www",
    "shop",
    "API",
    "*",
    "api-*",
    "sho?",
    "*.example.com",
    "*.dev.example.com",
    "shop.example.org",
    "*.example.org",
];
const pathChoices = ["/api/*", "/api/v2/*", "/api/v2/users", "/static/*", "/img/?.png", "/", "/a/*/b", "/*", "/api*", "/$x/~y/*"];
const names = ["api", "web", "shop", "admin", "static", "media", "auth", "search"];

/** A random catalog: a few services, each with one to three routes of every kind, some pinned. */
function randomCatalog(next: Random): Record<string, ServiceSpec> {
    const catalog: Record<string, ServiceSpec> = {};
    for (const name of some(next, names, 6)) {
        const routes = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
            const kind = pick(next, ["host", "path", "host+path", "host+path"]);
            const route: { host?: string[]; path?: string[]; priority?: number } = {};
            if (kind !== "path") route.host = some(next, hostChoices, 2);
            if (kind !== "host") route.path = some(next, pathChoices, 2);
            if (next() < 0.2) route.priority = 1 + Math.floor(next() * 49998);
            return route;
        });
        catalog[name] = { image: "nginx:1.27", port: 8080, routes, memory: { reservation: 64, limit: 128 } };
    }
    return catalog;
}

/**
 * The random catalog made valid: a route the model refuses (two services claiming a host and path,
 * a collision, an unreachable rule) is dropped, and a service left without routes with it, until
 * the fleet resolves. The refusals are the model's own; what is left is a fleet a user could deploy.
 */
function validFleet(catalog: Record<string, ServiceSpec>): { fleet: ResolvedFleet; pins: number } | undefined {
    const config = { domain: "dev.example.com", cluster: { defaultCapacity: "fargate" }, network: { natGateways: "single" } };
    for (let round = 0; round < 30; round++) {
        if (Object.keys(catalog).length === 0) return undefined;
        const result = resolveFleet(catalog as Catalog, fleetInput(config, { stack: "dev" }));
        if (result.ok) {
            const pins = Object.values(catalog)
                .flatMap((spec) => (spec.routes ?? []) as { priority?: number }[])
                .filter((r) => r.priority);
            return { fleet: result.fleet, pins: pins.length };
        }
        const drop = result.problems.map((p) => ({
            service: /^service "(.+)"$/.exec(p.subject)?.[1],
            route: /^routes\[(\d+)\]/.exec(p.path)?.[1],
        }));
        for (const { service, route } of drop) {
            if (!service || !catalog[service]) continue;
            if (route === undefined) delete catalog[service];
            else (catalog[service].routes as unknown[])[Number(route)] = undefined;
        }
        for (const [name, spec] of Object.entries(catalog)) {
            const routes = (spec.routes ?? []).filter((r) => r !== undefined);
            if (routes.length === 0) delete catalog[name];
            else catalog[name] = { ...spec, routes };
        }
    }
    return undefined;
}

describe("the local router routes every request where the plan's routing model does", { skip: noHaproxy }, () => {
    const shippedStacks = fs
        .readdirSync(projectRoot)
        .flatMap((f) => (/^Pulumi\.(.+)\.yaml$/.exec(f) ?? []).slice(1))
        .sort();

    for (const stack of shippedStacks) {
        it(`the shipped catalog on Pulumi.${stack}.yaml`, async () => {
            const fleet = resolveLocalFleet(projectRoot, stack, loadCatalog(path.join(projectRoot, "services", "index.ts")));
            const outcome = await sendTable(fleet, requestTable(fleet, random(1)));
            assert.deepEqual(outcome.mismatches, []);
        });
    }

    it("the local fixture fleet (wildcard hosts, HTTP/2 and gRPC servers, a host-and-path rule)", async () => {
        const fleet = resolveLocalFleet(localFixtureRoot(), localStack, loadCatalog(fixtureCatalog("catalogLocal.ts")));
        const outcome = await sendTable(fleet, requestTable(fleet, random(2)));
        assert.deepEqual(outcome.mismatches, []);
        assert.ok(outcome.contested > 0, "some request is matched by two rules, so the order is tested");
    });

    it("the local fixture fleet, to an HTTP/2 client without TLS (as a gRPC client calls)", async () => {
        const fleet = resolveLocalFleet(localFixtureRoot(), localStack, loadCatalog(fixtureCatalog("catalogLocal.ts")));
        const table = requestTable(fleet, random(3));
        assert.ok(table.some((r) => modelTarget(fleet.rules, r.host, r.path) === "rpc"));
        assert.deepEqual((await sendTable(fleet, table, "HTTP/2")).mismatches, []);
    });

    describe("seeded random catalogs", () => {
        const seeds = Array.from({ length: 12 }, (_, i) => 1000 + i);
        const fleets = new Map<number, { fleet: ResolvedFleet; pins: number }>();
        before(() => {
            for (const seed of seeds) {
                const valid = validFleet(randomCatalog(random(seed)));
                if (valid) fleets.set(seed, valid);
            }
        });

        it("cover what the ALB's order decides: overlapping and wildcard hosts, nested paths, host-and-path rules, pins", () => {
            const valid = [...fleets.values()];
            const rules = valid.flatMap(({ fleet }) => fleet.rules);
            assert.ok(fleets.size >= seeds.length - 2, `${fleets.size} of ${seeds.length} seeds give a valid fleet`);
            assert.ok(
                rules.some((r) => r.hosts.some((h) => h.includes("*"))),
                "a wildcard host",
            );
            assert.ok(
                rules.some((r) => r.kind === "host+path"),
                "a host-and-path rule",
            );
            assert.ok(rules.some((r) => r.paths.includes("/api/v2/*")) && rules.some((r) => r.paths.includes("/api/*")), "nested paths");
            assert.ok(
                valid.some(({ pins }) => pins > 0),
                "a pinned priority",
            );
            // Requests more than one rule matches: the order of the rules decides them, so a wrong order fails.
            const contested = [...fleets].flatMap(([seed, { fleet }]) =>
                requestTable(fleet, random(seed)).filter(
                    (r) => fleet.rules.filter((rule) => modelTarget([rule], r.host, r.path)).length > 1,
                ),
            );
            assert.ok(contested.length > 200, `${contested.length} contested requests`);
        });

        for (const seed of seeds) {
            it(`seed ${seed}`, async (t) => {
                const valid = fleets.get(seed);
                if (!valid) return t.skip("no valid fleet from this seed");
                const outcome = await sendTable(valid.fleet, requestTable(valid.fleet, random(seed)));
                assert.deepEqual(outcome.mismatches, []);
            });
        }
    });
});
