/**
 * The review surface of a plan: routing, memory and capacity, rollout time, cost, and the diff
 * against a base plan, as plain text (terminal) and as Markdown (a pull-request comment).
 */
import { ec2Capacity, Ec2CapacityReport } from "./capacity";
import { CostReport, estimateCost, priceBook } from "./cost";
import { diffPlans, PlanDiff, ResourceChange } from "./diff";
import { rollingDeployment } from "../policy/limits";
import { PolicyResult, PolicySettings } from "../policy/rules";
import { PlanFacts, planFacts } from "./facts";
import { planPolicy, planPolicySettings, retirementProblems } from "./guards";
import { RolloutEstimate, rolloutEstimate } from "./rollout";
import { RouteRow, routingTable } from "./routes";
import { PlanDocument } from "../plan/runProgram";

export interface Review {
    readonly plan: PlanDocument;
    readonly facts: PlanFacts;
    readonly routes: readonly RouteRow[];
    readonly capacity?: Ec2CapacityReport;
    readonly rollouts: readonly RolloutEstimate[];
    readonly cost: CostReport;
    readonly against?: {
        readonly plan: PlanDocument;
        readonly diff: PlanDiff;
        readonly cost: CostReport;
        readonly retirement: readonly string[];
    };
    /** fleet's controls over the plan, when asked for (`--policy`). */
    readonly policy?: PolicyResult;
    /** The stack's enforcement and waivers (shown whether or not the controls ran). */
    readonly policySettings: PolicySettings;
    readonly warnings: readonly string[];
}

/** Unwaived violations that fail the plan: all of them on a mandatory stack. */
export function blockingViolations(policy: PolicyResult | undefined): PolicyResult["violations"] {
    return policy && policy.enforcement === "mandatory" ? policy.violations.filter((v) => !v.waived) : [];
}

export function review(plan: PlanDocument, base?: PlanDocument, options: { policy?: boolean } = {}): Review {
    const facts = planFacts(plan);
    const policy = options.policy ? planPolicy(plan) : undefined;
    const capacity = ec2Capacity(facts);
    const rollouts = facts.services.map(rolloutEstimate);
    const cost = estimateCost(facts, capacity);
    let against: Review["against"];
    if (base) {
        const baseFacts = planFacts(base);
        against = {
            plan: base,
            diff: diffPlans(base, plan),
            cost: estimateCost(baseFacts, ec2Capacity(baseFacts)),
            // Only a plan of the same stack says what that stack would lose.
            retirement: base.stack === plan.stack ? retirementProblems(base, plan) : [],
        };
    }
    return {
        plan,
        facts,
        routes: routingTable(facts.rules),
        capacity,
        rollouts,
        cost,
        against,
        policy,
        // The controls' result carries the settings; read them apart only when the controls did not run.
        policySettings: policy ?? planPolicySettings(plan),
        warnings: [...(capacity?.warnings ?? []), ...rollouts.flatMap((r) => r.warnings), ...cost.warnings],
    };
}

const usd = (amount: number) => `$${amount.toFixed(2)}`;
const signedUsd = (amount: number) => `${amount >= 0 ? "+" : "−"}$${Math.abs(amount).toFixed(2)}`;
const tasksOf = (s: { desired: number; min?: number; max?: number }) =>
    s.min !== undefined ? `${s.desired} (${s.min}-${s.max})` : String(s.desired);

interface Table {
    readonly headers: readonly string[];
    readonly rows: readonly (readonly (string | number)[])[];
}

function routesTable(r: Review): Table {
    return {
        headers: ["priority", "host", "path", "service", "target group", "note"],
        rows: r.routes.map((row) => [
            row.priority,
            row.hosts.join(", ") || "*",
            row.paths.join(", ") || "*",
            row.service,
            row.targetGroup,
            row.notes.join("; "),
        ]),
    };
}

function accessTable(r: Review): Table {
    return {
        headers: ["service", "AWS service", "resource", "level", "SSE-KMS key"],
        rows: (r.plan.model?.access ?? []).map((g) => [g.service, g.kind, g.resource, g.level, g.kmsKey ?? "-"]),
    };
}

function connectionsTable(r: Review): Table {
    return {
        headers: ["caller", "calls", "port", "as"],
        rows: (r.plan.model?.connections ?? []).map((c) => [c.caller, c.target, c.port, `${c.variable}=${c.url}`]),
    };
}

