/**
 * The AWS clients ops reads the account with: the SDK's standard credential chain, the stack's
 * region, and the SDK's own endpoint resolution (so AWS_ENDPOINT_URL points every client at an
 * emulator or a proxy). Every call goes through `call`, which turns an SDK failure into one line.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { describeAwsError, OpsError } from "./errors";

export interface Clients {
    readonly region: string;
    readonly ecs: ECSClient;
    readonly cloudwatch: CloudWatchClient;
    readonly logs: CloudWatchLogsClient;
    readonly elb: ElasticLoadBalancingV2Client;
    /** EventBridge Scheduler: a job's schedule holds the task definition and network its runs use. */
    readonly scheduler: SchedulerClient;
}

export function makeClients(region: string): Clients {
    // The SDK warns on every run that its releases from January 2027 need Node 22; package.json
    // pins a release that runs on the project's Node 20, so the warning is noise in ops' output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const config = { region };
    return {
        region,
        ecs: new ECSClient(config),
        cloudwatch: new CloudWatchClient(config),
        logs: new CloudWatchLogsClient(config),
        elb: new ElasticLoadBalancingV2Client(config),
        scheduler: new SchedulerClient(config),
    };
}

/** Where the calls go, for messages: the override when one is set, else the region's endpoint. */
function endpointOf(region: string): string {
    return process.env.AWS_ENDPOINT_URL ?? `AWS (${region})`;
}

/** Runs one AWS call; its failure becomes an OpsError naming `action` (e.g. `ecs:ListClusters`). */
export async function call<T>(clients: Clients, action: string, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (error) {
        if (error instanceof OpsError) throw error;
        throw new OpsError(describeAwsError(error, action, endpointOf(clients.region)));
    }
}

/** Splits `items` into chunks of `size` (APIs that take at most 10 or 100 names). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
    const result: T[][] = [];
    for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
    return result;
}
