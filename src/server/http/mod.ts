/**
 * `berth serve --http`: MCP Streamable HTTP at `/mcp` on `Deno.serve`.
 *
 * Every request to /mcp passes, in order: the Host and Origin allowlists
 * (403, against DNS rebinding), authentication (401), the caller's request
 * rate (429), the body cap (413) and the caller's calls in flight (429);
 * only then does the MCP SDK see it. 2026-07-28 requests (a per-request
 * `_meta` envelope) are served by the SDK's stateless handler; 2025-era
 * clients get sessions (`Mcp-Session-Id`, resumable SSE, DELETE). Both build
 * their MCP server with the same {@link createMcpServer}. See docs/security.md.
 *
 * @module
 */

import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { App } from "../../app/mod.ts";
import type { Caller } from "../../interpreter/mod.ts";
import { createMcpServer, onStopSignals, type ServeEnd } from "../mod.ts";
import { ANONYMOUS, authenticate, type Authenticator } from "./auth.ts";
import { CallerLimits } from "./limits.ts";
import type { Metrics } from "./metrics.ts";
import { hostAllowed, type HttpOptions, originAllowed } from "./options.ts";
import { callerKey, MemoryEventStore, Sessions } from "./sessions.ts";
import { health } from "./health.ts";

export * from "./options.ts";
export type { Authenticator } from "./auth.ts";
export { Metrics } from "./metrics.ts";
export { loadTokenFile } from "./tokens.ts";
export { OAuthVerifier } from "./oauth.ts";

/** What {@link serveHttp} needs besides the app. */
export interface ServeHttpOptions extends HttpOptions {
  auth: Authenticator;
  metrics: Metrics;
  /** Told the address once listening. */
  onListen?: (url: string) => void;
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain", ...headers } });
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(
    JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }),
    { status, headers: { "content-type": "application/json" } },
  );
}

/** How many tool calls a parsed body starts. */
function toolCalls(body: unknown): number {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m) => (m as { method?: unknown })?.method === "tools/call").length;
}

/** Reads a body up to `max` bytes; undefined when it is larger. */
async function readCapped(request: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body ?? []) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, (at += chunk.length) - chunk.length);
  return bytes;
}

