/**
 * Checks the import graph of src/ (docs/architecture.md, "The import order"):
 * every import, static, dynamic or type-only, points down the order of
 * {@link LAYERS}, and no files import each other in a cycle. Run by
 * `deno task check`.
 *
 *   deno run --allow-read --allow-run tests/tools/check_imports.ts
 *
 * The graph is read with `deno info --json` from one synthetic root that
 * imports every file of src/ (tests/tools/import_graph.ts). There is no
 * allowlist: a violation is fixed where it is made (the redesign's temporary
 * list of known violations shrank to nothing and was deleted).
 *
 * @module
 */

import {
  cyclePath,
  cycles,
  type Edge,
  edgeKey,
  edgesOf,
  type Graph,
  readGraph,
} from "./import_graph.ts";

export { cycles, type Graph, readGraph } from "./import_graph.ts";

/**
 * The layers, top first. A file may import files of its own layer and of the
 * layers below it, never above. A layer is a folder of src/ (or one file).
 */
export const LAYERS: readonly { name: string; paths: readonly string[]; why: string }[] = [
  { name: "main", paths: ["main.ts"], why: "the CLI: wiring only" },
  { name: "setup", paths: ["setup/"], why: "`berth setup`, used by the CLI only" },
  { name: "server", paths: ["server/"], why: "MCP wiring: transports, tools, prompts, resources" },
  { name: "app", paths: ["app/"], why: "builds one running berth from a Config" },
  { name: "understanding", paths: ["understanding/"], why: "prompts and resources over tools" },
  { name: "interpreter", paths: ["interpreter/"], why: "load, plan, call, shape, result" },
  { name: "catalog", paths: ["catalog/"], why: "the tool list a session sees; knows no Docker" },
  { name: "tools", paths: ["tools/"], why: "code of the tools that need code" },
  { name: "docker", paths: ["docker/"], why: "Docker domain code, no MCP" },
  { name: "config", paths: ["config/"], why: "flags, environment and config file" },
  { name: "log", paths: ["log/"], why: "stderr logging, redacted" },
  { name: "policy", paths: ["policy/"], why: "the rules" },
  { name: "engine", paths: ["engine/"], why: "transport, versions, streams, engine errors" },
  { name: "guard", paths: ["guard/"], why: "deadlines, caps, patterns, input formats" },
  { name: "manifest", paths: ["manifest/"], why: "the manifest language and its types" },
  { name: "errors", paths: ["errors/"], why: "typed errors and their DKR codes" },
];

/**
 * Modules of types that several layers implement, importable from any layer:
 * the handler contract, which every tool and shaper implements and the
 * interpreter calls.
 */
export const CONTRACTS: readonly string[] = ["interpreter/contract.ts"];

/** Files nothing imports on purpose: the entry points. */
export const ENTRY_POINTS: readonly string[] = [
  "main.ts",
  // The dashboard view: bundled into bundle.ts by tests/tools/build_apps.ts.
  "server/apps/dashboard/view.ts",
];

/** One finding, with the fix. */
export interface Violation {
  kind: "upward" | "cycle" | "unused" | "unplaced" | "contract";
  /** The import (`from -> to`) or file it is about. */
  key: string;
  message: string;
}

/** The layer index of a file, or undefined for a file outside every layer. */
export function layerOf(file: string): number | undefined {
  const index = LAYERS.findIndex((l) =>
    l.paths.some((p) => p.endsWith("/") ? file.startsWith(p) : file === p)
  );
  return index < 0 ? undefined : index;
}

function isUpward(edge: Edge): boolean {
  if (CONTRACTS.includes(edge.to)) return false;
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  return from !== undefined && to !== undefined && to < from;
}

