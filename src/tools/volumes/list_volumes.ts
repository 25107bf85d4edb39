/**
 * `docker_list_volumes`: the engine answers `{Volumes, Warnings}`, not an
 * array, so the manifest's fields are applied to `Volumes`.
 *
 * @module
 */

import type { Shaper } from "../../interpreter/contract.ts";
import { shapeDeclarative } from "../../interpreter/shape.ts";

/** Sorts volumes by name and applies the manifest's fields. */
export const volumeList: Shaper = (data, ctx) => {
  const volumes = ((data as { Volumes?: Record<string, unknown>[] | null })?.Volumes ?? [])
    .slice()
    .sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
  return shapeDeclarative(ctx.spec.output, volumes);
};
