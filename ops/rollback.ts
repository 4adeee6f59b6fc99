/**
 * `npm run ops -- rollback <service> --stack <name>`: puts the service back on the task definition
 * revision before its current one and says what that changes (image, memory, CPU, command,
 * variables). Pulumi deregisters a revision it replaces (INACTIVE), and ECS does not update a
 * service to an INACTIVE revision, so an inactive previous revision is registered again, as a new
 * revision with the same content (ECS API DeregisterTaskDefinition: "You can't use an INACTIVE task
 * definition revision to run new tasks or create new services, and you can't update an existing
 * service to reference an INACTIVE task definition revision").
 */
import {
    ContainerDefinition,
    DescribeTaskDefinitionCommand,
    RegisterTaskDefinitionCommand,
    RegisterTaskDefinitionCommandInput,
    Tag,
    TaskDefinition,
    UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { call, Clients } from "./aws";
import { discoverCluster } from "./discovery";
import { OpsError } from "./errors";
import { StackContext } from "./fleetModel";

/** `fleet-ops-api:7` of a task definition ARN. */
const revisionOf = (arn: string) => arn.split("/").pop()!;

const list = (values: readonly string[] | undefined) => (values?.length ? JSON.stringify(values) : "the image's");
const names = (entries: readonly { name?: string }[] | undefined) => new Set((entries ?? []).map((e) => e.name ?? ""));

/**
 * What moving from `from` to `to` changes, one line each (`image: a → b`); environment variables
 * and secrets by name only, so that no value reaches a terminal or a CI log. Pure.
 */
export function describeChanges(from: TaskDefinition, to: TaskDefinition): string[] {
    const lines: string[] = [];
    const change = (what: string, before: unknown, after: unknown, unit = "") => {
        if (JSON.stringify(before) !== JSON.stringify(after))
            lines.push(
                `${what}: ${before ?? "unset"}${before !== undefined ? unit : ""} → ` +
                    `${after ?? "unset"}${after !== undefined ? unit : ""}`,
            );
    };
    change("task cpu", from.cpu, to.cpu, " units");
    change("task memory", from.memory, to.memory, " MiB");
    const containers = new Map<string, [ContainerDefinition | undefined, ContainerDefinition | undefined]>();
    for (const c of from.containerDefinitions ?? []) containers.set(c.name ?? "", [c, undefined]);
    for (const c of to.containerDefinitions ?? []) containers.set(c.name ?? "", [containers.get(c.name ?? "")?.[0], c]);
    for (const [name, [before, after]] of containers) {
        const prefix = containers.size > 1 ? `${name} ` : "";
        if (!before || !after) {
            lines.push(`container ${name}: ${before ? "removed" : "added"}`);
            continue;
        }
        change(`${prefix}image`, before.image, after.image);
        change(`${prefix}memory`, before.memory, after.memory, " MiB");
        change(`${prefix}memoryReservation`, before.memoryReservation, after.memoryReservation, " MiB");
        change(`${prefix}cpu`, before.cpu, after.cpu, " units");
        if (JSON.stringify(before.command ?? []) !== JSON.stringify(after.command ?? []))
            lines.push(`${prefix}command: ${list(before.command)} → ${list(after.command)}`);
        const env = (c: ContainerDefinition) => new Map((c.environment ?? []).map((e) => [e.name ?? "", e.value]));
        const [envBefore, envAfter] = [env(before), env(after)];
        const variables = [...new Set([...envBefore.keys(), ...envAfter.keys()])].sort();
        const sayVariables = (what: string, which: string[]) => {
            if (which.length) lines.push(`${prefix}${what}: ${which.join(", ")}`);
        };
        sayVariables(
            "environment added",
            variables.filter((v) => !envBefore.has(v)),
        );
        sayVariables(
            "environment removed",
            variables.filter((v) => !envAfter.has(v)),
        );
        sayVariables(
            "environment changed",
            variables.filter((v) => envBefore.has(v) && envAfter.has(v) && envBefore.get(v) !== envAfter.get(v)),
        );
        const [secretsBefore, secretsAfter] = [names(before.secrets), names(after.secrets)];
        sayVariables("secrets added", [...secretsAfter].filter((s) => !secretsBefore.has(s)).sort());
        sayVariables("secrets removed", [...secretsBefore].filter((s) => !secretsAfter.has(s)).sort());
    }
    return lines;
}

/** The registration of `definition` again, with its tags: everything DescribeTaskDefinition gives that RegisterTaskDefinition takes. */
export function reRegistration(definition: TaskDefinition, tags: readonly Tag[] | undefined): RegisterTaskDefinitionCommandInput {
    return {
        family: definition.family,
        taskRoleArn: definition.taskRoleArn,
        executionRoleArn: definition.executionRoleArn,
        networkMode: definition.networkMode,
        containerDefinitions: definition.containerDefinitions,
        volumes: definition.volumes,
        placementConstraints: definition.placementConstraints,
        requiresCompatibilities: definition.requiresCompatibilities,
        cpu: definition.cpu,
        memory: definition.memory,
        pidMode: definition.pidMode,
        ipcMode: definition.ipcMode,
        proxyConfiguration: definition.proxyConfiguration,
        inferenceAccelerators: definition.inferenceAccelerators,
        ephemeralStorage: definition.ephemeralStorage,
        runtimePlatform: definition.runtimePlatform,
        enableFaultInjection: definition.enableFaultInjection,
        tags: tags?.length ? [...tags] : undefined,
    };
}

async function describe(clients: Clients, arn: string): Promise<{ definition: TaskDefinition; tags?: Tag[] } | undefined> {
    try {
        const described = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }));
        return described.taskDefinition ? { definition: described.taskDefinition, tags: described.tags } : undefined;
    } catch (error) {
        // A revision deleted for good (DeleteTaskDefinitions) is not found.
        if (/ClientException|InvalidParameterException/.test((error as { name?: string }).name ?? "")) return undefined;
        return call(clients, "ecs:DescribeTaskDefinition", () => Promise.reject(error));
    }
}

