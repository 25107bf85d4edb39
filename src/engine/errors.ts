/**
 * The one place where engine HTTP failures become DKR errors.
 *
 * @module
 */

import { BerthError, type ErrorType } from "../errors/mod.ts";

/** How a manifest renames a status for its route (e.g. 404 → image_not_found). */
export type StatusOverrides = Partial<Record<number, ErrorType>>;

/** The engine's message, read from its `{"message": …}` body or the raw text. */
export function engineMessage(body: string): string {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed.message === "string") return parsed.message;
  } catch {
    // Not JSON: the engine (or a proxy in front of it) sent plain text.
  }
  return body.trim().slice(0, 2000) || "(no message)";
}

/** Picks the error type for a status and message; the message decides when it is more precise. */
export function classify(
  status: number,
  message: string,
  overrides: StatusOverrides = {},
): ErrorType {
  if (/port is already allocated|address already in use/i.test(message)) return "port_in_use";
  if (
    /no such image|pull access denied|manifest unknown|repository does not exist/i.test(message)
  ) {
    return "image_not_found";
  }
  if (/no such container/i.test(message)) return "container_not_found";
  const override = overrides[status];
  if (override) return override;
  if (status === 400) return "invalid_input";
  if (status === 401 || status === 403) return "permission_denied";
  if (status === 404) return "not_found";
  if (status === 409 || status === 304) return "conflict";
  return "engine_error";
}

const HINTS: Partial<Record<ErrorType, string>> = {
  conflict: "Check the object's current state (is it running, in use, or the name taken?)",
  invalid_input: "The engine rejected the request; correct the parameter it names",
};

/** Builds the error for a non-success engine response. */
export function engineError(
  status: number,
  body: string,
  context: string,
  overrides: StatusOverrides = {},
): BerthError {
  const message = engineMessage(body);
  const type = classify(status, message, overrides);
  const text = message.charAt(0).toUpperCase() + message.slice(1).replace(/\.$/, "");
  return new BerthError(type, text, { status, context, hint: HINTS[type] });
}

/** Messages of Deno's fetch and streams when the connection broke or spoke no HTTP. */
const TRANSPORT_MESSAGE =
  /fetch failed|error sending request|error reading a body|connection (closed|reset|refused)|broken pipe|unexpected eof|invalid http/i;

/** True when an error is a failure of the connection itself (refused, reset, closed mid-body, not HTTP). */
export function isTransportError(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionRefused ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.NotConnected ||
    (error instanceof TypeError && TRANSPORT_MESSAGE.test(error.message));
}

/** The DKR-001 error for a connection failure; `where` names the engine. */
export function unreachable(error: unknown, where = "the configured host"): BerthError {
  const cause = (error as Error)?.cause as Error | undefined;
  const detail = [String((error as Error)?.message ?? error), cause?.message]
    .filter(Boolean).join(": ");
  return new BerthError("daemon_unreachable", `No answer from the engine at ${where}`, {
    context: detail.slice(0, 300),
    cause: error,
  });
}

/** DKR-001 for a connection failure, undefined for any other error. */
export function transportFailure(error: unknown, where?: string): BerthError | undefined {
  return isTransportError(error) ? unreachable(error, where) : undefined;
}
