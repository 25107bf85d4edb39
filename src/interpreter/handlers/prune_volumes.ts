/**
 * `docker_prune_volumes`: unused anonymous volumes, or named ones too with
 * `all`, on every API version (see {@link pruneVolumes}).
 *
 * @module
 */

import { mbOf, pruneFilters, pruneVolumes } from "./_prune.ts";
import type { Handler } from "./types.ts";

/** Removes unused volumes. */
export const pruneVolumesHandler: Handler = async (ctx) => {
  const filters = pruneFilters(ctx.args.filters, ["label", "label!"]);
  const all = ctx.args.all === true;
  const result = await pruneVolumes(ctx, all, filters);
  const mb = mbOf(result.bytes);
  return {
    structured: { volumes_deleted: result.deleted, space_reclaimed_mb: mb },
    text: result.deleted.length
      ? `Deleted ${result.deleted.length} ${
        all ? "" : "anonymous "
      }volume(s), reclaimed ${mb} MB: ${result.deleted.join(", ")}`
      : `No unused ${all ? "" : "anonymous "}volumes to delete`,
  };
};
