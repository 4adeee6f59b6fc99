/**
 * A service in the catalog's words, for the review's changes: an image change as the catalog wrote
 * it (`hashicorp/http-echo 1.0 → 1.1`, not the cache's URI), and a new service as a reviewer needs
 * it before it deploys: its routes, capacity and task counts, what it scales on (its queue), and its
 * secrets, naming the ones that must exist before the deploy. Pure.
 */
import { serviceLogicalNames } from "../model/naming";
import { parseJsonOrString } from "../facts/json";
import { PlanDocument } from "../plan/runProgram";
import { ImageFacts } from "./modelSection";
import { RuleFacts, ServiceFacts } from "./facts";

/** `repository` and `tag` (or `@digest`) of a reference; the tag is empty when it has none. */
function splitReference(reference: string): { readonly repository: string; readonly tag: string } {
    const at = reference.indexOf("@");
    if (at >= 0) return { repository: reference.slice(0, at), tag: reference.slice(at) };
    const colon = reference.lastIndexOf(":");
    return colon > reference.lastIndexOf("/")
        ? { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) }
        : { repository: reference, tag: "" };
}

const imageWords = (image: ImageFacts) => ("reference" in image ? image.reference : `a build of ${image.build}`);

/**
 * An image change as the catalog says it: `hashicorp/http-echo 1.0 → 1.1` for a new tag,
 * `./apps/api rebuilt (its content changed)` for a build, `image redis:7 → valkey/valkey:8` otherwise;
 * undefined when the image is the same (or a plan does not say).
 */
export function imageChange(before: ImageFacts | undefined, after: ImageFacts | undefined): string | undefined {
    if (!before || !after) return undefined;
    if ("build" in before && "build" in after) {
        if (before.build === after.build) return before.tag === after.tag ? undefined : `${after.build} rebuilt (its content changed)`;
        return `image built from ${before.build} → ${after.build}`;
    }
    if ("reference" in before && "reference" in after) {
        if (before.reference === after.reference) return undefined;
        const [a, b] = [splitReference(before.reference), splitReference(after.reference)];
        if (a.repository === b.repository) return `${a.repository} ${a.tag || "(no tag)"} → ${b.tag || "(no tag)"}`;
    }
    return `image ${imageWords(before)} → ${imageWords(after)}`;
}

/** Where a secret's value comes from, as the plan's resources say it (never the value). */
export interface SecretSource {
    readonly name: string;
    readonly source: "generated" | "config" | "ssm" | "secretsManager";
    /** The SSM parameter or Secrets Manager secret it reads, outside the stack: it must exist before the deploy. */
    readonly reads?: string;
}

/**
 * A service's secrets from its task definition: a generated one has its random password in the
 * plan, a `fromConfig` one its parameter (the plan refuses a config key that is not set), an
 * `existing` one only the ARN it reads.
 */
export function secretSources(plan: PlanDocument, service: string): SecretSource[] {
    const names = serviceLogicalNames(service);
    const has = (type: string, name: string) => plan.resources.some((r) => r.type === type && r.name === name);
    const task = plan.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name === names.taskDefinition);
    const containers = parseJsonOrString(String(task?.inputs.containerDefinitions ?? "[]"));
    const secrets = (Array.isArray(containers) ? (containers as { secrets?: { name: string; valueFrom: string }[] }[]) : []).flatMap(
        (c) => c.secrets ?? [],
    );
    return secrets.map(({ name, valueFrom }): SecretSource => {
        if (has("random:index/randomPassword:RandomPassword", names.secret(name))) return { name, source: "generated" };
        if (has("aws:ssm/parameter:Parameter", names.secret(name))) return { name, source: "config" };
        const parameter = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(valueFrom)?.[1];
        if (parameter) return { name, source: "ssm", reads: parameter };
        const secret = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+?)(?::[^:]*:[^:]*:[^:]*)?$/.exec(valueFrom)?.[1];
        return { name, source: "secretsManager", reads: secret ?? valueFrom };
    });
}

/** A rule as words: `orders.example.com`, `orders.example.com /v1/*`, `/orders/* on any host`. */
export const ruleWords = (rule: Pick<RuleFacts, "hosts" | "paths">) =>
    rule.hosts.length ? [rule.hosts.join(", "), ...rule.paths].join(" ") : `${rule.paths.join(", ")} on any host`;

const capacityWords: Record<ServiceFacts["capacity"], string> = {
    ec2: "on EC2",
    "ec2-spot": "on EC2 Spot",
    fargate: "on Fargate",
    "fargate-spot": "on Fargate Spot",
};

/** Where its tasks run: `on EC2 Spot (first 1 on on-demand EC2)` for an ec2-spot service with an on-demand base. */
const whereWords = (s: ServiceFacts) =>
    `${capacityWords[s.capacity]}${s.capacity === "ec2-spot" && s.onDemandBase ? ` (first ${s.onDemandBase} on on-demand EC2)` : ""}`;

