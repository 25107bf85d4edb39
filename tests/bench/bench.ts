/**
 * berth's figures against the real engine, in one run, each beside its floor
 * and its target (the table of issue 13; docs/performance.md says why the
 * code is the way it is):
 *
 * - cold start to the initialize answer, and to the first tools/list, against
 *   a thin MCP server on the same Deno (tests/bench/thin_server.ts, SDK 1.x;
 *   thin_server_sdk2.ts on berth's SDK 2.x), and berth run from a checkout
 * - tools/list: tokens (o200k) of the full catalogue and the default read
 *   set, latency against the thin server's
 * - docker_list_containers over 50 containers, docker_inspect_container,
 *   docker_container_logs tail 100 of 100,000 lines (and the server's CPU per
 *   call): against the same request on the raw socket
 * - docker_container_stats: a first look against the engine's two-sample
 *   floor (`stream=false`, as `docker stats --no-stream` asks), a repeated
 *   look, three looks in a row, and all running containers (50+) against the
 *   same one-shot requests in parallel on the raw socket
 * - memory: the server's RSS after initialize, its peak over the whole bench,
 *   and its RSS across 10,000 calls
 * - pull and build with progress notifications on (tests/bench/images.ts)
 * - 50 concurrent HTTP sessions × 20 calls beside the same calls over stdio (tests/bench/http.ts)
 * - engine isolation: calls to one engine while another hangs (tests/bench/engines.ts)
 *
 * Raw = fetch on a keep-alive unix-socket client in this process. Calls are
 * measured through the MCP client over stdio (what users see) and in-process
 * through the interpreter (so overhead is attributable). Bounded for 2 cores:
 * one server at a time, calls in sequence (the 10,000 calls four at a time).
 * Prints a table; asserts nothing.
 *
 *   deno run -A tests/bench/bench.ts [--iterations N] [--calls N] [--only per-call]
 *
 * `--only per-call` measures list, inspect and logs alone (a minute instead
 * of the whole run, for work on the per-call overhead).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { V8_FLAGS } from "../../src/setup/ways.ts";
import type { App } from "../../src/app/mod.ts";
import { compareVersions, MAX_API_VERSION } from "../../src/engine/client.ts";
import { TEST_IMAGE } from "../helpers/mod.ts";
import { builtinApp, tokens } from "../tools/catalog.ts";
import { callTool, connect, type Session, spawnClient } from "../e2e/_mcp.ts";
import { benchImages } from "./images.ts";
import { httpLoad, type LoadFigures, stdioLoad } from "./http.ts";
import { engineIsolation } from "./engines.ts";

const SUITE = "bench";
const SOCKET = "/var/run/docker.sock";
const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    iterations: { type: "string", default: "60" },
    calls: { type: "string", default: "10000" },
    only: { type: "string" },
  },
});
const ITERATIONS = Number(flags.iterations);
const CALLS = Number(flags.calls);
if (flags.only !== undefined && flags.only !== "per-call") {
  throw new Error(`--only takes per-call, not '${flags.only}'`);
}
const PER_CALL_ONLY = flags.only === "per-call";
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

async function removeOurs(label: string, olderThanS = 0): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const list = JSON.parse(await raw("GET", `/containers/json?all=1&filters=${filters}`)) as {
    Id: string;
    Created: number;
  }[];
  const before = Date.now() / 1000 - olderThanS;
  const old = list.filter((c) => c.Created <= before);
  await pool(old, 8, (c) => raw("DELETE", `/containers/${c.Id}?force=1&v=1`));
}

/** Bench containers older than this are a crashed run's leftovers; younger ones may be another run's. */
const STALE_S = 3600;

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
const p50 = (xs: number[]) => percentile(xs, 50);

