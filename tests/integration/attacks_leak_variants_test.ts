/**
 * Secrets in forms the first leak fixes did not read (suite
 * `attacks-leak-variants`): a container made with the docker CLI whose
 * command echoes JSON (`'{"password":"…"}'`), which the inspect's command
 * line shows with escaped quotes (`\"password\":\"…\"`). Inspect and list
 * show no value, while `docker inspect` shows the value is there. And an
 * image built by the CLI with `RUN docker login -u a -p …`, whose history
 * shows it as `/bin/sh -c docker login …`: the login's `-p` mid-line.
 */

import assert from "node:assert/strict";
import {
  call,
  cleanup,
  docker,
  errorCode,
  runContainer,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

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

Deno.test("leak attack: a registry password in an image's history (RUN docker login -p) is redacted", async () => {
  const image = `${uniqueName("atk-hist").toLowerCase()}:1`;
  const dir = tempDirWith("berth-atk-hist-", {
    Dockerfile: `FROM ${TEST_IMAGE}\nRUN docker login -u a -p ${SECRET} reg || true\n`,
  });
  await docker("build", "-q", "--label", `berth.test=${SUITE}`, "-t", image, dir);
  try {
    const history = await docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image);
    assert.match(history, new RegExp(SECRET), "the CLI shows the value");
    for (const tool of ["docker_image_history", "docker_inspect_image"]) {
      const result = await call(app, tool, { image });
      assert.equal(errorCode(result), undefined, result.text);
      assert.ok(
        !(result.text + JSON.stringify(result)).includes(SECRET),
        `${tool}: ${result.text}`,
      );
    }
  } finally {
    await docker("rmi", image);
    await Deno.remove(dir, { recursive: true });
  }
});
