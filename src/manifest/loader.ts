/**
 * Loading manifest directories into validated {@link ToolSpec}s. Every error
 * names the file, the line and the field, and loading fails as a whole: a
 * server never starts with part of a bad manifest.
 *
 * @module
 */

import type { Document } from "yaml";
import { importYaml } from "./yaml.ts";
import type { z } from "zod";
import { grantHintFor } from "../errors/mod.ts";
import { bundledManifests } from "./builtin.ts";
import { BUNDLE } from "./bundle.ts";
import { checkAlso, checkOutputLanguage } from "./output_check.ts";
import type { toolFileSchema } from "./schema.ts";
import {
  type LoadedManifests,
  type OutputSpec,
  type ParamSpec,
  READ_METHODS,
  type RequestSpec,
  type ToolsetSpec,
  type ToolSpec,
} from "./types.ts";

/** One problem in one manifest file. */
export interface ManifestProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

/** Thrown when any manifest is invalid; carries every problem found. */
export class ManifestError extends Error {
  readonly problems: ManifestProblem[];
  constructor(problems: ManifestProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ManifestError";
    this.problems = problems;
  }
}

/** `file:line: field: message`, the form editors can jump to. */
export function formatProblem(p: ManifestProblem): string {
  return `${p.file}:${p.line}: ${p.field || "(file)"}: ${p.message}`;
}

/** The directory of the manifests shipped with berth (embedded in binaries). */
export const BUILTIN_MANIFEST_DIR = new URL("../../manifest/", import.meta.url);

export type { LoadedManifests } from "./types.ts";

/**
 * Loads the built-in manifests and then each extra directory in turn; a tool
 * of the same name in a later directory replaces the earlier one. The
 * built-in ones come from their bundle when it matches manifest/
 * (src/manifest/builtin.ts); extra directories are always parsed.
 */
export async function loadManifests(extraDirs: string[] = []): Promise<LoadedManifests> {
  const builtin = bundledManifests(BUILTIN_MANIFEST_DIR.pathname);
  if (!builtin) return await parseManifestDirs([BUILTIN_MANIFEST_DIR.pathname, ...extraDirs]);
  if (!extraDirs.length) return builtin;
  return await parseManifestDirs(extraDirs, builtin);
}

/**
 * Parses and validates the YAML of manifest roots in turn, on top of
 * manifests already loaded (`base`); throws a {@link ManifestError} naming
 * every problem.
 */
export async function parseManifestDirs(
  roots: string[],
  base: LoadedManifests = { tools: [], toolsets: [] },
): Promise<LoadedManifests> {
  const problems: ManifestProblem[] = [];
  const tools = new Map(base.tools.map((tool) => [tool.name, tool]));
  const toolsets = new Map(base.toolsets.map((toolset) => [toolset.name, toolset]));
  for (const root of roots) {
    await loadRoot(root, tools, toolsets, problems);
  }
  if (problems.length) throw new ManifestError(problems);
  return { tools: [...tools.values()], toolsets: [...toolsets.values()] };
}

async function loadRoot(
  root: string,
  tools: Map<string, ToolSpec>,
  toolsets: Map<string, ToolsetSpec>,
  problems: ManifestProblem[],
): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(root)].sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    problems.push({ file: root, line: 0, field: "", message: unreadableDir(root, error) });
    return;
  }
  // A user's tools name built-in handlers at those handlers' levels only.
  const check = root === BUILTIN_MANIFEST_DIR.pathname ? checkTool : checkUserTool;
  // Files directly in a user's directory form the toolset "custom", or the one
  // its toolset.yaml names; sub-directories are toolsets of their own.
  await loadToolsetDir(root, "custom", tools, toolsets, problems, check);
  for (const entry of entries) {
    if (entry.isDirectory) {
      await loadToolsetDir(
        `${root.replace(/\/$/, "")}/${entry.name}`,
        entry.name,
        tools,
        toolsets,
        problems,
        check,
      );
    }
  }
}

/** The levels of the built-in tools that use each handler (from the bundle of manifest/). */
let handlerLevels: Map<string, Set<string>> | undefined;

/**
 * A user's tool that names a handler declares the level of the built-in
 * tools that use it: levels are grants (docs/security.md rule 4), and
 * `permission: lifecycle` over `handler: exec_command` would run commands
 * for an operator who granted lifecycle alone.
 */
