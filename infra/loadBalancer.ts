import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadBalancerLogicalNames } from "../model/naming";
import { LoadBalancerSettings } from "../model/fleet";
import { webPorts } from "../facts/aws";

export interface LoadBalancerArgs {
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets in at least two availability zones (AWS requires two). */
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly settings: LoadBalancerSettings;
    /**
     * A certificate fleet made (fleet:dns), used when the settings name none: HTTPS and the
     * redirect then follow exactly as with a given one. @default none
     */
    readonly certificateArn?: pulumi.Input<string>;
    /** `protect` the ALB so the engine refuses to delete it. @default false */
    readonly protect?: boolean;
    /** @default {} */
    readonly tags?: Record<string, string>;
}

/** A fixed 404 for any request no service's rule matches. */
const notFound: aws.types.input.lb.ListenerDefaultAction = {
    type: "fixed-response",
    fixedResponse: { contentType: "application/json", statusCode: "404", messageBody: '{"error":"not found"}' },
};

/**
 * The one internet-facing Application Load Balancer of the fleet, its security group and its
 * listeners. Services attach their own listener rules to `listenerArn` and open their own
 * security groups to `securityGroupId`.
 */
export class LoadBalancer extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    /**
     * Attached to every load-balanced awsvpc task: the one group the ALB may send to. One egress
     * rule for the whole fleet keeps the ALB's group far below AWS's 60 rules per direction.
     */
    public readonly targetsSecurityGroupId: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    /** `app/<name>/<id>`, for CloudWatch metrics and request-count scaling. */
    public readonly arnSuffix: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    public readonly zoneId: pulumi.Output<string>;
    /** The listener service rules attach to: HTTPS when a certificate is configured, HTTP otherwise. */
    public readonly listenerArn: pulumi.Output<string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fleet:lb:LoadBalancer", name, {}, opts);
        const children = loadBalancerLogicalNames(name);
        const settings = args.settings;
        const certificateArn = settings.certificateArn ?? args.certificateArn;
        const https = certificateArn !== undefined;

        const securityGroup = new aws.ec2.SecurityGroup(
            children.securityGroup,
            { vpcId: args.vpcId, description: "fleet load balancer: HTTP(S) from the internet", tags: args.tags },
            { parent: this },
        );
        // HTTP stays open with a certificate too: it answers with the redirect to HTTPS.
        const ports: number[] = https ? [webPorts.http, webPorts.https] : [webPorts.http];
        for (const port of ports) {
            new aws.vpc.SecurityGroupIngressRule(
                children.ingress(port),
                {
                    securityGroupId: securityGroup.id,
                    cidrIpv4: "0.0.0.0/0",
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: `HTTP${port === webPorts.https ? "S" : ""} from the internet`,
                },
                { parent: this },
            );
        }
        this.securityGroupId = securityGroup.id;
        const targets = new aws.ec2.SecurityGroup(
            children.targetsSecurityGroup,
            {
                vpcId: args.vpcId,
                description: "fleet load-balanced tasks: the ALB may reach them (the own group of each task opens its port)",
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            children.toTargets,
            {
                securityGroupId: securityGroup.id,
                referencedSecurityGroupId: targets.id,
                ipProtocol: "tcp",
                fromPort: 0,
                toPort: 65535,
                description: "to load-balanced tasks; the group of each task admits only its container port",
            },
            { parent: this },
        );
        this.targetsSecurityGroupId = targets.id;

        const alb = new aws.lb.LoadBalancer(
            name,
            {
                loadBalancerType: "application",
                internal: false,
                securityGroups: [securityGroup.id],
                subnets: args.publicSubnetIds,
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableDeletionProtection: settings.deletionProtection,
                idleTimeout: settings.idleTimeoutSeconds,
                enableHttp2: true,
                accessLogs: settings.accessLogs
                    ? { bucket: settings.accessLogs.bucket, prefix: settings.accessLogs.prefix, enabled: true }
                    : undefined,
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );
        this.arn = alb.arn;
        this.arnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.zoneId = alb.zoneId;

        if (https) {
            const httpsListener = new aws.lb.Listener(
                children.httpsListener,
                {
                    loadBalancerArn: alb.arn,
                    port: webPorts.https,
                    protocol: "HTTPS",
                    sslPolicy: settings.sslPolicy,
                    certificateArn,
                    defaultActions: [notFound],
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.lb.Listener(
                children.httpListener,
                {
                    loadBalancerArn: alb.arn,
                    port: webPorts.http,
                    protocol: "HTTP",
                    defaultActions: [
                        { type: "redirect", redirect: { protocol: "HTTPS", port: String(webPorts.https), statusCode: "HTTP_301" } },
                    ],
                    tags: args.tags,
                },
                { parent: this },
            );
            this.listenerArn = httpsListener.arn;
        } else {
            const httpListener = new aws.lb.Listener(
                children.httpListener,
                { loadBalancerArn: alb.arn, port: webPorts.http, protocol: "HTTP", defaultActions: [notFound], tags: args.tags },
                { parent: this },
            );
            this.listenerArn = httpListener.arn;
        }

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            targetsSecurityGroupId: this.targetsSecurityGroupId,
            arn: this.arn,
            arnSuffix: this.arnSuffix,
            dnsName: this.dnsName,
            zoneId: this.zoneId,
            listenerArn: this.listenerArn,
        });
    }
}
