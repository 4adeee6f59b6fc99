/**
 * `volumes`: per-task scratch volumes and the stack's encrypted EFS file systems. Under fleet's
 * mocks, two fleets: one unprotected, on a created VPC, with Fargate and EC2 services mounting
 * scratch volumes and a file system two of them share; one protected, on an existing VPC, with
 * retired entries keeping file systems. Exact task definition volumes and mount points, access
 * points, file systems, mount targets, NFS rules, file system policy and task-role statements; the
 * mocks refusing what AWS refuses; the guard over a plan that deletes a file system; the model
 * facts and the cost line. The invalid volumes are cases of the corpus (test/fixtures/problems).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { deployFleet } from "../infra/deploy";
import { Catalog } from "../model/catalog";
import { taskVolumeName } from "../model/naming";
import { resolveFleet } from "../model/resolve";
import { FleetMocks, installMocks } from "../plan/mocks";
import { PlanDocument, PlanResource } from "../plan/runProgram";
import { costContext, costItems } from "../review/costItems";
import { priceBook } from "../review/cost";
import { diffPlans } from "../review/diff";
import { fileSystemDeletions, retirementProblems } from "../review/guards";
import { modelSection, modelSectionVersion } from "../review/modelSection";
import { renderText, review } from "../review/render";
import { containerOf, policyOf, region, Registered } from "./harness";
import { projectRoot } from "./support/fixtures";
import { fleetInput, resolutionProblems } from "./support/fleetInput";
import { settled } from "./support/settled";

const runtime = installMocks({ project: "fleet", stack: "test", region });
const memory = { reservation: 64, limit: 128 };

function resolved(catalog: Catalog, config: Record<string, unknown>, stack = "test") {
    const result = resolveFleet(catalog, fleetInput(config, { stack, region }));
    if (!result.ok) assert.fail(result.errors.join("\n"));
    return result.fleet;
}

// Unprotected, on a created VPC of three zones: Fargate and EC2 services, scratch and EFS.
const dev = resolved(
    {
        cache: { image: "redis:7.4", port: 6379, memory, user: "999:999", volumes: { "/data": "scratch" } },
        worker: { image: "busybox:1.36", command: ["sh", "-c", "sleep 3600"], memory, capacity: "ec2", volumes: { "/work": "scratch" } },
        postgres: {
            image: "postgres:16.4",
            port: 5432,
            memory,
            user: "999:999",
            secrets: { POSTGRES_PASSWORD: { generate: { length: 32 } } },
            volumes: { "/var/lib/postgresql/data": { efs: "pgdata" } },
        },
        // Shares pgdata, from EC2, as the default user 1000; and a scratch path written with a trailing slash.
        reporter: { image: "busybox:1.36", memory, capacity: "ec2", volumes: { "/reports": { efs: "pgdata" }, "/cache/": "scratch" } },
        web: {
            image: "nginx:1.27",
            port: 8080,
            memory,
            access: { s3: { "acme-media": "read" } },
            volumes: { "/srv/media": { efs: "media" } },
        },
    },
    {
        network: { natGateways: "single", availabilityZones: 3 },
        cluster: { defaultCapacity: "fargate", ec2: { instanceType: "t3.medium", minSize: 0, maxSize: 2 } },
    },
);

// Protected, on an existing VPC: a live file system, one kept by a retired entry, one released.
const privateSubnetIds = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0bbbbbbbbbbbbbbb3"];
const prod = resolved(
    { keeper: { image: "nginx:1.27", memory, user: "1000:1000", volumes: { "/vault": { efs: "vault" } } } },
    {
        network: {
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
            privateSubnetIds,
        },
        protect: true,
        retired: {
            olddb: { reason: "folded into the keeper service", fileSystems: ["archive", "vault"] },
            gone: { reason: "its reports moved to the warehouse", fileSystems: ["scrap"], release: true },
        },
    },
    "prod",
);

deployFleet(dev, { configSecrets: {} });
deployFleet(prod, { configSecrets: {} });

let registered: Registered;
before(async () => (registered = await settled(runtime)));

const one = (type: string, name: string) => registered.one(type, name);
const taskDefinition = (service: string) => one("aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`);
const ecsService = (service: string) => one("aws:ecs/service:Service", service);
const serviceGroup = (service: string) =>
    (ecsService(service).inputs.networkConfiguration as { securityGroups: string[] }).securityGroups[0];
const mountTargets = (fileSystem: string) =>
    registered.all("aws:efs/mountTarget:MountTarget").filter((r) => r.name.startsWith(`${fileSystem}-mount-`));
const fileSystemId = (fileSystem: string) => String(mountTargets(fileSystem)[0].inputs.fileSystemId);
const fileSystemGroup = (fileSystem: string) => (mountTargets(fileSystem)[0].inputs.securityGroups as string[])[0];
const fileSystemArn = (fileSystem: string) => `arn:aws:elasticfilesystem:${region}:123456789012:file-system/${fileSystemId(fileSystem)}`;
const accessPointId = (service: string) =>
    (taskDefinition(service).inputs.volumes as { efsVolumeConfiguration?: { authorizationConfig: { accessPointId: string } } }[]).find(
        (v) => v.efsVolumeConfiguration,
    )!.efsVolumeConfiguration!.authorizationConfig.accessPointId;

describe("scratch volumes", () => {
    it("are task definition volumes without a host, mounted writable at their path, on Fargate and EC2", () => {
        assert.deepEqual(taskDefinition("cache").inputs.volumes, [{ name: "data-bd47413b" }]);
        assert.deepEqual(containerOf(taskDefinition("cache")).mountPoints, [
            { sourceVolume: "data-bd47413b", containerPath: "/data", readOnly: false },
        ]);
        assert.equal(taskDefinition("worker").inputs.networkMode, "bridge");
        assert.deepEqual(taskDefinition("worker").inputs.volumes, [{ name: "work-0c9a453f" }]);
        assert.deepEqual(containerOf(taskDefinition("worker")).mountPoints, [
            { sourceVolume: "work-0c9a453f", containerPath: "/work", readOnly: false },
        ]);
    });

    it("leave the root filesystem read-only, with fleet's tmpfs at /tmp", () => {
        const container = containerOf(taskDefinition("cache"));
        assert.equal(container.readonlyRootFilesystem, true);
        assert.deepEqual(
            container.linuxParameters.tmpfs.map((t: { containerPath: string }) => t.containerPath),
            ["/tmp"],
        );
        assert.equal(container.user, "999:999");
    });

    it("are named from their path: deterministic, distinct, within ECS's rule (255 of A-Z a-z 0-9 _ -)", () => {
        assert.equal(taskVolumeName("/var/lib/postgresql/data"), "var-lib-postgresql-data-dc8f97c3");
        const names = ["/a-b", "/a/b", "/a.b"].map(taskVolumeName);
        assert.deepEqual(names, ["a-b-590bb8f6", "a-b-662b7b62", "a-b-3f1dd2c9"]);
        const long = taskVolumeName(`/${"x".repeat(300)}`);
        assert.match(long, /^[A-Za-z0-9_-]{1,255}$/);
        assert.equal(long.length, 209);
    });

    it("leave a service without volumes as it was: no volumes, no mount points", () => {
        const fleet = resolved({ api: { image: "nginx:1.27", memory } }, { network: { natGateways: "single" } });
        assert.deepEqual(fleet.services[0].volumes, []);
        assert.deepEqual(fleet.fileSystems, []);
    });
});

describe("EFS volumes", () => {
    it("mount the file system through the service's access point, with TLS and IAM authorisation, no root directory", () => {
        assert.deepEqual(taskDefinition("postgres").inputs.volumes, [
            {
                name: "var-lib-postgresql-data-dc8f97c3",
                efsVolumeConfiguration: {
                    fileSystemId: fileSystemId("fleet-test-efs-pgdata"),
                    transitEncryption: "ENABLED",
                    authorizationConfig: { accessPointId: accessPointId("postgres"), iam: "ENABLED" },
                },
            },
        ]);
        assert.deepEqual(containerOf(taskDefinition("postgres")).mountPoints, [
            { sourceVolume: "var-lib-postgresql-data-dc8f97c3", containerPath: "/var/lib/postgresql/data", readOnly: false },
        ]);
        // EC2 (bridge) tasks mount the same way, next to a scratch volume; sorted by path.
        assert.deepEqual(taskDefinition("reporter").inputs.volumes, [
            { name: "cache-4f7cfe6f" },
            {
                name: "reports-420499c2",
                efsVolumeConfiguration: {
                    fileSystemId: fileSystemId("fleet-test-efs-pgdata"),
                    transitEncryption: "ENABLED",
                    authorizationConfig: { accessPointId: accessPointId("reporter"), iam: "ENABLED" },
                },
            },
        ]);
        assert.deepEqual(containerOf(taskDefinition("reporter")).mountPoints, [
            { sourceVolume: "cache-4f7cfe6f", containerPath: "/cache", readOnly: false },
            { sourceVolume: "reports-420499c2", containerPath: "/reports", readOnly: false },
        ]);
        assert.match(accessPointId("postgres"), /^fsap-[0-9a-f]{17}$/);
        assert.match(fileSystemId("fleet-test-efs-pgdata"), /^fs-[0-9a-f]{17}$/);
    });

    it("give each service an access point of its own, as its numeric user, rooted at /<service> created 0750", () => {
        const accessPoint = one("aws:efs/accessPoint:AccessPoint", "postgres-efs-pgdata");
        assert.deepEqual(accessPoint.inputs, {
            fileSystemId: fileSystemId("fleet-test-efs-pgdata"),
            posixUser: { uid: 999, gid: 999 },
            rootDirectory: { path: "/postgres", creationInfo: { ownerUid: 999, ownerGid: 999, permissions: "0750" } },
            tags: { Name: "fleet-test-postgres-pgdata", "fleet:project": "fleet", "fleet:stack": "test", "fleet:service": "postgres" },
        });
        assert.equal(accessPoint.parent, one("fleet:ecs:Service", "postgres").urn);
        // The default user "1000" writes as 1000:1000.
        assert.deepEqual(one("aws:efs/accessPoint:AccessPoint", "reporter-efs-pgdata").inputs.posixUser, { uid: 1000, gid: 1000 });
        assert.deepEqual(
            (one("aws:efs/accessPoint:AccessPoint", "reporter-efs-pgdata").inputs.rootDirectory as { path: string }).path,
            "/reporter",
        );
    });

    it("let two services share one file system, each through its own access point", () => {
        assert.deepEqual(
            registered
                .all("aws:efs/fileSystem:FileSystem")
                .map((r) => r.name)
                .sort(),
            ["fleet-prod-efs-archive", "fleet-prod-efs-scrap", "fleet-prod-efs-vault", "fleet-test-efs-media", "fleet-test-efs-pgdata"],
        );
        const pgdata = registered
            .all("aws:efs/accessPoint:AccessPoint")
            .filter((r) => r.inputs.fileSystemId === fileSystemId("fleet-test-efs-pgdata"));
        assert.deepEqual(pgdata.map((r) => r.name).sort(), ["postgres-efs-pgdata", "reporter-efs-pgdata"]);
        assert.deepEqual(dev.fileSystems, [
            { name: "media", services: ["web"], instances: false, keptBy: [], protect: false },
            { name: "pgdata", services: ["postgres", "reporter"], instances: true, keptBy: [], protect: false },
        ]);
    });

    it("create the file system encrypted with the stack's key, under the platform", () => {
        const fileSystem = one("aws:efs/fileSystem:FileSystem", "fleet-test-efs-pgdata");
        const stackKey = one("aws:ssm/parameter:Parameter", "postgres-POSTGRES_PASSWORD").inputs.keyId;
        assert.match(String(stackKey), /^arn:aws:kms:eu-west-1:123456789012:key\//);
        assert.deepEqual(fileSystem.inputs, {
            encrypted: true,
            kmsKeyId: stackKey,
            performanceMode: "generalPurpose",
            throughputMode: "elastic",
            tags: { Name: "fleet-test-pgdata", "fleet:project": "fleet", "fleet:stack": "test" },
        });
        assert.equal(fileSystem.parent, one("fleet:efs:FileSystem", "fleet-test-efs-pgdata").urn);
        assert.equal(one("fleet:efs:FileSystem", "fleet-test-efs-pgdata").parent, one("fleet:platform:Platform", "fleet-test").urn);
    });

    it("put one mount target in each private subnet, behind the file system's own group", () => {
        const subnets = (ecsService("postgres").inputs.networkConfiguration as { subnets: string[] }).subnets;
        assert.equal(subnets.length, 3);
        assert.deepEqual(
            mountTargets("fleet-test-efs-pgdata").map((m) => [m.name, m.inputs]),
            subnets.map((subnetId, i) => [
                `fleet-test-efs-pgdata-mount-${i + 1}`,
                {
                    fileSystemId: fileSystemId("fleet-test-efs-pgdata"),
                    subnetId,
                    securityGroups: [fileSystemGroup("fleet-test-efs-pgdata")],
                },
            ]),
        );
        // An existing VPC: its private subnets, in order.
        assert.deepEqual(
            mountTargets("fleet-prod-efs-vault").map((m) => m.inputs.subnetId),
            privateSubnetIds,
        );
        assert.deepEqual(one("aws:ec2/securityGroup:SecurityGroup", "fleet-test-efs-pgdata-sg").inputs, {
            vpcId: one("aws:ec2/securityGroup:SecurityGroup", "postgres-sg").inputs.vpcId,
            description: "fleet: NFS mount targets of file system pgdata",
            tags: { "fleet:project": "fleet", "fleet:stack": "test" },
        });
    });

    it("open NFS (TCP 2049) to exactly the mounting groups: each Fargate service's, the instances' once", () => {
        const nfs = registered
            .all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter((r) => r.inputs.fromPort === 2049 || r.inputs.toPort === 2049);
        const instances = String(
            one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "fleet-test-instances-from-alb").inputs.securityGroupId,
        );
        const rule = (securityGroupId: string, referencedSecurityGroupId: string, description: string) => ({
            securityGroupId,
            referencedSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: 2049,
            toPort: 2049,
            description,
        });
        assert.deepEqual(Object.fromEntries(nfs.map((r) => [r.name, r.inputs])), {
            "postgres-nfs-pgdata": rule(
                fileSystemGroup("fleet-test-efs-pgdata"),
                serviceGroup("postgres"),
                "NFS from postgres to file system pgdata",
            ),
            "web-nfs-media": rule(fileSystemGroup("fleet-test-efs-media"), serviceGroup("web"), "NFS from web to file system media"),
            "fleet-test-efs-pgdata-from-instances": rule(
                fileSystemGroup("fleet-test-efs-pgdata"),
                instances,
                "NFS from the container instances (tasks on EC2 capacity)",
            ),
            "keeper-nfs-vault": rule(
                fileSystemGroup("fleet-prod-efs-vault"),
                serviceGroup("keeper"),
                "NFS from keeper to file system vault",
            ),
        });
        // A service's rule is its child: adding a mounting service changes that service alone.
        assert.equal(
            one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "postgres-nfs-pgdata").parent,
            one("fleet:ecs:Service", "postgres").urn,
        );
        assert.equal(
            one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "fleet-test-efs-pgdata-from-instances").parent,
            one("fleet:efs:FileSystem", "fleet-test-efs-pgdata").urn,
        );
    });

    it("hold the file system to TLS and to mounting through a mount target, never as root", () => {
        const policy = one("aws:efs/fileSystemPolicy:FileSystemPolicy", "fleet-test-efs-pgdata-policy");
        assert.equal(policy.inputs.fileSystemId, fileSystemId("fleet-test-efs-pgdata"));
        assert.deepEqual(policyOf(policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "MountThroughMountTargets",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:root" },
                    Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    Resource: fileSystemArn("fleet-test-efs-pgdata"),
                    Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
                },
                {
                    Sid: "DenyWithoutTls",
                    Effect: "Deny",
                    Principal: { AWS: "*" },
                    Action: "*",
                    Resource: fileSystemArn("fleet-test-efs-pgdata"),
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
    });

    it("let the task role mount and write exactly its file system, through its access point only", () => {
        const efsStatement = (fileSystem: string, service: string, sid = "Efs0") => ({
            Sid: sid,
            Effect: "Allow",
            Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            Resource: [fileSystemArn(fileSystem)],
            Condition: {
                StringEquals: {
                    "elasticfilesystem:AccessPointArn":
                        `arn:aws:elasticfilesystem:${region}:123456789012:` + `access-point/${accessPointId(service)}`,
                },
            },
        });
        assert.deepEqual(policyOf(one("aws:iam/rolePolicy:RolePolicy", "postgres-task")).Statement, [
            efsStatement("fleet-test-efs-pgdata", "postgres"),
        ]);
        // After the service's access grants.
        const web = policyOf(one("aws:iam/rolePolicy:RolePolicy", "web-task")).Statement;
        assert.deepEqual(
            web.map((s) => s.Sid),
            ["S30Objects", "S30List", "Efs0"],
        );
        assert.deepEqual(web[2], efsStatement("fleet-test-efs-media", "web"));
        // No file system, no grants: no task-role policy (as before volumes).
        assert.equal(registered.has("aws:iam/rolePolicy:RolePolicy", "cache-task"), false);
    });

    it("start the ECS service only once the mount targets exist", () => {
        for (const [service, fileSystem] of [
            ["postgres", "fleet-test-efs-pgdata"],
            ["reporter", "fleet-test-efs-pgdata"],
        ]) {
            const dependencies = ecsService(service).dependencies;
            for (const target of mountTargets(fileSystem))
                assert.ok(dependencies.includes(target.urn), `${service} waits for ${target.name}`);
        }
        assert.equal(
            ecsService("cache").dependencies.some((urn) => urn.includes("MountTarget")),
            false,
        );
    });
});

describe("protected and retired file systems", () => {
    const fileSystem = (name: string) => one("aws:efs/fileSystem:FileSystem", name);

    it("are protected where the stack protects, unless only a released retired entry keeps them", () => {
        assert.equal(fileSystem("fleet-prod-efs-vault").protect, true);
        assert.equal(fileSystem("fleet-prod-efs-archive").protect, true);
        assert.equal(fileSystem("fleet-prod-efs-scrap").protect, false);
        assert.equal(fileSystem("fleet-test-efs-pgdata").protect, false);
        assert.deepEqual(prod.fileSystems, [
            { name: "archive", services: [], instances: false, keptBy: ["olddb"], protect: true },
            { name: "scrap", services: [], instances: false, keptBy: ["gone"], protect: false },
            { name: "vault", services: ["keeper"], instances: false, keptBy: ["olddb"], protect: true },
        ]);
        // The mount targets and policy hold no files: never protected.
        assert.equal(
            mountTargets("fleet-prod-efs-archive").every((m) => !m.protect),
            true,
        );
        assert.deepEqual(
            prod.retired.map((r) => [r.name, r.fileSystems]),
            [
                ["gone", ["scrap"]],
                ["olddb", ["archive", "vault"]],
            ],
        );
    });
});

describe("volumes that are accepted", () => {
    const config = { network: { natGateways: "single" } };

    it("/tmp, when fleet mounts no tmpfs there (a writable root filesystem)", () => {
        const catalog = {
            db: {
                image: "postgres:16.4",
                memory,
                user: "999:999",
                volumes: { "/tmp": "scratch" },
                optOut: { readonlyRootFilesystem: "the image writes its pid file" },
            },
        };
        assert.deepEqual(resolutionProblems(catalog, config), []);
    });

    it("grants whose task-role policy fits IAM's quota without mounts (with 12 mounts it does not: the corpus)", () => {
        // 40 grants of long queue ARNs fit alone; their mounts' statements push the role over 10,240 characters.
        const queues = Object.fromEntries(
            Array.from({ length: 40 }, (_, i) => [`arn:aws:sqs:eu-west-1:123456789012:${"q".repeat(60)}${i}`, "send"]),
        );
        assert.deepEqual(resolutionProblems({ db: { image: "postgres:16.4", memory, access: { sqs: queues } } }, config), []);
    });
});

describe("the mocks refuse what AWS refuses", () => {
    const mocks = new FleetMocks(region);
    const register =
        (type: string, inputs: Record<string, unknown>, name = "x") =>
        () =>
            mocks.newResource({ type, name, inputs, custom: true });
    const taskDefinition = (volumes: unknown[], mountPoints: unknown[] = []) =>
        register("aws:ecs/taskDefinition:TaskDefinition", {
            family: "fleet-test-x",
            containerDefinitions: JSON.stringify([{ name: "x", mountPoints }]),
            volumes,
        });
    const efsVolume = (config: Record<string, unknown>) => ({
        name: "v",
        efsVolumeConfiguration: { fileSystemId: "fs-0123456789abcdef0", ...config },
    });
    const authorization = { accessPointId: "fsap-0123456789abcdef0", iam: "ENABLED" };
    const accessPoint = (inputs: Record<string, unknown>) =>
        register("aws:efs/accessPoint:AccessPoint", {
            fileSystemId: "fs-0123456789abcdef0",
            posixUser: { uid: 1000, gid: 1000 },
            rootDirectory: { path: "/x", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0750" } },
            ...inputs,
        });
    const ecsVolume = "ECS API Volume, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html";
    const ecsMount = "ECS API MountPoint, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html";
    const ecsAuth =
        "ECS API EFSAuthorizationConfig, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html";
    const refused = (type: string, problem: string, source: string) => ({ message: `fleet mocks: ${type} "x": ${problem} — ${source}` });
    const td = "aws:ecs/taskDefinition:TaskDefinition";
    const ap = "aws:efs/accessPoint:AccessPoint";

    it("accept what fleet registers", () => {
        assert.doesNotThrow(
            taskDefinition(
                [{ name: "data-bd47413b" }, efsVolume({ transitEncryption: "ENABLED", authorizationConfig: authorization })],
                [{ sourceVolume: "data-bd47413b", containerPath: "/data", readOnly: false }],
            ),
        );
        assert.doesNotThrow(accessPoint({}));
        assert.doesNotThrow(
            register("aws:efs/fileSystem:FileSystem", { encrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }),
        );
    });

    it("refuse IAM authorisation or an access point without transit encryption (ECS EFSAuthorizationConfig)", () => {
        assert.throws(
            taskDefinition([efsVolume({ authorizationConfig: authorization })]),
            refused(td, 'volume "v" uses IAM authorisation or an access point without transitEncryption ENABLED', ecsAuth),
        );
        assert.throws(
            taskDefinition([
                efsVolume({ transitEncryption: "DISABLED", authorizationConfig: { accessPointId: "fsap-0123456789abcdef0" } }),
            ]),
            refused(td, 'volume "v" uses IAM authorisation or an access point without transitEncryption ENABLED', ecsAuth),
        );
    });

    it("refuse a root directory other than / with an access point (ECS EFSAuthorizationConfig)", () => {
        assert.doesNotThrow(
            taskDefinition([efsVolume({ transitEncryption: "ENABLED", rootDirectory: "/", authorizationConfig: authorization })]),
        );
        assert.throws(
            taskDefinition([efsVolume({ transitEncryption: "ENABLED", rootDirectory: "/data", authorizationConfig: authorization })]),
            refused(td, 'volume "v" sets rootDirectory "/data" with an access point (omit it, or "/")', ecsAuth),
        );
    });

    it("refuse a mount point naming no volume of the task, or at a relative path (ECS MountPoint)", () => {
        assert.throws(
            taskDefinition([{ name: "data" }], [{ sourceVolume: "other", containerPath: "/data", readOnly: false }]),
            refused(td, 'container x mounts "other", which is not a volume of the task', ecsMount),
        );
        assert.throws(
            taskDefinition([{ name: "data" }], [{ sourceVolume: "data", containerPath: "data", readOnly: false }]),
            refused(td, 'container x mounts at "data", not an absolute path', ecsMount),
        );
    });

    it("refuse volume names outside ECS's rule, and a name used twice (ECS Volume)", () => {
        assert.throws(
            taskDefinition([{ name: "var/lib" }]),
            refused(td, 'volume name "var/lib" is not 1-255 letters, digits, _ and -', ecsVolume),
        );
        assert.throws(taskDefinition([{ name: "a" }, { name: "a" }]), refused(td, 'volume name "a" is used twice', ecsVolume));
    });

    it("refuse a KMS key without encrypted: true (EFS CreateFileSystem)", () => {
        assert.throws(
            register("aws:efs/fileSystem:FileSystem", { kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }),
            refused(
                "aws:efs/fileSystem:FileSystem",
                "kmsKeyId is set without encrypted: true",
                "EFS API CreateFileSystem, https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html",
            ),
        );
    });

    it("refuse access points outside EFS's ranges and forms (EFS PosixUser, CreationInfo, RootDirectory)", () => {
        const posix = "EFS API PosixUser, https://docs.aws.amazon.com/efs/latest/ug/API_PosixUser.html";
        const creation = "EFS API CreationInfo, https://docs.aws.amazon.com/efs/latest/ug/API_CreationInfo.html";
        const root = "EFS API RootDirectory, https://docs.aws.amazon.com/efs/latest/ug/API_RootDirectory.html";
        assert.throws(
            accessPoint({ posixUser: { uid: 4294967296, gid: 1000 } }),
            refused(ap, "posixUser.uid 4294967296 is not a whole number from 0 to 4294967295", posix),
        );
        assert.throws(
            accessPoint({ rootDirectory: { path: "/x", creationInfo: { ownerUid: 1000, permissions: "0750" } } }),
            refused(ap, "rootDirectory.creationInfo lacks ownerGid (all three are required)", creation),
        );
        assert.throws(
            accessPoint({ rootDirectory: { path: "/x", creationInfo: { ownerUid: -1, ownerGid: 1000, permissions: "0750" } } }),
            refused(ap, "rootDirectory.creationInfo.ownerUid -1 is not a whole number from 0 to 4294967295", creation),
        );
        assert.throws(
            accessPoint({ rootDirectory: { path: "/x", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "rwxr-x---" } } }),
            refused(ap, 'rootDirectory.creationInfo.permissions "rwxr-x---" is not 3-4 octal digits', creation),
        );
        for (const path of ["/a/b/c/d/e", `/${"x".repeat(100)}`, "/.hidden", "x"]) {
            assert.throws(
                accessPoint({ rootDirectory: { path, creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0750" } } }),
                refused(ap, `rootDirectory.path ${JSON.stringify(path)} is not 1-100 characters of up to four directories under /`, root),
            );
        }
    });

    it("refuse a second mount target of a file system in one subnet (EFS CreateMountTarget)", () => {
        const target = (name: string) =>
            register(
                "aws:efs/mountTarget:MountTarget",
                { fileSystemId: "fs-0aaaaaaaaaaaaaaaa", subnetId: "subnet-0a", securityGroups: ["sg-1"] },
                name,
            );
        assert.doesNotThrow(target("first"));
        assert.throws(target("second"), {
            message:
                'fleet mocks: aws:efs/mountTarget:MountTarget "second": a second mount target of the file system in subnet subnet-0a ' +
                "(one per Availability Zone) — EFS API CreateMountTarget, " +
                "https://docs.aws.amazon.com/efs/latest/ug/API_CreateMountTarget.html",
        });
    });

    it("fake EFS ids and ARNs as AWS makes them", () => {
        const fileSystem = mocks.newResource({
            type: "aws:efs/fileSystem:FileSystem",
            name: "shown",
            inputs: { encrypted: true },
            custom: true,
        });
        assert.match(fileSystem.id, /^fs-[0-9a-f]{17}$/);
        assert.equal(fileSystem.state.arn, `arn:aws:elasticfilesystem:${region}:123456789012:file-system/${fileSystem.id}`);
        const point = mocks.newResource({ type: ap, name: "shown", inputs: { fileSystemId: fileSystem.id }, custom: true });
        assert.match(point.id, /^fsap-[0-9a-f]{17}$/);
        assert.equal(point.state.arn, `arn:aws:elasticfilesystem:${region}:123456789012:access-point/${point.id}`);
    });
});

describe("a plan that deletes a file system", () => {
    const platform = "urn:pulumi:prod::fleet::fleet:platform:Platform::fleet-prod";
    const service = (name: string) => `urn:pulumi:prod::fleet::fleet:ecs:Service::${name}`;
    const resource = (urn: string, type: string, parent: string | undefined, protect = false): PlanResource => ({
        urn,
        type,
        name: urn.split("::").pop()!,
        parent,
        inputs: {},
        protect,
        ignoreChanges: [],
    });
    const fileSystem = (protect: boolean) =>
        resource(
            `${platform}$fleet:efs:FileSystem$aws:efs/fileSystem:FileSystem::fleet-prod-efs-pgdata`,
            "aws:efs/fileSystem:FileSystem",
            platform,
            protect,
        );
    const base = (protect: boolean): PlanDocument => ({
        project: "fleet",
        stack: "prod",
        outputs: {},
        config: {},
        resources: [
            resource(platform, "fleet:platform:Platform", undefined),
            fileSystem(protect),
            resource(service("db"), "fleet:ecs:Service", undefined),
            resource(`${service("db")}$aws:efs/accessPoint:AccessPoint::db-efs-pgdata`, "aws:efs/accessPoint:AccessPoint", service("db")),
        ],
    });
    const head = (config: Record<string, string>): PlanDocument => ({
        project: "fleet",
        stack: "prod",
        outputs: {},
        config,
        // The plan under review is this fleet's: it has a model section (nothing in it matters here).
        model: { version: modelSectionVersion, platform: { region: "us-east-1", availabilityZones: 2 }, services: [], rules: [] },
        // A retired service stays a component of the plan (infra/retired.ts), holding what it keeps.
        resources: [resource(platform, "fleet:platform:Platform", undefined), resource(service("db"), "fleet:ecs:Service", undefined)],
    });
    const retiredDb = (entry: Record<string, unknown>) => ({
        "fleet:retired": JSON.stringify({ db: { reason: "folded into the api", ...entry } }),
    });

    it("is refused when the base protects it, naming the file system and the entry that keeps it", () => {
        assert.deepEqual(retirementProblems(base(true), head({ "fleet:protect": "true", ...retiredDb({}) })), [
            'file system "pgdata" (aws:efs/fileSystem:FileSystem "fleet-prod-efs-pgdata") is protected in the base plan of prod and ' +
                "this plan deletes it with every file on it: no service of this plan mounts it and no fleet:retired entry keeps it. " +
                "Keep it: list it under fleet:retired.db.fileSystems in Pulumi.prod.yaml. To delete it on purpose, unprotect it in " +
                "one update (release: true on that entry), then remove it in the next.",
        ]);
    });

    it("is refused when the retired service that mounted it keeps its state but not the file system", () => {
        assert.deepEqual(retirementProblems(base(false), head(retiredDb({}))), [
            'retired service "db" mounted the file system "pgdata" (aws:efs/fileSystem:FileSystem "fleet-prod-efs-pgdata"), which ' +
                "this plan deletes with every file on it: list it under fleet:retired.db.fileSystems in Pulumi.prod.yaml to keep it, " +
                "or release: true to let it go.",
        ]);
        assert.deepEqual(retirementProblems(base(false), head(retiredDb({ release: true }))), []);
    });

    it("is named loudly in an unprotected stack: a warning that its files are lost, and on its removal", () => {
        const deletions = fileSystemDeletions(base(false), head({}));
        assert.deepEqual(deletions, {
            problems: [],
            lost: ["pgdata"],
            warnings: [
                'file system "pgdata" (aws:efs/fileSystem:FileSystem "fleet-prod-efs-pgdata") is deleted by this plan, and every ' +
                    "file on it is lost (it was mounted by db). To keep it, mount it from a service or list it under " +
                    "fleet:retired.db.fileSystems in Pulumi.prod.yaml.",
            ],
        });
        const text = renderText(review(head({}), base(false), { now: new Date("2026-01-05T00:00:00Z") }));
        assert.match(text, /^ {2}files lost {9}file system pgdata deleted with every file on it \(see Warnings\)$/m);
        assert.match(
            text,
            /^ {2}! file system "pgdata" \(aws:efs\/fileSystem:FileSystem "fleet-prod-efs-pgdata"\) is deleted by this plan/m,
        );
        const removal = diffPlans(base(false), head({}))
            .groups.flatMap((g) => g.changes)
            .find((c) => c.type === "aws:efs/fileSystem:FileSystem");
        assert.deepEqual(removal?.warnings, ["deleted with every file on it"]);
    });
});

describe("the review", () => {
    it("lists each service's volumes in the model facts", () => {
        const facts = modelSection(dev, region).services;
        assert.deepEqual(facts.find((s) => s.name === "reporter")?.volumes, [
            { path: "/cache", kind: "scratch" },
            { path: "/reports", kind: "efs", fileSystem: "pgdata", uid: 1000, gid: 1000 },
        ]);
        assert.deepEqual(facts.find((s) => s.name === "cache")?.volumes, [{ path: "/data", kind: "scratch" }]);
    });

    it("prices file systems as a line not estimated, with the price and where it comes from", () => {
        const plan: PlanDocument = { project: "fleet", stack: "test", outputs: {}, config: {}, resources: runtime.resources };
        const context = costContext(plan);
        assert.equal(context.efsFileSystems, 5);
        const facts = { stack: "test", platform: { region: "us-east-1", availabilityZones: 2, loadBalancers: 1 }, services: [], rules: [] };
        const line = costItems(facts, context, 0, priceBook, priceBook.regions["us-east-1"]).find((i) => i.item === "EFS file systems");
        assert.deepEqual(line, {
            item: "EFS file systems",
            monthly: null,
            detail:
                "not estimated: 5 encrypted file system(s), billed by the data they hold and move, which the plan cannot know " +
                "(Standard storage $0.30 per GB-month; elastic throughput $0.03 per GB read and $0.06 per GB written, " +
                "from https://aws.amazon.com/efs/pricing/)",
            inComparisons: true,
        });
    });
});

describe("the volumes examples of docs/services.md", () => {
    it("resolve as written: Redis on a scratch /data as its image's user, Postgres on EFS", () => {
        const page = fs.readFileSync(path.join(projectRoot, "docs", "services.md"), "utf8");
        const start = page.indexOf("## Volumes");
        const section = page.slice(start, page.indexOf("\n## ", start + 1));
        const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
        assert.equal(blocks.length, 2, "two ts blocks under ## Volumes");
        const catalog = Object.assign({}, ...blocks.map((block) => new Function(`return ({${block}});`)())) as Catalog;
        const fleet = resolved(catalog, { network: { natGateways: "single" } });
        assert.deepEqual(
            fleet.services.map((s) => [s.name, s.security.user, s.volumes]),
            [
                [
                    "postgres",
                    "999:999",
                    [
                        {
                            path: "/var/lib/postgresql/data",
                            kind: "efs",
                            fileSystem: "pgdata",
                            volumeName: "var-lib-postgresql-data-dc8f97c3",
                            uid: 999,
                            gid: 999,
                        },
                    ],
                ],
                ["redis", "999:999", [{ path: "/data", kind: "scratch", volumeName: "data-bd47413b" }]],
            ],
        );
    });
});
