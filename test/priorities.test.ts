/**
 * Listener-rule priorities that never need a pin and never move (model/priorities.ts): property
 * tests over random catalogs and random sequences of adds, removes and edits, each plan made
 * against the rules the previous one deployed (read back as the `routes` output holds them).
 * Deterministic: a seeded PRNG, so a failure names the seed and step that reproduce it.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployedRoutesOf, DeployedRule } from "../model/priorities";
import {
    catchAllPriority,
    computedPriority,
    maxPriority,
    planRoutes,
    PlannedRule,
    RouteInput,
    ruleCovers,
    ruleKey,
    ruleKind,
} from "../model/routing";
import { resolveFleet } from "../model/resolve";
import { fleetInput } from "./support/fleetInput";

/** mulberry32: a small seeded PRNG, floats in [0, 1). */
function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const label = (random: Random) =>
    Array.from({ length: 3 + Math.floor(random() * 8) }, () => pick(random, [..."abcdefghijklmnopqrstuvwxyz"])).join("");
// Few segments, so that paths nest (`/api/*` and `/api/v2/*`) and rules contain each other.
const segments = ["api", "v1", "v2", "users", "admin", "static", "orders", "a", "b"];

function randomPath(random: Random): string {
    const depth = 1 + Math.floor(random() * 3);
    const prefix = Array.from({ length: depth }, () => `/${pick(random, segments)}`).join("");
    return pick(random, [prefix, `${prefix}/*`, `${prefix}/*`, `${prefix}*`, `${prefix}/?*`, `${prefix}?`]);
}

function randomHost(random: Random, domains: readonly string[]): string {
    const domain = pick(random, domains);
    return pick(random, [
        `${label(random)}.${domain}`,
        `${label(random)}.${domain}`,
        `${label(random)}.${domain}`,
        `*.${domain}`,
        `${label(random)}-*.${domain}`,
    ]);
}

/** Random routes of one service: host, host+path, path or (rarely) the catch-all; one or two values per condition. */
function randomRoutes(random: Random, service: string, options: { hostsOnly?: boolean }): RouteInput[] {
    const domains = ["example.com", "dev.example.com", "shop.example.org"];
    const count = options.hostsOnly ? 1 : 1 + Math.floor(random() * 2);
    return Array.from({ length: count }, (_, index) => {
        const shape = options.hostsOnly ? 0 : random();
        const values = (make: () => string) => [...new Set(Array.from({ length: random() < 0.15 ? 2 : 1 }, make))];
        const hosts = shape < 0.7 ? values(() => (options.hostsOnly ? `${label(random)}.example.com` : randomHost(random, domains))) : [];
        const paths = shape >= 0.45 ? (random() < 0.03 ? ["/*"] : values(() => randomPath(random))) : [];
        return { service, index, hosts, paths };
    });
}

/** The host and path pairs a route claims, as planRoutes counts them. */
const claimsOf = (route: RouteInput) =>
    (route.hosts.length ? route.hosts.map((h) => h.toLowerCase()) : ["*"]).flatMap((host) =>
        (route.paths.length ? route.paths.map((p) => (p === "*" ? "/*" : p)) : ["/*"]).map((path) => `${host} ${path}`),
    );

/** A catalog as routes, services keyed by name; a service whose routes would claim a taken pair is drawn again. */
class RandomCatalog {
    readonly services = new Map<string, RouteInput[]>();
    private next = 0;
    constructor(
        private readonly random: Random,
        private readonly options: { hostsOnly?: boolean } = {},
    ) {}
    get rules(): number {
        return [...this.services.values()].reduce((sum, routes) => sum + routes.length, 0);
    }
    private claimed(except?: string): Set<string> {
        return new Set([...this.services].filter(([name]) => name !== except).flatMap(([, routes]) => routes.flatMap(claimsOf)));
    }
    private draw(service: string): RouteInput[] {
        const taken = this.claimed(service);
        for (;;) {
            const routes = randomRoutes(this.random, service, this.options);
            const claims = routes.flatMap(claimsOf);
            if (new Set(claims).size === claims.length && !claims.some((c) => taken.has(c))) return routes;
        }
    }
    add(): void {
        const name = `svc-${this.next++}`;
        this.services.set(name, this.draw(name));
    }
    remove(): void {
        const names = [...this.services.keys()];
        if (names.length > 0) this.services.delete(pick(this.random, names));
    }
    /** New patterns for one service: its rules are other rules (other listener-rule resources). */
    edit(): void {
        const names = [...this.services.keys()];
        if (names.length > 0) {
            const name = pick(this.random, names);
            this.services.set(name, this.draw(name));
        }
    }
    routes(): RouteInput[] {
        return [...this.services.values()].flat();
    }
}

