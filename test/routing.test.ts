import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import {
    catchAllPriority,
    computedPriority,
    maxPriority,
    maxRulesPerLoadBalancer,
    patternCovers,
    planRoutes,
    PlannedRule,
    RouteInput,
    RoutingPlan,
    RuleKind,
    ruleCovers,
    ruleKey,
    ruleKind,
    slotsPerTier,
} from "../model/routing";

const route = (service: string, index: number, hosts: string[], paths: string[], pinnedPriority?: number): RouteInput =>
    pinnedPriority === undefined ? { service, index, hosts, paths } : { service, index, hosts, paths, pinnedPriority };

/** `service[index]` → priority, to compare plans rule by rule. */
const prioritiesById = (rules: readonly PlannedRule[]) => new Map(rules.map((r) => [`${r.service}[${r.index}]`, r.priority]));

/**
 * Band and specificity tier of a priority, from the formula in routing.ts's header:
 * priority = band(kind) + tier * slotsPerTier + slot, three bands of floor((maxPriority - 1) / 3) values from 1.
 */
const bandSize = Math.floor((maxPriority - 1) / 3);
function bandTierSlot(priority: number): { band: number; tier: number; slot: number } {
    const band = Math.floor((priority - 1) / bandSize);
    const offset = priority - 1 - band * bandSize;
    return { band, tier: Math.floor(offset / slotsPerTier), slot: offset % slotsPerTier };
}

/** Each problem's code, subject and path (the wording is test/snapshots/problems.txt's). */
const idsOf = (plan: RoutingPlan) => plan.problems.map((p) => [p.code, p.subject, p.path]);

const serviceNames = ["orders", "billing", "users", "search", "web", "api", "auth", "cart", "catalog", "admin"];

describe("ruleKind", () => {
    const cases: { hosts: string[]; paths: string[]; kind: RuleKind }[] = [
        { hosts: ["api.example.com"], paths: ["/api/*"], kind: "host+path" },
        { hosts: ["api.example.com"], paths: ["/*"], kind: "host+path" },
        { hosts: ["api.example.com", "*.example.org"], paths: [], kind: "host" },
        { hosts: [], paths: ["/api/*"], kind: "path" },
        { hosts: [], paths: ["/*", "/api/*"], kind: "path" },
        { hosts: [], paths: ["/*"], kind: "catch-all" },
        { hosts: [], paths: ["*"], kind: "catch-all" },
        { hosts: [], paths: [], kind: "catch-all" },
    ];
    for (const { hosts, paths, kind } of cases) {
        it(`hosts ${JSON.stringify(hosts)} paths ${JSON.stringify(paths)} → ${kind}`, () => {
            assert.equal(ruleKind(hosts, paths), kind);
        });
    }
});

