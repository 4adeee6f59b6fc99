/**
 * Values of the stack file that are still the samples' placeholders: the account id AWS's own
 * documentation uses (123456789012) in an ARN or a name, and names under the domains RFC 2606
 * reserves for documentation (example.com, .net, .org). A stack planned offline may keep them (the
 * plan warns); a real `pulumi up` refuses them (infra/program.ts), since AWS would refuse or, worse,
 * point at nothing. Pure.
 */

/** The sample account id of AWS's documentation and of fleet's sample stack files. */
export const sampleAccountId = "123456789012";

/** Domains reserved for documentation (RFC 2606, section 3): they resolve to no one's service. */
const documentationDomain = /(^|[.*])example\.(com|net|org)$/;

/** What makes a string a placeholder, or undefined when it is not one. */
function placeholderIn(value: string): string | undefined {
    if (value.includes(sampleAccountId)) return `account ${sampleAccountId}`;
    const domain = documentationDomain.exec(value);
    if (domain) return `example.${domain[2]}`;
    return undefined;
}

/**
 * `fleet:<key>.<path> (<the placeholder>)`, one per placeholder in the stack's fleet values, in key
 * order. The value itself is left out: the path finds it, and the line stays short in a review.
 */
export function placeholderValues(config: Readonly<Record<string, unknown>>): string[] {
    const found: string[] = [];
    const walk = (value: unknown, path: string) => {
        if (typeof value === "string") {
            const why = placeholderIn(value);
            if (why) found.push(`fleet:${path} (${why})`);
        } else if (Array.isArray(value)) {
            value.forEach((item, i) => walk(item, `${path}[${i}]`));
        } else if (value && typeof value === "object") {
            for (const key of Object.keys(value).sort()) walk((value as Record<string, unknown>)[key], `${path}.${key}`);
        }
    };
    for (const key of Object.keys(config).sort()) walk(config[key], key);
    return found;
}
