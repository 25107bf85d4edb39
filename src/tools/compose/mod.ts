/**
 * Compose projects through the Engine API directly (no docker CLI): the
 * handlers of `docker_compose_up`, `docker_compose_down`, `docker_compose_ps`
 * and `docker_compose_logs`.
 *
 * A compose file goes source → YAML → interpolation → Compose Specification
 * schema → berth support check → normalised model → Engine bodies (built on
 * the shared container spec builder, then checked by the policy). Names and
 * labels follow docker compose v2, so the compose CLI and berth each treat
 * the other's projects as their own.
 *
 * @module
 */

export { composeDown } from "./compose_down.ts";
export { composeLogs } from "./compose_logs.ts";
export { composePs } from "./compose_ps.ts";
export { composeUp } from "./compose_up.ts";
