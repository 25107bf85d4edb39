/**
 * `docker_pause_container`: the lifecycle action "pause" (see _lifecycle.ts,
 * which every lifecycle verb shares).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { containerAction } from "./_lifecycle.ts";

/** Resolves the container, pauses it, and answers its state after. */
export const pauseContainer: Handler = containerAction("pause");
