/**
 * The names of the swarm handlers, without loading them: src/tools/mod.ts
 * registers each one lazily (a server that never uses Swarm never loads it).
 *
 * @module
 */

/** Every swarm handler's name, as manifests use it. */
export const SWARM_HANDLER_NAMES = [
  "swarm_info",
  "list_nodes",
  "inspect_node",
  "update_node",
  "list_services",
  "inspect_service",
  "create_service",
  "update_service",
  "rollback_service",
  "remove_service",
  "service_logs",
  "list_tasks",
  "stack_deploy",
  "stack_list",
  "stack_ps",
  "stack_remove",
  "create_secret",
  "list_secrets",
  "inspect_secret",
  "remove_secret",
  "create_config",
  "list_configs",
  "inspect_config",
  "remove_config",
] as const;

/** A swarm handler's name. */
export type SwarmHandlerName = (typeof SWARM_HANDLER_NAMES)[number];
