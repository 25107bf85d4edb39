/**
 * Attack tests on `berth serve --http`, spawned as users run it, with an
 * OAuth issuer this test runs on loopback (metadata and JWKS on Deno.serve,
 * tokens signed here with jose): a 2025-era session opened with a wide token
 * is not usable with a narrower token of the same subject (the session's
 * server keeps the levels it was opened with, so it would widen the narrower
 * token); tokens without a subject or client id are not one shared caller.
 */

import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { berthReadPaths, SPAWN_TEST } from "./_mcp.ts";
import { connectLegacy, freePort, INITIALIZE, post, startHttp } from "./_http.ts";
import { cleanup, runContainer } from "../helpers/mod.ts";

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...await exportJWK(publicKey), kid: "k1", alg: "RS256", use: "sig" };
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request): Response => {
      const path = new URL(request.url).pathname;
      if (path === "/.well-known/oauth-authorization-server") {
        return Response.json({ issuer, jwks_uri: `${issuer}/jwks` });
      }
      if (path === "/jwks") return Response.json({ keys: [jwk] });
      return new Response("not found", { status: 404 });
    },
  );
  const issuer: string = `http://127.0.0.1:${server.addr.port}`;
  return { issuer, privateKey, server };
}

function sign(key: Key, issuer: string, audience: string, claims: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + 600)
    .sign(key);
}

/** One JSON-RPC answer of a POST (JSON or a one-event SSE stream). */
async function answer(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  const events = [...text.matchAll(/^data: (.+)$/gm)].map((m) => m[1]);
  const data = text.startsWith("{") ? text : events.at(-1);
  return data ? JSON.parse(data) : { status: response.status, text };
}

Deno.test({
  name: "attack http: a session opened with a wide token is not the narrower token's",
  ...SPAWN_TEST,
  async fn() {
    const { issuer, privateKey, server: idp } = await startIssuer();
    const port = freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    const berth = await startHttp(
      ["--allow", "read,lifecycle", "--oauth-issuer", issuer, "--oauth-audience", audience],
      { port, denoFlags: [`--allow-read=${berthReadPaths().join(",")}`] },
    );
    const open = async (token: string) => {
      const auth = { authorization: `Bearer ${token}` };
      const init = await post(berth.url, INITIALIZE, auth);
      assert.equal(init.status, 200);
      const id = init.headers.get("mcp-session-id")!;
      await init.body?.cancel();
      const session = { ...auth, "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" };
      const done = await post(
        berth.url,
        { jsonrpc: "2.0", method: "notifications/initialized" },
        session,
      );
      await done.body?.cancel();
      return id;
    };
    const stop = {
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "docker_stop_container", arguments: { container_id: "berth-atk-http-none" } },
    };
    try {
      const wide = await sign(privateKey, issuer, audience, { sub: "alice", scope: "docker:all" });
      const narrow = await sign(privateKey, issuer, audience, {
        sub: "alice",
        scope: "docker:read",
      });
      const id = await open(wide);
      const headers = {
        authorization: `Bearer ${narrow}`,
        "mcp-session-id": id,
        "mcp-protocol-version": "2025-11-25",
      };
      const listed = await post(
        berth.url,
        { jsonrpc: "2.0", id: 6, method: "tools/list" },
        headers,
      );
      assert.equal(listed.status, 404, JSON.stringify(await answer(listed.clone())));
      await listed.body?.cancel();
      const called = await post(berth.url, stop, headers);
      assert.equal(called.status, 404, JSON.stringify(await answer(called.clone())));
      await called.body?.cancel();
      // Nor does a DELETE of the narrower token end the wide token's session.
      const deleted = await fetch(berth.url, { method: "DELETE", headers });
      assert.equal(deleted.status, 404);
      await deleted.body?.cancel();
      // The wide token still has its session.
      const own = await post(berth.url, stop, { ...headers, authorization: `Bearer ${wide}` });
      const result = (await answer(own)) as {
        result?: { structuredContent?: { error?: { code?: string } } };
      };
      assert.equal(result.result?.structuredContent?.error?.code, "DKR-002");

      // Two tokens with neither sub nor client_id are two strangers, not one caller.
      const anonA = await sign(privateKey, issuer, audience, { scope: "docker:all" });
      const anonB = await sign(privateKey, issuer, audience, { scope: "docker:all" });
      const first = await post(berth.url, INITIALIZE, { authorization: `Bearer ${anonA}` });
      const firstId = first.headers.get("mcp-session-id");
      await first.body?.cancel();
      if (first.status === 200) {
        const other = await post(berth.url, stop, {
          authorization: `Bearer ${anonB}`,
          "mcp-session-id": firstId!,
          "mcp-protocol-version": "2025-11-25",
        });
        assert.equal(other.status, 404);
        await other.body?.cancel();
      } else {
        assert.equal(first.status, 401);
      }
    } finally {
      await berth.stop();
      await idp.shutdown();
    }
  },
});

