/**
 * The full built-in catalogue as clients see it, shared by the snapshot test,
 * its update script, the README generator and the bench.
 *
 * @module
 */

import { type App, createApp } from "../../src/app/mod.ts";
import { type CliOptions, loadConfig } from "../../src/config/mod.ts";
import { listedTool, type ToolDefinition } from "../../src/interpreter/mod.ts";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

/** Where the per-tool snapshots live. */
export const SNAPSHOT_DIR = new URL("../snapshots/tools/", import.meta.url);

/** The command that refreshes the snapshots (printed by the test on a diff). */
export const UPDATE_COMMAND = "deno run -A tests/tools/update_snapshots.ts";

/**
 * An app over the built-in manifests only: no config file, no environment
 * (so neither BERTH_MANIFESTS nor a user's config can change the result).
 */
export async function builtinApp(options: CliOptions = { allow: "all" }): Promise<App> {
  return await createApp(loadConfig(options, () => undefined));
}

/** The tools/list entries of the full catalogue (`--allow all`), in order. */
export async function fullCatalog(): Promise<{ app: App; definitions: ToolDefinition[] }> {
  const app = await builtinApp();
  const definitions = app.tools.map((t) => app.interpreter.definition(t.name)!);
  return { app, definitions };
}

/** A copy with object keys sorted at every depth (arrays keep their order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

/** The snapshot text of one definition: sorted keys, 2-space indent, trailing newline. */
export function snapshotText(definition: ToolDefinition): string {
  return `${JSON.stringify(sortKeys(definition), null, 2)}\n`;
}

/** The snapshot files on disk, by tool name. */
export function readSnapshots(): Map<string, string> {
  const out = new Map<string, string>();
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(SNAPSHOT_DIR)];
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const entry of entries) {
    if (entry.isFile && entry.name.endsWith(".json")) {
      out.set(
        entry.name.slice(0, -".json".length),
        Deno.readTextFileSync(new URL(entry.name, SNAPSHOT_DIR)),
      );
    }
  }
  return out;
}

/**
 * Tokens as current models count them: the o200k_base encoding (GPT-4o and
 * later), exact, not estimated from bytes.
 */
export function tokens(text: string): number {
  return countTokens(text);
}

/** The `tools/list` answer of an app's catalogue, as the server sends it by default. */
export function listText(app: App): string {
  const tools = app.tools.map((t) => listedTool(app.interpreter.definition(t.name)!, app.config));
  return JSON.stringify({ tools });
}
