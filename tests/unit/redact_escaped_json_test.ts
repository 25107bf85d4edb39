import assert from "node:assert/strict";
import { REDACTED, redactText } from "../../src/policy/redact.ts";

Deno.test("redactText: JSON with escaped quotes inside a quoted command line is redacted", () => {
  const text = `Command: sh -c "echo '{\\"password\\":\\"pw-1\\", \\"api_token\\": \\"pw-2\\"}'"`;
  const out = redactText(text);
  assert.ok(!out.includes("pw-1") && !out.includes("pw-2"), out);
  assert.ok(out.includes(`\\"password\\":\\"${REDACTED}\\"`), out);
  // The plain forms are unchanged, and a harmless escaped key is left.
  assert.equal(redactText('{"password":"x1"}'), `{"password":"${REDACTED}"}`);
  const kept = `sh -c "echo {\\"user\\":\\"bob\\"}"`;
  assert.equal(redactText(kept), kept);
});
