/**
 * `docker_start_container`: the lifecycle action "start" (see _lifecycle.ts,
 * which every lifecycle verb shares).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { containerAction } from "./_lifecycle.ts";

/** Resolves the container, starts it, and answers its state after. */
export const startContainer: Handler = containerAction("start");
