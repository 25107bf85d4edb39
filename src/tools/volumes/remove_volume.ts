/**
 * `docker_remove_volume`: `DELETE /volumes/{name}`; a volume in use answers
 * DKR-010 naming what to do.
 *
 * @module
 */

import { BerthError, isBerthError } from "../../errors/mod.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Removes a volume. */
export const removeVolume: Handler = async (ctx) => {
  const name = ctx.args.volume_name as string;
  try {
    const response = await ctx.engine.request({
      method: "DELETE",
      path: `/volumes/${encodeURIComponent(name)}`,
      query: { force: ctx.args.force === true ? true : undefined },
      signal: ctx.signal,
      errors: { 404: "not_found", 409: "conflict" },
    });
    await response.body?.cancel();
  } catch (error) {
    if (isBerthError(error) && error.type === "conflict") {
      throw new BerthError("conflict", error.message, {
        context: error.context,
        status: error.status,
        hint: "Remove the containers that use the volume first (force does not override use)",
      });
    }
    throw error;
  }
  return {
    structured: { volume_name: name, removed: true },
    text: `Removed volume ${name}`,
  };
};
