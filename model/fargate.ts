/**
 * Fargate task sizes: AWS accepts only these CPU/memory pairs (ECS `TaskDefinition.memory` API
 * reference; the same table is in cfn-lint's fargate_cpu_memory.json). Pure, table-tested.
 */

export interface FargateSize {
    /** Task CPU units. */
    readonly cpu: number;
    /** Task memory in MiB. */
    readonly memory: number;
}

function range(from: number, to: number, step: number): number[] {
    const values: number[] = [];
    for (let v = from; v <= to; v += step) values.push(v);
    return values;
}

/** CPU units → the memory values (MiB) AWS allows with it, ascending. */
export const fargateMemoryByCpu: ReadonlyMap<number, readonly number[]> = new Map([
    [256, [512, 1024, 2048]],
    [512, range(1024, 4096, 1024)],
    [1024, range(2048, 8192, 1024)],
    [2048, range(4096, 16384, 1024)],
    [4096, range(8192, 30720, 1024)],
    // 8 and 16 vCPU need platform version 1.4.0 or later (LATEST is 1.4.0 today).
    [8192, range(16384, 61440, 4096)],
    [16384, range(32768, 122880, 8192)],
]);

/** Every valid pair, cheapest first (fewest CPU units, then least memory). */
export const fargateSizes: readonly FargateSize[] = [...fargateMemoryByCpu.entries()].flatMap(([cpu, memories]) =>
    memories.map((memory) => ({ cpu, memory })),
);

/** The largest task Fargate runs: any container needing more cannot run on Fargate. */
export const largestFargateSize: FargateSize = fargateSizes[fargateSizes.length - 1];

/**
 * The smallest valid Fargate size holding `cpu` units and `memory` MiB (the containers' hard
 * limits), or `undefined` when nothing does. "Smallest" is by price: vCPU-hours cost about nine
 * times a GB-hour, so fewer CPU units win first, then less memory.
 */
export function smallestFargateSize(cpu: number, memory: number): FargateSize | undefined {
    return fargateSizes.find((size) => size.cpu >= cpu && size.memory >= memory);
}
