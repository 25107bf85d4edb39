/**
 * `docker_inspect_node`: one node, with its resources, platform and engine labels.
 *
 * @module
 */

import { inspect } from "../../docker/swarm/api.ts";
import { nodeRow } from "../../docker/swarm/nodes.ts";
import { opsOf } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** One node: its row, plus resources, platform and engine labels. */
export const inspectNode: Handler = async (ctx) => {
  const n = await inspect(opsOf(ctx), "nodes", ctx.args.node_id as string);
  const row = nodeRow(n);
  const structured = {
    ...row,
    platform: `${n.Description?.Platform?.OS ?? ""}/${n.Description?.Platform?.Architecture ?? ""}`,
    cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
    memory_mb: Math.round((n.Description?.Resources?.MemoryBytes ?? 0) / 2 ** 20),
    engine_labels: n.Description?.Engine?.Labels ?? {},
    created: n.CreatedAt ?? "",
  };
  return {
    structured,
    text: `Node ${row.hostname} (${row.id}): ${row.role}, ${row.status}, ${row.availability}` +
      `${row.manager_status ? `, ${row.manager_status}` : ""}; ${structured.platform}, ` +
      `${structured.cpus} CPUs, ${structured.memory_mb} MiB; labels ${JSON.stringify(row.labels)}`,
  };
};