/** The same response, calling `done` once its body has been sent or dropped. */
function onBodyEnd(response: Response, done: () => void): Response {
  if (!response.body) {
    done();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

/** The HTTP front of one app. */
class HttpFront {
  readonly #app: App;
  readonly #options: ServeHttpOptions;
  readonly #limits: CallerLimits;
  readonly sessions: Sessions;
  readonly #modern;
  draining = false;

  constructor(app: App, options: ServeHttpOptions) {
    this.#app = app;
    this.#options = options;
    this.#limits = new CallerLimits(options.rateLimit, options.maxConcurrent);
    this.sessions = new Sessions(options.sessionIdleMs);
    this.#modern = createMcpHandler(
      // Per-request servers keep nothing between requests: no tasks there.
      (ctx) => createMcpServer(app, callerOf(ctx.authInfo), { tasks: false }),
      { legacy: "reject", maxRequestBodySize: options.maxBodyBytes },
    );
  }

  get callsInFlight(): number {
    return this.#limits.inFlight;
  }

  #refuse(response: Response): Response {
    this.#options.metrics.rejected(response.status);
    return response;
  }

  /** Serves one HTTP request. */
  handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === "/healthz" && request.method === "GET") return await health(this.#app);
    const { allowedHosts, allowedOrigins } = this.#options;
    if (!hostAllowed(request.headers.get("host"), allowedHosts)) {
      return this.#refuse(plain(403, "Host not allowed (berth --allowed-hosts)"));
    }
    if (!originAllowed(request.headers.get("origin"), allowedOrigins)) {
      return this.#refuse(plain(403, "Origin not allowed (berth --allowed-origins)"));
    }
    const auth = this.#options.auth;
    if (url.pathname.startsWith("/.well-known/oauth-protected-resource") && auth.kind === "oauth") {
      return Response.json(auth.verifier.metadata());
    }
    if (url.pathname !== "/metrics" && url.pathname !== "/mcp") return plain(404, "Not found");
    const caller = await authenticate(auth, request);
    if (caller instanceof Response) return this.#refuse(caller);
    if (url.pathname === "/metrics") {
      return plain(200, this.#metrics(), { "content-type": "text/plain; version=0.0.4" });
    }
    if (this.draining) return this.#refuse(plain(503, "berth is stopping", { "retry-after": "5" }));
    const wait = this.#limits.takeRequest(caller.name);
    if (wait !== undefined) {
      return this.#refuse(plain(429, "Too many requests", { "retry-after": String(wait) }));
    }
    return await this.#mcp(request, caller);
  };

  async #mcp(request: Request, caller: Caller): Promise<Response> {
    let parsedBody: unknown;
    if (request.method === "POST") {
      const bytes = await readCapped(request, this.#options.maxBodyBytes);
      if (!bytes) {
        return this.#refuse(jsonRpcError(413, -32600, "Request body too large"));
      }
      try {
        parsedBody = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return jsonRpcError(400, -32700, "Parse error: the body is not JSON");
      }
    }
    const calls = toolCalls(parsedBody);
    const release = calls ? this.#limits.startCalls(caller.name, calls) : () => {};
    if (!release) {
      return this.#refuse(
        plain(429, "Too many calls in flight for this caller", { "retry-after": "1" }),
      );
    }
    try {
      const authInfo = authInfoOf(caller);
      const response = await isLegacyRequest(request, parsedBody)
        ? await this.#legacy(request, caller, parsedBody, authInfo)
        : await this.#modern.fetch(request, { parsedBody, authInfo });
      return onBodyEnd(response, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  async #legacy(
    request: Request,
    caller: Caller,
    parsedBody: unknown,
    authInfo: AuthInfo,
  ): Promise<Response> {
    const id = request.headers.get("mcp-session-id");
    if (id) {
      const session = this.sessions.find(id, caller);
      if (!session) return jsonRpcError(404, -32001, "Session not found");
      return await session.transport.handleRequest(request, { parsedBody, authInfo });
    }
    const initialize = request.method === "POST" &&
      (parsedBody as { method?: string })?.method === "initialize";
    if (!initialize) {
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    // One caller may hold an eighth of the sessions: past that its own least
    // recently used one closes, so no token can fill the table and lock the others out.
    const key = callerKey(caller);
    const share = Math.max(1, Math.floor(this.#options.maxSessions / 8));
    if (this.#options.auth.kind !== "none" && this.sessions.countOf(key) >= share) {
      await this.sessions.close(this.sessions.oldestOf(key)!);
    }
    if (this.sessions.size >= this.#options.maxSessions) {
      return this.#refuse(plain(503, "Too many sessions open", { "retry-after": "30" }));
    }
    const server = createMcpServer(this.#app, callerOf(authInfo));
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        eventStore: new MemoryEventStore(),
        // Sent with the priming event: how soon a client whose stream dropped should come back.
        retryInterval: 1_000,
        maxRequestBodySize: this.#options.maxBodyBytes,
        onsessioninitialized: (sessionId) => {
          this.sessions.add({
            id: sessionId,
            caller: callerKey(caller),
            server,
            transport,
            lastSeen: Date.now(),
          });
        },
        onsessionclosed: (sessionId) => this.sessions.remove(sessionId),
      });
    transport.onclose = () => transport.sessionId && this.sessions.remove(transport.sessionId);
    await server.connect(transport);
    return await transport.handleRequest(request, { parsedBody, authInfo });
  }

  #metrics(): string {
    return this.#options.metrics.render({
      breakerOpen: () => this.#app.breaker.state !== "closed",
      sessions: () => this.sessions.size,
      callsInFlight: () => this.#limits.inFlight,
    });
  }

  async close(): Promise<void> {
    await this.sessions.closeAll();
    await this.#modern.close();
  }
}

/** The SDK's AuthInfo for a caller; the token itself never reaches the handlers. */
function authInfoOf(caller: Caller): AuthInfo {
  return { token: "", clientId: caller.name, scopes: [], extra: { caller } };
}

/** The caller carried by an AuthInfo (undefined for the anonymous loopback caller). */
function callerOf(authInfo: AuthInfo | undefined): Caller | undefined {
  const caller = authInfo?.extra?.caller as Caller | undefined;
  return caller === ANONYMOUS ? undefined : caller;
}

/** Resolves after `ms`, or when `until` answers true (checked every 50 ms). */
async function waitUntil(ms: number, until: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!until() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Serves the app over HTTP until SIGINT or SIGTERM. Stopping: new requests get
 * 503, calls in flight have `drainMs` to finish, then sessions close (aborting
 * what is left) and background operations are abandoned as over stdio.
 */
export async function serveHttp(app: App, options: ServeHttpOptions): Promise<ServeEnd> {
  const front = new HttpFront(app, options);
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen: ({ hostname, port }) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      options.onListen?.(`http://${host}:${port}/mcp`);
    },
  }, front.handle);
  const signal = await new Promise<"SIGINT" | "SIGTERM">((resolve) => {
    const stop = onStopSignals((s) => {
      stop();
      resolve(s);
    });
  });
  front.draining = true;
  await waitUntil(options.drainMs, () => front.callsInFlight === 0);
  await front.close();
  app.operations.abandonAll();
  await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 2_000))]);
  app.engine.close();
  return signal;
}
