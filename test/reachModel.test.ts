/**
 * The pure side of reach: `connects` (URLs, Service Connect roles, task sizes with the agent, every
 * bad target), `fleet:dns` (records, certificate names, hosts outside the zone, ACM's quota) and
 * `enabled` (one stack only, bad values, retiring a service turned off).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Catalog } from "../model/catalog";
import { connectionVariable } from "../model/connections";
import { resolveDns } from "../model/dns";
import { PlannedRule } from "../model/routing";
import { acmDefaultNamesPerCertificate } from "../facts/aws";
import { resolveForTest } from "./harness";
import { projectRoot } from "./support/fixtures";
import { resolutionProblems } from "./support/fleetInput";

const memory = { reservation: 64, limit: 128 };
const stack = { network: { natGateways: "single" }, domain: "example.com" };

/** Every problem resolving `catalog` against `config` (this file's stack values unless given) reports. */
const problemsOf = (catalog: Catalog, config: Record<string, unknown> = stack) => resolutionProblems(catalog, config);

describe("connects", () => {
    const catalog: Catalog = {
        web: { image: "nginx:1.27", port: 8080, memory, env: { MODE: "web" }, connects: ["billing-api"] },
        "billing-api": { image: "nginx:1.27", port: 9000, memory },
        worker: { image: "nginx:1.27", memory },
    };

    it("names the variable after the target: upper case, hyphens to underscores; a URL for HTTP, an address for gRPC and TCP", () => {
        assert.deepEqual(connectionVariable("api", 8080, "http"), { variable: "API_URL", url: "http://api:8080" });
        assert.deepEqual(connectionVariable("billing-api", 9000, "http2"), { variable: "BILLING_API_URL", url: "http://billing-api:9000" });
        assert.deepEqual(connectionVariable("cart", 7070, "grpc"), { variable: "CART_ADDR", url: "cart:7070" });
        assert.deepEqual(connectionVariable("redis-cart", 6379, "tcp"), { variable: "REDIS_CART_ADDR", url: "redis-cart:6379" });
    });

    it("injects the URL, makes the caller a client and the target a server, and leaves others out", () => {
        const fleet = resolveForTest(catalog, stack);
        const [billing, web, worker] = fleet.services;
        assert.deepEqual(web.env, { BILLING_API_URL: "http://billing-api:9000", MODE: "web" });
        assert.deepEqual(web.connects, [
            { target: "billing-api", port: 9000, protocol: "http", variable: "BILLING_API_URL", url: "http://billing-api:9000" },
        ]);
        assert.deepEqual(web.serviceConnect, { server: false, client: true });
        assert.deepEqual(billing.serviceConnect, { server: true, client: false });
        assert.equal(worker.serviceConnect, undefined);
        // The agent's 256 CPU units and 64 MiB: 256 + 256 units, 128 + 64 MiB → the 512/1024 Fargate size.
        assert.deepEqual(web.capacity, { kind: "fargate", spot: false, size: { cpu: 512, memory: 1024 } });
        assert.deepEqual(worker.capacity, { kind: "fargate", spot: false, size: { cpu: 256, memory: 512 } });
    });

    it("reports an unknown target (did you mean), a target without a port, " + "itself, a turned-off target and a repeat", () => {
        assert.deepEqual(
            problemsOf(
                {
                    web: {
                        image: "nginx:1.27",
                        port: 80,
                        memory,
                        env: { API_URL: "http://old" },
                        connects: ["apii", "web", "worker", "docs", "api", "api"],
                    },
                    api: { image: "nginx:1.27", port: 8080, memory },
                    worker: { image: "nginx:1.27", memory },
                    docs: { image: "nginx:1.27", port: 80, memory },
                },
                { ...stack, services: { docs: { enabled: false } } },
            ),
            [
                'service "web": connects[0] = "apii": is not a service in the catalog (did you mean "api"?); name a catalog service.',
                'service "web": connects[1] = "web": is the service itself; remove it: a service calls itself on localhost.',
                'service "web": connects[2] = "worker": has no port, so it cannot be ' +
                    'called; set port on "worker" or remove it from connects.',
                'service "web": connects[3] = "docs": is turned off in this stack ' +
                    "(fleet:services.docs.enabled: false); remove it from connects in this " +
                    "stack's override, or enable the service.",
                'service "web": connects[5] = "api": is listed twice; list each service once.',
            ],
        );
    });

    it("refuses what is not a list of names, and says when a stack override set it", () => {
        assert.deepEqual(
            problemsOf({ web: { image: "nginx:1.27", port: 80, memory } }, { ...stack, services: { web: { connects: "api" } } }),
            [
                'service "web" (set in fleet:services.web of Pulumi.test.yaml): ' +
                    'connects = "api": must be a list of service names; write connects: ' +
                    '["api"].',
            ],
        );
    });

    it("reports a service whose container and agent no Fargate size holds", () => {
        assert.deepEqual(
            problemsOf({
                web: { image: "nginx:1.27", port: 80, memory: { reservation: 1024, limit: 122880 }, cpu: 16384, connects: ["api"] },
                api: { image: "nginx:1.27", port: 8080, memory },
            }),
            [
                'service "web": memory.limit = 122880: with 16384 CPU units, leaves no ' +
                    "Fargate task size room for the Service Connect agent (256 CPU units " +
                    "and 64 MiB more), which every task of a service that calls or is " +
                    "called runs; lower cpu or memory.limit, or run the service on ec2 " +
                    "capacity.",
            ],
        );
    });
});

