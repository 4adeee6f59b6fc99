/**
 * Reach (issue 10) through the offline plan, as a user runs it (`npm run plan` in a child process),
 * on the tests' own fleet: `web` calling `api` through Service Connect on Fargate (dev) and on
 * EC2 (prod), `fleet:dns` records and certificate (and nothing else changed without it), and a
 * service turned off in one stack (and refused on the guarded one unless retired).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { PlanResource } from "../plan/runProgram";
import { readStackConfig } from "../plan/stackFile";
import { fixtureRoot } from "./support/fixtures";
import { onFixtures, PlanCliRun, runPlanCli } from "./support/planCli";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-reach-"));

/** A run with its Markdown review ("" when none was written). */
type Run = PlanCliRun & { readonly markdown: string };

let count = 0;
async function plan(stack: string, catalog: string, extra: string[] = []): Promise<Run> {
    const json = path.join(scratch, `${++count}-${stack}.json`);
    const markdown = path.join(scratch, `${count}-${stack}.md`);
    const run = await runPlanCli(["--stack", stack, ...onFixtures(catalog), ...extra], { json, markdown });
    return { ...run, markdown: run.markdown ?? "" };
}

const overrides = (stack: string) => JSON.parse(readStackConfig(fixtureRoot, stack).config["fleet:services"]) as Record<string, object>;
const dns = `dns=${JSON.stringify({ zone: "fleet.example.com" })}`;

const runs: Record<string, Run> = {};
before(async () => {
    const devServices = overrides("dev");
    const prodServices = overrides("prod");
    const [devReach, devPlain, devDns, prodReach, prodBase] = await Promise.all([
        // status is turned off in dev only.
        plan("dev", "catalogReach.ts", ["-c", `services=${JSON.stringify({ ...devServices, status: { enabled: false } })}`]),
        plan("dev", "catalog.ts"),
        plan("dev", "catalog.ts", ["-c", dns]),
        plan("prod", "catalogReach.ts", ["--policy"]),
        plan("prod", "catalog.ts"),
    ]);
    Object.assign(runs, { devReach, devPlain, devDns, prodReach, prodBase });
    const docsOff = `services=${JSON.stringify({ ...prodServices, docs: { ...prodServices.docs, enabled: false } })}`;
    const [prodDocsOff, prodDocsRetired] = await Promise.all([
        plan("prod", "catalog.ts", ["--against", prodBase.json, "-c", docsOff]),
        plan("prod", "catalog.ts", [
            "--against",
            prodBase.json,
            "-c",
            docsOff,
            "-c",
            `retired=${JSON.stringify({ docs: { reason: "docs moved to the vendor portal" } })}`,
        ]),
    ]);
    Object.assign(runs, { prodDocsOff, prodDocsRetired });
});

