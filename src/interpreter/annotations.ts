/**
 * MCP tool annotations, derived in this one place from a tool's permission
 * and route so that they are never written twice or allowed to disagree.
 *
 * @module
 */

import type { ToolSpec } from "../manifest/types.ts";

/** The four hints of the MCP specification. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

// Verbs whose effect cannot be undone by another tool call. An exec runs any
// command, and a copy into a container overwrites files: both may destroy.
const DESTRUCTIVE = /_(remove|prune|kill|down)(_|$)|_system_prune$|_exec_command$|_copy_to_/;
// Verbs that leave the engine in the same state when repeated (copying the same
// files again writes the same files; copying out changes nothing).
const IDEMPOTENT =
  /_(start|stop|pause|unpause|remove|tag|connect|disconnect|wait)(_|$)|_compose_(up|down)$|_copy_(to|from)_/;

/** Derives the annotations of a tool. */
export function annotationsFor(spec: ToolSpec): ToolAnnotations {
  const readOnly = spec.permission === "read";
  const method = spec.request?.method;
  return {
    readOnlyHint: readOnly,
    destructiveHint: !readOnly && (method === "DELETE" || DESTRUCTIVE.test(spec.name)),
    idempotentHint: readOnly || method === "PUT" || method === "DELETE" ||
      IDEMPOTENT.test(spec.name),
    // Registries are the open world: pull, push and build reach them.
    openWorldHint: spec.permission === "images" && spec.timeout === "long",
  };
}
