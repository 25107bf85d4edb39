/**
 * `docker_list_engines`: every configured engine, with its endpoint
 * (credentials removed), whether it answers, its kind and version, and the
 * levels granted there. Engines are asked at once, each within its own short
 * deadline, and one whose breaker is open is not asked at all: a hung engine
 * never holds the listing longer than its probe.
 *
 * @module
 */

import { identify } from "../../engine/identity.ts";
import { BerthError, isBerthError } from "../../errors/mod.ts";
import { LEVELS } from "../../manifest/types.ts";
import type { EngineSlot } from "../../interpreter/contract.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** The longest a listing waits for one engine. */
const PROBE_MS = 3_000;

interface EngineRow {
  name: string;
  default: boolean;
  endpoint: string;
  reachable: boolean;
  kind: string | null;
  version: string | null;
  api_version: string | null;
  levels: string[];
  breaker: string;
  error: string | null;
}

async function describe(slot: EngineSlot, isDefault: boolean, signal: AbortSignal) {
  const row: EngineRow = {
    name: slot.name,
    default: isDefault,
    endpoint: slot.endpoint,
    reachable: false,
    kind: null,
    version: null,
    api_version: null,
    levels: LEVELS.filter((level) => slot.policy.allowsLevel(level)),
    breaker: slot.breaker?.state ?? "closed",
    error: null,
  };
  if (row.breaker === "open") {
    row.error = "circuit breaker open: recent calls failed; not asked";
    return row;
  }
  const probe = AbortSignal.any([
    signal,
    AbortSignal.timeout(Math.min(PROBE_MS, slot.timeouts.read)),
  ]);
  try {
    const who = await identify(slot.engine, probe);
    Object.assign(row, {
      reachable: true,
      kind: who.kind,
      version: who.version,
      api_version: who.apiVersion,
    });
  } catch (error) {
    row.error = isBerthError(error)
      ? `${error.code} ${error.message}`
      : probe.aborted
      ? `no answer within ${Math.min(PROBE_MS, slot.timeouts.read) / 1000}s`
      : String((error as Error)?.message ?? error);
  }
  return row;
}

/** Lists the engines; answers DKR-004 when berth runs with one engine only. */
export const listEngines: Handler = async ({ engines, signal }) => {
  if (!engines) {
    throw new BerthError("invalid_input", "berth runs with one engine", {
      hint: "Name engines under engines: in the config file (README: Several engines)",
    });
  }
  const rows = await Promise.all(
    engines.slots.map((slot) => describe(slot, slot.name === engines.defaultName, signal)),
  );
  const text = rows.map((r) =>
    `${r.name}${r.default ? " (default)" : ""}  ${r.endpoint}  ` +
    (r.reachable ? `${r.kind} ${r.version}` : `unreachable: ${r.error}`) +
    `  levels ${r.levels.join(",")}`
  );
  return { structured: { engines: rows, count: rows.length }, text: text.join("\n") };
};