function checkUserTool(tool: ToolFile): { path: (string | number)[]; message: string }[] {
  const problems = checkTool(tool);
  if (!tool.handler) return problems;
  if (!handlerLevels) {
    handlerLevels = new Map();
    for (const builtin of BUNDLE.tools) {
      if (!builtin.handler) continue;
      const levels = handlerLevels.get(builtin.handler) ?? new Set();
      handlerLevels.set(builtin.handler, levels.add(builtin.permission));
    }
  }
  const levels = handlerLevels.get(tool.handler);
  // A read tool over a handler that writes is refused by checkTool already.
  const refused = problems.some((p) => p.path[0] === "permission");
  if (levels && !levels.has(tool.permission) && !refused) {
    const named = [...levels].join(" or ");
    problems.push({
      path: ["permission"],
      message: `'${tool.handler}' is the handler of built-in tools of level ${named}; ` +
        `declare permission: ${named}`,
    });
  }
  return problems;
}

async function loadToolsetDir(
  dir: string,
  defaultName: string,
  tools: Map<string, ToolSpec>,
  toolsets: Map<string, ToolsetSpec>,
  problems: ManifestProblem[],
  check: typeof checkTool,
): Promise<void> {
  const files = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
  if (files.length === 0) return;
  // The parser and the schemas load with the first file: a start from the
  // bundled built-in manifests needs neither (src/manifest/builtin.ts).
  const { toolFileSchema, toolsetFileSchema } = await import("./schema.ts");
  let toolset: ToolsetSpec = { name: defaultName, description: `Tools from ${dir}`, order: 1000 };
  if (files.includes("toolset.yaml")) {
    const parsed = await parseFile(`${dir}/toolset.yaml`, toolsetFileSchema, problems);
    if (parsed) toolset = parsed as ToolsetSpec;
  }
  if (!toolsets.has(toolset.name)) toolsets.set(toolset.name, toolset);
  for (const file of files) {
    if (file === "toolset.yaml") continue;
    const path = `${dir}/${file}`;
    const parsed = await parseFile(path, toolFileSchema, problems, check);
    if (!parsed) continue;
    tools.set(
      parsed.name,
      {
        ...(parsed as Omit<ToolSpec, "toolset" | "source">),
        toolset: toolset.name,
        source: path,
      } as ToolSpec,
    );
  }
}

/** Why a directory cannot be read; a sandbox refusal names the flag to add and where. */
function unreadableDir(root: string, error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) {
    // setup --manifest both grants and loads it, where --read would drop the --manifest.
    return `Deno's sandbox refused to read this directory. ${
      grantHintFor("--manifest", "read", [root])
    }`;
  }
  return `cannot read directory: ${(error as Error).message}`;
}

/** Reads, parses and validates one YAML file, recording problems with lines. */
export async function parseFile<S extends z.ZodType>(
  path: string,
  schema: S,
  problems: ManifestProblem[],
  extraCheck?: (value: z.infer<S>) => { path: (string | number)[]; message: string }[],
): Promise<z.infer<S> | undefined> {
  const source = await Deno.readTextFile(path);
  const { LineCounter, parseDocument } = await importYaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      problems.push({
        file: path,
        line: e.linePos?.[0]?.line ?? 0,
        field: "",
        message: e.message.split("\n")[0],
      });
    }
    return undefined;
  }
  const lineOf = (fieldPath: (string | number | symbol)[]) => {
    for (let n = fieldPath.length; n >= 0; n--) {
      const node = doc.getIn(fieldPath.slice(0, n) as (string | number)[], true) as
        | { range?: [number, number, number] }
        | undefined;
      const pairKey = n > 0
        ? findKeyNode(doc, fieldPath.slice(0, n) as (string | number)[])
        : undefined;
      const offset = pairKey ?? node?.range?.[0];
      if (offset !== undefined) return lineCounter.linePos(offset).line;
    }
    return 1;
  };
  // reportInput tells a missing key (no input) from a wrongly typed one.
  const result = schema.safeParse(doc.toJS(), { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      // One problem per unknown key, at the key's own line.
      const paths = issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => [...issue.path, key])
        : [issue.path];
      for (const fieldPath of paths) {
        problems.push({
          file: path,
          line: lineOf(fieldPath),
          field: fieldPath.join("."),
          message: describeIssue(issue),
        });
      }
    }
    return undefined;
  }
  const extra = extraCheck?.(result.data) ?? [];
  for (const p of extra) {
    problems.push({
      file: path,
      line: lineOf(p.path),
      field: p.path.join("."),
      message: p.message,
    });
  }
  return extra.length ? undefined : result.data;
}

