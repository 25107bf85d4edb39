/**
 * End-to-end helpers for `berth serve --http`: spawn berth as users do
 * (`deno run -P=berth src/main.ts serve --http 127.0.0.1:PORT`), wait for its
 * "listening on" line, and connect real MCP clients: the v1 SDK client
 * (protocol 2025-11-25, sessions) and the v2 client pinned to 2026-07-28.
 *
 * @module
 */

// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import { REPO, serveArgs, serverEnv } from "./_mcp.ts";

/** A running `berth serve --http`. */
export interface HttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:41234/mcp. */
  url: URL;
  /** http://127.0.0.1:PORT */
  base: string;
  port: number;
  process: Deno.ChildProcess;
  stderr(): string;
  /** Sends a signal and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** A port free at this moment on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Reads a child's stderr into a string as it comes. */
function collect(stream: ReadableStream<Uint8Array>): () => string {
  let text = "";
  (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })().catch(() => {});
  return () => text;
}

/** Spawns berth with --http on a free loopback port; resolves once it listens. */
export async function startHttp(
  args: string[] = [],
  options: { denoFlags?: string[]; env?: Record<string, string>; listen?: string; port?: number } =
    {},
): Promise<HttpServer> {
  const port = options.port ?? freePort();
  const listen = options.listen ?? `127.0.0.1:${port}`;
  const process = new Deno.Command(Deno.execPath(), {
    args: serveArgs(["--http", listen, ...args], options.denoFlags),
    cwd: REPO,
    env: serverEnv(options.env),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = collect(process.stderr);
  const deadline = Date.now() + 30_000;
  while (!stderr().includes("listening on")) {
    const exited = await Promise.race([
      process.status.then((s) => s),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
    ]);
    if (exited || Date.now() > deadline) {
      if (!exited) process.kill("SIGKILL");
      throw new Error(`berth --http did not start (${exited?.code}):\n${stderr()}`);
    }
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    url: new URL(`${base}/mcp`),
    base,
    port,
    process,
    stderr,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        process.kill(signal);
      } catch {
        // already gone
      }
      return await process.status;
    },
  };
}

/** A v1 SDK client (2025-11-25, with a session) connected over HTTP. */
export async function connectLegacy(url: URL, token?: string): Promise<Client> {
  const client = new Client({ name: "berth-e2e-http", version: "1.0.0" });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** A v2 SDK client pinned to protocol 2026-07-28 (no session). */
export async function connectModern(url: URL, token?: string): Promise<ModernClient> {
  const client = new ModernClient({ name: "berth-e2e-http", version: "2.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new ModernTransport(url, { requestInit: { headers } }));
  return client;
}

/** The JSON-RPC initialize body a 2025-11-25 client sends. */
export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
};

/** POSTs JSON-RPC to /mcp with the headers a Streamable HTTP client sends. */
export function post(
  url: URL,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
