/**
 * Monthly cost estimate of a planned stack, and of the same catalog run the common way (one ALB
 * per service, everything on Fargate on-demand), from the prices in data/prices.json. Pure.
 */
import { smallestFargateSize } from "../model/fargate";
import { cpuUnitsPerVcpu } from "../facts/aws";
import pricesFile from "../data/prices.json";
import { Ec2CapacityReport } from "./capacity";
import { CostContext, CostItem, costItems } from "./costItems";
import { PlanFacts, placedOnInstance, ServiceFacts } from "./facts";

export interface RegionPrices {
    readonly date: string;
    readonly sources: readonly string[];
    readonly albHour: number;
    readonly albLcuHour: number;
    readonly natGatewayHour: number;
    readonly natGatewayGb: number;
    readonly publicIpv4Hour: number;
    readonly fargateVcpuHour: number;
    readonly fargateGbHour: number;
    readonly logIngestGb: number;
    readonly ec2Hour: Readonly<Record<string, number>>;
    /** Prices of the items beyond compute and networking (costItems.ts); without them those items are not estimated. */
    readonly other?: OtherPrices;
}

export interface OtherPrices {
    readonly ebsGp3GbMonth: number;
    readonly logStorageGbMonth: number;
    /** A CloudWatch custom metric (Container Insights metrics are charged as such), first tier. */
    readonly customMetricMonth: number;
    readonly kmsKeyMonth: number;
    readonly ecrStorageGbMonth: number;
    readonly ssmAdvancedParameterMonth: number;
    readonly secretsManagerSecretMonth: number;
    readonly dataTransferOutGb: number;
    readonly route53HostedZoneMonth: number;
    /** EFS Standard storage (Regional, multi-AZ), per GB-month. */
    readonly efsStandardGbMonth?: number;
    /** EFS elastic throughput, per GB read and per GB written. */
    readonly efsElasticReadGb?: number;
    readonly efsElasticWriteGb?: number;
}

export interface PriceBook {
    readonly hoursPerMonth: number;
    readonly regions: Readonly<Record<string, RegionPrices>>;
    readonly fallbackRegion: string;
    readonly assumptions: {
        readonly lcuPerLoadBalancer: number;
        readonly natGbPerMonth: number;
        readonly fargateSpotDiscount: number;
        readonly logGbPerTaskMonth: number;
        /** Container Insights (enabled) metrics: per cluster and per service. */
        readonly containerInsightsMetrics?: { readonly perCluster: number; readonly perService: number };
        /** GB of new layers an image adds to its repository. */
        readonly imageGbPerPush?: number;
        /** Images a pull-through cache repository holds. */
        readonly cachedImagesPerRepository?: number;
        /** Minutes a job's run takes when the catalog does not say (jobDurationMinutes). */
        readonly jobMinutesPerRun: number;
        readonly notes: readonly string[];
    };
}

export const priceBook: PriceBook = pricesFile;

export interface CostLine {
    readonly item: string;
    readonly monthly: number;
    readonly detail: string;
}

export interface ServiceCost {
    readonly service: string;
    readonly compute: number;
    readonly logs: number;
    readonly monthly: number;
    readonly detail: string;
}

export interface CostReport {
    readonly region: string;
    /** The region whose prices were used (the fallback when the stack's region has none). */
    readonly priceRegion: string;
    readonly priceDate: string;
    readonly shared: readonly CostLine[];
    readonly services: readonly ServiceCost[];
    readonly total: number;
    /** One ALB per routed service, every task on Fargate on-demand; the items that apply to it included. */
    readonly baseline: { readonly lines: readonly CostLine[]; readonly total: number };
    /** One shared ALB, every task on Fargate on-demand: the baseline less what ALB consolidation saves. */
    readonly sharedAlbFargate: { readonly lines: readonly CostLine[]; readonly total: number };
    /** Items beyond compute and networking, estimated or stated as not (given a context); estimated ones are in `total`. */
    readonly items: readonly CostItem[];
    readonly warnings: readonly string[];
}

