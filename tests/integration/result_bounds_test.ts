/**
 * The structured content of a result is bounded and marked like the text
 * (issue 11, item 9): a list too large for `max_result_bytes` is cut, with
 * `truncated: true`, `count` (kept) and `total` (there were). 5,000
 * containers come from the fake engine socket (a size fault, named as such);
 * the configurable cap is proven on the real engine with a small one
 * (suite `escb-bounds`).
 */

import assert from "node:assert/strict";
import { FakeEngine } from "../helpers/fake_engine.ts";
import { call, cleanup, docker, runContainer, testApp, waitFor } from "../helpers/mod.ts";
import { MAX_STRUCTURED_BYTES } from "../../src/guard/caps.ts";

const SUITE = "escb-bounds";

Deno.test("fake socket: 5,000 containers give a bounded structured list marked truncated, like the text", async () => {
  const fake = FakeEngine.start("5000");
  fake.containers = Array.from({ length: 5000 }, (_, i) => ({
    Id: i.toString(16).padStart(64, "0"),
    Names: [`/web-${i}`],
    Image: "registry.example/team/service:1.2.3",
    ImageID: `sha256:${"a".repeat(64)}`,
    Command: "/usr/local/bin/entrypoint --serve --port 8080",
    Created: 1700000000,
    State: "running",
    Status: "Up 3 hours",
    Ports: [{ PrivatePort: 8080, Type: "tcp" }],
    Labels: { "com.example.team": "platform", "com.example.tier": "web" },
    Mounts: [],
  }));
  const app = await testApp({ dockerHost: fake.dockerHost });
  try {
    const r = await call(app, "docker_list_containers", { all: true });
    assert.equal(r.isError, false, r.text);
    const size = JSON.stringify(r.structured).length;
    assert.ok(size <= MAX_STRUCTURED_BYTES, `${size} characters of structured content`);
    assert.equal(r.structured.truncated, true);
    assert.equal(r.structured.total, 5000);
    const kept = (r.structured.containers as unknown[]).length;
    assert.equal(r.structured.count, kept);
    assert.ok(kept > 100 && kept < 5000, `${kept} rows kept`);
    assert.match(r.text, /\[truncated: /);
  } finally {
    app.engine.close();
    fake.close();
  }
});

Deno.test("result bounds: max_result_bytes in the config file caps a real process table, marked", async () => {
  await cleanup(SUITE);
  const dir = await Deno.makeTempDir({ prefix: "escb-bounds-" });
  const config = `${dir}/config.json`;
  await Deno.writeTextFile(config, JSON.stringify({ max_result_bytes: 16384 }));
  const name = await runContainer(SUITE, {
    args: ["--network", "none"],
    command: ["sh", "-c", "for i in $(seq 400); do sleep 3000 & done; wait"],
  });
  const app = await testApp({ config });
  try {
    const count = await waitFor(
      "400 sleeps",
      async () => (await docker("top", name, "-o", "pid")).split("\n").length - 1,
      (n) => n >= 401,
    );
    const r = await call(app, "docker_container_top", { container_id: name });
    assert.equal(r.isError, false, r.text);
    assert.ok(JSON.stringify(r.structured).length <= 16384);
    assert.equal(r.structured.truncated, true);
    assert.equal(r.structured.total, count, "total is what docker top lists");
    assert.ok((r.structured.processes as unknown[]).length < count);
  } finally {
    app.engine.close();
    await cleanup(SUITE);
    await Deno.remove(dir, { recursive: true });
  }
});
