/**
 * The named handlers manifests may use (`handler: <name>`).
 *
 * @module
 */

import { containerLogs } from "./containers/container_logs.ts";
import { containerStats } from "./containers/container_stats.ts";
import { events } from "./system/events.ts";
import { listEngines } from "./system/list_engines.ts";
import { operationStatus } from "./system/operation_status.ts";
import { connectContainer } from "./networks/connect_container.ts";
import { createNetwork } from "./networks/create_network.ts";
import { createVolume } from "./volumes/create_volume.ts";
import { pruneImages } from "./images/prune_images.ts";
import { pruneNetworks } from "./networks/prune_networks.ts";
import { pruneVolumesHandler } from "./volumes/prune_volumes.ts";
import { pullImage } from "./images/pull_image.ts";
import { pushImage } from "./images/push_image.ts";
import { systemPrune } from "./system/system_prune.ts";
import { tagImage } from "./images/tag_image.ts";
import { startContainer } from "./containers/start_container.ts";
import { stopContainer } from "./containers/stop_container.ts";
import { restartContainer } from "./containers/restart_container.ts";
import { pauseContainer } from "./containers/pause_container.ts";
import { unpauseContainer } from "./containers/unpause_container.ts";
import { killContainer } from "./containers/kill_container.ts";
import { containerCreate } from "./containers/create_container.ts";
import { containerPrune } from "./containers/prune_containers.ts";
import { containerRemove } from "./containers/remove_container.ts";
import { containerRun } from "./containers/run_container.ts";
import { containerWait } from "./containers/wait_container.ts";
import { execCommand } from "./exec/exec_command.ts";
import { SWARM_HANDLER_NAMES } from "./swarm/names.ts";
import type { Handler } from "../interpreter/contract.ts";

export type { Handler, HandlerContext, Shaped, Shaper } from "../interpreter/contract.ts";

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
  build_image: lazy(() => import("./images/build_image.ts").then((m) => m.buildImage)),
  connect_container: connectContainer,
  create_network: createNetwork,
  create_volume: createVolume,
  prune_images: pruneImages,
  prune_networks: pruneNetworks,
  prune_volumes: pruneVolumesHandler,
  pull_image: pullImage,
  push_image: pushImage,
  system_prune: systemPrune,
  tag_image: tagImage,
  container_logs: containerLogs,
  container_stats: containerStats,
  diagnose: lazy(() => import("./diagnose/diagnose.ts").then((m) => m.diagnoseContainer)),
  events,
  list_engines: listEngines,
  operation_status: operationStatus,
  start_container: startContainer,
  stop_container: stopContainer,
  restart_container: restartContainer,
  pause_container: pauseContainer,
  unpause_container: unpauseContainer,
  kill_container: killContainer,
  wait_container: containerWait,
  create_container: containerCreate,
  run_container: containerRun,
  remove_container: containerRemove,
  prune_containers: containerPrune,
  exec_command: execCommand,
  copy_to_container: lazy(() =>
    import("./exec/copy_to_container.ts").then((m) => m.copyToContainer)
  ),
  copy_from_container: lazy(() =>
    import("./exec/copy_from_container.ts").then((m) => m.copyFromContainer)
  ),
  compose_up: lazy(() => compose().then((m) => m.composeUp)),
  compose_down: lazy(() => compose().then((m) => m.composeDown)),
  compose_ps: lazy(() => compose().then((m) => m.composePs)),
  compose_logs: lazy(() => compose().then((m) => m.composeLogs)),
  ...Object.fromEntries(
    SWARM_HANDLER_NAMES.map((
      name,
    ) => [name, lazy(() => swarm().then((m) => m.SWARM_HANDLERS[name]))]),
  ),
};
