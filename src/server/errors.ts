/**
 * Prompts and resources have no `isError` result: their expected failures
 * travel as JSON-RPC errors that keep the DKR text (code, message, hint).
 *
 * @module
 */

// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/types"
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { isBerthError } from "../errors/mod.ts";

/** The JSON-RPC code the MCP specification gives to a missing resource. */
export const RESOURCE_NOT_FOUND = -32002;

/** What McpError puts before the text; the client puts it there again when it reads the error. */
const PREFIX = /^MCP error -?\d+: /;

/** Turns a failure into the protocol error a client sees; bugs are rethrown as they are. */
export function protocolError(error: unknown, resource = false): unknown {
  if (error instanceof McpError) return wireError(error.code, error.message, error.data);
  if (!isBerthError(error)) return error;
  const missing = error.type === "container_not_found" || error.type === "not_found";
  const code = resource && missing ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams;
  return wireError(code, error.toText(), error.toPayload());
}

/**
 * An McpError whose message is the text alone. The SDK sends `message` as the
 * JSON-RPC error's message and the client's McpError prefixes it with
 * "MCP error <code>: ": left as McpError builds it, the client would read
 * the prefix twice.
 */
export function wireError(code: number, text: string, data?: unknown): McpError {
  const error = new McpError(code, text, data);
  error.message = text.replace(PREFIX, "");
  return error;
}
