import { assert, assertEquals } from "../helpers/asserts.ts";
import { checkGraph, cycles, type Graph, layerOf, readGraph } from "../tools/check_imports.ts";

/** A graph from "from -> to" lines; every file named becomes a node. */
function graphOf(...lines: string[]): Graph {
  const graph: Graph = new Map();
  const node = (f: string) => graph.get(f) ?? graph.set(f, new Set()).get(f)!;
  for (const line of lines) {
    const [from, to] = line.split(" -> ");
    node(from).add(to);
    node(to);
  }
  return graph;
}

// A tiny tree that keeps the order: the CLI down to errors, every file used.
const CLEAN = [
  "main.ts -> server/mod.ts",
  "server/mod.ts -> interpreter/mod.ts",
  "interpreter/mod.ts -> tools/containers/logs.ts",
  "tools/containers/logs.ts -> interpreter/contract.ts",
  "tools/containers/logs.ts -> engine/client.ts",
  "engine/client.ts -> errors/mod.ts",
];

Deno.test("check_imports: a graph that keeps the order passes", () => {
  assertEquals(checkGraph(graphOf(...CLEAN)), []);
});

Deno.test("check_imports: an import up the order fails, naming both files and the fix", () => {
  const violations = checkGraph(graphOf(...CLEAN, "engine/client.ts -> policy/redact.ts"));
  assertEquals(violations.map((v) => [v.kind, v.key]), [
    ["upward", "engine/client.ts -> policy/redact.ts"],
  ]);
  const [message] = violations.map((v) => v.message);
  assert(message.includes("src/engine/client.ts (engine)"), message);
  assert(message.includes("src/policy/redact.ts (policy)"), message);
  assert(message.includes("Fix: move"), message);
});

Deno.test("check_imports: the handler contract is importable from every layer, nothing else is", () => {
  const lower = graphOf(...CLEAN, "engine/client.ts -> interpreter/contract.ts");
  assertEquals(checkGraph(lower), []);
  const other = graphOf(...CLEAN, "tools/containers/logs.ts -> interpreter/result.ts");
  assertEquals(checkGraph(other).map((v) => v.kind), ["upward"]);
});

Deno.test("check_imports: a cycle between files of one layer fails", () => {
  const graph = graphOf(
    ...CLEAN,
    "policy/mod.ts -> policy/config.ts",
    "policy/config.ts -> policy/mod.ts",
    "engine/client.ts -> policy/mod.ts",
  );
  const cyclic = checkGraph(graph).filter((v) => v.kind === "cycle");
  assertEquals(cyclic.length, 1);
  assert(
    cyclic[0].message.includes("src/policy/config.ts → src/policy/mod.ts → src/policy/config.ts"),
  );
  // A self-import is a cycle too, and a longer one is found as one.
  assertEquals(cycles(graphOf("a.ts -> a.ts")), [["a.ts"]]);
  assertEquals(cycles(graphOf("a.ts -> b.ts", "b.ts -> c.ts", "c.ts -> a.ts", "c.ts -> d.ts")), [
    ["a.ts", "b.ts", "c.ts"],
  ]);
});

Deno.test("check_imports: a module nothing imports fails unless it is an entry point", () => {
  const violations = checkGraph(graphOf(...CLEAN, "engine/mod.ts -> engine/client.ts"));
  assertEquals(violations.map((v) => v.key), ["unused engine/mod.ts"]);
});

Deno.test("check_imports: a file in no layer fails, and so does a contract that imports code", () => {
  const outside = checkGraph(graphOf(...CLEAN, "main.ts -> elsewhere/x.ts"));
  assertEquals(outside.map((v) => v.key), ["unplaced elsewhere/x.ts"]);
  const contract = graphOf(...CLEAN, "interpreter/contract.ts -> engine/client.ts");
  const typeOnly = new Set(["interpreter/contract.ts -> engine/client.ts"]);
  assertEquals(checkGraph(contract, typeOnly), []);
  assertEquals(checkGraph(contract).map((v) => [v.kind, v.key]), [
    ["contract", "interpreter/contract.ts -> engine/client.ts"],
  ]);
});

Deno.test("check_imports: layers follow folders; files outside them belong to none", () => {
  assertEquals(layerOf("main.ts"), 0);
  assert(layerOf("server/http/cli.ts")! < layerOf("interpreter/plan.ts")!);
  assert(layerOf("policy/mod.ts")! < layerOf("engine/ops/containers.ts")!);
  assertEquals(layerOf("elsewhere/x.ts"), undefined);
});

Deno.test("check_imports: static, dynamic, re-export and type-only imports are all read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "check_imports_" });
  try {
    await Deno.mkdir(`${dir}/engine`);
    await Deno.mkdir(`${dir}/policy`);
    const files: Record<string, string> = {
      "main.ts":
        'import "./engine/a.ts";\nconst m = await import("./policy/dyn.ts");\nconsole.log(m);\n',
      "engine/a.ts": 'import type { T } from "../policy/types.ts";\nexport * from "./b.ts";\n' +
        '// import "../policy/commented.ts";\nexport const s = "import \'../policy/string.ts\'";\n' +
        "export type U = T;\n",
      "engine/b.ts": "export const b = 1;\n",
      "policy/types.ts": "export type T = number;\n",
      "policy/dyn.ts": "export const d = 1;\n",
      "policy/commented.ts": "export {};\n",
      "policy/string.ts": "export {};\n",
    };
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    const { graph, typeOnly } = await readGraph(dir);
    assertEquals([...graph.get("main.ts")!].sort(), ["engine/a.ts", "policy/dyn.ts"]);
    assertEquals([...graph.get("engine/a.ts")!].sort(), ["engine/b.ts", "policy/types.ts"]);
    assertEquals([...typeOnly], ["engine/a.ts -> policy/types.ts"]);
    const violations = checkGraph(graph, typeOnly);
    assertEquals(violations.map((v) => v.key), [
      "engine/a.ts -> policy/types.ts",
      "unused policy/commented.ts",
      "unused policy/string.ts",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
