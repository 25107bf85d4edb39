/**
 * `docker_swarm_info`: whether the engine is in a swarm, from `GET /info`
 * (which carries no join tokens).
 *
 * @module
 */

import { engineInfo } from "../../docker/swarm/api.ts";
import { type Json, opsOf } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Whether the engine is in a swarm, as what, and the cluster's size. */
export const swarmInfo: Handler = async (ctx) => {
  const info = await engineInfo(opsOf(ctx));
  const s = info.Swarm ?? {};
  const active = s.LocalNodeState === "active";
  const structured = {
    state: s.LocalNodeState ?? "inactive",
    role: !active ? null : s.ControlAvailable ? "manager" : "worker",
    node_id: s.NodeID || null,
    node_address: s.NodeAddr || null,
    cluster_id: s.Cluster?.ID ?? null,
    nodes: s.Nodes ?? 0,
    managers: s.Managers ?? 0,
    manager_addresses: ((s.RemoteManagers ?? []) as Json[]).map((m) => m.Addr),
    created: s.Cluster?.CreatedAt ?? null,
  };
  const text = active
    ? `Swarm active: this node is a ${structured.role} (${structured.node_id} at ${structured.node_address}); ` +
      `${structured.nodes} nodes, ${structured.managers} managers; managers at ${
        structured.manager_addresses.join(", ") || "-"
      }`
    : `This engine is not in a swarm (state ${structured.state})`;
  return { structured, text };
};
