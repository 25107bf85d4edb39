import assert from "node:assert/strict";
import { REDACTED, redactText } from "../../src/policy/redact.ts";

Deno.test("redactText: an argv quoted as JSON in text is redacted as an argv", () => {
  const text = 'args ["sh","-c","sleep 1","--password","pw-1"] then [ "mysql" , "-ppw-2" ]';
  const out = redactText(`${text} and ["sh","-c","mysql -ppw-3 db"]`);
  assert.ok(!out.includes("pw-1") && !out.includes("pw-2") && !out.includes("pw-3"), out);
  assert.ok(out.includes(`"--password","${REDACTED}"`), out);
  // Lists that are not argv secrets, and broken lists, are left as they were.
  for (const kept of ['tags ["a","b"] [1,2]', '["--password" unterminated', '["[", "[", "x"']) {
    assert.equal(redactText(kept), kept);
  }
});