/** A latency row: p50/p95 of raw, interpreter and MCP; the MCP ratio against its target. */
function latencyRow(label: string, s: Record<string, Series>, target: number): void {
  const at = (k: string, p: number) => percentile(s[k].samples, p);
  const ratio = (k: string) => at(k, 50) / at("raw", 50);
  rows.push([
    label,
    `${fmt(at("raw", 50))} / ${fmt(at("raw", 95))}`,
    s.interp ? `${fmt(at("interp", 50))} / ${fmt(at("interp", 95))}` : "",
    `${fmt(at("mcp", 50))} / ${fmt(at("mcp", 95))}`,
    s.interp ? `${ratio("interp").toFixed(2)}×` : "",
    `${ratio("mcp").toFixed(2)}×`,
    `≤${target}×`,
    ratio("mcp") <= target ? "ok" : "OVER",
  ]);
  if (!s.thin) return;
  // The thin server sending the same request: what stdio and the SDK cost, with no berth in it.
  rows.push([
    "  thin server, same request",
    "",
    "",
    `${fmt(at("thin", 50))} / ${fmt(at("thin", 95))}`,
    "",
    `${ratio("thin").toFixed(2)}×`,
    "(info)",
    "",
  ]);
}

/** A row of figures: the floor, berth's figure (interp, MCP), its target and whether it is met. */
function figureRow(
  label: string,
  raw: string,
  interp: string,
  mcp: string,
  target: string,
  met?: boolean,
  ratio = "",
): void {
  rows.push([
    label,
    raw,
    interp,
    mcp,
    "",
    ratio,
    target,
    met === undefined ? "" : met ? "ok" : "OVER",
  ]);
}

