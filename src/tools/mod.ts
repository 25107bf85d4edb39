/**
 * The named handlers manifests may use (`handler: <name>`).
 *
 * @module
 */

import { SWARM_HANDLER_NAMES } from "./swarm/names.ts";
import type { Handler } from "../interpreter/contract.ts";

export type { Handler, HandlerContext, Shaped, Shaper } from "../interpreter/contract.ts";

/**
 * A handler whose module loads on its first call: every handler is loaded so.
 * `initialize` and `tools/list` need none of them, and a server pays the
 * start-up time and memory of only those its calls use: compose (with ajv
 * and the compose schema), diagnose, the build context and tar code never
 * load for most sessions, and the everyday handlers' 40 modules took about
 * 10 ms of every start (docs/performance.md). A module that fails to load
 * fails every call alike.
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
  connect_container: lazy(() =>
    import("./networks/connect_container.ts").then((m) => m.connectContainer)
  ),
  create_network: lazy(() => import("./networks/create_network.ts").then((m) => m.createNetwork)),
  create_volume: lazy(() => import("./volumes/create_volume.ts").then((m) => m.createVolume)),
  prune_images: lazy(() => import("./images/prune_images.ts").then((m) => m.pruneImages)),
  prune_networks: lazy(() => import("./networks/prune_networks.ts").then((m) => m.pruneNetworks)),
  prune_volumes: lazy(() =>
    import("./volumes/prune_volumes.ts").then((m) => m.pruneVolumesHandler)
  ),
  pull_image: lazy(() => import("./images/pull_image.ts").then((m) => m.pullImage)),
  push_image: lazy(() => import("./images/push_image.ts").then((m) => m.pushImage)),
  system_prune: lazy(() => import("./system/system_prune.ts").then((m) => m.systemPrune)),
  tag_image: lazy(() => import("./images/tag_image.ts").then((m) => m.tagImage)),
  container_logs: lazy(() => import("./containers/container_logs.ts").then((m) => m.containerLogs)),
  container_stats: lazy(() =>
    import("./containers/container_stats.ts").then((m) => m.containerStats)
  ),
  diagnose: lazy(() => import("./diagnose/diagnose.ts").then((m) => m.diagnoseContainer)),
  events: lazy(() => import("./system/events.ts").then((m) => m.events)),
  list_engines: lazy(() => import("./system/list_engines.ts").then((m) => m.listEngines)),
  operation_status: lazy(() =>
    import("./system/operation_status.ts").then((m) => m.operationStatus)
  ),
  start_container: lazy(() =>
    import("./containers/start_container.ts").then((m) => m.startContainer)
  ),
  stop_container: lazy(() => import("./containers/stop_container.ts").then((m) => m.stopContainer)),
  restart_container: lazy(() =>
    import("./containers/restart_container.ts").then((m) => m.restartContainer)
  ),
  pause_container: lazy(() =>
    import("./containers/pause_container.ts").then((m) => m.pauseContainer)
  ),
  unpause_container: lazy(() =>
    import("./containers/unpause_container.ts").then((m) => m.unpauseContainer)
  ),
  kill_container: lazy(() => import("./containers/kill_container.ts").then((m) => m.killContainer)),
  wait_container: lazy(() => import("./containers/wait_container.ts").then((m) => m.containerWait)),
  create_container: lazy(() =>
    import("./containers/create_container.ts").then((m) => m.containerCreate)
  ),
  run_container: lazy(() => import("./containers/run_container.ts").then((m) => m.containerRun)),
  remove_container: lazy(() =>
    import("./containers/remove_container.ts").then((m) => m.containerRemove)
  ),
  prune_containers: lazy(() =>
    import("./containers/prune_containers.ts").then((m) => m.containerPrune)
  ),
  exec_command: lazy(() => import("./exec/exec_command.ts").then((m) => m.execCommand)),
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
