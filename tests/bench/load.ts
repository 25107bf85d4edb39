/**
 * Load and fault bench for the never-hang guards. Prints figures; asserts
 * nothing (speed is measured here, never in tests).
 *
 *   deno run -A --v8-flags=--expose-gc tests/bench/load.ts [--sequential N] [--no-stdio]
 *
 * 1. In process, real engine: 200 concurrent docker_list_containers, then N
 *    (default 10,000) sequential ones; p50/p95/p99/max and memory (RSS, heap)
 *    before and after.
 * 2. Over stdio (`deno run -P=berth src/main.ts serve` + the MCP SDK client):
 *    200 concurrent and 2,000 sequential calls; the server's RSS before/after.
 * 3. Faults (fake engine sockets, read deadline 1 s): the worst answer time
 *    and the codes for each misbehaviour, with and without the breaker; and
 *    the stall Deno shows after many aborted queued unix-socket requests.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { App } from "../../src/app/mod.ts";
import { type Behaviour, FakeEngine } from "../helpers/fake_engine.ts";
import { testApp } from "../helpers/mod.ts";
import { callTool, codeOf, connect } from "../e2e/_mcp.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    sequential: { type: "string", default: "10000" },
    "no-stdio": { type: "boolean", default: false },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(label: string, times: number[]): void {
  const s = [...times].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2).padStart(8);
  console.log(
    `${label.padEnd(44)} n=${String(s.length).padStart(6)}  p50 ${f(percentile(s, 50))} ms  ` +
      `p95 ${f(percentile(s, 95))} ms  p99 ${f(percentile(s, 99))} ms  max ${f(s.at(-1)!)} ms`,
  );
}

/** Calls over one second, which the engine (a lock held by another client) may cause. */
function outliers(times: number[]): void {
  const slow = times.map((t, i) => [i, t] as const).filter(([, t]) => t > 1_000);
  if (slow.length) {
    console.log(`  over 1 s: ${slow.map(([i, t]) => `#${i} ${t.toFixed(0)} ms`).join(", ")}`);
  }
}

function memory(label: string): { rss: number; heap: number } {
  gc?.();
  const m = Deno.memoryUsage();
  console.log(
    `${label.padEnd(44)} rss ${(m.rss / MB).toFixed(1)} MiB  heapUsed ${
      (m.heapUsed / MB).toFixed(1)
    } MiB${gc ? "" : " (no --expose-gc: before GC)"}`,
  );
  return { rss: m.rss, heap: m.heapUsed };
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await work();
  return [performance.now() - t0, value];
}

async function inProcess(app: App, sequential: number): Promise<void> {
  console.log("\n== in process, real engine ==");
  for (let i = 0; i < 20; i++) await app.interpreter.call("docker_list_containers", {});
  const before = memory("memory before");
  const [wall, concurrent] = await timed(() =>
    Promise.all(
      Array.from({ length: 200 }, () =>
        timed(() => app.interpreter.call("docker_list_containers", {}))),
    )
  );
  summary("200 concurrent docker_list_containers", concurrent.map(([t]) => t));
  console.log(
    `  wall ${wall.toFixed(0)} ms; errors ${concurrent.filter(([, r]) => r.isError).length}`,
  );
  memory("memory after the concurrent burst");
  const times: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  for (let i = 0; i < sequential; i++) {
    const [t, r] = await timed(() => app.interpreter.call("docker_list_containers", {}));
    times.push(t);
    if (r.isError) errors++;
  }
  const total = performance.now() - t0;
  summary(`${sequential} sequential docker_list_containers`, times);
  outliers(times);
  console.log(
    `  ${(sequential / (total / 1000)).toFixed(0)} calls/s; errors ${errors}; ` +
      `operations kept ${app.operations.size}; breaker ${app.breaker.state}`,
  );
  const after = memory("memory after");
  console.log(
    `  growth: rss ${((after.rss - before.rss) / MB).toFixed(1)} MiB, heap ${
      ((after.heap - before.heap) / MB).toFixed(1)
    } MiB`,
  );
}

function serverRss(pid: number | null): number {
  if (!pid) return NaN;
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function overStdio(): Promise<void> {
  console.log("\n== over stdio: deno run -P=berth src/main.ts serve + MCP SDK client ==");
  const session = await connect();
  try {
    for (let i = 0; i < 20; i++) await callTool(session, "docker_list_containers");
    const before = serverRss(session.pid);
    const [wall, concurrent] = await timed(() =>
      Promise.all(
        Array.from(
          { length: 200 },
          () => timed(() => callTool(session, "docker_list_containers")),
        ),
      )
    );
    summary("200 concurrent (stdio)", concurrent.map(([t]) => t));
    console.log(
      `  wall ${wall.toFixed(0)} ms; errors ${concurrent.filter(([, r]) => codeOf(r)).length}`,
    );
    const times: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      times.push((await timed(() => callTool(session, "docker_list_containers")))[0]);
    }
    summary("2000 sequential (stdio)", times);
    outliers(times);
    const after = serverRss(session.pid);
    console.log(
      `  server RSS ${before.toFixed(1)} → ${after.toFixed(1)} MiB (${
        (after - before).toFixed(1)
      })`,
    );
  } finally {
    await session.close();
  }
}

const FAULTS: Behaviour[] = ["hang", "drip", "reset", "close", "garbage", "bad_json", "error500"];

async function faultRun(): Promise<void> {
  console.log("\n== faults: fake engine sockets, read deadline 1 s, 5 sequential calls each ==");
  const config = Deno.makeTempFileSync({ suffix: ".json" });
  for (const breaker of [false, true]) {
    Deno.writeTextFileSync(
      config,
      JSON.stringify({ neverhang: { circuit_breaker: { failures: breaker ? 3 : 1_000_000 } } }),
    );
    console.log(breaker ? "-- with the breaker (3 failures)" : "-- breaker out of the way");
    for (const behaviour of FAULTS) {
      const fake = FakeEngine.start(`bench-${behaviour}`);
      const app = await testApp({ dockerHost: fake.dockerHost, timeout: ["read=1s"], config });
      fake.behaviour = behaviour;
      const times: number[] = [];
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const [t, r] = await timed(() => app.interpreter.call("docker_list_containers", {}));
        times.push(t);
        codes.push((r.structured.error as { code?: string } | undefined)?.code ?? "ok");
      }
      console.log(
        `  ${behaviour.padEnd(9)} worst ${Math.max(...times).toFixed(0).padStart(5)} ms  ` +
          `each ${times.map((t) => t.toFixed(0)).join("/")} ms  codes ${codes.join(" ")}`,
      );
      app.engine.close();
      fake.close();
    }
  }
  Deno.removeSync(config);
  await crowdThenRecover();
}

