/**
 * fleet as a library, for a Pulumi program of your own: run the whole fleet over a catalog
 * (`runFleetProgram`, with environment values your program computes and transformations for what
 * the catalog does not model), or compose its components (`deployFleet`, `Platform`, `Service`,
 * `Job`). The catalog contract is model/catalog.ts (docs/catalog.md). docs/example-program is a
 * program that creates a database beside the fleet and gives a service its address.
 */
export { runFleetProgram } from "./program";
export type { FleetOutputs, FleetProgram, FleetProgramOptions } from "./program";
export { deployFleet } from "./deploy";
export type { DeployedFleet, DeployFleetArgs, ProgramEnv } from "./deploy";
export { Platform } from "./platform";
export type { PlatformArgs, PlatformRefs } from "./platform";
export { Service } from "./service";
export type { ServiceArgs } from "./service";
export { Job } from "./job";
export type { TaskArgs } from "./task";
export type { Catalog, ServiceSpec } from "../model/catalog";
