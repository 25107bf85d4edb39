/**
 * The read-only tools against the real engine: labelled fixtures (running,
 * exited with a code, TTY, chatty, on a custom network with a volume, with
 * secret env, and one a policy hides), real values asserted, and every
 * structured result validated against the tool's outputSchema.
 */

import assert from "node:assert/strict";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { App } from "../../src/app/mod.ts";
import { Interpreter, type ToolResult } from "../../src/interpreter/mod.ts";
import {
  call,
  cleanup,
  docker,
  errorCode,
  hidingInterpreter,
  runContainer,
  TEST_APP_IMAGE,
  TEST_IMAGE,
  testApp,
  uniqueName,
  waitFor,
} from "../helpers/mod.ts";

const SUITE = "read-tools";
const LINES = 5000;
const PAD = "padding-padding-padding-padding";

const validator = new AjvJsonSchemaValidator();

/** Calls a tool through an interpreter, fails on an error, checks the outputSchema. */
async function ok(
  target: App | Interpreter,
  tool: string,
  args: Record<string, unknown> = {},
): Promise<ToolResult> {
  const interpreter = target instanceof Interpreter ? target : target.interpreter;
  const result = await interpreter.call(tool, args);
  if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
  const schema = interpreter.definition(tool)!.outputSchema;
  const check = validator.getValidator(schema as never)(result.structured);
  assert.ok(check.valid, `${tool}: output does not match its schema: ${check.errorMessage}`);
  return result;
}

interface Fixtures {
  running: string;
  stopped: string;
  tty: string;
  chatty: string;
  networked: string;
  busy: string;
  hidden: string;
  network: string;
  volume: string;
  /** When the fixtures were made (RFC 3339): events of earlier runs are not this run's. */
  since: string;
}

async function setUp(): Promise<Fixtures> {
  await cleanup(SUITE);
  // A second early: the engine's event times and this clock are the same machine's.
  const since = new Date(Date.now() - 1_000).toISOString();
  const label = ["--label", `berth.test=${SUITE}`];
  const network = uniqueName("berth-rt-net");
  const volume = uniqueName("berth-rt-vol");
  await Promise.all([
    docker("network", "create", ...label, network),
    docker("volume", "create", ...label, volume),
  ]);
  // One awk process for the stdout lines, written in large blocks: a shell loop wrote each line
  // on its own and, on two cores shared with the Podman and Swarm suites, once had not finished
  // in 120 s. The stderr lines are written a second before them: the engine copies stdout and
  // stderr with a reader each, so lines written together on both land in its log in either
  // order (a "warn 4000" after the last stdout line failed the tail step twice in eight runs).
  const chattyScript = `awk 'BEGIN { for (i = 0; i < ${LINES}; i += 1000) ` +
    `print "warn " i > "/dev/stderr" }'; sleep 1; ` +
    `awk 'BEGIN { for (i = 0; i < ${LINES}; i++) print "line " i " ${PAD}" }'; sleep 3600`;
  // Busy for 20 s at most, then idle: enough for the stats step, gentle on shared CI.
  const busyScript =
    "end=$(($(date +%s) + 20)); while [ $(date +%s) -lt $end ]; do :; done; sleep 3600";
  // Only the network fixtures need a network; the rest use none, which is faster
  // and keeps this suite independent of the default bridge.
  const none = ["--network", "none"];
  const secrets = [
    "-e",
    "DB_PASSWORD=hunter2",
    "-e",
    "api_token=tok-123",
    "-e",
    "PLAIN_VALUE=visible",
  ];
  const [running, stopped, tty, chatty, networked, busy] = await Promise.all([
    runContainer(SUITE, { args: [...none, "-m", "64m", ...secrets] }),
    runContainer(SUITE, { args: none, command: ["sh", "-c", "echo bye; exit 3"] }),
    runContainer(SUITE, {
      args: [...none, "-t"],
      command: ["sh", "-c", "echo tty-hello; echo tty-err >&2; sleep 3600"],
    }),
    runContainer(SUITE, { args: none, command: ["sh", "-c", chattyScript] }),
    runContainer(SUITE, { args: ["--network", network, "-v", `${volume}:/data`] }),
    runContainer(SUITE, { args: none, command: ["sh", "-c", busyScript] }),
  ]);
  // Created last, so that it is the newest: a limited list meets it first.
  const hidden = await runContainer(SUITE, {
    name: uniqueName("berth-rt-hidden"),
    args: ["--network", network],
  });
  await docker("wait", stopped);
  await waitFor(
    "the chatty container's last line",
    // The whole stdout, not `--tail 1`: on this engine a tail of a log written in bursts has
    // answered nothing for minutes while the full read had every line.
    async () => (await docker("logs", chatty)).split("\n").at(-1) ?? "",
    (last) => last.startsWith(`line ${LINES - 1} `),
    120_000,
  );
  return { running, stopped, tty, chatty, networked, busy, hidden, network, volume, since };
}

