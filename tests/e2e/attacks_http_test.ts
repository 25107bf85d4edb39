/**
 * Attack tests on `berth serve --http`, spawned as users run it, with an
 * OAuth issuer this test runs on loopback (metadata and JWKS on Deno.serve,
 * tokens signed here with jose): a 2025-era session opened with a wide token
 * is not usable with a narrower token of the same subject (the session's
 * server keeps the levels it was opened with, so it would widen the narrower
 * token); tokens without a subject or client id are not one shared caller.
 */

import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { alsoAllowed, readAlso, SPAWN_TEST } from "./_mcp.ts";
import {
  connectLegacy,
  freePort,
  INITIALIZE,
  type IssuerKey,
  post,
  startHttp,
  startIssuer,
} from "./_http.ts";
import { cleanup, defer, runContainer } from "../helpers/mod.ts";
import { tempDir } from "../helpers/temp_dir.ts";

function sign(key: IssuerKey, issuer: string, audience: string, claims: Record<string, unknown>) {
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
    await using idp = await startIssuer();
    const { issuer, privateKey } = idp;
    const port = freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    await using berth = await startHttp(
      ["--allow", "read,lifecycle", "--oauth-issuer", issuer, "--oauth-audience", audience],
      { port, denoFlags: alsoAllowed({ read: [] }) },
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
  },
});

Deno.test({
  name:
    "attack http: a token without the read level reads nothing through resources, prompts or completion",
  ...SPAWN_TEST,
  async fn() {
    const operator = crypto.randomUUID();
    using dir = tempDir("berth-atk-http-", { tokens: `restarter:${operator} allow=lifecycle\n` });
    const tokens = `${dir.path}/tokens`;
    await using _cleanup = defer(() => cleanup("attacks-http"));
    const name = await runContainer("attacks-http", {
      command: ["sh", "-c", "echo atk-http-log-line; sleep 120"],
    });
    await using berth = await startHttp(["--allow", "read,lifecycle", "--token-file", tokens], {
      denoFlags: readAlso([tokens]),
    });
    await using client = await connectLegacy(berth.url, operator);
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
  },
});

Deno.test({
  name: "attack http: one token cannot fill the session table and lock the others out",
  ...SPAWN_TEST,
  async fn() {
    const [greedy, other] = [crypto.randomUUID(), crypto.randomUUID()];
    using dir = tempDir("berth-atk-http-", {
      tokens: `greedy:${greedy} allow=read\nother:${other}\n`,
    });
    const tokens = `${dir.path}/tokens`;
    await using berth = await startHttp(["--token-file", tokens, "--max-sessions", "16"], {
      denoFlags: readAlso([tokens]),
    });
    const initialize = async (token: string) => {
      const response = await post(berth.url, INITIALIZE, { authorization: `Bearer ${token}` });
      await response.body?.cancel();
      return { status: response.status, id: response.headers.get("mcp-session-id") };
    };
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
  },
});
