import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedDns } from "../model/dns";
import { dnsLogicalNames } from "../model/naming";

export interface DnsArgs {
    /** The records and certificate `fleet:dns` resolved to (model/dns.ts). */
    readonly dns: ResolvedDns;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * `fleet:dns`: the stack's hosted zone, the ACM certificate validated by DNS in it (when the stack
 * names no certificate), and, once the load balancer exists, an alias record per routed host.
 * The listener takes `certificateArn`, which resolves only after validation: HTTPS never serves a
 * certificate ACM has not issued.
 */
export class Dns extends pulumi.ComponentResource {
    public readonly zoneId: pulumi.Output<string>;
    /** The validated certificate's ARN; undefined when the stack gives its own certificate. */
    public readonly certificateArn?: pulumi.Output<string>;

    private readonly args: DnsArgs;
    private readonly children: ReturnType<typeof dnsLogicalNames>;

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:dns:Dns", name, {}, opts);
        this.args = args;
        this.children = dnsLogicalNames(name);
        const dns = args.dns;
        this.zoneId =
            dns.zoneId !== undefined
                ? pulumi.output(dns.zoneId)
                : aws.route53.getZoneOutput({ name: dns.zone, privateZone: false }, { parent: this }).zoneId;
        if (dns.certificate) this.certificateArn = this.createCertificate(dns.certificate);
        this.registerOutputs({ zoneId: this.zoneId, certificateArn: this.certificateArn });
    }

    private createCertificate(plan: NonNullable<ResolvedDns["certificate"]>): pulumi.Output<string> {
        const certificate = new aws.acm.Certificate(
            this.children.certificate,
            {
                domainName: plan.domainName,
                subjectAlternativeNames: plan.names.slice(1),
                validationMethod: "DNS",
                keyAlgorithm: "RSA_2048",
                tags: this.args.tags,
            },
            // A certificate in use by a listener cannot be deleted: the new one comes first.
            { parent: this },
        );
        // One CNAME per distinct validation name (a wildcard and its base share one), known at plan time.
        const records = plan.validationNames.map((name) => {
            const option = certificate.domainValidationOptions.apply((options) => {
                const found = options.find((o) => o.domainName === name);
                if (!found) throw new Error(`ACM returned no validation record for ${name}`);
                return found;
            });
            return new aws.route53.Record(
                this.children.validationRecord(name),
                {
                    zoneId: this.zoneId,
                    name: option.resourceRecordName,
                    type: option.resourceRecordType,
                    records: [option.resourceRecordValue],
                    ttl: 300,
                    // ACM gives the same record to a certificate re-requested for the same names.
                    allowOverwrite: true,
                },
                { parent: this },
            );
        });
        const validation = new aws.acm.CertificateValidation(
            this.children.validation,
            { certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
            { parent: this },
        );
        return validation.certificateArn;
    }

    /** An alias A record per routed host (the ALB is IPv4 only, so no AAAA), to the load balancer. */
    pointAt(loadBalancer: { readonly dnsName: pulumi.Input<string>; readonly zoneId: pulumi.Input<string> }): aws.route53.Record[] {
        return this.args.dns.records.map(
            (record) =>
                new aws.route53.Record(
                    this.children.record(record.name),
                    {
                        zoneId: this.zoneId,
                        name: record.name,
                        type: "A",
                        aliases: [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }],
                        // A stack that pointed its hosts at the ALB by hand before it had fleet:dns takes
                        // those records over, instead of failing on "already exists" (Route 53 CreateChange).
                        allowOverwrite: true,
                    },
                    { parent: this },
                ),
        );
    }
}
