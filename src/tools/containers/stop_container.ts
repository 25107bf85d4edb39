/**
 * `docker_stop_container`: the lifecycle action "stop" (see _lifecycle.ts,
 * which every lifecycle verb shares).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { containerAction } from "./_lifecycle.ts";

/** Resolves the container, stops it, and answers its state after. */
export const stopContainer: Handler = containerAction("stop");
