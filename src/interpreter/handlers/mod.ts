/**
 * The named handlers manifests may use (`handler: <name>`).
 *
 * @module
 */

import { containerLogs } from "./container_logs.ts";
import { containerStats } from "./container_stats.ts";
import { diagnoseContainer } from "./diagnose/mod.ts";
import { events } from "./events.ts";
import { listNetworks } from "./list_networks.ts";
import { operationStatus } from "./operation_status.ts";
import { systemInfo } from "./system_info.ts";
import type { Handler } from "./types.ts";
import { version } from "./version.ts";

export type { Handler, HandlerContext, Shaped, Shaper } from "./types.ts";

/** Every handler, by the name manifests use. */
export const HANDLERS: Record<string, Handler> = {
  container_logs: containerLogs,
  container_stats: containerStats,
  diagnose: diagnoseContainer,
  events,
  list_networks: listNetworks,
  operation_status: operationStatus,
  system_info: systemInfo,
  version,
};