/** The rules as the `routes` stack output holds them, read back as the next run reads them. */
function deployedOf(rules: readonly PlannedRule[]): readonly DeployedRule[] {
    const output = JSON.parse(
        JSON.stringify(rules.map((r) => ({ priority: r.priority, service: r.service, hosts: r.hosts, paths: r.paths }))),
    );
    const deployed = deployedRoutesOf({ routes: output, albDnsName: "fleet-alb-0123.eu-west-1.elb.amazonaws.com" });
    assert.equal(deployed.warning, undefined);
    return deployed.rules!;
}

const id = (rule: { service: string; hosts: readonly string[]; paths: readonly string[] }) =>
    `${rule.service} ${ruleKey(rule.hosts, rule.paths)}`;

/** The three properties of one plan, against the rules deployed before it (if known). */
function assertProperties(rules: readonly PlannedRule[], before: readonly DeployedRule[] | undefined, where: string): void {
    const priorities = rules.map((r) => r.priority);
    assert.equal(new Set(priorities).size, priorities.length, `${where}: unique`);
    for (const p of priorities) assert.ok(Number.isInteger(p) && p >= 1 && p <= maxPriority, `${where}: ${p} in range`);
    // Stable: a rule deployed before keeps its priority; a new rule takes no priority deployed before.
    const deployed = new Map((before ?? []).map((r) => [id(r), r.priority]));
    const held = new Set(deployed.values());
    for (const rule of rules) {
        if (deployed.has(id(rule))) {
            assert.equal(rule.priority, deployed.get(id(rule)), `${where}: ${id(rule)} kept`);
            assert.equal(rule.origin, "kept", `${where}: ${id(rule)} kept`);
        } else {
            assert.equal(rule.origin, "new", `${where}: ${id(rule)} new`);
            assert.ok(
                !held.has(rule.priority),
                `${where}: ${id(rule)} takes ${rule.priority}, held by a deployed rule until this update ends`,
            );
        }
    }
    // Specificity: a rule that another covers strictly is evaluated first.
    const covers = rules.map((a) => rules.map((b) => ruleCovers(a, b)));
    rules.forEach((a, i) =>
        rules.forEach((b, j) => {
            if (covers[j][i] && !covers[i][j])
                assert.ok(a.priority < b.priority, `${where}: ${id(a)} (${a.priority}) before ${id(b)} (${b.priority})`);
        }),
    );
}

describe("priorities over random sequences of adds, removes and edits", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
        it(`seed ${seed}: unique, kept, specific first, and never a problem to pin`, () => {
            const random = prng(seed);
            const catalog = new RandomCatalog(random);
            let deployed: readonly DeployedRule[] | undefined;
            for (let step = 0; step < 20; step++) {
                const removes = Math.floor(random() * 4);
                for (let i = 0; i < removes; i++) catalog.remove();
                if (random() < 0.3) catalog.edit();
                const adds = step === 0 ? 20 : Math.floor(random() * 8);
                for (let i = 0; i < adds && catalog.rules < 95; i++) catalog.add();
                const plan = planRoutes(catalog.routes(), deployed);
                const where = `seed ${seed} step ${step}`;
                assert.deepEqual(
                    plan.problems.map((p) => p.message),
                    [],
                    where,
                );
                assertProperties(plan.rules, deployed, where);
                deployed = deployedOf(plan.rules);
            }
        });
    }
});

