/**
 * `docker_prune_networks`: `POST /networks/prune`.
 *
 * @module
 */

import { encodeFilters } from "../plan.ts";
import { pruneFilters } from "./_prune.ts";
import type { Handler } from "./types.ts";

/** Removes every network no container uses (narrowed by filters). */
export const pruneNetworks: Handler = async (ctx) => {
  const filters = pruneFilters(ctx.args.filters, ["label", "label!", "until"]);
  const report = await ctx.engine.json<{ NetworksDeleted?: string[] | null }>({
    method: "POST",
    path: "/networks/prune",
    query: { filters: encodeFilters(filters) },
    signal: ctx.signal,
  });
  const deleted = report?.NetworksDeleted ?? [];
  return {
    structured: { networks_deleted: deleted },
    text: deleted.length
      ? `Deleted ${deleted.length} network(s): ${deleted.join(", ")}`
      : "No unused networks to delete",
  };
};
