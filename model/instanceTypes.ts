/**
 * EC2 instance types fleet knows how to size tasks for. A type not listed is a validation error
 * that says to add it here: guessing an instance's memory would make placement fail at deploy.
 */

export type Architecture = "x86_64" | "arm64";

export interface InstanceType {
    readonly vcpus: number;
    /** Installed memory in MiB, as EC2 advertises it. */
    readonly memoryMiB: number;
    readonly architecture: Architecture;
    /**
     * Burstable types (t3, t3a, t4g): the share of each vCPU the instance sustains without spending
     * CPU credits (or, in unlimited mode, the default of t3/t4g, paying for surplus credits).
     * Absent for fixed-performance types. Baselines from AWS's T3 and T4g instance-type pages
     * (https://aws.amazon.com/ec2/instance-types/t3/ , .../t4/): small and medium 20%, large 30%,
     * xlarge and 2xlarge 40%.
     */
    readonly baselineCpuFraction?: number;
    /**
     * awsvpc tasks an instance holds, one ENI each: `default` is the type's network interfaces less
     * the primary one (EC2 user guide, "Maximum IP addresses per network interface"); `trunk` is the
     * limit once the account's `awsvpcTrunking` setting is on and the instance launched after it
     * (ECS developer guide, "Supported instances for increased ENI density"). Absent `trunk`: the
     * type is not in that table (burstable types are not), or fleet has not read it there yet, and
     * the default limit is assumed.
     */
    readonly awsvpcTasks: { readonly default: number; readonly trunk?: number };
}

const gib = (n: number) => n * 1024;

