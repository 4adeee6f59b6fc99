/**
 * Readable views of a plan document: resources by type, the routing table and per-service
 * memory, read from the registered inputs (what would be deployed), not from the catalog.
 */
import { PlanDocument, PlanResource } from "./runProgram";

/** The service a resource belongs to: the nearest `fleet:ecs:Service` ancestor's name. */
export function serviceOf(resource: PlanResource, byUrn: ReadonlyMap<string, PlanResource>): string | undefined {
    let current: PlanResource | undefined = resource;
    while (current) {
        if (current.type === "fleet:ecs:Service") return current.name;
        current = current.parent ? byUrn.get(current.parent) : undefined;
    }
    return undefined;
}

export interface RouteRow {
    readonly priority: number;
    readonly hosts: string[];
    readonly paths: string[];
    readonly service: string;
}

export function routingTable(plan: PlanDocument): RouteRow[] {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    return plan.resources
        .filter((r) => r.type === "aws:lb/listenerRule:ListenerRule")
        .map((rule) => {
            const conditions = (rule.inputs.conditions ?? []) as { hostHeader?: { values: string[] }; pathPattern?: { values: string[] } }[];
            return {
                priority: Number(rule.inputs.priority),
                hosts: conditions.flatMap((c) => c.hostHeader?.values ?? []),
                paths: conditions.flatMap((c) => c.pathPattern?.values ?? []),
                service: serviceOf(rule, byUrn) ?? "?",
            };
        })
        .sort((a, b) => a.priority - b.priority);
}

export interface MemoryRow {
    readonly service: string;
    readonly capacity: string;
    readonly reservation: number;
    readonly limit: number;
    readonly cpu: number;
    /** Fargate task size, `<cpu>/<memory>`, or "-" on EC2. */
    readonly taskSize: string;
    readonly desiredCount: number;
}

export function memoryTable(plan: PlanDocument): MemoryRow[] {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const capacityByService = new Map<string, string>();
    const countByService = new Map<string, number>();
    for (const service of plan.resources.filter((r) => r.type === "aws:ecs/service:Service")) {
        const name = serviceOf(service, byUrn) ?? service.name;
        const strategy = (service.inputs.capacityProviderStrategies ?? []) as { capacityProvider: string }[];
        const provider = strategy[0]?.capacityProvider ?? "?";
        capacityByService.set(name, provider === "FARGATE" ? "fargate" : provider === "FARGATE_SPOT" ? "fargate-spot" : "ec2");
        countByService.set(name, Number(service.inputs.desiredCount ?? 0));
    }
    return plan.resources
        .filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")
        .map((task) => {
            const service = serviceOf(task, byUrn) ?? task.name;
            const containers = JSON.parse(String(task.inputs.containerDefinitions)) as { memory: number; memoryReservation: number; cpu: number }[];
            return {
                service,
                capacity: capacityByService.get(service) ?? "?",
                reservation: containers.reduce((sum, c) => sum + c.memoryReservation, 0),
                limit: containers.reduce((sum, c) => sum + c.memory, 0),
                cpu: containers.reduce((sum, c) => sum + c.cpu, 0),
                taskSize: task.inputs.cpu ? `${task.inputs.cpu}/${task.inputs.memory}` : "-",
                desiredCount: countByService.get(service) ?? 0,
            };
        })
        .sort((a, b) => a.service.localeCompare(b.service));
}

/** A plain-text table with aligned columns. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
    const cells = [headers, ...rows.map((row) => row.map(String))];
    const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
    return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

export function summarize(plan: PlanDocument): string {
    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const protectedCount = plan.resources.filter((r) => r.protect).length;
    const lines: string[] = [];
    lines.push(`Plan of ${plan.project}/${plan.stack}: ${plan.resources.length} resources to create (${protectedCount} protected)`, "");
    lines.push(formatTable(["type", "count"], [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, c]) => [t, c])), "");
    lines.push("Routing (listener rules in evaluation order; unmatched requests get the default 404):");
    lines.push(
        formatTable(
            ["priority", "host", "path", "service"],
            routingTable(plan).map((r) => [r.priority, r.hosts.join(", ") || "*", r.paths.join(", ") || "*", r.service]),
        ),
        "",
    );
    lines.push("Memory (MiB: soft reservation < hard limit), CPU units and capacity per service:");
    lines.push(
        formatTable(
            ["service", "capacity", "reservation", "limit", "cpu", "fargate task", "tasks"],
            memoryTable(plan).map((m) => [m.service, m.capacity, m.reservation, m.limit, m.cpu, m.taskSize, m.desiredCount]),
        ),
        "",
    );
    lines.push("Outputs:");
    for (const [key, value] of Object.entries(plan.outputs)) {
        if (key === "routes") continue; // shown above
        lines.push(`  ${key}: ${JSON.stringify(value)}`);
    }
    return lines.join("\n");
}