/** 200 concurrent calls against a hung engine, then the first call to a healthy one. */
async function crowdThenRecover(): Promise<void> {
  console.log("-- 200 concurrent calls on a hung socket, then the next call on a healthy one");
  const hung = FakeEngine.start("bench-crowd");
  hung.behaviour = "hang";
  const app = await testApp({ dockerHost: hung.dockerHost, timeout: ["read=1s"] });
  const [wall, results] = await timed(() =>
    Promise.all(
      Array.from({ length: 200 }, () => app.interpreter.call("docker_list_containers", {})),
    )
  );
  const codes = new Map<string, number>();
  for (const r of results) {
    const code = (r.structured.error as { code?: string } | undefined)?.code ?? "ok";
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  console.log(
    `  all answered in ${wall.toFixed(0)} ms: ${
      [...codes].map(([c, n]) => `${c}×${n}`).join(" ")
    };` +
      ` reached the engine ${hung.calls.length}`,
  );
  app.engine.close();
  hung.close();
  const healthy = FakeEngine.start("bench-healthy");
  const next = await testApp({ dockerHost: healthy.dockerHost, timeout: ["read=30s"] });
  const [t, r] = await timed(() => next.interpreter.call("docker_list_containers", {}));
  console.log(`  next call on a healthy socket: ${t.toFixed(0)} ms (${r.isError ? r.text : "ok"})`);
  next.engine.close();
  healthy.close();
}

if (import.meta.main) {
  const app = await testApp({});
  try {
    await inProcess(app, Number(flags.sequential));
  } finally {
    app.engine.close();
  }
  if (!flags["no-stdio"]) await overStdio();
  await faultRun();
}
