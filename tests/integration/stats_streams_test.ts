/**
 * Stats at the engine's pace, against the real engine: the stats streams the
 * engine client keeps open while a container is watched
 * (src/engine/stats_streams.ts). Not a benchmark: the bounds are loose, the
 * figures are in `deno task bench`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EngineClient } from "../../src/engine/client.ts";
import { parseDockerHost } from "../../src/config/endpoint.ts";
import {
  callOk,
  cleanupRun,
  docker,
  runContainer,
  testApp,
  uniqueName,
  waitFor,
} from "../helpers/mod.ts";

const SUITE = "stats-streams";
const RUN = uniqueName("run");
const LABELS = ["--label", `berth.run=${RUN}`, "--network", "none"];

function engine(idleMs?: number): EngineClient {
  return new EngineClient({
    endpoint: parseDockerHost("unix:///var/run/docker.sock"),
    statsStreams: idleMs === undefined ? undefined : { idleMs },
  });
}

Deno.test("stats streams: three looks at one container cost about one engine floor, not three; a stopped one answers null figures", async () => {
  const app = await testApp();
  try {
    const name = await runContainer(SUITE, { args: LABELS });
    const started = performance.now();
    const rows = [];
    for (let i = 0; i < 3; i++) {
      rows.push((await callOk(app, "docker_container_stats", { container_id: name })).structured);
    }
    const ms = performance.now() - started;
    assert.ok(ms < 2_500, `three stats calls took ${ms.toFixed(0)} ms`);
    for (const row of rows) {
      assert.equal(row.running, true);
      assert.ok(Number(row.memory_usage_mb) > 0);
      assert.ok(Number(row.pids) >= 1);
    }
    assert.equal(app.engine.openStatsStreams, 1, "one stream for the watched container");

    await docker("stop", "-t", "0", name);
    const stopped = (await callOk(app, "docker_container_stats", { container_id: name }))
      .structured;
    assert.equal(stopped.running, false);
    assert.equal(stopped.status, "exited");
    assert.equal(stopped.cpu_percent, null);
    assert.equal(stopped.memory_usage_mb, null);
    assert.equal(app.engine.openStatsStreams, 0, "the stopped container's stream is closed");
  } finally {
    app.engine.close();
    await cleanupRun(RUN);
  }
});

Deno.test("stats streams: idle streams close on their own; a container that stops ends its stream cleanly", async () => {
  const watching = engine(); // the default idle time: only the stop can end its stream
  const idle = engine(3_000);
  try {
    const names = await Promise.all(
      [0, 1, 2].map(() => runContainer(SUITE, { args: LABELS })),
    );
    const ids = await Promise.all(names.map((n) => docker("inspect", "-f", "{{.Id}}", n)));
    const paired = (frame: unknown) =>
      ((frame as { precpu_stats?: { system_cpu_usage?: number } }).precpu_stats
        ?.system_cpu_usage ?? 0) > 0;
    const idleFrames = await Promise.all(ids.slice(1).map((id) => idle.statsSample({ id })));
    assert.equal(idle.openStatsStreams, 2);
    assert.ok(idleFrames.every(paired), "frames with their CPU pair");
    assert.ok(paired(await watching.statsSample({ id: ids[0] })));

    // Stopping one: the engine sends it empty frames, and berth ends its stream.
    await docker("stop", "-t", "0", names[0]);
    await waitFor(
      "the stopped container's stream to end",
      () => Promise.resolve(watching.watchesStats(ids[0])),
      (open) => !open,
      10_000,
    );
    assert.equal(await watching.statsSample({ id: ids[0] }), undefined, "not running: no frame");

    // Nobody looks for 3 s: the others close.
    await waitFor(
      "idle streams to close",
      () => Promise.resolve(idle.openStatsStreams),
      (n) => n === 0,
      10_000,
    );
  } finally {
    watching.close();
    idle.close();
    await cleanupRun(RUN);
  }
});

Deno.test("stats streams: the bound closes the least recently watched stream; a missing container is a 404", async () => {
  const client = new EngineClient({
    endpoint: parseDockerHost("unix:///var/run/docker.sock"),
    statsStreams: { max: 2 },
  });
  try {
    const names = await Promise.all(
      [0, 1, 2].map(() => runContainer(SUITE, { args: LABELS })),
    );
    const ids = await Promise.all(names.map((n) => docker("inspect", "-f", "{{.Id}}", n)));
    await Promise.all(ids.slice(0, 2).map((id) => client.statsSample({ id })));
    await client.statsSample({ id: ids[0] }); // ids[1] is now the least recently watched
    await client.statsSample({ id: ids[2] });
    assert.equal(client.openStatsStreams, 2);
    assert.deepEqual([ids[0], ids[2]].map((id) => client.watchesStats(id)), [true, true]);
    assert.equal(client.watchesStats(ids[1]), false, "the least recently watched closed");

    await assert.rejects(
      client.statsSample({ id: "berth-stats-streams-no-such-container" }),
      (error: Error & { type?: string }) => error.type === "container_not_found",
    );
  } finally {
    client.close();
    await cleanupRun(RUN);
  }
});
