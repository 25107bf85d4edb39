/**
 * Secrets in forms the first leak fixes did not read (suite
 * `attacks-leak-variants`): a container made with the docker CLI whose
 * command echoes JSON (`'{"password":"…"}'`), which the inspect's command
 * line shows with escaped quotes (`\"password\":\"…\"`). Inspect and list
 * show no value, while `docker inspect` shows the value is there.
 */

import assert from "node:assert/strict";
import { call, cleanup, docker, errorCode, runContainer, testApp } from "../helpers/mod.ts";

const SUITE = "attacks-leak-variants";
await cleanup(SUITE);

const SECRET = `json-pw-${crypto.randomUUID().slice(0, 8)}`;
const app = await testApp({ allow: "read" });
const TARGET = await runContainer(SUITE, {
  args: ["--network", "none"],
  command: ["sh", "-c", `echo '{"password":"${SECRET}"}'; sleep 3600`],
});

Deno.test("leak attack: a JSON password in a container's command line is redacted", async () => {
  assert.match(await docker("inspect", "--format", "{{json .Args}}", TARGET), new RegExp(SECRET));
  for (
    const [tool, args] of [
      ["docker_inspect_container", { container_id: TARGET }],
      ["docker_inspect_container", { container_id: TARGET, section: "config" }],
      ["docker_list_containers", { all: true }],
      ["docker_container_logs", { container_id: TARGET }],
    ] as const
  ) {
    const result = await call(app, tool, args);
    assert.equal(errorCode(result), undefined, result.text);
    const shown = result.text + JSON.stringify(result);
    assert.ok(!shown.includes(SECRET), `${tool} ${JSON.stringify(args)}: ${result.text}`);
  }
  await cleanup(SUITE);
});
