/**
 * fleet from a Pulumi program of your own: a Postgres database (RDS) in the fleet's private
 * subnets, its address given to the `orders` service as environment (an Output the catalog cannot
 * hold), the same stack secret as the database's master password and the service's
 * DATABASE_PASSWORD, and a transformation for what the catalog does not model (more ephemeral
 * storage for one task). Planned by test/ownProgram.test.ts; deploy it like the fleet itself:
 * `pulumi up -s dev` from this folder.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Catalog, runFleetProgram } from "../../infra";

const services: Catalog = {
    orders: {
        image: "ghcr.io/acme/orders:3.2.0",
        port: 8080,
        routes: [{ host: "orders" }],
        memory: { reservation: 256, limit: 512 },
        env: { DATABASE_NAME: "orders", DATABASE_USER: "orders" },
        // One stack secret, fleet:ordersDbPassword: RDS's master password below, the service's through SSM.
        secrets: { DATABASE_PASSWORD: { fromConfig: "ordersDbPassword" } },
    },
};

const config = new pulumi.Config("fleet");
let database: aws.rds.Instance | undefined;
let databaseGroup: aws.ec2.SecurityGroup | undefined;

const { outputs, deployed } = runFleetProgram(services, {
    root: __dirname,
    // Called with the platform once it is declared: the database lives in its private subnets.
    env: (platform) => {
        databaseGroup = new aws.ec2.SecurityGroup("orders-db", {
            vpcId: platform.network.vpcId,
            description: "orders database: Postgres from the orders tasks only",
        });
        const subnets = new aws.rds.SubnetGroup("orders-db", { subnetIds: platform.network.privateSubnetIds });
        database = new aws.rds.Instance("orders-db", {
            engine: "postgres",
            engineVersion: "16.4",
            instanceClass: "db.t4g.micro",
            allocatedStorage: 20,
            storageEncrypted: true,
            dbName: "orders",
            username: "orders",
            password: config.requireSecret("ordersDbPassword"),
            dbSubnetGroupName: subnets.name,
            vpcSecurityGroupIds: [databaseGroup.id],
            backupRetentionPeriod: 7,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: "orders-db-final",
        });
        return { orders: { DATABASE_HOST: database.address, DATABASE_PORT: database.port.apply(String) } };
    },
    transformations: [
        // What the catalog does not model: a bigger scratch disk for one task (Fargate: 21-200 GiB).
        ({ type, name, props, opts }) =>
            type === "aws:ecs/taskDefinition:TaskDefinition" && name === "orders-taskdef"
                ? { props: { ...props, ephemeralStorage: { sizeInGib: 50 } }, opts }
                : undefined,
    ],
});

// Postgres from the orders tasks' own group alone (Fargate tasks have one).
new aws.vpc.SecurityGroupIngressRule("orders-db-from-orders", {
    securityGroupId: databaseGroup!.id,
    referencedSecurityGroupId: deployed.services.orders.securityGroupId!,
    ipProtocol: "tcp",
    fromPort: 5432,
    toPort: 5432,
    description: "Postgres from the orders tasks",
});

export const urls = outputs.urls;
export const databaseAddress = database!.address;
