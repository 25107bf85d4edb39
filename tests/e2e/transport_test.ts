/**
 * The stdio transport at the protocol level: raw JSON-RPC lines written to a
 * spawned `berth serve` and its raw stdout read back, with no MCP SDK in the
 * test, so these hold whatever SDK the server runs on.
 *
 * - a message over 10 MiB is logged and answered with an error, and the
 *   server goes on (it used to exit with code 0 and no word);
 * - a request before `initialize` is refused, not executed (proved with the
 *   docker CLI: the container it asked for does not exist);
 * - a second request with the id of one in flight is refused; the first is
 *   answered once;
 * - a line that is not JSON gets -32700;
 * - `--docker-host tcp://127.0.0.1:80` reaches port 80, and says so.
 *
 * @module
 */

import assert from "node:assert/strict";
import { cleanup, defer, docker, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";
import { RawServer, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "escb-transport";

const call = (id: unknown, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args },
});

Deno.test(
  "e2e transport: a message over 10 MiB is logged and answered with an error, and the server goes on",
  SPAWN_TEST,
  async () => {
    const server = new RawServer();
    try {
      await server.initialize();
      const huge = call(41, "docker_version", { padding: "a".repeat(11 * 1024 * 1024) });
      await server.send(huge, { jsonrpc: "2.0", id: 42, method: "ping" });
      const [refused] = await server.answers(41);
      const error = refused.error as { code: number; message: string };
      assert.equal(error.code, -32600);
      assert.match(error.message, /11\.0 MiB.*10 MiB/);
      const [pong] = await server.answers(42);
      assert.deepEqual(pong.result, {}, "the server still answers after the huge message");
    } finally {
      const status = await server.close();
      assert.match(server.stderr, /a message of 11\.0 MiB exceeds the 10 MiB limit/);
      assert.equal(status.code, 0, "it ends normally when stdin closes");
    }
  },
);

Deno.test(
  "e2e transport: a request before initialize is refused with a JSON-RPC error and not executed",
  SPAWN_TEST,
  async () => {
    const name = uniqueName("escb-preinit");
    await using _cleanup = defer(() => cleanup(SUITE));
    await using server = new RawServer(["--allow", "create", "--no-confirm"]);
    await server.send(
      call(1, "docker_create_container", {
        image: TEST_IMAGE,
        name,
        labels: { "berth.test": SUITE },
      }),
    );
    const [refused] = await server.answers(1);
    const error = refused.error as { code: number; message: string };
    assert.equal(error.code, -32600);
    assert.match(error.message, /not initialized/);
    // Ground truth: the engine never saw the create.
    await server.initialize();
    assert.equal(await docker("ps", "-aq", "--filter", `name=^/${name}$`), "");
    // After initialize the same request runs.
    await server.send(call(2, "docker_version"));
    const [ok] = await server.answers(2);
    assert.ok(ok.result, JSON.stringify(ok));
  },
);

Deno.test(
  "e2e transport: a second in-flight request with the same id is refused; the first is answered once",
  SPAWN_TEST,
  async () => {
    await using server = new RawServer();
    await server.initialize();
    // One write: the second line is read while the first is still being handled.
    await server.send(call(7, "docker_version"), call(7, "docker_version"));
    const answers = await server.answers(7, 2);
    await new Promise((r) => setTimeout(r, 500));
    const all = server.messages.filter((m) => m.id === 7);
    assert.equal(all.length, 2, JSON.stringify(all));
    const errors = all.filter((m) => "error" in m);
    const results = all.filter((m) => "result" in m);
    assert.equal(errors.length, 1, JSON.stringify(answers));
    assert.equal(results.length, 1, JSON.stringify(answers));
    assert.match((errors[0].error as { message: string }).message, /already in use/);
    // Once answered, the id may be used again.
    await server.send(call(7, "docker_version"));
    await server.answers(7, 3);
    assert.ok("result" in server.messages.filter((m) => m.id === 7)[2]);
  },
);

Deno.test(
  "e2e transport: a line that is not JSON gets a parse error and the server goes on",
  SPAWN_TEST,
  async () => {
    await using server = new RawServer();
    await server.initialize();
    await server.write('{"jsonrpc": "2.0", "id": 3, "method"\n');
    const [refused] = await server.answers(null);
    assert.equal((refused.error as { code: number }).code, -32700);
    await server.send({ jsonrpc: "2.0", id: 4, method: "ping" });
    await server.answers(4);
  },
);

Deno.test(
  "e2e transport: --docker-host tcp://127.0.0.1:80 connects to port 80 and names it",
  SPAWN_TEST,
  async () => {
    // Nothing listens on 127.0.0.1:80 in the test bed: the error must name the port berth used.
    await using server = new RawServer(["--docker-host", "tcp://127.0.0.1:80"]);
    await server.initialize();
    await server.send(call(5, "docker_version"));
    const [answer] = await server.answers(5);
    const text = JSON.stringify(answer);
    assert.match(text, /127\.0\.0\.1:80\b/);
    assert.doesNotMatch(text, /2375/);
  },
);

Deno.test(
  "e2e transport: arguments nested 10,000 deep answer a DKR-004 result, not a JSON-RPC internal error",
  SPAWN_TEST,
  async () => {
    await using server = new RawServer(["--allow", "create"]);
    await server.initialize();
    const depth = 10_000;
    const labels = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    await server.write(
      `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"docker_create_container",` +
        `"arguments":{"image":"busybox","labels":${labels}}}}\n`,
    );
    const [answer] = await server.answers(9);
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    const result = answer.result as {
      isError?: boolean;
      structuredContent?: { error?: { code?: string } };
    };
    assert.equal(result.isError, true);
    assert.equal(result.structuredContent?.error?.code, "DKR-004");
  },
);