describe("computedPriority", () => {
    it("is 50000 for the catch-all, whatever the service", () => {
        assert.equal(catchAllPriority, 50000);
        for (const service of serviceNames) {
            assert.equal(computedPriority(service, [], ["/*"]), 50000);
            assert.equal(computedPriority(service, [], ["*"]), 50000);
        }
    });

    it("orders bands host+path < host < path < catch-all, even least specific vs most specific", () => {
        const longHost = "a-very-long-hostname.internal.example.com"; // literal length above the tier clamp
        const longPath = "/a/very/long/and/specific/path/prefix/*";
        for (const a of serviceNames) {
            for (const b of serviceNames) {
                const leastSpecificHostPath = computedPriority(a, ["*"], ["?"]);
                const mostSpecificHost = computedPriority(b, [longHost], []);
                const leastSpecificHost = computedPriority(a, ["*"], []);
                const mostSpecificPath = computedPriority(b, [], [longPath]);
                const leastSpecificPath = computedPriority(a, [], ["?"]);
                assert.ok(leastSpecificHostPath < mostSpecificHost, `${a}/${b}: ${leastSpecificHostPath} < ${mostSpecificHost}`);
                assert.ok(leastSpecificHost < mostSpecificPath, `${a}/${b}: ${leastSpecificHost} < ${mostSpecificPath}`);
                assert.ok(leastSpecificPath < catchAllPriority, `${a}: ${leastSpecificPath} < ${catchAllPriority}`);
            }
        }
    });

    const specificity: { band: string; specific: [string[], string[]]; general: [string[], string[]] }[] = [
        { band: "path", specific: [[], ["/api/v2/*"]], general: [[], ["/api/*"]] },
        { band: "path", specific: [[], ["/api/admin"]], general: [[], ["/api?admin"]] },
        { band: "host", specific: [["api.example.com"], []], general: [["*.example.com"], []] },
        { band: "host+path", specific: [["api.example.com"], ["/api/v2/*"]], general: [["api.example.com"], ["/api/*"]] },
        // A rule is as specific as its least specific pattern.
        { band: "path", specific: [[], ["/api/*"]], general: [[], ["/api/v2/users/*", "/x*"]] },
    ];
    for (const { band, specific, general } of specificity) {
        it(
            `${band}: ${JSON.stringify(specific)} gets a lower number ` +
                `than ${JSON.stringify(general)}, whatever the services are called`,
            () => {
                for (const a of serviceNames) {
                    for (const b of serviceNames) {
                        const first = computedPriority(a, ...specific);
                        const second = computedPriority(b, ...general);
                        assert.ok(first < second, `${a} ${first} should be < ${b} ${second}`);
                    }
                }
            },
        );
    }

    it("is deterministic and ignores the order of hosts and of paths", () => {
        for (const service of serviceNames) {
            assert.equal(computedPriority(service, [], ["/api/*"]), computedPriority(service, [], ["/api/*"]));
            assert.equal(
                computedPriority(service, ["a.example.com", "b.example.com"], ["/x/*", "/y/*"]),
                computedPriority(service, ["b.example.com", "a.example.com"], ["/y/*", "/x/*"]),
            );
        }
    });

    it("stays an integer within 1..50000 and within its band's 32 tiers", () => {
        const shapes: [string[], string[], number][] = [
            [["api.example.com"], ["/api/*"], 0],
            [["*"], ["?"], 0],
            [["a-very-long-hostname.internal.example.com"], ["/a/very/long/and/specific/path/prefix/*"], 0],
            [["api.example.com"], [], 1],
            [["*"], [], 1],
            [[], ["/api/*"], 2],
            [[], ["?"], 2],
            [[], ["/a/very/long/and/specific/path/prefix/*"], 2],
        ];
        for (const service of serviceNames) {
            for (const [hosts, paths, band] of shapes) {
                const priority = computedPriority(service, hosts, paths);
                assert.ok(Number.isInteger(priority) && priority >= 1 && priority <= 50000, `${priority}`);
                const position = bandTierSlot(priority);
                assert.equal(position.band, band, `${service} ${JSON.stringify([hosts, paths])} → ${priority}`);
                assert.ok(position.tier < 32, `${service} ${JSON.stringify([hosts, paths])} → ${priority}`);
            }
        }
    });
});

