/**
 * `docker_update_node`: a node's availability and labels.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { inspect, update } from "../../docker/swarm/api.ts";
import { nodeRow } from "../../docker/swarm/nodes.ts";
import { opsOf } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Availability and labels of a node (a null label value removes the label). */
export const updateNode: Handler = async (ctx) => {
  const { args } = ctx;
  if (args.availability === undefined && args.labels === undefined) {
    throw invalidInput("availability", "or 'labels' must be given", "Say what to change");
  }
  const ops = opsOf(ctx);
  const node = await inspect(ops, "nodes", args.node_id as string);
  const spec = structuredClone(node.Spec ?? {});
  if (args.availability !== undefined) spec.Availability = args.availability;
  if (args.labels !== undefined) {
    const labels = { ...(spec.Labels ?? {}) };
    for (const [k, v] of Object.entries(args.labels as Record<string, unknown>)) {
      if (v === null) delete labels[k];
      else labels[k] = String(v);
    }
    spec.Labels = labels;
  }
  await update(ops, "nodes", node.ID, node.Version.Index, spec);
  const row = nodeRow(await inspect(ops, "nodes", node.ID));
  return {
    structured: row,
    text: `Node ${row.hostname} updated: ${row.availability}, labels ${JSON.stringify(row.labels)}`,
  };
};
