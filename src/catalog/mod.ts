/**
 * The catalogue a session sees: tools filtered by granted levels and chosen
 * toolsets, in a fixed order. Knows nothing of Docker.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import type { Level, ToolsetSpec, ToolSpec } from "../manifest/types.ts";

/** What decides visibility. */
export interface CatalogOptions {
  allowsLevel: (level: Level) => boolean;
  /** Only these toolsets; undefined means all. */
  toolsets?: string[];
}

/** Orders tools by their toolset's order, then by name, so lists never shuffle. */
export function orderTools(tools: ToolSpec[], toolsets: ToolsetSpec[]): ToolSpec[] {
  const rank = new Map(toolsets.map((t) => [t.name, t.order]));
  return [...tools].sort((a, b) =>
    (rank.get(a.toolset) ?? 1000) - (rank.get(b.toolset) ?? 1000) || compareNames(a.name, b.name)
  );
}

const NAME = /^[a-z0-9_]*$/;

/** A name character's place: `_`, then the digits, then the letters. */
const place = (code: number) => (code === 95 ? 0 : code <= 57 ? code - 47 : code - 86);

/**
 * `a.localeCompare(b)` for tool names, without its cost at start: the first
 * `localeCompare` sets up ICU's collator, 8 ms of every start
 * (docs/performance.md). For names of `a-z`, `0-9` and `_` (all that
 * manifests accept) the collator's order is `_` before digits before letters,
 * character by character, a prefix first; other names go to `localeCompare`.
 */
export function compareNames(a: string, b: string): number {
  if (!NAME.test(a) || !NAME.test(b)) return a.localeCompare(b);
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = place(a.charCodeAt(i)) - place(b.charCodeAt(i));
    if (difference) return difference;
  }
  return a.length - b.length;
}

/** The tools a session may list and call. */
export function visibleTools(
  tools: ToolSpec[],
  toolsets: ToolsetSpec[],
  options: CatalogOptions,
): ToolSpec[] {
  const chosen = options.toolsets ? new Set(options.toolsets) : undefined;
  return orderTools(tools, toolsets).filter((t) =>
    options.allowsLevel(t.permission) && (!chosen || chosen.has(t.toolset))
  );
}

/** Names of toolsets that are not known, for a clear start-up error. */
export function unknownToolsets(requested: string[], toolsets: ToolsetSpec[]): string[] {
  const known = new Set(toolsets.map((t) => t.name));
  return requested.filter((name) => !known.has(name));
}

/**
 * The listed tool a mistyped name most likely meant: the same words in
 * another order (`docker_top_container` → `docker_container_top`), the
 * `docker_` prefix left out, or a word missing or extra. Undefined when
 * nothing shares enough words to be a fair guess.
 */
export function nearestToolName(name: string, names: readonly string[]): string | undefined {
  const words = (n: string) => new Set(n.toLowerCase().replace(/^docker_/, "").split(/[_\s-]+/));
  const wanted = words(name);
  let best: { name: string; score: number } | undefined;
  for (const candidate of names) {
    const have = words(candidate);
    const shared = [...wanted].filter((w) => have.has(w)).length;
    // Jaccard similarity of the word sets: order does not matter, extra words cost.
    const score = shared / (wanted.size + have.size - shared);
    if (shared > 0 && score >= 0.5 && score > (best?.score ?? 0)) best = { name: candidate, score };
  }
  return best?.name;
}

/**
 * What every surface says of a tool name no manifest loaded: the message,
 * and the name among `names` it most likely meant ({@link nearestToolName}).
 */
export function unknownTool(
  name: string,
  names: readonly string[],
): { message: string; near: string | undefined } {
  return { message: `Unknown tool '${name}'`, near: nearestToolName(name, names) };
}

/**
 * The DKR-004 error for an unknown tool name. The hint offers the nearest of
 * `names`, then `listHint`: where the caller's surface lists its tools,
 * written to follow "Otherwise" ("list the tools with …").
 */
export function unknownToolError(
  name: string,
  names: readonly string[],
  listHint: string,
): BerthError {
  const { message, near } = unknownTool(name, names);
  const hint = near
    ? `Did you mean ${near}? Otherwise ${listHint}`
    : listHint.charAt(0).toUpperCase() + listHint.slice(1);
  return new BerthError("invalid_input", message, { hint });
}
