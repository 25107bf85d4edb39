/**
 * `berth serve --http` as an operator runs it and as clients use it: the v1
 * SDK client (2025-11-25, sessions) and the v2 client pinned to 2026-07-28
 * over real HTTP against the real engine; static tokens (401 without or with
 * a wrong token, a read-only token sees read tools only and gets DKR-007 on a
 * write, its name in the audit log); Host and Origin refused with 403; a
 * non-loopback address without authentication refused at start.
 *
 * Containers carry `berth.test=e2e-http` and are removed by that label.
 */

import assert from "node:assert/strict";
import {
  cleanup,
  defer,
  docker,
  OPEN_REGISTRY,
  runContainer,
  TEST_IMAGE,
  uniqueName,
  waitFor,
} from "../helpers/mod.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import {
  alsoAllowed,
  type CallResult as Result,
  codeOf,
  run,
  serveArgs,
  SPAWN_TEST,
} from "./_mcp.ts";
import { closing, connectLegacy, connectModern, INITIALIZE, post, startHttp } from "./_http.ts";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";

const SUITE = "e2e-http";
const TAG = `${OPEN_REGISTRY}/berth-test/${uniqueName("http")}:1`;

/** The status of a POST sent with a Host header of our choice (fetch always sends the real one). */
async function rawStatus(port: number, host: string, token: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const body = JSON.stringify(INITIALIZE);
  const request = `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
  await conn.write(new TextEncoder().encode(request));
  const buffer = new Uint8Array(256);
  const n = await conn.read(buffer);
  conn.close();
  return Number(
    /^HTTP\/1\.1 (\d{3})/.exec(new TextDecoder().decode(buffer.subarray(0, n ?? 0)))?.[1],
  );
}

Deno.test({
  name: "http: a non-loopback address without authentication refuses to start, naming the fix",
  ...SPAWN_TEST,
  async fn() {
    const { code, stderr } = await run(Deno.execPath(), serveArgs(["--http", "0.0.0.0:1"]));
    assert.equal(code, 2, stderr);
    assert.match(stderr, /Refusing to serve 0\.0\.0\.0 without authentication/);
    // The fix is printed whole: the redactor once took FILE for a secret flag's value.
    assert.match(stderr, /Add --token-file FILE \(lines name:token\)/);
    assert.doesNotMatch(stderr, /REDACTED/);
  },
});

Deno.test({
  name: "http: a token file the sandbox hides is refused with the berth setup --read fix",
  ...SPAWN_TEST,
  async fn() {
    using dir = tempDir("berth-http-tokens-", {
      tokens: "alice:4f9c2b7e0d1a8c3f5e6b9a2d7c4e1f08\n",
    });
    const tokens = `${dir.path}/tokens`;
    const { code, stderr } = await run(
      Deno.execPath(),
      serveArgs(["--http", "127.0.0.1:1", "--token-file", tokens]),
    );
    assert.notEqual(code, 0, stderr);
    assert.match(stderr, /DKR-005/);
    assert.ok(stderr.includes(`berth setup CLIENT --read ${tokens}`), stderr);
    assert.ok(stderr.includes(`--allow-read=${tokens},`), stderr);
  },
});

Deno.test({
  name: "http: 2025-11-25 and 2026-07-28 clients list and call tools like stdio, with progress",
  ...SPAWN_TEST,
  async fn() {
    const server = await startHttp(["--allow", "read,images"]);
    await using _stop = defer(async () => {
      const status = await server.stop("SIGTERM");
      assert.equal(status.code, 143, server.stderr());
    });
    await using _cleanup = defer(async () => {
      await cleanup(SUITE);
      await docker("rmi", TAG).catch(() => {});
    });
    await using legacy = await connectLegacy(server.url);
    await using modern = await connectModern(server.url);
    assert.equal(legacy.getServerVersion()?.name, "berth");
    const [a, b] = [await legacy.listTools(), await modern.listTools()];
    assert.ok(a.tools.length > 10);
    assert.deepEqual(a.tools.map((t) => t.name), b.tools.map((t) => t.name));
    const name = await runContainer(SUITE, { command: ["sleep", "60"] });
    for (const client of [legacy, modern]) {
      const result = await client.callTool({
        name: "docker_inspect_container",
        arguments: { container_id: name },
      }) as Result;
      assert.equal(result.isError, undefined, result.content[0]?.text);
      assert.match(JSON.stringify(result.structuredContent), new RegExp(name));
    }
    // Progress reaches both clients before the result.
    await docker("tag", TEST_IMAGE, TAG);
    for (const client of [legacy, modern]) {
      const seen: unknown[] = [];
      const params = { name: "docker_push_image", arguments: { image: TAG } };
      const options = { onprogress: (p: unknown) => seen.push(p), timeout: 60_000 };
      // The v2 client takes the options second, the v1 client third.
      const pushed = (client === legacy
        ? await legacy.callTool(params, undefined, options)
        : await modern.callTool(params, options)) as Result;
      assert.equal(pushed.isError, undefined, pushed.content[0]?.text);
      assert.ok(
        seen.length >= 1,
        `progress notifications arrived (${client === legacy ? "2025-11-25" : "2026-07-28"})`,
      );
    }
  },
});

Deno.test({
  name: "http: cancelling a call over HTTP aborts it and the session goes on",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp(["--allow", "read,lifecycle", "--long-budget", "0"]);
    await using _cleanup = defer(() => cleanup(SUITE));
    await using client = await connectLegacy(server.url);
    const name = await runContainer(SUITE, { command: ["sleep", "120"] });
    const controller = new AbortController();
    const started = Date.now();
    const waiting = client.callTool(
      { name: "docker_wait_container", arguments: { container_id: name } },
      undefined,
      { signal: controller.signal, timeout: 60_000 },
    );
    setTimeout(() => controller.abort("user pressed stop"), 500);
    await assert.rejects(waiting);
    assert.ok(Date.now() - started < 10_000);
    const after = await client.callTool({ name: "docker_system_info", arguments: {} }) as Result;
    assert.equal(after.isError, undefined);
  },
});

Deno.test({
  name:
    "http: bearer tokens — none or wrong is 401, read-only sees read tools and gets DKR-007, audit names the token",
  ...SPAWN_TEST,
  async fn() {
    const admin = crypto.randomUUID();
    const reader = crypto.randomUUID();
    using dir = tempDir("berth-http-tokens-", {
      tokens: `# team tokens\nops-admin:${admin}\n\nci-reader:${reader} allow=read\n`,
    });
    const tokens = `${dir.path}/tokens`;
    const audit = `${dir.path}/audit.jsonl`;
    await using server = await startHttp(
      ["--allow", "read,lifecycle", "--token-file", tokens, "--audit-log", audit],
      { denoFlags: alsoAllowed({ read: [tokens], write: [audit] }) },
    );
    await using _cleanup = defer(() => cleanup(SUITE));
    const none = await post(server.url, INITIALIZE);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer /);
    await none.body?.cancel();
    const wrong = await post(server.url, INITIALIZE, { authorization: `Bearer ${admin}x` });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /invalid_token/);
    await wrong.body?.cancel();
    await assert.rejects(connectLegacy(server.url, "not-a-token-at-all"));

    const name = await runContainer(SUITE, { command: ["sleep", "60"] });
    {
      await using ro = await connectLegacy(server.url, reader);
      await using rw = await connectLegacy(server.url, admin);
      const roTools = (await ro.listTools()).tools.map((t) => t.name);
      const rwTools = (await rw.listTools()).tools.map((t) => t.name);
      assert.ok(!roTools.includes("docker_stop_container"));
      assert.ok(rwTools.includes("docker_stop_container"));
      assert.ok(roTools.every((t) => rwTools.includes(t)));
      const denied = await ro.callTool({
        name: "docker_stop_container",
        arguments: { container_id: name },
      }) as Result;
      assert.equal(codeOf(denied), "DKR-007", denied.content[0]?.text);
      const stopped = await rw.callTool({
        name: "docker_stop_container",
        arguments: { container_id: name, timeout: 0 },
      }) as Result;
      assert.equal(stopped.isError, undefined, stopped.content[0]?.text);
    }
    const lines = Deno.readTextFileSync(audit).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.principal, l.tool, l.outcome]),
      [["ci-reader", "docker_stop_container", "DKR-007"], [
        "ops-admin",
        "docker_stop_container",
        "ok",
      ]],
    );
    assert.ok(!Deno.readTextFileSync(audit).includes(admin), "tokens never reach the log");
  },
});

