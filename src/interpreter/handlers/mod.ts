/**
 * The named handlers manifests may use (`handler: <name>`).
 *
 * @module
 */

import { containerLogs } from "./container_logs.ts";
import { containerStats } from "./container_stats.ts";
import { events } from "./events.ts";
import { listEngines } from "./list_engines.ts";
import { listNetworks } from "./list_networks.ts";
import { operationStatus } from "./operation_status.ts";
import { systemInfo } from "./system_info.ts";
import { connectContainer } from "./connect_container.ts";
import { createNetwork } from "./create_network.ts";
import { createVolume } from "./create_volume.ts";
import { disconnectContainer } from "./disconnect_container.ts";
import { pruneImages } from "./prune_images.ts";
import { pruneNetworks } from "./prune_networks.ts";
import { pruneVolumesHandler } from "./prune_volumes.ts";
import { pullImage } from "./pull_image.ts";
import { pushImage } from "./push_image.ts";
import { removeImage } from "./remove_image.ts";
import { removeNetwork } from "./remove_network.ts";
import { removeVolume } from "./remove_volume.ts";
import { systemPrune } from "./system_prune.ts";
import { tagImage } from "./tag_image.ts";
import { containerAction } from "./container_action.ts";
import { containerCreate } from "./container_create.ts";
import { containerPrune } from "./container_prune.ts";
import { containerRemove } from "./container_remove.ts";
import { containerRun } from "./container_run.ts";
import { containerWait } from "./container_wait.ts";
import { execCommand } from "./exec_command.ts";
import { SWARM_HANDLER_NAMES } from "./swarm/names.ts";
import type { Handler } from "./types.ts";
import { version } from "./version.ts";

export type { Handler, HandlerContext, Shaped, Shaper } from "./types.ts";

/**
 * A handler whose module loads on its first call. Compose (with ajv and the
 * compose schema), diagnose, the build context and tar code are loaded so:
 * a server that never uses them never pays their start-up time and memory
 * (docs/performance.md). A module that fails to load fails every call alike.
 */
function lazy(load: () => Promise<Handler>): Handler {
  let handler: Promise<Handler> | undefined;
  return async (ctx) => (await (handler ??= load()))(ctx);
}

const compose = () => import("./compose/mod.ts");
const swarm = () => import("./swarm/mod.ts");

/** Every handler, by the name manifests use. */
export const HANDLERS: Record<string, Handler> = {
  build_image: lazy(() => import("./build_image.ts").then((m) => m.buildImage)),
  connect_container: connectContainer,
  create_network: createNetwork,
  create_volume: createVolume,
  disconnect_container: disconnectContainer,
  prune_images: pruneImages,
  prune_networks: pruneNetworks,
  prune_volumes: pruneVolumesHandler,
  pull_image: pullImage,
  push_image: pushImage,
  remove_image: removeImage,
  remove_network: removeNetwork,
  remove_volume: removeVolume,
  system_prune: systemPrune,
  tag_image: tagImage,
  container_logs: containerLogs,
  container_stats: containerStats,
  diagnose: lazy(() => import("./diagnose/mod.ts").then((m) => m.diagnoseContainer)),
  events,
  list_engines: listEngines,
  list_networks: listNetworks,
  operation_status: operationStatus,
  system_info: systemInfo,
  // Container lifecycle: one implementation, one registration per verb.
  container_start: containerAction("start"),
  container_stop: containerAction("stop"),
  container_restart: containerAction("restart"),
  container_pause: containerAction("pause"),
  container_unpause: containerAction("unpause"),
  container_kill: containerAction("kill"),
  container_wait: containerWait,
  container_create: containerCreate,
  container_run: containerRun,
  container_remove: containerRemove,
  container_prune: containerPrune,
  exec_command: execCommand,
  copy_to_container: lazy(() => import("./copy_to_container.ts").then((m) => m.copyToContainer)),
  copy_from_container: lazy(() =>
    import("./copy_from_container.ts").then((m) => m.copyFromContainer)
  ),
  compose_up: lazy(() => compose().then((m) => m.composeUp)),
  compose_down: lazy(() => compose().then((m) => m.composeDown)),
  compose_ps: lazy(() => compose().then((m) => m.composePs)),
  compose_logs: lazy(() => compose().then((m) => m.composeLogs)),
  version,
  ...Object.fromEntries(
    SWARM_HANDLER_NAMES.map((
      name,
    ) => [name, lazy(() => swarm().then((m) => m.SWARM_HANDLERS[name]))]),
  ),
};
