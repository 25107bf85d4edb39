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
 * The graph is read with `deno info --json` (Deno's own parser and resolver,
 * so comments and strings never count as imports) from one synthetic root
 * that imports every file of src/.
 *
 * The allowlist (tests/tools/import_allowlist.txt) holds the known violations
 * of the redesign still under way, one import per line. It may only shrink:
 * the check fails on a violation it does not list and on an entry that is no
 * longer a violation. `--update` rewrites it from the graph; that is for a
 * planned move of files only, and its diff is reviewed like code.
 *
 * @module
 */

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

/** An import from one file of src/ to another, paths relative to src/. */
export interface Edge {
  from: string;
  to: string;
}

/** One finding, with the fix. */
export interface Violation {
  kind: "upward" | "cycle" | "unused" | "unplaced" | "contract";
  /** The allowlist's line for it. */
  key: string;
  message: string;
}

/** The graph: each file of src/ (relative path) and the files it imports. */
export type Graph = Map<string, Set<string>>;

/** A graph as read from the files, with the imports that carry types only (`import type`). */
export interface ImportGraph {
  graph: Graph;
  /** Edge keys ({@link edgeKey}) of imports that are type-only. */
  typeOnly: Set<string>;
}

/** The layer index of a file, or undefined for a file outside every layer. */
export function layerOf(file: string): number | undefined {
  const index = LAYERS.findIndex((l) =>
    l.paths.some((p) => p.endsWith("/") ? file.startsWith(p) : file === p)
  );
  return index < 0 ? undefined : index;
}

/** The line an allowlist holds for an edge. */
export function edgeKey(edge: Edge): string {
  return `${edge.from} -> ${edge.to}`;
}

function isUpward(edge: Edge): boolean {
  if (CONTRACTS.includes(edge.to)) return false;
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  return from !== undefined && to !== undefined && to < from;
}

function upwardMessage(edge: Edge): string {
  const from = LAYERS[layerOf(edge.from)!].name;
  const to = LAYERS[layerOf(edge.to)!].name;
  return `src/${edge.from} (${from}) imports src/${edge.to} (${to}), a layer above it. ` +
    `Fix: move what it uses from src/${edge.to} down into ${from} or a layer below, ` +
    `or have ${to} pass it in`;
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

function edgesOf(graph: Graph): Edge[] {
  return [...graph].flatMap(([from, tos]) => [...tos].map((to) => ({ from, to })));
}

function without(graph: Graph, skip: ReadonlySet<string>): Graph {
  const kept: Graph = new Map();
  for (const [from, tos] of graph) {
    kept.set(from, new Set([...tos].filter((to) => !skip.has(edgeKey({ from, to })))));
  }
  return kept;
}

/** The strongly connected components of more than one file, or of a file importing itself. */
export function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One concrete cycle through the first file of a component: the files in import order. */
export function cyclePath(graph: Graph, component: readonly string[]): string[] {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

function reaches(graph: Graph, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length) {
    const v = queue.shift()!;
    if (v === to) return true;
    for (const w of graph.get(v) ?? []) {
      if (!seen.has(w)) {
        seen.add(w);
        queue.push(w);
      }
    }
  }
  return false;
}

/** What {@link checkGraph} found. */
export interface Report {
  violations: Violation[];
  /** Allowlist lines that no longer name a violation: remove them. */
  stale: string[];
}

/**
 * Checks a graph against the order, for cycles and for files nothing
 * imports. Edges the allowlist names are tolerated (an allowed edge that
 * closes a cycle breaks it) and reported as stale once the graph no longer
 * needs them.
 */
export function checkGraph(
  graph: Graph,
  allowlist: ReadonlySet<string> = new Set(),
  typeOnly: ReadonlySet<string> = new Set(),
): Report {
  const violations: Violation[] = [];
  const edges = edgesOf(graph);
  for (const file of [...graph.keys()].sort()) {
    if (layerOf(file) !== undefined) continue;
    violations.push({
      kind: "unplaced",
      key: `unplaced ${file}`,
      message: `src/${file} is in no layer of the import order. Fix: put it in a folder of ` +
        `LAYERS, or add its folder there (tests/tools/check_imports.ts) and to ` +
        `docs/architecture.md, at the place its imports allow`,
    });
  }
  for (const edge of edges) {
    const key = edgeKey(edge);
    if (CONTRACTS.includes(edge.from) && !typeOnly.has(key)) {
      violations.push({
        kind: "contract",
        key,
        message: `src/${edge.from}, a contract every layer may import, imports code from ` +
          `src/${edge.to}. Fix: 'import type' only, so that importing the contract ` +
          `loads nothing from above`,
      });
    }
  }
  const present = new Set(edges.map(edgeKey));
  for (const edge of edges) {
    const key = edgeKey(edge);
    if (isUpward(edge) && !allowlist.has(key)) {
      violations.push({ kind: "upward", key, message: upwardMessage(edge) });
    }
  }
  const kept = without(graph, allowlist);
  for (const component of cycles(kept)) {
    const path = cyclePath(kept, component);
    const key = edgeKey({ from: path.at(-2)!, to: path.at(-1)! });
    violations.push({ kind: "cycle", key, message: cycleMessage(path, component.length) });
  }
  const imported = new Set(edges.map((e) => e.to));
  for (const file of [...graph.keys()].sort()) {
    if (imported.has(file) || ENTRY_POINTS.includes(file)) continue;
    const key = `unused ${file}`;
    if (allowlist.has(key)) continue;
    violations.push({
      kind: "unused",
      key,
      message: `src/${file} is imported by no file of src/. Fix: delete it, or import it ` +
        `where it is meant to be used (an entry point is listed in ENTRY_POINTS)`,
    });
  }
  const stale = [...allowlist].filter((key) => {
    if (key.startsWith("unused ")) {
      const file = key.slice("unused ".length);
      return !graph.has(file) || imported.has(file);
    }
    if (!present.has(key)) return true;
    const [from, to] = key.split(" -> ");
    return !isUpward({ from, to }) && !reaches(graph, to, from);
  }).sort();
  return { violations, stale };
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
  const imported = new Set(edgesOf(graph).map((e) => e.to));
  for (const file of graph.keys()) {
    if (!imported.has(file) && !ENTRY_POINTS.includes(file)) allowed.add(`unused ${file}`);
  }
  return [...allowed].sort();
}

/** Parses an allowlist: one entry a line; `#` starts a comment. */
export function parseAllowlist(text: string): Set<string> {
  return new Set(
    text.split("\n").map((line) => line.replace(/#.*/, "").trim()).filter((line) => line),
  );
}

interface DenoInfo {
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
  }[];
}

async function sourceFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) files.push(...await sourceFiles(`${dir}/${entry.name}`, `${path}/`));
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) files.push(path);
  }
  return files;
}