Deno.test({
  name:
    "attack http: a token without the read level reads nothing through resources, prompts or completion",
  ...SPAWN_TEST,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "berth-atk-http-" });
    const tokens = `${dir}/tokens`;
    const operator = crypto.randomUUID();
    Deno.writeTextFileSync(tokens, `restarter:${operator} allow=lifecycle\n`);
    const name = await runContainer("attacks-http", {
      command: ["sh", "-c", "echo atk-http-log-line; sleep 120"],
    });
    const berth = await startHttp(["--allow", "read,lifecycle", "--token-file", tokens], {
      denoFlags: [`--allow-read=${[...berthReadPaths(), tokens].join(",")}`],
    });
    const client = await connectLegacy(berth.url, operator);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(!tools.includes("docker_container_logs"), tools.join(","));
      const listed = await client.listResources().catch((e: Error) => ({ error: e.message }));
      assert.ok(!JSON.stringify(listed).includes(name), JSON.stringify(listed));
      const read = await client.readResource({ uri: `container://logs/${name}` })
        .catch((e: Error) => ({ error: e.message }));
      assert.ok(!JSON.stringify(read).includes("atk-http-log-line"), JSON.stringify(read));
      const prompt = await client.getPrompt({
        name: "troubleshoot_container",
        arguments: { container_id: name },
      }).catch((e: Error) => ({ error: e.message }));
      assert.ok(!JSON.stringify(prompt).includes("atk-http-log-line"), JSON.stringify(prompt));
      const completed = await client.complete({
        ref: { type: "ref/resource", uri: "container://logs/{container_id}" },
        argument: { name: "container_id", value: name.slice(0, 12) },
      }).catch((e: Error) => ({ error: e.message }));
      assert.ok(!JSON.stringify(completed).includes(name), JSON.stringify(completed));
    } finally {
      await client.close();
      await berth.stop();
      await cleanup("attacks-http");
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "attack http: one token cannot fill the session table and lock the others out",
  ...SPAWN_TEST,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "berth-atk-http-" });
    const tokens = `${dir}/tokens`;
    const [greedy, other] = [crypto.randomUUID(), crypto.randomUUID()];
    Deno.writeTextFileSync(tokens, `greedy:${greedy} allow=read\nother:${other}\n`);
    const berth = await startHttp(["--token-file", tokens, "--max-sessions", "16"], {
      denoFlags: [`--allow-read=${[...berthReadPaths(), tokens].join(",")}`],
    });
    const initialize = async (token: string) => {
      const response = await post(berth.url, INITIALIZE, { authorization: `Bearer ${token}` });
      await response.body?.cancel();
      return { status: response.status, id: response.headers.get("mcp-session-id") };
    };
    try {
      const first = await initialize(greedy);
      assert.equal(first.status, 200);
      for (let i = 0; i < 20; i++) assert.equal((await initialize(greedy)).status, 200);
      // Its own oldest sessions made room: the first is gone, the other token still gets in.
      const old = await post(berth.url, { jsonrpc: "2.0", id: 2, method: "ping" }, {
        authorization: `Bearer ${greedy}`,
        "mcp-session-id": first.id!,
        "mcp-protocol-version": "2025-11-25",
      });
      assert.equal(old.status, 404);
      await old.body?.cancel();
      assert.equal((await initialize(other)).status, 200);
    } finally {
      await berth.stop();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
