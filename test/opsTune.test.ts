/**
 * ops: tune's arithmetic as tables against hand-computed figures (defaults: p95 of hourly means
 * + 15% for the reservation, the largest task + 25% for the limit, 1.5× after an OOM kill, 24 h
 * of data at least, 8 MiB and 128-unit steps), and --write's stack-file edit on a commented file.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applySizingEdits } from "../ops/stackWriter";
import { Current, minimumReservationMiB, Observed, percentile, proposeSizing, tuneDefaults } from "../ops/tuneMath";

const hourly = (values: number[], maxima: number[] = values, cpu: number[] = [], oomKills = 0): Observed => ({
    periodSeconds: 3600,
    memoryAverages: values,
    memoryMaxima: maxima,
    cpuAverages: cpu,
    oomKills,
});
const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);

describe("percentile (nearest rank)", () => {
    const cases: [number[], number, number][] = [
        [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95, 10], // ceil(9.5) = 10th
        [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 5], // ceil(5) = 5th
        [[3, 1, 2], 0.5, 2], // sorted first: ceil(1.5) = 2nd
        [[42], 0.95, 42],
        [Array.from({ length: 24 }, (_, i) => 100 + i), 0.95, 122], // ceil(22.8) = 23rd of 100..123
    ];
    for (const [values, p, expected] of cases) {
        it(`p${p * 100} of ${values.length} value(s) is ${expected}`, () => assert.equal(percentile(values, p), expected));
    }
    it("refuses no values", () => assert.throws(() => percentile([], 0.95), /no values/));
});

describe("proposeSizing", () => {
    it("the floors come from the catalog's schema: AWS's 6 MiB reservation", () => {
        assert.equal(minimumReservationMiB, 6);
        assert.equal(tuneDefaults.minimumHours, 24);
    });

    it("over-reserved on EC2: the reservation falls to p95 + 15%, the limit to the peak + 25%; CPU at exactly 2x is left alone", () => {
        const current: Current = { reservation: 512, limit: 1024, cpu: 256, capacity: "ec2" };
        const maxima = [...repeat(150, 23), 200];
        const proposal = proposeSizing(
            current,
            hourly(
                Array.from({ length: 24 }, (_, i) => 100 + i),
                maxima,
                repeat(20, 24),
            ),
            {
                ec2RegisteredMemoryMiB: 7731,
                ec2InstanceType: "m6i.large",
            },
        );
        assert.deepEqual(proposal, {
            kind: "proposal",
            // p95 = 122; 122 × 1.15 = 140.3 → 144. Peak 200 × 1.25 = 250 → 256. CPU: p95 20 → 128 target; 256 is not > 2 × 128.
            figures: { hours: 24, memoryPercentile: 122, memoryPeak: 200, cpuPercentile: 20, oomKills: 0 },
            memory: { reservation: 144, limit: 256 },
            cpu: 256,
            changes: [
                { field: "memory.reservation", from: 512, to: 144, why: "p95 of the mean task's hourly use is 122 MiB; + 15% margin" },
                {
                    field: "memory.limit",
                    from: 1024,
                    to: 256,
                    why: "the largest task used 200 MiB; + 25% headroom; 1024 MiB is more than 1.5× that",
                },
            ],
            notes: [],
            fargate: undefined,
        });
    });

    it("OOM-killed on Fargate: the limit is raised 1.5× past the kill, CPU used above its share is raised, the task size follows", () => {
        const current: Current = { reservation: 256, limit: 512, cpu: 256, capacity: "fargate" };
        const proposal = proposeSizing(current, hourly(repeat(240, 24), repeat(500, 24), repeat(300, 24), 2));
        assert.deepEqual(proposal, {
            kind: "proposal",
            // p95 240 × 1.15 = 276 → 280: within 10% of 256, kept. Peak 500 × 1.25 = 625 → 632, but 2 OOM kills: 512 × 1.5 = 768.
            // CPU p95 300 > 256: 300 × 1.25 = 375 → 384.
            figures: { hours: 24, memoryPercentile: 240, memoryPeak: 500, cpuPercentile: 300, oomKills: 2 },
            memory: { reservation: 256, limit: 768 },
            cpu: 384,
            changes: [
                {
                    field: "memory.limit",
                    from: 512,
                    to: 768,
                    why: "2 task(s) killed with OutOfMemoryError at the 512 MiB limit; raised 1.5×",
                },
                { field: "cpu", from: 256, to: 384, why: "p95 of the mean task's hourly use is 300 units; + 25% margin" },
            ],
            notes: [],
            fargate: { before: { cpu: 256, memory: 512 }, after: { cpu: 512, memory: 1024 } },
        });
    });

    it("far too much CPU: lowered to p95 + 25%, at least 128 units", () => {
        const proposal = proposeSizing(
            { reservation: 128, limit: 256, cpu: 1024, capacity: "ec2" },
            hourly(repeat(110, 48), repeat(150, 48), repeat(90, 48)),
        );
        assert.equal(proposal.kind, "proposal");
        if (proposal.kind !== "proposal") return;
        // 90 × 1.25 = 112.5 → 128; 1024 > 2 × 128. Memory: 110 × 1.15 = 126.5 → 128 (no change); peak 150 → 192 (256 ≤ 1.5 × 192).
        assert.deepEqual(proposal.changes, [
            { field: "cpu", from: 1024, to: 128, why: "p95 of the mean task's hourly use is 90 units; + 25% margin" },
        ]);
        assert.equal(proposal.figures.hours, 48);
    });

    it("CPU is never proposed above the catalog's maximum (16 vCPU)", () => {
        const proposal = proposeSizing(
            { reservation: 900, limit: 2048, cpu: 4096, capacity: "fargate" },
            hourly(repeat(1000, 24), repeat(1200, 24), repeat(20000, 24)),
        );
        assert.equal(proposal.kind, "proposal");
        if (proposal.kind !== "proposal") return;
        // 20000 × 1.25 = 25000 → 25088, above 16384 units: capped.
        assert.deepEqual(
            proposal.changes.find((c) => c.field === "cpu"),
            {
                field: "cpu",
                from: 4096,
                to: 16384,
                why: "p95 of the mean task's hourly use is 20000 units; + 25% margin",
            },
        );
        assert.deepEqual(proposal.fargate, { before: { cpu: 4096, memory: 8192 }, after: { cpu: 16384, memory: 32768 } });
    });

    it("sized right: no change, and no CPU figure without CPU data", () => {
        const proposal = proposeSizing(
            { reservation: 128, limit: 256, cpu: 256, capacity: "ec2" },
            hourly(repeat(100, 24), repeat(150, 24)),
        );
        assert.deepEqual(proposal, {
            kind: "proposal",
            // 100 × 1.15 = 115 → 120, within 10% of 128; 150 × 1.25 = 187.5 → 192: 256 is not above 1.5 × 192 = 288.
            figures: { hours: 24, memoryPercentile: 100, memoryPeak: 150, cpuPercentile: undefined, oomKills: 0 },
            memory: { reservation: 128, limit: 256 },
            cpu: 256,
            changes: [],
            notes: [],
            fargate: undefined,
        });
    });

    it("the EC2 instance's registered memory caps the limit, and says what to do", () => {
        const proposal = proposeSizing(
            { reservation: 2048, limit: 3000, cpu: 256, capacity: "ec2" },
            hourly(repeat(3000, 24), repeat(3600, 24)),
            {
                ec2RegisteredMemoryMiB: 3737,
                ec2InstanceType: "t3.medium",
            },
        );
        assert.equal(proposal.kind, "proposal");
        if (proposal.kind !== "proposal") return;
        // 3000 × 1.15 = 3450 → 3456. 3600 × 1.25 = 4500 → 4504, above the 3737 a t3.medium registers.
        assert.deepEqual(proposal.memory, { reservation: 3456, limit: 3737 });
        assert.deepEqual(proposal.notes, [
            "memory.limit 4504 MiB wanted, but a t3.medium registers only 3737 MiB for tasks: capped there; " +
                "set a larger fleet:cluster.ec2.instanceType or move the service to Fargate",
        ]);
    });

    it("Fargate's largest task caps the limit", () => {
        const proposal = proposeSizing(
            { reservation: 60000, limit: 61000, cpu: 8192, capacity: "fargate" },
            hourly(repeat(100000, 24), repeat(110000, 24)),
        );
        assert.equal(proposal.kind, "proposal");
        if (proposal.kind !== "proposal") return;
        assert.equal(proposal.memory.limit, 122880);
        assert.equal(proposal.memory.reservation, 115000);
        assert.match(
            proposal.notes[0],
            /^memory\.limit 137504 MiB wanted, but the largest Fargate task has 122880 MiB: capped there; run the service on ec2 capacity$/,
        );
    });

    it("a small reservation never goes below AWS's 6 MiB, and the limit stays above it", () => {
        const proposal = proposeSizing({ reservation: 64, limit: 128, cpu: 128, capacity: "ec2" }, hourly(repeat(1, 24), repeat(2, 24)));
        assert.equal(proposal.kind, "proposal");
        if (proposal.kind !== "proposal") return;
        // 1 × 1.15 → 8 (rounded up to the 8 MiB step, above 6); peak 2 × 1.25 → 8, then above the reservation: 16.
        assert.deepEqual(proposal.memory, { reservation: 8, limit: 16 });
    });

    it("refuses with too little data and says how much it needs", () => {
        assert.deepEqual(proposeSizing({ reservation: 128, limit: 256, cpu: 256, capacity: "ec2" }, hourly(repeat(100, 23))), {
            kind: "refused",
            reason:
                "23 hour(s) of Container Insights memory data in the window; tune " +
                "needs at least 24: let the service run longer or widen --days",
        });
    });
});

describe("--write: the stack file keeps its comments, order and other keys", () => {
    const original = [
        "# yaml-language-server: $schema=./schema/stack.schema.json",
        "# ops fixture: comments everywhere",
        "config:",
        "  aws:region: eu-west-1 # the region",
        "  fleet:cluster:",
        "    defaultCapacity: ec2",
        "  # Per-service tuning.",
        "  fleet:services:",
        "    api:",
        "      # tuned by hand in May",
        "      memory: { reservation: 512, limit: 1024 } # flow style stays",
        "      scaling: { min: 1, max: 2, cpuPercent: 70 }",
        "    worker:",
        "      memory:",
        "        reservation: 128 # block style stays",
        "      desiredCount: 2",
        "  fleet:apiDatabasePassword:",
        "    secure: v1:abc==",
        "  fleet:logRetentionDays: 7",
        "",
    ].join("\n");

    it("changes exactly the proposed values and appends a service without overrides", () => {
        const written = applySizingEdits(original, "fleet", [
            { service: "api", reservation: 352, limit: 504 },
            { service: "worker", limit: 384, cpu: 384 },
            { service: "web", reservation: 96 },
        ]);
        const expected = original
            .replace(
                "memory: { reservation: 512, limit: 1024 } # flow style stays",
                "memory: { reservation: 352, limit: 504 } # flow style stays",
            )
            .replace(
                "        reservation: 128 # block style stays\n      desiredCount: 2\n",
                "        reservation: 128 # block style stays\n        limit: 384\n    " +
                    "  desiredCount: 2\n      cpu: 384\n    web:\n      memory: { " +
                    "reservation: 96 }\n",
            );
        assert.equal(written, expected);
    });

    it("creates fleet:services when the stack has none", () => {
        const text = "config:\n  aws:region: us-east-1 # here\n";
        assert.equal(
            applySizingEdits(text, "fleet", [{ service: "api", reservation: 200, limit: 400, cpu: 256 }]),
            "config:\n  aws:region: us-east-1 # here\n  fleet:services:\n    " +
                "api:\n      memory: { reservation: 200, limit: 400 }\n      cpu: 256\n",
        );
    });

    it("an unchanged edit list leaves the file byte for byte", () => {
        assert.equal(applySizingEdits(original, "fleet", []), original);
    });
});
