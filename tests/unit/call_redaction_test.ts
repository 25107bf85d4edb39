/**
 * One call's redaction (src/interpreter/call_guard.ts, `CallRedaction`) and
 * the copy on write it relies on: the pass over an answer is skipped only
 * when the pass at the end of the work found nothing, the call learned no
 * secret value since and the answer was not cut in between.
 */

import { containers } from "../../src/engine/ops/mod.ts";
import { EngineClient } from "../../src/engine/client.ts";
import { CallRedaction } from "../../src/interpreter/call_guard.ts";
import { PolicyEngine } from "../../src/policy/enforce/policy_engine.ts";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import { REDACTED, redactOutput, scrubValues } from "../../src/policy/redact.ts";
import { assert, assertEquals, assertFalse } from "../helpers/asserts.ts";

// No engine answers here: requests only teach the call's engine their secret values.
const base = new EngineClient({
  endpoint: { kind: "unix", socketPath: "/nonexistent/berth-unit.sock" },
  apiVersion: "1.41",
});

function callEngine(): PolicyEngine {
  return new PolicyEngine(base, new ConfigPolicy({ levels: ["read", "create"], bypass: true }))
    .scoped();
}

Deno.test("redactOutput copies on write: a clean value comes back as itself", () => {
  const clean = { containers: [{ id: "a1", labels: { app: "web" }, ports: [] }], count: 1 };
  assert(redactOutput(clean) === clean);
  const env = { Config: { Env: ["PATH=/bin", "DB_PASSWORD=hunter2"], Cmd: ["sh"] } };
  const out = redactOutput(env);
  assertFalse(out === env);
  assertEquals(out.Config.Env, ["PATH=/bin", `DB_PASSWORD=${REDACTED}`]);
  assertEquals(env.Config.Env[1], "DB_PASSWORD=hunter2", "the input is never changed");
  assert(scrubValues(clean, ["hunter2xyz"]) === clean);
  assertEquals(scrubValues({ log: "got hunter2xyz" }, ["hunter2xyz"]), { log: `got ${REDACTED}` });
});

Deno.test("CallRedaction: a clean answer is passed once, as it is", () => {
  const redaction = new CallRedaction(callEngine());
  const shaped = { structured: { logs: "ready", lines: 1 }, text: "ready" };
  assert(redaction.shaped(shaped) === shaped);
  const result = { ...shaped, isError: false };
  assert(redaction.result(result) === result);
});

Deno.test("CallRedaction: a secret value learned after the work's pass is scrubbed from the answer", async () => {
  const engine = callEngine();
  const redaction = new CallRedaction(engine);
  const shaped = { structured: { logs: "key is s3cr3t-value" }, text: "key is s3cr3t-value" };
  assert(redaction.shaped(shaped) === shaped, "nothing known yet");
  // The request fails (no engine), but the call has seen the value it carried.
  await engine.json(containers.create({ Env: ["API_TOKEN=s3cr3t-value"] })).catch(() => {});
  const out = redaction.result({ ...shaped, isError: false });
  assertEquals(out.text, `key is ${REDACTED}`);
  assertEquals(out.structured.logs, `key is ${REDACTED}`);
});

Deno.test("CallRedaction: an answer cut after the work's pass is redacted again", () => {
  const redaction = new CallRedaction(callEngine());
  // A variable reference holds no secret; cut before its brace, it reads as a value.
  const shaped = { structured: { out: "ok" }, text: "TOKEN=${TOKEN}" };
  assert(redaction.shaped(shaped) === shaped);
  const cut = redaction.result({
    structured: shaped.structured,
    text: "TOKEN=${TOK",
    isError: false,
  });
  assertEquals(cut.text, `TOKEN=${REDACTED}`);
  // An answer the work's pass changed is passed again too.
  const secret = { structured: { env: ["DB_PASSWORD=hunter2"] }, text: "DB_PASSWORD=hunter2" };
  const first = redaction.shaped(secret);
  assertEquals(first.text, `DB_PASSWORD=${REDACTED}`);
  const again = { ...first, isError: false };
  assertFalse(redaction.result(again) === again);
});
