/**
 * Enforcement: the policy checked on every Engine API operation a call
 * sends, by the operation's name, its resolved target and its body
 * (docs/security.md). {@link PolicyEngine} is the engine client every call
 * uses; resolve.ts is how handlers resolve a container or check an image the
 * same way.
 *
 * @module
 */

export { levelOfOperation, NOT_READ_LEVEL, PolicyEngine } from "./policy_engine.ts";
export { type Check, CHECKS, type EnforceContext, type Guarded } from "./checks.ts";
export { CallSecrets, ContainerSecretCache } from "./call_secrets.ts";
export * from "./resolve.ts";
export { bareName, filterDiskUsage, primaryName } from "./list_filters.ts";
export { realHostPath } from "./host_realpath.ts";
