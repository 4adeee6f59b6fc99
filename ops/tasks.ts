/** The tasks of a service that ECS stopped and still lists (at least an hour after they stop), with their reasons. */
import { DescribeTasksCommand, ListTasksCommand, Service } from "@aws-sdk/client-ecs";
import { ecsDescribeBatch } from "../facts/aws";
import { call, chunks, Clients } from "./aws";

export interface StoppedTask {
    readonly id: string;
    readonly stoppedAt?: Date;
    /** The task's stopped reason and its containers' reasons. */
    readonly reason: string;
    /** Killed at the hard memory limit. */
    readonly oom: boolean;
}

/** ECS names a container killed at its hard limit this way, in the container's or the task's reason. */
export const outOfMemoryPattern = /OutOfMemoryError/;

export async function stoppedTasks(clients: Clients, clusterArn: string, service: Service): Promise<StoppedTask[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await call(clients, "ecs:ListTasks", () =>
            clients.ecs.send(
                new ListTasksCommand({ cluster: clusterArn, serviceName: service.serviceName, desiredStatus: "STOPPED", nextToken }),
            ),
        );
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
    } while (nextToken);
    const result: StoppedTask[] = [];
    for (const batch of chunks(arns, ecsDescribeBatch.tasks)) {
        const described = await call(clients, "ecs:DescribeTasks", () =>
            clients.ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: batch })),
        );
        for (const task of described.tasks ?? []) {
            // A service's tasks are in the group `service:<name>`; ListTasks already filters on it in AWS.
            if (task.group !== undefined && task.group !== `service:${service.serviceName}`) continue;
            const reasons = [task.stoppedReason, ...(task.containers ?? []).map((c) => c.reason)].filter((r): r is string => !!r);
            const reason = [...new Set(reasons)].join("; ");
            result.push({ id: task.taskArn!.split("/").pop()!, stoppedAt: task.stoppedAt, reason, oom: outOfMemoryPattern.test(reason) });
        }
    }
    return result.sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0) || a.id.localeCompare(b.id));
}