function cycleMessage(path: readonly string[], size: number): string {
  const shown = path.map((f) => `src/${f}`).join(" → ");
  const more = size > path.length - 1 ? ` (${size} files import each other in all)` : "";
  const viaMod = path.some((f) => f.endsWith("/mod.ts"))
    ? " A folder's mod.ts re-exports its files, so its files must not import mod.ts:" +
      " put what they need from it in a file of its own."
    : "";
  return `Import cycle: ${shown}${more}.${viaMod} Fix: move what the files share into a ` +
    `module both import, so that one of these imports can go`;
}

/**
 * Checks a graph against the order, for cycles, for files nothing imports,
 * for files in no layer and for code imported by a contract.
 */
export function checkGraph(graph: Graph, typeOnly: ReadonlySet<string> = new Set()): Violation[] {
  const edges = edgesOf(graph);
  return [
    ...unplaced(graph),
    ...contractCode(edges, typeOnly),
    ...edges.filter(isUpward).map(upward),
    ...cyclic(graph),
    ...unused(graph, edges),
  ];
}

function unplaced(graph: Graph): Violation[] {
  return [...graph.keys()].sort().filter((file) => layerOf(file) === undefined).map((file) => ({
    kind: "unplaced",
    key: `unplaced ${file}`,
    message: `src/${file} is in no layer of the import order. Fix: put it in a folder of ` +
      `LAYERS, or add its folder there (tests/tools/check_imports.ts) and to ` +
      `docs/architecture.md, at the place its imports allow`,
  }));
}

function contractCode(edges: Edge[], typeOnly: ReadonlySet<string>): Violation[] {
  return edges.filter((e) => CONTRACTS.includes(e.from) && !typeOnly.has(edgeKey(e))).map((e) => ({
    kind: "contract",
    key: edgeKey(e),
    message: `src/${e.from}, a contract every layer may import, imports code from ` +
      `src/${e.to}. Fix: 'import type' only, so that importing the contract loads nothing ` +
      `from above`,
  }));
}

function upward(edge: Edge): Violation {
  const from = LAYERS[layerOf(edge.from)!].name;
  const to = LAYERS[layerOf(edge.to)!].name;
  return {
    kind: "upward",
    key: edgeKey(edge),
    message: `src/${edge.from} (${from}) imports src/${edge.to} (${to}), a layer above it. ` +
      `Fix: move what it uses from src/${edge.to} down into ${from} or a layer below, ` +
      `or have ${to} pass it in`,
  };
}

function cyclic(graph: Graph): Violation[] {
  return cycles(graph).map((component) => {
    const path = cyclePath(graph, component);
    const key = edgeKey({ from: path.at(-2)!, to: path.at(-1)! });
    return { kind: "cycle", key, message: cycleMessage(path, component.length) };
  });
}

function unused(graph: Graph, edges: Edge[]): Violation[] {
  const imported = new Set(edges.map((e) => e.to));
  return [...graph.keys()].sort()
    .filter((file) => !imported.has(file) && !ENTRY_POINTS.includes(file))
    .map((file) => ({
      kind: "unused",
      key: `unused ${file}`,
      message: `src/${file} is imported by no file of src/. Fix: delete it, or import it ` +
        `where it is meant to be used (an entry point is listed in ENTRY_POINTS)`,
    }));
}

async function main(args: string[]): Promise<number> {
  const at = args.indexOf("--repo");
  const repo = at >= 0
    ? args[at + 1].replace(/\/?$/, "/")
    : new URL("../../", import.meta.url).pathname;
  const { graph, typeOnly } = await readGraph(`${repo}src`, `${repo}deno.json`);
  const violations = checkGraph(graph, typeOnly);
  for (const v of violations) console.error(`✗ ${v.message}\n`);
  if (violations.length) {
    console.error(
      `Import order: ${violations.length} violation(s). The order, top first: ` +
        `${LAYERS.map((l) => l.name).join(" → ")} ` +
        `(${CONTRACTS.map((c) => `src/${c}`).join(", ")} importable from all); ` +
        `docs/architecture.md says where code goes`,
    );
    return 1;
  }
  console.log(
    `Import order: ${graph.size} files, ${edgesOf(graph).length} imports, no cycle, ` +
      `no import up the order`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
