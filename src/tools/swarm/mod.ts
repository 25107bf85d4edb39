/**
 * Swarm through the Engine API: the cluster, services, tasks, stacks, secrets
 * and configs (`manifest/swarm/`). The Docker domain (service specs,
 * convergence, task rows) lives in `src/docker/swarm/`; these handlers add
 * the policy (name lists, image lists, the create guard) and the answers.
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import type { SwarmHandlerName } from "./names.ts";
import { inspectNode, listNodes, swarmInfo, updateNode } from "./cluster.ts";
import { createObject, inspectObject, listObjects, removeObject } from "./objects.ts";
import {
  createService,
  inspectService,
  listServices,
  removeService,
  rollbackService,
  updateService,
} from "./services.ts";
import { stackDeploy, stackList, stackPs, stackRemove } from "./stack.ts";
import { listTasks, serviceLogs } from "./tasks.ts";

/** The swarm handlers, by the names manifests use. */
export const SWARM_HANDLERS: Record<SwarmHandlerName, Handler> = {
  swarm_info: swarmInfo,
  list_nodes: listNodes,
  inspect_node: inspectNode,
  update_node: updateNode,
  list_services: listServices,
  inspect_service: inspectService,
  create_service: createService,
  update_service: updateService,
  rollback_service: rollbackService,
  remove_service: removeService,
  service_logs: serviceLogs,
  list_tasks: listTasks,
  stack_deploy: stackDeploy,
  stack_list: stackList,
  stack_ps: stackPs,
  stack_remove: stackRemove,
  create_secret: createObject("secrets"),
  list_secrets: listObjects("secrets"),
  inspect_secret: inspectObject("secrets"),
  remove_secret: removeObject("secrets"),
  create_config: createObject("configs"),
  list_configs: listObjects("configs"),
  inspect_config: inspectObject("configs"),
  remove_config: removeObject("configs"),
};