describe("host-routed fleets that used to need pins", () => {
    // With the hash alone, 60 host-routed services needed 3 pins and 30 more another 4.
    const hostCatalog = (seed: number, count: number) => {
        const catalog = new RandomCatalog(prng(seed), { hostsOnly: true });
        for (let i = 0; i < count; i++) catalog.add();
        return catalog;
    };
    const homeCollisions = (routes: readonly RouteInput[]) =>
        routes.length - new Set(routes.map((r) => computedPriority(r.service, r.hosts, r.paths))).size;

    it("60 host-routed services, then 30 more planned against the first: no pin, no rule moved", () => {
        let collided = 0;
        for (const seed of [11, 12, 13, 14, 15]) {
            const catalog = hostCatalog(seed, 60);
            const first = planRoutes(catalog.routes());
            assert.deepEqual(first.problems, [], `seed ${seed}: 60`);
            assertProperties(first.rules, undefined, `seed ${seed}: 60`);
            for (let i = 0; i < 30; i++) catalog.add();
            const deployed = deployedOf(first.rules);
            const second = planRoutes(catalog.routes(), deployed);
            assert.deepEqual(second.problems, [], `seed ${seed}: 90`);
            assertProperties(second.rules, deployed, `seed ${seed}: 90`);
            assert.equal(second.rules.filter((r) => r.origin === "kept").length, 60);
            collided += homeCollisions(catalog.routes());
        }
        // The catalogs are the ones that collided: the home slots alone would have asked for pins.
        assert.ok(collided > 0, `${collided} home-slot collisions among the five catalogs`);
    });

    it("90 host-routed services at once, and 90 routed services with path rules: no pin", () => {
        for (const seed of [21, 22, 23, 24, 25]) {
            const hosts = hostCatalog(seed, 90);
            assertProperties(planRoutes(hosts.routes()).rules, undefined, `seed ${seed} hosts`);
            assert.deepEqual(planRoutes(hosts.routes()).problems, []);
            const mixed = new RandomCatalog(prng(seed));
            while (mixed.rules < 90) mixed.add();
            const plan = planRoutes(mixed.routes());
            assert.deepEqual(
                plan.problems.map((p) => p.message),
                [],
                `seed ${seed} mixed`,
            );
            assertProperties(plan.rules, undefined, `seed ${seed} mixed`);
        }
    });
});

describe("a new rule's slot", () => {
    const route = (service: string, hosts: string[], paths: string[], pinnedPriority?: number): RouteInput => ({
        service,
        index: 0,
        hosts,
        paths,
        ...(pinnedPriority === undefined ? {} : { pinnedPriority }),
    });
    const deployedRule = (service: string, hosts: string[], paths: string[], priority: number): DeployedRule => ({
        service,
        hosts,
        paths,
        priority,
    });

    it("is its home slot when free: a fleet deployed before this design plans what it deployed", () => {
        const routes = [route("api", ["api.example.com"], []), route("web", [], ["/web/*"])];
        for (const rule of planRoutes(routes).rules) {
            assert.equal(rule.priority, computedPriority(rule.service, rule.hosts, rule.paths));
            assert.equal(rule.origin, "new");
        }
    });

    it("is never a priority a removed rule holds until the update deletes it, which is free again in the next", () => {
        const home = computedPriority("api", ["api.example.com"], []);
        const deployed = [deployedRule("old", ["old.example.com"], [], home)];
        const during = planRoutes([route("api", ["api.example.com"], [])], deployed);
        assert.deepEqual(during.problems, []);
        assert.equal(during.rules[0].priority, home + 1);
        // Next update: the old rule is gone from the outputs, and api keeps home + 1.
        const after = planRoutes([route("api", ["api.example.com"], [])], deployedOf(during.rules));
        assert.deepEqual([after.rules[0].priority, after.rules[0].origin], [home + 1, "kept"]);
    });

    it("for a catch-all that changes service is the spare below 50000 while the old one holds 50000", () => {
        const plan = planRoutes([route("web", [], ["/*"])], [deployedRule("legacy", [], ["/*"], catchAllPriority)]);
        assert.deepEqual(plan.problems, []);
        assert.deepEqual([plan.rules[0].priority, plan.rules[0].origin], [catchAllPriority - 1, "new"]);
    });

    it("goes after a kept rule it must follow and before one it must precede, wherever they were deployed", () => {
        // Deployed when pinned, the pins since removed: the rules keep 100 and 300, outside the path band.
        const deployed = [deployedRule("admin", [], ["/api/admin/users/*"], 100), deployedRule("gateway", [], ["/api/*"], 300)];
        const plan = planRoutes(
            [route("admin", [], ["/api/admin/users/*"]), route("gateway", [], ["/api/*"]), route("console", [], ["/api/admin/*"])],
            deployed,
        );
        assert.deepEqual(plan.problems, []);
        assert.deepEqual(
            plan.rules.map((r) => [r.service, r.priority, r.origin]),
            [
                ["admin", 100, "kept"],
                // The middle of the gap, so that a rule nested in between later still finds room.
                ["console", 200, "new"],
                ["gateway", 300, "kept"],
            ],
        );
    });

    it("is before a wildcard host rule with a match-all path that covers it, though its band comes after", () => {
        // `*.example.com` with path `/*` matches every request to api.example.com: the host rule goes first.
        const plan = planRoutes([route("gateway", ["*.example.com"], ["/*"]), route("api", ["api.example.com"], [])]);
        assert.deepEqual(plan.problems, []);
        const [api, gateway] = ["api", "gateway"].map((s) => plan.rules.find((r) => r.service === s)!);
        assert.ok(api.priority < gateway.priority, `${api.priority} < ${gateway.priority}`);
        assert.equal(ruleKind(gateway.hosts, gateway.paths), "host+path");
    });

    it("leaves a pin where it is written, and a pin onto a kept priority is refused, not the kept rule moved", () => {
        const deployed = [deployedRule("orders", [], ["/orders/*"], 40000)];
        const plan = planRoutes([route("orders", [], ["/orders/*"]), route("billing", [], ["/billing/*"], 40000)], deployed);
        assert.deepEqual(
            plan.problems.map((p) => p.code),
            ["routing/priority-collision"],
        );
        assert.deepEqual(
            plan.rules.map((r) => [r.service, r.priority, r.origin]),
            [
                ["billing", 40000, "pinned"],
                ["orders", 40000, "kept"],
            ],
        );
        // A pin on the rule itself moves it: the user asked.
        const moved = planRoutes([route("orders", [], ["/orders/*"], 41000)], deployed);
        assert.deepEqual([moved.problems, moved.rules[0].priority, moved.rules[0].origin], [[], 41000, "pinned"]);
        // Without the pin it stays where the pin put it.
        const unpinned = planRoutes([route("orders", [], ["/orders/*"])], deployedOf(moved.rules));
        assert.deepEqual([unpinned.rules[0].priority, unpinned.rules[0].origin], [41000, "kept"]);
    });
});

