/**
 * `docker_inspect_service`: one service, its row and its spec.
 *
 * @module
 */

import { list } from "../../docker/swarm/api.ts";
import { opsOf, serviceRow, shortImage, visibleService } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** One service: its row and its spec (env redacted by the result's redaction). */
export const inspectService: Handler = async (ctx) => {
  const s = await visibleService(ctx, ctx.args.service_id as string);
  const running = await list(opsOf(ctx), "tasks", {
    service: [s.ID],
    "desired-state": ["running"],
  });
  const row = {
    ...serviceRow(s),
    running: running.filter((t) => t.Status?.State === "running").length,
  };
  row.replicas = `${row.running}/${row.desired}`;
  const structured = {
    ...row,
    spec: s.Spec,
    previous_image: shortImage(s.PreviousSpec?.TaskTemplate?.ContainerSpec?.Image) || null,
    update_status: s.UpdateStatus ?? null,
    created: s.CreatedAt,
    updated: s.UpdatedAt,
  };
  const c = s.Spec?.TaskTemplate?.ContainerSpec ?? {};
  return {
    structured,
    text:
      `Service ${row.name} (${row.id}): ${row.mode} ${row.replicas} running, image ${row.image}` +
      `${row.ports.length ? `, ports ${row.ports.join(",")}` : ""}` +
      `${row.update_state ? `, update ${row.update_state}` : ""}` +
      `${c.Args ? `; args ${JSON.stringify(c.Args)}` : ""}`,
  };
};
