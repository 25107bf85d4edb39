/**
 * Engine isolation for `deno task bench`: the latency of calls to the test
 * engine alone, then while another configured engine hangs (a fake socket
 * that accepts and never answers, 20 calls waiting on it: more than one
 * engine's in-flight limit). Each engine has its own client, limit and
 * breaker, so the second figure should match the first.
 *
 * @module
 */

import { createApp } from "../../src/app/mod.ts";
import { loadConfig } from "../../src/config/mod.ts";
import { FakeEngine } from "../helpers/fake_engine.ts";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

/** Milliseconds of each docker_list_containers on the real engine, alone and beside a hung one. */
export async function engineIsolation(
  iterations = 30,
): Promise<{ alone: number[]; beside: number[] }> {
  const fake = FakeEngine.start("bench-engines");
  fake.behaviour = "hang";
  fake.pingBehaviour = "hang";
  const path = Deno.makeTempFileSync({ prefix: "berth-bench-engines-", suffix: ".yaml" });
  Deno.writeTextFileSync(
    path,
    `engines:\n  real: { host: "unix:///var/run/docker.sock" }\n` +
      `  hung: { host: "${fake.dockerHost}", neverhang: { read_timeout: 60s } }\n` +
      `default_engine: real\n`,
  );
  const env = (name: string) => (name === "HOME" ? "/nonexistent" : undefined);
  const app = await createApp(loadConfig({ config: path }, env));
  const timed = async () => {
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      const result = await app.interpreter.call("docker_list_containers", {});
      samples.push(performance.now() - t0);
      if (result.isError) throw new Error(result.text);
    }
    return samples;
  };
  const stop = new AbortController();
  try {
    await timed(); // warm up: connection, API version, kind
    const alone = await timed();
    const hung = Array.from(
      { length: 20 },
      () =>
        app.interpreter.call("docker_list_containers", { engine: "hung" }, { signal: stop.signal }),
    );
    const beside = await timed();
    stop.abort();
    await Promise.all(hung);
    return { alone, beside };
  } finally {
    app.close();
    fake.close();
    Deno.removeSync(path);
  }
}