describe("planRoutes", () => {
    const catalog: RouteInput[] = [
        route("orders", 0, ["api.example.com"], ["/orders/*"]),
        route("orders", 1, [], ["/orders/v2/*"]),
        route("billing", 0, ["billing.example.com"], []),
        route("users", 0, [], ["/users/*"]),
        route("users", 1, ["api.example.com"], ["/users/*"]),
        route("admin", 0, ["admin.example.com"], []),
        route("admin", 1, [], ["/admin/*"], 40000),
        route("web", 0, [], ["/*"]),
    ];

    it("returns every rule, in ascending priority, with its kind, key and pinned priority", () => {
        const plan = planRoutes(catalog);
        assert.deepEqual(plan.problems, []);
        assert.equal(plan.rules.length, catalog.length);
        for (let i = 1; i < plan.rules.length; i++) {
            assert.ok(plan.rules[i - 1].priority < plan.rules[i].priority, `rule ${i - 1} before rule ${i}`);
        }
        const admin = plan.rules.find((r) => r.service === "admin" && r.index === 1);
        assert.equal(admin?.priority, 40000);
        assert.equal(admin?.kind, "path");
        assert.equal(admin?.key, ruleKey([], ["/admin/*"]));
        const last = plan.rules[plan.rules.length - 1];
        assert.deepEqual([last.service, last.kind, last.priority], ["web", "catch-all", 50000]);
        for (const rule of plan.rules) {
            const input = catalog.find((r) => r.service === rule.service && r.index === rule.index);
            assert.ok(input);
            assert.equal(rule.priority, input.pinnedPriority ?? computedPriority(input.service, input.hosts, input.paths));
        }
    });

    it("keeps every other rule's priority when a service is added and another removed", () => {
        const before = planRoutes(catalog);
        const changed = [
            ...catalog.filter((r) => r.service !== "billing"),
            route("search", 0, ["search.example.com"], ["/search/*"]),
            route("search", 1, [], ["/search/*"]),
        ];
        const after = planRoutes(changed);
        assert.deepEqual(before.problems, []);
        assert.deepEqual(after.problems, []);

        const beforeById = prioritiesById(before.rules);
        const afterById = prioritiesById(after.rules);
        assert.deepEqual([...afterById.keys()].filter((id) => !beforeById.has(id)).sort(), ["search[0]", "search[1]"]);
        assert.deepEqual(
            [...beforeById.keys()].filter((id) => !afterById.has(id)),
            ["billing[0]"],
        );
        let kept = 0;
        for (const [id, priority] of afterById) {
            if (!beforeById.has(id)) continue;
            assert.equal(priority, beforeById.get(id), id);
            kept++;
        }
        assert.equal(kept, catalog.length - 1);
    });

    describe("claims", () => {
        // The claims of two services, or of one service twice, are cases of the corpus (test/fixtures/problems/routing.ts).
        it("one service repeating a path reports the repeat alone: pinning a priority would not fix it", () => {
            const plan = planRoutes([route("orders", 0, [], ["/a/*"]), route("orders", 2, [], ["/a/*"])]);
            assert.deepEqual(idsOf(plan), [["routing/duplicate-rule", 'service "orders"', "routes[2]"]]);
            assert.deepEqual(plan.suggestedPins, []);
        });

        it("two services claiming the same pair are told that, not to pin a priority", () => {
            // The same host and path in the same specificity tier: equal computed priorities too.
            const plan = planRoutes([route("a", 0, ["x.example.com"], ["/v1"]), route("b", 0, ["x.example.com"], ["/v1"])]);
            assert.deepEqual(idsOf(plan), [["routing/claimed-by-two-services", 'service "b"', "routes[0]"]]);
            assert.deepEqual(plan.suggestedPins, []);
        });

        it("the same pattern in different case is a different path (paths are case-sensitive)", () => {
            assert.deepEqual(planRoutes([route("orders", 0, [], ["/orders/*"]), route("legacy", 0, [], ["/Orders/*"])]).problems, []);
        });

        it("reports two catch-all rules of different services, however the catch-all is spelled", () => {
            // Both rules get priority 50000, which a listener cannot hold twice.
            const plan = planRoutes([route("a", 0, [], ["/*"]), route("b", 0, [], ["*"])]);
            assert.deepEqual(idsOf(plan), [["routing/claimed-by-two-services", 'service "b"', "routes[0]"]]);
            assert.match(plan.problems[0].message, /service "b" routes\[0\] .* and service "a" routes\[0\]/);
        });
    });

    describe("priority collisions", () => {
        const ordersPriority = computedPriority("orders", [], ["/orders/*"]);

        it("reports a pin onto another rule's computed priority, with a free value after it in the same tier", () => {
            const routes = [route("orders", 0, [], ["/orders/*"]), route("billing", 0, [], ["/billing/*"], ordersPriority)];
            const plan = planRoutes(routes);
            assert.deepEqual(idsOf(plan), [["routing/priority-collision", 'service "billing"', "routes[0]"]]);
            // The suggestion as data, for tools that pin it (the benchmark); the message says the same in words.
            assert.equal(plan.suggestedPins.length, 1);
            const free = plan.suggestedPins[0].priority;
            assert.deepEqual(plan.suggestedPins, [{ service: "billing", route: 0, priority: free }]);
            assert.ok(plan.problems[0].fix.includes(`pin \`priority: ${free}\``), plan.problems[0].fix);

            assert.ok(!plan.rules.some((r) => r.priority === free), `${free} is unused`);
            assert.ok(free > ordersPriority, `${free} comes after ${ordersPriority}`);
            assert.equal(Math.floor((free - 1) / slotsPerTier), Math.floor((ordersPriority - 1) / slotsPerTier));
            const taken = bandTierSlot(ordersPriority);
            const suggested = bandTierSlot(free);
            assert.deepEqual([suggested.band, suggested.tier], [taken.band, taken.tier]);

            // Both rules share the priority, ordered by service name.
            assert.deepEqual(
                plan.rules.map((r) => [r.service, r.priority]),
                [
                    ["billing", ordersPriority],
                    ["orders", ordersPriority],
                ],
            );
            // Following the advice resolves it.
            assert.deepEqual(planRoutes([routes[0], route("billing", 0, [], ["/billing/*"], free)]).problems, []);
        });

        it("gives each of several colliding rules its own unused suggestion", () => {
            const p = ordersPriority;
            const routes = [
                route("orders", 0, [], ["/orders/*"]),
                route("billing", 0, [], ["/billing/*"], p),
                route("users", 0, [], ["/users/*"], p),
                route("cart", 0, [], ["/cart/*"], p + 1),
            ];
            const plan = planRoutes(routes);
            assert.deepEqual(idsOf(plan), [
                ["routing/priority-collision", 'service "billing"', "routes[0]"],
                ["routing/priority-collision", 'service "users"', "routes[0]"],
            ]);
            assert.deepEqual(
                plan.suggestedPins.map((pin) => [pin.service, pin.route]),
                [
                    ["billing", 0],
                    ["users", 0],
                ],
            );
            const [billing, users] = plan.suggestedPins.map((pin) => pin.priority);
            assert.notEqual(billing, users);
            for (const free of [billing, users]) {
                assert.ok(!plan.rules.some((r) => r.priority === free), `${free} is unused`);
                assert.ok(free > p, `${free} comes after ${p}`);
            }
            const fixed = planRoutes([
                routes[0],
                route("billing", 0, [], ["/billing/*"], billing),
                route("users", 0, [], ["/users/*"], users),
                routes[3],
            ]);
            assert.deepEqual(fixed.problems, []);
        });

        it("suggests a value in the taken priority's own tier when it is the tier's last slot", () => {
            // "svc472" with host api.example.com hashes to the last slot of its host-band tier.
            const taken = computedPriority("svc472", ["api.example.com"], []);
            assert.equal(bandTierSlot(taken).slot, slotsPerTier - 1, "precondition: last slot of the tier");
            const plan = planRoutes([route("svc472", 0, ["api.example.com"], []), route("billing", 0, ["billing.example.com"], [], taken)]);
            assert.deepEqual(idsOf(plan), [["routing/priority-collision", 'service "billing"', "routes[0]"]]);
            const free = plan.suggestedPins[0].priority;
            assert.ok(!plan.rules.some((r) => r.priority === free), `${free} is unused`);
            const t = bandTierSlot(taken);
            const f = bandTierSlot(free);
            assert.deepEqual([f.band, f.tier], [t.band, t.tier], `suggested ${free} for taken ${taken}`);
        });
    });

    describe("unreachable rules", () => {
        it("reports a specific path pinned after a more general one", () => {
            const plan = planRoutes([route("gateway", 0, [], ["/api/*"], 100), route("admin", 0, [], ["/api/admin/*"], 200)]);
            assert.deepEqual(idsOf(plan), [["routing/unreachable-rule", 'service "admin"', "routes[0]"]]);
        });

        it("reports a specific host pinned after a wildcard host", () => {
            const plan = planRoutes([route("gw", 0, ["*.example.com"], [], 17000), route("api", 0, ["api.example.com"], [], 17001)]);
            assert.deepEqual(idsOf(plan), [["routing/unreachable-rule", 'service "api"', "routes[0]"]]);
        });

        it("accepts the specific rule pinned before the general one", () => {
            assert.deepEqual(
                planRoutes([route("gateway", 0, [], ["/api/*"], 200), route("admin", 0, [], ["/api/admin/*"], 100)]).problems,
                [],
            );
        });

        it("never happens with computed priorities for nested paths", () => {
            for (const general of serviceNames) {
                for (const specific of serviceNames) {
                    if (general === specific) continue;
                    const plan = planRoutes([route(general, 0, [], ["/api/*"]), route(specific, 0, [], ["/api/admin/*"])]);
                    assert.deepEqual(plan.problems, [], `${general} /api/* vs ${specific} /api/admin/*`);
                    assert.deepEqual(
                        plan.rules.map((r) => r.service),
                        [specific, general],
                    );
                }
            }
        });
    });

    describe("quota", () => {
        const manyRoutes = (count: number) => Array.from({ length: count }, (_, i) => route(`svc${i}`, 0, [], [`/svc${i}/*`]));
        const quota = (plan: RoutingPlan) => idsOf(plan).filter(([code]) => code === "routing/too-many-rules");

        it("reports more than 100 rules, once", () => {
            assert.equal(maxRulesPerLoadBalancer, 100);
            assert.deepEqual(quota(planRoutes(manyRoutes(101))), [["routing/too-many-rules", "catalog", "routes"]]);
        });

        it("accepts exactly 100 rules", () => {
            const plan = planRoutes(manyRoutes(100));
            assert.equal(plan.rules.length, 100);
            assert.deepEqual(quota(plan), []);
        });
    });
});

