/**
 * Sizes in text read as the docker CLI prints them: an image's size in
 * docker_inspect_image and docker_image_history is the figure `docker
 * images` and `docker history` show (decimal units, three significant
 * digits), and docker_system_df's text is in the same units, not MiB
 * labelled MB. Read-only: the test bed's own images, nothing created.
 */

import assert from "node:assert/strict";
import { callOk, docker, TEST_APP_IMAGE, testApp } from "../helpers/mod.ts";

const app = await testApp({});

/** "1.98MB" (the CLI) and "1.98 MB" (berth) are the same figure. */
const cli = (size: string) => size.replace(/\s+/g, "");

Deno.test("sizes: an image's size is the one docker images shows", async () => {
  const listed = await docker("images", "--format", "{{.Size}}", TEST_APP_IMAGE);
  const inspect = await callOk(app, "docker_inspect_image", { image: TEST_APP_IMAGE });
  const first = inspect.text.split("\n")[0];
  const size = /\) (\S+ (?:B|kB|MB|GB)) /.exec(first)?.[1];
  assert.ok(size, first);
  assert.equal(cli(size), listed, `${first} vs docker images ${listed}`);
});

Deno.test("sizes: each history layer's size is the one docker history shows", async () => {
  const sizes = (await docker("history", "--format", "{{.Size}}", TEST_APP_IMAGE)).split("\n");
  const history = await callOk(app, "docker_image_history", { image: TEST_APP_IMAGE });
  const rows = history.text.split("\n").slice(2);
  assert.equal(rows.length, sizes.length);
  rows.forEach((row, i) => {
    const size = / (\d+(?:\.\d+)? (?:B|kB|MB|GB)) /.exec(row)?.[1];
    assert.ok(size, row);
    assert.equal(cli(size), sizes[i], `${row} vs docker history ${sizes[i]}`);
  });
});

Deno.test("sizes: docker_system_df's text is in decimal units", async () => {
  const df = await callOk(app, "docker_system_df");
  const images = df.text.split("\n").find((l) => l.startsWith("images "));
  assert.match(
    images ?? "",
    /^images +\d+ +\d+ +\d+(\.\d+)? (B|kB|MB|GB) +\d+(\.\d+)? (B|kB|MB|GB)$/,
  );
});

Deno.test("sizes: cleanup", () => {
  app.engine.close();
});
