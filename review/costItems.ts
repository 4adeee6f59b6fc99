/**
 * The items of a stack's bill beyond compute, load balancing, NAT, public addresses and log
 * ingestion (cost.ts): each estimated from data/prices.json and its assumptions, or stated as not
 * estimated with the reason, so the estimate never leaves something out silently. Pure: the
 * context is read from the plan's resources once (costContext), the arithmetic here.
 */
import { parseJsonOrString } from "../facts/json";
import { PlanDocument } from "../plan/runProgram";
import type { CostReport, PriceBook, RegionPrices } from "./cost";
import { PlanFacts } from "./facts";
import { plural } from "./changes";

/** What the plan says that the extra items are priced on; read from its registered inputs. */
export interface CostContext {
    /** Container Insights setting of the ECS cluster. */
    readonly containerInsights: "enabled" | "enhanced" | "disabled";
    /** Customer managed KMS keys the stack creates. */
    readonly kmsKeys: number;
    /** Retention of the services' log groups (days); undefined when they never expire. */
    readonly logRetentionDays?: number;
    /** Repositories the stack builds into, and the images the lifecycle policy keeps in each. */
    readonly builtRepositories: readonly { readonly keepImages: number }[];
    /** Distinct images the tasks pull through the pull-through cache. */
    readonly cachedImages: number;
    readonly ssmParameters: { readonly standard: number; readonly advanced: number };
    /** Secrets Manager secrets the stack uses (pull-through credentials: created outside the stack). */
    readonly secretsManagerSecrets: number;
    /** Whether a listener serves an ACM certificate. */
    readonly certificate: boolean;
    /** Root volume of each EC2 instance (GiB); undefined without EC2 capacity. */
    readonly rootVolumeGiB?: number;
    /** EFS file systems the stack keeps (services' `volumes`, `fleet:retired`); absent is none. */
    readonly efsFileSystems?: number;
    /** Route 53 records the stack creates (`fleet:dns`: aliases and certificate validation); absent is none. */
    readonly route53Records?: number;
}

export interface CostItem {
    readonly item: string;
    /** USD a month; null when not estimated. */
    readonly monthly: number | null;
    /** How it was estimated, or why it is not. */
    readonly detail: string;
    /** Whether the same amount belongs to the comparisons (one ALB per service, all Fargate): false for what only EC2 capacity costs. */
    readonly inComparisons: boolean;
}

const num = (value: unknown): number | undefined =>
    typeof value === "number"
        ? value
        : typeof value === "string" && value.trim() !== "" && !isNaN(Number(value))
          ? Number(value)
          : undefined;

/** Reads the context of the extra items from a plan's resources. */
export function costContext(plan: PlanDocument): CostContext {
    const ofType = (type: string) => plan.resources.filter((r) => r.type === type);
    const cluster = ofType("aws:ecs/cluster:Cluster")[0];
    const settings = (cluster?.inputs.settings ?? []) as { name?: string; value?: string }[];
    const insights = settings.find((s) => s.name === "containerInsights")?.value;
    const retention = ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => num(g.inputs.retentionInDays));
    const keepOf = (policy: unknown): number => {
        const document = parseJsonOrString(String(policy ?? "")) as {
            rules?: { selection?: { countType?: string; countNumber?: number } }[];
        };
        const keep = document?.rules?.find((r) => r.selection?.countType === "imageCountMoreThan")?.selection?.countNumber;
        return keep ?? 0;
    };
    const cachePrefixes = ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule").map((r) => String(r.inputs.ecrRepositoryPrefix));
    const cached = new Set<string>();
    for (const task of ofType("aws:ecs/taskDefinition:TaskDefinition")) {
        const containers = parseJsonOrString(String(task.inputs.containerDefinitions ?? "[]"));
        for (const container of Array.isArray(containers) ? (containers as { image?: string }[]) : []) {
            // <account>.dkr.ecr.<region>.amazonaws.com/<cache prefix>/<upstream repository>:<tag>
            const path = /^[^/]+\.dkr\.ecr\.[^/]+\/(.+?)(?:[:@][^/]*)?$/.exec(container.image ?? "")?.[1];
            if (path && cachePrefixes.some((prefix) => path.startsWith(`${prefix}/`))) cached.add(path);
        }
    }
    const parameters = ofType("aws:ssm/parameter:Parameter");
    const advanced = parameters.filter((p) => p.inputs.tier === "Advanced").length;
    const template = ofType("aws:ec2/launchTemplate:LaunchTemplate")[0];
    const volumes = (template?.inputs.blockDeviceMappings ?? []) as { ebs?: { volumeSize?: unknown } }[];
    return {
        containerInsights: insights === "enabled" || insights === "enhanced" ? insights : "disabled",
        kmsKeys: ofType("aws:kms/key:Key").length,
        logRetentionDays:
            retention.every((days) => days !== undefined) && retention.length > 0 ? Math.max(...(retention as number[])) : undefined,
        builtRepositories: ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy").map((p) => ({ keepImages: keepOf(p.inputs.policy) })),
        cachedImages: cached.size,
        ssmParameters: { standard: parameters.length - advanced, advanced },
        secretsManagerSecrets: new Set(
            ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
                .map((r) => r.inputs.credentialArn)
                .filter((arn) => typeof arn === "string"),
        ).size,
        certificate: ofType("aws:lb/listener:Listener").some((l) => typeof l.inputs.certificateArn === "string"),
        rootVolumeGiB: template ? (num(volumes[0]?.ebs?.volumeSize) ?? 0) : undefined,
        ...(ofType("aws:efs/fileSystem:FileSystem").length > 0 ? { efsFileSystems: ofType("aws:efs/fileSystem:FileSystem").length } : {}),
        route53Records: ofType("aws:route53/record:Record").length || undefined,
    };
}