const rule = (service: string, hosts: string[], index = 0): PlannedRule => ({
    service,
    index,
    key: "k",
    kind: "host",
    priority: 1,
    hosts,
    paths: [],
});

describe("fleet:dns", () => {
    it("gives each host a record and subdomain hosts one wildcard certificate name", () => {
        const { dns, problems } = resolveDns(
            { zone: "example.com" },
            [
                rule("web", ["www.dev.example.com"]),
                rule("api", ["api.dev.example.com", "api.example.com"]),
                rule("shop", ["*.shop.example.com"]),
            ],
            "dev.example.com",
            undefined,
        );
        assert.deepEqual(problems, []);
        assert.deepEqual(dns, {
            zone: "example.com",
            zoneId: undefined,
            records: [
                { name: "*.shop.example.com" },
                { name: "api.dev.example.com" },
                { name: "api.example.com" },
                { name: "www.dev.example.com" },
            ],
            certificate: {
                domainName: "*.dev.example.com",
                names: ["*.dev.example.com", "*.shop.example.com", "api.example.com"],
                validationNames: ["*.dev.example.com", "*.shop.example.com", "api.example.com"],
            },
        });
    });

    it("shares one validation record between a wildcard and its base name", () => {
        const { dns } = resolveDns({ zone: "example.com" }, [rule("web", ["example.com", "*.example.com"])], undefined, undefined);
        assert.deepEqual(dns.certificate, {
            domainName: "*.example.com",
            names: ["*.example.com", "example.com"],
            validationNames: ["*.example.com"],
        });
    });

    it("requests no certificate when the stack gives one", () => {
        const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        const { dns } = resolveDns({ zone: "example.com", zoneId: "Z0123456789ABC" }, [rule("web", ["www.example.com"])], undefined, arn);
        assert.deepEqual(dns, {
            zone: "example.com",
            zoneId: "Z0123456789ABC",
            records: [{ name: "www.example.com" }],
            certificate: undefined,
        });
    });

    it("refuses hosts outside the zone and wildcards past the first label, naming service and route", () => {
        assert.deepEqual(
            problemsOf(
                {
                    web: {
                        image: "nginx:1.27",
                        port: 80,
                        memory,
                        routes: [{ host: "www" }, { host: "api.other.org" }, { host: "a*.b*.example.com" }],
                    },
                },
                { ...stack, dns: { zone: "example.com" } },
            ),
            [
                'service "web": routes[1].host = "api.other.org": is outside the DNS ' +
                    "zone example.com (fleet:dns.zone), so no record can point it at the " +
                    "load balancer; use a host in example.com, or set fleet:dns.zone to " +
                    "the zone that holds it.",
                'service "web": routes[2].host = "a*.b*.example.com": has a wildcard ' +
                    "past its first label, which no DNS record can match; use a wildcard " +
                    "only as the first label (*.example.com), or a plain host.",
            ],
        );
    });

    it(`refuses a certificate above ACM's ${acmDefaultNamesPerCertificate} names, and a bad zone or id`, () => {
        const hosts = "abcdefghijk".split("").map((letter) => `${letter}.x.example.com`);
        assert.deepEqual(
            problemsOf(
                {
                    web: {
                        image: "nginx:1.27",
                        port: 80,
                        memory,
                        routes: [{ host: hosts.slice(0, 5) }, { host: hosts.slice(5, 10) }, { host: hosts[10] }],
                    },
                },
                { ...stack, dns: { zone: "example.com" } },
            ),
            [
                `stack config fleet:dns: zone = "example.com": needs a certificate for ` +
                    `11 names (${hosts.join(", ")}), above ACM's default quota of 10 names ` +
                    `per certificate; route more hosts as subdomains of fleet:domain (one ` +
                    `wildcard covers them), or give fleet:loadBalancer.certificateArn.`,
            ],
        );
        assert.deepEqual(problemsOf({ web: { image: "nginx:1.27", memory } }, { ...stack, dns: { zone: "Example..com", zoneId: "bad" } }), [
            'stack config fleet:dns: zone = "Example..com": is not a lowercase DNS ' +
                "zone name; use the hosted zone's name, e.g. example.com.",
            'stack config fleet:dns: zoneId = "bad": is not a Route 53 hosted zone ' +
                "id; use the id shown by aws route53 list-hosted-zones, e.g. " +
                "Z0123456789ABC.",
        ]);
        assert.deepEqual(problemsOf({ web: { image: "nginx:1.27", memory } }, { ...stack, dns: { zoneId: "Z0123456789ABC" } }), [
            "stack config fleet:dns: zone = (missing): is required; name the hosted zone, e.g. example.com.",
        ]);
    });

    it("without fleet:dns, resolves no DNS and keeps HTTP URLs", () => {
        const fleet = resolveForTest({ web: { image: "nginx:1.27", port: 80, memory, routes: [{ host: "www" }] } }, stack);
        assert.equal(fleet.resolvedDns, undefined);
        assert.deepEqual(fleet.services[0].urls, ["http://www.example.com/"]);
        const withDns = resolveForTest(
            { web: { image: "nginx:1.27", port: 80, memory, routes: [{ host: "www" }] } },
            { ...stack, dns: { zone: "example.com" } },
        );
        assert.deepEqual(withDns.services[0].urls, ["https://www.example.com/"]);
    });
});

