/**
 * The stdio transport's pure parts: lines split with a bounded buffer, the id
 * of an oversized message, and the protocol guard's lifecycle and id rules.
 * (tests/e2e/transport_test.ts proves the same over a spawned server's stdio.)
 */

import assert from "node:assert/strict";
import { ProtocolGuard } from "../../src/server/protocol_guard.ts";
import { LineSplitter, sniffId } from "../../src/server/stdio.ts";
import { parseDockerHost } from "../../src/config/endpoint.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("line splitter: lines across chunks; an oversized line keeps only its head", () => {
  const lines = new LineSplitter(16);
  assert.deepEqual(lines.push(bytes('{"a":')), []);
  const [first] = lines.push(bytes('1}\n{"id":9,'));
  assert.equal(text(first.bytes), '{"a":1}');
  assert.equal(first.oversized, false);
  const long = lines.push(bytes("x".repeat(5000)));
  assert.deepEqual(long, []);
  const [big, next] = lines.push(bytes('"y"}\nok\n'));
  assert.equal(big.oversized, true);
  assert.equal(big.size, 5012);
  assert.ok(big.bytes.length <= 512, "the dropped line is not kept whole");
  assert.equal(sniffId(big.bytes), 9);
  assert.equal(text(next.bytes), "ok");
});

Deno.test("sniffId: the top-level id only, never one inside params", () => {
  assert.equal(sniffId(bytes('{"jsonrpc":"2.0","id":"a\\"b","method":"x"')), 'a"b');
  assert.equal(sniffId(bytes('{"jsonrpc":"2.0","method":"x","params":{"id":5}')), null);
});

Deno.test("protocol guard: before initialize only initialize and ping; duplicate in-flight ids refused", () => {
  const guard = new ProtocolGuard();
  const req = (id: unknown, method: string) => ({ jsonrpc: "2.0", id, method });
  assert.ok("reply" in guard.inbound(req(1, "tools/list")));
  assert.ok("drop" in guard.inbound({ jsonrpc: "2.0", method: "notifications/cancelled" }));
  assert.ok("forward" in guard.inbound(req(2, "ping")));
  assert.ok("forward" in guard.inbound(req(0, "initialize")));
  assert.ok("reply" in guard.inbound(req(3, "tools/list")), "not before initialize is answered");
  guard.outbound({ jsonrpc: "2.0", id: 0, result: {} });
  assert.ok("forward" in guard.inbound(req(3, "tools/list")));
  const dup = guard.inbound(req(3, "tools/call"));
  assert.ok("reply" in dup && /already in use/.test(JSON.stringify(dup.reply)));
  assert.ok("forward" in guard.inbound(req("3", "tools/list")), '"3" and 3 are two ids');
  guard.outbound({ jsonrpc: "2.0", id: 3, result: {} });
  assert.ok("forward" in guard.inbound(req(3, "tools/list")), "an answered id is free again");
  guard.inbound({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 3 } });
  assert.ok("forward" in guard.inbound(req(3, "tools/list")), "a cancelled id is free again");
  assert.ok("reply" in guard.inbound({ jsonrpc: "1.0", id: 4, method: "ping" }));
  assert.ok("reply" in guard.inbound([1]));
});

Deno.test("docker host: tcp://h:80 and https://h:443 keep the port written", () => {
  assert.deepEqual(parseDockerHost("tcp://h:80"), {
    kind: "tcp",
    host: "h",
    port: 80,
    tls: undefined,
  });
  assert.equal((parseDockerHost("https://h:443") as { port: number }).port, 443);
  assert.equal((parseDockerHost("tcp://u:p@h:80/") as { port: number }).port, 80);
  assert.equal((parseDockerHost("tcp://h") as { port: number }).port, 2375);
  assert.equal((parseDockerHost("tcp://[::1]:80") as { port: number }).port, 80);
});