/** A monthly figure as the reports print it: dollars and cents. */
/** Dollars and cents; a negative amount as `−$5.00`, never `$-5.00` (a report words a loss as a cost, not a negative saving). */
export const usd = (amount: number) => {
    const cents = Math.round(amount * 100);
    return `${cents < 0 ? "−" : ""}$${(Math.abs(cents) / 100).toFixed(2)}`;
};
/** Days in an average month, for retention in months. */
const daysPerMonth = 365 / 12;

/** The extra items of a stack's monthly bill. `ec2Instances` is the capacity report's count (root volumes). */
export function costItems(facts: PlanFacts, context: CostContext, ec2Instances: number, book: PriceBook, prices: RegionPrices): CostItem[] {
    const other = prices.other;
    const a = book.assumptions;
    const notPriced = (item: string): CostItem => ({
        item,
        monthly: null,
        detail: `not estimated: no price in data/prices.json for ${facts.platform.region}`,
        inComparisons: true,
    });
    const items: CostItem[] = [];
    const tasks = facts.services.reduce((sum, s) => sum + s.desired, 0);

    // Container Insights
    if (context.containerInsights === "disabled") {
        items.push({ item: "Container Insights", monthly: 0, detail: "disabled on the cluster", inComparisons: true });
    } else if (context.containerInsights === "enhanced") {
        items.push({
            item: "Container Insights",
            monthly: null,
            detail:
                "not estimated: enhanced observability is priced per observation in tiers, " +
                "which depends on the tasks and containers running over the month " +
                "(CloudWatch pricing); set containerInsights: enabled for the metric-priced tier",
            inComparisons: true,
        });
    } else if (!other || !a.containerInsightsMetrics) {
        items.push(notPriced("Container Insights"));
    } else {
        const metrics = a.containerInsightsMetrics.perCluster + a.containerInsightsMetrics.perService * facts.services.length;
        items.push({
            item: "Container Insights",
            monthly: metrics * other.customMetricMonth,
            detail:
                `about ${metrics} custom metrics (${a.containerInsightsMetrics.perCluster} for the cluster, ` +
                `${a.containerInsightsMetrics.perService} per service) × ${usd(other.customMetricMonth)}`,
            inComparisons: true,
        });
    }

    // KMS
    if (!other) items.push(notPriced("KMS keys"));
    else
        items.push({
            item: "KMS keys",
            monthly: context.kmsKeys * other.kmsKeyMonth,
            detail: `${context.kmsKeys} customer managed key(s) × ${usd(other.kmsKeyMonth)}; requests within the free 20,000 a month`,
            inComparisons: true,
        });

    // CloudWatch Logs storage
    if (!other) items.push(notPriced("log storage"));
    else {
        // At steady state a log group holds the last `retention` days of what it ingests; a group that
        // never expires keeps growing: a year's worth is shown.
        const months = context.logRetentionDays === undefined ? 12 : Math.min(12, context.logRetentionDays / daysPerMonth);
        const gb = tasks * (a.logGbPerTaskMonth ?? 0) * months;
        items.push({
            item: "log storage",
            monthly: gb * other.logStorageGbMonth,
            detail:
                `${gb.toFixed(1)} GB stored (${tasks} task(s) × ${a.logGbPerTaskMonth} GB a month × ${months.toFixed(1)} month(s) of ` +
                (context.logRetentionDays === undefined
                    ? "never-expiring logs, a year shown"
                    : `${context.logRetentionDays}-day retention`) +
                `) × ${usd(other.logStorageGbMonth)}`,
            inComparisons: true,
        });
    }

    // ECR storage
    if (!other || a.imageGbPerPush === undefined) items.push(notPriced("ECR storage"));
    else {
        const kept = context.builtRepositories.reduce((sum, r) => sum + r.keepImages, 0);
        const cached = context.cachedImages * (a.cachedImagesPerRepository ?? 1);
        const gb = (kept + cached) * a.imageGbPerPush;
        items.push({
            item: "ECR storage",
            monthly: gb * other.ecrStorageGbMonth,
            detail:
                `${context.builtRepositories.length} built ${context.builtRepositories.length === 1 ? "repository" : "repositories"} ` +
                `keeping ${kept} image(s), ` +
                `${context.cachedImages} cached image(s); ${a.imageGbPerPush} GB each × ${usd(other.ecrStorageGbMonth)}`,
            inComparisons: true,
        });
    }

    // SSM and Secrets Manager
    const { standard, advanced } = context.ssmParameters;
    if (!other) items.push(notPriced("SSM parameters"));
    else
        items.push({
            item: "SSM parameters",
            monthly: advanced * other.ssmAdvancedParameterMonth,
            detail: `${standard} standard (free)${advanced ? `, ${advanced} advanced × ${usd(other.ssmAdvancedParameterMonth)}` : ""}`,
            inComparisons: true,
        });
    if (context.secretsManagerSecrets > 0) {
        if (!other) items.push(notPriced("Secrets Manager"));
        else
            items.push({
                item: "Secrets Manager",
                monthly: context.secretsManagerSecrets * other.secretsManagerSecretMonth,
                detail:
                    `${context.secretsManagerSecrets} pull-through credential secret(s), created outside the stack, ` +
                    `× ${usd(other.secretsManagerSecretMonth)}`,
                inComparisons: true,
            });
    }

    // EC2 root volumes (EC2 capacity only)
    if (context.rootVolumeGiB !== undefined) {
        if (!other) items.push({ ...notPriced("EC2 root volumes"), inComparisons: false });
        else
            items.push({
                item: "EC2 root volumes",
                monthly: ec2Instances * context.rootVolumeGiB * other.ebsGp3GbMonth,
                detail: `${ec2Instances} × ${context.rootVolumeGiB} GiB gp3 × ${usd(other.ebsGp3GbMonth)}`,
                inComparisons: false,
            });
    }

    // EFS: billed by what the file systems hold and move, which the plan cannot know.
    if (context.efsFileSystems) {
        const [storage, read, write] = [other?.efsStandardGbMonth, other?.efsElasticReadGb, other?.efsElasticWriteGb];
        items.push({
            item: "EFS file systems",
            monthly: null,
            detail:
                `not estimated: ${context.efsFileSystems} encrypted file system(s), billed by the data they hold and move, ` +
                "which the plan cannot know" +
                (storage !== undefined && read !== undefined && write !== undefined
                    ? ` (Standard storage ${usd(storage)} per GB-month; elastic throughput ${usd(read)} per GB read ` +
                      `and ${usd(write)} per GB written, from https://aws.amazon.com/efs/pricing/)`
                    : `; no EFS price in data/prices.json for ${facts.platform.region}`),
            inComparisons: true,
        });
    }

    // Not estimated, with the reason.
    items.push({
        item: "data transfer",
        monthly: null,
        detail:
            "not estimated: it depends on the traffic the services serve " +
            `(out to the internet ${other ? usd(other.dataTransferOutGb) : "about $0.09"}/GB ` +
            "after the first 100 GB a month; between zones $0.01/GB each way); NAT processing is counted above",
        inComparisons: true,
    });
    items.push({
        item: "Route 53",
        monthly: null,
        detail: context.route53Records
            ? `not estimated: the stack creates ${plural(context.route53Records, "record")} in an existing hosted zone (fleet:dns), ` +
              `which is ${other ? usd(other.route53HostedZoneMonth) : "$0.50"} a month plus queries whoever owns it; ` +
              "queries of alias records to the ALB are free"
            : `not estimated: the stack creates no hosted zone or record (DNS for the routed hosts points at the ALB outside the stack; ` +
              `a hosted zone is ${other ? usd(other.route53HostedZoneMonth) : "$0.50"} a month plus queries)`,
        inComparisons: true,
    });
    if (context.certificate) {
        items.push({
            item: "ACM certificate",
            monthly: 0,
            detail: "public certificates used by a load balancer are free",
            inComparisons: true,
        });
    }
    return items;
}

