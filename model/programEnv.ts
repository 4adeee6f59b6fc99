/**
 * Environment values a Pulumi program of the user's own gives fleet's services (program.ts
 * `env`): values fleet cannot know from the catalog, such as the endpoint of an RDS instance the
 * same program creates. Their values are Outputs, so only their names are checked here, against the
 * fleet: each must name a service of this stack and a variable the entry does not already set (in
 * `env`, `secrets`, or through `connects`), so no value is silently replaced. Pure.
 */
import { envNamePattern } from "./catalog";
import { ResolvedFleet } from "./fleet";
import { didYouMean, Problem, Problems } from "./problems";

/** The problems of the names of `env` (service → variable names), each with its fix; none when they all fit. */
export function programEnvProblems(fleet: ResolvedFleet, env: Readonly<Record<string, readonly string[]>>): Problem[] {
    const problems = new Problems();
    const services = new Map(fleet.services.map((s) => [s.name, s]));
    for (const [name, variables] of Object.entries(env)) {
        const service = services.get(name);
        if (!service) {
            const off = fleet.disabled.includes(name);
            problems.add(
                "program/unknown-service",
                "program env",
                name,
                name,
                off
                    ? `names a service turned off in stack ${fleet.stack}`
                    : `is not a service of the catalog${didYouMean(name, [...services.keys()])}`,
                "give values only to the services this stack runs",
            );
            continue;
        }
        const secrets = new Set(service.secrets.map((s) => s.name));
        const setBy = (variable: string) =>
            secrets.has(variable) ? "secrets" : service.connects.some((c) => c.variable === variable) ? "connects" : "env";
        for (const variable of variables) {
            if (!envNamePattern.test(variable)) {
                problems.add(
                    "program/invalid-variable-name",
                    "program env",
                    `${name}.${variable}`,
                    variable,
                    "is not a valid environment variable name",
                    "use letters, digits and _ not starting with a digit",
                );
            } else if (variable in service.env || secrets.has(variable)) {
                problems.add(
                    "program/variable-set-by-entry",
                    "program env",
                    `${name}.${variable}`,
                    variable,
                    `is already set by the catalog entry (${setBy(variable)})`,
                    "remove it from one of the two, so the task gets one value",
                );
            }
        }
    }
    return problems.all();
}