Deno.test({
  name:
    "http: Host and Origin outside the allowlists are 403 before MCP; sessions belong to their caller",
  ...SPAWN_TEST,
  async fn() {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    using dir = tempDir("berth-http-hosts-", { tokens: `alice:${a}\nbob:${b}\n` });
    const tokens = `${dir.path}/tokens`;
    await using server = await startHttp(
      ["--token-file", tokens, "--allowed-origins", "https://ops.example.com"],
      { denoFlags: alsoAllowed({ read: [tokens], write: [] }) },
    );
    const auth = { authorization: `Bearer ${a}` };
    const evil = await post(server.url, INITIALIZE, { ...auth, origin: "https://evil.example" });
    assert.equal(evil.status, 403);
    await evil.body?.cancel();
    // A rebinding page reaches berth under its own host name.
    assert.equal(await rawStatus(server.port, "evil.example", a), 403);
    assert.equal(await rawStatus(server.port, `evil.example:${server.port}`, a), 403);
    const listed = await post(server.url, INITIALIZE, {
      ...auth,
      origin: "https://ops.example.com",
    });
    assert.equal(listed.status, 200);
    const session = listed.headers.get("mcp-session-id")!;
    await listed.body?.cancel();
    assert.ok(session);
    // Bob holding Alice's session id gets nothing: the id is not authentication.
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    const stolen = await post(server.url, ping, {
      authorization: `Bearer ${b}`,
      "mcp-session-id": session,
      "mcp-protocol-version": "2025-11-25",
    });
    assert.equal(stolen.status, 404);
    await stolen.body?.cancel();
    const bare = await post(server.url, ping, {
      "mcp-session-id": session,
      "mcp-protocol-version": "2025-11-25",
    });
    assert.equal(bare.status, 401);
    await bare.body?.cancel();
    // DELETE ends the session; it is gone afterwards.
    const headers = { ...auth, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    const deleted = await fetch(server.url, { method: "DELETE", headers });
    assert.equal(deleted.status, 200);
    await deleted.body?.cancel();
    const after = await post(server.url, ping, headers);
    assert.equal(after.status, 404);
    await after.body?.cancel();
  },
});

Deno.test({
  name: "http: body cap 413, request rate and calls in flight 429 with Retry-After",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp([
      "--allow",
      "read,lifecycle",
      "--long-budget",
      "0",
      "--max-body",
      "4096",
      "--rate-limit",
      "8",
      "--max-concurrent",
      "1",
      "--session-idle",
      "1s",
    ]);
    await using _cleanup = defer(() => cleanup(SUITE));
    await using client = await connectLegacy(server.url); // initialize + initialized: 2 requests
    const big = await post(server.url, { ...INITIALIZE, padding: "x".repeat(5000) });
    assert.equal(big.status, 413);
    await big.body?.cancel();
    const name = await runContainer(SUITE, { command: ["sleep", "60"] });
    const controller = new AbortController();
    const waiting = client.callTool(
      { name: "docker_wait_container", arguments: { container_id: name } },
      undefined,
      { signal: controller.signal, timeout: 60_000 },
    ).catch((error) => error);
    // Until the server counts the first call in flight (/metrics is outside the rate).
    await waitFor(
      "the first call in flight",
      async () => {
        const text = await (await fetch(`${server.base}/metrics`)).text();
        return /^berth_tool_calls_in_flight 1$/m.test(text);
      },
      (inFlight) => inFlight,
      10_000,
    );
    // A second call while the first runs passes the caller's limit of one.
    const second = await client.callTool({ name: "docker_system_info", arguments: {} })
      .then(() => "answered", (error) => String(error));
    assert.match(second, /Too many calls in flight/);
    controller.abort();
    await waiting;
    // The rate: 8 per minute, some spent above; the rest run out.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await post(server.url, { jsonrpc: "2.0", id: 100 + i, method: "ping" });
      statuses.push(response.status);
      if (response.status === 429) {
        assert.match(response.headers.get("retry-after") ?? "", /^\d+$/);
      }
      await response.body?.cancel();
    }
    assert.ok(statuses.includes(429), String(statuses));
  },
});