/**
 * The items beyond compute and networking, and the savings against the common way in their two
 * parts (one ALB instead of many; EC2 packing and Spot instead of Fargate on-demand), as report lines.
 */
export function completeCostLines(c: CostReport, markdown: boolean): string[] {
    const item = markdown ? "- " : "  ";
    const albSaving = c.baseline.total - c.sharedAlbFargate.total;
    const packingSaving = c.sharedAlbFargate.total - c.total;
    // A saving, a cost, or nothing: never a negative saving.
    const saves = (x: number, verb: { readonly saves: string; readonly costs: string; readonly none: string }) => {
        const cents = Math.round(x * 100);
        return cents > 0 ? `${verb.saves} ${usd(x)}` : cents < 0 ? `${verb.costs} ${usd(-x)} more` : verb.none;
    };
    return [
        ...(c.items.length ? ["Other items (in the total where estimated):"] : []),
        ...c.items.map((i) => `${item}${i.item}: ${i.monthly === null ? "" : `${usd(i.monthly)}; `}${i.detail}`),
        `Against one ALB per service on Fargate on-demand (${usd(c.baseline.total)}): ` +
            `one shared ALB ${saves(albSaving, { saves: "saves", costs: "costs", none: "changes nothing" })} ` +
            `(${usd(c.sharedAlbFargate.total)} on Fargate on-demand); ` +
            `EC2 packing and Spot ${saves(packingSaving, { saves: "save", costs: "cost", none: "change nothing" })} ` +
            `(${usd(c.total)} as planned).`,
    ];
}
