/**
 * Permission levels: which tools exist for a session.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import { type Level, LEVELS } from "../manifest/types.ts";

/** Parses `--allow` / `BERTH_ALLOW`: a comma list of levels, or `all`. Fails closed on unknown names. */
export function parseLevels(value: string): Set<Level> {
  const granted = new Set<Level>(["read"]);
  for (const part of value.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (part === "all") return new Set(LEVELS);
    if (!(LEVELS as readonly string[]).includes(part)) {
      throw new BerthError("invalid_input", `Unknown permission level '${part}'`, {
        hint: `Levels are ${LEVELS.join(", ")}, or all`,
      });
    }
    granted.add(part as Level);
  }
  return granted;
}

/** The error for a tool whose level the server has but the HTTP caller's token does not grant. */
export function callerLevelDenied(tool: string, level: Level, caller: string): BerthError {
  return new BerthError(
    "denied_by_policy",
    `Tool '${tool}' needs the '${level}' permission level, which '${caller}' is not granted`,
    {
      hint: `Ask the operator to add ${level} to the allow= of '${caller}' in the token file ` +
        `(or the docker:${level} scope to its access token)`,
    },
  );
}

/** The error for a tool whose level is not granted. */
export function levelDenied(tool: string, level: Level): BerthError {
  return new BerthError(
    "denied_by_policy",
    `Tool '${tool}' needs the '${level}' permission level, which is not granted`,
    {
      hint: `Start berth with --allow ${level} (or BERTH_ALLOW=${level}) to enable it`,
    },
  );
}
