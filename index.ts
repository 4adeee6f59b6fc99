/**
 * The Pulumi entry point: the fleet program (infra/program.ts) over the catalog in services/. An
 * async program, so that the listener rules this stack deployed last are read back (its own
 * `routes` output) before anything is resolved; its result is the stack outputs: albDnsName,
 * clusterName, urls, repositoryUrls and routes (infra/program.ts's FleetOutputs).
 */
import { runFleetStack } from "./infra/program";
import { services } from "./services";

export = () => runFleetStack(services, { root: __dirname });
