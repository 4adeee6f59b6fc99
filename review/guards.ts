/**
 * Guardrails over plans: fleet's policy rules (the same code as the policy pack), and the check
 * that a stack guarding its deletions does not lose a service by accident.
 */
import { evaluateIndex, PolicyResult, PolicySettings, settingsOf } from "../policy/rules";
import { parseJsonOrString } from "../facts/json";
import { changedPaths, replacingPaths } from "./diff";
import { planResources } from "./facts";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { fileSystemComponentName, serviceLogicalNames, stackNames } from "../model/naming";

/** Runs fleet's controls over a plan's resources. */
export function planPolicy(plan: PlanDocument): PolicyResult {
    return evaluateIndex(planResources(plan));
}

/** The enforcement and waivers a plan carries (as the policy pack will read them). */
export function planPolicySettings(plan: PlanDocument): PolicySettings {
    return settingsOf(planResources(plan));
}

function configValue(plan: PlanDocument, key: string): unknown {
    const text = plan.config[key];
    return text === undefined ? undefined : parseJsonOrString(text);
}

/** The service names of a plan, and what stateful resources each has. */
function servicesOf(plan: PlanDocument): Map<string, { repository?: string; parameters: string[] }> {
    const index = planResources(plan);
    const services = new Map<string, { repository?: string; parameters: string[] }>();
    for (const component of plan.resources.filter((r) => r.type === "fleet:ecs:Service")) services.set(component.name, { parameters: [] });
    for (const resource of plan.resources) {
        const service = index.serviceOfUrn(resource.urn);
        const entry = service ? services.get(service) : undefined;
        if (!entry || !service) continue;
        if (resource.type === "aws:ecr/repository:Repository") entry.repository = String(resource.inputs.name);
        if (resource.type === "aws:ssm/parameter:Parameter") entry.parameters.push(resource.name.slice(service.length + 1));
    }
    return services;
}

/**
 * Against the base plan of the same stack: a service that disappears from a stack guarding its
 * deletions (fleet:protect) fails the plan unless fleet:retired lists it; and a retirement must
 * keep the repository and parameters the service had, or release them explicitly.
 */
export function retirementProblems(base: PlanDocument, head: PlanDocument): string[] {
    return [
        ...serviceRemovalProblems(base, head),
        ...fileSystemDeletions(base, head).problems,
        ...protectedDeletionProblems(base, head),
        ...protectedReplacementProblems(base, head),
        ...capacityRemovalProblems(base, head),
    ];
}

const fileSystemType = "aws:efs/fileSystem:FileSystem";

/** A file system of a plan that the next one no longer declares. */
interface FileSystemDeletion {
    /** Its name in the catalog (`volumes`, `fleet:retired.<service>.fileSystems`). */
    readonly name: string;
    readonly resource: PlanResource;
    /** The services of the base plan that mounted it (they had an access point to it). */
    readonly mountedBy: readonly string[];
}

/** The file systems of the base plan that the head deletes: the engine deletes their files with them. */
function deletedFileSystems(base: PlanDocument, head: PlanDocument): FileSystemDeletion[] {
    if (base.stack !== head.stack) return [];
    const declared = new Set(head.resources.map((r) => r.urn));
    const index = planResources(base);
    const accessPoints = base.resources.filter((r) => r.type === "aws:efs/accessPoint:AccessPoint");
    return base.resources
        .filter((r) => r.type === fileSystemType && !declared.has(r.urn))
        .map((resource) => {
            const prefix = fileSystemComponentName(stackNames(base.project, base.stack).prefix, "");
            const name = resource.name.startsWith(prefix) ? resource.name.slice(prefix.length) : resource.name;
            const mountedBy = accessPoints.flatMap((point) => {
                const service = index.serviceOfUrn(point.urn);
                return service && point.name === serviceLogicalNames(service).accessPoint(name) ? [service] : [];
            });
            return { name, resource, mountedBy: [...new Set(mountedBy)].sort() };
        });
}

/**
 * File systems a plan deletes against the base plan of the same stack, with every file on them.
 * Refused: a protected one (the engine refuses), and one a retired service mounted while its entry
 * keeps its state without listing it (as its repository and parameters). Warned: any other, in a
 * stack that does not protect it.
 */
