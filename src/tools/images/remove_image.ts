/**
 * `docker_remove_image`: `DELETE /images/{name}`; an image in use answers
 * DKR-010 with what to do about it.
 *
 * @module
 */

import { BerthError, isBerthError } from "../../errors/mod.ts";
import type { Handler } from "../../interpreter/contract.ts";

interface DeleteItem {
  Untagged?: string;
  Deleted?: string;
}

/** Removes an image (or one tag of it). */
export const removeImage: Handler = async (ctx) => {
  const image = ctx.args.image_id as string;
  let items: DeleteItem[];
  try {
    items = await ctx.engine.json<DeleteItem[]>({
      method: "DELETE",
      path: `/images/${image}`,
      query: {
        force: ctx.args.force === true ? true : undefined,
        noprune: ctx.args.noprune === true ? true : undefined,
      },
      signal: ctx.signal,
      errors: { 404: "image_not_found", 409: "conflict" },
    }) ?? [];
  } catch (error) {
    if (isBerthError(error) && error.type === "conflict") {
      const running = /running container/.test(error.message);
      throw new BerthError("conflict", error.message, {
        context: error.context,
        status: error.status,
        hint: running
          ? "Stop and remove the container that runs this image first (force cannot remove it)"
          : "Remove the containers that use it, or remove one tag at a time, or pass force: true",
      });
    }
    throw error;
  }
  const deleted = items.flatMap((i) => (i.Deleted ? [i.Deleted] : []));
  const untagged = items.flatMap((i) => (i.Untagged ? [i.Untagged] : []));
  const parts = [
    untagged.length ? `untagged ${untagged.join(", ")}` : "",
    deleted.length ? `deleted ${deleted.length} layer image(s)` : "",
  ].filter(Boolean);
  return {
    structured: { deleted, untagged },
    text: `Removed ${image}: ${parts.join("; ") || "nothing to do"}`,
  };
};
