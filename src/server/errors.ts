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

/** Turns a failure into the protocol error a client sees; bugs are rethrown as they are. */
export function protocolError(error: unknown, resource = false): unknown {
  if (!isBerthError(error)) return error;
  const missing = error.type === "container_not_found" || error.type === "not_found";
  const code = resource && missing ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams;
  return new McpError(code, error.toText(), error.toPayload());
}
