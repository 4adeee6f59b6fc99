/**
 * A plan's changes in plain words, per service: what a reviewer reads before the resource list.
 * Memory, CPU, counts and settings as old → new values; route changes as hosts and paths, with the
 * hosts new to the stack flagged (they need DNS, and a certificate name where HTTPS is on);
 * whether the service redeploys; which resources are replaced and what that risks. Pure.
 */
import { PlanDiff, ResourceChange, ValueChange } from "./diff";
import { PlanFacts, RuleFacts, ServiceFacts } from "./facts";
import { secretVersionLabelPrefix } from "../model/containerDefinition";

/** How a changed input reads in words: its label and unit. Inputs not listed read as their path. */
interface Wording {
    readonly pattern: RegExp;
    readonly label: string | ((match: RegExpExecArray) => string);
    readonly unit?: string;
    /** Said once per service from the model's facts (memory, CPU, counts, capacity), not per resource. */
    readonly fact?: true;
}

const container = String.raw`containerDefinitions\[\d+\]\.`;
const wordings: Readonly<Record<string, readonly Wording[]>> = {
    "aws:ecs/taskDefinition:TaskDefinition": [
        { pattern: new RegExp(`^${container}memory$`), label: "memory limit", unit: "MiB", fact: true },
        { pattern: new RegExp(`^${container}memoryReservation$`), label: "memory reservation", unit: "MiB", fact: true },
        { pattern: new RegExp(`^${container}cpu$`), label: "CPU units", fact: true },
        { pattern: new RegExp(`^${container}image$`), label: "image" },
        { pattern: new RegExp(`^${container}environment\\.(\\w+)$`), label: (m) => `env ${m[1]}` },
        { pattern: new RegExp(`^${container}secrets\\.(\\w+)$`), label: (m) => `secret ${m[1]} source` },
        { pattern: new RegExp(`^${container}repositoryCredentials`), label: "registry credentials" },
        { pattern: new RegExp(`^${container}command`), label: "command" },
        { pattern: new RegExp(`^${container}stopTimeout$`), label: "stop timeout", unit: "s", fact: true },
        { pattern: new RegExp(`^${container}user$`), label: "user" },
        { pattern: new RegExp(`^${container}healthCheck`), label: "container health check" },
        { pattern: new RegExp(`^${container}linuxParameters\\.tmpfs\\[0\\]\\.size$`), label: "/tmp size", unit: "MiB", fact: true },
        {
            pattern: new RegExp(`^${container}dockerLabels\\.${secretVersionLabelPrefix.replace(/\./g, "\\.")}(\\w+)$`),
            label: (m) => `secret ${m[1]} version`,
        },
        { pattern: new RegExp(`^${container}dockerLabels\\.(.+)$`), label: (m) => `label ${m[1]}` },
        { pattern: /^cpu$/, label: "task CPU", fact: true },
        { pattern: /^memory$/, label: "task memory", unit: "MiB", fact: true },
    ],
    "aws:ecs/service:Service": [
        { pattern: /^desiredCount$/, label: "tasks", fact: true },
        { pattern: /^capacityProviderStrategies\[\d+\]\.capacityProvider$/, label: "capacity provider", fact: true },
        { pattern: /^healthCheckGracePeriodSeconds$/, label: "health-check grace", unit: "s", fact: true },
        // What the ECS service cannot change in place (infra/service.ts replacement()).
        { pattern: /^\(replacementTrigger\)$/, label: "network mode and protocol" },
    ],
    "aws:lb/targetGroup:TargetGroup": [
        { pattern: /^targetType$/, label: "target type" },
        { pattern: /^deregistrationDelay$/, label: "deregistration delay", unit: "s", fact: true },
        { pattern: /^healthCheck\.(\w+)$/, label: (m) => `health check ${m[1]}` },
    ],
    "aws:appautoscaling/target:Target": [
        { pattern: /^minCapacity$/, label: "min tasks", fact: true },
        { pattern: /^maxCapacity$/, label: "max tasks", fact: true },
    ],
    "aws:appautoscaling/policy:Policy": [{ pattern: /targetValue$/, label: "scaling target" }],
    "aws:cloudwatch/logGroup:LogGroup": [{ pattern: /^retentionInDays$/, label: "log retention", unit: "days" }],
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": [
        { pattern: /^defaultCapacityProviderStrategies\[\d+\]\.capacityProvider$/, label: "default capacity provider" },
    ],
    "aws:lb/listenerRule:ListenerRule": [{ pattern: /^priority$/, label: "rule priority" }],
};

