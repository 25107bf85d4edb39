/**
 * `docker_list_nodes`: the swarm's nodes, like `docker node ls`.
 *
 * @module
 */

import { list } from "../../docker/swarm/api.ts";
import { nodeRow } from "../../docker/swarm/nodes.ts";
import { opsOf } from "../../docker/swarm/services.ts";
import { alignColumns } from "../../guard/formats.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Nodes like `docker node ls`. */
export const listNodes: Handler = async (ctx) => {
  const nodes = (await list(opsOf(ctx), "nodes")).map(nodeRow);
  const table = alignColumns([
    ["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER", "ENGINE"],
    ...nodes.map((n) => [
      n.id.slice(0, 12),
      n.hostname,
      n.status,
      n.availability,
      n.manager_status ?? "-",
      n.engine_version,
    ]),
  ]);
  return { structured: { nodes, count: nodes.length }, text: table.join("\n") };
};