/** What autoscaling tracks: `on CPU 60%`, `on 500 requests a task a minute`, `on queue orders (100 messages a task)`. */
function scalingWords(s: ServiceFacts): string {
    const on = [
        s.scaling?.cpuPercent !== undefined ? `CPU ${s.scaling.cpuPercent}%` : "",
        s.scaling?.requestsPerTarget !== undefined ? `${s.scaling.requestsPerTarget} requests a task a minute` : "",
        s.scaling?.queue ? `queue ${s.scaling.queue.name} (${s.scaling.queue.backlogPerTask} messages a task)` : "",
    ].filter(Boolean);
    return on.length ? ` on ${on.join(" and ")}` : "";
}

/** How many tasks run: `2 tasks`, `1-4 tasks on CPU 60%`, `1-10 tasks on queue orders (100 messages a task)`. */
export function taskWords(s: ServiceFacts): string {
    const scheduled = s.scheduledMin ? `, scheduled up to ${s.scheduledMin.highest}` : "";
    if (s.min !== undefined) return `${s.min}-${s.max} tasks${scalingWords(s)}${scheduled}`;
    return `${s.desired} task${s.desired === 1 ? "" : "s"}`;
}

/** A job's schedule: `a job: one task a run of cron(30 2 * * ? *) UTC (next 2026-12-07 02:30 UTC), 20 min each`. */
function jobWords(job: NonNullable<ServiceFacts["job"]>, minutesAssumed: number, nextRun: string | undefined): string {
    const next = nextRun ? ` (next ${nextRun.slice(0, 16).replace("T", " ")} UTC)` : "";
    const minutes = job.durationMinutes === undefined ? `${minutesAssumed} min each assumed` : `${job.durationMinutes} min each`;
    return `a job: one task a run of ${job.schedule} ${job.timezone}${next}, ${minutes}`;
}

/** A new service's secrets on one line: where each comes from, and which must exist before it deploys. */
function secretWords(secrets: readonly SecretSource[]): string[] {
    if (!secrets.length) return [];
    const from = (s: SecretSource) =>
        s.source === "generated"
            ? `${s.name} generated`
            : s.source === "config"
              ? `${s.name} from the stack's config`
              : `${s.name} from ${s.source === "ssm" ? "SSM parameter" : "Secrets Manager secret"} ${s.reads}, ` +
                "which must exist before deploying (the stack only reads it)";
    return [`secrets: ${secrets.map(from).join("; ")}`];
}

/** What else a new service is given: its task role's grants, the services it calls, its volumes. */
function reachWords(plan: PlanDocument, s: ServiceFacts): string[] {
    const grants = (plan.model?.access ?? []).filter((g) => g.service === s.name);
    const calls = (plan.model?.connections ?? []).filter((c) => c.caller === s.name);
    return [
        ...(grants.length ? [`access: ${grants.map((g) => `${g.kind} ${g.resource} (${g.level})`).join(", ")}`] : []),
        ...(calls.length ? [`calls ${calls.map((c) => `${c.target} as ${c.variable}`).join(", ")}`] : []),
        ...(s.volumes?.length
            ? [
                  `volumes: ${s.volumes
                      .map((v) => (v.kind === "scratch" ? `${v.path} scratch` : `${v.path} on file system ${v.fileSystem}`))
                      .join(", ")}`,
              ]
            : []),
    ];
}

/**
 * A new service in words, from the head plan: what it serves (its routes and port) or when it
 * runs (a job), where its tasks run and how many, what they scale on, memory and CPU, what it may
 * reach, and its secrets.
 */
export function newServiceLines(s: ServiceFacts, plan: PlanDocument, minutesAssumed: number, nextRun?: string): string[] {
    const rules = (plan.model?.rules ?? []).filter((r) => r.service === s.name);
    const port = (plan.model?.ports ?? []).find((p) => p.service === s.name);
    const serves = port ? ` to port ${port.port} (${port.protocol})` : "";
    const what = s.job
        ? jobWords(s.job, minutesAssumed, nextRun)
        : rules.length
          ? `routes ${rules.map(ruleWords).join(", ")}${serves}`
          : `no routes${port ? `; port ${port.port} (${port.protocol}) for Service Connect` : ""}`;
    const size = s.fargateSize ? ` ${s.fargateSize.cpu}/${s.fargateSize.memory}` : "";
    const tasks = s.job ? "" : `, ${taskWords(s)}`;
    return [
        what,
        `${whereWords(s)}${size}${tasks}; memory reservation ${s.reservation} MiB, limit ${s.limit} MiB; ${s.cpu} CPU units`,
        ...reachWords(plan, s),
        ...secretWords(secretSources(plan, s.name)),
    ];
}