/** Where a change's wording sits in its type's table: listed inputs first, in the table's order. */
function wordingRank(type: string, path: string): number {
    const rank = (wordings[type] ?? []).findIndex((w) => w.pattern.test(path));
    return rank < 0 ? Number.MAX_SAFE_INTEGER : rank;
}

/** A resource's changed values, the ones a reviewer reads first (memory, CPU, image) first. */
export function orderedValues(type: string, values: readonly ValueChange[]): ValueChange[] {
    return [...values].sort((a, b) => wordingRank(type, a.path) - wordingRank(type, b.path));
}

/** The most characters of one value shown; longer values are shortened in the middle. */
const maxValueLength = 60;

/** A value as a reviewer reads it: strings bare, absent as (none), documents as compact JSON. */
export function showValue(value: unknown): string {
    const text = value === undefined ? "(none)" : typeof value === "string" ? value : JSON.stringify(value);
    if (text.length <= maxValueLength) return text;
    const half = Math.floor((maxValueLength - 1) / 2);
    return `${text.slice(0, half)}…${text.slice(-half)}`;
}

/** One changed input in words: `memory limit 384 → 448 MiB`. */
export function describeValue(type: string, change: ValueChange): string {
    const wording = (wordings[type] ?? []).map((w) => ({ w, m: w.pattern.exec(change.path) })).find((x) => x.m !== null);
    const label = !wording ? change.path : typeof wording.w.label === "string" ? wording.w.label : wording.w.label(wording.m!);
    const unit = wording?.w.unit && typeof change.after === "number" ? ` ${wording.w.unit}` : "";
    if (change.before === undefined) return `${label} set to ${showValue(change.after)}${unit}`;
    if (change.after === undefined) return `${label} ${showValue(change.before)} removed`;
    return `${label} ${showValue(change.before)} → ${showValue(change.after)}${unit}`;
}