export function fileSystemDeletions(
    base: PlanDocument,
    head: PlanDocument,
): { problems: string[]; warnings: string[]; /** The file systems deleted without a refusal: their files are lost. */ lost: string[] } {
    const retired = (configValue(head, `${head.project}:retired`) ?? {}) as Record<string, { release?: boolean }>;
    const file = `Pulumi.${head.stack}.yaml`;
    const problems: string[] = [];
    const warnings: string[] = [];
    const lost: string[] = [];
    for (const { name, resource, mountedBy } of deletedFileSystems(base, head)) {
        const what = `file system "${name}" (${resource.type} "${resource.name}")`;
        const owner = mountedBy[0] ?? "<service>";
        const keep = `list it under fleet:retired.${owner}.fileSystems in ${file}`;
        const keepers = mountedBy.filter((service) => retired[service] !== undefined && retired[service].release !== true);
        if (resource.protect) {
            problems.push(
                `${what} is protected in the base plan of ${base.stack} and this plan deletes it with every file on it: ` +
                    `no service of this plan mounts it and no fleet:retired entry keeps it. ` +
                    `Keep it: ${keep}. To delete it on purpose, unprotect it in one update (release: true on that entry), ` +
                    `then remove it in the next.`,
            );
        } else if (keepers.length > 0) {
            for (const service of keepers) {
                problems.push(
                    `retired service "${service}" mounted the ${what}, which this plan deletes with every file on it: ` +
                        `list it under fleet:retired.${service}.fileSystems in ${file} to keep it, or release: true to let it go.`,
                );
            }
        } else {
            lost.push(name);
            warnings.push(
                `${what} is deleted by this plan, and every file on it is lost` +
                    `${mountedBy.length ? ` (it was mounted by ${mountedBy.join(", ")})` : ""}. ` +
                    `To keep it, mount it from a service or ${keep}.`,
            );
        }
    }
    return { problems, warnings, lost };
}

function serviceRemovalProblems(base: PlanDocument, head: PlanDocument): string[] {
    const guarded = configValue(head, `${head.project}:protect`) === true;
    const retired = (configValue(head, `${head.project}:retired`) ?? {}) as Record<
        string,
        { repository?: boolean; parameters?: string[]; release?: boolean }
    >;
    const before = servicesOf(base);
    const after = servicesOf(head);
    const file = `Pulumi.${head.stack}.yaml`;
    const overrides = configValue(head, `${head.project}:services`);
    // `enabled: false` drops a service from this stack like deleting its entry: the same rules.
    const turnedOff = (name: string) =>
        typeof overrides === "object" && overrides !== null && (overrides as Record<string, any>)[name]?.enabled === false;
    const problems: string[] = [];
    for (const [name, had] of before) {
        if (!after.has(name)) {
            if (guarded && turnedOff(name)) {
                problems.push(
                    `service "${name}" is in the base plan of ${base.stack} but ` +
                        `fleet:services.${name}.enabled: false leaves it out of this one: that ` +
                        `would delete it from a stack that guards deletions (fleet:protect). ` +
                        `Remove enabled: false, or retire it on purpose: add fleet:retired.${name} with a reason to ${file}.`,
                );
            } else if (guarded) {
                problems.push(
                    `service "${name}" is in the base plan of ${base.stack} but not in ` +
                        `this one: removing it would delete it from a stack that guards ` +
                        `deletions (fleet:protect). ` +
                        `Restore its catalog entry, or retire it on purpose: add fleet:retired.${name} with a reason to ${file}.`,
                );
            }
            continue;
        }
        const entry = retired[name];
        if (!entry || entry.release === true) continue;
        if (had.repository && entry.repository !== true) {
            problems.push(
                `retired service "${name}" had the repository ${had.repository}: set ` +
                    `fleet:retired.${name}.repository: true in ${file} to keep it, or ` +
                    `release: true to let it go.`,
            );
        }
        const missing = had.parameters.filter((p) => !(entry.parameters ?? []).includes(p));
        if (missing.length > 0) {
            problems.push(
                `retired service "${name}" had the parameters ${missing.join(", ")}: ` +
                    `list them under fleet:retired.${name}.parameters in ${file} to keep ` +
                    `them, or release: true to let them go.`,
            );
        }
    }
    return problems;
}

/**
 * The engine refuses to delete a resource that is protected in the current state (Pulumi,
 * resource option `protect`). Against a base plan of the same stack, the same refusal: any
 * resource protected in the base that this plan no longer declares is an error naming it, with
 * the two-step way out. Services the removal check already names are not repeated here.
 */
export function protectedDeletionProblems(base: PlanDocument, head: PlanDocument): string[] {
    if (base.stack !== head.stack) return [];
    const declared = new Set(head.resources.map((r) => r.urn));
    const index = planResources(base);
    const headServices = new Set(head.resources.filter((r) => r.type === "fleet:ecs:Service").map((r) => r.name));
    const guarded = configValue(head, `${head.project}:protect`) === true;
    const file = `Pulumi.${head.stack}.yaml`;
    const problems: string[] = [];
    for (const resource of base.resources) {
        // File systems are named with their files and their own way out (fileSystemDeletions).
        if (!resource.protect || declared.has(resource.urn) || resource.type === fileSystemType) continue;
        const service = index.serviceOfUrn(resource.urn);
        // A whole service that vanished from a guarded stack is reported once, by service.
        if (guarded && service && !headServices.has(service)) continue;
        const owner = service ? ` of service "${service}"` : "";
        const release = service
            ? `e.g. list it under fleet:retired.${service} with release: true in ${file}`
            : `e.g. set fleet:protect: false for one update in ${file}`;
        problems.push(
            `${resource.type} "${resource.name}"${owner} is protected in the base ` +
                `plan of ${base.stack} and this plan deletes it: the engine refuses to ` +
                `delete a protected resource. ` +
                `To delete it on purpose, unprotect it in one update (${release}), then remove it in the next.`,
        );
    }
    return problems;
}

