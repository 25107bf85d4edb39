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

/**
 * A call's outcome in one word, never its content: `abandoned` (the server
 * exited before background work ended), the error's DKR code (`error` when it
 * has none), `running` (handed to the background with an operation_id), or
 * `ok`. The audit log records it; the CLI's debug line prints it.
 */
export function callOutcome(result: ToolResult): string {
  const { structured } = result;
  if (structured.status === "abandoned") return "abandoned";
  if (result.isError) return (structured.error as { code?: string } | undefined)?.code ?? "error";
  const background = typeof structured.operation_id === "string" &&
    structured.status === "running";
  return background ? "running" : "ok";
}

export type { Progress } from "./contract.ts";
