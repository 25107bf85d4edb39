/**
 * Generates README.md's tool reference from the built-in manifests, between
 * `<!-- tools:start -->` and `<!-- tools:end -->`.
 *
 *   deno run -A tests/tools/gen_readme.ts           print the section
 *   deno run -A tests/tools/gen_readme.ts --write   rewrite README.md (then `deno fmt` it)
 *
 * @module
 */

import { orderTools } from "../../src/catalog/mod.ts";
import { DEFAULT_TIMEOUTS, formatMs } from "../../src/guard/deadline.ts";
import { loadManifests } from "../../src/manifest/mod.ts";
import type { ParamSpec, ToolSpec } from "../../src/manifest/types.ts";

/** The README this script maintains. */
export const README = new URL("../../README.md", import.meta.url);
/** The markers around the generated section. */
export const START = "<!-- tools:start -->";
export const END = "<!-- tools:end -->";
/** The command that regenerates the section. */
export const GENERATE_COMMAND = "deno run -A tests/tools/gen_readme.ts --write";

/** The first sentence of a description (abbreviations like "e.g." do not end one). */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const match = /^(.+?[.!?])(?=\s+[A-Z`(])/.exec(flat);
  return match ? match[1] : flat;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function parameters(input: Record<string, ParamSpec>): string {
  const names = Object.entries(input).map(([name, p]) => (p.required ? name : `${name}?`));
  return names.length ? names.join(", ") : "–";
}

function row(tool: ToolSpec): string {
  return `| ${
    [
      `\`${tool.name}\``,
      tool.permission,
      tool.timeout,
      cell(parameters(tool.input)),
      cell(firstSentence(tool.description)),
    ].join(" | ")
  } |`;
}

/** The generated section, markers included. */
export async function renderToolReference(): Promise<string> {
  const { tools, toolsets } = await loadManifests();
  const ordered = orderTools(tools, toolsets);
  const lines = [
    START,
    "<!-- Generated from manifest/ by tests/tools/gen_readme.ts; do not edit by hand. -->",
    "",
    `${ordered.length} tools. Timeout classes and their defaults: ${
      Object.entries(DEFAULT_TIMEOUTS).map(([c, ms]) => `${c} ${formatMs(ms)}`).join(", ")
    }. \`?\` marks an optional parameter.`,
  ];
  const sets = [...toolsets].sort((a, b) => a.order - b.order);
  for (const set of sets) {
    const members = ordered.filter((t) => t.toolset === set.name);
    if (!members.length) continue;
    lines.push(
      "",
      `### ${set.name}`,
      "",
      set.description.trim(),
      "",
      "| tool | level | timeout | parameters | description |",
      "|---|---|---|---|---|",
      ...members.map(row),
    );
  }
  lines.push("", END);
  return lines.join("\n");
}

/** The README text with its tool section replaced; throws when the markers are missing. */
export function replaceSection(readme: string, section: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`README.md needs the markers ${START} and ${END}`);
  }
  return readme.slice(0, start) + section + readme.slice(end + END.length);
}

/** Formats markdown with `deno fmt` and the repository's settings (tables get aligned). */
export async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** README.md as it should be: its tool section regenerated, then formatted. */
export async function expectedReadme(readme: string): Promise<string> {
  return await formatMarkdown(replaceSection(readme, await renderToolReference()));
}

/** The section as it is in README.md now (markers included), or undefined. */
export function currentSection(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  return start < 0 || end < start ? undefined : readme.slice(start, end + END.length);
}

if (import.meta.main) {
  if (Deno.args.includes("--write")) {
    const before = Deno.readTextFileSync(README);
    const after = await expectedReadme(before);
    if (after !== before) Deno.writeTextFileSync(README, after);
    console.log(after === before ? "README.md is up to date" : "README.md tool reference updated");
  } else {
    console.log(await renderToolReference());
  }
}
