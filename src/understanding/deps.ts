/**
 * What prompts, resources and completion need from the app (the app object
 * itself satisfies it; kept narrow so this layer never depends on the
 * composition root).
 *
 * @module
 */

import type { EngineClient } from "../engine/client.ts";
import type { Interpreter } from "../interpreter/mod.ts";
import type { TimeoutClass } from "../manifest/types.ts";
import type { Policy } from "../policy/mod.ts";

/** The app's parts this layer uses. */
export interface UnderstandingDeps {
  interpreter: Interpreter;
  engine: EngineClient;
  policy: Policy;
  config: { timeouts: Record<TimeoutClass, number> };
}
