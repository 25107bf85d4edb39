/**
 * `docker_image_history`: the layers of an image, newest first, with the
 * full `created_by` in the structured result and a cut one in the text.
 *
 * @module
 */

import { counted, formatBytes } from "../../guard/formats.ts";
import type { Shaper } from "../../interpreter/contract.ts";
import { applyFields } from "../../interpreter/shape.ts";

/** Characters of `created_by` shown per text line. */
export const CREATED_BY_TEXT_LENGTH = 100;

/**
 * The id of a layer the engine has no image for (its own word, as `docker
 * history` prints it): a layer pulled from a registry, or one of a base image.
 */
export const MISSING_LAYER_ID = "<missing>";

/** Applies the manifest's fields and renders one short line per layer. */
export const imageHistory: Shaper = (data, ctx) => {
  const items = (Array.isArray(data) ? data : []) as Record<string, unknown>[];
  const layers: Record<string, unknown>[] = items.map((item) => {
    const layer = applyFields(item, ctx.spec.output.fields ?? {});
    // The text and the structured result show the same id, or the same marker.
    return { ...layer, id: layer.id || MISSING_LAYER_ID };
  });
  const lines = layers.map((l, i) => {
    const by = String(l.created_by ?? "").replace(/\s+/g, " ").trim();
    const cut = by.length > CREATED_BY_TEXT_LENGTH ? `${by.slice(0, CREATED_BY_TEXT_LENGTH)}…` : by;
    const tags = Array.isArray(l.tags) && l.tags.length ? ` [${l.tags.join(", ")}]` : "";
    const created = String(l.created ?? "-").slice(0, 10).padEnd(11);
    // The engine's bytes in the CLI's units (size_mb is MiB, as the manifest says).
    const size = typeof items[i].Size === "number" ? formatBytes(items[i].Size as number) : "?";
    return `${String(l.id).padEnd(12)} ${created} ${size} ${cut || "-"}${tags}`;
  });
  return {
    structured: { layers, count: layers.length },
    text: layers.length
      ? `${
        counted(layers.length, "layers")
      } (newest first)\nID           CREATED     SIZE  CREATED BY\n${lines.join("\n")}`
      : "No layers",
  };
};
