/**
 * `docker_list_networks`: networks with the names of their attached
 * containers. The engine's network list leaves `Containers` empty (API ≥ 1.28),
 * so the attachments come from one list of running containers rather than one
 * inspect per network: two engine calls whatever the number of networks.
 *
 * @module
 */

import { encodeFilters } from "../../interpreter/plan.ts";
import { shapeDeclarative } from "../../interpreter/shape.ts";
import { bareName } from "../../docker/visible_container.ts";
import type { Handler } from "../../interpreter/contract.ts";

interface EngineNetwork {
  Id: string;
  Name: string;
  Driver?: string;
  Internal?: boolean;
}

interface ListedContainer {
  Names?: string[];
  NetworkSettings?: { Networks?: Record<string, { NetworkID?: string }> | null };
}

/** Lists networks and who is on them, hiding containers the policy hides. */
export const listNetworks: Handler = async (ctx) => {
  const { engine, signal, policy, args } = ctx;
  const [networks, containers] = await Promise.all([
    engine.json<EngineNetwork[]>({
      method: "GET",
      path: "/networks",
      query: { filters: encodeFilters(args.filters as Record<string, unknown> | undefined) },
      signal,
    }),
    engine.json<ListedContainer[]>({ method: "GET", path: "/containers/json", signal }),
  ]);
  const attached = new Map<string, string[]>();
  for (const c of containers ?? []) {
    const name = bareName(c.Names?.[0]);
    if (!policy.containerVisible(name)) continue;
    for (const endpoint of Object.values(c.NetworkSettings?.Networks ?? {})) {
      if (!endpoint.NetworkID) continue;
      attached.set(endpoint.NetworkID, [...(attached.get(endpoint.NetworkID) ?? []), name]);
    }
  }
  const items = (networks ?? [])
    .map((n) => ({
      id: n.Id.slice(0, 12),
      name: n.Name,
      driver: n.Driver ?? "",
      internal: n.Internal === true,
      containers: (attached.get(n.Id) ?? []).sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return shapeDeclarative(ctx.spec.output, items);
};
