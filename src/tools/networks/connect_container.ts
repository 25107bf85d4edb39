/**
 * `docker_connect_container`: resolve the container (the policy decides on
 * its canonical name) and the network, then the network's connect
 * with the full container ID.
 *
 * @module
 */

import { networks } from "../../engine/ops/mod.ts";
import { invalidInput } from "../../errors/mod.ts";
import { isIp } from "./create_network.ts";
import { changeNetwork, inspectNetwork } from "../../docker/network.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import type { Handler } from "../../interpreter/contract.ts";

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Attaches a container to a network, with optional aliases and a fixed IPv4 address. */
export const connectContainer: Handler = async (ctx) => {
  const { args } = ctx;
  const aliases = (args.aliases as string[] | undefined) ?? [];
  for (const alias of aliases) {
    if (!ALIAS.test(alias)) throw invalidInput("aliases", `has an invalid alias '${alias}'`);
  }
  const ipv4 = args.ipv4_address as string | undefined;
  if (ipv4 !== undefined && (!isIp(ipv4) || ipv4.includes(":"))) {
    throw invalidInput("ipv4_address", "must be an IPv4 address such as 10.10.0.5");
  }
  const container = await inspectVisibleContainer(ctx, args.container_id as string);
  const network = await inspectNetwork(ctx, args.network as string);
  const endpoint: Record<string, unknown> = {};
  if (aliases.length) endpoint.Aliases = aliases;
  if (ipv4) endpoint.IPAMConfig = { IPv4Address: ipv4 };
  await changeNetwork(
    ctx,
    networks.connect(network.Id, { Container: container.Id, EndpointConfig: endpoint }),
    "The container is already on that network, or the address is taken",
  );
  const name = bareName(container.Name);
  return {
    structured: {
      container_id: container.Id,
      network: network.Name,
      connected: true,
    },
    text: `Connected ${name} to ${network.Name}${
      aliases.length ? ` as ${aliases.join(", ")}` : ""
    }${ipv4 ? ` at ${ipv4}` : ""}`,
  };
};
