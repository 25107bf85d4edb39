/**
 * JSON-RPC rules a transport enforces before a message reaches the MCP
 * server, whatever SDK runs behind it: a request before `initialize` is
 * refused, not executed; a request reusing the id of one still in flight is
 * refused, not answered twice; a line that is not JSON-RPC gets the error the
 * JSON-RPC 2.0 specification names (-32700, -32600). See docs/security.md.
 *
 * @module
 */

/** JSON-RPC 2.0 error codes used here. */
export const PARSE_ERROR = -32700;
/** The message is not a valid request (also: not initialized, duplicate id, too large). */
export const INVALID_REQUEST = -32600;

/** A JSON-RPC id: a string or a number (null only in an error about an unreadable request). */
export type RpcId = string | number;

/** A JSON-RPC message as it travels (the SDK's types stay in the server module). */
export type RpcMessage = Record<string, unknown> & { jsonrpc: "2.0" };

/** Methods a client may send before the server answered `initialize` (MCP lifecycle). */
const BEFORE_INITIALIZE = new Set(["initialize", "ping"]);

/** A JSON-RPC error answer. */
export function rpcError(id: RpcId | null, code: number, message: string): RpcMessage {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/** What to do with one inbound message. */
export type Verdict =
  | { forward: RpcMessage }
  | { reply: RpcMessage }
  | { drop: string };

/** True for a JSON-RPC id (a string or a finite number). */
function isId(value: unknown): value is RpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** The key of an id in the in-flight set (`1` and `"1"` are different ids). */
function idKey(id: RpcId): string {
  return `${typeof id}:${id}`;
}

/** Tracks one connection's lifecycle and in-flight request ids. */
export class ProtocolGuard {
  #initialized = false;
  #initializeId?: string;
  readonly #inFlight = new Set<string>();

  /** Decides about a parsed inbound message. */
  inbound(message: unknown): Verdict {
    if (!message || typeof message !== "object" || Array.isArray(message)) {
      return { reply: rpcError(null, INVALID_REQUEST, "Invalid Request: not a JSON-RPC object") };
    }
    const msg = message as Record<string, unknown>;
    const id = isId(msg.id) ? msg.id : null;
    if (msg.jsonrpc !== "2.0") {
      return { reply: rpcError(id, INVALID_REQUEST, 'Invalid Request: jsonrpc must be "2.0"') };
    }
    if (typeof msg.method !== "string") {
      // A response to one of our requests (elicitation, sampling) or garbage.
      const response = id !== null && ("result" in msg || "error" in msg);
      return response
        ? { forward: msg as RpcMessage }
        : { reply: rpcError(id, INVALID_REQUEST, "Invalid Request: no method") };
    }
    if (!("id" in msg)) return this.#notification(msg as RpcMessage);
    if (id === null) {
      return {
        reply: rpcError(null, INVALID_REQUEST, "Invalid Request: id must be a string or number"),
      };
    }
    return this.#request(msg as RpcMessage, id);
  }

  /** Notes an outbound message: an answer frees its id; initialize's result opens the session. */
  outbound(message: Record<string, unknown>): void {
    if (typeof message.method === "string" || !isId(message.id)) return;
    const key = idKey(message.id);
    this.#inFlight.delete(key);
    if (key === this.#initializeId && "result" in message) this.#initialized = true;
  }

  #notification(msg: RpcMessage): Verdict {
    // Before initialize only the client's own lifecycle notes make sense.
    if (!this.#initialized && msg.method !== "notifications/initialized") {
      return { drop: `notification ${msg.method} before initialize` };
    }
    // A cancelled request gets no answer (MCP): its id is free again.
    const params = msg.params as { requestId?: unknown } | undefined;
    if (msg.method === "notifications/cancelled" && isId(params?.requestId)) {
      this.#inFlight.delete(idKey(params.requestId));
    }
    return { forward: msg };
  }

  #request(msg: RpcMessage, id: RpcId): Verdict {
    const method = msg.method as string;
    if (!this.#initialized && !BEFORE_INITIALIZE.has(method)) {
      return {
        reply: rpcError(
          id,
          INVALID_REQUEST,
          `Server not initialized: send initialize (and wait for its answer) before ${method}`,
        ),
      };
    }
    const key = idKey(id);
    if (this.#inFlight.has(key)) {
      return {
        reply: rpcError(
          id,
          INVALID_REQUEST,
          `Request id ${JSON.stringify(id)} is already in use by a request not answered yet; ` +
            "use a new id for each request",
        ),
      };
    }
    this.#inFlight.add(key);
    if (method === "initialize") this.#initializeId = key;
    return { forward: msg };
  }
}
