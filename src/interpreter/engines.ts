/**
 * Several engines: what the interpreter knows of each (its client, its
 * policy, its deadlines, its breaker), the optional `engine` parameter every
 * tool takes when there are several, and choosing a call's engine from it.
 *
 * Each call runs against exactly one engine: every name and ID it carries is
 * resolved there and nowhere else, and its policy is that engine's alone.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import type { EngineDirectory, EngineSlot } from "./contract.ts";
import type { JsonSchema } from "./input.ts";

export type { EngineDirectory, EngineSlot } from "./contract.ts";

/** The parameter name every tool takes when several engines are configured. */
export const ENGINE_PARAM = "engine";

/** Handlers whose tools exist only with several engines (one engine: the catalogue is unchanged). */
export const SEVERAL_ENGINES_HANDLERS: ReadonlySet<string> = new Set(["list_engines"]);

/**
 * Whether a tool is one about several engines while berth runs with fewer:
 * it is not listed, and a call gets its handler's answer (DKR-004).
 */
export function needsSeveralEngines(tool: { handler?: string }, engines: number): boolean {
  return engines < 2 && SEVERAL_ENGINES_HANDLERS.has(tool.handler ?? "");
}

/** Handlers that act on every engine, not one: they take no `engine` parameter. */
const ALL_ENGINES_HANDLERS: ReadonlySet<string> = new Set(["list_engines"]);

/** True when a tool of this handler takes the `engine` parameter (with several engines). */
export function takesEngine(handler: string | undefined): boolean {
  return !(handler && ALL_ENGINES_HANDLERS.has(handler));
}

/**
 * The `engine` property added to every input schema when there are several
 * engines: its values listed so clients can offer them, its meaning said
 * once for all tools ({@link enginesInstructions}) rather than in each, which
 * would cost every tool's share of tools/list again.
 */
export function engineProperty(directory: EngineDirectory): JsonSchema {
  return { type: "string", enum: directory.slots.map((s) => s.name) };
}

/** What the server's instructions say of the `engine` parameter, once for every tool. */
export function enginesInstructions(directory: EngineDirectory): string {
  return `Several engines are configured (${directory.slots.map((s) => s.name).join(", ")}): ` +
    `every tool takes an optional engine parameter naming the one to run on (default ` +
    `${directory.defaultName}); names and IDs are resolved on that engine only. ` +
    `docker_list_engines describes each engine and the levels granted there.`;
}

/** Adds the `engine` property to a tool's input schema. */
export function withEngineParam(schema: JsonSchema, directory: EngineDirectory): JsonSchema {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return { ...schema, properties: { ...properties, [ENGINE_PARAM]: engineProperty(directory) } };
}

/**
 * Takes the `engine` argument off a call's arguments: the engine it names
 * (the default when absent) and the arguments without it. An unknown name is
 * DKR-004 listing the known ones.
 */
export function chooseEngine(
  directory: EngineDirectory,
  rawArgs: unknown,
): { slot: EngineSlot; args: unknown } {
  const byName = (name: string) => directory.slots.find((s) => s.name === name);
  if (!rawArgs || typeof rawArgs !== "object" || Array.isArray(rawArgs)) {
    return { slot: byName(directory.defaultName)!, args: rawArgs };
  }
  const { [ENGINE_PARAM]: wanted, ...rest } = rawArgs as Record<string, unknown>;
  if (wanted === undefined || wanted === null) {
    return { slot: byName(directory.defaultName)!, args: rest };
  }
  const slot = typeof wanted === "string" ? byName(wanted) : undefined;
  if (!slot) {
    const names = directory.slots.map((s) => s.name).join(", ");
    throw new BerthError("invalid_input", `Unknown engine '${String(wanted).slice(0, 80)}'`, {
      context: `engine: ${JSON.stringify(wanted)?.slice(0, 80)}`,
      hint: `'engine' is one of ${names} (docker_list_engines describes them); omit it for ` +
        `${directory.defaultName}`,
    });
  }
  return { slot, args: rest };
}

/** The refusal of a level an engine's own config withholds. */
export function engineLevelDenied(tool: string, level: string, engine: string): BerthError {
  return new BerthError(
    "denied_by_policy",
    `Tool '${tool}' needs the '${level}' permission level, which engine '${engine}' does not grant`,
    {
      hint: `The config file's engines.${engine}.permissions sets what this engine allows; ` +
        `docker_list_engines shows the levels of each engine`,
    },
  );
}