Deno.test({
  name: "http: an idle session is closed; its id then finds nothing",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp(["--session-idle", "1s"]);
    const opened = await post(server.url, INITIALIZE);
    const session = opened.headers.get("mcp-session-id")!;
    await opened.body?.cancel();
    const headers = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    const alive = await post(server.url, ping, headers);
    assert.equal(alive.status, 200);
    await alive.body?.cancel();
    await new Promise((r) => setTimeout(r, 2_500));
    const gone = await post(server.url, ping, headers);
    assert.equal(gone.status, 404);
    await gone.body?.cancel();
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    assert.match(metrics, /^berth_sessions_open 0$/m);
  },
});

Deno.test({
  name:
    "http: confirmation of a destructive call — 2025-11-25 by elicitation on the call's stream, 2026-07-28 in rounds (input_required); only yes runs it",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp(["--allow", "read,create"]);
    await using _cleanup = defer(() => cleanup(SUITE));
    for (const [era, yes] of [["2026", false], ["2026", true], ["2025", true]] as const) {
      const name = uniqueName("confirm");
      await docker(
        "create",
        "--label",
        `berth.test=${SUITE}`,
        "--name",
        name,
        TEST_IMAGE,
        "true",
      );
      await using client = closing(
        new ModernClient({ name: "e2e", version: "1" }, {
          capabilities: { elicitation: { form: {} } },
          versionNegotiation: era === "2026" ? { mode: { pin: "2026-07-28" } } : undefined,
        }),
      );
      const asked: string[] = [];
      client.setRequestHandler("elicitation/create", (request) => {
        asked.push(String(request.params.message));
        return { action: "accept", content: { confirm: yes } };
      });
      await client.connect(new ModernTransport(server.url));
      assert.equal(
        client.getNegotiatedProtocolVersion(),
        era === "2026" ? "2026-07-28" : "2025-11-25",
      );
      const result = await client.callTool({
        name: "docker_remove_container",
        arguments: { container_id: name },
      }) as Result;
      assert.equal(asked.length, 1);
      assert.match(asked[0], /cannot be undone/);
      assert.equal(codeOf(result), yes ? undefined : "DKR-007", result.content[0]?.text);
      const left = await docker("ps", "-aq", "--filter", `name=^${name}$`);
      assert.equal(left.trim() === "", yes, "removed only on yes");
    }
  },
});