/**
 * A replacement deletes the old resource, so the engine refuses it while the resource is
 * protected (in the new program: unprotecting in the same update lets it through,
 * pulumi/pulumi#8873). The plan refuses the same, naming the inputs that force it.
 */
export function protectedReplacementProblems(base: PlanDocument, head: PlanDocument): string[] {
    if (base.stack !== head.stack) return [];
    const before = new Map(base.resources.map((r) => [r.urn, r]));
    const problems: string[] = [];
    for (const resource of head.resources) {
        const old = before.get(resource.urn);
        if (!resource.protect || !old) continue;
        // The diff's own judgement: ignoreChanges replaces nothing, replaceOnChanges always does.
        const forcing = replacingPaths(old, resource, changedPaths(old.inputs, resource.inputs));
        if (forcing.length === 0) continue;
        problems.push(
            `${resource.type} "${resource.name}" is protected and this plan ` +
                `replaces it (${forcing.join(", ")} cannot change in place): the ` +
                `engine refuses to delete a protected resource. ` +
                `Revert the change, or unprotect it (fleet:protect: false in ` +
                `Pulumi.${head.stack}.yaml) for the update that replaces it, knowing ` +
                `what the replacement loses.`,
        );
    }
    return problems;
}

/**
 * EC2 capacity dropped while services of the base still run on it: the update would detach the
 * capacity provider from the cluster while those services use it, and ECS refuses
 * (PutClusterCapacityProviders: "The specified capacity provider is in use and cannot be removed",
 * ResourceInUseException; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html).
 * It takes two deploys: move the services off EC2, then drop the capacity.
 */
export function capacityRemovalProblems(base: PlanDocument, head: PlanDocument): string[] {
    const providers = (plan: PlanDocument) =>
        new Set(plan.resources.filter((r) => r.type === "aws:ecs/capacityProvider:CapacityProvider").map((r) => r.urn));
    const headProviders = providers(head);
    const dropped = [...providers(base)].filter((urn) => !headProviders.has(urn));
    if (dropped.length === 0) return [];
    const provider = (service: PlanResource) =>
        ((service.inputs.capacityProviderStrategies ?? []) as { capacityProvider?: unknown }[])[0]?.capacityProvider;
    const onEc2 = base.resources
        .filter((r) => r.type === "aws:ecs/service:Service")
        .filter((r) => {
            const name = provider(r);
            return name !== undefined && name !== "FARGATE" && name !== "FARGATE_SPOT";
        })
        .map((r) => r.name)
        .sort();
    if (onEc2.length === 0) return [];
    const file = `Pulumi.${head.stack}.yaml`;
    return [
        `EC2 capacity (fleet:cluster.ec2) is removed while ${onEc2.join(", ")} still run on it in the base plan of ${base.stack}: ` +
            "ECS refuses to detach a capacity provider that services use (ResourceInUseException), so the update would fail " +
            `half-way. Do it in two deploys: first move them off EC2 (capacity: fargate or fargate-spot in ${file}, or ` +
            "fleet:cluster.defaultCapacity) with the EC2 capacity still set, then remove fleet:cluster.ec2.",
    ];
}

/**
 * Pull-through cache rules whose prefix changes against the base (prefixes name the project as well as
 * the stack: `fleet-dev-cache/...` where older stacks have `dev-cache/...`): a new rule is created and the old one
 * deleted, so each service that pulls through it pulls its image again from the upstream on its next
 * deployment, and the repositories the old rule cached stay in ECR, unused. Warnings, not refusals:
 * nothing running is lost, tasks keep their images until they are replaced.
 */
export function cachePrefixChanges(base: PlanDocument, head: PlanDocument): string[] {
    const rules = (plan: PlanDocument) =>
        new Map(
            plan.resources
                .filter((r) => r.type === "aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
                .map((r) => [String(r.inputs.upstreamRegistryUrl), String(r.inputs.ecrRepositoryPrefix)]),
        );
    const before = rules(base);
    const index = planResources(head);
    const pulling = (prefix: string) =>
        head.resources
            .filter(
                (r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && String(r.inputs.containerDefinitions).includes(`/${prefix}/`),
            )
            .map((r) => index.serviceOfUrn(r.urn))
            .filter((service): service is string => service !== undefined)
            .sort();
    return [...rules(head)].flatMap(([upstream, prefix]) => {
        const old = before.get(upstream);
        if (old === undefined || old === prefix) return [];
        const services = pulling(prefix);
        const who = services.length ? `${services.join(", ")} (pulling through it)` : "services pulling through it";
        return [
            `the pull-through cache of ${upstream} moves from ${old} to ${prefix}: ${who} fetch their image ` +
                "from the upstream again on their next deployment (its rate limits apply once more), and the repositories cached " +
                `under ${old}/ stay in ECR, unused: delete them (aws ecr delete-repository) once no task runs from them`,
        ];
    });
}
