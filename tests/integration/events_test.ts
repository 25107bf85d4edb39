/**
 * docker_events against the real engine (suite `events`): health-check execs
 * are left out by default and counted, the execs people run are kept, and
 * `include_health_checks` brings the health checks back.
 */

import assert from "node:assert/strict";
import {
  callOk,
  cleanup,
  docker,
  runContainer,
  testApp,
  uniqueName,
  waitFor,
} from "../helpers/mod.ts";

const SUITE = "events";

await cleanup(SUITE);
const app = await testApp({ allow: "all" });

interface Row {
  action: string;
  actor: string;
}

Deno.test("events: health-check execs are left out unless asked for", async () => {
  const run = uniqueName("run");
  const filters = { label: [`berth.events=${run}`] };
  try {
    const name = await runContainer(SUITE, {
      args: ["--label", `berth.events=${run}`, "--health-cmd", "true", "--health-interval", "1s"],
      command: ["sleep", "300"],
    });
    const all = () =>
      callOk(app, "docker_events", { since: "5m", filters, include_health_checks: true });
    const actions = async () => ((await all()).structured.events as Row[]).map((e) => e.action);
    // Two health checks have run: the second shows the first was not a one-off.
    await waitFor(
      "two health-check execs",
      actions,
      (list) => list.filter((a) => a === "exec_create: /bin/sh -c true").length >= 2,
    );
    await docker("exec", name, "echo", "by-hand");

    const plain = await waitFor(
      "the exec run by hand to end",
      () => callOk(app, "docker_events", { since: "5m", filters }),
      (r) => (r.structured.events as Row[]).some((e) => e.action === "exec_die"),
    );
    const rows = plain.structured.events as Row[];
    assert.ok(rows.some((e) => e.action === "start" && e.actor === name), "the start is kept");
    assert.ok(
      !rows.some((e) => e.action.includes("/bin/sh -c true")),
      `no health-check exec: ${plain.text}`,
    );
    const byHand = rows.filter((e) => e.action.startsWith("exec_"));
    assert.deepEqual(
      byHand.map((e) => e.action.trimEnd()),
      ["exec_create: echo by-hand", "exec_start: echo by-hand", "exec_die"],
      "the exec run by hand is kept, its die too",
    );
    const left = plain.structured.health_checks_left_out as number;
    assert.ok(left >= 6, `create, start and die of two checks: ${left}`);
    assert.match(plain.text, /health-check exec events left out \(include_health_checks: true/);
    // Other suites share the engine: its 256-event buffer may be full, and then it is said.
    const available = plain.structured.available_since;
    if (available !== null) {
      assert.match(plain.text, new RegExp(`nothing before ${available} can be seen`));
    }

    const shown = await all();
    assert.equal(shown.structured.health_checks_left_out, 0);
    const healthDies = (shown.structured.events as Row[]).filter((e) => e.action === "exec_die");
    assert.ok(healthDies.length >= 3, "the health checks' exec_die are back, with the one by hand");
  } finally {
    await cleanup(SUITE);
  }
});

Deno.test("events: the default answer is the newest 50, oldest first", async () => {
  const result = await callOk(app, "docker_events", {});
  const rows = result.structured.events as { time: string }[];
  assert.ok(rows.length <= 50, `${rows.length} events by default`);
  const times = rows.map((e) => e.time);
  assert.deepEqual(times, [...times].sort(), "oldest first");
  if (rows.length) assert.match(result.text, /, oldest first/);
});
