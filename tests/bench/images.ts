/**
 * Bench rows for the long image tools, with progress notifications on:
 *
 * - docker_pull_image of an image with an 8 MB layer of its own from the
 *   open test registry (removed locally before every pull), raw socket vs
 *   in-process interpreter vs MCP over stdio;
 * - docker_build_image of a small context (64 KB file, no cache), raw (the
 *   same tar, pre-packed, posted on the socket) vs the interpreter (which
 *   packs while it streams).
 *
 * Each row also counts the progress notifications a client received. Used
 * by bench.ts (section "images"); runs alone too:
 *
 *   deno run -A tests/bench/images.ts
 *
 * @module
 */

import type { App } from "../../src/app/mod.ts";
import { packContext } from "../../src/docker/build/context.ts";
import type { Progress } from "../../src/interpreter/mod.ts";
import { connect } from "../e2e/_mcp.ts";
import { OPEN_REGISTRY, TEST_IMAGE } from "../helpers/mod.ts";
import { builtinApp } from "../tools/catalog.ts";

const SOCKET = "/var/run/docker.sock";
const ROUNDS = 3;

/** Where the rows go (bench.ts's table, or the console). */
export interface ImageBenchSink {
  row(label: string, raw: string, interp: string, mcp: string, target: string): void;
  note(text: string): void;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the image rows; removes what it made. */
export async function benchImages(sink: ImageBenchSink): Promise<void> {
  const http = Deno.createHttpClient({ proxy: { transport: "unix", path: SOCKET } });
  const run = `bench-${Date.now().toString(36)}`;
  const app = await builtinApp({ allow: "images" });
  const dir = await Deno.makeTempDir({ prefix: "berth-bench-images-" });
  const engine = async (method: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`http://192.0.2.1/v1.41${path}`, {
      ...init,
      method,
      client: http,
    } as RequestInit);
    const text = await response.text();
    if (response.status >= 400 || /"error(Detail)?"/.test(text)) {
      throw new Error(`${method} ${path}: ${response.status} ${text.slice(-300)}`);
    }
    return text;
  };
  const removeImage = (ref: string) => engine("DELETE", `/images/${ref}?force=1`).catch(() => "");
  try {
    const ref = `${OPEN_REGISTRY}/berth-test/${run}:v1`;
    await Deno.writeTextFile(
      `${dir}/Dockerfile`,
      `FROM ${TEST_IMAGE}\nLABEL berth.test=bench berth.bench=${run}\n` +
        "RUN dd if=/dev/urandom of=/payload bs=1024 count=8192 2>/dev/null\n",
    );
    const built = await app.interpreter.call("docker_build_image", { path: dir, tag: ref });
    if (built.isError) throw new Error(built.text);
    await engine("POST", `/images/${ref.slice(0, ref.lastIndexOf(":"))}/push?tag=v1`, {
      headers: { "X-Registry-Auth": "e30=" },
    });
    await pullRows(sink, app, engine, removeImage, ref);
    await buildRows(sink, app, engine, dir, run);
  } finally {
    const filters = encodeURIComponent(JSON.stringify({ label: [`berth.bench=${run}`] }));
    const images = JSON.parse(await engine("GET", `/images/json?filters=${filters}`)) as {
      Id: string;
    }[];
    for (const image of images) await removeImage(image.Id);
    await Deno.remove(dir, { recursive: true });
    app.engine.close();
    http.close();
  }
}

type Engine = (method: string, path: string, init?: RequestInit) => Promise<string>;

async function pullRows(
  sink: ImageBenchSink,
  app: App,
  engine: Engine,
  removeImage: (ref: string) => Promise<unknown>,
  ref: string,
): Promise<void> {
  const name = ref.slice(0, ref.lastIndexOf(":"));
  const session = await connect(["--allow", "images"]);
  const raw: number[] = [], interp: number[] = [], mcp: number[] = [];
  let interpNotes = 0, mcpNotes = 0;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      await removeImage(ref);
      let start = performance.now();
      await engine("POST", `/images/create?fromImage=${name}&tag=v1`);
      raw.push(performance.now() - start);

      await removeImage(ref);
      const seen: Progress[] = [];
      start = performance.now();
      const result = await app.interpreter.call("docker_pull_image", { image: ref }, {
        onProgress: (p) => seen.push(p),
      });
      interp.push(performance.now() - start);
      if (result.isError || result.structured.status !== "downloaded") throw new Error(result.text);
      interpNotes += seen.length;

      await removeImage(ref);
      let notes = 0;
      start = performance.now();
      const answer = await session.client.callTool(
        { name: "docker_pull_image", arguments: { image: ref } },
        undefined,
        { onprogress: () => notes++ },
      );
      mcp.push(performance.now() - start);
      if (answer.isError) throw new Error(JSON.stringify(answer.content));
      mcpNotes += notes;
    }
  } finally {
    await session.close();
  }
  sink.row(
    `docker_pull_image 8 MB layer, p50 of ${ROUNDS} (progress notes/call)`,
    fmt(median(raw)),
    `${fmt(median(interp))} (${(interpNotes / ROUNDS).toFixed(0)})`,
    `${fmt(median(mcp))} (${(mcpNotes / ROUNDS).toFixed(0)})`,
    "(info)",
  );
}

async function buildRows(
  sink: ImageBenchSink,
  app: App,
  engine: Engine,
  dir: string,
  run: string,
): Promise<void> {
  await Deno.writeFile(`${dir}/blob.bin`, crypto.getRandomValues(new Uint8Array(65536)));
  await Deno.writeTextFile(
    `${dir}/Dockerfile`,
    `FROM ${TEST_IMAGE}\nCOPY blob.bin /blob.bin\nRUN wc -c /blob.bin\nLABEL berth.bench=${run}\n`,
  );
  const tar = new Uint8Array(await new Response(packContext(dir, []).stream).arrayBuffer());
  const raw: number[] = [], interp: number[] = [];
  let notes = 0;
  const tag = `berth-test/${run}:build`;
  for (let i = 0; i < ROUNDS; i++) {
    let start = performance.now();
    await engine("POST", `/build?t=${tag}-raw&nocache=1&rm=1&forcerm=1&version=1`, {
      body: tar,
      headers: { "content-type": "application/x-tar" },
    });
    raw.push(performance.now() - start);

    const seen: Progress[] = [];
    start = performance.now();
    const result = await app.interpreter.call(
      "docker_build_image",
      { path: dir, tag, nocache: true },
      { onProgress: (p) => seen.push(p) },
    );
    interp.push(performance.now() - start);
    if (result.isError) throw new Error(result.text);
    notes += seen.length;
  }
  sink.row(
    `docker_build_image 4 steps, no cache, p50 of ${ROUNDS} (progress notes/call)`,
    fmt(median(raw)),
    `${fmt(median(interp))} (${(notes / ROUNDS).toFixed(0)})`,
    "",
    "(info)",
  );
}

if (import.meta.main) {
  await benchImages({
    row: (label, raw, interp, mcp) =>
      console.log(`${label}: raw ${raw} ms, interp ${interp}${mcp ? `, MCP ${mcp}` : ""}`),
    note: (text) => console.error(`bench: ${text}`),
  });
}