/** Who calls whom, one line per caller: `web → api, billing`. */
function callLines(r: Review): string[] {
    const calls = new Map<string, string[]>();
    for (const c of r.plan.model?.connections ?? []) calls.set(c.caller, [...(calls.get(c.caller) ?? []), c.target]);
    return [...calls].map(([caller, targets]) => `- \`${caller}\` → ${targets.map((t) => `\`${t}\``).join(", ")}`);
}

function dnsLines(r: Review, markdown: boolean): string[] {
    const dns = r.plan.model?.dns;
    if (!dns) return [];
    const code = (text: string) => (markdown ? `\`${text}\`` : text);
    return [
        `DNS zone ${code(dns.zone)}: alias A records to the load balancer for ${dns.records.map(code).join(", ")}.`,
        dns.certificateNames
            ? `ACM certificate (validated by DNS in the zone) for ${dns.certificateNames.map(code).join(", ")}; HTTPS uses it.`
            : "HTTPS uses the certificate fleet:loadBalancer.certificateArn names.",
    ];
}

function disabledLine(r: Review): string[] {
    const disabled = r.plan.model?.disabled ?? [];
    return disabled.length ? [`Turned off in this stack (fleet:services.<name>.enabled: false): ${disabled.join(", ")}.`] : [];
}

function memoryTable(r: Review): Table {
    return {
        headers: ["service", "capacity", "reservation (MiB)", "limit (MiB)", "cpu", "fargate size", "tasks (min-max)"],
        rows: r.facts.services.map((s) => [
            s.name,
            s.capacity,
            s.reservation,
            s.limit,
            s.cpu,
            s.fargateSize ? `${s.fargateSize.cpu}/${s.fargateSize.memory}` : "-",
            tasksOf(s),
        ]),
    };
}

function rolloutTable(r: Review): Table {
    return {
        headers: ["service", "rolling step", "grace", "healthy (interval × threshold)", "deregistration", "AWS defaults"],
        rows: r.rollouts.map((e) =>
            e.stepSeconds === undefined || !e.parts
                ? [e.service, "no load balancer: replaced as tasks start", "-", "-", "-", "-"]
                : [
                      e.service,
                      `${e.stepSeconds} s`,
                      `${e.parts.grace} s`,
                      `${e.parts.healthy} s`,
                      `${e.parts.deregistration} s`,
                      `${e.awsDefaultSeconds} s`,
                  ],
        ),
    };
}

function costTable(c: CostReport): Table {
    return {
        headers: ["item", "monthly", "detail"],
        rows: [
            ...c.services.map((s) => [s.service, usd(s.monthly), `${s.detail}; logs ${usd(s.logs)}`]),
            ...c.shared.map((l) => [l.item, usd(l.monthly), l.detail]),
            ["total", usd(c.total), `prices ${c.priceRegion} ${c.priceDate}`],
        ],
    };
}

function baselineTable(c: CostReport): Table {
    return {
        headers: ["one ALB per service, all Fargate", "monthly", "detail"],
        rows: [
            ...c.baseline.lines.map((l) => [l.item, usd(l.monthly), l.detail]),
            ["total", usd(c.baseline.total), `fleet saves ${usd(c.baseline.total - c.total)} a month`],
        ],
    };
}

function capacityLines(c: Ec2CapacityReport): string[] {
    return [
        `EC2 capacity (${c.instanceType}): ${c.registeredMemoryMiB} MiB registered per instance (${c.registeredMemoryNote}).`,
        `${c.tasks} tasks reserve ${c.reservedMiB} MiB: at least ${c.lowerBound} instance(s) by memory, ${c.packedInstances} when bin-packed; ` +
            `${c.instances} planned (${c.instancesReason}), ${(c.utilisation * 100).toFixed(0)}% of registered memory reserved. ` +
            `A rolling deployment briefly needs room for a second copy of the service being deployed (maximum ${rollingDeployment.maximumPercent}%): managed scaling adds instances for it.`,
    ];
}

/** Pulumi's preview signs: `+-` is a replacement (create the new one, delete the old one). */
const changeSigns: Record<ResourceChange["kind"], string> = { add: "+", remove: "-", change: "~", replace: "+-" };

