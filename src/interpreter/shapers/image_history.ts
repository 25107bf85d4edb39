/**
 * `docker_image_history`: the layers of an image, newest first, with the
 * full `created_by` in the structured result and a cut one in the text.
 *
 * @module
 */

import type { Shaper } from "../handlers/types.ts";
import { applyFields } from "../shape.ts";

/** Characters of `created_by` shown per text line. */
export const CREATED_BY_TEXT_LENGTH = 100;

/** Applies the manifest's fields and renders one short line per layer. */
export const imageHistory: Shaper = (data, ctx) => {
  const items = (Array.isArray(data) ? data : []) as Record<string, unknown>[];
  const layers = items.map((item) => applyFields(item, ctx.spec.output.fields ?? {}));
  const lines = layers.map((l) => {
    const by = String(l.created_by ?? "").replace(/\s+/g, " ").trim();
    const cut = by.length > CREATED_BY_TEXT_LENGTH ? `${by.slice(0, CREATED_BY_TEXT_LENGTH)}…` : by;
    const tags = Array.isArray(l.tags) && l.tags.length ? ` [${l.tags.join(", ")}]` : "";
    return `${l.short_id ?? "<missing>"} ${String(l.created ?? "-").slice(0, 10)} ${l.size_mb}MB ${
      cut || "-"
    }${tags}`;
  });
  return {
    structured: { layers, count: layers.length },
    text: layers.length
      ? `${layers.length} layers (newest first)\nID           CREATED     SIZE  CREATED BY\n${
        lines.join("\n")
      }`
      : "No layers",
  };
};
