/**
 * berth as an OAuth 2.1 resource server, against an issuer this test runs
 * on loopback: its metadata and JWKS served by Deno.serve, its tokens signed
 * here with jose. Valid tokens work with the levels of their scopes and the
 * audit log names their subject; expired, not-yet-valid, wrong-audience,
 * wrong-issuer, wrong-key and `alg: none` tokens are 401 and never reach the
 * engine (no tool call is counted in /metrics); a token without a docker
 * scope is 403. The 401 names the Protected Resource Metadata, which berth
 * serves.
 */

import assert from "node:assert/strict";
import { generateKeyPair, SignJWT } from "jose";
import { alsoAllowed, type CallResult, codeOf, SPAWN_TEST } from "./_mcp.ts";
import {
  connectLegacy,
  connectModern,
  freePort,
  INITIALIZE,
  type IssuerKey,
  post,
  startHttp,
  startIssuer,
} from "./_http.ts";
import { tempDir } from "../helpers/temp_dir.ts";

interface TokenSpec {
  key: IssuerKey;
  issuer: string;
  audience: string;
  scope?: string;
  sub?: string;
  exp?: number;
  nbf?: number;
}

function sign(t: TokenSpec): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: t.scope ?? "docker:read" })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(t.issuer)
    .setAudience(t.audience)
    .setSubject(t.sub ?? "alice@example.com")
    .setIssuedAt(now - 5)
    .setExpirationTime(t.exp ?? now + 600);
  if (t.nbf !== undefined) jwt.setNotBefore(t.nbf);
  return jwt.sign(t.key);
}

/** An unsecured JWT (`alg: none`), as a forger would send it. */
function unsigned(issuer: string, audience: string): string {
  const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "none", typ: "JWT" })}.${
    b64({ iss: issuer, aud: audience, sub: "mallory", scope: "docker:all", exp: now + 600 })
  }.`;
}

Deno.test({
  name:
    "http oauth: JWKS-verified tokens; forged, expired, early, wrong-audience, wrong-issuer and alg:none are refused",
  ...SPAWN_TEST,
  async fn() {
    await using idp = await startIssuer();
    const { issuer, privateKey } = idp;
    using dir = tempDir("berth-http-oauth-");
    const audit = `${dir.path}/audit.jsonl`;
    const port = freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    await using berth = await startHttp([
      "--allow",
      "read,lifecycle",
      "--oauth-issuer",
      issuer,
      "--oauth-audience",
      audience,
      "--audit-log",
      audit,
    ], {
      port,
      denoFlags: alsoAllowed({ read: [], write: [audit] }),
    });
    const now = Math.floor(Date.now() / 1000);
    const other = (await generateKeyPair("RS256")).privateKey;
    const base = { key: privateKey, issuer, audience };
    const refused: [string, string][] = [
      ["expired", await sign({ ...base, exp: now - 60 })],
      ["not yet valid", await sign({ ...base, nbf: now + 600 })],
      ["wrong audience", await sign({ ...base, audience: "http://127.0.0.1:1/mcp" })],
      ["wrong issuer", await sign({ ...base, issuer: "http://127.0.0.1:2" })],
      ["wrong key", await sign({ ...base, key: other })],
      ["alg none", unsigned(issuer, audience)],
      ["garbage", "not.a.jwt"],
    ];
    for (const [what, token] of refused) {
      const response = await post(berth.url, INITIALIZE, { authorization: `Bearer ${token}` });
      assert.equal(response.status, 401, what);
      const challenge = response.headers.get("www-authenticate") ?? "";
      assert.match(challenge, /error="invalid_token"/, what);
      assert.match(
        challenge,
        new RegExp(
          `resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`,
        ),
      );
      await response.body?.cancel();
    }
    const bare = await post(berth.url, INITIALIZE);
    assert.equal(bare.status, 401);
    assert.doesNotMatch(bare.headers.get("www-authenticate") ?? "", /error=/);
    await bare.body?.cancel();
    const noScope = await sign({ ...base, scope: "openid profile" });
    const scopeless = await post(berth.url, INITIALIZE, { authorization: `Bearer ${noScope}` });
    assert.equal(scopeless.status, 403);
    assert.match(scopeless.headers.get("www-authenticate") ?? "", /insufficient_scope/);
    await scopeless.body?.cancel();

    const prm = await (await fetch(`${berth.base}/.well-known/oauth-protected-resource/mcp`))
      .json();
    assert.equal(prm.resource, audience);
    assert.deepEqual(prm.authorization_servers, [issuer]);
    assert.ok(prm.scopes_supported.includes("docker:read"));

    const reader = await sign({ ...base, sub: "reader@example.com" });
    const admin = await sign({ ...base, sub: "admin@example.com", scope: "docker:all" });
    {
      await using ro = await connectLegacy(berth.url, reader);
      await using rw = await connectModern(berth.url, admin);
      const roTools = (await ro.listTools()).tools.map((t) => t.name);
      const rwTools = (await rw.listTools()).tools.map((t) => t.name);
      assert.ok(roTools.includes("docker_list_containers"));
      assert.ok(!roTools.includes("docker_stop_container"));
      assert.ok(rwTools.includes("docker_stop_container"));
      const stop = {
        name: "docker_stop_container",
        arguments: { container_id: "berth-e2e-oauth-none" },
      };
      assert.equal(codeOf(await ro.callTool(stop) as CallResult), "DKR-007");
      assert.equal(codeOf(await rw.callTool(stop) as CallResult), "DKR-002");
    }
    const lines = Deno.readTextFileSync(audit).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.principal, l.outcome]), [
      ["reader@example.com", "DKR-007"],
      ["admin@example.com", "DKR-002"],
    ]);
    // The refused tokens made no call: the only calls counted are the two above.
    const metrics = await (await fetch(`${berth.base}/metrics`, {
      headers: { authorization: `Bearer ${admin}` },
    })).text();
    const calls = [...metrics.matchAll(/^berth_tool_calls_total\{[^}]*\} (\d+)$/gm)]
      .reduce((sum, m) => sum + Number(m[1]), 0);
    assert.equal(calls, 2, metrics);
    assert.match(metrics, /^berth_http_rejected_total\{status="401"\} 8$/m);
    const unauthorised = await fetch(`${berth.base}/metrics`);
    assert.equal(unauthorised.status, 401);
    await unauthorised.body?.cancel();
  },
});