export const instanceTypes: Readonly<Record<string, InstanceType>> = {
    "t3.small": { vcpus: 2, memoryMiB: gib(2), architecture: "x86_64", baselineCpuFraction: 0.2, awsvpcTasks: { default: 2 } },
    "t3.medium": { vcpus: 2, memoryMiB: gib(4), architecture: "x86_64", baselineCpuFraction: 0.2, awsvpcTasks: { default: 2 } },
    "t3.large": { vcpus: 2, memoryMiB: gib(8), architecture: "x86_64", baselineCpuFraction: 0.3, awsvpcTasks: { default: 2 } },
    "t3.xlarge": { vcpus: 4, memoryMiB: gib(16), architecture: "x86_64", baselineCpuFraction: 0.4, awsvpcTasks: { default: 3 } },
    "t3.2xlarge": { vcpus: 8, memoryMiB: gib(32), architecture: "x86_64", baselineCpuFraction: 0.4, awsvpcTasks: { default: 3 } },
    "t3a.medium": { vcpus: 2, memoryMiB: gib(4), architecture: "x86_64", baselineCpuFraction: 0.2, awsvpcTasks: { default: 2 } },
    "t3a.large": { vcpus: 2, memoryMiB: gib(8), architecture: "x86_64", baselineCpuFraction: 0.3, awsvpcTasks: { default: 2 } },
    "t4g.small": { vcpus: 2, memoryMiB: gib(2), architecture: "arm64", baselineCpuFraction: 0.2, awsvpcTasks: { default: 2 } },
    "t4g.medium": { vcpus: 2, memoryMiB: gib(4), architecture: "arm64", baselineCpuFraction: 0.2, awsvpcTasks: { default: 2 } },
    "t4g.large": { vcpus: 2, memoryMiB: gib(8), architecture: "arm64", baselineCpuFraction: 0.3, awsvpcTasks: { default: 2 } },
    "t4g.xlarge": { vcpus: 4, memoryMiB: gib(16), architecture: "arm64", baselineCpuFraction: 0.4, awsvpcTasks: { default: 3 } },
    "t4g.2xlarge": { vcpus: 8, memoryMiB: gib(32), architecture: "arm64", baselineCpuFraction: 0.4, awsvpcTasks: { default: 3 } },
    "m6i.large": { vcpus: 2, memoryMiB: gib(8), architecture: "x86_64", awsvpcTasks: { default: 2, trunk: 10 } },
    "m6i.xlarge": { vcpus: 4, memoryMiB: gib(16), architecture: "x86_64", awsvpcTasks: { default: 3, trunk: 20 } },
    "m6i.2xlarge": { vcpus: 8, memoryMiB: gib(32), architecture: "x86_64", awsvpcTasks: { default: 3, trunk: 40 } },
    "m7i.large": { vcpus: 2, memoryMiB: gib(8), architecture: "x86_64", awsvpcTasks: { default: 2 } },
    "m7i.xlarge": { vcpus: 4, memoryMiB: gib(16), architecture: "x86_64", awsvpcTasks: { default: 3 } },
    "m7i.2xlarge": { vcpus: 8, memoryMiB: gib(32), architecture: "x86_64", awsvpcTasks: { default: 3 } },
    "m6g.large": { vcpus: 2, memoryMiB: gib(8), architecture: "arm64", awsvpcTasks: { default: 2, trunk: 10 } },
    "m7g.large": { vcpus: 2, memoryMiB: gib(8), architecture: "arm64", awsvpcTasks: { default: 2, trunk: 10 } },
    "m7g.xlarge": { vcpus: 4, memoryMiB: gib(16), architecture: "arm64", awsvpcTasks: { default: 3, trunk: 20 } },
    "m7g.2xlarge": { vcpus: 8, memoryMiB: gib(32), architecture: "arm64", awsvpcTasks: { default: 3, trunk: 40 } },
    "c6i.large": { vcpus: 2, memoryMiB: gib(4), architecture: "x86_64", awsvpcTasks: { default: 2, trunk: 10 } },
    "c6i.xlarge": { vcpus: 4, memoryMiB: gib(8), architecture: "x86_64", awsvpcTasks: { default: 3, trunk: 20 } },
    "c6i.2xlarge": { vcpus: 8, memoryMiB: gib(16), architecture: "x86_64", awsvpcTasks: { default: 3, trunk: 40 } },
    "c7i.large": { vcpus: 2, memoryMiB: gib(4), architecture: "x86_64", awsvpcTasks: { default: 2 } },
    "c7i.xlarge": { vcpus: 4, memoryMiB: gib(8), architecture: "x86_64", awsvpcTasks: { default: 3 } },
    "c7i.2xlarge": { vcpus: 8, memoryMiB: gib(16), architecture: "x86_64", awsvpcTasks: { default: 3 } },
    "c7g.large": { vcpus: 2, memoryMiB: gib(4), architecture: "arm64", awsvpcTasks: { default: 2, trunk: 10 } },
    "c7g.xlarge": { vcpus: 4, memoryMiB: gib(8), architecture: "arm64", awsvpcTasks: { default: 3, trunk: 20 } },
    "c7g.2xlarge": { vcpus: 8, memoryMiB: gib(16), architecture: "arm64", awsvpcTasks: { default: 3, trunk: 40 } },
    "r6i.large": { vcpus: 2, memoryMiB: gib(16), architecture: "x86_64", awsvpcTasks: { default: 2, trunk: 10 } },
    "r6i.xlarge": { vcpus: 4, memoryMiB: gib(32), architecture: "x86_64", awsvpcTasks: { default: 3, trunk: 20 } },
    "r6i.2xlarge": { vcpus: 8, memoryMiB: gib(64), architecture: "x86_64", awsvpcTasks: { default: 3, trunk: 40 } },
    "r7i.large": { vcpus: 2, memoryMiB: gib(16), architecture: "x86_64", awsvpcTasks: { default: 2 } },
    "r7i.xlarge": { vcpus: 4, memoryMiB: gib(32), architecture: "x86_64", awsvpcTasks: { default: 3 } },
    "r7i.2xlarge": { vcpus: 8, memoryMiB: gib(64), architecture: "x86_64", awsvpcTasks: { default: 3 } },
    "r7g.large": { vcpus: 2, memoryMiB: gib(16), architecture: "arm64", awsvpcTasks: { default: 2, trunk: 10 } },
    "r7g.xlarge": { vcpus: 4, memoryMiB: gib(32), architecture: "arm64", awsvpcTasks: { default: 3, trunk: 20 } },
    "r7g.2xlarge": { vcpus: 8, memoryMiB: gib(64), architecture: "arm64", awsvpcTasks: { default: 3, trunk: 40 } },
};

/** The awsvpc tasks an instance of the type holds, with or without ENI trunking (its `awsvpcTasks`). */
export function awsvpcTaskLimit(type: InstanceType, trunking: boolean): number {
    return trunking ? (type.awsvpcTasks.trunk ?? type.awsvpcTasks.default) : type.awsvpcTasks.default;
}

/**
 * Share of installed memory the OS and kernel keep before the ECS agent registers the rest.
 * AWS's own example: an m4.large (8192 MiB installed) registers 7985 MiB, about 2.5% less
 * (developer guide, "Reserving Amazon ECS Linux container instance memory").
 */
export const kernelReserveFraction = 0.025;

/** Memory (MiB) the ECS agent registers for tasks: installed memory less the kernel's share and `ECS_RESERVED_MEMORY`. */
export function registeredMemoryMiB(type: InstanceType, ecsReservedMemoryMiB: number): number {
    return Math.floor(type.memoryMiB * (1 - kernelReserveFraction)) - ecsReservedMemoryMiB;
}

/** The public SSM parameter holding the current ECS-optimised Amazon Linux 2023 AMI for an architecture. */
export function ecsAmiParameter(architecture: Architecture): string {
    return architecture === "arm64"
        ? "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
        : "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
}
