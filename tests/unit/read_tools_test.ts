/**
 * The pure parts of the read-only tools: redaction, the docker CLI's stats
 * arithmetic, the bounded log window, disk usage sums, and the size of the
 * container list's text.
 */

import { requestOf } from "../../src/engine/client.ts";
import type { AnyOperation } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import { parseFile } from "../../src/manifest/loader.ts";
import { toolFileSchema } from "../../src/manifest/schema.ts";
import type { ManifestProblem } from "../../src/manifest/loader.ts";
import type { OutputSpec } from "../../src/manifest/types.ts";
import { shapeDeclarative } from "../../src/interpreter/shape.ts";
import { isSecretKey, REDACTED, redactEnv, redactEnvObject } from "../../src/policy/redact.ts";
import {
  blockIoBytes,
  cpuPercent,
  cpuPercentSinceStart,
  memoryUsage,
  notRunningRow,
  type StatsRow,
  statsRow,
  statsTable,
} from "../../src/docker/stats.ts";
import { containerStats } from "../../src/tools/containers/container_stats.ts";
import type { HandlerContext } from "../../src/interpreter/contract.ts";
import { LogWindow, utf8Length } from "../../src/docker/log_window.ts";
import {
  compilePattern,
  inThreadFilter,
  loadPatternEngine,
  openLineFilter,
  patternProblem,
} from "../../src/guard/pattern.ts";
import { diskUsage } from "../../src/tools/system/system_df.ts";
import {
  describeContainer,
  redactInspect,
  selectSection,
} from "../../src/tools/containers/inspect_container.ts";
import { BerthError } from "../../src/errors/mod.ts";

const encoder = new TextEncoder();

// re2js loads on first use; the interpreter loads it before a pattern's validation.
await loadPatternEngine();

Deno.test("redactEnv hides values of secret-looking keys, any case", () => {
  const env = [
    "DB_PASSWORD=hunter2",
    "api_token=abc",
    "AWS_SECRET_ACCESS_KEY=x",
    "GITHUB_AUTH=y",
    "MyCredentials=z",
    "PATH=/bin",
    "EMPTY=",
    "NOVALUE",
  ];
  assert.deepEqual(redactEnv(env), [
    `DB_PASSWORD=${REDACTED}`,
    `api_token=${REDACTED}`,
    `AWS_SECRET_ACCESS_KEY=${REDACTED}`,
    `GITHUB_AUTH=${REDACTED}`,
    `MyCredentials=${REDACTED}`,
    "PATH=/bin",
    "EMPTY=",
    "NOVALUE",
  ]);
  assert.equal(redactEnv(null), null);
  assert.deepEqual(redactEnvObject({ Password: "p", keyring: "k", HOME: "/root" }), {
    Password: REDACTED,
    keyring: REDACTED,
    HOME: "/root",
  });
  assert.ok(isSecretKey("monkey"), "KEY anywhere in the name counts, as documented");
});

Deno.test("inspect redaction and sections leave the engine answer untouched", () => {
  const info = {
    Id: "abc",
    Name: "/x",
    Config: { Env: ["TOKEN=t", "A=b"] },
    State: { Status: "running" },
  };
  const redacted = redactInspect(info);
  assert.deepEqual((redacted.Config as { Env: string[] }).Env, [`TOKEN=${REDACTED}`, "A=b"]);
  assert.deepEqual(info.Config.Env, ["TOKEN=t", "A=b"], "the input is not mutated");
  assert.deepEqual(Object.keys(selectSection(redacted, "state")), ["Id", "Name", "State"]);
  assert.equal(selectSection(redacted, "all"), redacted);
});

