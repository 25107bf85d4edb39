/**
 * End-to-end helpers for `berth serve --http`: spawn berth as users do
 * (`deno run -P=berth dist/bundle/main.js serve --http 127.0.0.1:PORT`), wait for its
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
import { exportJWK, generateKeyPair } from "jose";
import { readyToRun, REPO, serveArgs, serverEnv } from "./_mcp.ts";

/** A running `berth serve --http`; `await using` stops it (SIGTERM) when the scope ends. */
export interface HttpServer extends AsyncDisposable {
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
  const argv = serveArgs(["--http", listen, ...args], options.denoFlags);
  await readyToRun(argv);
  const process = new Deno.Command(Deno.execPath(), {
    args: argv,
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
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    try {
      process.kill(signal);
    } catch {
      // already gone
    }
    return await process.status;
  };
  return {
    url: new URL(`${base}/mcp`),
    base,
    port,
    process,
    stderr,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/** A client that `await using` closes; closing a client of a server gone already is no error. */
export type Closing<C extends { close(): Promise<void> }> = C & AsyncDisposable;

/** Makes a connected client closed by `await using`. */
export function closing<C extends { close(): Promise<void> }>(client: C): Closing<C> {
  return Object.assign(client, {
    // Teardown, never what a test checks: the server may have stopped or dropped the session.
    [Symbol.asyncDispose]: () => client.close().catch(() => {}),
  });
}

/** A v1 SDK client (2025-11-25, with a session) connected over HTTP. */
export async function connectLegacy(url: URL, token?: string): Promise<Closing<Client>> {
  const client = new Client({ name: "berth-e2e-http", version: "1.0.0" });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return closing(client);
}

/** A v2 SDK client pinned to protocol 2026-07-28 (no session). */
export async function connectModern(url: URL, token?: string): Promise<Closing<ModernClient>> {
  const client = new ModernClient({ name: "berth-e2e-http", version: "2.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new ModernTransport(url, { requestInit: { headers } }));
  return closing(client);
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

/** A private key of {@link startIssuer}'s, to sign tokens with. */
export type IssuerKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

/** An OAuth issuer on loopback; `await using` shuts it down. */
export interface Issuer extends AsyncDisposable {
  /** Its URL, http://127.0.0.1:PORT. */
  issuer: string;
  /** The key its JWKS publishes (kid k1, RS256). */
  privateKey: IssuerKey;
}

/** An OAuth issuer on loopback: RFC 8414 metadata and a JWKS with one RS256 key. */
export async function startIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...await exportJWK(publicKey), kid: "k1", alg: "RS256", use: "sig" };
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (request): Response => {
    const path = new URL(request.url).pathname;
    if (path === "/.well-known/oauth-authorization-server") {
      return Response.json({ issuer, jwks_uri: `${issuer}/jwks` });
    }
    if (path === "/jwks") return Response.json({ keys: [jwk] });
    return new Response("not found", { status: 404 });
  });
  const issuer: string = `http://127.0.0.1:${server.addr.port}`;
  return { issuer, privateKey, [Symbol.asyncDispose]: () => server.shutdown() };
}