function resource(run: Run, type: string, name: string): PlanResource {
    const found = run.plan!.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `one ${type} ${name}`);
    return found[0];
}
const has = (run: Run, type: string, name: string) => run.plan!.resources.some((r) => r.type === type && r.name === name);
const ofType = (run: Run, type: string) => run.plan!.resources.filter((r) => r.type === type);
const container = (run: Run, service: string) =>
    JSON.parse(String(resource(run, "aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`).inputs.containerDefinitions))[0];
const sgId = (run: Run, name: string) => {
    // The mocks' security-group ids are a hash of type and name (plan/mocks.ts): found through a rule that names the group.
    const egress = resource(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `${name}-egress`);
    return egress.inputs.securityGroupId;
};

describe("web connects to api through Service Connect (dev: Fargate, awsvpc)", () => {
    it("plans", () => assert.equal(runs.devReach.code, 0, runs.devReach.stderr + runs.devReach.stdout));

    it("creates one HTTP namespace for the stack", () => {
        const namespaces = ofType(runs.devReach, "aws:servicediscovery/httpNamespace:HttpNamespace");
        assert.deepEqual(
            namespaces.map((n) => [n.name, n.inputs]),
            [
                [
                    "fleet-dev-connect",
                    {
                        name: "fleet-dev",
                        description: "fleet dev: Service Connect between the services",
                        tags: { "fleet:project": "fleet", "fleet:stack": "dev" },
                    },
                ],
            ],
        );
    });

    it("makes api discoverable by its name on its named port, and web a client", () => {
        const namespace = resource(runs.devReach, "aws:ecs/service:Service", "api").inputs.serviceConnectConfiguration as Record<
            string,
            any
        >;
        assert.match(namespace.namespace, /^arn:aws:servicediscovery:us-east-1:123456789012:namespace\/ns-[0-9a-f]{16}$/);
        const logs = (service: string) => ({
            logDriver: "awslogs",
            options: {
                "awslogs-group": `/fleet/dev/${service}`,
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": `${service}-connect`,
            },
        });
        assert.deepEqual(resource(runs.devReach, "aws:ecs/service:Service", "api").inputs.serviceConnectConfiguration, {
            enabled: true,
            namespace: namespace.namespace,
            services: [{ portName: "api", discoveryName: "api", clientAlias: [{ port: 8080, dnsName: "api" }] }],
            logConfiguration: logs("api"),
        });
        assert.deepEqual(resource(runs.devReach, "aws:ecs/service:Service", "web").inputs.serviceConnectConfiguration, {
            enabled: true,
            namespace: namespace.namespace,
            logConfiguration: logs("web"),
        });
        assert.deepEqual(container(runs.devReach, "api").portMappings, [
            { name: "api", containerPort: 8080, hostPort: 8080, protocol: "tcp", appProtocol: "http" },
        ]);
    });

    it("gives web API_URL, and api's group admits web's group on 8080 only", () => {
        assert.deepEqual(container(runs.devReach, "web").environment, [
            { name: "API_URL", value: "http://api:8080" },
            { name: "SERVICE_NAME", value: "web" },
        ]);
        const connectionRules = ofType(runs.devReach, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
            /-to-/.test(r.name),
        );
        assert.deepEqual(
            connectionRules.map((r) => [r.name, r.inputs]),
            [
                [
                    "web-to-api",
                    {
                        securityGroupId: sgId(runs.devReach, "api"),
                        referencedSecurityGroupId: sgId(runs.devReach, "web"),
                        ipProtocol: "tcp",
                        fromPort: 8080,
                        toPort: 8080,
                        description: "Service Connect from web to api",
                    },
                ],
            ],
        );
        // The rule is web's: adding the connection changes the caller's resources.
        assert.match(
            resource(runs.devReach, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "web-to-api").parent!,
            /fleet:ecs:Service::web$/,
        );
    });

    it("sizes the Fargate tasks of both with room for the Service Connect agent (256 CPU units, 64 MiB)", () => {
        // web and api: 256 CPU and a 256/384 MiB limit in dev; with the agent, 512 CPU units and 1024 MiB.
        for (const service of ["web", "api"]) {
            const task = resource(runs.devReach, "aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`).inputs;
            assert.deepEqual([task.cpu, task.memory], ["512", "1024"], service);
        }
        assert.deepEqual(
            [resource(runs.devPlain, "aws:ecs/taskDefinition:TaskDefinition", "web-taskdef").inputs.cpu],
            ["256"],
            "without connects, as before",
        );
    });

    it("leaves the services that do not connect alone", () => {
        for (const service of ["worker", "docs"]) {
            assert.equal(resource(runs.devReach, "aws:ecs/service:Service", service).inputs.serviceConnectConfiguration, undefined);
            assert.deepEqual(
                resource(runs.devReach, "aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`).inputs,
                resource(runs.devPlain, "aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`).inputs,
                service,
            );
        }
        // The namespace is the stack's, calls or none: the first call neither creates it nor the last deletes it.
        assert.deepEqual(
            ofType(runs.devPlain, "aws:servicediscovery/httpNamespace:HttpNamespace").map((n) => n.inputs),
            ofType(runs.devReach, "aws:servicediscovery/httpNamespace:HttpNamespace").map((n) => n.inputs),
        );
    });

    it("grants each task role its access on exact ARNs", () => {
        const policy = JSON.parse(String(resource(runs.devReach, "aws:iam/rolePolicy:RolePolicy", "worker-task").inputs.policy));
        assert.deepEqual(policy, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Sqs0",
                    Effect: "Allow",
                    Action: [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes",
                        "sqs:GetQueueUrl",
                    ],
                    Resource: ["arn:aws:sqs:us-east-1:123456789012:jobs"],
                },
                { Sid: "Sns1", Effect: "Allow", Action: ["sns:Publish"], Resource: ["arn:aws:sns:us-east-1:123456789012:events"] },
            ],
        });
        assert.equal(has(runs.devReach, "aws:iam/rolePolicy:RolePolicy", "docs-task"), false, "no access, no task-role policy");
    });

    it("shows grants, the connections table and who calls whom", () => {
        assert.match(
            runs.devReach.stdout,
            /^Connections \(ECS Service Connect\):\ncaller {2}calls {2}port {2}as\nweb {5}api {4}8080 {2}API_URL=http:\/\/api:8080$/m,
        );
        assert.match(runs.devReach.stdout, /^worker {3}sns {10}events {19}publish {5}-$/m);
        assert.ok(runs.devReach.markdown.includes("Who calls whom:\n\n- `web` → `api`\n"), runs.devReach.markdown);
        assert.ok(
            runs.devReach.markdown.includes("| web | s3 | fleet-uploads/avatars/* | read-write | arn:aws:kms:us-east-1:123456789012:key/"),
        );
    });
});

describe("web connects to api on EC2 (prod: awsvpc, as every service in Service Connect)", () => {
    it("plans, and passes the policy", () => assert.equal(runs.prodReach.code, 0, runs.prodReach.stderr + runs.prodReach.stdout));

    it("gives the EC2 task the task size ECS requires under Service Connect: the agent's 256 CPU units and 64 MiB more", () => {
        const task = resource(runs.prodReach, "aws:ecs/taskDefinition:TaskDefinition", "api-taskdef").inputs;
        const { cpu, memory, memoryReservation } = container(runs.prodReach, "api");
        assert.deepEqual([task.cpu, task.memory], [String(cpu + 256), String(memory + 64)]);
        // Placement reserves the task size, not the soft reservation: the capacity report packs by it.
        const api = runs.prodReach.plan!.model!.services.find((s) => s.name === "api")!;
        assert.deepEqual([api.reservation, api.ec2TaskSize], [memoryReservation, { cpu: cpu + 256, memory: memory + 64 }]);
        // The memory table shows it where a Fargate service shows its Fargate size.
        const row = new RegExp(`^api +ec2 +${memoryReservation} +${memory} +${cpu} +${cpu + 256}/${memory + 64} +`, "m");
        assert.match(runs.prodReach.stdout, row);
    });

    it("runs both in awsvpc on EC2: api's group admits web's group on 8080 alone, and nothing opens the instances to each other", () => {
        const rules = ofType(runs.prodReach, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
            /-(to-|instances-connect)/.test(r.name),
        );
        const group = (service: string) => resource(runs.prodReach, "aws:ec2/securityGroup:SecurityGroup", `${service}-sg`).urn;
        assert.deepEqual(
            rules.map((r) => [
                r.name,
                r.inputs.fromPort,
                r.inputs.toPort,
                r.propertyDependencies?.securityGroupId,
                r.propertyDependencies?.referencedSecurityGroupId,
            ]),
            [["web-to-api", 8080, 8080, [group("api")], [group("web")]]],
        );
        assert.deepEqual(container(runs.prodReach, "api").portMappings, [
            { name: "api", containerPort: 8080, hostPort: 8080, protocol: "tcp", appProtocol: "http" },
        ]);
        assert.equal(resource(runs.prodReach, "aws:ecs/taskDefinition:TaskDefinition", "api-taskdef").inputs.networkMode, "awsvpc");
        assert.equal(resource(runs.prodReach, "aws:lb/targetGroup:TargetGroup", "web-tg").inputs.targetType, "ip");
    });
});

describe("fleet:dns", () => {
    it("without it, nothing of the plan has DNS or a certificate", () => {
        for (const type of [
            "aws:route53/record:Record",
            "aws:acm/certificate:Certificate",
            "aws:acm/certificateValidation:CertificateValidation",
        ]) {
            assert.equal(ofType(runs.devPlain, type).length, 0, type);
        }
        assert.equal(has(runs.devPlain, "aws:lb/listener:Listener", "fleet-dev-alb-https"), false);
    });

    it("adds records, a certificate and HTTPS, and changes nothing else", () => {
        const before = new Map(runs.devPlain.plan!.resources.map((r) => [r.urn, r]));
        const after = new Map(runs.devDns.plan!.resources.map((r) => [r.urn, r]));
        const changed = [...before.keys()].filter(
            (urn) => JSON.stringify(before.get(urn)!.inputs) !== JSON.stringify(after.get(urn)?.inputs),
        );
        const added = [...after.keys()].filter((urn) => !before.has(urn)).map((urn) => `${after.get(urn)!.type} ${after.get(urn)!.name}`);
        // The HTTP listener now redirects, and the rules move to the HTTPS listener: exactly as with a given certificate.
        assert.deepEqual(changed.map((urn) => before.get(urn)!.name).sort(), [
            "api-rule-40486fab",
            "api-rule-c3ed543c",
            "docs-rule-08cdeaa4",
            "fleet-dev-alb-http",
            "status-rule-1f44a61d",
            "web-rule-b181f42c",
        ]);
        const httpsListener = resource(runs.devDns, "aws:lb/listener:Listener", "fleet-dev-alb-https");
        for (const urn of changed.filter((u) => before.get(u)!.type === "aws:lb/listenerRule:ListenerRule")) {
            const { listenerArn: old, ...rest } = before.get(urn)!.inputs;
            const { listenerArn: moved, ...same } = after.get(urn)!.inputs;
            assert.deepEqual(same, rest);
            assert.notEqual(moved, old);
            assert.ok(after.get(urn)!.dependencies?.includes(httpsListener.urn), "forwards from the HTTPS listener");
        }
        assert.deepEqual(added.sort(), [
            "aws:acm/certificate:Certificate fleet-dev-dns-cert",
            "aws:acm/certificateValidation:CertificateValidation fleet-dev-dns-cert-validation",
            "aws:lb/listener:Listener fleet-dev-alb-https",
            "aws:route53/record:Record fleet-dev-dns-api-dev-fleet-example-com",
            "aws:route53/record:Record fleet-dev-dns-cert-wildcard-dev-fleet-example-com",
            "aws:route53/record:Record fleet-dev-dns-docs-dev-fleet-example-com",
            "aws:route53/record:Record fleet-dev-dns-status-dev-fleet-example-com",
            "aws:route53/record:Record fleet-dev-dns-www-dev-fleet-example-com",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule fleet-dev-alb-in-443",
            "fleet:dns:Dns fleet-dev-dns",
        ]);
    });

    it("points an alias A record per host at the load balancer", () => {
        const alb = resource(runs.devDns, "aws:lb/loadBalancer:LoadBalancer", "fleet-dev-alb");
        const dnsName = String(runs.devDns.plan!.outputs.albDnsName);
        assert.match(dnsName, /^fleet-dev-alb-[0-9a-f]{7}-\d+\.us-east-1\.elb\.amazonaws\.com$/);
        assert.ok(alb);
        const records = ofType(runs.devDns, "aws:route53/record:Record").filter((r) => r.inputs.type === "A");
        const zoneId = records[0].inputs.zoneId;
        assert.match(String(zoneId), /^Z[0-9A-F]{20}$/);
        assert.deepEqual(
            records.map((r) => r.inputs),
            ["api", "docs", "status", "www"].map((host) => ({
                zoneId,
                name: `${host}.dev.fleet.example.com`,
                type: "A",
                aliases: [{ name: dnsName, zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }],
                // Records made by hand before fleet:dns are taken over, not refused as existing.
                allowOverwrite: true,
            })),
        );
    });

    it("requests one wildcard certificate for the subdomain hosts, validated by DNS, and HTTPS uses it", () => {
        assert.deepEqual(resource(runs.devDns, "aws:acm/certificate:Certificate", "fleet-dev-dns-cert").inputs, {
            domainName: "*.dev.fleet.example.com",
            subjectAlternativeNames: [],
            validationMethod: "DNS",
            keyAlgorithm: "RSA_2048",
            tags: { "fleet:project": "fleet", "fleet:stack": "dev" },
        });
        const validationRecord = resource(
            runs.devDns,
            "aws:route53/record:Record",
            "fleet-dev-dns-cert-wildcard-dev-fleet-example-com",
        ).inputs;
        assert.equal(validationRecord.type, "CNAME");
        assert.match(String(validationRecord.name), /^_[0-9a-f]{32}\.dev\.fleet\.example\.com\.$/);
        const validation = resource(
            runs.devDns,
            "aws:acm/certificateValidation:CertificateValidation",
            "fleet-dev-dns-cert-validation",
        ).inputs;
        assert.deepEqual(validation.validationRecordFqdns, [String(validationRecord.name).replace(/\.$/, "")]);
        const https = resource(runs.devDns, "aws:lb/listener:Listener", "fleet-dev-alb-https").inputs;
        assert.equal(https.certificateArn, validation.certificateArn);
        assert.equal(https.protocol, "HTTPS");
        assert.deepEqual(resource(runs.devDns, "aws:lb/listener:Listener", "fleet-dev-alb-http").inputs.defaultActions, [
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
        assert.deepEqual((runs.devDns.plan!.outputs.urls as Record<string, string[]>).web, ["https://www.dev.fleet.example.com/"]);
    });
});

describe("enabled: false", () => {
    it("leaves status out of dev only: no resources, no routes", () => {
        assert.equal(has(runs.devReach, "fleet:ecs:Service", "status"), false);
        assert.equal(
            runs.devReach.plan!.resources.some((r) => r.name.startsWith("status-")),
            false,
        );
        assert.equal(
            runs.devReach.plan!.model!.rules.some((r) => r.service === "status"),
            false,
        );
        assert.deepEqual(runs.devReach.plan!.model!.disabled, ["status"]);
        assert.equal(has(runs.prodReach, "fleet:ecs:Service", "status"), true);
    });

    it("on the guarded prod stack, without fleet:retired, fails the reviewed plan naming the service", () => {
        assert.equal(runs.prodDocsOff.code, 1, runs.prodDocsOff.stdout);
        assert.match(
            runs.prodDocsOff.stdout,
            new RegExp(
                String.raw`^ {2}error: service "docs" is in the base plan of prod but ` +
                    String.raw`fleet:services\.docs\.enabled: false leaves it out of this one: that would ` +
                    String.raw`delete it from a stack that guards deletions \(fleet:protect\)\. Remove ` +
                    String.raw`enabled: false, or retire it on purpose: add fleet:retired\.docs with a reason ` +
                    String.raw`to Pulumi\.prod\.yaml\.$`,
                "m",
            ),
        );
    });

    it("with fleet:retired, retires it like a deleted entry: its log group stays", () => {
        assert.equal(runs.prodDocsRetired.code, 0, runs.prodDocsRetired.stdout + runs.prodDocsRetired.stderr);
        assert.equal(has(runs.prodDocsRetired, "aws:ecs/service:Service", "docs"), false);
        assert.equal(resource(runs.prodDocsRetired, "aws:cloudwatch/logGroup:LogGroup", "docs-logs").protect, true);
    });
});
