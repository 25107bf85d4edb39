/**
 * `docker_unpause_container`: the lifecycle action "unpause" (see _lifecycle.ts,
 * which every lifecycle verb shares).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { containerAction } from "./_lifecycle.ts";

/** Resolves the container, unpauses it, and answers its state after. */
export const unpauseContainer: Handler = containerAction("unpause");
