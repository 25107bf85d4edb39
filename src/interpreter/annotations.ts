/**
 * MCP tool annotations, derived in this one place from a tool's permission
 * and route so that they are never written twice or allowed to disagree.
 *
 * @module
 */

import { READ_METHODS, type ToolSpec } from "../manifest/types.ts";

/** The four hints of the MCP specification. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

// Verbs that remove or end something for good: no other tool call brings it
// back. These are the calls the user is asked to confirm.
const IRREVERSIBLE = /_(remove|prune|kill|down)(_|$)|_system_prune$/;
// An exec runs any command and a copy into a container overwrites files: both
// may destroy, so they carry the hint, but they are everyday work, not removals.
const MAY_DESTROY = /_exec_command$|_copy_to_/;
// Verbs that leave the engine in the same state when repeated (copying the same
// files again writes the same files; copying out changes nothing).
const IDEMPOTENT =
  /_(start|stop|pause|unpause|remove|tag|connect|disconnect|wait)(_|$)|_compose_(up|down)$|_copy_(to|from)_/;

/**
 * True when a tool only reads: its permission is `read` and its route, if it
 * declares one, is a GET or HEAD. A route that changes the engine is never
 * read-only, whatever level its manifest declares (the loader refuses that
 * pairing; this keeps the hints honest for a spec built any other way).
 */
export function isReadOnly(spec: Pick<ToolSpec, "permission" | "request">): boolean {
  const method = spec.request?.method;
  return spec.permission === "read" && (method === undefined || READ_METHODS.has(method));
}

/**
 * True when a tool removes, prunes or kills (a DELETE route, remove, prune,
 * kill, system prune, compose down): what cannot be undone by another call.
 * A narrower set than `destructiveHint`, which also covers exec and copy_to.
 */
export function isIrreversible(spec: ToolSpec): boolean {
  return !isReadOnly(spec) &&
    (spec.request?.method === "DELETE" || IRREVERSIBLE.test(spec.name));
}

/** Derives the annotations of a tool. */
export function annotationsFor(spec: ToolSpec): ToolAnnotations {
  const readOnly = isReadOnly(spec);
  const method = spec.request?.method;
  return {
    readOnlyHint: readOnly,
    destructiveHint: isIrreversible(spec) || (!readOnly && MAY_DESTROY.test(spec.name)),
    idempotentHint: readOnly || method === "PUT" || method === "DELETE" ||
      IDEMPOTENT.test(spec.name),
    // Registries are the open world: pull, push and build reach them.
    openWorldHint: spec.permission === "images" && spec.timeout === "long",
  };
}

/**
 * The annotations as `tools/list` sends them: only the hints that differ from
 * the MCP defaults (readOnlyHint false, destructiveHint true, idempotentHint
 * false, openWorldHint true). A read-only tool sends readOnlyHint alone:
 * destructiveHint and idempotentHint are defined only for tools that change
 * their environment, and clients weigh openWorldHint as a side effect's reach,
 * which a tool that changes nothing has not. The list is read on every turn,
 * so the same meaning in fewer tokens is worth it.
 */
export function wireAnnotations(a: ToolAnnotations): Partial<ToolAnnotations> {
  const out: Partial<ToolAnnotations> = {};
  if (a.readOnlyHint) {
    out.readOnlyHint = true;
    return out;
  }
  if (!a.destructiveHint) out.destructiveHint = false;
  if (a.idempotentHint) out.idempotentHint = true;
  if (!a.openWorldHint) out.openWorldHint = false;
  return out;
}
