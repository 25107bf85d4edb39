/**
 * Fault injection with the fake engine socket (tests/helpers/fake_engine.ts):
 * what the engine sends wrong becomes a DKR code, never a JSON-RPC internal
 * error, and a call that changes something keeps its audit record (issue 11,
 * item 8). Arguments nested too deep are DKR-004 naming the field.
 */

import assert from "node:assert/strict";
import { FakeEngine } from "../helpers/fake_engine.ts";
import { call, errorCode, testApp } from "../helpers/mod.ts";

/** JSON nested `depth` levels deep, built as text (no recursion in the test either). */
function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

const INSPECT = {
  Id: "c".repeat(64),
  Name: "/web",
  Config: { Tty: false, Image: "busybox", Env: [] },
  State: { Status: "running", Running: true },
};

async function setup(name: string) {
  const fake = FakeEngine.start(name);
  const dir = await Deno.makeTempDir({ prefix: "berth-faults-" });
  const auditLog = `${dir}/audit.jsonl`;
  const app = await testApp({
    dockerHost: fake.dockerHost,
    allow: "all",
    auditLog,
    confirm: false,
  });
  const audit = async () =>
    (await Deno.readTextFile(auditLog).catch(() => "")).trim().split("\n").filter(Boolean).map((
      line,
    ) => JSON.parse(line));
  const done = async () => {
    app.engine.close();
    fake.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { fake, app, audit, done };
}

Deno.test("fake socket: engine JSON nested 100,000 deep is DKR-012 (read and create), and the create is audited", async () => {
  const { fake, app, audit, done } = await setup("deep");
  try {
    const deep = deepJson(100_000);
    fake.answers.set("GET /containers/json", { body: deep });
    const listed = await call(app, "docker_list_containers", { all: true });
    assert.equal(errorCode(listed), "DKR-012", listed.text);
    assert.match(listed.text, /nests deeper than 200 levels/);
    fake.answers.set("POST /containers/create", { status: 201, body: deep });
    const created = await call(app, "docker_create_container", { image: "busybox", name: "web" });
    assert.equal(errorCode(created), "DKR-012", created.text);
    const records = await audit();
    assert.deepEqual(records.map((r) => [r.tool, r.outcome]), [[
      "docker_create_container",
      "DKR-012",
    ]]);
  } finally {
    await done();
  }
});

Deno.test("fake socket: a corrupt log frame is DKR-012 naming it, not a protocol error", async () => {
  const { fake, app, done } = await setup("frame");
  try {
    fake.answers.set(`GET /containers/web/json`, { body: INSPECT });
    fake.answers.set(`GET /containers/${INSPECT.Id}/json`, { body: INSPECT });
    // A frame header with stream type 9 (only 0, 1, 2 exist).
    const frame = new Uint8Array([9, 0, 0, 0, 0, 0, 0, 3, 97, 98, 99]);
    const raw = { body: frame, headers: { "Content-Type": "application/vnd.docker.raw-stream" } };
    fake.answers.set(`GET /containers/${INSPECT.Id}/logs`, raw);
    fake.answers.set("GET /containers/web/logs", raw);
    const logs = await call(app, "docker_container_logs", { container_id: "web" });
    assert.equal(errorCode(logs), "DKR-012", logs.text);
    assert.match(logs.text, /corrupt log frame \(stream type 9/);
    // A frame that announces 100 bytes and ends after 3.
    const cut = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 100, 97, 98, 99]);
    const cutAnswer = { ...raw, body: cut };
    fake.answers.set(`GET /containers/${INSPECT.Id}/logs`, cutAnswer);
    fake.answers.set("GET /containers/web/logs", cutAnswer);
    const ended = await call(app, "docker_container_logs", { container_id: "web" });
    assert.equal(errorCode(ended), "DKR-012", ended.text);
    assert.match(ended.text, /ended inside a frame/);
  } finally {
    await done();
  }
});

Deno.test("fake socket: a JSON lines stream with a line that is not JSON is DKR-012", async () => {
  const { fake, app, done } = await setup("ndjson");
  try {
    fake.answers.set("POST /images/create", { body: '{"status":"Pulling"}\n{not json\n' });
    const pulled = await call(app, "docker_pull_image", { image: "busybox:latest" });
    assert.equal(errorCode(pulled), "DKR-012", pulled.text);
  } finally {
    await done();
  }
});

Deno.test("fake socket: arguments nested 10,000 deep are DKR-004 naming the field, and audited", async () => {
  const { fake, app, audit, done } = await setup("deepargs");
  try {
    const labels = JSON.parse(deepJson(10_000));
    const created = await call(app, "docker_create_container", { image: "busybox", labels });
    assert.equal(errorCode(created), "DKR-004", created.text);
    assert.match(created.text, /Parameter 'labels\.a\.a\.a\.a\.a…' nests deeper than 32 levels/);
    assert.equal(fake.calls.length, 0, "nothing reached the engine");
    const [record] = await audit();
    assert.equal(record.outcome, "DKR-004");
    assert.match(JSON.stringify(record.arguments), /nested deeper than 32 levels/);
  } finally {
    await done();
  }
});
