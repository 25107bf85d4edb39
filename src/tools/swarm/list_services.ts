/**
 * `docker_list_services`: the visible services, like `docker service ls`.
 *
 * @module
 */

import { serviceRow, visibleServices } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { serviceTable } from "./_tables.ts";

/** Services like `docker service ls`: running/desired replicas, image, ports, update state. */
export const listServices: Handler = async (ctx) => {
  const filters = ctx.args.stack_name
    ? { label: [`com.docker.stack.namespace=${ctx.args.stack_name}`] }
    : undefined;
  const services = (await visibleServices(ctx, filters, true)).map(serviceRow)
    .sort((a, b) => a.name.localeCompare(b.name));
  return { structured: { services, count: services.length }, text: serviceTable(services) };
};
