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

/** How deep `text` nests arrays and objects, read without recursion; stops past `limit`. */
export function jsonDepth(text: string, limit = MAX_ENGINE_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
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
