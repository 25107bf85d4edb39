/**
 * `docker_prune_images`: `POST /images/prune`, with `dangling` folded into
 * the engine's filters.
 *
 * @module
 */

import { counted, formatBytes } from "../../guard/formats.ts";
import { encodeFilters, images } from "../../engine/ops/mod.ts";
import { mbOf, postPrune, pruneFilters } from "../../docker/prune.ts";
import type { Handler } from "../../interpreter/contract.ts";

interface ImagePruneReport {
  ImagesDeleted?: { Untagged?: string; Deleted?: string }[] | null;
  SpaceReclaimed?: number;
}

/** Tags shown in the text at most; the structured result has every deleted ID. */
const SHOWN_TAGS = 20;

/** The tags an image prune removed, as names a person knows (IDs stay in the structure). */
function listed(tags: string[]): string {
  const shown = tags.slice(0, SHOWN_TAGS).join(", ");
  return tags.length > SHOWN_TAGS ? `${shown} (+${tags.length - SHOWN_TAGS} more)` : shown;
}

/** Removes dangling (or all unused) images. */
export const pruneImages: Handler = async (ctx) => {
  const filters = pruneFilters(ctx.args.filters, ["label", "label!", "until"]);
  filters.dangling = [ctx.args.dangling === false ? "false" : "true"];
  const report = await postPrune<ImagePruneReport>(
    ctx,
    images.prune({ filters: encodeFilters(filters) }),
  );
  const items = report?.ImagesDeleted ?? [];
  const deleted = items.flatMap((i) => (i.Deleted ? [i.Deleted] : []));
  const untagged = items.flatMap((i) => (i.Untagged ? [i.Untagged] : []));
  const bytes = report?.SpaceReclaimed ?? 0;
  return {
    structured: { images_deleted: deleted, space_reclaimed_mb: mbOf(bytes) },
    text: `Deleted ${counted(deleted.length, "images")}, untagged ${untagged.length}, ` +
      `reclaimed ${formatBytes(bytes)}${untagged.length ? `\nUntagged: ${listed(untagged)}` : ""}`,
  };
};