describe("patternCovers", () => {
    const cases: [general: string, specific: string, caseInsensitive: boolean, covers: boolean][] = [
        ["*.example.com", "api.example.com", true, true],
        ["*.example.com", "API.EXAMPLE.COM", true, true],
        ["*.example.com", "example.com", true, false],
        ["api.example.com", "API.example.com", true, true],
        ["api.example.com", "API.example.com", false, false],
        ["a.example.com", "aXexample.com", true, false], // `.` is literal
        ["api-?.example.com", "api-1.example.com", true, true],
        ["api-?.example.com", "api-12.example.com", true, false],
        ["/api/*", "/api/users", false, true],
        ["/api/*", "/api/", false, true],
        ["/api/*", "/api", false, false],
        ["/api/*", "/API/users", false, false],
        ["/api?", "/api1", false, true],
        ["/api?", "/api", false, false],
        ["/api?", "/api12", false, false],
        ["*", "/anything/at/all", false, true],
        ["/*", "/", false, true],
        ["/v1/*", "/v1/*", false, true], // wildcards in `specific` are taken literally
        ["/v1/x", "/v1/*", false, false],
        ["/a+b", "/a+b", false, true], // regex metacharacters are literal
        ["/a+b", "/aab", false, false],
        ["/price$", "/price$", false, true],
        ["/(x)", "/x", false, false],
    ];
    for (const [general, specific, caseInsensitive, covers] of cases) {
        it(`${general} ${covers ? "covers" : "does not cover"} ${specific}${caseInsensitive ? " (case-insensitive)" : ""}`, () => {
            assert.equal(patternCovers(general, specific, caseInsensitive), covers);
        });
    }
});