/** What fleet saves against the baseline, in its two parts. */
export function savings(c: CostReport): { readonly albConsolidation: number; readonly packingAndSpot: number } {
    return { albConsolidation: c.baseline.total - c.sharedAlbFargate.total, packingAndSpot: c.sharedAlbFargate.total - c.total };
}

function fargateTaskHour(prices: RegionPrices, size: { cpu: number; memory: number }): number {
    return (size.cpu / cpuUnitsPerVcpu) * prices.fargateVcpuHour + (size.memory / 1024) * prices.fargateGbHour;
}

function sizeOf(service: ServiceFacts): { cpu: number; memory: number } | undefined {
    return service.fargateSize ?? smallestFargateSize(service.cpu, service.limit);
}

/** How many tasks run on average over a month, and how that was reckoned. */
export interface TaskLoad {
    readonly tasks: number;
    readonly detail: string;
}

/**
 * A service runs its desired count, or, with scheduled scaling, the scheduled minimums weighted by
 * the hours each holds (autoscaling may run more); a job runs a task for each run's minutes
 * (declared, or the price book's assumption).
 */
export function taskLoad(service: ServiceFacts, book: PriceBook = priceBook): TaskLoad {
    const job = service.job;
    if (job) {
        const minutes = job.durationMinutes ?? book.assumptions.jobMinutesPerRun;
        const runs = job.runsPerYear / 12;
        const taskHours = (runs * minutes) / 60;
        const assumed = job.durationMinutes === undefined ? " (assumed)" : "";
        return {
            tasks: taskHours / book.hoursPerMonth,
            detail: `${round(runs)} runs × ${minutes} min${assumed} = ${round(taskHours)} task-hours`,
        };
    }
    if (service.scheduledMin) {
        return {
            tasks: service.scheduledMin.average,
            detail: `${round(service.scheduledMin.average)} tasks (scheduled minimums by hours)`,
        };
    }
    return { tasks: service.desired, detail: `${service.desired}` };
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function estimateCost(
    facts: PlanFacts,
    capacity: Ec2CapacityReport | undefined,
    book: PriceBook = priceBook,
    context?: CostContext,
): CostReport {
    const warnings: string[] = [];
    const region = facts.platform.region;
    let priceRegion = region;
    if (!book.regions[region]) {
        priceRegion = book.fallbackRegion;
        warnings.push(`no prices for ${region} in data/prices.json: using ${priceRegion}'s`);
    }
    const prices = book.regions[priceRegion];
    const hours = book.hoursPerMonth;
    const a = book.assumptions;
    const platform = facts.platform;
    const nat = platform.natGateways ?? 0;
    if (platform.natGateways === undefined) warnings.push("existing VPC: its NAT gateways are not counted");

    const albMonthly = (count: number) => count * (prices.albHour + a.lcuPerLoadBalancer * prices.albLcuHour) * hours;
    const natMonthly = nat * prices.natGatewayHour * hours + (nat > 0 ? a.natGbPerMonth * prices.natGatewayGb : 0);
    const ipv4Monthly = (albs: number) => (albs * platform.availabilityZones + nat) * prices.publicIpv4Hour * hours;
    const load = new Map(facts.services.map((service) => [service.name, taskLoad(service, book)]));
    const tasksOf = (service: ServiceFacts) => load.get(service.name)!.tasks;
    const logMonthly = (service: ServiceFacts) => tasksOf(service) * a.logGbPerTaskMonth * prices.logIngestGb;

    let ec2Monthly = 0;
    if (capacity) {
        const hourly = prices.ec2Hour[capacity.instanceType];
        if (hourly === undefined) warnings.push(`no price for ${capacity.instanceType} in data/prices.json: EC2 instances not counted`);
        else ec2Monthly = capacity.instances * hourly * hours;
    }
    const reservedOnEc2 = facts.services
        .filter((s) => s.capacity === "ec2")
        .reduce((sum, s) => sum + tasksOf(s) * placedOnInstance(s).memory, 0);

    const services: ServiceCost[] = facts.services.map((service) => {
        let compute = 0;
        let detail: string;
        if (service.capacity === "ec2") {
            const share = reservedOnEc2 > 0 ? (tasksOf(service) * placedOnInstance(service).memory) / reservedOnEc2 : 0;
            compute = ec2Monthly * share;
            const running = service.job ? ` while it runs: ${load.get(service.name)!.detail}` : "";
            detail = `${(share * 100).toFixed(0)}% of the EC2 instances (by memory reserved${running})`;
        } else {
            const size = sizeOf(service)!;
            const discount = service.capacity === "fargate-spot" ? 1 - a.fargateSpotDiscount : 1;
            compute = tasksOf(service) * fargateTaskHour(prices, size) * hours * discount;
            const spot = service.capacity === "fargate-spot" ? ` Spot (−${a.fargateSpotDiscount * 100}%)` : "";
            detail = `${load.get(service.name)!.detail} × Fargate ${size.cpu}/${size.memory}${spot}`;
        }
        const logs = logMonthly(service);
        return { service: service.name, compute, logs, monthly: compute + logs, detail };
    });

    const shared: CostLine[] = [
        {
            item: "load balancer",
            monthly: albMonthly(platform.loadBalancers),
            detail: `${platform.loadBalancers} ALB, ${a.lcuPerLoadBalancer} LCU assumed`,
        },
        { item: "NAT gateways", monthly: natMonthly, detail: `${nat} × ${hours} h + ${nat > 0 ? a.natGbPerMonth : 0} GB` },
        {
            item: "public IPv4",
            monthly: ipv4Monthly(platform.loadBalancers),
            detail: `${platform.loadBalancers * platform.availabilityZones + nat} addresses (ALB per zone, NAT)`,
        },
    ];
    if (capacity)
        shared.push({
            item: "EC2 instances",
            monthly: ec2Monthly,
            detail: `${capacity.instances} × ${capacity.instanceType} (shared out to EC2 services above)`,
        });
    // EC2 instances are counted once, in the shared lines; services carry their share for reading only.
    const ec2Services = new Set(facts.services.filter((s) => s.capacity === "ec2").map((s) => s.name));
    const total =
        shared.reduce((sum, l) => sum + l.monthly, 0) +
        services.reduce((sum, s) => sum + s.logs + (ec2Services.has(s.service) ? 0 : s.compute), 0);

    // The common way: one ALB per routed service, every task on Fargate on-demand.
    const routed = facts.services.filter((s) => s.targetGroup).length;
    const fargateOnDemand = facts.services.reduce(
        (sum, s) => sum + tasksOf(s) * fargateTaskHour(prices, sizeOf(s) ?? { cpu: 0, memory: 0 }) * hours,
        0,
    );
    const items = context ? costItems(facts, context, capacity?.instances ?? 0, book, prices) : [];
    const estimated = (all: boolean) => items.reduce((sum, i) => sum + (i.monthly !== null && (all || i.inComparisons) ? i.monthly : 0), 0);
    const itemsLine = (): CostLine[] =>
        items.length ? [{ item: "other items", monthly: estimated(false), detail: "as planned, without EC2 root volumes" }] : [];
    const comparison = (albs: number, albDetail: string): CostLine[] => [
        { item: "load balancers", monthly: albMonthly(albs), detail: albDetail },
        { item: "NAT gateways", monthly: natMonthly, detail: "as planned" },
        { item: "public IPv4", monthly: ipv4Monthly(albs), detail: `${albs * platform.availabilityZones + nat} addresses` },
        { item: "Fargate on-demand", monthly: fargateOnDemand, detail: "every task at its smallest Fargate size" },
        { item: "logs", monthly: services.reduce((sum, s) => sum + s.logs, 0), detail: "as planned" },
        ...itemsLine(),
    ];
    const baselineLines = comparison(routed, `${routed} ALBs, one per routed service`);
    const sharedLines = comparison(platform.loadBalancers, `${platform.loadBalancers} ALB shared by every routed service`);
    const sum = (lines: readonly CostLine[]) => lines.reduce((total, l) => total + l.monthly, 0);
    return {
        region,
        priceRegion,
        priceDate: prices.date,
        shared,
        services,
        total: total + estimated(true),
        baseline: { lines: baselineLines, total: sum(baselineLines) },
        sharedAlbFargate: { lines: sharedLines, total: sum(sharedLines) },
        items,
        warnings,
    };
}
