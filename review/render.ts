/**
 * The review surface of a plan, as plain text (terminal) and as Markdown (a pull-request comment):
 * a verdict first (policy, refused deletions, replacements, redeploys, cost), then each service's
 * changes in words with old → new values, then the tables (routing, memory and capacity, rollout
 * time, cost), in the Markdown only for what changed with the rest folded.
 */
import { adviceLines, adviseCapacity, CapacityAdvice } from "./advisor";
import { budgetLines, BudgetVerdict, checkBudget, planBudget } from "./budget";
import { ec2Capacity, Ec2CapacityReport } from "./capacity";
import { orderedValues, plural, serviceChanges, ServiceChange, showValue, typeWords } from "./changes";
import { completeCostLines, costContext, usd } from "./costItems";
import { CostReport, estimateCost, priceBook } from "./cost";
import { diffPlans, PlanDiff, replacementTriggerPath, ResourceChange } from "./diff";
import { rollingDeployment } from "../facts/fleet";
import { PolicyResult } from "../policy/rules";
import { currentFacts, PlanFacts, planFacts, ServiceFacts } from "./facts";
import { JobRow, jobRows } from "./jobs";
import { cachePrefixChanges, fileSystemDeletions, planPolicy, retirementProblems } from "./guards";
import { RolloutEstimate, rolloutEstimate } from "./rollout";
import { RouteRow, routingOrder, routingTable } from "./routes";
import { Verdict, verdictOf } from "./verdict";
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
        readonly retirement: readonly string[];
        /** The base plan's facts and what the reports make of them; absent when another version of fleet wrote it. */
        readonly facts?: PlanFacts;
        readonly routes?: readonly RouteRow[];
        readonly rollouts?: readonly RolloutEstimate[];
        readonly cost?: CostReport;
    };
    /** Every service's changes in words (empty without a base plan). */
    readonly changes: readonly ServiceChange[];
    /** fleet's controls over the plan: evaluated on every plan. */
    readonly policy: PolicyResult;
    readonly verdict: Verdict;
    /** Whether the listener serves HTTPS (new hosts then need a certificate name). */
    readonly https: boolean;
    /** The cheapest EC2 type and count that holds the fleet, next to the current one (review/advisor.ts); absent without EC2 capacity. */
    readonly advice?: CapacityAdvice;
    /** The stack's budget against the estimate and the change (review/budget.ts). */
    readonly budget: BudgetVerdict;
    /** Jobs with their next runs (from `now`) and monthly task-hours. */
    readonly jobs: readonly JobRow[];
    readonly warnings: readonly string[];
}

/** Unwaived violations that fail the plan: all of them on a mandatory stack. */
export function blockingViolations(policy: PolicyResult | undefined): PolicyResult["violations"] {
    return policy && policy.enforcement === "mandatory" ? policy.violations.filter((v) => !v.waived) : [];
}

const servesHttps = (plan: PlanDocument) =>
    plan.resources.some((r) => r.type === "aws:lb/listener:Listener" && r.inputs.protocol === "HTTPS");