Deno.test("read tools against the real engine", async (t) => {
  const app = await testApp();
  // Hides every container whose name contains "-hidden-", as a deny list would.
  const hiding = hidingInterpreter(app, (name) => name.includes("-hidden-"));
  let f: Fixtures | undefined;
  try {
    f = await setUp();
    const fx = f;
    const mine = { label: [`berth.test=${SUITE}`] };

    await t.step("docker_list_containers: fixtures, states, compact text", async () => {
      const all = await ok(app, "docker_list_containers", { all: true, filters: mine });
      const items = all.structured.containers as Record<string, unknown>[];
      assert.equal(all.structured.count, 7);
      const byName = new Map(items.map((c) => [c.name, c]));
      assert.equal(byName.get(fx.stopped)?.state, "exited");
      assert.match(String(byName.get(fx.stopped)?.status), /Exited \(3\)/);
      assert.equal(byName.get(fx.running)?.state, "running");
      assert.equal(
        byName.get(fx.running)?.short_id,
        String(byName.get(fx.running)?.id).slice(0, 12),
      );
      assert.deepEqual(
        (byName.get(fx.running)?.labels as Record<string, string>)["berth.test"],
        SUITE,
      );
      assert.ok(all.text.includes(fx.chatty));
      const running = await ok(app, "docker_list_containers", { filters: mine });
      assert.equal(running.structured.count, 6, "running only by default");
      const newest = await ok(app, "docker_list_containers", { filters: mine, limit: 1 });
      assert.deepEqual(
        (newest.structured.containers as { name: string }[]).map((c) => c.name),
        [fx.hidden],
        "the engine's limit keeps the newest",
      );
    });

    await t.step(
      "docker_list_containers: hidden containers vanish, limit stays honest",
      async () => {
        const limited = await ok(hiding, "docker_list_containers", { filters: mine, limit: 2 });
        const names = (limited.structured.containers as { name: string }[]).map((c) => c.name);
        assert.equal(names.length, 2, `limit 2 still gives 2 visible containers: ${names}`);
        assert.ok(!names.includes(fx.hidden));
        assert.ok(!limited.text.includes("hidden"));
        const everything = await ok(hiding, "docker_list_containers", { all: true, filters: mine });
        assert.equal(everything.structured.count, 6);
      },
    );

    await t.step("docker_inspect_container: sections, redaction, compact text", async () => {
      const all = await ok(app, "docker_inspect_container", { container_id: fx.running });
      const details = all.structured.details as {
        Config: { Env: string[] };
        HostConfig: { Memory: number };
      };
      assert.ok(details.Config.Env.includes("DB_PASSWORD=***REDACTED***"));
      assert.ok(details.Config.Env.includes("api_token=***REDACTED***"));
      assert.ok(details.Config.Env.includes("PLAIN_VALUE=visible"));
      assert.equal(details.HostConfig.Memory, 64 * 1024 * 1024);
      for (const secret of ["hunter2", "tok-123"]) {
        assert.ok(!JSON.stringify(all.structured).includes(secret), `${secret} leaked`);
        assert.ok(!all.text.includes(secret), `${secret} leaked into text`);
      }
      assert.match(all.text, new RegExp(`^${fx.running} \\([0-9a-f]{12}\\) image=${TEST_IMAGE}`));
      assert.match(all.text, /memory=64MiB/);
      assert.ok(all.text.length < 1500, `inspect text is compact (${all.text.length} chars)`);

      const state = await ok(app, "docker_inspect_container", {
        container_id: fx.stopped,
        section: "state",
      });
      const s = state.structured.details as {
        State: { ExitCode: number; Status: string };
        Config?: unknown;
      };
      assert.equal(s.State.ExitCode, 3);
      assert.equal(s.State.Status, "exited");
      assert.equal(s.Config, undefined, "the state section leaves Config out");
      assert.match(state.text, /state=exited exit=3/);

      const net = await ok(app, "docker_inspect_container", {
        container_id: fx.networked,
        section: "network",
      });
      const networks =
        (net.structured.details as { NetworkSettings: { Networks: Record<string, unknown> } })
          .NetworkSettings.Networks;
      assert.ok(fx.network in networks);
      assert.ok(net.text.includes(fx.network));

      const mounts = await ok(app, "docker_inspect_container", {
        container_id: fx.networked,
        section: "mounts",
      });
      const m =
        (mounts.structured.details as { Mounts: { Name: string; Destination: string }[] }).Mounts;
      assert.deepEqual(m.map((x) => [x.Name, x.Destination]), [[fx.volume, "/data"]]);
      assert.ok(mounts.text.includes(`volume ${fx.volume}:/data`));
    });

    await t.step(
      "docker_container_top: a ps table; a stopped container is a conflict",
      async () => {
        const top = await ok(app, "docker_container_top", { container_id: fx.running });
        const rows = top.structured.processes as string[][];
        assert.ok((top.structured.titles as string[]).includes("PID"));
        assert.ok(rows.some((r) => r.join(" ").includes("sleep 3600")));
        assert.match(top.text, rows.length === 1 ? /^1 process\n.*PID/ : /^\d+ processes\n.*PID/);
        const stopped = await call(app, "docker_container_top", { container_id: fx.stopped });
        assert.equal(errorCode(stopped), "DKR-010", stopped.text);
      },
    );

    await t.step("docker_container_logs: tail, grep, streams, truncation", async () => {
      const tail = await ok(app, "docker_container_logs", { container_id: fx.chatty, tail: 10 });
      const expected = Array.from({ length: 10 }, (_, i) => `line ${LINES - 10 + i} ${PAD}`);
      assert.equal(tail.structured.logs, expected.join("\n"));
      assert.equal(tail.structured.lines, 10);
      assert.equal(tail.structured.truncated, false);

      const grep = await ok(app, "docker_container_logs", {
        container_id: fx.chatty,
        tail: 6000,
        grep: "^line 42\\d\\d ",
      });
      const grepped = String(grep.structured.logs).split("\n");
      assert.equal(grep.structured.lines, 100);
      assert.equal(grepped[0], `line 4200 ${PAD}`);
      assert.equal(grepped.at(-1), `line 4299 ${PAD}`);

      const stderr = await ok(app, "docker_container_logs", {
        container_id: fx.chatty,
        tail: 6000,
        stdout: false,
      });
      assert.equal(stderr.structured.logs, "warn 0\nwarn 1000\nwarn 2000\nwarn 3000\nwarn 4000");
      const stdout = await ok(app, "docker_container_logs", {
        container_id: fx.chatty,
        tail: 6000,
        stderr: false,
        grep: "^(line|warn) (0|4999)( |$)",
      });
      assert.equal(
        stdout.structured.logs,
        `line 0 ${PAD}\nline ${LINES - 1} ${PAD}`,
        "no stderr line",
      );

      const big = await ok(app, "docker_container_logs", { container_id: fx.chatty, tail: 100000 });
      const logs = String(big.structured.logs);
      assert.equal(big.structured.truncated, true);
      assert.match(
        logs,
        /^\[truncated: showing the last \d+ of 5005 lines; .*smaller tail, since\/until or grep\]/,
      );
      assert.ok(logs.endsWith(`line ${LINES - 1} ${PAD}`));
      assert.ok(new TextEncoder().encode(logs).length <= 61 * 1024, "bounded to about 60 KiB");
      assert.ok(Number(big.structured.lines) < 5005);

      const stamped = await ok(app, "docker_container_logs", {
        container_id: fx.chatty,
        tail: 2,
        timestamps: true,
      });
      for (const line of String(stamped.structured.logs).split("\n")) {
        assert.match(line, /^\d{4}-\d\d-\d\dT\S+Z line \d+ /);
      }
    });

    await t.step("docker_container_logs: TTY, since/until, errors", async () => {
      const tty = await ok(app, "docker_container_logs", { container_id: fx.tty });
      assert.equal(
        tty.structured.logs,
        "tty-hello\ntty-err",
        "TTY output is one raw stream, no frames, no CR",
      );
      assert.match(tty.text, /tty/);

      const future = await ok(app, "docker_container_logs", {
        container_id: fx.chatty,
        since: "2099-01-01T00:00:00Z",
      });
      assert.equal(future.structured.lines, 0);
      assert.equal(future.structured.logs, "");
      const past = await ok(app, "docker_container_logs", {
        container_id: fx.chatty,
        until: "2001-01-01T00:00:00Z",
      });
      assert.equal(past.structured.lines, 0);
      const recent = await ok(app, "docker_container_logs", {
        container_id: fx.stopped,
        since: "1h",
      });
      assert.equal(recent.structured.logs, "bye");

      const bad = await call(app, "docker_container_logs", {
        container_id: fx.chatty,
        since: "yesterday",
      });
      assert.equal(errorCode(bad), "DKR-004");
      assert.match(bad.text, /'since'/);
      const missing = await call(app, "docker_container_logs", {
        container_id: "berth-rt-no-such-container",
      });
      assert.equal(errorCode(missing), "DKR-002");
      // Nested quantifiers are matched in linear time now (RE2), so they are taken;
      // what RE2 cannot do (backreferences) is refused, naming the field.
      const nested = await call(app, "docker_container_logs", {
        container_id: fx.chatty,
        grep: "(a+)+b",
      });
      assert.equal(errorCode(nested), undefined, nested.text);
      const backreference = await call(app, "docker_container_logs", {
        container_id: fx.chatty,
        grep: "(a)\\1",
      });
      assert.equal(errorCode(backreference), "DKR-004");
      assert.match(backreference.text, /'grep'/);
    });

    await t.step("hidden containers answer DKR-002 exactly like missing ones", async () => {
      for (
        const tool of [
          "docker_inspect_container",
          "docker_container_logs",
          "docker_container_stats",
        ]
      ) {
        const args = (id: string) =>
          tool === "docker_container_stats"
            ? { container_id: id, cpu_sample_ms: 0 }
            : { container_id: id };
        const hidden = await hiding.call(tool, args(fx.hidden));
        const missing = await hiding.call(tool, args(`${fx.hidden}-gone`));
        assert.equal(errorCode(hidden), "DKR-002", `${tool}: ${hidden.text}`);
        assert.equal(
          hidden.text.replaceAll(fx.hidden, "NAME"),
          missing.text.replaceAll(`${fx.hidden}-gone`, "NAME"),
          `${tool}: hidden and missing differ`,
        );
      }
    });

    await t.step("docker_container_stats: one container, all running ones", async () => {
      // Independent calls, run together: each waits for the engine's stats tick.
      const [one, busy, average, stopped, all, missing] = await Promise.all([
        ok(app, "docker_container_stats", { container_id: fx.running }),
        ok(app, "docker_container_stats", { container_id: fx.busy }),
        ok(app, "docker_container_stats", { container_id: fx.busy, cpu_sample_ms: 0 }),
        ok(app, "docker_container_stats", { container_id: fx.stopped, cpu_sample_ms: 0 }),
        ok(hiding, "docker_container_stats", { cpu_sample_ms: 0 }),
        call(app, "docker_container_stats", { container_id: "berth-rt-no-such-container" }),
      ]);
      const s = one.structured;
      assert.equal(s.name, fx.running);
      assert.equal(s.memory_limit_mb, 64);
      assert.ok(Number(s.memory_usage_mb) > 0 && Number(s.memory_usage_mb) < 64);
      assert.ok(Number(s.pids) >= 1);
      assert.equal(s.count, 1);
      assert.deepEqual(
        (s.stats as unknown[])[0],
        Object.fromEntries(
          Object.entries(s).filter(([k]) => k !== "stats" && k !== "count"),
        ),
      );
      assert.match(one.text, new RegExp(`^NAME .*\\n${fx.running} [\\d.]+% [\\d.]+/64 `));

      assert.ok(
        Number(busy.structured.cpu_percent) > 10,
        `busy loop CPU ${busy.structured.cpu_percent}%`,
      );
      assert.ok(Number(s.cpu_percent) < Number(busy.structured.cpu_percent), "idle < busy");
      assert.ok(Number(average.structured.cpu_percent) > 0, "average since start");

      // Not running: no figures rather than zeros, and its configured limit (none).
      assert.equal(stopped.structured.running, false);
      assert.equal(stopped.structured.status, "exited");
      assert.equal(stopped.structured.cpu_percent, null);
      assert.equal(stopped.structured.memory_usage_mb, null);
      assert.equal(stopped.structured.pids, null);
      assert.equal(stopped.structured.memory_limit_mb, null);
      assert.match(stopped.text, /exited/);
      assert.match(stopped.text, /not running \(status exited\); memory limit: none/);
      assert.equal(s.running, true);
      assert.equal(s.memory_limited, true, "64m is the container's own limit");
      assert.equal(busy.structured.memory_limited, false, "no limit: the host's memory");
      assert.match(busy.text, /\* no memory limit/);

      const names = (all.structured.stats as { name: string }[]).map((r) => r.name);
      for (const name of [fx.running, fx.tty, fx.chatty, fx.networked, fx.busy]) {
        assert.ok(names.includes(name), name);
      }
      assert.ok(!names.includes(fx.stopped), "stopped containers are not measured");
      const limited = (name: string) =>
        (all.structured.stats as { name: string; memory_limited: boolean }[])
          .find((r) => r.name === name)?.memory_limited;
      assert.equal(limited(fx.running), true, "all: a limit below the host's memory is its own");
      assert.equal(limited(fx.busy), false, "all: no limit reads as the host's memory");
      assert.ok(!names.includes(fx.hidden), "hidden containers are not measured");
      assert.equal(all.structured.count, names.length);
      assert.equal(all.structured.name, undefined, "no top-level fields for all containers");

      assert.equal(errorCode(missing), "DKR-002");
    });

    await t.step("networks and volumes", async () => {
      const list = await ok(hiding, "docker_list_networks", { filters: { name: [fx.network] } });
      assert.equal(list.structured.count, 1);
      const network = (list.structured.networks as Record<string, unknown>[])[0];
      assert.equal(network.name, fx.network);
      assert.equal(network.driver, "bridge");
      assert.equal(network.internal, false);
      assert.deepEqual(network.containers, [fx.networked], "the hidden container is not listed");

      const inspect = await ok(hiding, "docker_inspect_network", { network_id: fx.network });
      const attached = Object.values(
        (inspect.structured.details as { Containers: Record<string, { Name: string }> }).Containers,
      ).map((c) => c.Name);
      assert.deepEqual(attached, [fx.networked]);
      assert.ok(inspect.text.includes(fx.networked) && !inspect.text.includes(fx.hidden));
      const noNet = await call(app, "docker_inspect_network", {
        network_id: "berth-rt-no-such-net",
      });
      assert.equal(errorCode(noNet), "DKR-011");

      const vols = await ok(app, "docker_list_volumes", { filters: { name: [fx.volume] } });
      assert.equal(vols.structured.count, 1);
      const vol = (vols.structured.volumes as Record<string, unknown>[])[0];
      assert.equal(vol.name, fx.volume);
      assert.equal(vol.driver, "local");
      assert.match(String(vol.mountpoint), new RegExp(`/${fx.volume}/_data$`));
      assert.equal((vol.labels as Record<string, string>)["berth.test"], SUITE);
      const dangling = await ok(app, "docker_list_volumes", {
        filters: { dangling: true, name: [fx.volume] },
      });
      assert.equal(dangling.structured.count, 0, "the volume is in use");

      const details = await ok(app, "docker_inspect_volume", { volume_name: fx.volume });
      assert.equal((details.structured.details as { Name: string }).Name, fx.volume);
      assert.ok(details.text.startsWith(`${fx.volume} driver=local`));
      const noVol = await call(app, "docker_inspect_volume", {
        volume_name: "berth-rt-no-such-volume",
      });
      assert.equal(errorCode(noVol), "DKR-011");
    });

    await t.step("images: list, inspect, history, missing", async () => {
      const list = await ok(app, "docker_list_images", {
        filters: { reference: ["berth-test/*"] },
      });
      const images = list.structured.images as {
        id: string;
        tags: string[];
        size_mb: number;
        created: string;
      }[];
      const busybox = images.find((i) => i.tags.includes(TEST_IMAGE));
      assert.ok(busybox, `${TEST_IMAGE} listed`);
      assert.match(busybox.id, /^[0-9a-f]{12}$/);
      assert.ok(busybox.size_mb > 0);
      assert.ok(!Number.isNaN(Date.parse(busybox.created)));

      const inspect = await ok(app, "docker_inspect_image", { image: TEST_APP_IMAGE });
      const details = inspect.structured.details as { Id: string; RepoTags: string[] };
      assert.match(details.Id, /^sha256:[0-9a-f]{64}$/);
      assert.ok(details.RepoTags.includes(TEST_APP_IMAGE));
      assert.ok(inspect.text.startsWith(TEST_APP_IMAGE));
      assert.equal(
        details.Id.slice(7, 19),
        (await docker("image", "inspect", "-f", "{{.Id}}", TEST_APP_IMAGE)).slice(7, 19),
      );

      const history = await ok(app, "docker_image_history", { image: TEST_APP_IMAGE });
      const layers = history.structured.layers as {
        id: string;
        tags: string[];
        created_by: string;
      }[];
      assert.ok(layers.length >= 2);
      const rows = history.text.split("\n").slice(2);
      rows.forEach((row, i) =>
        assert.ok(row.startsWith(`${layers[i].id} `), `${row} ≠ ${layers[i].id}`)
      );
      assert.match(layers[0].id, /^[0-9a-f]{12}$/, "the built image's own layer has an id");
      assert.ok(layers[0].tags.includes(TEST_APP_IMAGE), "newest layer first");
      assert.equal(history.structured.count, layers.length);
      for (const line of history.text.split("\n")) assert.ok(line.length < 260, line);

      for (const tool of ["docker_inspect_image", "docker_image_history"]) {
        const missing = await call(app, tool, { image: "berth-test/no-such-image:1" });
        assert.equal(errorCode(missing), "DKR-003", `${tool}: ${missing.text}`);
      }
    });

    await t.step("system: info, df, version, events", async () => {
      const info = await ok(app, "docker_system_info");
      assert.equal(
        info.structured.server_version,
        await docker("version", "-f", "{{.Server.Version}}"),
      );
      assert.equal(String(info.structured.cpus), await docker("info", "-f", "{{.NCPU}}"));
      assert.equal(info.structured.storage_driver, await docker("info", "-f", "{{.Driver}}"));
      assert.ok(Number(info.structured.containers_running) >= 6);
      assert.ok(Number(info.structured.containers_stopped) >= 1);

      const df = await ok(app, "docker_system_df");
      const rows = df.structured as Record<
        string,
        { count: number; active: number; size_mb: number }
      >;
      assert.ok(rows.images.count >= 2 && rows.images.active >= 1);
      assert.ok(rows.containers.count >= 7 && rows.containers.active >= 6);
      assert.ok(rows.volumes.count >= 1 && rows.volumes.active >= 1);
      assert.match(df.text, /^TYPE .*\nimages +\d+ +\d+ /);

      const version = await ok(app, "docker_version");
      assert.equal(version.structured.api_version_in_use, await app.engine.apiVersion());

      const events = await ok(hiding, "docker_events", {
        since: fx.since,
        filters: { type: ["container"], event: ["start", "die"], label: [`berth.test=${SUITE}`] },
      });
      const list = events.structured.events as {
        action: string;
        actor: string;
        exit_code?: number;
      }[];
      assert.ok(
        list.some((e) => e.action === "start" && e.actor === fx.running),
        "the start is seen",
      );
      assert.ok(
        list.some((e) => e.action === "die" && e.actor === fx.stopped && e.exit_code === 3),
      );
      assert.ok(!list.some((e) => e.actor === fx.hidden), "hidden containers' events are left out");
      assert.equal(events.structured.truncated, false);

      const capped = await ok(app, "docker_events", {
        since: "10m",
        filters: { label: [`berth.test=${SUITE}`] },
        limit: 2,
      });
      assert.equal(capped.structured.count, 2);
      assert.equal(capped.structured.truncated, true);

      const future = await call(app, "docker_events", { since: "2099-01-01T00:00:00Z" });
      assert.equal(errorCode(future), "DKR-004");
      assert.match(future.text, /'since'/);
      const badLimit = await call(app, "docker_events", { limit: 0 });
      assert.equal(errorCode(badLimit), "DKR-004");
      assert.match(badLimit.text, /'limit'/);
    });
  } finally {
    app.engine.close();
    await cleanup(SUITE);
  }
});
