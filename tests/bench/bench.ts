/**
 * berth's figures against the real engine, side by side with the raw socket
 * (keep-alive HTTP on the unix socket, same process, same run):
 *
 * - cold start of `deno run -P=berth src/main.ts serve` to the initialize answer
 * - tools/list size (o200k tokens) for the default and the full catalogue, and its latency
 * - docker_list_containers over 50 labelled containers: latency and size
 * - docker_inspect_container and docker_container_logs latency
 * - stats of every running container vs the same one-shot requests in parallel
 * - logs tail 100 from a container with 100,000 lines
 * - peak RSS of the server process
 * - pull and build with progress notifications on (tests/bench/images.ts)
 * - 50 concurrent HTTP sessions × 20 calls beside the same calls over stdio (tests/bench/http.ts)
 *
 * Each call is measured through the MCP client over stdio (what users see)
 * and in-process through the interpreter (so overhead is attributable).
 * Prints a table; asserts nothing.
 *
 *   deno run -A tests/bench/bench.ts [--iterations N]
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { App } from "../../src/app/mod.ts";
import { compareVersions, MAX_API_VERSION } from "../../src/engine/client.ts";
import { TEST_IMAGE } from "../helpers/mod.ts";
import { builtinApp, tokens } from "../tools/catalog.ts";
import { callTool, connect, type Session } from "../e2e/_mcp.ts";
import { benchImages } from "./images.ts";
import { httpLoad, type LoadFigures, stdioLoad } from "./http.ts";
import { engineIsolation } from "./engines.ts";

const SUITE = "bench";
const SOCKET = "/var/run/docker.sock";
const { values: flags } = parseArgs({
  args: Deno.args,
  options: { iterations: { type: "string", default: "60" } },
});
const ITERATIONS = Number(flags.iterations);
const RUN = `run-${Date.now().toString(36)}`;

// ---------------------------------------------------------------- raw engine

const http = Deno.createHttpClient({ proxy: { transport: "unix", path: SOCKET } });
let prefix = "";

/** One request on the raw socket; answers the body text. */
async function raw(method: string, path: string, body?: unknown): Promise<string> {
  const response = await fetch(`http://192.0.2.1${prefix}${path}`, {
    method,
    client: http,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text;
}

/** Runs `work` over `items` with at most `width` in flight. */
async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}

async function createContainer(name: string, cmd: string[], group: string): Promise<string> {
  const created = JSON.parse(
    await raw("POST", `/containers/create?name=${name}`, {
      Image: TEST_IMAGE,
      Cmd: cmd,
      Labels: { "berth.test": SUITE, "berth.bench": RUN, "berth.bench.group": group },
      // No network: nothing here needs one, and the default bridge is shared state.
      HostConfig: { NetworkMode: "none", LogConfig: { Type: "json-file", Config: {} } },
    }),
  );
  await raw("POST", `/containers/${created.Id}/start`);
  return name;
}

async function removeOurs(label: string): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const list = JSON.parse(await raw("GET", `/containers/json?all=1&filters=${filters}`));
  await pool(list as { Id: string }[], 8, (c) => raw("DELETE", `/containers/${c.Id}?force=1&v=1`));
}

// ---------------------------------------------------------------- measuring

