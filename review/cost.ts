/**
 * Monthly cost estimate of a planned stack, and of the same catalog run the common way (one ALB
 * per service, everything on Fargate on-demand), from the prices in data/prices.json. Pure.
 */
import { onEc2 } from "../model/catalog";
import { smallestFargateSize } from "../model/fargate";
import { cpuUnitsPerVcpu, serviceConnectAgent } from "../facts/aws";
import pricesFile from "../data/prices.json";
import { Ec2CapacityReport, ec2GroupTasks } from "./capacity";
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
        /** EC2 Spot's discount on a type's on-demand price, 0-1 (the notes give its source); without it Spot is priced on-demand. */
        readonly ec2SpotDiscount?: number;
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
    /** Where its tasks run: an EC2 service's compute is its share of the instances (by memory reserved). */
    readonly capacity: ServiceFacts["capacity"];
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

export function fargateTaskHour(prices: RegionPrices, size: { cpu: number; memory: number }): number {
    return (size.cpu / cpuUnitsPerVcpu) * prices.fargateVcpuHour + (size.memory / 1024) * prices.fargateGbHour;
}

/**
 * The service's Fargate size: its own on Fargate; on EC2 the one it would get there, with the
 * Service Connect agent where it runs one (model/resolve.ts sizes it so). Undefined when none holds it.
 */
export function fargateSizeOf(service: ServiceFacts): { cpu: number; memory: number } | undefined {
    if (service.fargateSize) return service.fargateSize;
    const agent = service.serviceConnect ? serviceConnectAgent : { cpu: 0, memoryMiB: 0 };
    return smallestFargateSize(service.cpu + agent.cpu, service.limit + agent.memoryMiB);
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

/** The region's prices, or the fallback region's when the book has none for it. */
function pricesFor(region: string, book: PriceBook): RegionPrices {
    return book.regions[region] ?? book.regions[book.fallbackRegion];
}

/**
 * What `count` EC2 Spot instances of `instanceType` cost a month in `region` (the fallback region's
 * prices when the book has none for it): the type's on-demand price less the price book's EC2 Spot
 * discount (data/prices.json assumptions.ec2SpotDiscount, with its source in the notes), one figure
 * for every type and hour, as the Spot price varies by pool and hour. Undefined when the type has
 * no price. For the capacity advisor: placement on the Spot group is packed as on the on-demand
 * group (review/capacity.ts SpotCapacityReport: first-fit decreasing by memory reservation within
 * the main type's registered memory and CPU, spread over the zones, its own min and max sizes), with
 * the tasks of each ec2-spot service above its onDemandBase (ec2GroupTasks), counted as instances of
 * the main type.
 */
export function spotInstancesMonthly(instanceType: string, count: number, region: string, book: PriceBook = priceBook): number | undefined {
    const hourly = pricesFor(region, book).ec2Hour[instanceType];
    return hourly === undefined ? undefined : count * hourly * (1 - (book.assumptions.ec2SpotDiscount ?? 0)) * book.hoursPerMonth;
}

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
    let spotMonthly = 0;
    if (capacity) {
        const hourly = prices.ec2Hour[capacity.instanceType];
        if (hourly === undefined) warnings.push(`no price for ${capacity.instanceType} in data/prices.json: EC2 instances not counted`);
        else ec2Monthly = capacity.instances * hourly * hours;
        if (capacity.spot && hourly !== undefined) {
            spotMonthly = spotInstancesMonthly(capacity.instanceType, capacity.spot.instances, priceRegion, book)!;
            if (a.ec2SpotDiscount === undefined) warnings.push("no EC2 Spot discount in data/prices.json: Spot instances priced on-demand");
        }
    }
    // Each EC2 group's cost is shared out by memory reserved on it (an ec2-spot service's base on on-demand, the rest on Spot).
    const onGroups = (service: ServiceFacts) => ec2GroupTasks(service, tasksOf(service));
    const reservedOn = (group: "onDemand" | "spot") =>
        facts.services.reduce((sum, s) => sum + onGroups(s)[group] * placedOnInstance(s).memory, 0);
    const reservedOnEc2 = reservedOn("onDemand");
    const reservedOnSpot = reservedOn("spot");
    const percent = (share: number) => `${(share * 100).toFixed(0)}%`;

    const services: ServiceCost[] = facts.services.map((service) => {
        let compute = 0;
        let detail: string;
        if (onEc2(service.capacity)) {
            const memory = placedOnInstance(service).memory;
            const share = reservedOnEc2 > 0 ? (onGroups(service).onDemand * memory) / reservedOnEc2 : 0;
            const spotShare = reservedOnSpot > 0 ? (onGroups(service).spot * memory) / reservedOnSpot : 0;
            compute = ec2Monthly * share + spotMonthly * spotShare;
            const running = service.job ? ` while it runs: ${load.get(service.name)!.detail}` : "";
            detail =
                service.capacity === "ec2"
                    ? `${percent(share)} of the EC2 instances (by memory reserved${running})`
                    : `${percent(share)} of the EC2 instances and ${percent(spotShare)} of the EC2 Spot instances ` +
                      `(by memory reserved${running})`;
        } else {
            const size = fargateSizeOf(service)!;
            const discount = service.capacity === "fargate-spot" ? 1 - a.fargateSpotDiscount : 1;
            compute = tasksOf(service) * fargateTaskHour(prices, size) * hours * discount;
            const spot = service.capacity === "fargate-spot" ? ` Spot (−${a.fargateSpotDiscount * 100}%)` : "";
            detail = `${load.get(service.name)!.detail} × Fargate ${size.cpu}/${size.memory}${spot}`;
        }
        const logs = logMonthly(service);
        return { service: service.name, capacity: service.capacity, compute, logs, monthly: compute + logs, detail };
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
    if (capacity?.spot)
        shared.push({
            item: "EC2 Spot instances",
            monthly: spotMonthly,
            detail:
                `${capacity.spot.instances} × ${capacity.instanceType} at Spot (−${(a.ec2SpotDiscount ?? 0) * 100}%; ` +
                `may launch ${capacity.spot.instanceTypes.join(", ")}; shared out to ec2-spot services above)`,
        });
    // EC2 instances are counted once, in the shared lines; services carry their share for reading only.
    const ec2Services = new Set(facts.services.filter((s) => onEc2(s.capacity)).map((s) => s.name));
    const total =
        shared.reduce((sum, l) => sum + l.monthly, 0) +
        services.reduce((sum, s) => sum + s.logs + (ec2Services.has(s.service) ? 0 : s.compute), 0);

    // The common way: one ALB per routed service, every task on Fargate on-demand.
    const routed = facts.services.filter((s) => s.targetGroup).length;
    const fargateOnDemand = facts.services.reduce(
        (sum, s) => sum + tasksOf(s) * fargateTaskHour(prices, fargateSizeOf(s) ?? { cpu: 0, memory: 0 }) * hours,
        0,
    );
    // Both groups launch from one launch template: each instance has its root volume.
    const instances = (capacity?.instances ?? 0) + (capacity?.spot?.instances ?? 0);
    const items = context ? costItems(facts, context, instances, book, prices) : [];
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
    const baselineLines = comparison(routed, `${routed} ALB${routed === 1 ? "" : "s"}, one per routed service`);
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