Deno.test("inspect text: ports appear once, the live ones while running", () => {
  const configured = { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] };
  const info = {
    Id: "abc",
    Name: "/web",
    State: { Status: "running" },
    Config: {},
    HostConfig: { PortBindings: configured },
    NetworkSettings: { Ports: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "49153" }] } },
  };
  const all = describeContainer(info, "all");
  assert.equal(all.match(/80\/tcp/g)?.length, 1, all);
  assert.match(all, /published: 127\.0\.0\.1:49153->80\/tcp/);
  assert.match(describeContainer(info, "config"), /ports: 127\.0\.0\.1:->80\/tcp/);
  // Stopped: no live ports, so the configured ones are shown.
  const stopped = { ...info, State: { Status: "exited" }, NetworkSettings: { Ports: {} } };
  assert.match(describeContainer(stopped, "all"), /ports: 127\.0\.0\.1:->80\/tcp/);
});

Deno.test("stats: CPU % and memory as the docker CLI computes them", () => {
  const previous = { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 100_000_000_000 };
  const current = {
    cpu_usage: { total_usage: 2_000_000_000 },
    system_cpu_usage: 102_000_000_000,
    online_cpus: 2,
  };
  // 1 s of CPU in 2 s of host time over 2 CPUs = one full core = 100%.
  assert.equal(cpuPercent(current, previous), 100);
  assert.equal(cpuPercent(current, {}), (2e9 / 102e9) * 2 * 100);
  assert.equal(cpuPercent(previous, previous), 0);
  // Percpu length stands in for online_cpus on old engines.
  assert.equal(
    cpuPercent({
      ...current,
      online_cpus: 0,
      cpu_usage: { total_usage: 2e9, percpu_usage: [1, 1, 1, 1] },
    }, previous),
    200,
  );
  // 5 s of CPU over 10 s of wall time: half a core.
  assert.equal(
    cpuPercentSinceStart(
      { cpu_usage: { total_usage: 5e9 } },
      "2024-01-01T00:00:00Z",
      "2024-01-01T00:00:10Z",
    ),
    50,
  );
  assert.equal(
    cpuPercentSinceStart({ cpu_usage: { total_usage: 5e9 } }, "0001-01-01T00:00:00Z", undefined) >
      0,
    true,
  );

  // cgroup v1: total_inactive_file; v2: inactive_file.
  assert.equal(
    memoryUsage({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } }),
    700,
  );
  assert.equal(memoryUsage({ usage: 1000, stats: { inactive_file: 100 } }), 900);
  assert.equal(memoryUsage({ usage: 1000, stats: { inactive_file: 5000 } }), 1000);
  assert.equal(memoryUsage(undefined), 0);
  assert.deepEqual(
    blockIoBytes({
      io_service_bytes_recursive: [{ op: "Read", value: 5 }, { op: "write", value: 7 }, {
        op: "Total",
        value: 12,
      }],
    }),
    { read: 5, write: 7 },
  );

  const row = statsRow(
    {
      memory_stats: {
        usage: 34 * 1024 * 1024,
        limit: 64 * 1024 * 1024,
        stats: { total_inactive_file: 2 * 1024 * 1024 },
      },
      networks: {
        eth0: { rx_bytes: 1024 * 1024, tx_bytes: 512 * 1024 },
        eth1: { rx_bytes: 1024 * 1024 },
      },
      pids_stats: { current: 3 },
    },
    12.3456,
    { id: "id", name: "web", status: "running", memoryLimited: true },
  );
  assert.deepEqual(row, {
    container_id: "id",
    name: "web",
    status: "running",
    running: true,
    cpu_percent: 12.35,
    memory_usage_mb: 32,
    memory_limit_mb: 64,
    memory_limited: true,
    memory_percent: 50,
    network_rx_mb: 2,
    network_tx_mb: 0.5,
    block_io_read_mb: 0,
    block_io_write_mb: 0,
    pids: 3,
  });
});

