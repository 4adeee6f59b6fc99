/**
 * The pure side of reach: `connects` (URLs, Service Connect roles, task sizes with the agent),
 * `fleet:dns` (records, certificate names) and `enabled` (one stack only, retiring a service turned
 * off). Their bad values are cases of the corpus (test/fixtures/problems/reach.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Catalog } from "../model/catalog";
import { connectionVariable } from "../model/connections";
import { resolveDns } from "../model/dns";
import { PlannedRule } from "../model/routing";
import { resolveForTest } from "./harness";
import { projectRoot } from "./support/fixtures";

const memory = { reservation: 64, limit: 128 };
const stack = { network: { natGateways: "single" }, domain: "example.com" };

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