/** A resource type as words: `target group`, `task definition`. */
export function typeWords(type: string): string {
    const name = type.slice(type.lastIndexOf(":") + 1);
    return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** What changed in one service (or the platform), in words. */
export interface ServiceChange {
    readonly service: string;
    readonly status: "added" | "removed" | "changed";
    /** A new task definition revision or an updated ECS service starts a rolling deployment. */
    readonly redeploys: boolean;
    /** Plain-words lines: values, routes, replacements. */
    readonly lines: readonly string[];
}

export interface RouteChange {
    readonly service: string;
    readonly removed: readonly string[];
    readonly added: readonly string[];
}

/** A rule as words: `api.example.com /v1/*`, or `/api/* on any host`. */
const routeText = (rule: Pick<RuleFacts, "hosts" | "paths">) =>
    rule.hosts.length ? [rule.hosts.join(", "), ...rule.paths].join(" ") : `${rule.paths.join(", ")} on any host`;

/** Routes removed and added per service, as text (`reports.dev.example.com /api/*`). */
export function routeChanges(base: PlanFacts, head: PlanFacts): RouteChange[] {
    const services = [...new Set([...base.rules, ...head.rules].map((r) => r.service))].sort();
    return services.flatMap((service) => {
        const before = base.rules.filter((r) => r.service === service).map(routeText);
        const after = head.rules.filter((r) => r.service === service).map(routeText);
        const removed = before.filter((r) => !after.includes(r));
        const added = after.filter((r) => !before.includes(r));
        return removed.length || added.length ? [{ service, removed, added }] : [];
    });
}

/** Hosts the head plan routes that the base plan did not: each needs a DNS record, and a certificate name under HTTPS. */
export function newHosts(base: PlanFacts, head: PlanFacts): string[] {
    const known = new Set(base.rules.flatMap((r) => r.hosts));
    return [...new Set(head.rules.flatMap((r) => r.hosts))].filter((host) => !known.has(host)).sort();
}

/** "1 input", "2 inputs": a count with its noun (the reports' nouns take an s). */
export const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

const redeploying = new Set(["aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service"]);

/** The resources whose replacement a reviewer weighs: a new task definition revision is a redeploy, not one of them. */
export function isNotableReplacement(change: ResourceChange): boolean {
    return change.kind === "replace" && change.type !== "aws:ecs/taskDefinition:TaskDefinition";
}

function wordingOf(type: string, path: string): Wording | undefined {
    return (wordings[type] ?? []).find((w) => w.pattern.test(path));
}

/**
 * A changed resource in words: a notable replacement with what forces it and what it risks; for
 * other changes the labelled inputs that the model's facts do not already say (env, secrets,
 * image, command...). Unlabelled inputs are in the resource list, with their values.
 */
function resourceLine(change: ResourceChange): string | undefined {
    const what = `${typeWords(change.type)} ${change.name}`;
    if (isNotableReplacement(change)) {
        const forcing = (change.values ?? []).filter((v) => change.replacedBy?.includes(v.path)).map((v) => describeValue(change.type, v));
        const risks = change.warnings?.length ? ` (${change.warnings.join("; ")})` : "";
        return `replaces ${what}: ${(forcing.length ? forcing : (change.replacedBy ?? [])).join(", ")}${risks}`;
    }
    if (change.kind !== "change" && change.kind !== "replace") return undefined;
    const said = (change.values ?? []).filter((v) => {
        const wording = wordingOf(change.type, v.path);
        return wording !== undefined && !wording.fact;
    });
    return said.length
        ? orderedValues(change.type, said)
              .map((v) => describeValue(change.type, v))
              .join(", ")
        : undefined;
}

const bounds = (s: ServiceFacts) => (s.min === undefined ? "none" : `${s.min}-${s.max}`);

/** What the model says changed in a service: capacity, memory, CPU, counts, timings. */
export function factLines(before: ServiceFacts, after: ServiceFacts): string[] {
    const size = (s?: { cpu: number; memory: number }) => (s ? `${s.cpu}/${s.memory}` : "none");
    const delay = (s: ServiceFacts) => (s.targetGroup ? String(s.targetGroup.deregistrationDelay) : "none");
    // [label, before, after, unit]
    const facts: [string, string | number, string | number, string][] = [
        ["capacity", before.capacity, after.capacity, ""],
        ["memory reservation", before.reservation, after.reservation, " MiB"],
        ["memory limit", before.limit, after.limit, " MiB"],
        ["CPU units", before.cpu, after.cpu, ""],
        ["Fargate size", size(before.fargateSize), size(after.fargateSize), ""],
        // On EC2 only under Service Connect, which requires a task size.
        ["EC2 task size", size(before.ec2TaskSize), size(after.ec2TaskSize), ""],
        ["tasks", before.desired, after.desired, ""],
        ["scaling bounds", bounds(before), bounds(after), ""],
        ["stop timeout", before.stopTimeout, after.stopTimeout, " s"],
        ["health-check grace", before.gracePeriodSeconds, after.gracePeriodSeconds, " s"],
        ["deregistration delay", delay(before), delay(after), " s"],
    ];
    return facts.filter(([, a, b]) => a !== b).map(([label, a, b, unit]) => `${label} ${a} → ${b}${typeof b === "number" ? unit : ""}`);
}

/** Changes no wording covers: the resources added and removed, and how many inputs of the others changed. */
function unworded(changes: readonly ResourceChange[]): string[] {
    const typesOf = (of: readonly ResourceChange[]) => of.map((c) => typeWords(c.type)).join(", ");
    const [added, removed] = [changes.filter((c) => c.kind === "add"), changes.filter((c) => c.kind === "remove")];
    const updated = changes.filter((c) => c.kind === "change" || c.kind === "replace");
    const paths = new Set(updated.flatMap((c) => c.paths));
    return [
        ...(added.length ? [`adds ${typesOf(added)}`] : []),
        ...(removed.length ? [`removes ${typesOf(removed)}`] : []),
        ...(updated.length ? [`${plural(paths.size, "input")} of ${typesOf(updated)} (see the resource changes)`] : []),
    ];
}

/**
 * The changes of every service in words. Values of the task definition, the ECS service and the
 * scaling resources are said once per service (not per resource); replacements name the resource.
 */
export function serviceChanges(diff: PlanDiff, base: PlanFacts | undefined, head: PlanFacts, https: boolean): ServiceChange[] {
    const groups = new Map(diff.groups.map((g) => [g.group, g.changes]));
    // A base plan of another fleet version carries no facts this one reads: its services are
    // known from the diff alone (a component added or removed), and only resources are worded.
    const componentChange = (service: string) =>
        groups.get(service)?.find((c) => c.type === "fleet:ecs:Service" && c.name === service)?.kind;
    const routes = new Map(base ? routeChanges(base, head).map((r) => [r.service, r]) : []);
    const hosts = new Set(base ? newHosts(base, head) : []);
    const headServices = new Set(head.services.map((s) => s.name));
    const baseServices = new Set(
        base
            ? base.services.map((s) => s.name)
            : [...headServices, ...groups.keys()].filter((s) => s !== "platform" && componentChange(s) !== "add"),
    );
    const names = [...new Set([...groups.keys(), ...routes.keys()])].sort((a, b) =>
        a === "platform" ? -1 : b === "platform" ? 1 : a.localeCompare(b),
    );
    return names.map((service) => {
        const changes = groups.get(service) ?? [];
        const status =
            !baseServices.has(service) && headServices.has(service)
                ? "added"
                : !headServices.has(service) && baseServices.has(service)
                  ? "removed"
                  : "changed";
        const lines: string[] = [];
        if (status === "changed") {
            const [before, after] = [base?.services.find((x) => x.name === service), head.services.find((x) => x.name === service)];
            if (before && after) lines.push(...factLines(before, after));
            for (const change of changes) {
                const line = resourceLine(change);
                if (line && !lines.includes(line)) lines.push(line);
            }
            const route = routes.get(service);
            if (route && route.removed.length === 1 && route.added.length === 1)
                lines.push(`route ${route.removed[0]} → ${route.added[0]}`);
            else if (route) {
                lines.push(...route.added.map((r) => `new route ${r}`), ...route.removed.map((r) => `route ${r} removed`));
            }
            // Resources and inputs with no words of their own are named, so no change goes unsaid.
            if (lines.length === 0 && changes.length > 0) lines.push(...unworded(changes));
        } else if (status === "added") {
            lines.push(...(routes.get(service)?.added ?? []).map((r) => `route ${r}`));
        }
        const serviceHosts = head.rules.filter((r) => r.service === service).flatMap((r) => r.hosts);
        for (const host of [...new Set(serviceHosts)].filter((h) => hosts.has(h))) {
            lines.push(`new host ${host}: needs a DNS record for the load balancer${https ? " and a name on its certificate" : ""}`);
        }
        const redeploys = status === "changed" && changes.some((c) => redeploying.has(c.type) && c.kind !== "add" && c.kind !== "remove");
        return { service, status, redeploys, lines };
    });
}
