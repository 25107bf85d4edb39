/**
 * Encoded commands against the exec guard, on a real container (suite
 * `attacks-exec`): command substitution, backticks, `set --` and `"$@"`,
 * `eval`, `$0`, `${IFS}`, hex and octal printf, `… | sh`, `xargs` and
 * `find -exec` feeding `rm`. Each is refused (DKR-007) under the default
 * rules, and `docker exec` confirms the files are still there; with
 * `exec_safety.allow_indirection: true` the operator lets such commands run.
 */

import assert from "node:assert/strict";
import { call, cleanup, docker, errorCode, runContainer, testApp } from "../helpers/mod.ts";

const SUITE = "attacks-exec";
await cleanup(SUITE);

const app = await testApp({ allow: "exec" });
const TARGET = await runContainer(SUITE, { args: ["--network", "none"] });
await docker("exec", TARGET, "sh", "-c", "mkdir -p /data/victim && echo keep > /data/victim/f");

const ENCODED = [
  "rm -$(echo rf) /data/victim",
  "rm -`echo rf` /data/victim",
  'set -- -rf /data/victim; rm "$@"',
  'set -- rm -rf /data/victim; "$@"',
  'eval "$(printf "r%s -r%s /data/victim" m f)"',
  "eval rm -r -f /data/victim",
  "X=rm; $X -r -f /data/victim",
  "rm${IFS}-r${IFS}-f${IFS}/data/victim",
  "$(printf '\\x72\\x6d') -r -f /data/victim",
  "printf '\\162\\155 -\\162\\146 /data/victim' | sh",
  "echo cm0gLXJmIC9kYXRhL3ZpY3RpbQ== | base64 -d | sh",
  "echo /data/victim | xargs rm -r -f",
  "find /data/victim -exec rm -r -f {} +",
  "\\r\\m -r\\f /data/victim",
];

Deno.test("exec attack: encoded rm -rf spellings are refused and remove nothing", async () => {
  for (const command of ENCODED) {
    const result = await call(app, "docker_exec_command", {
      container_id: TARGET,
      command: ["sh", "-c", command],
    });
    assert.equal(errorCode(result), "DKR-007", `${command}: ${result.text}`);
    assert.equal(await docker("exec", TARGET, "cat", "/data/victim/f"), "keep", command);
  }
  const viaArgv = await call(app, "docker_exec_command", {
    container_id: TARGET,
    command: ["sh", "$0", "-c", "rm -rf /data/victim"],
  });
  assert.equal(errorCode(viaArgv), "DKR-007", viaArgv.text);
});

Deno.test("exec attack: everyday commands with substitutions still run", async () => {
  const result = await call(app, "docker_exec_command", {
    container_id: TARGET,
    command: ["sh", "-c", "for f in $(ls /data/victim); do echo got $f; done"],
  });
  assert.equal(errorCode(result), undefined, result.text);
  assert.match(result.text, /got f/);
});

Deno.test("exec attack: exec_safety.allow_indirection lets computed commands run", async () => {
  const config = await Deno.makeTempFile({ prefix: "berth-atk-exec-", suffix: ".yaml" });
  await Deno.writeTextFile(config, "exec_safety: { allow_indirection: true }\n");
  try {
    const lenient = await testApp({ allow: "exec", config });
    const result = await call(lenient, "docker_exec_command", {
      container_id: TARGET,
      command: ["sh", "-c", "touch /data/victim/g; G=/data/victim/g; rm -f $G"],
    });
    assert.equal(errorCode(result), undefined, result.text);
    assert.equal(await docker("exec", TARGET, "ls", "/data/victim"), "f", "g was made and removed");
    const strict = await call(app, "docker_exec_command", {
      container_id: TARGET,
      command: ["sh", "-c", "F=/data/victim/f; rm -f $F"],
    });
    assert.equal(errorCode(strict), "DKR-007", strict.text);
  } finally {
    await Deno.remove(config);
  }
});

Deno.test("exec attack: cleanup", async () => {
  await cleanup(SUITE);
});
