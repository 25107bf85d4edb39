/**
 * The pure parts of the HTTP transport: listen addresses, loopback, Host and
 * Origin allowlists, the token file, the constant-time token match, scopes to
 * levels, and the per-caller limits.
 */

import { LEVELS } from "../../src/manifest/types.ts";
import assert from "node:assert/strict";
import {
  defaultAllowedHosts,
  defaultAllowedOrigins,
  hostAllowed,
  isLoopback,
  originAllowed,
  parseListen,
} from "../../src/server/http/options.ts";
import { matchToken, parseTokenFile, tokenCaller } from "../../src/server/http/tokens.ts";
import { levelsOfScopes } from "../../src/server/http/oauth.ts";
import { CallerLimits } from "../../src/server/http/limits.ts";
import { MemoryEventStore } from "../../src/server/http/sessions.ts";
import { httpSettings } from "../../src/server/http/cli.ts";

Deno.test("http options: [HOST:]PORT, loopback, Host and Origin allowlists", () => {
  assert.deepEqual(parseListen("8080"), { hostname: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseListen("0.0.0.0:80"), { hostname: "0.0.0.0", port: 80 });
  assert.deepEqual(parseListen("[::1]:9"), { hostname: "::1", port: 9 });
  for (const bad of ["", "host", "1:2:3", "70000", "x:0"]) assert.throws(() => parseListen(bad));
  assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("localhost"));
  assert.ok(!isLoopback("0.0.0.0") && !isLoopback("10.0.0.1") && !isLoopback("127.evil.com"));
  const hosts = defaultAllowedHosts("0.0.0.0", 8080);
  assert.ok(hostAllowed("localhost:8080", hosts) && hostAllowed("127.0.0.1:8080", hosts));
  assert.ok(!hostAllowed("evil.example:8080", hosts) && !hostAllowed(null, hosts));
  assert.ok(!hostAllowed("localhost:8081", hosts), "another port is another origin");
  assert.ok(hostAllowed("berth.example.com:443", [...hosts, "berth.example.com"]));
  const origins = defaultAllowedOrigins(hosts);
  assert.ok(originAllowed(null, origins), "no Origin: not a browser");
  assert.ok(originAllowed("http://localhost:8080", origins));
  assert.ok(!originAllowed("http://evil.example", origins));
  assert.ok(!originAllowed("null", origins));
});

Deno.test("http options: 0.0.0.0 without authentication is refused with the fix", async () => {
  await assert.rejects(
    httpSettings({ http: "0.0.0.0:8080" }),
    (error: Error & { hint?: string }) =>
      /Refusing to serve 0\.0\.0\.0/.test(error.message) && /--token-file/.test(error.hint ?? ""),
  );
  await assert.rejects(
    httpSettings({ http: "8080", tokenFile: "/x", oauthIssuer: "https://a" }),
    /exclude each other/,
  );
  const local = await httpSettings({ http: "8080" });
  assert.equal(local.auth.kind, "none");
});

Deno.test("token file: names, comments, allow=, and refusals naming the line", async () => {
  const entries = await parseTokenFile(
    "# ops\n\nalice:0123456789abcdef0123\nci:fedcba9876543210fedc allow=read,lifecycle\n",
    "tokens",
  );
  assert.deepEqual(entries.map((e) => e.name), ["alice", "ci"]);
  const ci = tokenCaller(entries[1]);
  assert.ok(ci.allowsLevel("read") && ci.allowsLevel("lifecycle") && !ci.allowsLevel("exec"));
  assert.ok(tokenCaller(entries[0]).allowsLevel("system"));
  assert.equal((await matchToken(entries, "fedcba9876543210fedc"))?.name, "ci");
  assert.equal(await matchToken(entries, "fedcba9876543210fed"), undefined);
  assert.equal(await matchToken(entries, ""), undefined);
  await assert.rejects(parseTokenFile("a:short\n", "t"), /line 1: token too short/);
  await assert.rejects(parseTokenFile("nocolon\n", "t"), /line 1/);
  await assert.rejects(
    parseTokenFile("a:0123456789abcdef0\nb:0123456789abcdef0\n", "t"),
    /line 2: the same token/,
  );
  await assert.rejects(parseTokenFile("a:0123456789abcdef0 allow=root\n", "t"), /unknown level/);
  await assert.rejects(parseTokenFile("# only comments\n", "t"), /no tokens/);
});

Deno.test("oauth scopes: docker:<level> and docker:all", () => {
  assert.deepEqual(levelsOfScopes(["docker:read", "openid"]), ["read"]);
  assert.deepEqual(levelsOfScopes(["docker:all"]), [...LEVELS]);
  assert.deepEqual(levelsOfScopes(["docker:root", "read"]), []);
});

Deno.test("caller limits: the rate refills over time; calls in flight are bounded per caller", () => {
  let now = 0;
  const limits = new CallerLimits(60, 2, () => now);
  for (let i = 0; i < 60; i++) assert.equal(limits.takeRequest("a"), undefined);
  assert.equal(limits.takeRequest("a"), 1, "one second until the next request");
  assert.equal(limits.takeRequest("b"), undefined, "another caller has its own rate");
  now += 1_000;
  assert.equal(limits.takeRequest("a"), undefined);
  const one = limits.startCalls("a", 2)!;
  assert.equal(limits.startCalls("a", 1), undefined);
  assert.ok(limits.startCalls("b", 1));
  one();
  one(); // a second release changes nothing
  assert.ok(limits.startCalls("a", 2));
  assert.equal(limits.startCalls("a", 1), undefined);
});

Deno.test("event store: replays what followed an event, per stream, within its bounds", async () => {
  const store = new MemoryEventStore();
  const a1 = await store.storeEvent("a", { jsonrpc: "2.0", method: "one" });
  await store.storeEvent("b", { jsonrpc: "2.0", method: "other" });
  await store.storeEvent("a", { jsonrpc: "2.0", method: "two" });
  await store.storeEvent("a", { jsonrpc: "2.0", method: "three" });
  const sent: string[] = [];
  const stream = await store.replayEventsAfter(a1, {
    send: (_id, message) => Promise.resolve(void sent.push((message as { method: string }).method)),
  });
  assert.equal(stream, "a");
  assert.deepEqual(sent, ["two", "three"]);
  assert.equal(await store.getStreamIdForEventId(a1), "a");
  for (let i = 0; i < 600; i++) await store.storeEvent(`s${i}`, { jsonrpc: "2.0", method: "x" });
  assert.equal(await store.getStreamIdForEventId(a1), undefined, "the oldest streams are dropped");
});
