/**
 * The review surface of a plan, as plain text (terminal) and as Markdown (a pull-request comment):
 * a verdict first (policy, refused deletions, replacements, redeploys, cost), then each service's
 * changes in words with old → new values, then the tables (routing, memory and capacity, rollout
 * time, cost), in the Markdown only for what changed with the rest folded.
 */
import { adviceLines, adviseCapacity, CapacityAdvice } from "./advisor";
import { advisePlacement, PlacementAdvice, placementLines } from "./placement";
import { budgetLines, BudgetVerdict, checkBudget, planBudget } from "./budget";
import { ec2Capacity, Ec2CapacityReport, spotCapacityLines } from "./capacity";
import { orderedValues, plural, serviceChanges, ServiceChange, showValue, typeWords } from "./changes";
import { completeCostLines, costContext, usd } from "./costItems";
import { CostReport, estimateCost, priceBook, ServiceCost } from "./cost";
import { costLines, onInstances, roundedCost, serviceTotals } from "./costTable";
import { diffPlans, PlanDiff, replacementTriggerPath, ResourceChange } from "./diff";
import { rollingDeployment } from "../facts/fleet";
import { PolicyResult } from "../policy/rules";
import { currentFacts, PlanFacts, planFacts, ServiceFacts } from "./facts";
import { JobRow, jobRows } from "./jobs";
import { cachePrefixChanges, fileSystemDeletions, planPolicy, retirementProblems } from "./guards";
import { RolloutEstimate, rolloutEstimate } from "./rollout";
import { priorityOrigins, RouteRow, routingOrder, routingTable } from "./routes";
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
        /** The warnings the base plan's review gives (its model's, and its capacity, rollout and cost reports'). */
        readonly warnings?: readonly string[];
        /** The base plan's capacity report, capacity advice and jobs, so the comment shows them only where they changed. */
        readonly capacity?: Ec2CapacityReport;
        readonly advice?: CapacityAdvice;
        readonly placement?: PlacementAdvice;
        readonly jobs?: readonly JobRow[];
        /** The base plan's policy result (its waivers, for the comment to show them only when they changed). */
        readonly policy?: PolicyResult;
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
    /** Where each service runs and on which instances, for the cheapest month (review/placement.ts). */
    readonly placement: PlacementAdvice;
    /** The stack's budget against the estimate and the change (review/budget.ts). */
    readonly budget: BudgetVerdict;
    /** Jobs with their next runs (from `now`) and monthly task-hours. */
    readonly jobs: readonly JobRow[];
    readonly warnings: readonly string[];
}

/** The warnings of a plan's facts: its model's, then its capacity, capacity advice, rollout and cost reports'. */
function factWarnings(
    plan: PlanDocument,
    reports: {
        capacity?: Ec2CapacityReport;
        advice?: CapacityAdvice;
        placement?: PlacementAdvice;
        rollouts: readonly RolloutEstimate[];
        cost: CostReport;
    },
): string[] {
    // An under-used group is the placement advisor's to answer when it moves services; the type's
    // view ("no candidate does better") would contradict it.
    const placementAdvises = reports.placement && reports.placement.recommendation !== reports.placement.current;
    const utilisation = reports.advice?.utilisationWarning;
    return [
        ...(plan.model?.warnings ?? []),
        ...(reports.capacity?.warnings ?? []),
        ...(reports.advice?.warnings ?? []),
        ...(utilisation && !placementAdvises ? [utilisation] : []),
        ...reports.rollouts.flatMap((r) => r.warnings),
        ...reports.cost.warnings,
    ];
}

