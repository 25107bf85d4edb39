/**
 * The result of a tool call, free of MCP SDK types so that the server layer
 * can adapt it to any protocol version.
 *
 * @module
 */

import type { BerthError } from "../errors/mod.ts";

/** What a tool call produced. */
export interface ToolResult {
  /** The structured result (matches the tool's outputSchema unless isError). */
  structured: Record<string, unknown>;
  /** One compact text block for the model. */
  text: string;
  isError: boolean;
}

/** The result for an expected failure. */
export function errorResult(error: BerthError): ToolResult {
  return { structured: { error: error.toPayload() }, text: error.toText(), isError: true };
}

/** A progress report from a long operation. */
export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}
