/**
 * What prompts, resources and completion need from the app (the app object
 * itself satisfies it; kept narrow so this layer never depends on the
 * composition root).
 *
 * @module
 */

import type { EngineClient } from "../engine/client.ts";
import type { CallOptions, Interpreter } from "../interpreter/mod.ts";
import { chooseEngine, ENGINE_PARAM, type EngineDirectory } from "../interpreter/engines.ts";
import type { TimeoutClass } from "../manifest/types.ts";
import type { Policy } from "../policy/mod.ts";

/** The app's parts this layer uses. */
export interface UnderstandingDeps {
  interpreter: Interpreter;
  engine: EngineClient;
  policy: Policy;
  config: { timeouts: Record<TimeoutClass, number> };
  /** Every engine; with several, prompts take an `engine` argument and completion offers it. */
  engines?: EngineDirectory;
}

/** True when several engines are configured. */
export function severalEngines(deps: UnderstandingDeps): boolean {
  return (deps.engines?.slots.length ?? 0) > 1;
}

/**
 * The deps of the engine a prompt or completion names (`engine` among its
 * arguments), the default's when it names none; DKR-004 for an unknown one.
 */
export function depsOn(
  deps: UnderstandingDeps,
  args: Record<string, string> | undefined,
): UnderstandingDeps {
  if (!severalEngines(deps) || !args?.[ENGINE_PARAM]) return deps;
  const { slot } = chooseEngine(deps.engines!, { [ENGINE_PARAM]: args[ENGINE_PARAM] });
  // Tools called on the prompt's behalf (container lists, disk usage) run on its engine too.
  const interpreter = new Proxy(deps.interpreter, {
    get(target, prop) {
      if (prop === "call") {
        return (tool: string, toolArgs: Record<string, unknown>, options?: CallOptions) =>
          target.call(tool, { ...toolArgs, [ENGINE_PARAM]: slot.name }, options);
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    ...deps,
    interpreter,
    engine: slot.engine,
    policy: slot.policy,
    config: { ...deps.config, timeouts: slot.timeouts },
  };
}
