import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { FargateSize, fargateMemoryByCpu, fargateSizes, largestFargateSize, smallestFargateSize } from "../model/fargate";

/**
 * AWS's table (ECS TaskDefinition `memory`), written out independently of the module:
 * CPU units → allowed memory in MiB, as an explicit list or a min..max range with a step.
 */
const aws: { cpu: number; memory: number[] | { min: number; max: number; step: number }; count: number }[] = [
    { cpu: 256, memory: [512, 1024, 2048], count: 3 },
    { cpu: 512, memory: { min: 1024, max: 4096, step: 1024 }, count: 4 },
    { cpu: 1024, memory: { min: 2048, max: 8192, step: 1024 }, count: 7 },
    { cpu: 2048, memory: { min: 4096, max: 16384, step: 1024 }, count: 13 },
    { cpu: 4096, memory: { min: 8192, max: 30720, step: 1024 }, count: 23 },
    { cpu: 8192, memory: { min: 16384, max: 61440, step: 4096 }, count: 12 },
    { cpu: 16384, memory: { min: 32768, max: 122880, step: 8192 }, count: 12 },
];

const allowedByAws = (size: FargateSize): boolean => {
    const row = aws.find((r) => r.cpu === size.cpu);
    if (!row) return false;
    if (Array.isArray(row.memory)) return row.memory.includes(size.memory);
    const { min, max, step } = row.memory;
    return size.memory >= min && size.memory <= max && (size.memory - min) % step === 0;
};

/** Relative price, as the module documents it: a vCPU-hour costs about nine GB-hours. */
const price = (size: FargateSize) => (size.cpu / 1024) * 9 + size.memory / 1024;

describe("fargate size table", () => {
    it("has exactly AWS's CPU values", () => {
        assert.deepEqual(
            [...fargateMemoryByCpu.keys()],
            aws.map((r) => r.cpu),
        );
    });

    for (const row of aws) {
        it(`${row.cpu} CPU allows ${row.count} memory values, all within AWS's range`, () => {
            const memories = fargateMemoryByCpu.get(row.cpu);
            assert.ok(memories);
            assert.equal(memories.length, row.count);
            for (const memory of memories) assert.ok(allowedByAws({ cpu: row.cpu, memory }), `${row.cpu}/${memory}`);
            assert.deepEqual(
                memories,
                [...memories].sort((a, b) => a - b),
                "ascending",
            );
            if (Array.isArray(row.memory)) {
                assert.deepEqual(memories, row.memory);
            } else {
                assert.equal(memories[0], row.memory.min);
                assert.equal(memories[memories.length - 1], row.memory.max);
            }
        });
    }

    it("lists every valid pair once, 74 in all", () => {
        assert.equal(fargateSizes.length, 74);
        assert.equal(new Set(fargateSizes.map((s) => `${s.cpu}/${s.memory}`)).size, 74);
        for (const size of fargateSizes) assert.ok(allowedByAws(size), `${size.cpu}/${size.memory}`);
        for (const row of aws) assert.equal(fargateSizes.filter((s) => s.cpu === row.cpu).length, row.count, `${row.cpu}`);
    });

    it("is sorted cheapest first: by CPU, then memory, and by price", () => {
        for (let i = 1; i < fargateSizes.length; i++) {
            const [a, b] = [fargateSizes[i - 1], fargateSizes[i]];
            assert.ok(a.cpu < b.cpu || (a.cpu === b.cpu && a.memory < b.memory), `${a.cpu}/${a.memory} before ${b.cpu}/${b.memory}`);
            assert.ok(price(a) < price(b), `${a.cpu}/${a.memory} cheaper than ${b.cpu}/${b.memory}`);
        }
    });

    it("ends with the largest size, 16384 CPU / 122880 MiB", () => {
        assert.deepEqual(largestFargateSize, { cpu: 16384, memory: 122880 });
    });
});

describe("smallestFargateSize", () => {
    const cases: [cpu: number, memory: number, expected: FargateSize | undefined][] = [
        [0, 0, { cpu: 256, memory: 512 }],
        [1, 1, { cpu: 256, memory: 512 }],
        [256, 512, { cpu: 256, memory: 512 }],
        [256, 513, { cpu: 256, memory: 1024 }],
        [256, 1025, { cpu: 256, memory: 2048 }],
        [256, 2048, { cpu: 256, memory: 2048 }],
        [256, 2049, { cpu: 512, memory: 3072 }],
        [257, 1, { cpu: 512, memory: 1024 }],
        [300, 512, { cpu: 512, memory: 1024 }],
        [512, 4096, { cpu: 512, memory: 4096 }],
        [512, 4097, { cpu: 1024, memory: 5120 }],
        [1000, 100, { cpu: 1024, memory: 2048 }],
        [1024, 8192, { cpu: 1024, memory: 8192 }],
        [1024, 8193, { cpu: 2048, memory: 9216 }],
        [2049, 1, { cpu: 4096, memory: 8192 }],
        [2048, 16384, { cpu: 2048, memory: 16384 }],
        [2048, 16385, { cpu: 4096, memory: 17408 }],
        [4096, 30720, { cpu: 4096, memory: 30720 }],
        [4096, 30721, { cpu: 8192, memory: 32768 }],
        [4097, 8192, { cpu: 8192, memory: 16384 }],
        [8192, 16385, { cpu: 8192, memory: 20480 }],
        [8192, 61440, { cpu: 8192, memory: 61440 }],
        [8192, 61441, { cpu: 16384, memory: 65536 }],
        [8193, 1, { cpu: 16384, memory: 32768 }],
        [16384, 32769, { cpu: 16384, memory: 40960 }],
        [16384, 122880, { cpu: 16384, memory: 122880 }],
        [16384, 122881, undefined],
        [16385, 512, undefined],
        [32768, 1024, undefined],
    ];
    for (const [cpu, memory, expected] of cases) {
        it(`${cpu} CPU, ${memory} MiB → ${expected ? `${expected.cpu}/${expected.memory}` : "none"}`, () => {
            assert.deepEqual(smallestFargateSize(cpu, memory), expected);
        });
    }

    it("returns the cheapest size that fits, for a grid of demands", () => {
        for (const cpu of [1, 128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384]) {
            for (const memory of [1, 512, 1000, 2048, 3000, 4096, 6000, 8192, 12000, 16384, 30000, 30720, 50000, 61440, 100000, 122880]) {
                const fits = fargateSizes.filter((s) => s.cpu >= cpu && s.memory >= memory);
                const cheapest = fits.length ? fits.reduce((a, b) => (price(b) < price(a) ? b : a)) : undefined;
                assert.deepEqual(smallestFargateSize(cpu, memory), cheapest, `${cpu}/${memory}`);
            }
        }
    });
});
