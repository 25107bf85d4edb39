/**
 * Swarm through the Engine API: the cluster, services, tasks, stacks, secrets
 * and configs (`manifest/swarm/`), one file per tool named like it. The
 * Docker domain (service specs, visibility, convergence, rows) lives in
 * `src/docker/swarm/`; these tools add the policy (name lists, image lists,
 * the create guard) and the answers.
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import type { SwarmHandlerName } from "./names.ts";
import { swarmInfo } from "./swarm_info.ts";
import { listNodes } from "./list_nodes.ts";
import { inspectNode } from "./inspect_node.ts";
import { updateNode } from "./update_node.ts";
import { listServices } from "./list_services.ts";
import { inspectService } from "./inspect_service.ts";
import { createService } from "./create_service.ts";
import { updateService } from "./update_service.ts";
import { rollbackService } from "./rollback_service.ts";
import { removeService } from "./remove_service.ts";
import { serviceLogs } from "./service_logs.ts";
import { listTasks } from "./list_tasks.ts";
import { stackDeploy } from "./stack_deploy.ts";
import { stackList } from "./stack_list.ts";
import { stackPs } from "./stack_ps.ts";
import { stackRemove } from "./stack_remove.ts";
import { createSecret } from "./create_secret.ts";
import { listSecrets } from "./list_secrets.ts";
import { inspectSecret } from "./inspect_secret.ts";
import { removeSecret } from "./remove_secret.ts";
import { createConfig } from "./create_config.ts";
import { listConfigs } from "./list_configs.ts";
import { inspectConfig } from "./inspect_config.ts";
import { removeConfig } from "./remove_config.ts";

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
  create_secret: createSecret,
  list_secrets: listSecrets,
  inspect_secret: inspectSecret,
  remove_secret: removeSecret,
  create_config: createConfig,
  list_configs: listConfigs,
  inspect_config: inspectConfig,
  remove_config: removeConfig,
};
