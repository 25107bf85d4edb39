/**
 * `docker_prune_networks`: the engine's network prune.
 *
 * @module
 */

import { encodeFilters, networks } from "../../engine/ops/mod.ts";
import { postPrune, pruneFilters } from "../../docker/prune.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Removes every network no container uses (narrowed by filters). */
export const pruneNetworks: Handler = async (ctx) => {
  const filters = pruneFilters(ctx.args.filters, ["label", "label!", "until"]);
  const report = await postPrune<{ NetworksDeleted?: string[] | null }>(
    ctx,
    networks.prune({ filters: encodeFilters(filters) }),
  );
  const deleted = report?.NetworksDeleted ?? [];
  return {
    structured: { networks_deleted: deleted },
    text: deleted.length
      ? `Deleted ${deleted.length} network(s): ${deleted.join(", ")}`
      : "No unused networks to delete",
  };
};
