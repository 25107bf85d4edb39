/**
 * The import graph of src/ for tests/tools/check_imports.ts: read with
 * `deno info --json` (Deno's own parser and resolver, so comments and strings
 * never count as imports), and the graph algorithms the check needs (Tarjan's
 * strongly connected components, one concrete cycle).
 *
 * @module
 */

/** An import from one file of src/ to another, paths relative to src/. */
export interface Edge {
  from: string;
  to: string;
}

/** The graph: each file of src/ (relative path) and the files it imports. */
export type Graph = Map<string, Set<string>>;

/** A graph as read from the files, with the imports that carry types only (`import type`). */
export interface ImportGraph {
  graph: Graph;
  /** Edge keys ({@link edgeKey}) of imports that are type-only. */
  typeOnly: Set<string>;
}

/** An edge as one line: `from -> to`. */
export function edgeKey(edge: Edge): string {
  return `${edge.from} -> ${edge.to}`;
}

/** Every import of a graph. */
export function edgesOf(graph: Graph): Edge[] {
  return [...graph].flatMap(([from, tos]) => [...tos].map((to) => ({ from, to })));
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
