/**
 * The rows and text tables of services and tasks, as `docker service ls` and
 * `docker service ps` show them: shared by the service, task and stack tools.
 *
 * @module
 */

import { list } from "../../docker/swarm/api.ts";
import {
  type Json,
  names,
  opsOf,
  type ServiceRow,
  serviceVisible,
} from "../../docker/swarm/services.ts";
import { type TaskRow, taskRows } from "../../docker/swarm/tasks.ts";
import { alignColumns } from "../../guard/formats.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

/** The text table of service rows. */
export function serviceTable(rows: ServiceRow[]): string {
  return alignColumns([
    ["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS", "UPDATE"],
    ...rows.map((s) => [
      s.id.slice(0, 12),
      s.name,
      s.mode,
      s.replicas,
      s.image,
      s.ports.join(",") || "-",
      s.update_state ?? "-",
    ]),
  ]).join("\n");
}

/** The text table of task rows. */
export function taskTable(rows: TaskRow[]): string {
  return alignColumns([
    ["ID", "NAME", "IMAGE", "NODE", "DESIRED", "CURRENT", "ERROR"],
    ...rows.map((t) => [
      t.id.slice(0, 12),
      t.name,
      t.image,
      t.node,
      t.desired_state,
      t.state,
      t.error ?? "",
    ]),
  ]).join("\n");
}

/** Task rows of the given filters, only of visible services; `running` keeps desired-running ones. */
export async function visibleTaskRows(
  ctx: HandlerContext,
  filters: Record<string, string[]>,
): Promise<TaskRow[]> {
  const [tasks, known] = await Promise.all([list(opsOf(ctx), "tasks", filters), names(ctx)]);
  const visible = tasks.filter((t: Json) =>
    serviceVisible(ctx, known.services.get(t.ServiceID) ?? "")
  );
  return taskRows(visible, known.services, known.nodes);
}
