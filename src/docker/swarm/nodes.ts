/**
 * Nodes as people read them (`docker node ls`): one row per node.
 *
 * @module
 */

import type { Json } from "./services.ts";

/** One node as `docker_list_nodes` shows it. */
export function nodeRow(n: Json) {
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