function findKeyNode(
  doc: Document.Parsed,
  path: (string | number)[],
): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const items = (parent as { items?: { key?: { value?: unknown; range?: number[] } }[] })?.items;
  const key = path[path.length - 1];
  const pair = items?.find((item) => item?.key?.value === key);
  return pair?.key?.range?.[0];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return "unknown key";
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `is required (${issue.expected})`;
  }
  return issue.message;
}

type ToolFile = z.infer<typeof toolFileSchema>;

/**
 * The handlers that only read the engine (those of the built-in read tools);
 * a read tool may name no other. The policy engine holds a read-level call to
 * GET and HEAD as well: this list makes the mistake a load error, not a denial.
 */
const READ_HANDLERS = new Set([
  "compose_logs",
  "compose_ps",
  "container_logs",
  "container_stats",
  "diagnose",
  "events",
  "list_engines",
  "operation_status",
  // Swarm (manifest/swarm).
  "inspect_config",
  "inspect_node",
  "inspect_secret",
  "inspect_service",
  "list_configs",
  "list_nodes",
  "list_secrets",
  "list_services",
  "list_tasks",
  "service_logs",
  "stack_list",
  "stack_ps",
  "swarm_info",
]);

/** Checks that need the whole file: every name a route uses is a declared, checked input. */
function checkTool(tool: ToolFile): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const input = tool.input as Record<string, ParamSpec>;
  const request = tool.request;
  if (request && tool.permission === "read" && !READ_METHODS.has(request.method)) {
    problems.push({
      path: ["permission"],
      message: `a read tool may only send GET or HEAD, but this route is ` +
        `${request.method} ${request.path} and changes the engine; declare permission: ` +
        `lifecycle (or the level that fits) for a POST/PUT/DELETE route`,
    });
  }
  if (tool.handler && tool.permission === "read" && !READ_HANDLERS.has(tool.handler)) {
    problems.push({
      path: ["permission"],
      message: `a read tool may only use a handler that reads the engine ` +
        `(${[...READ_HANDLERS].join(", ")}), not '${tool.handler}'; declare the level of ` +
        `the built-in tool that uses '${tool.handler}'`,
    });
  }
  const names = new Set(Object.keys(input));
  for (const [name, param] of Object.entries(input)) {
    const target = param.into?.split(".")[0];
    if (target !== undefined && input[target]?.type !== "object") {
      problems.push({
        path: ["input", name, "into"],
        message: `'${target}' must be an object parameter of this tool`,
      });
    }
    for (const alias of param.aliases ?? []) {
      if (names.has(alias)) {
        problems.push({
          path: ["input", name, "aliases"],
          message: `'${alias}' is already the name of a parameter or of another one's alias`,
        });
      }
      names.add(alias);
    }
  }
  if (request) {
    for (const [, name] of request.path.matchAll(/\{([^}]+)\}/g)) {
      const param = input[name];
      if (!param) {
        problems.push({
          path: ["request", "path"],
          message: `path parameter '${name}' is not a declared input`,
        });
      } else if (
        !param.required || (param.format !== "name_or_id" && param.format !== "image_ref")
      ) {
        problems.push({
          path: ["input", name],
          message: "a path parameter must be required and have format name_or_id or image_ref",
        });
      }
    }
    for (const section of ["query", "body"] as const) {
      for (const [key, mapping] of Object.entries(request[section] ?? {})) {
        const from = typeof mapping === "string"
          ? mapping
          : "from" in mapping
          ? mapping.from
          : undefined;
        if (from !== undefined && !input[from]) {
          problems.push({
            path: ["request", section, key],
            message: `'${from}' is not a declared input`,
          });
        }
      }
    }
    for (const [kind, name] of Object.entries(request.target ?? {})) {
      if (name && !input[name]) {
        problems.push({
          path: ["request", "target", kind],
          message: `'${name}' is not a declared input`,
        });
      }
    }
    if (!tool.response) {
      problems.push({ path: ["response"], message: "a request needs a response section" });
    }
    problems.push(...checkAlso(request as RequestSpec, input));
  }
  if (!tool.output.fields && !tool.output.schema) {
    problems.push({ path: ["output"], message: "declare the output: 'fields' or 'schema'" });
  }
  problems.push(...checkOutputLanguage(tool.output as OutputSpec));
  return problems;
}
