/**
 * Unit tests of the pure policy: name globs, image reference spellings,
 * the ConfigPolicy hooks and bypass.
 */

import { assert, assertEquals, assertFalse, assertThrows } from "../helpers/asserts.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import {
  globToRegExp,
  imageSpellings,
  isImageId,
  joinImageTag,
  NameList,
  parseImageReference,
} from "../../src/policy/names.ts";

Deno.test("names: only * is special, and it spans any run including / and :", () => {
  assert(globToRegExp("myapp-*").test("myapp-web"));
  assert(globToRegExp("myapp-*").test("myapp-"));
  assertFalse(globToRegExp("myapp-*").test("xmyapp-web"));
  assert(globToRegExp("*-db").test("prod-db"));
  assertFalse(globToRegExp("*-db").test("prod-db2"));
  assert(globToRegExp("myorg/*").test("myorg/team/app:1"));
  assertFalse(globToRegExp("a.c").test("abc"), "a dot is literal");
  assertFalse(globToRegExp("a?c").test("abc"), "? is literal");
  assert(globToRegExp("a[b]c").test("a[b]c"));
  assertFalse(globToRegExp("vault").test("vault\n"), "anchored at both ends");
});

Deno.test("names: deny wins over allow; an empty allow list allows everything", () => {
  const list = new NameList({ allow: ["myapp-*", "nginx"], deny: ["*-db", "vault", "secrets-*"] });
  assert(list.allows(["myapp-web"]));
  assert(list.allows(["nginx"]));
  assertFalse(list.allows(["myapp-db"]), "deny wins");
  assertFalse(list.allows(["other"]), "not on the allow list");
  assertFalse(list.allows(["vault"]));
  const denyOnly = new NameList({ allow: [], deny: ["vault"] });
  assert(denyOnly.allows(["anything"]));
  assertFalse(denyOnly.allows(["vault"]));
  assert(new NameList({ allow: [], deny: [] }).allows([""]));
  assertFalse(new NameList({ allow: [], deny: [] }).active);
});

Deno.test("names: deny ignores case, allow does not (both err towards hiding)", () => {
  const list = new NameList({ allow: ["web-*"], deny: ["*-db"] });
  assertFalse(list.allows(["web-DB"]), "a denied name in other case is still denied");
  assertFalse(list.allows(["WEB-1"]), "an allowed name in other case is another container");
  assert(list.allows(["web-1"]));
});

Deno.test("image references: docker.io/library/nginx:latest == nginx == nginx:latest", () => {
  const a = new Set(imageSpellings("nginx"));
  for (const form of ["nginx", "nginx:latest", "docker.io/library/nginx:latest", "library/nginx"]) {
    assert(a.has(form), form);
  }
  assertEquals(parseImageReference("docker.io/library/nginx:latest"), parseImageReference("nginx"));
  assertEquals(parseImageReference("index.docker.io/library/nginx"), parseImageReference("nginx"));
  assertEquals(parseImageReference("myorg/app")?.path, "myorg/app");
  assertEquals(parseImageReference("localhost:5000/app:1")?.domain, "localhost:5000");
  assertEquals(parseImageReference("127.0.0.1:5000/team/app")?.tag, "latest");
  assertEquals(
    parseImageReference("registry.example.com/app@sha256:" + "a".repeat(64))?.tag,
    undefined,
  );
  assertEquals(parseImageReference("sha256:" + "a".repeat(64)), undefined, "an ID is not a name");
  assert(isImageId("0123456789ab"));
  assert(isImageId("sha256:0123456789ab"));
  assertFalse(isImageId("nginx"));
  assertEquals(joinImageTag("nginx", "1.27"), "nginx:1.27");
  assertEquals(joinImageTag("nginx", "sha256:" + "b".repeat(64)), `nginx@sha256:${"b".repeat(64)}`);
});

