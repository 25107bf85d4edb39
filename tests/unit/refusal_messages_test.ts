/**
 * The refusals of the name lists say which list refused: a name the allow
 * list covers can still be denied (deny wins), and the fix differs.
 */

import assert from "node:assert/strict";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import { containerNameDenied, imageDenied } from "../../src/policy/enforce/resolve.ts";

const policy = new ConfigPolicy({
  levels: ["create"],
  images: { allow: ["berth-test/*"], deny: ["berth-test/app*"] },
  containers: { allow: ["web-*"], deny: ["web-secret*"] },
});

Deno.test("image refusal: denied although the allow list covers it names the deny list", () => {
  const e = imageDenied("berth-test/app:latest", policy, " (parameter 'image')");
  assert.equal(e.code, "DKR-007");
  assert.match(e.message, /^Image 'berth-test\/app:latest' \(parameter 'image'\) is not allowed/);
  assert.match(e.message, /the deny list refuses it \(deny wins over the allow list\)/);
  assert.match(e.hint!, /--deny-images/);
  assert.doesNotMatch(e.hint!, /allow list names/);
  assert.doesNotMatch(`${e.message} ${e.hint}`, /berth-test\/app\*/, "deny globs are never shown");
});

Deno.test("image refusal: outside the allow list names the allow list and its globs", () => {
  const e = imageDenied("nginx:latest", policy);
  assert.match(e.message, /^Image 'nginx:latest' is not allowed .*no glob of the allow list/);
  assert.match(e.hint!, /Allowed images: berth-test\/\* \(--allow-images\)/);
  // Every spelling counts, as the lists match them: docker.io/… is covered too.
  const long = imageDenied("docker.io/berth-test/app", policy);
  assert.match(long.message, /deny list/);
});

Deno.test("image refusal: a deny list alone, and an ID whose tags decided", () => {
  const denyOnly = new ConfigPolicy({
    levels: ["images"],
    images: { allow: [], deny: ["evil/*"] },
  });
  const e = imageDenied("evil/thing", denyOnly);
  assert.match(e.message, /the deny list refuses it$/);
  const id = imageDenied("sha256:" + "a".repeat(64), policy);
  assert.match(id.message, /is not allowed by the image lists$/);
  assert.match(id.hint!, /Allowed images: berth-test\/\*/);
});

Deno.test("container name refusal: allow list or deny list, each with its fix", () => {
  const outside = containerNameDenied("db", policy);
  assert.equal(outside.code, "DKR-007");
  assert.match(outside.message, /^Container name 'db' is not allowed .*no glob of the allow list/);
  assert.match(outside.hint!, /web-\*/);
  const denied = containerNameDenied("web-secret1", policy);
  assert.match(denied.message, /the deny list refuses it$/);
  assert.match(denied.hint!, /--deny-containers/);
  assert.doesNotMatch(denied.hint!, /web-secret/);
});
