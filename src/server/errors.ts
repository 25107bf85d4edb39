/**
 * Prompts and resources have no `isError` result: their expected failures
 * travel as JSON-RPC errors that keep the DKR text (code, message, hint).
 *
 * @module
 */

import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { isBerthError } from "../errors/mod.ts";

/** What an error's message may carry before the text; a client puts it there again when it reads the error. */
const PREFIX = /^MCP error -?\d+: /;

/**
 * Turns a failure into the protocol error a client sees; bugs are rethrown as
 * they are. A missing resource is -32602 too: the 2026-07-28 revision requires
 * it, the SDK sends it on every revision, and 2025 clients accept it beside -32002.
 */
export function protocolError(error: unknown): unknown {
  if (error instanceof ProtocolError) return wireError(error.code, error.message, error.data);
  if (!isBerthError(error)) return error;
  return wireError(ProtocolErrorCode.InvalidParams, error.toText(), error.toPayload());
}

/**
 * A ProtocolError whose message is the text alone. The SDK sends `message` as
 * the JSON-RPC error's message and a client prefixes it with
 * "MCP error <code>: ": a prefix kept from an earlier error would be read twice.
 */
export function wireError(code: number, text: string, data?: unknown): ProtocolError {
  const error = new ProtocolError(code, text, data);
  error.message = text.replace(PREFIX, "");
  return error;
}
