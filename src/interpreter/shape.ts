/**
 * Shaping: the engine's answer → structured output + compact text, driven by
 * the manifest's `output` section.
 *
 * @module
 */

import type { FieldSpec, OutputSpec, ParamSpec } from "../manifest/types.ts";
import type { JsonSchema } from "./input.ts";
import { counted } from "./result.ts";
import { TRANSFORMS } from "./transforms.ts";

/** Reads a dot path (`State.Health.Status`, `Names.0`) from a value. */
export function pick(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split(".")) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Applies declarative fields to one engine object. */
export function applyFields(
  item: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const raw = field.from ? pick(item, field.from) : item[name];
    const value = field.transform ? TRANSFORMS[field.transform](raw, item) : raw;
    out[name] = value === undefined ? null : value;
  }
  return out;
}

/** Fills `{field}` placeholders; arrays are joined with commas, null is "-". */
export function renderTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{([a-z0-9_.]+)\}/g, (_, key: string) => {
    const value = pick(values, key);
    if (value === null || value === undefined || value === "") return "-";
    if (Array.isArray(value)) return value.length ? value.join(",") : "-";
    if (typeof value === "object") return compactJson(value);
    return String(value);
  });
}

/** JSON without spaces: the cheapest faithful text for a model. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value);
}

/** The structured form and text of a declarative (non-shaper) output. */
export function shapeDeclarative(
  output: OutputSpec,
  data: unknown,
): { structured: Record<string, unknown>; text: string } {
  if (output.list) {
    const items = (Array.isArray(data) ? data : []) as Record<string, unknown>[];
    const shaped = output.fields ? items.map((i) => applyFields(i, output.fields!)) : items;
    return {
      structured: { [output.list]: shaped, count: shaped.length },
      text: renderList(output, shaped),
    };
  }
  const object = (data ?? {}) as Record<string, unknown>;
  const shaped = output.fields ? applyFields(object, output.fields) : object;
  return {
    structured: shaped,
    text: output.text ? renderTemplate(output.text, shaped) : compactJson(shaped),
  };
}

/** A row template that is nothing but placeholders: `{id} {name} {status}`. */
const COLUMNS_ONLY = /^\{[a-z0-9_.]+\}(?: \{[a-z0-9_.]+\})*$/;
/** Widest a column is padded to; a longer cell runs on rather than widen every row. */
const MAX_PAD = 32;

/**
 * A header line, then one line per item: a table that costs few tokens. When
 * the template is only placeholders and the header names each column, the
 * columns are aligned (a model reads columns by position, as people do).
 */
export function renderList(output: OutputSpec, items: Record<string, unknown>[]): string {
  const noun = output.list ?? "items";
  if (items.length === 0) return `No ${noun}`;
  if (!output.text) return compactJson(items);
  const headers = output.header?.trim().split(/\s+/) ?? [];
  const columns = COLUMNS_ONLY.test(output.text) ? output.text.split(" ") : [];
  const lines = columns.length > 1 && columns.length === headers.length
    ? alignColumns([headers, ...items.map((item) => columns.map((c) => renderTemplate(c, item)))])
    : [
      ...(output.header ? [output.header] : []),
      ...items.map((item) => renderTemplate(output.text!, item)),
    ];
  return `${counted(items.length, noun)}\n${lines.join("\n")}`;
}

/** Rows of cells as lines, every column but the last padded to its width (at most {@link MAX_PAD}). */
export function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) =>
    Math.min(MAX_PAD, Math.max(...rows.map((row) => row[i]?.length ?? 0)))
  );
  return rows.map((row) =>
    row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join(" ")
  );
}

/** A JSON type list for a field, with null when it is nullable. */
function fieldTypes(field: FieldSpec | ParamSpec): string | string[] {
  const types: string[] = Array.isArray(field.type) ? [...field.type] : [field.type];
  if ("nullable" in field && field.nullable) types.push("null");
  return types.length === 1 ? types[0] : types;
}

/**
 * The outputSchema of a tool, from its fields or its declared schema.
 *
 * Published compact on purpose: property names and types only. Field
 * descriptions live in the manifest and the README, and `required` is left out
 * so that the same schema also admits an error result (`{error}`) and a
 * background hand-off (`{operation_id, status}`); the SDK client validates
 * every structuredContent against it, errors included. The whole catalogue must
 * fit a model's tool budget (see the catalogue snapshot test).
 */
export function outputJsonSchema(output: OutputSpec): JsonSchema {
  const fields = output.fields ?? output.schema ?? {};
  const properties: Record<string, JsonSchema> = {};
  for (const [name, field] of Object.entries(fields)) {
    properties[name] = { type: fieldTypes(field) };
  }
  if (output.list) {
    return {
      type: "object",
      properties: { [output.list]: { type: "array" }, count: { type: "integer" } },
    };
  }
  return { type: "object", properties };
}
