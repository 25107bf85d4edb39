/**
 * Engine JSON read with bounds: an answer nested deeper than
 * {@link MAX_ENGINE_JSON_DEPTH} is refused before it is parsed, so no walk
 * over it (redaction, shaping) can exhaust the stack, and an answer that is
 * not JSON is a DKR error naming the route, never a bare SyntaxError.
 * Sizes are capped where the body is read (client.ts, streams.ts).
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";

/** Deepest nesting accepted in engine JSON (the Engine API nests under 20). */
export const MAX_ENGINE_JSON_DEPTH = 200;

/** An engine fault (DKR-012) about what it sent on `context` (a route or stream). */
export function engineFault(message: string, context: string, hint?: string): BerthError {
  return new BerthError("engine_error", message, {
    context,
    hint: hint ?? "Check that --docker-host points at a Docker engine, and retry",
  });
}

/**
 * How deep `text` nests arrays and objects, read without recursion; stops
 * past `limit`. A string is skipped in one jump to its closing quote (the
 * first not escaped by an odd run of backslashes): most of an engine answer
 * is strings, and this scan ran as long as JSON.parse itself char by char.
 */
export function jsonDepth(text: string, limit = MAX_ENGINE_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = closingQuote(text, i);
      if (end < 0) return deepest; // unterminated: JSON.parse says so
      i = end;
    } else if (c === 123 || c === 91) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  for (let quote = text.indexOf('"', open + 1); quote >= 0; quote = text.indexOf('"', quote + 1)) {
    let backslash = quote - 1;
    while (text.charCodeAt(backslash) === 92) backslash--;
    if ((quote - 1 - backslash) % 2 === 0) return quote;
  }
  return -1;
}

/** Parses engine JSON; DKR-012 when it is not JSON or nests too deep. */
export function parseEngineJson<T = unknown>(text: string, context: string): T {
  if (jsonDepth(text) > MAX_ENGINE_JSON_DEPTH) {
    throw engineFault(
      `The engine's answer nests deeper than ${MAX_ENGINE_JSON_DEPTH} levels`,
      context,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw engineFault("The engine's answer is not valid JSON", `${context}: ${text.slice(0, 200)}`);
  }
}
