/**
 * Policy: what a session may see and do. Levels decide which tools exist;
 * name lists decide which containers and images exist for berth at all;
 * guards refuse dangerous exec commands and create options.
 *
 * Handlers never decide these things themselves: they ask the policy, so
 * every path (tools, prompts, resources, compose) answers the same way.
 *
 * @module
 */

export * from "./levels.ts";
export { ConfigPolicy, type GuardSettings, type PolicyOptions } from "./config_policy.ts";
export { LevelPolicy } from "./level_policy.ts";
export type { ExecLimits, Policy } from "./types.ts";
