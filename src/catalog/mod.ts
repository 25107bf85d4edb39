/**
 * The catalogue a session sees: tools filtered by granted levels and chosen
 * toolsets, in a fixed order. Knows nothing of Docker.
 *
 * @module
 */

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
    (rank.get(a.toolset) ?? 1000) - (rank.get(b.toolset) ?? 1000) || a.name.localeCompare(b.name)
  );
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