/** Which changed paths force a replacement: all of them, or the ones named. */
function replacementDetail(change: ResourceChange, markdown: boolean): string {
    const forcing = change.replacedBy ?? [];
    const inputs = change.paths.filter((path) => path !== "(protect)");
    if (forcing.length === inputs.length && forcing.every((path, i) => path === inputs[i])) return ", forcing replacement";
    return `; replacement forced by ${forcing.map((path) => (markdown ? `\`${path}\`` : path)).join(", ")}`;
}

/** The diff against a base plan: a count line, then each group's changes with their warnings. */
export function diffLines(d: PlanDiff, markdown: boolean): string[] {
    // Replacements are counted only when there are some: a plan without any reads as before.
    const replaced = d.replaced > 0 ? `, ${d.replaced} to replace` : "";
    const lines: string[] = [`${d.added} to add, ${d.changed} to change${replaced}, ${d.removed} to remove`];
    for (const group of d.groups) {
        lines.push(markdown ? `\n**${group.group}**\n` : `\n  ${group.group}:`);
        for (const change of group.changes) {
            const sign = changeSigns[change.kind];
            const detail =
                (change.paths.length ? ` (${change.paths.join(", ")})` : "") +
                (change.kind === "replace" ? replacementDetail(change, markdown) : "");
            lines.push(
                markdown
                    ? `- \`${sign}\` ${change.type} \`${change.name}\`${detail}`
                    : `    ${sign} ${change.type} ${change.name}${detail}`,
            );
            for (const warning of change.warnings ?? []) lines.push(markdown ? `  - :warning: ${warning}` : `       ! ${warning}`);
        }
    }
    return lines;
}

function policyLines(policy: PolicyResult, markdown: boolean): string[] {
    const open = policy.violations.filter((v) => !v.waived);
    const waived = policy.violations.filter((v) => v.waived);
    const level = policy.enforcement === "mandatory" ? "error" : "warning";
    const lines = [`Policy (${policy.enforcement}): ${open.length} violation(s), ${waived.length} waived.`];
    for (const v of open) lines.push(markdown ? `- :x: **${level}** ${v.message}` : `  ${level}: ${v.message}`);
    if (policy.waivers.length) lines.push(markdown ? "\nWaivers:" : "Waivers:");
    for (const w of policy.waivers) {
        const hits = waived.filter((v) => v.control === w.control && (v.service ?? "platform") === w.scope).length;
        lines.push(`${markdown ? "- " : "  "}${w.control} for ${w.scope}: ${w.reason} (${hits} waived)`);
    }
    return lines;
}

/** Waivers and opt-outs with their reasons, for a plan run without `--policy`. */
function waiverLines(settings: PolicySettings, markdown: boolean): string[] {
    return [
        `Policy waivers (${settings.enforcement}; run with --policy to check the controls):`,
        ...settings.waivers.map((w) => `${markdown ? "- " : "  "}${w.control} for ${w.scope}: ${w.reason}`),
    ];
}

