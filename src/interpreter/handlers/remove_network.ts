/**
 * `docker_remove_network`: resolve, then `DELETE /networks/{full id}`.
 *
 * @module
 */

import { inspectNetwork, networkConflict } from "./_network.ts";
import type { Handler } from "./types.ts";

/** Removes a network nobody is attached to. */
export const removeNetwork: Handler = async (ctx) => {
  const network = await inspectNetwork(ctx, ctx.args.network_id as string);
  try {
    const response = await ctx.engine.request({
      method: "DELETE",
      path: `/networks/${network.Id}`,
      signal: ctx.signal,
      errors: { 404: "not_found" },
    });
    await response.body?.cancel();
  } catch (error) {
    throw networkConflict(
      error,
      "Disconnect or remove the attached containers first (docker_disconnect_container)",
    );
  }
  return {
    structured: { network_id: network.Id, removed: true },
    text: `Removed network ${network.Name} (${network.Id.slice(0, 12)})`,
  };
};
