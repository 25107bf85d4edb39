/**
 * The cluster: `docker_swarm_info` (from `GET /info`, which carries no join
 * tokens), `docker_list_nodes`, `docker_inspect_node`, `docker_update_node`.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { engineInfo, inspect, list, update } from "../../engine/ops/swarm.ts";
import { alignColumns } from "../../interpreter/shape.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { type Json, opsOf } from "./_common.ts";

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

function nodeRow(n: Json) {
  return {
    id: n.ID,
    hostname: n.Description?.Hostname ?? "",
    role: n.Spec?.Role ?? "",
    availability: n.Spec?.Availability ?? "",
    status: n.Status?.State ?? "",
    address: n.Status?.Addr ?? "",
    manager_status: n.ManagerStatus
      ? (n.ManagerStatus.Leader ? "leader" : n.ManagerStatus.Reachability)
      : null,
    engine_version: n.Description?.Engine?.EngineVersion ?? "",
    labels: n.Spec?.Labels ?? {},
  };
}

/** Nodes like `docker node ls`. */
export const listNodes: Handler = async (ctx) => {
  const nodes = (await list(opsOf(ctx), "nodes")).map(nodeRow);
  const table = alignColumns([
    ["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER", "ENGINE"],
    ...nodes.map((n) => [
      n.id.slice(0, 12),
      n.hostname,
      n.status,
      n.availability,
      n.manager_status ?? "-",
      n.engine_version,
    ]),
  ]);
  return { structured: { nodes, count: nodes.length }, text: table.join("\n") };
};

/** One node: its row, plus resources, platform and engine labels. */
export const inspectNode: Handler = async (ctx) => {
  const n = await inspect(opsOf(ctx), "nodes", ctx.args.node_id as string);
  const row = nodeRow(n);
  const structured = {
    ...row,
    platform: `${n.Description?.Platform?.OS ?? ""}/${n.Description?.Platform?.Architecture ?? ""}`,
    cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
    memory_mb: Math.round((n.Description?.Resources?.MemoryBytes ?? 0) / 2 ** 20),
    engine_labels: n.Description?.Engine?.Labels ?? {},
    created: n.CreatedAt ?? "",
  };
  return {
    structured,
    text: `Node ${row.hostname} (${row.id}): ${row.role}, ${row.status}, ${row.availability}` +
      `${row.manager_status ? `, ${row.manager_status}` : ""}; ${structured.platform}, ` +
      `${structured.cpus} CPUs, ${structured.memory_mb} MiB; labels ${JSON.stringify(row.labels)}`,
  };
};

/** Availability and labels of a node (a null label value removes the label). */
export const updateNode: Handler = async (ctx) => {
  const { args } = ctx;
  if (args.availability === undefined && args.labels === undefined) {
    throw invalidInput("availability", "or 'labels' must be given", "Say what to change");
  }
  const ops = opsOf(ctx);
  const node = await inspect(ops, "nodes", args.node_id as string);
  const spec = structuredClone(node.Spec ?? {});
  if (args.availability !== undefined) spec.Availability = args.availability;
  if (args.labels !== undefined) {
    const labels = { ...(spec.Labels ?? {}) };
    for (const [k, v] of Object.entries(args.labels as Record<string, unknown>)) {
      if (v === null) delete labels[k];
      else labels[k] = String(v);
    }
    spec.Labels = labels;
  }
  await update(ops, "nodes", node.ID, node.Version.Index, spec);
  const row = nodeRow(await inspect(ops, "nodes", node.ID));
  return {
    structured: row,
    text: `Node ${row.hostname} updated: ${row.availability}, labels ${JSON.stringify(row.labels)}`,
  };
};
