/**
 * `docker_disconnect_container`: resolve both sides, then
 * `POST /networks/{id}/disconnect` with the full container ID.
 *
 * @module
 */

import { changeNetwork, inspectNetwork } from "../../docker/network.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Detaches a container from a network. */
export const disconnectContainer: Handler = async (ctx) => {
  const container = await inspectVisibleContainer(ctx, ctx.args.container_id as string);
  const network = await inspectNetwork(ctx, ctx.args.network as string);
  await changeNetwork(ctx, {
    method: "POST",
    path: `/networks/${network.Id}/disconnect`,
    body: { Container: container.Id, Force: ctx.args.force === true },
  }, "The container is not attached to that network");
  const name = bareName(container.Name);
  return {
    structured: {
      container_id: container.Id,
      network: network.Name,
      disconnected: true,
    },
    text: `Disconnected ${name} from ${network.Name}`,
  };
};
