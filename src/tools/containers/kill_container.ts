/**
 * `docker_kill_container`: the lifecycle action "kill" (see _lifecycle.ts,
 * which every lifecycle verb shares).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { containerAction } from "./_lifecycle.ts";

/** Resolves the container, kills it, and answers its state after. */
export const killContainer: Handler = containerAction("kill");