/**
 * The import graph of the files under `srcDir` (an absolute path), static,
 * dynamic and type-only imports alike, read by `deno info --json`. Imports of
 * packages and of files outside `srcDir` are left out.
 */
export async function readGraph(srcDir: string, config?: string): Promise<ImportGraph> {
  const files = (await sourceFiles(srcDir)).sort();
  const base = new URL(`file://${srcDir.replace(/\/?$/, "/")}`).href;
  const root = files.map((f) => `import ${JSON.stringify(new URL(f, base).href)};`).join("\n");
  const args = ["info", "--json", "--no-npm", "--no-remote"];
  if (config) args.push("--config", config);
  else args.push("--no-config");
  args.push(`data:application/typescript;base64,${btoa(root)}`);
  const output = await new Deno.Command(Deno.execPath(), { args, stderr: "inherit" }).output();
  if (!output.success) throw new Error(`deno info failed (exit ${output.code})`);
  const info: DenoInfo = JSON.parse(new TextDecoder().decode(output.stdout));
  const graph: Graph = new Map(files.map((f) => [f, new Set<string>()]));
  const code = new Set<string>();
  const types = new Set<string>();
  const local = (specifier?: string) =>
    specifier?.startsWith(base) ? decodeURIComponent(specifier.slice(base.length)) : undefined;
  for (const module of info.modules) {
    const from = local(module.specifier);
    if (!from || !graph.has(from)) continue;
    for (const dependency of module.dependencies ?? []) {
      const viaCode = local(dependency.code?.specifier);
      const viaType = local(dependency.type?.specifier);
      for (const to of [viaCode, viaType]) {
        if (to && graph.has(to)) graph.get(from)!.add(to);
      }
      if (viaCode && graph.has(viaCode)) code.add(edgeKey({ from, to: viaCode }));
      if (viaType && graph.has(viaType)) types.add(edgeKey({ from, to: viaType }));
    }
  }
  return { graph, typeOnly: new Set([...types].filter((key) => !code.has(key))) };
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
