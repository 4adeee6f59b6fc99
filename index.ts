/**
 * The Pulumi entry point: the fleet program (infra/program.ts) over the catalog in services/.
 * Every stack output is exported here.
 */
import { runFleetProgram } from "./infra/program";
import { services } from "./services";

const { outputs } = runFleetProgram(services, { root: __dirname });

export const albDnsName = outputs.albDnsName;
export const clusterName = outputs.clusterName;
/** Where each routed service answers (`<alb>` stands for the ALB's DNS name on path-only routes). */
export const urls = outputs.urls;
export const repositoryUrls = outputs.repositoryUrls;
/** The listener rules in evaluation order. */
export const routes = outputs.routes;