describe("deployedRoutesOf", () => {
    const rule = { priority: 16872, service: "api", hosts: ["api.dev.example.com"], paths: [] };

    it("reads the routes output: each rule's service, patterns and priority", () => {
        assert.deepEqual(deployedRoutesOf({ albDnsName: "x", routes: [rule] }), { rules: [rule] });
    });

    it("knows nothing, and warns of nothing, for a stack without outputs: a first deploy", () => {
        assert.deepEqual(deployedRoutesOf({}), {});
    });

    it("warns when the stack has outputs but no readable routes: a lost output", () => {
        for (const outputs of [{ albDnsName: "x" }, { routes: "[secret]" }, { routes: [{ ...rule, priority: "16872" }] }]) {
            const read = deployedRoutesOf(outputs);
            assert.equal(read.rules, undefined);
            assert.match(read.warning ?? "", /listener-rule priorities are placed as on a first deploy/, JSON.stringify(outputs));
        }
    });

    it("reaches resolveFleet: the deployed priorities are kept, and a lost output is a warning of the fleet", () => {
        const entry = { image: "nginx:1.27", port: 80, memory: { reservation: 64, limit: 128 } };
        const catalog = {
            api: { ...entry, routes: [{ host: "api.example.com" }] },
            web: { ...entry, routes: [{ host: "www.example.com" }] },
        };
        const stack = { network: { natGateways: "single" } };
        const kept = resolveFleet(
            catalog,
            fleetInput(stack, { deployedRoutes: { rules: [{ ...rule, hosts: ["api.example.com"], priority: 17000 }] } }),
        );
        assert.ok(kept.ok, kept.ok ? "" : kept.errors.join("\n"));
        assert.deepEqual(
            kept.fleet.rules.map((r) => [r.service, r.priority, r.origin]),
            [
                ["web", computedPriority("web", ["www.example.com"], []), "new"],
                ["api", 17000, "kept"],
            ],
        );
        const lost = resolveFleet(catalog, fleetInput(stack, { deployedRoutes: deployedRoutesOf({ albDnsName: "x" }) }));
        assert.ok(lost.ok);
        assert.equal(lost.fleet.warnings.filter((w) => w.includes("listener-rule priorities are placed as on a first deploy")).length, 1);
    });
});