/** The warnings a pull request brings: the ones its base plan's review did not give, word for word (all of them without a base's). */
export function newWarnings(r: Review): readonly string[] {
    const before = r.against?.warnings;
    return before ? r.warnings.filter((w) => !before.includes(w)) : r.warnings;
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
    const cost = roundedCost(estimateCost(facts, capacity, priceBook, costContext(plan)));
    const advice = adviseCapacity(facts);
    const placement = advisePlacement(facts, cost, capacity);
    const https = servesHttps(plan);
    let against: Review["against"];
    if (base) {
        const baseFacts = planFacts(base);
        const baseReports = baseFacts && {
            capacity: ec2Capacity(baseFacts),
            advice: adviseCapacity(baseFacts),
            rollouts: baseFacts.services.filter((s) => !s.job).map(rolloutEstimate),
        };
        const baseCost = baseFacts && roundedCost(estimateCost(baseFacts, baseReports!.capacity, priceBook, costContext(base)));
        const basePlacement = baseFacts && advisePlacement(baseFacts, baseCost!, baseReports!.capacity);
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
                      rollouts: baseReports!.rollouts,
                      cost: baseCost,
                      warnings: factWarnings(base, { ...baseReports!, placement: basePlacement!, cost: baseCost! }),
                      placement: basePlacement!,
                      ...(baseReports!.capacity ? { capacity: baseReports!.capacity } : {}),
                      ...(baseReports!.advice ? { advice: baseReports!.advice } : {}),
                      jobs: jobRows(baseFacts.services, options.now ?? new Date()),
                      policy: planPolicy(base),
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
    const jobs = jobRows(facts.services, options.now ?? new Date());
    const nextRuns = new Map(jobs.flatMap((j) => (j.nextRuns.length ? [[j.service, j.nextRuns[0]] as const] : [])));
    const changes = against
        ? serviceChanges(against.diff, against.facts, facts, https, {
              plan,
              jobMinutesAssumed: priceBook.assumptions.jobMinutesPerRun,
              nextRuns,
          })
        : [];
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
        placement,
        budget,
        jobs,
        warnings: [
            ...factWarnings(plan, { capacity, advice, placement, rollouts, cost }),
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

const withRow = (t: Table, row: readonly (string | number)[]): Table => ({ headers: t.headers, rows: [...t.rows, row] });

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

/** The rows of the services whose rows differ from the base plan's (new services included), columns `ignored` aside. */
function changedRows(head: Table, base: Table | undefined, column: number, ignored: readonly number[] = []): Table {
    if (!base) return { headers: head.headers, rows: [] };
    const rowsOf = (t: Table, service: string) =>
        JSON.stringify(t.rows.filter((row) => String(row[column]) === service).map((row) => row.filter((_, i) => !ignored.includes(i))));
    const services = new Set(
        head.rows.map((row) => String(row[column])).filter((service) => rowsOf(head, service) !== rowsOf(base, service)),
    );
    return { headers: head.headers, rows: head.rows.filter((row) => services.has(String(row[column]))) };
}

function routesTable(routes: readonly RouteRow[]): Table {
    return {
        headers: ["priority", "from", "host", "path", "service", "target group", "note"],
        rows: routes.map((row) => [
            row.priority,
            row.origin ?? "-",
            row.hosts.join(", ") || "*",
            row.paths.join(", ") || "*",
            row.service,
            row.targetGroup,
            row.notes.join("; "),
        ]),
    };
}

function accessTable(plan: PlanDocument): Table {
    return {
        headers: ["service", "AWS service", "resource", "level", "SSE-KMS key"],
        rows: (plan.model?.access ?? []).map((g) => [g.service, g.kind, g.resource, g.level, g.kmsKey ?? "-"]),
    };
}

function connectionsTable(plan: PlanDocument): Table {
    return {
        headers: ["caller", "calls", "port", "as"],
        rows: (plan.model?.connections ?? []).map((c) => [
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
            return [s.name, s.capacity, s.reservation, s.limit, s.cpu, size ? `${size.cpu ?? "-"}/${size.memory}` : "-", tasksOf(s)];
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

/**
 * Per service: its compute (Fargate tasks, or its share of the EC2 instances) and log ingestion; the
 * total row is their sum. `grouped`: services of equal cost as one row holding the group's sums (so
 * the rows still add up to the total), its detail saying each one's.
 */
function serviceCostTable(c: CostReport, grouped = false): Table {
    const groups = new Map<string, ServiceCost[]>();
    for (const s of c.services) {
        const key = grouped ? JSON.stringify([s.monthly, s.compute, s.logs, s.detail]) : s.service;
        groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    const sum = (services: readonly ServiceCost[], amount: (s: ServiceCost) => number) =>
        usd(services.reduce((cents, s) => cents + Math.round(amount(s) * 100), 0) / 100);
    return {
        headers: ["service", "monthly", "compute", "logs", "detail"],
        rows: [...groups.values()].map((g) => [
            g.map((s) => s.service).join(", "),
            sum(g, (s) => s.monthly),
            sum(g, (s) => s.compute),
            sum(g, (s) => s.logs),
            g.length > 1 ? `${g.length} × ${usd(g[0].monthly)}: ${g[0].detail}` : g[0].detail,
        ]),
    };
}

/** The per-service table's total row, naming the lines of the stack's bill it adds up to. */
function serviceTotalRow(c: CostReport): (string | number)[] {
    const t = serviceTotals(c);
    const parts = costLines(c)
        .filter(
            (l) =>
                l.item === "Fargate tasks" ||
                l.item === "log ingestion" ||
                ((l.item === "EC2 instances" || l.item === "EC2 Spot instances") && c.services.some(onInstances)),
        )
        .map((l) => l.item);
    return ["total", usd(t.monthly), usd(t.compute), usd(t.logs), parts.join(" + ")];
}

function jobsTable(jobs: readonly JobRow[]): Table {
    return {
        headers: ["job", "schedule", "time zone", "next runs (UTC)", "runs/month", "minutes/run", "task-hours/month"],
        rows: jobs.map((j) => [
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

/** The stack's bill: each part once (the EC2 instances too: the services' shares are in the per-service table), adding up to the total. */
function sharedCostTable(c: CostReport): Table {
    return {
        headers: ["item", "monthly", "detail"],
        rows: [
            ...costLines(c).map((l) => [l.item, usd(l.monthly), l.detail]),
            ["total", usd(c.total), `prices ${c.priceRegion} ${c.priceDate}`],
        ],
    };
}

/** What the plan saves against `other` a month, or what it costs more: never a negative saving. */
export function savesOrCosts(other: number, planned: number): string {
    const difference = Math.round((other - planned) * 100) / 100;
    if (difference === 0) return "fleet costs the same";
    return difference > 0 ? `fleet saves ${usd(difference)} a month` : `fleet costs ${usd(-difference)} more a month`;
}

function baselineTable(c: CostReport): Table {
    return {
        headers: ["one ALB per service, all Fargate", "monthly", "detail"],
        rows: [
            ...c.baseline.lines.map((l) => [l.item, usd(l.monthly), l.detail]),
            ["total", usd(c.baseline.total), savesOrCosts(c.baseline.total, c.total)],
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
        ...(c.spot ? spotCapacityLines(c.spot) : []),
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

/** One changed resource with its changed inputs, then its warnings: a Markdown item (indented by `indent`) or a text line. */
function resourceChangeLines(change: ResourceChange, markdown: boolean, indent = ""): string[] {
    const sign = changeSigns[change.kind];
    const detail =
        (change.paths.length ? ` (${changedInputs(change)})` : "") + (change.kind === "replace" ? replacementDetail(change, markdown) : "");
    return [
        markdown
            ? `${indent}- \`${sign}\` ${change.type} \`${change.name}\`${detail}`
            : `    ${sign} ${change.type} ${change.name}${detail}`,
        ...(change.warnings ?? []).map((warning) => (markdown ? `${indent}  - :warning: ${warning}` : `       ! ${warning}`)),
    ];
}

/** The diff against a base plan: a count line, then each group's changes with their warnings. */
export function diffLines(d: PlanDiff, markdown: boolean): string[] {
    const lines: string[] = [diffCounts(d)];
    for (const group of d.groups) {
        lines.push(markdown ? `\n**${group.group}**\n` : `\n  ${group.group}:`);
        for (const change of group.changes) lines.push(...resourceChangeLines(change, markdown));
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

/**
 * First in the verdict when the plan costs more than the same fleet on Fargate behind one shared
 * ALB: by how much, and what the placement advisor proposes.
 */
function overFargateRow(r: Review): [string, string][] {
    const fargate = r.cost.sharedAlbFargate.total;
    const over = r.cost.total - fargate;
    if (over < 0.005) return [];
    return [
        [
            "cost over Fargate",
            `${usd(over)} a month more than the same fleet on Fargate on-demand behind one shared ALB ` +
                `(${usd(r.cost.total)} against ${usd(fargate)}); the advisor: ${r.placement.summary}`,
        ],
    ];
}

/**
 * Every replaced resource, so the count agrees with the changes' `to replace`: the ones a reviewer
 * weighs (with what they risk), then the task definitions, whose new revisions are the redeploys.
 */
function replacementWords(r: Review): string {
    const notable = r.verdict.replacements.map(
        (x) => `${typeWords(x.type)} ${x.name} (${x.service})${x.warnings.length ? `: ${x.warnings.join("; ")}` : ""}`,
    );
    const count = (r.against?.diff.groups ?? [])
        .flatMap((g) => g.changes)
        .filter((c) => c.kind === "replace" && c.type === "aws:ecs/taskDefinition:TaskDefinition").length;
    const redeploys = count ? [`${plural(count, "task definition")} (a new revision for each service that redeploys)`] : [];
    return [...notable, ...redeploys].join("; ") || "none";
}

/**
 * The verdict's cost: this plan's monthly estimate, against the base's with --against. The one
 * place the verdict words the cost: a comparison with other ways to run the fleet belongs here.
 */
function costVerdict(r: Review): string {
    const c = r.verdict.cost;
    if (c.before === undefined) return `${usd(c.after)} a month`;
    if (c.before === c.after) return `${usd(c.after)} a month, unchanged`;
    return `${usd(c.before)} → ${usd(c.after)} a month (${signedUsd(c.after - c.before)})`;
}

/**
 * The verdict block's rows: what a reviewer weighs first. `brief` (the pull-request comment against
 * a base) leaves out what is none and what the changes above it say (redeploys, new services).
 */
function verdictRows(r: Review, brief = false): [string, string][] {
    const v = r.verdict;
    const p = v.policy;
    const policy = `${p.blocking ? "failed" : "passed"} (${p.enforcement}): ${plural(p.violations, "violation")}, ${p.waived} waived`;
    const replacements = replacementWords(r);
    const cost = costVerdict(r);
    const rows: [string, string][] = [...overFargateRow(r), ["policy", policy]];
    if (!brief || v.deletionsRefused.length)
        rows.push(["deletions refused", v.deletionsRefused.length ? String(v.deletionsRefused.length) : "none"]);
    if (r.against) {
        if (!brief) rows.push(["changes", `${diffCounts(r.against.diff)} against ${r.against.plan.project}/${r.against.plan.stack}`]);
        if (!brief || r.against.diff.replaced) rows.push(["replacements", replacements]);
        if (!brief) rows.push(["redeploys", v.redeploys.length ? v.redeploys.join(", ") : "none"]);
        if (!r.against.facts)
            rows.push(["base plan", "written by another version of fleet: its resources are compared, not its cost, routes or sizes"]);
        if (!brief && v.added.length) rows.push(["new services", v.added.join(", ")]);
        if (!brief && v.removed.length) rows.push(["removed services", v.removed.join(", ")]);
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
    if (brief && b.status === "none") return rows;
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
        priorityOrigins,
        textTable(routesTable(r.routes)),
        "",
    );
    if (accessTable(r.plan).rows.length) out.push("Access (task-role grants, exact ARNs):", textTable(accessTable(r.plan)), "");
    if (connectionsTable(r.plan).rows.length) out.push("Connections (ECS Service Connect):", textTable(connectionsTable(r.plan)), "");
    if (r.plan.model?.dns) out.push(...dnsLines(r, false), "");
    if (disabledLine(r).length) out.push(...disabledLine(r), "");
    const ports = portsTable(r.plan, r.facts);
    if (ports.rows.length)
        out.push("Ports and volumes (what each server speaks on its port; what each task mounts):", textTable(ports), "");
    out.push("Memory (MiB: soft reservation < hard limit), CPU units and capacity per service:", textTable(memoryTable(r.facts)), "");
    if (r.capacity) out.push(...capacityLines(r.capacity), "");
    out.push(...placementLines(r.placement, false));
    if (r.advice) out.push(...adviceLines(r.advice, false), "");
    if (r.jobs.length) out.push("Jobs (EventBridge Scheduler runs one task per run):", textTable(jobsTable(r.jobs)), "");
    out.push(
        "Rollout, one rolling step (grace + health-check interval × healthy threshold + deregistration delay):",
        textTable(grouped(rolloutTable(r.rollouts))),
        "",
    );
    out.push(
        `Monthly cost estimate (${r.cost.region}):`,
        textTable(sharedCostTable(r.cost)),
        "",
        textTable(withRow(serviceCostTable(r.cost), serviceTotalRow(r.cost))),
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

/** A service's changes as a Markdown item: a new service's words each on a line under its name, a changed one's on one line. */
function markdownChanges(r: Review): string[] {
    const costs = new Map(r.cost.services.map((s) => [s.service, s]));
    // An EC2 service's cost is its share of instances the others share too: not what it adds to the bill.
    const costWords = (service: string) => {
        const c = costs.get(service);
        if (!c) return "";
        return onInstances(c) ? `, ${usd(c.monthly)} a month as its share of the EC2 instances and logs` : `, ${usd(c.monthly)} a month`;
    };
    const byText = new Map<string, { names: string[]; change: ServiceChange }>();
    for (const change of r.changes) {
        const key = JSON.stringify([change.status, change.redeploys, change.lines, change.status === "added" ? change.service : ""]);
        const group = byText.get(key);
        if (group) group.names.push(change.service);
        else byText.set(key, { names: [change.service], change });
    }
    return [...byText.values()].flatMap(({ names, change }) => {
        const who = `**${names.join(", ")}**`;
        if (change.status === "added") {
            const cost = costWords(change.service);
            const [first, ...rest] = change.lines;
            return [`- ${who} (new${cost})${first ? `: ${first}` : ""}`, ...rest.map((line) => `  - ${line}`)];
        }
        if (change.status === "removed") return [`- ${who} (removed)${change.lines.length ? `: ${change.lines.join("; ")}` : ""}`];
        return [`- ${who}${change.redeploys ? " (redeploys)" : ""}: ${change.lines.join("; ") || "updated"}`];
    });
}

/** A resource type in a count of a new service's resources: its type in words, told apart where two read the same. */
const resourceWords = (type: string) =>
    type.startsWith("fleet:")
        ? "component"
        : type.startsWith("aws:appautoscaling/")
          ? `scaling ${typeWords(type)}`
          : type === "aws:ecs/service:Service"
            ? "ECS service"
            : typeWords(type);

/** The resource changes: a new service's resources counted by type, every other change with its values (or, past `full`, all counted). */
function markdownResources(r: Review, detail: Detail): string[] {
    const diff = r.against!.diff;
    if (detail !== "full") return resourceCountLines(diff);
    const added = new Set(r.changes.filter((c) => c.status === "added").map((c) => c.service));
    return diff.groups.flatMap((group) => {
        if (added.has(group.group) && group.changes.every((c) => c.kind === "add")) {
            const counts = new Map<string, number>();
            for (const c of group.changes) counts.set(resourceWords(c.type), (counts.get(resourceWords(c.type)) ?? 0) + 1);
            const types = [...counts].map(([type, n]) => (n > 1 ? `${n} ${type.replace(/y$/, "ie")}s` : type)).join(", ");
            return [`- **${group.group}** \`+\` ${group.changes.length}: ${types}`];
        }
        return [`- **${group.group}**`, ...group.changes.flatMap((change) => resourceChangeLines(change, true, "  "))];
    });
}

/** What a reviewer reads of a stack's plan against its base, in 30 seconds: what changes, the verdict, then the rest folded. */
function markdownAgainst(r: Review, detail: Detail): string {
    const base = r.against!;
    const baseFacts = base.facts!;
    const fold = (t: Table) => (detail === "full" ? t : grouped(t));
    const out: string[] = [`### fleet plan: \`${r.plan.stack}\` ${r.verdict.passes ? "passes" : ":x: " + headline(r)}`, ""];

    // The changes first, in the catalog's words; then the verdict.
    out.push(`#### Changes against \`${base.plan.stack}\`: ${diffCounts(base.diff)}`, "");
    out.push(...(r.changes.length ? markdownChanges(r) : ["No service changes."]), "");
    out.push("| | |", "|---|---|", ...verdictRows(r, true).map(([label, value]) => `| ${label} | ${value.replace(/\|/g, "\\|")} |`), "");
    if (r.budget.status !== "none") out.push(...budgetLines(r.budget, true), "");
    if (base.retirement.length) out.push("#### Deletions refused", "", ...base.retirement.map((p) => `- :x: ${p}`), "");
    const open = r.policy.violations.filter((v) => !v.waived);
    if (open.length) out.push("#### Policy", "", ...open.map((v) => `- :x: **${violationLevel(r.policy)}** ${v.message}`), "");
    const fresh = newWarnings(r);
    const unchanged = r.warnings.length - fresh.length;
    if (fresh.length) {
        out.push(`#### Warnings${unchanged ? ` (new or changed; ${unchanged} unchanged since \`${base.plan.stack}\` not shown)` : ""}`, "");
        out.push(...fresh.map((w) => `- :warning: ${w}`), "");
    }

    // Everything else, folded, and only where it changed; a new service's rows only where its words above do not say them.
    const added = new Set(r.changes.filter((c) => c.status === "added").map((c) => c.service));
    const parts: { readonly title: string; readonly lines: readonly string[] }[] = [];
    const table = (
        title: string,
        head: Table,
        before: Table,
        column: number,
        shape = fold,
        keep = (_row: Table["rows"][number]) => false,
        ignored: readonly number[] = [],
    ) => {
        const changed = changedRows(head, before, column, ignored);
        const touched = { headers: changed.headers, rows: changed.rows.filter((row) => !added.has(String(row[column])) || keep(row)) };
        if (!touched.rows.length) return;
        const lines = detail === "summary" ? [`${plural(touched.rows.length, "row")} changed.`] : [markdownTable(shape(touched))];
        parts.push({ title, lines });
    };
    parts.push({ title: "Resources", lines: markdownResources(r, detail) });
    // A new service's rules are its routes above; they show here when an earlier rule takes part of their traffic.
    // Rows compared by service; a rule kept at the priority its base placed is no change.
    const routeColumns = routesTable([]).headers;
    table(
        "Routes",
        routesTable(r.routes),
        routesTable(base.routes ?? []),
        routeColumns.indexOf("service"),
        fold,
        (row) => row[routeColumns.indexOf("note")] !== "",
        [routeColumns.indexOf("from")],
    );
    table("Access", accessTable(r.plan), accessTable(base.plan), 0);
    table("Service Connect calls", connectionsTable(r.plan), connectionsTable(base.plan), 0);
    table("Ports and volumes", portsTable(r.plan, r.facts), portsTable(base.plan, baseFacts), 0);
    if (JSON.stringify(dnsLines(r, true)) !== JSON.stringify(dnsLines({ ...r, plan: base.plan }, true)))
        parts.push({ title: "DNS and certificate", lines: dnsLines(r, true) });
    if (JSON.stringify(disabledLine(r)) !== JSON.stringify(disabledLine({ ...r, plan: base.plan })))
        parts.push({ title: "Turned off", lines: disabledLine(r) });
    table("Memory and capacity", memoryTable(r.facts), memoryTable(baseFacts), 0);
    // The capacity and its advice when what they decide changed (the instances; the type advised), not each percentage.
    const planned = (c?: Ec2CapacityReport) => (c ? `${c.instances} × ${c.instanceType}` : "");
    if (planned(r.capacity) !== planned(base.capacity))
        parts.push({ title: "EC2 capacity", lines: r.capacity ? capacityLines(r.capacity) : [] });
    if (placementKey(r.placement) !== placementKey(base.placement))
        parts.push({ title: "Placement advisor", lines: placementLines(r.placement, true).filter(Boolean).slice(1) });
    if (r.advice && adviceKey(r.advice) !== adviceKey(base.advice))
        parts.push({ title: "Capacity advisor", lines: adviceLines(r.advice, true) });
    table("Jobs", jobsTable(r.jobs), jobsTable(base.jobs ?? []), 0);
    table("Rollout time (one rolling step)", rolloutTable(r.rollouts), rolloutTable(base.rollouts ?? []), 0, grouped);
    parts.push(...costChange(r.cost, base.cost!, detail));
    const waivers = (p?: PolicyResult) => JSON.stringify(p?.waivers.map((w) => [w.control, w.scope, w.reason]) ?? []);
    if (waivers(r.policy) !== waivers(base.policy) && r.policy.waivers.length)
        parts.push({
            title: "Waivers",
            lines: r.policy.waivers.map((w) => `- ${w.control} for ${w.scope}: ${w.reason} (${waiverHits(r.policy, w)} waived)`),
        });
    const assumptions = changedAssumptions(base.plan);
    if (assumptions.length) parts.push({ title: "Assumptions", lines: [`<sub>${assumptions.join(" ")}</sub>`] });
    // A plan that changes nothing has nothing to fold.
    const said = parts.filter((part) => part.lines.length);
    const body = said.flatMap((part) => [`**${part.title}**`, "", ...part.lines, ""]);
    if (said.length)
        out.push(
            ...folded(`What changed in detail: ${said.map((part) => part.title.toLowerCase()).join(", ")}`, body.join("\n").trimEnd()),
        );
    return out.join("\n");
}

/** What the capacity advice decides: the current and the recommended type and count. */
function adviceKey(advice: CapacityAdvice | undefined): string {
    const choice = (c: CapacityAdvice["current"] | undefined) => (c ? `${c.count} × ${c.instanceType}` : "none");
    return advice ? `${choice(advice.current)} → ${choice(advice.recommendation)}` : "";
}

/** What the placement advice asks of the stack: its settings and moves (a new service the advice leaves where it is changes neither). */
function placementKey(advice: PlacementAdvice | undefined): string {
    return advice ? JSON.stringify([advice.settings, advice.moves.map((m) => [m.service, m.to])]) : "";
}

/**
 * The assumptions this estimate rests on that the base plan's did not (its review section says
 * which). None for a base that does not say (an older fleet's): its cost lines show what changed.
 */
function changedAssumptions(base: PlanDocument): readonly string[] {
    const said = (base as { review?: { cost?: { assumptions?: unknown } } }).review?.cost?.assumptions;
    return Array.isArray(said) ? priceBook.assumptions.notes.filter((note) => !said.includes(note)) : [];
}

/**
 * The cost against the base, when it changed: the bill of both plans side by side (each column adds
 * up to its total), and the other items whose estimate changed.
 */
function costChange(head: CostReport, base: CostReport, detail: Detail): { title: string; lines: string[] }[] {
    const [after, before] = [costLines(head), costLines(base)];
    const items = [...new Set([...after, ...before].map((l) => l.item))];
    const amount = (lines: typeof after, item: string) => lines.find((l) => l.item === item)?.monthly;
    const rows = items.map((item) => {
        const [b, a] = [amount(before, item), amount(after, item)];
        const change = (a ?? 0) - (b ?? 0);
        return [item, b === undefined ? "-" : usd(b), a === undefined ? "-" : usd(a), Math.abs(change) < 0.005 ? "" : signedUsd(change)];
    });
    if (rows.every((row) => row[3] === "") && head.total === base.total) return [];
    const bill = markdownTable({
        headers: ["monthly", "base", "this plan", "change"],
        rows: [...rows, ["total", usd(base.total), usd(head.total), signedUsd(head.total - base.total)]],
    });
    const changedItems = head.items.filter((i) => {
        const was = base.items.find((b) => b.item === i.item);
        return !was || was.monthly !== i.monthly || was.detail !== i.detail;
    });
    const lines = [
        detail === "summary" ? `${usd(base.total)} → ${usd(head.total)} a month.` : bill,
        ...(changedItems.length && detail !== "summary"
            ? ["", ...changedItems.map((i) => `- ${i.item}: ${i.monthly === null ? "" : `${usd(i.monthly)}; `}${i.detail}`)]
            : []),
    ];
    return [{ title: "Monthly cost", lines }];
}

function markdownAt(r: Review, detail: Detail): string {
    if (r.against?.facts) return markdownAgainst(r, detail);
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
        ignored: readonly number[] = [],
    ) => {
        const shape = group ? grouped : fold;
        out.push(`#### ${title}`, "", ...lines);
        const touched = changedRows(tables[0], tables[1], column, ignored);
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
    // Rows compared by service; a rule kept at the priority its base placed is no change.
    section(
        "Routes",
        [routesTable(r.routes), base?.routes && routesTable(base.routes)],
        routesTable([]).headers.indexOf("service"),
        routeSummary,
        [
            routingOrder,
            "",
            priorityOrigins,
            "",
            ...overlaps.map((row) => `- :warning: ${row.service} (priority ${row.priority}): ${row.notes.join("; ")}`),
            ...(overlaps.length ? [""] : []),
        ],
        false,
        [routesTable([]).headers.indexOf("from")],
    );
    if (accessTable(r.plan).rows.length) out.push("#### Access (task-role grants)", "", markdownTable(accessTable(r.plan)), "");
    if (connectionsTable(r.plan).rows.length) {
        out.push("#### Service-to-service calls (Service Connect)", "", "Who calls whom:", "", ...callLines(r), "");
        out.push(markdownTable(connectionsTable(r.plan)), "");
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
        [
            ...(r.capacity ? [...capacityLines(r.capacity), ""] : []),
            ...placementLines(r.placement, true),
            ...(r.advice ? [...adviceLines(r.advice, true), ""] : []),
        ],
    );
    if (r.jobs.length) out.push("#### Jobs (EventBridge Scheduler)", "", markdownTable(jobsTable(r.jobs)), "");
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
    // Grouped beyond the full detail, as a cost table groups: each group's sums, adding up to the total.
    const costs = serviceCostTable(r.cost, detail !== "full");
    if (detail !== "summary") out.push(...folded("Cost per service", markdownTable(withRow(costs, serviceTotalRow(r.cost)))));
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
