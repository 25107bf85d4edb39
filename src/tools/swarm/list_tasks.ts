/**
 * `docker_list_tasks`: the tasks of one service or of all visible ones, like
 * `docker service ps`.
 *
 * @module
 */

import { visibleService } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { taskTable, visibleTaskRows } from "./_tables.ts";

/** Tasks of one service (or of all visible ones): node, desired and current state, error, exit code. */
export const listTasks: Handler = async (ctx) => {
  const filters: Record<string, string[]> = {};
  if (ctx.args.service_id) {
    filters.service = [(await visibleService(ctx, ctx.args.service_id as string)).ID];
  }
  if (ctx.args.all !== true) filters["desired-state"] = ["running", "accepted"];
  const tasks = await visibleTaskRows(ctx, filters);
  return { structured: { tasks, count: tasks.length }, text: taskTable(tasks) };
};