function printTable(): void {
  const header = [
    "measure",
    "floor (raw/thin)",
    "interp",
    "berth (MCP)",
    "interp/raw",
    "MCP/floor",
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

// ---------------------------------------------------------------- servers

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

/** The thin MCP server of tests/bench/thin_server.ts, connected like berth. */
async function connectThin(file = "tests/bench/thin_server.ts"): Promise<Session> {
  return await spawnClient(Deno.execPath(), ["run", "-A", file], {
    name: "berth-bench",
  });
}

/** A /proc/<pid>/status figure in MiB (VmRSS now, VmHWM the peak). */
function procMib(pid: number | null, field: "VmRSS" | "VmHWM"): number {
  if (!pid) return NaN;
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU time (user + system) a process has used, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number | null): number {
  if (!pid) return NaN;
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const mib = (n: number) => `${n.toFixed(1)} MiB`;

/**
 * Cold start: spawn to the initialize answer, then to the first tools/list
 * answer, for berth and the thin server alternately; RSS right after
 * initialize.
 */
async function coldStarts(runs: number): Promise<void> {
  const ways = {
    berth: () => connect(),
    thin: connectThin,
    thinSdk2: () => connectThin("tests/bench/thin_server_sdk2.ts"),
    checkout: () =>
      spawnClient(Deno.execPath(), ["run", "-P=berth", V8_FLAGS, "src/main.ts", "serve"], {
        name: "berth-bench",
      }),
  };
  type Way = keyof typeof ways;
  const names = Object.keys(ways) as Way[];
  const init = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Way, number[]>;
  const list = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Way, number[]>;
  const rss = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Way, number[]>;
  // Interleaved, so that whatever else the machine does weighs on each way alike.
  for (let i = 0; i < runs; i++) {
    for (const which of names) {
      const start = performance.now();
      const session = await ways[which]();
      init[which].push(performance.now() - start);
      rss[which].push(procMib(session.pid, "VmRSS"));
      await session.client.listTools();
      list[which].push(performance.now() - start);
      await session.close();
    }
  }
  const ratio = p50(init.berth) / p50(init.thin);
  figureRow(
    `cold start → initialize (ms, p50 of ${runs})`,
    `${fmt(p50(init.thin))} thin`,
    "",
    fmt(p50(init.berth)),
    "≤1.0× thin",
    ratio <= 1,
    `${ratio.toFixed(2)}×`,
  );
  figureRow(
    "  thin server on berth's SDK (2.x) | berth from a checkout (src/main.ts)",
    `${fmt(p50(init.thinSdk2))} thin2`,
    "",
    `${fmt(p50(init.checkout))} checkout`,
    "(info)",
    undefined,
    `${(p50(init.berth) / p50(init.thinSdk2)).toFixed(2)}× thin2`,
  );
  figureRow(
    "cold start → first tools/list (ms, p50)",
    `${fmt(p50(list.thin))} thin`,
    "",
    fmt(p50(list.berth)),
    "(info)",
    undefined,
    `${(p50(list.berth) / p50(list.thin)).toFixed(2)}×`,
  );
  figureRow(
    "RSS after initialize",
    `${mib(p50(rss.thin))} thin`,
    "",
    mib(p50(rss.berth)),
    "≤70 MiB",
    p50(rss.berth) <= 70,
  );
  figureRow(
    "  RSS after initialize: thin on SDK 2.x | berth from a checkout",
    `${mib(p50(rss.thinSdk2))} thin2`,
    "",
    `${mib(p50(rss.checkout))} checkout`,
    "(info)",
    undefined,
  );
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
  // What the SDK's safeParse takes of a schema: every answer is accepted as is.
  const passThrough = {
    parse: (value: unknown) => value,
    safeParse: (value: unknown) => ({ success: true, data: value }),
  } as never;
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

/** The thin server's tools/list latency: the floor of the rows above. */
async function thinListLatency(): Promise<number[]> {
  const thin = await connectThin();
  try {
    return (await compare({ sdk: () => thin.client.listTools() }, ITERATIONS)).sdk.samples;
  } finally {
    await thin.close();
  }
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

/** tools/list: tokens of the default and full catalogue, latency beside the thin server's. */
async function catalogue(): Promise<void> {
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
  const thin = await thinListLatency();
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
      `${p(thin)} thin`,
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
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const started = performance.now();
  const ping = await fetch("http://192.0.2.1/_ping", { client: http });
  await ping.body?.cancel();
  const engineApi = ping.headers.get("api-version") ?? "1.41";
  // The same version berth negotiates: the engine's, capped at berth's newest.
  prefix = `/v${compareVersions(engineApi, MAX_API_VERSION) < 0 ? engineApi : MAX_API_VERSION}`;
  note(`engine API ${engineApi}, raw requests use ${prefix}; ${ITERATIONS} iterations per latency`);

  // Another engineer's bench may be running on the same engine: only leftovers of old runs go.
  await removeOurs(`berth.test=${SUITE}`, STALE_S);

  // Cold start and the catalogue first, before the engine is loaded with containers.
  if (!PER_CALL_ONLY) {
    await section("cold start", () => coldStarts(9));
    await section("catalogue", catalogue);
  }

  try {
    await measure();
  } finally {
    note("removing the bench containers");
    await removeOurs(`berth.bench=${RUN}`);
  }
  printTable();
  console.log(
    `\nfloor: raw = fetch on a keep-alive unix-socket client + JSON.parse, in this process; ` +
      `thin = tests/bench/thin_server.ts (same Deno, SDK 1.x; thin2: thin_server_sdk2.ts, SDK 2.x as berth). interp = Interpreter.call in ` +
      `this process; MCP = SDK client over stdio to \`deno run -P=berth dist/bundle/main.js serve\` ` +
      `(the bundle of src/ that the npm package, the image and the binaries run) ` +
      `(includes the client's outputSchema check). Ratios compare p50s. ` +
      `Took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
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
  try {
    await session.client.listTools(); // the SDK validates outputs only for listed tools
    const rss = (after: string) =>
      note(`server RSS after ${after}: ${mib(procMib(session.pid, "VmRSS"))}`);
    rss("initialize");
    const thin = await connectThin();
    try {
      await perCall(app, session, thin, names[0], chatty);
    } finally {
      await thin.close();
    }
    rss("list, inspect, logs");
    if (PER_CALL_ONLY) return;
    await section("stats", () => stats(app, session, names));
    rss("stats");
    await section("images", () => benchImages({ row: figureRow, note }));
    rss("images");
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
    rss("engine isolation, http load");
    await section(`${CALLS} calls`, () => manyCalls(session, names[0]));
    rss(`${CALLS} calls`);
    const peak = procMib(session.pid, "VmHWM");
    figureRow("server peak RSS over the bench (VmHWM)", "", "", mib(peak), "≤100 MiB", peak <= 100);
  } finally {
    await session.close();
    app.engine.close();
  }
}

/** The thin server's `get` of a path on the engine: the same request over stdio and the SDK. */
async function thinGet(thin: Session, path: string) {
  const result = await callTool(thin, "get", { path: `${prefix}${path}` });
  if (result.isError) throw new Error(`thin get ${path}: ${result.content[0]?.text}`);
  return result;
}

/** List, inspect and logs: raw vs interpreter vs MCP, and the thin server's same request. */
async function perCall(
  app: App,
  session: Session,
  thin: Session,
  target: string,
  chatty: string,
) {
  await section("docker_list_containers", async () => {
    const filters = { label: [`berth.bench=${RUN}`, "berth.bench.group=list"] };
    const query = `/containers/json?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    const list = await compare({
      raw: async () => JSON.parse(await raw("GET", query)),
      interp: () => ok(app, "docker_list_containers", { filters }),
      mcp: () => okMcp(session, "docker_list_containers", { filters }),
      thin: () => thinGet(thin, query),
    }, ITERATIONS);
    latencyRow("docker_list_containers (50)", list, 1.3);
    const rawList = await raw("GET", query);
    const listed = await okMcp(session, "docker_list_containers", { filters });
    const text = listed.content[0].text ?? "";
    figureRow(
      "  list 50: o200k tokens raw JSON / berth text",
      `${tokens(rawList)}`,
      "",
      `${tokens(text)}`,
      "text ≤2000",
      tokens(text) <= 2000,
    );
  });

  await section("docker_inspect_container", async () => {
    const inspect = await compare({
      raw: async () => JSON.parse(await raw("GET", `/containers/${target}/json`)),
      interp: () => ok(app, "docker_inspect_container", { container_id: target }),
      mcp: () => okMcp(session, "docker_inspect_container", { container_id: target }),
      thin: () => thinGet(thin, `/containers/${target}/json`),
    }, ITERATIONS);
    latencyRow("docker_inspect_container", inspect, 2);
  });

  await section("logs tail 100 of 100,000", async () => {
    const args = { container_id: chatty, tail: 100 };
    const path = `/containers/${chatty}/logs?stdout=1&stderr=1&tail=100`;
    const series = await compare({
      raw: () => raw("GET", path),
      interp: () => ok(app, "docker_container_logs", args),
      mcp: () => okMcp(session, "docker_container_logs", args),
      thin: () => thinGet(thin, path),
      // What berth must ask at the least: the inspect (Config.Tty decides the framing, the
      // policy sees the name) beside the logs. The target stays against the logs alone.
      pair: () => Promise.all([raw("GET", `/containers/${chatty}/json`), raw("GET", path)]),
    }, ITERATIONS);
    latencyRow("logs tail 100 of 100,000 lines", series, 1.5);
    const pair = p50(series.pair.samples);
    figureRow(
      "  raw inspect ∥ logs (the two requests berth needs)",
      `${fmt(pair)} / ${fmt(percentile(series.pair.samples, 95))}`,
      "",
      "",
      "(info)",
      undefined,
      `${(pair / p50(series.raw.samples)).toFixed(2)}×`,
    );
    // The server's own CPU for one call, from /proc (10 ms ticks: 200 calls at least).
    const calls = Math.max(ITERATIONS, 200);
    const before = cpuMs(session.pid);
    for (let i = 0; i < calls; i++) await okMcp(session, "docker_container_logs", args);
    const perCall = (cpuMs(session.pid) - before) / calls;
    figureRow("  logs tail 100: server CPU per call (ms)", "", "", fmt(perCall), "(info)");
  });
}

/** A figure in ms with its ratio to a floor, for the stats rows. */
function statsRow(label: string, floor: number, mcp: number, target: string, met: boolean) {
  figureRow(label, fmt(floor), "", fmt(mcp), target, met, `${(mcp / floor).toFixed(2)}×`);
}

/** docker_container_stats: first and repeated looks, three in a row, all running. */
async function stats(app: App, session: Session, names: string[]): Promise<void> {
  const once = async (work: () => Promise<unknown>) => await time(work);
  // The engine's floor for a first look: stream=false without one-shot waits for two samples
  // of its stats collector. An idle collector (no stream open) samples at once when one opens,
  // then ticks once a second while any stream is open, and a stream opened meanwhile waits for
  // the next tick (up to a second more). So the first look is measured alone on an idle
  // collector, like its floor a moment before (1.5 s apart: the collector is idle again), and
  // the monitoring loop below, while berth keeps a stream open, beside its floor started at
  // the same moment on another container: both wait for the same ticks.
  const floor = await once(() => raw("GET", `/containers/${names[3]}/stats?stream=false`));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const firstLook = await once(() =>
    okMcp(session, "docker_container_stats", { container_id: names[1] })
  );
  statsRow(
    "stats, one container: first look",
    floor,
    firstLook,
    "≈ floor (+100 ms)",
    firstLook <= floor + 100,
  );
  const beside = async (other: string, work: () => Promise<unknown>) => {
    const [floor, took] = await Promise.all([
      once(() => raw("GET", `/containers/${other}/stats?stream=false`)),
      once(work),
    ]);
    return { floor, took };
  };
  const again: number[] = [];
  for (let i = 0; i < 10; i++) {
    again.push(
      await once(() => okMcp(session, "docker_container_stats", { container_id: names[1] })),
    );
  }
  figureRow(
    "stats, one container: repeated look (p50)",
    "",
    "",
    fmt(p50(again)),
    "<50 ms",
    p50(again) < 50,
  );
  const loop = await beside(names[4], async () => {
    for (let i = 0; i < 3; i++) {
      await okMcp(session, "docker_container_stats", { container_id: names[2] });
    }
  });
  statsRow(
    "stats, three looks in a row (monitoring)",
    loop.floor,
    loop.took,
    "≈ one floor (+150 ms)",
    loop.took <= loop.floor + 150,
  );

  const running = (JSON.parse(await raw("GET", "/containers/json")) as unknown[]).length;
  const rawAll = async () => {
    const list = JSON.parse(await raw("GET", "/containers/json")) as { Id: string }[];
    return await Promise.all(
      list.map((c) => raw("GET", `/containers/${c.Id}/stats?stream=false&one-shot=true`)),
    );
  };
  // Side by side as above; one-shot=true answers at the next tick (one sample, no CPU pair).
  const [rawFirst, cold] = await Promise.all([
    once(rawAll),
    once(() => okMcp(session, "docker_container_stats", {})),
  ]);
  statsRow(
    `stats, all ${running} running: first look`,
    rawFirst,
    cold,
    "(info: two ticks)",
    true,
  );
  const all = await compare(
    {
      raw: rawAll,
      interp: () => ok(app, "docker_container_stats", {}),
      mcp: () => okMcp(session, "docker_container_stats", {}),
    },
    5,
    1,
  );
  latencyRow(`stats, all ${running} running (repeated)`, all, 1.3);
}

/** RSS across many calls (four at a time): flat means the last reading is near the first. */
async function manyCalls(session: Session, target: string): Promise<void> {
  const args = { container_id: target };
  const readings: number[] = [];
  let done = 0;
  await pool(Array.from({ length: CALLS }, (_, i) => i), 4, async () => {
    await okMcp(session, "docker_inspect_container", args);
    if (++done % Math.max(1, Math.floor(CALLS / 10)) === 0) {
      readings.push(procMib(session.pid, "VmRSS"));
    }
  });
  const [firstTenth, last] = [readings[0], readings.at(-1)!];
  figureRow(
    `RSS over ${CALLS} calls: after ${CALLS / 10} → after all`,
    "",
    "",
    `${mib(firstTenth)} → ${mib(last)}`,
    "flat (≤ +5 MiB)",
    last - firstTenth <= 5,
  );
}

if (import.meta.main) {
  try {
    await main();
  } finally {
    http.close();
  }
}
