/**
 * TRANSITIONAL: the operation of a raw request, for callers that still build
 * `{ method, path }` by hand. Matches the path against the operation table
 * and decodes the target's segment. Goes when the last such caller builds
 * operations (src/engine/ops/); nothing new may use it.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { type AnyOperation, type OpName, ROUTES } from "./mod.ts";
import type { Route, Target } from "./operation.ts";

interface Pattern {
  name: OpName;
  route: Route;
  regex: RegExp;
}

const PATTERNS: Pattern[] = (Object.entries(ROUTES) as [OpName, Route][]).map(([name, route]) => {
  const [head, tail] = route.path.split("{ref}");
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const slot = route.target === "image" ? "(.+?)" : "([^/]+)";
  const source = tail === undefined ? escape(head) : escape(head) + slot + escape(tail);
  return { name, route, regex: new RegExp(`^${source}$`) };
});

/** Decodes a path segment; a malformed one is a bad reference, not a crash. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BerthError("invalid_input", "A path parameter is not validly encoded", {
      context: segment,
      hint: "Names and IDs may only contain letters, digits, '_', '.' and '-'",
    });
  }
}

/** The operation a raw request is; an unknown route is an error, never a pass. */
export function operationFromRequest(req: {
  method: string;
  path: string;
  query?: AnyOperation["query"];
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  errors?: AnyOperation["errors"];
  accept?: readonly number[];
}): AnyOperation {
  const method = req.method.toUpperCase();
  let found: { p: Pattern; ref?: string } | undefined;
  for (const p of PATTERNS) {
    if (p.route.method !== method) continue;
    const m = p.regex.exec(req.path);
    if (!m) continue;
    if (m[1] === undefined) {
      found = { p };
      break; // a literal route wins over a slot ("/containers/json")
    }
    found ??= { p, ref: decodeSegment(m[1]) };
  }
  if (!found) {
    throw new BerthError(
      "denied_by_policy",
      `No known Engine API operation is ${method} ${req.path}`,
      {
        hint: "Use a route of the Engine API berth knows (src/engine/ops/)",
      },
    );
  }
  const { p, ref } = found;
  const target: Target = p.route.target === "none"
    ? { kind: "none" }
    : { kind: p.route.target, ref: ref ?? "" };
  return {
    name: p.name,
    method: p.route.method,
    target,
    query: req.query,
    body: req.body,
    headers: req.headers,
    signal: req.signal,
    errors: req.errors,
    accept: req.accept,
  };
}
