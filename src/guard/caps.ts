/**
 * Byte caps on what goes back to the client. The text block is cut by the
 * interpreter; this caps the structured result: a list is cut to fit with
 * `truncated: true`, anything else over the cap becomes an error asking for a
 * narrower call, so a huge inspect never turns into a 50 MB message.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";

/**
 * Largest structured result by default, as JSON characters (config
 * `max_result_bytes`): four times the text block's 64 KiB, since JSON rows
 * say more than a table's, and small enough that a list of 5,000 containers
 * is cut and marked rather than sent whole to the model.
 */
export const MAX_STRUCTURED_BYTES = 256 * 1024;

/** Room kept for the keys added when a list is cut. */
const MARKER_ROOM = 64;

function jsonLength(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/** The top-level array holding the most JSON, if any. */
function largestArray(value: Record<string, unknown>): string | undefined {
  let best: string | undefined;
  let bestSize = -1;
  for (const [key, child] of Object.entries(value)) {
    if (!Array.isArray(child)) continue;
    const size = jsonLength(child);
    if (size > bestSize) [best, bestSize] = [key, size];
  }
  return best;
}

/** A size for messages: KiB under 1 MiB, else MiB. */
function sized(bytes: number): string {
  return bytes < 1048576
    ? `${Math.round(bytes / 1024)} KiB`
    : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function tooLarge(size: number, max: number): BerthError {
  return new BerthError(
    "invalid_input",
    `The answer is ${sized(size)}, over the ${sized(max)} cap of one result`,
    { hint: "Narrow the call: ask for one section, add filters, a limit or a smaller tail" },
  );
}

/**
 * Returns the structured result as is when it fits in `max` JSON
 * characters; otherwise cuts its largest top-level list (the tool's `list`
 * key when given) and marks it `truncated: true`, with `count` set to what is
 * kept and `total` to how many there were. Throws DKR-004 when no list can make it fit.
 */
export function capStructured(
  structured: Record<string, unknown>,
  max = MAX_STRUCTURED_BYTES,
  listKey?: string,
): Record<string, unknown> {
  const size = jsonLength(structured);
  if (size <= max) return structured;
  const key = listKey && Array.isArray(structured[listKey]) ? listKey : largestArray(structured);
  if (!key) throw tooLarge(size, max);
  const items = structured[key] as unknown[];
  let room = max - (size - jsonLength(items)) - MARKER_ROOM;
  const kept: unknown[] = [];
  for (const item of items) {
    const cost = jsonLength(item) + 1;
    if (cost > room) break;
    kept.push(item);
    room -= cost;
  }
  if (room < 0) throw tooLarge(size, max);
  // Marked like the text: truncated, what is kept (count) and how many there were (total).
  const out: Record<string, unknown> = {
    ...structured,
    [key]: kept,
    truncated: true,
    total: items.length,
  };
  if (typeof structured.count === "number") out.count = kept.length;
  return out;
}