Deno.test({
  name: "http: SIGTERM lets a call in flight finish, refuses new requests, and exits 143",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp(["--allow", "read,lifecycle", "--long-budget", "0"]);
    await using _cleanup = defer(() => cleanup(SUITE));
    await using client = await connectLegacy(server.url);
    const name = await runContainer(SUITE, { command: ["sleep", "2"] });
    const waiting = client.callTool(
      { name: "docker_wait_container", arguments: { container_id: name } },
      undefined,
      { timeout: 30_000 },
    ) as Promise<Result>;
    await new Promise((r) => setTimeout(r, 300));
    server.process.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    const late = await post(server.url, INITIALIZE);
    assert.equal(late.status, 503);
    await late.body?.cancel();
    const result = await waiting;
    assert.equal(result.isError, undefined, result.content[0]?.text);
    assert.equal((await server.process.status).code, 143);
  },
});

Deno.test({
  name: "http: a client with the tasks capability runs a push as a task (created, polled, result)",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp(["--allow", "read,images"]);
    const tag = `${OPEN_REGISTRY}/berth-test/${uniqueName("task")}:1`;
    await docker("tag", TEST_IMAGE, tag);
    await using _untag = defer(() => docker("rmi", tag).catch(() => {}));
    await using client = closing(
      new Client(
        { name: "e2e-tasks", version: "1" },
        {
          capabilities: { tasks: { requests: { tools: { call: {} } } } },
        } as ConstructorParameters<typeof Client>[1],
      ),
    );
    await client.connect(new StreamableHTTPClientTransport(server.url));
    await using plain = await connectLegacy(server.url);
    const listed = (await client.listTools()).tools as { name: string; execution?: unknown }[];
    const marked = listed.filter((t) => t.execution).map((t) => t.name);
    assert.ok(marked.includes("docker_push_image") && marked.includes("docker_pull_image"));
    assert.ok(!marked.includes("docker_list_containers"));
    const others = (await plain.listTools()).tools as { execution?: unknown }[];
    assert.ok(others.every((t) => !t.execution), "clients without tasks see no task tools");
    const seen: string[] = [];
    let result: Result | undefined;
    for await (
      const message of client.experimental.tasks.callToolStream(
        { name: "docker_push_image", arguments: { image: tag } },
        undefined,
        { task: { ttl: 60_000 } },
      )
    ) {
      seen.push(message.type);
      if (message.type === "result") result = message.result as Result;
      if (message.type === "error") throw message.error;
    }
    assert.equal(seen[0], "taskCreated");
    assert.equal(seen.at(-1), "result");
    assert.equal(result?.isError, undefined, result?.content[0]?.text);
    assert.match(result?.content[0]?.text ?? "", /Pushed/);
  },
});

Deno.test({
  name: "http: an SSE stream is resumable: GET with Last-Event-ID replays what followed",
  ...SPAWN_TEST,
  async fn() {
    await using server = await startHttp();
    const opened = await post(server.url, INITIALIZE);
    const session = opened.headers.get("mcp-session-id")!;
    await opened.body?.cancel();
    const headers = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    const call = {
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: {
        name: "docker_system_info",
        arguments: {},
      },
    };
    const answered = await post(server.url, call, headers);
    const text = await answered.text();
    // The priming event comes first: an id, a retry hint and no data.
    const priming = /^id: (\S+)\nretry: 1000\ndata: \n/m.exec(text);
    assert.ok(priming, text.slice(0, 300));
    assert.match(text, /"result":.*"id":7\}/s);
    // A client that lost the stream after the priming event gets the answer again.
    const resumed = await fetch(server.url, {
      headers: { ...headers, accept: "text/event-stream", "last-event-id": priming[1] },
    });
    assert.equal(resumed.status, 200);
    const reader = resumed.body!.getReader();
    let replay = "";
    while (!replay.includes('"id":7')) {
      const { value, done } = await reader.read();
      if (done) break;
      replay += new TextDecoder().decode(value);
    }
    await reader.cancel();
    assert.match(replay, /"result":.*"id":7\}/s);
  },
});