describe("ruleCovers", () => {
    type Patterns = { hosts: string[]; paths: string[] };
    const cases: [a: Patterns, b: Patterns, covers: boolean][] = [
        [{ hosts: [], paths: [] }, { hosts: ["api.example.com"], paths: ["/x"] }, true],
        [{ hosts: [], paths: ["/api/*"] }, { hosts: ["api.example.com"], paths: ["/api/v1"] }, true],
        [{ hosts: ["*.example.com"], paths: [] }, { hosts: ["API.example.com"], paths: [] }, true], // hosts case-insensitive
        [{ hosts: ["*.example.com"], paths: [] }, { hosts: ["api.example.com"], paths: ["/x"] }, true],
        [{ hosts: ["api.example.com"], paths: [] }, { hosts: [], paths: ["/a"] }, false], // b matches any host
        [{ hosts: ["api.example.com"], paths: ["/a/*"] }, { hosts: ["api.example.com"], paths: [] }, false], // b matches any path
        [{ hosts: [], paths: ["/API/*"] }, { hosts: [], paths: ["/api/x"] }, false], // paths case-sensitive
        [{ hosts: [], paths: ["/api/*"] }, { hosts: [], paths: ["/api/x", "/admin/x"] }, false], // every value of b
        [{ hosts: [], paths: ["/api/*", "/admin/*"] }, { hosts: [], paths: ["/admin/x"] }, true], // some value of a
        [{ hosts: ["a.example.com", "b.example.com"], paths: [] }, { hosts: ["b.example.com", "a.example.com"], paths: [] }, true],
        [{ hosts: ["a.example.com"], paths: [] }, { hosts: ["a.example.com", "c.example.com"], paths: [] }, false],
    ];
    for (const [a, b, covers] of cases) {
        it(`${JSON.stringify(a)} ${covers ? "covers" : "does not cover"} ${JSON.stringify(b)}`, () => {
            assert.equal(ruleCovers(a, b), covers);
        });
    }
});

describe("ruleKey", () => {
    it("is 8 lowercase hex characters", () => {
        for (const [hosts, paths] of [
            [["api.example.com"], ["/api/*"]],
            [[], ["/*"]],
            [[], []],
        ] as [string[], string[]][]) {
            assert.match(ruleKey(hosts, paths), /^[0-9a-f]{8}$/);
        }
    });

    it("ignores the order of hosts and of paths", () => {
        assert.equal(
            ruleKey(["a.example.com", "b.example.com"], ["/x/*", "/y/*"]),
            ruleKey(["b.example.com", "a.example.com"], ["/y/*", "/x/*"]),
        );
    });

    it("differs for different patterns, and between a host and a path of the same text", () => {
        const keys = [ruleKey(["a"], []), ruleKey([], ["a"]), ruleKey(["a"], ["a"]), ruleKey([], ["/x/*"]), ruleKey([], ["/y/*"])];
        assert.equal(new Set(keys).size, keys.length);
    });
});
