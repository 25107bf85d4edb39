/**
 * HTTP load: 50 concurrent sessions of the MCP SDK client over Streamable
 * HTTP (`berth serve --http` on loopback, with a bearer token as a team runs
 * it), 20 docker_list_containers each; beside it the same 1,000 calls over
 * stdio, 50 in flight on one connection. Reports p50/p95 and the error count;
 * asserts nothing (tests/bench/bench.ts prints the rows).
 *
 * @module
 */

import { callTool, connect } from "../e2e/_mcp.ts";
import { connectLegacy, startHttp } from "../e2e/_http.ts";
import { berthReadPaths } from "../e2e/_mcp.ts";

const SESSIONS = 50;
const CALLS = 20;
const TOOL = "docker_list_containers";

/** One measured series. */
export interface LoadFigures {
  samples: number[];
  errors: number;
  wallMs: number;
}

async function timed(work: () => Promise<boolean>, into: LoadFigures): Promise<void> {
  const t0 = performance.now();
  let ok = false;
  try {
    ok = await work();
  } catch {
    ok = false;
  }
  into.samples.push(performance.now() - t0);
  if (!ok) into.errors++;
}

/** 50 HTTP sessions × 20 calls, all sessions at once. */
export async function httpLoad(): Promise<LoadFigures> {
  const dir = Deno.makeTempDirSync({ prefix: "berth-bench-http-" });
  const token = crypto.randomUUID();
  Deno.writeTextFileSync(`${dir}/tokens`, `bench:${token}\n`);
  const server = await startHttp(
    [
      "--token-file",
      `${dir}/tokens`,
      "--max-concurrent",
      String(SESSIONS),
      "--rate-limit",
      "0",
      // One token holds at most an eighth of --max-sessions (older ones close): room for all 50.
      "--max-sessions",
      String(SESSIONS * 8),
    ],
    { denoFlags: [`--allow-read=${[...berthReadPaths(), `${dir}/tokens`].join(",")}`] },
  );
  const figures: LoadFigures = { samples: [], errors: 0, wallMs: 0 };
  try {
    const clients = await Promise.all(
      Array.from({ length: SESSIONS }, () => connectLegacy(server.url, token)),
    );
    const t0 = performance.now();
    await Promise.all(clients.map(async (client) => {
      for (let i = 0; i < CALLS; i++) {
        await timed(async () => {
          const result = await client.callTool({ name: TOOL, arguments: {} });
          return !result.isError;
        }, figures);
      }
    }));
    figures.wallMs = performance.now() - t0;
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await server.stop();
    Deno.removeSync(dir, { recursive: true });
  }
  return figures;
}

/** The same 1,000 calls over one stdio connection, 50 in flight. */
export async function stdioLoad(): Promise<LoadFigures> {
  const session = await connect();
  const figures: LoadFigures = { samples: [], errors: 0, wallMs: 0 };
  try {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: SESSIONS }, async () => {
      for (let i = 0; i < CALLS; i++) {
        await timed(async () => !(await callTool(session, TOOL, {})).isError, figures);
      }
    }));
    figures.wallMs = performance.now() - t0;
  } finally {
    await session.close();
  }
  return figures;
}

if (import.meta.main) {
  const pct = (s: number[], p: number) =>
    [...s].sort((a, b) => a - b)[Math.min(s.length - 1, Math.floor(p / 100 * s.length))];
  for (const [label, run] of [["http", httpLoad], ["stdio", stdioLoad]] as const) {
    const f = await run();
    console.log(
      `${label}: n=${f.samples.length} errors=${f.errors} p50=${pct(f.samples, 50).toFixed(1)}ms ` +
        `p95=${pct(f.samples, 95).toFixed(1)}ms wall=${f.wallMs.toFixed(0)}ms`,
    );
  }
}