Deno.test("image lists: one image, whatever its spelling; digests count as any tag", () => {
  const digest = "sha256:" + "c".repeat(64);
  const policy = new ConfigPolicy({
    levels: ["read"],
    images: { allow: ["myorg/*", "nginx:*"], deny: ["nginx:1.0", "evil*"] },
  });
  assert(policy.imageAllowed("nginx"));
  assert(policy.imageAllowed("docker.io/library/nginx:1.27"));
  assert(policy.imageAllowed(`nginx@${digest}`), "nginx:* covers a digest");
  assertFalse(policy.imageAllowed("nginx:1.0"));
  assertFalse(policy.imageAllowed("docker.io/library/nginx:1.0"), "deny by another spelling");
  assert(policy.imageAllowed("myorg/app:2"));
  assert(policy.imageAllowed("docker.io/myorg/app"));
  assertFalse(policy.imageAllowed("redis"));
  assertFalse(policy.imageAllowed("evil/app"));
  assertFalse(policy.imageAllowed("EVIL/app"), "deny ignores case");
  assertFalse(policy.imageAllowed(digest), "a bare ID is not on the allow list");
  assert(policy.imageTagsAllowed(["nginx:1.27", "other:1"]), "one allowed tag is enough");
  assertFalse(
    policy.imageTagsAllowed(["nginx:1.27", "nginx:1.0"]),
    "a denied tag denies the image",
  );
  assertFalse(policy.imageTagsAllowed([]), "untagged images are not on an allow list");
  const denyOnly = new ConfigPolicy({ levels: ["read"], images: { allow: [], deny: ["nginx"] } });
  assertFalse(denyOnly.imageAllowed("nginx:1.27"), "a glob without tag covers every tag");
  assert(denyOnly.imageAllowed("redis"));
  assert(denyOnly.imageTagsAllowed([]));
});

Deno.test("policy: container names without the leading slash; flags for resolution", () => {
  const policy = new ConfigPolicy({
    levels: ["read"],
    containers: { allow: ["myapp-*", "nginx"], deny: ["*-db", "vault", "secrets-*"] },
  });
  assert(policy.containerVisible("/myapp-web"));
  assert(policy.containerVisible("myapp-web"));
  assertFalse(policy.containerVisible("/myapp-db"));
  assertFalse(policy.containerVisible(""));
  assert(policy.filtersContainers);
  assert(policy.requiresContainerName);
  assertFalse(policy.filtersImages);
  assertEquals(policy.allowedContainerGlobs, ["myapp-*", "nginx"]);
  const open = new ConfigPolicy({ levels: ["read"] });
  assertFalse(open.filtersContainers, "the default resolves nothing (one request per call)");
  assert(open.containerVisible("anything"));
});

Deno.test("policy: bypass allows every level, name and command", () => {
  const policy = new ConfigPolicy({
    levels: ["read"],
    bypass: true,
    containers: { allow: ["x"], deny: ["*"] },
    images: { allow: [], deny: ["*"] },
    blockedCommands: ["rm -rf"],
  });
  assert(policy.allowsLevel("system"));
  assert(policy.containerVisible("anything"));
  assert(policy.imageAllowed("evil"));
  assertFalse(policy.filtersContainers);
  policy.checkExecCommand(["rm", "-rf", "/"]);
  policy.checkCreateBody({ HostConfig: { Privileged: true } });
  policy.checkHostPath("/", "bind");
});

Deno.test("policy: levels; exec Privileged refused unless allowed", () => {
  const policy = new ConfigPolicy({ levels: ["read", "exec"] });
  assert(policy.allowsLevel("exec"));
  assertFalse(policy.allowsLevel("create"));
  const error = assertThrows(() => policy.checkExecOptions({ privileged: true }), BerthError);
  assertEquals(error.code, "DKR-007");
  policy.checkExecOptions({ Privileged: false, User: "root" });
  new ConfigPolicy({ levels: ["exec"], guards: { allowPrivileged: true } })
    .checkExecOptions({ Privileged: true });
});