interface Series {
  samples: number[];
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * Measures several ways of doing the same thing, interleaved so that engine
 * drift hits them alike; the first rounds warm up and are dropped.
 */
async function compare(
  ways: Record<string, () => Promise<unknown>>,
  iterations: number,
  warmup = 3,
): Promise<Record<string, Series>> {
  const out: Record<string, Series> = {};
  for (const name of Object.keys(ways)) out[name] = { samples: [] };
  for (let i = 0; i < iterations + warmup; i++) {
    for (const [name, work] of Object.entries(ways)) {
      const ms = await time(work);
      if (i >= warmup) out[name].samples.push(ms);
    }
  }
  return out;
}

/** Fails the bench loudly when a tool errs: figures of error paths mean nothing. */
async function ok(app: App, tool: string, args: Record<string, unknown>) {
  const result = await app.interpreter.call(tool, args);
  if (result.isError) throw new Error(`${tool}: ${result.text}`);
  return result;
}

async function okMcp(session: Session, tool: string, args: Record<string, unknown>) {
  const result = await callTool(session, tool, args);
  if (result.isError) throw new Error(`${tool}: ${result.content[0]?.text}`);
  return result;
}

// ---------------------------------------------------------------- report

const rows: string[][] = [];
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function latencyRow(label: string, s: Record<string, Series>, target: number): void {
  const p50 = (k: string) => percentile(s[k].samples, 50);
  const p95 = (k: string) => percentile(s[k].samples, 95);
  const ratio = (k: string) => (p50(k) / p50("raw")).toFixed(2);
  rows.push([
    label,
    `${fmt(p50("raw"))} / ${fmt(p95("raw"))}`,
    `${fmt(p50("interp"))} / ${fmt(p95("interp"))}`,
    `${fmt(p50("mcp"))} / ${fmt(p95("mcp"))}`,
    `${ratio("interp")}×`,
    `${ratio("mcp")}×`,
    `≤${target}×`,
    Number(ratio("mcp")) <= target ? "ok" : "OVER",
  ]);
}

function figureRow(
  label: string,
  raw: string,
  interp: string,
  mcp: string,
  target: string,
  met?: boolean,
): void {
  rows.push([
    label,
    raw,
    interp,
    mcp,
    "",
    "",
    target,
    met === undefined ? "" : met ? "ok" : "OVER",
  ]);
}

function printTable(): void {
  const header = [
    "measure",
    "raw p50/p95 ms",
    "interp p50/p95",
    "MCP p50/p95",
    "interp/raw",
    "MCP/raw",
    "target",
    "",
  ];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const r of rows) console.log(line(r));
}

function note(text: string): void {
  console.error(`bench: ${text}`);
}

// ---------------------------------------------------------------- the run