/** The review of a plan, against a base plan when given. The policy always runs (`--policy` is kept for old scripts). */
export function review(plan: PlanDocument, base?: PlanDocument, options: { now?: Date } = {}): Review {
    const facts = currentFacts(plan);
    const policy = planPolicy(plan);
    const capacity = ec2Capacity(facts);
    // A job has no rolling deployment: each run starts the current task definition.
    const rollouts = facts.services.filter((s) => !s.job).map(rolloutEstimate);
    const cost = estimateCost(facts, capacity, priceBook, costContext(plan));
    const advice = adviseCapacity(facts);
    const https = servesHttps(plan);
    let against: Review["against"];
    if (base) {
        const baseFacts = planFacts(base);
        against = {
            plan: base,
            diff: diffPlans(base, plan),
            // Only a plan of the same stack says what that stack would lose.
            retirement: base.stack === plan.stack ? retirementProblems(base, plan) : [],
            // A base plan written by another version of fleet: its resources are compared, not its facts.
            ...(baseFacts
                ? {
                      facts: baseFacts,
                      routes: routingTable(baseFacts.rules),
                      rollouts: baseFacts.services.map(rolloutEstimate),
                      cost: estimateCost(baseFacts, ec2Capacity(baseFacts), priceBook, costContext(base)),
                  }
                : {}),
        };
    }
    const budget = checkBudget({
        stack: plan.stack,
        budget: planBudget(plan),
        enforcement: policy.enforcement,
        monthly: cost.total,
        base: against?.cost ? { stack: against.plan.stack, monthly: against.cost.total } : undefined,
    });
    const changes = against ? serviceChanges(against.diff, against.facts, facts, https) : [];
    const verdict = verdictOf({
        policy,
        blocking: blockingViolations(policy).length,
        diff: against?.diff,
        changes,
        deletionsRefused: against?.retirement ?? [],
        cost: { before: against?.cost?.total, after: cost.total },
        budgetViolations: budget.blocking ? budget.violations.length : 0,
    });
    return {
        plan,
        facts,
        routes: routingTable(facts.rules),
        capacity,
        rollouts,
        cost,
        against,
        changes,
        policy,
        verdict,
        https,
        advice,
        budget,
        jobs: jobRows(facts.services, options.now ?? new Date()),
        warnings: [
            ...(plan.model?.warnings ?? []),
            ...(capacity?.warnings ?? []),
            ...(advice?.warnings ?? []),
            ...rollouts.flatMap((r) => r.warnings),
            ...cost.warnings,
            // A file system deleted in a stack that does not protect it: not refused, but its files are lost.
            ...(base && base.stack === plan.stack ? fileSystemDeletions(base, plan).warnings : []),
            ...(base && base.stack === plan.stack ? cachePrefixChanges(base, plan) : []),
        ],
    };
}

const signedUsd = (amount: number) => `${amount >= 0 ? "+" : "−"}$${Math.abs(amount).toFixed(2)}`;
const tasksOf = (s: ServiceFacts) =>
    s.job
        ? "job: 1 per run"
        : s.min !== undefined
          ? `${s.desired} (${s.min}-${s.max}${s.scheduledMin ? `, scheduled up to ${s.scheduledMin.highest}` : ""})`
          : String(s.desired);

interface Table {
    readonly headers: readonly string[];
    readonly rows: readonly (readonly (string | number)[])[];
}

/** Rows equal in every column but the first become one row naming them all: a summary, nothing cut. */
function grouped(t: Table): Table {
    const groups = new Map<string, { names: string[]; row: readonly (string | number)[] }>();
    for (const row of t.rows) {
        const key = JSON.stringify(row.slice(1));
        const group = groups.get(key);
        if (group) group.names.push(String(row[0]));
        else groups.set(key, { names: [String(row[0])], row });
    }
    return { headers: t.headers, rows: [...groups.values()].map((g) => [g.names.join(", "), ...g.row.slice(1)]) };
}

/** The rows of the services whose rows differ from the base plan's (new services included). */
function changedRows(head: Table, base: Table | undefined, column: number): Table {
    if (!base) return { headers: head.headers, rows: [] };
    const rowsOf = (t: Table, service: string) => JSON.stringify(t.rows.filter((row) => String(row[column]) === service));
    const services = new Set(
        head.rows.map((row) => String(row[column])).filter((service) => rowsOf(head, service) !== rowsOf(base, service)),
    );
    return { headers: head.headers, rows: head.rows.filter((row) => services.has(String(row[column]))) };
}