Deno.test("stats: a stopped container has no figures, only its configured limit", () => {
  const identity = { id: "id", name: "db", status: "exited" };
  const limited = notRunningRow(identity, 32 * 1024 * 1024);
  assert.equal(limited.running, false);
  assert.equal(limited.memory_limit_mb, 32);
  for (
    const key of [
      "cpu_percent",
      "memory_usage_mb",
      "memory_percent",
      "network_rx_mb",
      "network_tx_mb",
      "block_io_read_mb",
      "block_io_write_mb",
      "pids",
    ] as const
  ) {
    assert.equal(limited[key], null, key);
  }
  assert.equal(statsTable([limited]), "db not running (status exited); memory limit: 32 MiB");
  const unlimited = notRunningRow(identity, 0);
  assert.equal(unlimited.memory_limit_mb, null);
  assert.equal(unlimited.memory_limited, false);
  assert.equal(statsTable([unlimited]), "db not running (status exited); memory limit: none");
});

Deno.test("stats: the host's memory shown as a limit is marked, paused containers say so", () => {
  const sample = { memory_stats: { usage: 1024 * 1024, limit: 8 * 1024 * 1024 * 1024 } };
  const host = statsRow(sample, 0, {
    id: "a",
    name: "web",
    status: "paused",
    memoryLimited: false,
  });
  const text = statsTable([host]);
  assert.match(text, /^NAME /);
  assert.match(text, /\nweb +0\.00% +1\/8192\* .* \(paused: CPU 0\)\n/);
  assert.match(text, /\n\* no memory limit: the limit shown is the host's memory$/);
  const own = statsRow(sample, 0, { id: "b", name: "api", status: "running", memoryLimited: true });
  assert.doesNotMatch(statsTable([own]), /\*/);
});

Deno.test("stats: running containers form an aligned table, stopped ones a line each after it", () => {
  const sample = { memory_stats: { usage: 1024 * 1024, limit: 64 * 1024 * 1024 } };
  const row = (name: string) =>
    statsRow(sample, 0, { id: name, name, status: "running", memoryLimited: true });
  const stopped = notRunningRow(
    { id: "c", name: "old", status: "exited" },
    0,
  );
  const lines = statsTable([row("a-much-longer-name"), stopped, row("db")]).split("\n");
  assert.equal(lines.length, 4);
  const cpu = lines.slice(0, 3).map((line) => line.search(/CPU%|\d+\.\d\d%/));
  assert.ok(cpu.every((at) => at === cpu[0] && at > "a-much-longer-name".length), lines.join("\n"));
  assert.equal(lines[3], "old not running (status exited); memory limit: none");
});

Deno.test("stats of all containers: a listed restarting one is not limited, running ones by their sample", async () => {
  const GiB = 1024 * 1024 * 1024;
  const listed = [
    { Id: "r1", Names: ["/looping"], State: "restarting" },
    { Id: "u1", Names: ["/free"], State: "running" },
    { Id: "l1", Names: ["/capped"], State: "running" },
  ];
  // Without a limit of its own, a container's sample shows the host's memory.
  const limits: Record<string, number> = { u1: 8 * GiB, l1: 64 * 1024 * 1024 };
  const engine = {
    json: (op: AnyOperation) => {
      const { path } = requestOf(op);
      if (path === "/containers/json") return Promise.resolve(listed);
      if (path === "/info") return Promise.resolve({ MemTotal: 8 * GiB });
      const id = path.split("/")[2];
      if (path.endsWith("/stats") && id in limits) {
        return Promise.resolve({ memory_stats: { usage: 1024 * 1024, limit: limits[id] } });
      }
      return Promise.reject(new Error(`unexpected ${path}`));
    },
  };
  const ctx = {
    args: { cpu_sample_ms: 1 },
    engine,
    policy: { containerVisible: () => true },
    signal: new AbortController().signal,
  } as unknown as HandlerContext;
  const rows = (await containerStats(ctx)).structured.stats as StatsRow[];
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.equal(byName.looping.running, false);
  assert.equal(byName.looping.memory_limit_mb, null);
  assert.equal(byName.looping.memory_limited, false);
  assert.equal(byName.free.memory_limited, false);
  assert.equal(byName.free.memory_limit_mb, 8192);
  assert.equal(byName.capped.memory_limited, true);
  assert.equal(byName.capped.memory_limit_mb, 64);
});

function chunk(stream: "stdout" | "stderr", text: string) {
  return { stream, data: encoder.encode(text) };
}

Deno.test("log window: splits per stream, keeps the newest lines, cuts long ones", () => {
  const window = new LogWindow({ maxBytes: 1000, maxLines: 3, maxLineLength: 50 });
  window.push(chunk("stdout", "one\ntw"));
  window.push(chunk("stderr", "err\r\n"));
  window.push(chunk("stdout", "o\nthree\nfour"));
  const result = window.finish();
  assert.deepEqual(result.lines, ["two", "three", "four"]);
  assert.equal(result.matched, 5);
  assert.equal(result.truncated, true);

  const long = new LogWindow({ maxBytes: 1000, maxLines: 10, maxLineLength: 5 });
  long.push(chunk("stdout", "abcdefghij\nok\n"));
  const cut = long.finish();
  assert.deepEqual(cut.lines, ["abcde… [line cut]", "ok"]);
  assert.equal(cut.truncated, true);
});

Deno.test("log window: keeps the engine's order across streams; counts UTF-8 bytes", () => {
  const window = new LogWindow({ maxBytes: 1000, maxLines: 10, maxLineLength: 50 });
  for (
    const [stream, text] of [["stdout", "a1\n"], ["stdout", "a2\n"], ["stderr", "e1\n"], [
      "stdout",
      "a3\n",
    ]]
  ) {
    window.push(chunk(stream as "stdout" | "stderr", text));
  }
  assert.deepEqual(window.finish().lines, ["a1", "a2", "e1", "a3"]);
  for (const text of ["abc", "é", "€", "😀", "a😀é\u0000"]) {
    assert.equal(utf8Length(text), encoder.encode(text).length, text);
  }
  // A multi-byte character split across two frames is decoded whole.
  const split = new LogWindow({ maxBytes: 1000, maxLines: 10, maxLineLength: 50 });
  const euro = encoder.encode("€\n");
  split.push({ stream: "stdout", data: euro.subarray(0, 1) });
  split.push({ stream: "stdout", data: euro.subarray(1) });
  assert.deepEqual(split.finish().lines, ["€"]);
});

Deno.test("log window: 100,000 lines stay within the byte budget (memory bounded)", () => {
  const window = new LogWindow({ maxBytes: 60 * 1024, maxLines: 5000, maxLineLength: 8192 });
  for (let start = 0; start < 100_000; start += 1000) {
    let text = "";
    for (let i = start; i < start + 1000; i++) {
      text += `line ${i} with some padding to be realistic\n`;
    }
    window.push(chunk("stdout", text));
  }
  const result = window.finish();
  const bytes = result.lines.reduce((n, l) => n + l.length + 1, 0);
  assert.ok(bytes <= 60 * 1024, `${bytes} bytes kept`);
  assert.equal(result.lines.at(-1), "line 99999 with some padding to be realistic");
  assert.equal(result.matched, 100_000);
  assert.equal(result.truncated, true);
});

Deno.test("log window: grep ignores the timestamp prefix", async () => {
  const grep = openLineFilter(compilePattern("grep", "^ERROR"));
  const window = new LogWindow({
    maxBytes: 1000,
    maxLines: 10,
    maxLineLength: 100,
    grep,
    timestamps: true,
  });
  window.push(
    chunk("stdout", "2024-05-01T10:00:00.123456789Z ERROR boom\n2024-05-01T10:00:01Z INFO ok\n"),
  );
  window.end();
  assert.throws(() => window.finish(), /before drain/);
  await window.drain();
  grep.close();
  assert.deepEqual(window.finish().lines, ["2024-05-01T10:00:00.123456789Z ERROR boom"]);
});

Deno.test("grep: catastrophic shapes match in linear time with the right answer", () => {
  // Each of these backtracks for minutes in JavaScript's RegExp on this text.
  const text = `${"a".repeat(44)}!`;
  for (const shape of ["((a+))+$", "(a|a)+$", "(a|aa)*b", "(a*)*b", "(\\w*)*x", "(x|y+){2,}z"]) {
    assert.equal(compilePattern("grep", shape).test(text), false, shape);
  }
  assert.equal(compilePattern("grep", "(.*a){20}").test(text), true);
  assert.equal(compilePattern("grep", "(.*a){20}").test("a".repeat(19)), false);
  assert.ok(compilePattern("grep", "error|warn").test("a warning"));
  assert.ok(compilePattern("grep", "(?i:ERROR)").test("error"));
});

Deno.test("grep: a pattern too large to match quickly is refused, naming the field", () => {
  assert.throws(() => compilePattern("grep", "(.*a){1000}"), (e: unknown) => {
    assert.ok(e instanceof BerthError);
    assert.equal(e.code, "DKR-004");
    assert.match(e.message, /^Parameter 'grep' is too complex: it compiles to \d+ steps, at most /);
    return true;
  });
  assert.match(patternProblem("x".repeat(1001)) ?? "", /at most 1000 characters/);
});

Deno.test("grep: a leading (?i) ignores case; an invalid pattern gets RE2's reason", () => {
  const grep = compilePattern("grep", "(?i)LINE 5");
  assert.ok(grep.test("line 5 of 9"));
  assert.equal(grep.source, "(?i)LINE 5");
  assert.ok(!compilePattern("grep", "LINE 5").test("line 5"));
  for (
    const [bad, reason] of [["(?i", "invalid or unsupported Perl syntax"], [
      "(?<=x)a",
      "invalid named capture",
    ], [
      "(a)\\1",
      "invalid escape sequence",
    ]]
  ) {
    assert.throws(() => compilePattern("grep", bad), (e: unknown) => {
      assert.ok(e instanceof BerthError);
      assert.equal(e.code, "DKR-004");
      assert.match(e.message, /^Parameter 'grep' is not a valid regular expression: /);
      assert.ok(e.message.includes(reason), e.message);
      assert.ok(!e.message.includes("error parsing regexp"), "RE2's prefix is left out");
      return true;
    });
  }
});

Deno.test("pattern filter: a worker matches while this thread runs; abort ends it", async () => {
  // A pattern that defeats RE2's DFA: a few hundred ms per 8 KiB line of a/b.
  const hard = compilePattern("grep", "(a|b)*a(a|b){60}$");
  let seed = 7;
  const line = () =>
    Array.from(
      { length: 8192 },
      () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0x10000 ? "a" : "b",
    )
      .join("");
  const lines = Array.from({ length: 20 }, line);
  const controller = new AbortController();
  const filter = openLineFilter(hard, controller.signal);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const pending = filter.test(lines);
  await new Promise((r) => setTimeout(r, 300));
  const seen = ticks;
  controller.abort(new Error("deadline"));
  await assert.rejects(pending, /deadline/);
  clearInterval(timer);
  assert.ok(seen > 30, `the timer ran ${seen} times in 300 ms while the worker matched`);
  await assert.rejects(filter.test(["a"]), /deadline/);
  filter.close();

  const easy = openLineFilter(compilePattern("grep", "^(a+)+!$"));
  assert.deepEqual(await easy.test([`${"a".repeat(44)}!`, `${"a".repeat(44)}`]), [true, false]);
  easy.close();
  // Fault injection: a worker module that cannot load falls back to this thread.
  const broken = openLineFilter(
    compilePattern("grep", "^a+$"),
    undefined,
    "data:text/javascript,throw new Error('no worker here')",
  );
  assert.deepEqual(await broken.test(["aaa", "ab"]), [true, false]);
  assert.deepEqual(await broken.test(["b"]), [false]);
  broken.close();
  const local = inThreadFilter(compilePattern("grep", "(?i)b"));
  assert.deepEqual(await local.test(["A", "b", "B"]), [false, true, true]);
});

Deno.test("system df: sums like docker system df", () => {
  const MB = 1024 * 1024;
  const rows = diskUsage({
    LayersSize: 100 * MB,
    Images: [
      { Containers: 1, Size: 60 * MB, SharedSize: 10 * MB },
      { Containers: 0, Size: 50 * MB, SharedSize: 10 * MB },
    ],
    Containers: [{ State: "running", SizeRw: 2 * MB }, { State: "exited", SizeRw: 3 * MB }],
    Volumes: [{ UsageData: { Size: 4 * MB, RefCount: 1 } }, {
      UsageData: { Size: 6 * MB, RefCount: 0 },
    }, {
      UsageData: { Size: -1, RefCount: 0 },
    }],
    BuildCache: [{ Size: 8 * MB, InUse: true }, { Size: 1 * MB }, { Size: 5 * MB, Shared: true }],
  });
  assert.deepEqual(rows, {
    images: { count: 2, active: 1, size_mb: 100, reclaimable_mb: 50 },
    containers: { count: 2, active: 1, size_mb: 5, reclaimable_mb: 3 },
    volumes: { count: 3, active: 1, size_mb: 10, reclaimable_mb: 6 },
    build_cache: { count: 3, active: 1, size_mb: 9, reclaimable_mb: 1 },
  });
});

Deno.test("docker_list_containers: 50 containers cost under 2,000 tokens of text", async () => {
  const problems: ManifestProblem[] = [];
  const path =
    new URL("../../manifest/containers/docker_list_containers.yaml", import.meta.url).pathname;
  const spec = await parseFile(path, toolFileSchema, problems);
  assert.deepEqual(problems, []);
  const items = Array.from({ length: 50 }, (_, i) => ({
    Id: `${i.toString(16).padStart(4, "0")}${"ab12".repeat(15)}`,
    Names: [`/myproject-backend-service-${i}`],
    Image: "registry.example.com/team/backend:1.27.3",
    State: "running",
    Status: "Up 3 hours (healthy)",
    Ports: [
      { IP: "0.0.0.0", PrivatePort: 8080, PublicPort: 18000 + i, Type: "tcp" },
      { IP: "::", PrivatePort: 8080, PublicPort: 18000 + i, Type: "tcp" },
    ],
    Labels: {
      "com.docker.compose.project": "myproject",
      "com.docker.compose.service": "backend",
      "com.docker.compose.config-hash": "f".repeat(64),
    },
  }));
  const shaped = shapeDeclarative(spec!.output as OutputSpec, items);
  const tokens = shaped.text.length / 4;
  console.log(
    `docker_list_containers text for 50 containers: ${shaped.text.length} bytes ≈ ${tokens} tokens`,
  );
  assert.ok(tokens < 2000, `${tokens} tokens`);
  assert.equal(shaped.structured.count, 50);
});

Deno.test("stats stream: a container named like a secret keeps its figures through redaction", async () => {
  const { summaryText } = await import("../../src/tools/containers/_stats_stream.ts");
  const { redactText } = await import("../../src/policy/redact.ts");
  const spread = { min: 1, avg: 2, max: 3 };
  const text = redactText(summaryText([{
    container_id: "a".repeat(64),
    name: "app-secret",
    samples: 2,
    cpu_percent: spread,
    memory_usage_mb: spread,
    pids: spread,
  }], 2));
  assert.match(text, /app-secret — CPU 1\/2\/3%, memory 1\/2\/3 MiB, PIDs 1\/2\/3 \(2 samples\)/);
});