/** Runs one part of the bench; a failure becomes a row instead of ending the run. */
async function section(label: string, work: () => Promise<void>): Promise<void> {
  const start = performance.now();
  try {
    await work();
  } catch (error) {
    figureRow(
      label,
      `FAILED: ${String((error as Error)?.message ?? error).slice(0, 120)}`,
      "",
      "",
      "",
    );
  }
  note(`${label}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

async function coldStart(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const session = await connect();
    out.push(performance.now() - start);
    await session.close();
  }
  return out;
}

/** The tools/list answer of a server started with `args`: o200k tokens and entries. */
async function listToolsTokens(args: string[]): Promise<{ tokens: number; tools: number }> {
  const session = await connect(args);
  try {
    const result = await session.client.listTools();
    return { tokens: tokens(JSON.stringify(result)), tools: result.tools.length };
  } finally {
    await session.close();
  }
}

/**
 * tools/list latency over stdio: through the SDK client's listTools (what a
 * TypeScript client pays: parsing, and compiling validators for any
 * outputSchema), and as one JSON-RPC round trip the client does not parse
 * (what the server costs).
 */
async function listToolsLatency(args: string[]): Promise<{ sdk: number[]; wire: number[] }> {
  const session = await connect(args);
  const passThrough = { parse: (value: unknown) => value } as never;
  try {
    const series = await compare({
      sdk: () => session.client.listTools(),
      wire: () => session.client.request({ method: "tools/list", params: {} }, passThrough),
    }, ITERATIONS);
    return { sdk: series.sdk.samples, wire: series.wire.samples };
  } finally {
    await session.close();
  }
}

function vmHwmKb(pid: number | null): number | undefined {
  if (!pid) return undefined;
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** The dashboard's HTML resource as sent (raw) and as it would travel compressed. */
async function dashboardSize(): Promise<{ raw: number; gzipped: number }> {
  const { DASHBOARD_HTML } = await import("../../src/server/apps/dashboard/bundle.ts");
  const bytes = new TextEncoder().encode(DASHBOARD_HTML);
  const gzipped = await new Response(
    new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  return { raw: bytes.length, gzipped: gzipped.byteLength };
}

async function main(): Promise<void> {
  const started = performance.now();
  const ping = await fetch("http://192.0.2.1/_ping", { client: http });
  await ping.body?.cancel();
  const engineApi = ping.headers.get("api-version") ?? "1.41";
  // The same version berth negotiates: the engine's, capped at berth's newest.
  prefix = `/v${compareVersions(engineApi, MAX_API_VERSION) < 0 ? engineApi : MAX_API_VERSION}`;
  note(`engine API ${engineApi}, raw requests use ${prefix}; ${ITERATIONS} iterations per latency`);

  await removeOurs(`berth.test=${SUITE}`);

  // Cold start and catalogue sizes first, before the engine is loaded with containers.
  const cold = await coldStart(5);
  figureRow(
    "cold start → initialize (ms, p50/max of 5)",
    "",
    "",
    `${fmt(percentile(cold, 50))} / ${fmt(Math.max(...cold))}`,
    "",
  );
  const defaults = await listToolsTokens([]);
  const full = await listToolsTokens(["--allow", "all"]);
  const rich = await listToolsTokens(["--allow", "all", "--output-schemas"]);
  figureRow(
    `tools/list default (${defaults.tools} tools): o200k tokens`,
    "",
    "",
    `${defaults.tokens}`,
    "≤2650",
    defaults.tokens <= 2650,
  );
  figureRow(
    `tools/list full (${full.tools} tools): o200k tokens (per tool)`,
    "",
    "",
    `${full.tokens} (${Math.round(full.tokens / full.tools)})`,
    "≤8250",
    full.tokens <= 8250,
  );
  // Issue 13's catalogue: every toolset but swarm (51 tools), against its targets.
  const everyToolset = await builtinApp({ allow: "all" });
  everyToolset.engine.close();
  const core = everyToolset.toolsets.map((t) => t.name).filter((name) => name !== "swarm").join(
    ",",
  );
  const coreFull = await listToolsTokens(["--allow", "all", "--toolsets", core]);
  const coreRead = await listToolsTokens(["--toolsets", core]);
  figureRow(
    `  without swarm: full (${coreFull.tools}) / default (${coreRead.tools}) tokens`,
    "",
    "",
    `${coreFull.tokens} / ${coreRead.tokens}`,
    "≤6000 / ≤1800",
    coreFull.tokens <= 6000 && coreRead.tokens <= 1800,
  );
  figureRow(
    "  with --output-schemas (titles, outputSchema)",
    "",
    "",
    `${rich.tokens}`,
    "(info)",
  );
  for (
    const [label, args] of [["full", ["--allow", "all"]], ["--output-schemas", [
      "--allow",
      "all",
      "--output-schemas",
    ]]] as const
  ) {
    const latency = await listToolsLatency([...args]);
    const p = (s: number[]) => `${fmt(percentile(s, 50))} / ${fmt(percentile(s, 95))}`;
    figureRow(
      `tools/list ${label}: ms p50/p95, JSON-RPC round trip | SDK listTools`,
      "",
      p(latency.wire),
      p(latency.sdk),
      "1–3 ms",
      percentile(latency.sdk, 50) <= 3,
    );
  }

  const page = await dashboardSize();
  figureRow(
    "dashboard app page: bytes / gzipped",
    "",
    "",
    `${page.raw} / ${page.gzipped}`,
    "≤150 KB",
    page.raw <= 150 * 1024,
  );

  try {
    await measure();
  } finally {
    note("removing the bench containers");
    await removeOurs(`berth.bench=${RUN}`);
  }
  printTable();
  console.log(
    `\nraw = fetch on a keep-alive unix-socket client + JSON.parse, in this process; ` +
      `interp = Interpreter.call in this process; MCP = SDK client over stdio to ` +
      `\`deno run -P=berth src/main.ts serve\` (includes the client's outputSchema check). ` +
      `Ratios compare p50s. Took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  );
}

/** Creates the containers and measures the calls on them. */
async function measure(): Promise<void> {
  const setupStart = performance.now();
  note("creating 50 labelled containers and one with 100,000 log lines");
  const names = Array.from({ length: 50 }, (_, i) => `berth-bench-${RUN}-${i}`);
  await pool(names, 8, (n) => createContainer(n, ["sleep", "3600"], "list"));
  const chatty = await createContainer(
    `berth-bench-${RUN}-logs`,
    ["sh", "-c", "seq 1 100000; sleep 3600"],
    "logs",
  );
  for (let i = 0; i < 100; i++) {
    const tail = await raw("GET", `/containers/${chatty}/logs?stdout=1&tail=1`);
    if (tail.includes("100000")) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  note(`containers ready in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

  const app = await builtinApp({});
  const session = await connect();
  const has = (tool: string) => app.interpreter.has(tool);
  const missing = (tool: string) => figureRow(tool, "n/a: tool missing", "", "", "");
  try {
    await session.client.listTools(); // the SDK validates outputs only for listed tools
    const target = names[0];

    await section("docker_list_containers", async () => {
      const filters = { label: [`berth.bench=${RUN}`, "berth.bench.group=list"] };
      const query = `/containers/json?filters=${encodeURIComponent(JSON.stringify(filters))}`;
      const list = await compare({
        raw: async () => JSON.parse(await raw("GET", query)),
        interp: () => ok(app, "docker_list_containers", { filters }),
        mcp: () => okMcp(session, "docker_list_containers", { filters }),
      }, ITERATIONS);
      latencyRow("docker_list_containers (50)", list, 1.3);
      const rawList = await raw("GET", query);
      const listed = await okMcp(session, "docker_list_containers", { filters });
      const text = listed.content[0].text ?? "";
      const structured = JSON.stringify(listed.structuredContent);
      figureRow(
        "  list size: tokens raw JSON / text / structured",
        `${tokens(rawList)}`,
        "",
        `${tokens(text)} / ${tokens(structured)}`,
        "text ≤2000",
        tokens(text) <= 2000,
      );
    });

    await section("docker_inspect_container", async () => {
      if (!has("docker_inspect_container")) return missing("docker_inspect_container");
      const inspect = await compare({
        raw: async () => JSON.parse(await raw("GET", `/containers/${target}/json`)),
        interp: () => ok(app, "docker_inspect_container", { container_id: target }),
        mcp: () => okMcp(session, "docker_inspect_container", { container_id: target }),
      }, ITERATIONS);
      latencyRow("docker_inspect_container", inspect, 1.3);
    });

    const logsOf = async (container: string, label: string) => {
      if (!has("docker_container_logs")) return missing("docker_container_logs");
      const args = { container_id: container, tail: 100 };
      const series = await compare({
        raw: () => raw("GET", `/containers/${container}/logs?stdout=1&stderr=1&tail=100`),
        interp: () => ok(app, "docker_container_logs", args),
        mcp: () => okMcp(session, "docker_container_logs", args),
      }, ITERATIONS);
      latencyRow(label, series, 1.3);
    };
    await section(
      "docker_container_logs",
      () => logsOf(target, "docker_container_logs (few lines)"),
    );
    await section("logs tail 100 of 100,000", async () => {
      await logsOf(chatty, "logs tail 100 of 100,000 lines");
      if (!has("docker_container_logs")) return;
      const rawTail = await raw("GET", `/containers/${chatty}/logs?stdout=1&stderr=1&tail=100`);
      const tail = await okMcp(session, "docker_container_logs", {
        container_id: chatty,
        tail: 100,
      });
      figureRow(
        "  tail 100 size: tokens raw / text",
        `${tokens(rawTail)}`,
        "",
        `${tokens(tail.content[0].text ?? "")}`,
        "",
      );
    });

    await section("stats", async () => {
      if (!has("docker_container_stats")) return missing("docker_container_stats");
      // Stop 30 of the 50 so that 20 of ours run (plus whatever else runs on this engine).
      await pool(names.slice(20), 10, async (n) => {
        await raw("POST", `/containers/${n}/kill`);
        await raw("POST", `/containers/${n}/wait?condition=not-running`);
      });
      const rawStats = async () => {
        const running = JSON.parse(await raw("GET", "/containers/json")) as { Id: string }[];
        return await Promise.all(
          running.map((c) => raw("GET", `/containers/${c.Id}/stats?stream=false&one-shot=true`)),
        );
      };
      const running = (JSON.parse(await raw("GET", "/containers/json")) as unknown[]).length;
      const args = { cpu_sample_ms: 0 };
      const stats = await compare(
        {
          raw: rawStats,
          interp: () => ok(app, "docker_container_stats", args),
          mcp: () => okMcp(session, "docker_container_stats", args),
        },
        // Each round waits for the engine's 1 s stats tick: few rounds suffice.
        Math.max(3, Math.floor(ITERATIONS / 12)),
        1,
      );
      // berth lets 16 engine requests wait at once (src/guard/limiter.ts): past 16
      // running containers a sample waits for the next 1 s tick, the raw run does not.
      latencyRow(`stats, all running (${running}; cpu_sample_ms 0; 16 in flight)`, stats, 1.1);
      const sampled = await compare(
        {
          raw: rawStats,
          interp: () => ok(app, "docker_container_stats", {}),
          mcp: () => okMcp(session, "docker_container_stats", {}),
        },
        1,
        0,
      );
      const p = (k: string) => fmt(percentile(sampled[k].samples, 50));
      figureRow(
        "  stats with the default CPU sample (1 run)",
        p("raw"),
        p("interp"),
        p("mcp"),
        "(info)",
      );
    });

    await section("images", async () => {
      if (!has("docker_pull_image")) return missing("docker_pull_image");
      await benchImages({ row: figureRow, note });
    });

    await section("engine isolation", async () => {
      const { alone, beside } = await engineIsolation();
      const p = (s: number[]) => `${fmt(percentile(s, 50))} / ${fmt(percentile(s, 95))}`;
      figureRow(
        "docker_list_containers ms p50/p95: alone | another engine hung (20 calls)",
        "",
        p(alone),
        p(beside),
        "p50 ≤ alone×1.5",
        percentile(beside, 50) <= percentile(alone, 50) * 1.5,
      );
    });

    await section("http load", async () => {
      const show = (f: LoadFigures) =>
        `${fmt(percentile(f.samples, 50))} / ${fmt(percentile(f.samples, 95))} ` +
        `(${f.errors} errors, ${(f.wallMs / 1000).toFixed(1)} s)`;
      const overHttp = await httpLoad();
      figureRow(
        "HTTP: 50 sessions × 20 docker_list_containers (token auth)",
        "",
        "",
        show(overHttp),
        "0 errors",
        overHttp.errors === 0,
      );
      const overStdio = await stdioLoad();
      figureRow(
        "  stdio: the same 1,000 calls, 50 in flight on one connection",
        "",
        "",
        show(overStdio),
        "0 errors",
        overStdio.errors === 0,
      );
    });

    const hwm = vmHwmKb(session.pid);
    figureRow(
      "server peak RSS (VmHWM)",
      "",
      "",
      hwm === undefined ? "n/a" : `${(hwm / 1024).toFixed(1)} MB`,
      "",
    );
  } finally {
    await session.close();
    app.engine.close();
  }
}

if (import.meta.main) {
  try {
    await main();
  } finally {
    http.close();
  }
}