function routesTable(routes: readonly RouteRow[]): Table {
    return {
        headers: ["priority", "host", "path", "service", "target group", "note"],
        rows: routes.map((row) => [
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
        rows: (r.plan.model?.connections ?? []).map((c) => [
            c.caller,
            c.target,
            c.port,
            c.kept ? `${c.variable}: the entry's own (${c.kept}) is kept, not ${c.url}` : `${c.variable}=${c.url}`,
        ]),
    };
}

/**
 * Each service's port and protocol (Service Connect's appProtocol, the target group's protocol
 * version) and its volumes: the services with either.
 */
function portsTable(plan: PlanDocument, facts: PlanFacts): Table {
    const ports = new Map((plan.model?.ports ?? []).map((p) => [p.service, p]));
    const volumes = (s: ServiceFacts) =>
        (s.volumes ?? []).map((v) => (v.kind === "scratch" ? `${v.path} scratch` : `${v.path} efs ${v.fileSystem} (${v.uid}:${v.gid})`));
    return {
        headers: ["service", "port", "protocol", "volumes"],
        rows: facts.services.flatMap((s) => {
            const port = ports.get(s.name);
            const mounted = volumes(s);
            return port || mounted.length ? [[s.name, port?.port ?? "-", port?.protocol ?? "-", mounted.join(", ") || "-"]] : [];
        }),
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

/** Task size: the Fargate size, or on EC2 the task size Service Connect requires (what placement then reserves). */
function memoryTable(facts: PlanFacts): Table {
    return {
        headers: ["service", "capacity", "reservation (MiB)", "limit (MiB)", "cpu", "task size (cpu/MiB)", "tasks (min-max)"],
        rows: facts.services.map((s) => {
            const size = s.fargateSize ?? s.ec2TaskSize;
            return [s.name, s.capacity, s.reservation, s.limit, s.cpu, size ? `${size.cpu}/${size.memory}` : "-", tasksOf(s)];
        }),
    };
}

function rolloutTable(rollouts: readonly RolloutEstimate[]): Table {
    return {
        headers: ["service", "rolling step", "grace", "healthy (interval × threshold)", "deregistration", "AWS defaults"],
        rows: rollouts.map((e) =>
            e.stepSeconds === undefined || !e.parts
                ? [
                      e.service,
                      e.recreate ? "recreate: stopped, then started (down meanwhile)" : "no load balancer: replaced as tasks start",
                      "-",
                      "-",
                      "-",
                      "-",
                  ]
                : [
                      e.service,
                      `${e.stepSeconds} s${e.recreate ? " after its tasks stop (recreate: down meanwhile)" : ""}`,
                      `${e.parts.grace} s`,
                      `${e.parts.healthy} s`,
                      `${e.parts.deregistration} s`,
                      `${e.awsDefaultSeconds} s`,
                  ],
        ),
    };
}

function serviceCostTable(c: CostReport): Table {
    return {
        headers: ["service", "monthly", "detail"],
        rows: c.services.map((s) => [s.service, usd(s.monthly), `${s.detail}; logs ${usd(s.logs)}`]),
    };
}

function jobsTable(r: Review): Table {
    return {
        headers: ["job", "schedule", "time zone", "next runs (UTC)", "runs/month", "minutes/run", "task-hours/month"],
        rows: r.jobs.map((j) => [
            j.service,
            j.schedule,
            j.timezone,
            j.nextRuns.length ? j.nextRuns.map((at) => at.slice(0, 16).replace("T", " ")).join(", ") : "from when the schedule is created",
            j.runsPerMonth.toFixed(1),
            `${j.minutesPerRun}${j.assumed ? " (assumed)" : ""}`,
            j.taskHoursPerMonth.toFixed(1),
        ]),
    };
}

function sharedCostTable(c: CostReport): Table {
    return {
        headers: ["item", "monthly", "detail"],
        rows: [
            ["services", usd(c.services.reduce((sum, s) => sum + s.monthly + s.logs, 0)), plural(c.services.length, "service")],
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
        `${c.tasks} tasks reserve ${c.reservedMiB} MiB: at ` +
            `least ${c.lowerBound} instance(s) by memory, ${c.packedInstances} ` +
            `when bin-packed; ` +
            `${c.instances} planned (${c.instancesReason}), ${(c.utilisation * 100).toFixed(0)}% of registered memory reserved. ` +
            `A rolling deployment briefly needs room for a second copy of the ` +
            `service being deployed ` +
            `(maximum ${rollingDeployment.maximumPercent}%): ` +
            "managed scaling adds instances for it.",
        ...(c.assumptions.length ? [`Counted: ${c.assumptions.join("; ")}.`] : []),
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

/** The most changed inputs listed per resource; the rest are counted. */
const maxValuesPerResource = 12;

/** A resource's changed inputs as `path: old → new` (paths alone for a plan written without values). */
function changedInputs(change: ResourceChange): string {
    if (!change.values?.length) return change.paths.join(", ");
    const values = orderedValues(change.type, change.values);
    const shown = values.slice(0, maxValuesPerResource).map((v) => `${v.path}: ${showValue(v.before)} → ${showValue(v.after)}`);
    if (values.length > maxValuesPerResource) shown.push(`… ${values.length - maxValuesPerResource} more`);
    for (const option of ["(protect)", replacementTriggerPath]) if (change.paths.includes(option)) shown.push(option);
    return shown.join(", ");
}

/** The diff as counts per resource type and kind: `- 199 × +- aws:ecs/taskDefinition:TaskDefinition`. */
function resourceCountLines(d: PlanDiff): string[] {
    const counts = new Map<string, number>();
    for (const change of d.groups.flatMap((g) => g.changes)) {
        const key = `\`${changeSigns[change.kind]}\` ${change.type}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()].map(([key, n]) => `- ${n} × ${key}`);
}

/** The diff's count line: replacements are counted only when there are some. */
function diffCounts(d: PlanDiff): string {
    const replaced = d.replaced > 0 ? `, ${d.replaced} to replace` : "";
    return `${d.added} to add, ${d.changed} to change${replaced}, ${d.removed} to remove`;
}

/** The diff against a base plan: a count line, then each group's changes with their warnings. */
export function diffLines(d: PlanDiff, markdown: boolean): string[] {
    const lines: string[] = [diffCounts(d)];
    for (const group of d.groups) {
        lines.push(markdown ? `\n**${group.group}**\n` : `\n  ${group.group}:`);
        for (const change of group.changes) {
            const sign = changeSigns[change.kind];
            const detail =
                (change.paths.length ? ` (${changedInputs(change)})` : "") +
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

/** How many of a stack's violations a waiver covers. */
const waiverHits = (policy: PolicyResult, w: PolicyResult["waivers"][number]) =>
    policy.violations.filter((v) => v.waived && v.control === w.control && (v.service ?? "platform") === w.scope).length;

const violationLevel = (policy: PolicyResult) => (policy.enforcement === "mandatory" ? "error" : "warning");

/** The policy in the text report: each open violation, then the waivers with the violations they cover. */
function policyLines(policy: PolicyResult): string[] {
    const open = policy.violations.filter((v) => !v.waived);
    const lines = [`Policy (${policy.enforcement}): ${open.length} violation(s), ${policy.violations.length - open.length} waived.`];
    for (const v of open) lines.push(`  ${violationLevel(policy)}: ${v.message}`);
    if (policy.waivers.length) lines.push("Waivers:");
    for (const w of policy.waivers) lines.push(`  ${w.control} for ${w.scope}: ${w.reason} (${waiverHits(policy, w)} waived)`);
    return lines;
}

/** The policy in Markdown: each open violation, the waivers folded. */
function markdownPolicy(policy: PolicyResult): string[] {
    const open = policy.violations.filter((v) => !v.waived);
    const out = [`${policy.enforcement}: ${plural(open.length, "violation")}, ${policy.violations.length - open.length} waived.`, ""];
    if (open.length) out.push(...open.map((v) => `- :x: **${violationLevel(policy)}** ${v.message}`), "");
    if (policy.waivers.length) {
        const lines = policy.waivers.map((w) => `- ${w.control} for ${w.scope}: ${w.reason} (${waiverHits(policy, w)} waived)`);
        out.push(...folded(`${plural(policy.waivers.length, "waiver")} with their reasons`, lines.join("\n")));
    }
    return out;
}

/** The verdict block's rows: what a reviewer weighs first. */
function verdictRows(r: Review): [string, string][] {
    const v = r.verdict;
    const p = v.policy;
    const policy = `${p.blocking ? "failed" : "passed"} (${p.enforcement}): ${plural(p.violations, "violation")}, ${p.waived} waived`;
    const replacements = v.replacements.length
        ? v.replacements
              .map((x) => `${typeWords(x.type)} ${x.name} (${x.service})${x.warnings.length ? `: ${x.warnings.join("; ")}` : ""}`)
              .join("; ")
        : "none";
    const cost =
        v.cost.before === undefined
            ? `${usd(v.cost.after)} a month`
            : `${usd(v.cost.before)} → ${usd(v.cost.after)} a month (${signedUsd(v.cost.after - v.cost.before)})`;
    const rows: [string, string][] = [
        ["policy", policy],
        ["deletions refused", v.deletionsRefused.length ? String(v.deletionsRefused.length) : "none"],
    ];
    if (r.against) {
        rows.push(
            ["changes", `${diffCounts(r.against.diff)} against ${r.against.plan.project}/${r.against.plan.stack}`],
            ["replacements", replacements],
            ["redeploys", v.redeploys.length ? v.redeploys.join(", ") : "none"],
        );
        if (!r.against.facts)
            rows.push(["base plan", "written by another version of fleet: its resources are compared, not its cost, routes or sizes"]);
        if (v.added.length) rows.push(["new services", v.added.join(", ")]);
        if (v.removed.length) rows.push(["removed services", v.removed.join(", ")]);
        const lost = r.against.plan.stack === r.plan.stack ? fileSystemDeletions(r.against.plan, r.plan).lost : [];
        if (lost.length) rows.push(["files lost", `file system ${lost.join(", ")} deleted with every file on it (see Warnings)`]);
    } else {
        const protectedCount = r.plan.resources.filter((x) => x.protect).length;
        rows.push([
            "resources",
            `${r.plan.resources.length} to create (${protectedCount} protected), ${plural(r.facts.services.length, "service")}`,
        ]);
    }
    rows.push(["cost", cost]);
    const b = r.budget;
    const limits = [b.budget !== null ? `${usd(b.budget)} a month` : "", b.increase !== null ? `+${usd(b.increase)} a change` : ""].filter(
        Boolean,
    );
    rows.push([
        "budget",
        b.status === "none"
            ? "not set (fleet:budget)"
            : b.status === "ok"
              ? `within ${limits.join(", ")}`
              : `over: ${b.violations.join("; ")}`,
    ]);
    return rows;
}

function headline(r: Review): string {
    return r.verdict.passes ? "passes" : `fails: ${r.verdict.reasons.join(", ")}`;
}

/** Each service's changes in words; services with the same words share a line, every one named. */
function changeLines(r: Review, markdown: boolean): string[] {
    const byText = new Map<string, string[]>();
    for (const change of r.changes) {
        const status = change.status === "changed" ? (change.redeploys ? "redeploys" : "") : change.status;
        const text = [status, change.lines.join("; ")].filter(Boolean).join(": ") || "updated";
        byText.set(text, [...(byText.get(text) ?? []), change.service]);
    }
    return [...byText.entries()].map(([text, services]) =>
        markdown ? `- **${services.join(", ")}**: ${text}` : `  ${services.join(", ")}: ${text}`,
    );
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

/** Resource counts by type, on one line. */
function resourceCounts(plan: PlanDocument): string {
    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `${type} ${n}`)
        .join(", ");
}

export function renderText(r: Review): string {
    const p = r.plan;
    const out: string[] = [];
    const rows = verdictRows(r);
    const width = Math.max(...rows.map(([label]) => label.length));
    out.push(`Plan of ${p.project}/${p.stack}: ${headline(r)}`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`), "");
    if (r.against) {
        if (r.changes.length) out.push("Changes per service:", ...changeLines(r, false), "");
        out.push(`Changes against ${r.against.plan.project}/${r.against.plan.stack}: ${diffLines(r.against.diff, false).join("\n")}`, "");
    }
    if (r.against?.retirement.length) out.push("Deletions refused:", ...r.against.retirement.map((p) => `  error: ${p}`), "");
    out.push(...policyLines(r.policy), "");
    if (r.budget.status !== "none") out.push(...budgetLines(r.budget, false), "");
    out.push(
        "Routing (listener rules in evaluation order; unmatched requests get the default 404):",
        routingOrder,
        textTable(routesTable(r.routes)),
        "",
    );
    if (accessTable(r).rows.length) out.push("Access (task-role grants, exact ARNs):", textTable(accessTable(r)), "");
    if (connectionsTable(r).rows.length) out.push("Connections (ECS Service Connect):", textTable(connectionsTable(r)), "");
    if (r.plan.model?.dns) out.push(...dnsLines(r, false), "");
    if (disabledLine(r).length) out.push(...disabledLine(r), "");
    const ports = portsTable(r.plan, r.facts);
    if (ports.rows.length)
        out.push("Ports and volumes (what each server speaks on its port; what each task mounts):", textTable(ports), "");
    out.push("Memory (MiB: soft reservation < hard limit), CPU units and capacity per service:", textTable(memoryTable(r.facts)), "");
    if (r.capacity) out.push(...capacityLines(r.capacity), "");
    if (r.advice) out.push(...adviceLines(r.advice, false), "");
    if (r.jobs.length) out.push("Jobs (EventBridge Scheduler runs one task per run):", textTable(jobsTable(r)), "");
    out.push(
        "Rollout, one rolling step (grace + health-check interval × healthy threshold + deregistration delay):",
        textTable(grouped(rolloutTable(r.rollouts))),
        "",
    );
    out.push(
        `Monthly cost estimate (${r.cost.region}):`,
        textTable(serviceCostTable(r.cost)),
        "",
        textTable(sharedCostTable(r.cost)),
        "",
        textTable(baselineTable(r.cost)),
        "",
    );
    out.push(...completeCostLines(r.cost, false), "");
    if (r.warnings.length) out.push("Warnings:", ...r.warnings.map((w) => `  ! ${w}`), "");
    out.push(`Resources by type: ${resourceCounts(p)}`, "", "Outputs:");
    for (const [key, value] of Object.entries(p.outputs)) if (key !== "routes") out.push(`  ${key}: ${JSON.stringify(value)}`);
    return out.join("\n");
}

/**
 * How much of the detail the Markdown carries: everything; identical rows grouped; or, for the
 * largest fleets, the unchanged tables as one summary line each (the text report and the plan
 * JSON keep them whole). The verdict, every changed service and every violation are in all three.
 */
export type Detail = "full" | "grouped" | "summary";

function folded(summary: string, body: string): string[] {
    return ["<details>", `<summary>${summary}</summary>`, "", body, "", "</details>", ""];
}

function markdownAt(r: Review, detail: Detail): string {
    const p = r.plan;
    const out: string[] = [];
    const fold = (t: Table) => (detail === "full" ? t : grouped(t));
    /** A table: the rows that changed, then the whole table folded (or its summary line); `group` merges equal rows always. */
    const section = (
        title: string,
        tables: [Table, Table | undefined],
        column: number,
        summary: string,
        lines: string[],
        group = false,
    ) => {
        const shape = group ? grouped : fold;
        out.push(`#### ${title}`, "", ...lines);
        const touched = changedRows(tables[0], tables[1], column);
        if (touched.rows.length) out.push(markdownTable(shape(touched)), "");
        if (detail === "summary") out.push(`${summary}.`, "");
        else out.push(...folded(`${r.against ? "All" : "The"} ${title.toLowerCase()} (${summary})`, markdownTable(shape(tables[0]))));
    };
    const base = r.against;

    out.push(`### fleet plan: \`${p.stack}\` ${r.verdict.passes ? "passes" : ":x: " + headline(r)}`, "");
    out.push("| | |", "|---|---|", ...verdictRows(r).map(([label, value]) => `| ${label} | ${value.replace(/\|/g, "\\|")} |`), "");
    if (r.budget.status !== "none") out.push("#### Budget", "", ...budgetLines(r.budget, true), "");
    if (r.against) {
        if (r.changes.length) out.push("#### Changes per service", "", ...changeLines(r, true), "");
        // Every resource, or for large changes its count per type and kind (each service's words are above).
        const list = detail === "full" ? diffLines(r.against.diff, true).slice(1) : resourceCountLines(r.against.diff);
        out.push(...folded(`Resource changes against \`${r.against.plan.stack}\`: ${diffCounts(r.against.diff)}`, list.join("\n")));
    }
    if (r.against?.retirement.length) out.push("#### Deletions refused", "", ...r.against.retirement.map((p) => `- :x: ${p}`), "");
    out.push("#### Policy", "", ...markdownPolicy(r.policy));
    if (r.warnings.length) out.push("#### Warnings", "", ...r.warnings.map((w) => `- :warning: ${w}`), "");

    const overlaps = r.routes.filter((row) => row.notes.length);
    const routeSummary =
        `${plural(r.routes.length, "rule")} ` +
        `for ${plural(new Set(r.routes.map((x) => x.service)).size, "service")}, ${plural(overlaps.length, "overlap")}`;
    section("Routes", [routesTable(r.routes), base?.routes && routesTable(base.routes)], 3, routeSummary, [
        routingOrder,
        "",
        ...overlaps.map((row) => `- :warning: ${row.service} (priority ${row.priority}): ${row.notes.join("; ")}`),
        ...(overlaps.length ? [""] : []),
    ]);
    if (accessTable(r).rows.length) out.push("#### Access (task-role grants)", "", markdownTable(accessTable(r)), "");
    if (connectionsTable(r).rows.length) {
        out.push("#### Service-to-service calls (Service Connect)", "", "Who calls whom:", "", ...callLines(r), "");
        out.push(markdownTable(connectionsTable(r)), "");
    }
    if (r.plan.model?.dns) out.push("#### DNS and certificate", "", ...dnsLines(r, true), "");
    if (disabledLine(r).length) out.push(...disabledLine(r), "");
    const ports = portsTable(r.plan, r.facts);
    if (ports.rows.length) {
        const protocols = new Set(ports.rows.map((row) => row[2]));
        section(
            "Ports and volumes",
            [ports, base?.facts && portsTable(base.plan, base.facts)],
            0,
            `${plural(ports.rows.length, "service")}: ${[...protocols].filter((p) => p !== "-").join(", ")}`,
            [],
        );
    }
    const reserved = r.facts.services.reduce((sum, s) => sum + s.reservation * s.desired, 0);
    section(
        "Memory and capacity",
        [memoryTable(r.facts), base?.facts && memoryTable(base.facts)],
        0,
        `${plural(r.facts.services.length, "service")}, ${reserved} MiB reserved at desired counts`,
        [...(r.capacity ? [...capacityLines(r.capacity), ""] : []), ...(r.advice ? [...adviceLines(r.advice, true), ""] : [])],
    );
    if (r.jobs.length) out.push("#### Jobs (EventBridge Scheduler)", "", markdownTable(jobsTable(r)), "");
    const steps = r.rollouts.flatMap((e) => (e.stepSeconds === undefined ? [] : [e.stepSeconds]));
    section(
        "Rollout time (one rolling step)",
        [rolloutTable(r.rollouts), base?.rollouts && rolloutTable(base.rollouts)],
        0,
        steps.length ? `${Math.min(...steps)}-${Math.max(...steps)} s per step` : "no load-balanced service",
        [],
        true,
    );
    out.push("#### Monthly cost", "", markdownTable(sharedCostTable(r.cost)), "", markdownTable(baselineTable(r.cost)), "");
    const costs = serviceCostTable(r.cost);
    const touchedCosts = changedRows(costs, base?.cost && serviceCostTable(base.cost), 0);
    if (touchedCosts.rows.length) out.push(markdownTable(fold(touchedCosts)), "");
    if (detail !== "summary") out.push(...folded("Cost per service", markdownTable(fold(costs))));
    out.push(...completeCostLines(r.cost, true), "");
    out.push(`<sub>Assumptions: ${priceBook.assumptions.notes.join(" ")}</sub>`, "");
    return out.join("\n");
}

/**
 * One stack's share of a pull-request comment: GitHub refuses comments over 65,536 characters and
 * the comment holds dev and prod together, so each stack's Markdown stays under `maxCharacters`,
 * by summarising (grouping, then summary lines), never by cutting.
 */
export const markdownBudget = 30_000;

export function renderMarkdown(r: Review, maxCharacters = markdownBudget): string {
    return fittedMarkdown(r, maxCharacters).text;
}

/** The Markdown at the most detailed level that fits `maxCharacters` (the summary level when none does), and that level. */
export function fittedMarkdown(r: Review, maxCharacters = markdownBudget): { readonly text: string; readonly detail: Detail } {
    const levels: Detail[] = ["full", "grouped", "summary"];
    for (const detail of levels) {
        const text = markdownAt(r, detail);
        if (text.length <= maxCharacters || detail === "summary") return { text, detail };
    }
    throw new Error("unreachable");
}
