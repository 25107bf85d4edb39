/**
 * `docker_remove_network`: resolve, then `DELETE /networks/{full id}`.
 *
 * @module
 */

import { changeNetwork, inspectNetwork } from "../../docker/network.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Removes a network nobody is attached to. */
export const removeNetwork: Handler = async (ctx) => {
  const network = await inspectNetwork(ctx, ctx.args.network_id as string);
  await changeNetwork(
    ctx,
    { method: "DELETE", path: `/networks/${network.Id}` },
    "Disconnect or remove the attached containers first (docker_disconnect_container)",
  );
  return {
    structured: { network_id: network.Id, removed: true },
    text: `Removed network ${network.Name} (${network.Id.slice(0, 12)})`,
  };
};
