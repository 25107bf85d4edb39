/**
 * The named handlers manifests may use (`handler: <name>`).
 *
 * @module
 */

import type { Handler } from "./types.ts";
import { version } from "./version.ts";

export type { Handler, HandlerContext, Shaped, Shaper } from "./types.ts";

/** Every handler, by the name manifests use. */
export const HANDLERS: Record<string, Handler> = {
  version,
};
