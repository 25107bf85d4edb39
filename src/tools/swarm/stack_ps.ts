/**
 * `docker_stack_ps`: a stack's services and tasks, like `docker stack
 * services` and `docker stack ps`.
 *
 * @module
 */

import { serviceRow, visibleServices } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { byStack, noStack, stackName } from "./_stack.ts";
import { serviceTable, taskTable, visibleTaskRows } from "./_tables.ts";

/** A stack's services and tasks, like `docker stack services` and `docker stack ps`. */
export const stackPs: Handler = async (ctx) => {
  const stack = stackName(ctx);
  const services = await visibleServices(ctx, byStack(stack), true);
  if (!services.length) throw noStack(stack);
  const filters: Record<string, string[]> = { service: services.map((s) => s.ID) };
  if (ctx.args.all !== true) filters["desired-state"] = ["running", "accepted"];
  const tasks = await visibleTaskRows(ctx, filters);
  const rows = services.map(serviceRow).sort((a, b) => a.name.localeCompare(b.name));
  return {
    structured: { stack_name: stack, services: rows, tasks },
    text: `${serviceTable(rows)}\n\n${taskTable(tasks)}`,
  };
};
