/**
 * Checks the import graph of src/ (docs/architecture.md, "The import order"):
 * every import, static, dynamic or type-only, points down the order of
 * {@link LAYERS}, and no files import each other in a cycle. Run by
 * `deno task check`.
 *
 *   deno run --allow-read --allow-run tests/tools/check_imports.ts            check
 *   deno run --allow-read --allow-run --allow-write tests/tools/check_imports.ts --prune
 *                                              delete the allowlist's fixed entries
 *   deno run --allow-read --allow-run --allow-write tests/tools/check_imports.ts --update
 *                                              rewrite the allowlist (see below)
 *
 * The graph is read with `deno info --json` from one synthetic root that
 * imports every file of src/ (tests/tools/import_graph.ts).
 *
 * The allowlist (tests/tools/import_allowlist.txt) holds the known violations
 * of the redesign still under way, one import per line. It may only shrink:
 * the check fails on a violation it does not list and on an entry that is no
 * longer a violation. `--update` rewrites it from the graph; that is for a
 * planned move of files only, and its diff is reviewed like code.
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
  reaches,
  readGraph,
  without,
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
  /** The allowlist's line for it. */
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

/** What {@link checkGraph} found. */
export interface Report {
  violations: Violation[];
  /** Allowlist lines that no longer name a violation: remove them. */
  stale: string[];
}

/**
 * Checks a graph against the order, for cycles, for files nothing imports,
 * for files in no layer and for code imported by a contract. Edges the
 * allowlist names are tolerated (an allowed edge that closes a cycle breaks
 * it) and reported as stale once the graph no longer needs them.
 */
export function checkGraph(
  graph: Graph,
  allowlist: ReadonlySet<string> = new Set(),
  typeOnly: ReadonlySet<string> = new Set(),
): Report {
  const edges = edgesOf(graph);
  const violations = [
    ...unplaced(graph),
    ...contractCode(edges, typeOnly),
    ...edges.filter((e) => isUpward(e) && !allowlist.has(edgeKey(e))).map(upward),
    ...cyclic(without(graph, allowlist)),
    ...unused(graph, edges).filter((v) => !allowlist.has(v.key)),
  ];
  return { violations, stale: staleEntries(graph, edges, allowlist) };
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

/** Allowlist lines the graph no longer needs: the import is gone, or neither upward nor on a cycle. */
function staleEntries(graph: Graph, edges: Edge[], allowlist: ReadonlySet<string>): string[] {
  const present = new Set(edges.map(edgeKey));
  const imported = new Set(edges.map((e) => e.to));
  return [...allowlist].filter((key) => {
    if (key.startsWith("unused ")) {
      const file = key.slice("unused ".length);
      return !graph.has(file) || imported.has(file);
    }
    if (!present.has(key)) return true;
    const [from, to] = key.split(" -> ");
    return !isUpward({ from, to }) && !reaches(graph, to, from);
  }).sort();
}

/**
 * The allowlist lines that make a graph pass: every upward edge, then one
 * closing edge per cycle until none is left, then the unused files.
 */
export function allowlistFor(graph: Graph): string[] {
  const allowed = new Set(edgesOf(graph).filter(isUpward).map(edgeKey));
  for (;;) {
    const found = cycles(without(graph, allowed));
    if (!found.length) break;
    const path = cyclePath(without(graph, allowed), found[0]);
    allowed.add(edgeKey({ from: path.at(-2)!, to: path.at(-1)! }));
  }
  for (const v of unused(graph, edgesOf(graph))) allowed.add(v.key);
  return [...allowed].sort();
}

/** Parses an allowlist: one entry a line; `#` starts a comment. */
export function parseAllowlist(text: string): Set<string> {
  return new Set(
    text.split("\n").map((line) => line.replace(/#.*/, "").trim()).filter((line) => line),
  );
}

/** The command that rewrites the allowlist. */
export const UPDATE_COMMAND =
  "deno run --allow-read --allow-run --allow-write tests/tools/check_imports.ts --update";

/** The allowlist of known violations, shrinking to nothing. */
export const ALLOWLIST = new URL("./import_allowlist.txt", import.meta.url);

const ALLOWLIST_HEADER =
  `# Known violations of the import order (tests/tools/check_imports.ts), one a line:
# "<from> -> <to>" (an import, paths under src/) or "unused <file>". This list may only
# shrink: \`deno task check\` fails on a violation not listed here and on a line that no
# longer names one. Fix a violation, then delete its line.
`;

async function main(args: string[]): Promise<number> {
  const at = args.indexOf("--repo");
  const repo = at >= 0
    ? args[at + 1].replace(/\/?$/, "/")
    : new URL("../../", import.meta.url).pathname;
  const { graph, typeOnly } = await readGraph(`${repo}src`, `${repo}deno.json`);
  if (args.includes("--update")) {
    const lines = allowlistFor(graph);
    await Deno.writeTextFile(ALLOWLIST, ALLOWLIST_HEADER + lines.map((l) => `${l}\n`).join(""));
    console.log(`${ALLOWLIST.pathname}: ${lines.length} entries`);
    return 0;
  }
  const text = await Deno.readTextFile(ALLOWLIST).catch(() => "");
  const allowlist = parseAllowlist(text);
  const { violations, stale } = checkGraph(graph, allowlist, typeOnly);
  if (args.includes("--prune")) {
    const gone = new Set(stale);
    const kept = text.split("\n").filter((line) => !gone.has(line.replace(/#.*/, "").trim()));
    await Deno.writeTextFile(ALLOWLIST, kept.join("\n"));
    console.log(`${ALLOWLIST.pathname}: ${stale.length} stale entries deleted`);
    return 0;
  }
  for (const v of violations) console.error(`✗ ${v.message}\n`);
  for (const line of stale) {
    console.error(
      `✗ tests/tools/import_allowlist.txt lists '${line}', which is no longer a violation. ` +
        `Fix: delete that line (--prune deletes all such lines)\n`,
    );
  }
  if (violations.length || stale.length) {
    console.error(
      `Import order: ${violations.length} violation(s), ${stale.length} stale allowlist ` +
        `line(s). The order, top first: ${LAYERS.map((l) => l.name).join(" → ")} ` +
        `(${CONTRACTS.map((c) => `src/${c}`).join(", ")} importable from all); ` +
        `docs/architecture.md says where code goes. After a planned move of files, ` +
        `rewrite the allowlist with: ${UPDATE_COMMAND}`,
    );
    return 1;
  }
  const edges = edgesOf(graph).length;
  console.log(
    `Import order: ${graph.size} files, ${edges} imports, no cycle, no import up the order` +
      (allowlist.size ? ` (${allowlist.size} known in tests/tools/import_allowlist.txt)` : ""),
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
