/**
 * The nesting depth of call arguments, bounded before anything walks them:
 * validation, redaction and the audit record all recurse, and arguments
 * nested thousands deep (`{"labels": {"a": {"a": …}}}`) would exhaust the
 * stack there and reach the client as a JSON-RPC internal error with no audit
 * record. Too deep is DKR-004 naming the field.
 *
 * @module
 */

import { type BerthError, invalidInput } from "../errors/mod.ts";

/** Deepest nesting of objects and arrays accepted in call arguments. */
export const MAX_ARGUMENT_DEPTH = 32;

/** Segments of a field path shown before it is cut (`labels.a.a.a.a…`). */
const SHOWN_SEGMENTS = 6;

/**
 * The path of the first value nested deeper than `max` (the arguments object
 * is level 1), found without recursion; undefined when none is.
 */
export function tooDeepField(args: unknown, max = MAX_ARGUMENT_DEPTH): string[] | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value: args, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (!value || typeof value !== "object") continue;
    if (path.length >= max) return path;
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/** The DKR-004 error for arguments nested too deep at `path`. */
export function tooDeepError(path: string[], max = MAX_ARGUMENT_DEPTH): BerthError {
  const shown = path.length > SHOWN_SEGMENTS
    ? `${path.slice(0, SHOWN_SEGMENTS).join(".")}…`
    : path.join(".");
  return invalidInput(
    shown,
    `nests deeper than ${max} levels`,
    `Pass '${path[0]}' as a flat value (no parameter of berth nests more than a few levels)`,
  );
}

/**
 * A copy of `value` cut at `max` levels, deeper values replaced by a note:
 * what the audit record keeps of arguments refused for their depth. Its
 * recursion is bounded by `max`.
 */
export function cutDepth(value: unknown, max = MAX_ARGUMENT_DEPTH): unknown {
  if (!value || typeof value !== "object") return value;
  if (max <= 0) return `[nested deeper than ${MAX_ARGUMENT_DEPTH} levels]`;
  if (Array.isArray(value)) return value.map((v) => cutDepth(v, max - 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutDepth(v, max - 1)]));
}