function textTable(t: Table): string {
    const cells = [t.headers.map(String), ...t.rows.map((row) => row.map(String))];
    const widths = t.headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
    return cells
        .map((row) =>
            row
                .map((cell, i) => cell.padEnd(widths[i]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

function markdownTable(t: Table): string {
    const escape = (cell: string | number) => String(cell).replace(/\|/g, "\\|") || " ";
    return [
        `| ${t.headers.join(" | ")} |`,
        `|${t.headers.map(() => "---").join("|")}|`,
        ...t.rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
    ].join("\n");
}

function resourceCounts(plan: PlanDocument): Table {
    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return { headers: ["type", "count"], rows: [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)) };
}

export function renderText(r: Review): string {
    const p = r.plan;
    const out: string[] = [];
    out.push(
        `Plan of ${p.project}/${p.stack}: ${p.resources.length} resources to create (${p.resources.filter((x) => x.protect).length} protected)`,
        "",
    );
    out.push(textTable(resourceCounts(p)), "");
    if (r.against?.retirement.length) out.push("Deletions refused:", ...r.against.retirement.map((p) => `  error: ${p}`), "");
    if (r.policy) out.push(...policyLines(r.policy, false), "");
    else if (r.policySettings.waivers.length) out.push(...waiverLines(r.policySettings, false), "");
    if (r.against) {
        out.push(`Changes against ${r.against.plan.project}/${r.against.plan.stack}: ${diffLines(r.against.diff, false).join("\n")}`);
        out.push(
            `Monthly cost: ${usd(r.against.cost.total)} → ${usd(r.cost.total)} (${signedUsd(r.cost.total - r.against.cost.total)})`,
            "",
        );
    }
    out.push("Routing (listener rules in evaluation order; unmatched requests get the default 404):", textTable(routesTable(r)), "");
    if (accessTable(r).rows.length) out.push("Access (task-role grants, exact ARNs):", textTable(accessTable(r)), "");
    if (connectionsTable(r).rows.length) out.push("Connections (ECS Service Connect):", textTable(connectionsTable(r)), "");
    if (r.plan.model?.dns) out.push(...dnsLines(r, false), "");
    if (disabledLine(r).length) out.push(...disabledLine(r), "");
    out.push("Memory (MiB: soft reservation < hard limit), CPU units and capacity per service:", textTable(memoryTable(r)), "");
    if (r.capacity) out.push(...capacityLines(r.capacity), "");
    out.push(
        "Rollout, one rolling step (grace + health-check interval × healthy threshold + deregistration delay):",
        textTable(rolloutTable(r)),
        "",
    );
    out.push(`Monthly cost estimate (${r.cost.region}):`, textTable(costTable(r.cost)), "", textTable(baselineTable(r.cost)), "");
    if (r.warnings.length) out.push("Warnings:", ...r.warnings.map((w) => `  ! ${w}`), "");
    out.push("Outputs:");
    for (const [key, value] of Object.entries(p.outputs)) if (key !== "routes") out.push(`  ${key}: ${JSON.stringify(value)}`);
    return out.join("\n");
}

export function renderMarkdown(r: Review): string {
    const p = r.plan;
    const out: string[] = [];
    out.push(`### fleet plan: \`${p.stack}\``, "");
    out.push(
        `${p.resources.length} resources (${p.resources.filter((x) => x.protect).length} protected), ` +
            `estimated **${usd(r.cost.total)}/month** against ${usd(r.cost.baseline.total)} with one ALB per service on Fargate.`,
        "",
    );
    if (r.against?.retirement.length) out.push("#### Deletions refused", "", ...r.against.retirement.map((p) => `- :x: ${p}`), "");
    if (r.policy) out.push("#### Policy", "", ...policyLines(r.policy, true), "");
    else if (r.policySettings.waivers.length) out.push("#### Policy waivers", "", ...waiverLines(r.policySettings, true), "");
    if (r.against) {
        out.push(`#### Changes against \`${r.against.plan.stack}\``, "");
        out.push(...diffLines(r.against.diff, true), "");
        out.push(
            `Monthly cost: ${usd(r.against.cost.total)} → ${usd(r.cost.total)} (**${signedUsd(r.cost.total - r.against.cost.total)}**)`,
            "",
        );
    }
    if (r.warnings.length) out.push("#### Warnings", "", ...r.warnings.map((w) => `- :warning: ${w}`), "");
    out.push("#### Routes (in evaluation order)", "", markdownTable(routesTable(r)), "");
    if (accessTable(r).rows.length) out.push("#### Access (task-role grants)", "", markdownTable(accessTable(r)), "");
    if (connectionsTable(r).rows.length) {
        out.push("#### Service-to-service calls (Service Connect)", "", "Who calls whom:", "", ...callLines(r), "");
        out.push(markdownTable(connectionsTable(r)), "");
    }
    if (r.plan.model?.dns) out.push("#### DNS and certificate", "", ...dnsLines(r, true), "");
    if (disabledLine(r).length) out.push(...disabledLine(r), "");
    out.push("#### Memory and capacity", "", markdownTable(memoryTable(r)), "");
    if (r.capacity) out.push(...capacityLines(r.capacity), "");
    out.push("#### Rollout time (one rolling step)", "", markdownTable(rolloutTable(r)), "");
    out.push("#### Monthly cost", "", markdownTable(costTable(r.cost)), "", markdownTable(baselineTable(r.cost)), "");
    out.push(`<sub>Assumptions: ${priceBook.assumptions.notes.join(" ")}</sub>`, "");
    return out.join("\n");
}
