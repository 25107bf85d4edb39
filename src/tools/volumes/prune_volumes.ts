/**
 * `docker_prune_volumes`: unused anonymous volumes, or named ones too with
 * `all`, on every API version (see {@link pruneVolumes}).
 *
 * @module
 */

import { counted, formatBytes } from "../../guard/formats.ts";
import { mbOf, pruneFilters, pruneVolumes } from "../../docker/prune.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Removes unused volumes. */
export const pruneVolumesHandler: Handler = async (ctx) => {
  const filters = pruneFilters(ctx.args.filters, ["label", "label!"]);
  const all = ctx.args.all === true;
  const result = await pruneVolumes(ctx, all, filters);
  return {
    structured: { volumes_deleted: result.deleted, space_reclaimed_mb: mbOf(result.bytes) },
    text: result.deleted.length
      ? `Deleted ${counted(result.deleted.length, all ? "volumes" : "anonymous volumes")}, ` +
        `reclaimed ${formatBytes(result.bytes)}: ${result.deleted.join(", ")}`
      : `No unused ${all ? "" : "anonymous "}volumes to delete`,
  };
};