describe("enabled", () => {
    const catalog: Catalog = {
        web: { image: "nginx:1.27", port: 80, memory, routes: [{ host: "www" }] },
        docs: { image: "nginx:1.27", port: 80, memory, routes: [{ host: "docs" }] },
    };

    it("false leaves the service out of the stack: no service, no rules", () => {
        const fleet = resolveForTest(catalog, { ...stack, services: { docs: { enabled: false } } });
        assert.deepEqual(
            fleet.services.map((s) => s.name),
            ["web"],
        );
        assert.deepEqual(
            fleet.rules.map((r) => r.service),
            ["web"],
        );
        assert.deepEqual(fleet.disabled, ["docs"]);
        assert.deepEqual(
            resolveForTest(catalog, { ...stack, services: { docs: { enabled: true } } }).services.map((s) => s.name),
            ["docs", "web"],
        );
    });

    it("refuses a value that is not a boolean", () => {
        assert.deepEqual(problemsOf(catalog, { ...stack, services: { docs: { enabled: "no" } } }), [
            'stack config fleet:services.docs: enabled = "no": must be true or ' +
                "false; write enabled: false (without quotes) in Pulumi.test.yaml to " +
                "leave the service out of this stack, or remove it.",
        ]);
    });

    it("lets a service turned off here be retired here", () => {
        const fleet = resolveForTest(catalog, {
            ...stack,
            services: { docs: { enabled: false } },
            retired: { docs: { reason: "docs moved to the vendor portal" } },
        });
        assert.deepEqual(
            fleet.retired.map((r) => r.name),
            ["docs"],
        );
    });
});

describe("the access and connects example of docs/services.md", () => {
    it("resolves as written: its grants and its calls", () => {
        const page = fs.readFileSync(path.join(projectRoot, "docs", "services.md"), "utf8");
        const block = /```ts\n([\s\S]*?)```/.exec(page.slice(page.indexOf("## Access and calls between services")));
        assert.ok(block, "a ts block under ## Access and calls between services");
        const entry = new Function(`return ({${block[1]}});`)() as Catalog;
        const fleet = resolveForTest(
            {
                ...entry,
                api: { image: "nginx:1.27", port: 8080, memory },
                ledger: { image: "nginx:1.27", port: 8080, memory },
            },
            { ...stack, cluster: { defaultCapacity: "fargate" } },
        );
        const billing = fleet.services.find((s) => s.name === "billing")!;
        assert.deepEqual(
            billing.grants.map((g) => `${g.kind} ${g.resource} ${g.level}${g.kmsKey ? " kms" : ""}`),
            [
                "s3 acme-invoices/pdf/* read-write kms",
                "sqs billing-jobs consume",
                "sns billing-events publish",
                "dynamodb billing-sessions read-write",
            ],
        );
        assert.deepEqual(
            billing.connects.map((c) => `${c.variable}=${c.url}`),
            ["API_URL=http://api:8080", "LEDGER_URL=http://ledger:8080"],
        );
    });
});
