/**
 * Redaction remembers the short texts it found clean and what each key name
 * is (src/policy/redact.ts): a cache that must never change an answer, however
 * often a text or a key comes back and after the caches fill and start over.
 */

import assert from "node:assert/strict";
import { REDACTED, redactOutput, redactText } from "../../src/policy/redact.ts";

const SECRET_TEXT = "connecting with DB_PASSWORD=hunter2hunter2";

Deno.test("redactText: a text with a secret is redacted every time, clean ones pass as they are", () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(redactText("Up 5 minutes"), "Up 5 minutes");
    assert.equal(redactText(SECRET_TEXT), `connecting with DB_PASSWORD=${REDACTED}`);
  }
  // Past the cache's bound (it starts over empty): the same answers.
  for (let i = 0; i < 10_000; i++) assert.equal(redactText(`clean text ${i}`), `clean text ${i}`);
  assert.equal(redactText(SECRET_TEXT), `connecting with DB_PASSWORD=${REDACTED}`);
  assert.equal(redactText("Up 5 minutes"), "Up 5 minutes");
});

Deno.test("redactOutput: a key is judged by its parent each time, whatever was seen before", () => {
  const labelled = { Labels: { DB_PASSWORD: "hunter2", team: "web" } };
  const elsewhere = { State: { DB_PASSWORD: "hunter2" } };
  for (let i = 0; i < 2; i++) {
    // Under an environment-style parent a secret key's value goes; elsewhere it is free text.
    assert.deepEqual(redactOutput(labelled), { Labels: { DB_PASSWORD: REDACTED, team: "web" } });
    assert.deepEqual(redactOutput(elsewhere), elsewhere);
    // A credential key goes under any parent.
    assert.deepEqual(redactOutput({ State: { password: "x1" } }), {
      State: { password: REDACTED },
    });
  }
  for (let i = 0; i < 5_000; i++) redactOutput({ [`key${i}`]: "v" });
  assert.deepEqual(redactOutput(labelled), { Labels: { DB_PASSWORD: REDACTED, team: "web" } });
});
