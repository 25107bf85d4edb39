/**
 * `docker_restart_container`: the lifecycle action "restart" (see _lifecycle.ts,
 * which every lifecycle verb shares).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { containerAction } from "./_lifecycle.ts";

/** Resolves the container, restarts it, and answers its state after. */
export const restartContainer: Handler = containerAction("restart");
