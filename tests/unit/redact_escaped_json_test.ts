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

Deno.test("redactText: a login program's -p is read mid-line (sh -c, sudo), as a history shows it", () => {
  for (const line of ["/bin/sh -c docker login -u a -p pw-3 reg", "sudo podman login -p pw-4 r"]) {
    const out = redactText(line);
    assert.ok(!out.includes("pw-"), out);
    assert.ok(out.includes(`-p ${REDACTED}`), out);
  }
  const kept = "/bin/sh -c docker run -p 8080:80 nginx";
  assert.equal(redactText(kept), kept);
});
