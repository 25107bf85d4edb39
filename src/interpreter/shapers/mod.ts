/**
 * The named shapers manifests may use (`output.shaper: <name>`).
 *
 * @module
 */

import type { Shaper } from "../handlers/types.ts";

/** Every shaper, by the name manifests use. */
export const SHAPERS: Record<string, Shaper> = {};
