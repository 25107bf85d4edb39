/**
 * `docker_container_top`: the engine's `{Titles, Processes}` as the manifest's
 * fields, and the text as the ps table it is (one line per process).
 *
 * @module
 */

import type { Shaper } from "../../interpreter/contract.ts";
import { counted } from "../../guard/formats.ts";
import { alignColumns, applyFields } from "../../interpreter/shape.ts";

/** Applies the fields and renders an aligned header line plus one line per process. */
export const processTable: Shaper = (data, ctx) => {
  const structured = applyFields(
    (data ?? {}) as Record<string, unknown>,
    ctx.spec.output.fields ?? {},
  );
  const titles = (structured.titles as string[] | null) ?? [];
  const rows = (structured.processes as string[][] | null) ?? [];
  structured.titles = titles;
  structured.processes = rows;
  // Columns aligned as ps prints them; the last (the command) runs on.
  const lines = alignColumns([titles, ...rows]);
  return {
    structured,
    text: rows.length
      ? `${counted(rows.length, "processes")}\n${lines.join("\n")}`
      : "No processes",
  };
};
