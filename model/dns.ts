/**
 * `fleet:dns`: Route 53 records for every routed host and, when the stack names no certificate,
 * one ACM certificate validated by DNS in that zone. Pure: which records and which certificate
 * names, checked at plan time against the zone and ACM's quota.
 *
 * - Records: an alias A record to the ALB per host (the ALB is IPv4 only: fleet sets no
 *   `ipAddressType`, whose default is `ipv4`, so there is no AAAA record). A wildcard host
 *   (`*.example.com`, or a first label with * or ?) gets the wildcard record `*.<rest>`.
 * - Certificate: the hosts one label below `fleet:domain` are covered by one wildcard
 *   (`*.<domain>`); other hosts are named. At most ACM's names per certificate (facts/aws.ts).
 */
import { z } from "zod";
import { acmDefaultNamesPerCertificate } from "../facts/aws";
import { PlannedRule } from "./routing";
import { dnsDomainPattern } from "./awsNames";
import type { ProblemCode } from "./problemCodes";
import { domainError, said } from "./schema";

// Route 53 hosted zone ids: "Z" and up to 32 upper-case letters and digits.
const zoneIdPattern = /^Z[A-Z0-9]{1,32}$/;

/** `fleet:dns`. */
export const dnsSchema = z.strictObject(
    {
        /** The public hosted zone's name, e.g. `example.com`; every routed host must be in it. */
        zone: z.string({ error: said("not-a-string", "is required", "name the hosted zone, e.g. example.com") }).regex(dnsDomainPattern, {
            error: domainError("dns/zone-invalid", "DNS zone name", "the hosted zone's name, e.g. example.com"),
        }),
        /** The hosted zone's id, when several zones share the name (otherwise looked up by name). @default looked up */
        zoneId: z
            .string()
            .regex(zoneIdPattern, {
                error: said(
                    "dns/zone-id-invalid",
                    "is not a Route 53 hosted zone id",
                    "use the id shown by aws route53 list-hosted-zones, e.g. Z0123456789ABC",
                ),
            })
            .optional(),
    },
    { error: said("not-an-object", "must be an object", "set { zone: <hosted zone name>, zoneId? }") },
);
export type DnsSettings = z.output<typeof dnsSchema>;

export interface DnsRecordPlan {
    /** The record's name: a host, or `*.<rest>` for a wildcard host. */
    readonly name: string;
}

export interface CertificatePlan {
    /** The certificate's domain name (the first of `names`). */
    readonly domainName: string;
    /** Every name, the domain name first. */
    readonly names: readonly string[];
    /** The names whose DNS validation record is distinct (`*.x` and `x` share one). */
    readonly validationNames: readonly string[];
}

export interface ResolvedDns {
    readonly zone: string;
    readonly zoneId?: string;
    readonly records: readonly DnsRecordPlan[];
    /** Absent when the stack gives `fleet:loadBalancer.certificateArn`. */
    readonly certificate?: CertificatePlan;
}

export interface DnsProblem {
    readonly code: ProblemCode;
    readonly service: string;
    readonly field: string;
    readonly value: string;
    readonly problem: string;
    readonly fix: string;
}

const inZone = (host: string, zone: string) => host === zone || host.endsWith(`.${zone}`);

/** The record a host needs, or why it cannot have one. */
function recordName(host: string): string | undefined {
    const [first, ...rest] = host.split(".");
    if (!/[*?]/.test(host)) return host;
    if (/[*?]/.test(rest.join(".")) || rest.length < 2) return undefined;
    return /[*?]/.test(first) ? `*.${rest.join(".")}` : undefined;
}

/** The records and the certificate of a stack with `fleet:dns`, or the problems with its hosts. */
export function resolveDns(
    dns: DnsSettings,
    rules: readonly PlannedRule[],
    domain: string | undefined,
    certificateArn: string | undefined,
): { dns: ResolvedDns; problems: DnsProblem[] } {
    const problems: DnsProblem[] = [];
    const names = new Set<string>();
    for (const rule of rules) {
        for (const host of rule.hosts) {
            const field = `routes[${rule.index}].host`;
            const name = recordName(host);
            if (name === undefined) {
                problems.push({
                    code: "dns/host-wildcard-past-first-label",
                    service: rule.service,
                    field,
                    value: host,
                    problem: "has a wildcard past its first label, which no DNS record can match",
                    fix: "use a wildcard only as the first label (*.example.com), or a plain host",
                });
            } else if (!inZone(name.replace(/^\*\./, ""), dns.zone)) {
                problems.push({
                    code: "dns/host-outside-zone",
                    service: rule.service,
                    field,
                    value: host,
                    problem: `is outside the DNS zone ${dns.zone} (fleet:dns.zone), so no record can point it at the load balancer`,
                    fix: `use a host in ${dns.zone}, or set fleet:dns.zone to the zone that holds it`,
                });
            } else {
                names.add(name);
            }
        }
    }
    const records = [...names].sort().map((name) => ({ name }));
    let certificate: CertificatePlan | undefined;
    if (certificateArn === undefined && names.size > 0) {
        // Hosts one label below fleet:domain share one wildcard name; others are named.
        const covered = (name: string) =>
            domain !== undefined && name.endsWith(`.${domain}`) && !name.slice(0, -domain.length - 1).includes(".");
        const certNames = [...new Set([...names].map((name) => (covered(name) ? `*.${domain}` : name)))].sort();
        if (certNames.length > acmDefaultNamesPerCertificate) {
            problems.push({
                code: "dns/too-many-certificate-names",
                service: "",
                field: "zone",
                value: dns.zone,
                problem:
                    `needs a certificate for ${certNames.length} names ` +
                    `(${certNames.join(", ")}), above ACM's default quota ` +
                    `of ${acmDefaultNamesPerCertificate} names per certificate`,
                fix: "route more hosts as subdomains of fleet:domain (one wildcard covers them), or give fleet:loadBalancer.certificateArn",
            });
        }
        const bases = new Set<string>();
        const validationNames = certNames.filter((name) => {
            const base = name.replace(/^\*\./, "");
            if (bases.has(base)) return false;
            bases.add(base);
            return true;
        });
        certificate = { domainName: certNames[0], names: certNames, validationNames };
    }
    return { dns: { zone: dns.zone, zoneId: dns.zoneId, records, certificate }, problems };
}