/** Rolls `name` back one revision; prints what changes and what the next `pulumi up` does. Returns the exit code. */
export async function runRollback(clients: Clients, context: StackContext, name: string, out: (text: string) => void): Promise<number> {
    const stack = context.config.stack;
    const cluster = await discoverCluster(clients, context.names);
    const service = cluster.services.get(name);
    if (!service?.taskDefinition) {
        throw new OpsError(
            `${name} is not deployed: cluster ${cluster.name} has no ECS service tagged fleet:service=${name} (pulumi up -s ${stack})`,
        );
    }
    const currentArn = service.taskDefinition;
    const match = /^(.*):(\d+)$/.exec(currentArn);
    if (!match) throw new OpsError(`${name} runs ${currentArn}, which names no revision`);
    const revision = Number(match[2]);
    const current = await describe(clients, currentArn);
    const previousArn = `${match[1]}:${revision - 1}`;
    const previous = revision > 1 ? await describe(clients, previousArn) : undefined;
    if (!current || !previous) {
        throw new OpsError(
            `${name} runs ${revisionOf(currentArn)}, and ECS has no revision before it to go back to` +
                (revision > 1 ? ` (${revisionOf(previousArn)} was deleted)` : ""),
        );
    }
    let target = previousArn;
    let registered: string | undefined;
    if (previous.definition.status !== "ACTIVE") {
        const again = await call(clients, "ecs:RegisterTaskDefinition", () =>
            clients.ecs.send(new RegisterTaskDefinitionCommand(reRegistration(previous.definition, previous.tags))),
        );
        target = again.taskDefinition!.taskDefinitionArn!;
        registered = revisionOf(target);
    }
    await call(clients, "ecs:UpdateService", () =>
        clients.ecs.send(new UpdateServiceCommand({ cluster: cluster.arn, service: service.serviceName, taskDefinition: target })),
    );
    const changes = describeChanges(current.definition, previous.definition);
    out(
        `${name} (${service.serviceName}): rolled back from ${revisionOf(currentArn)} to ${revisionOf(previousArn)}` +
            (registered ? `, registered again as ${registered} (Pulumi had deregistered it)` : ""),
    );
    for (const line of changes.length ? changes : ["no change in image, sizes, command or variables"]) out(`  ${line}`);
    out(`ECS now replaces the tasks in a rolling deployment: npm run ops -- status --stack ${stack}`);
    out(
        `warning: the stack still deploys ${revisionOf(currentArn)}: the next pulumi up that changes ${name} ` +
            `(or any pulumi up --refresh) moves it forward again; ` +
            `revert the change in the catalog or Pulumi.${stack}.yaml to keep this rollback`,
    );
    return 0;
}
