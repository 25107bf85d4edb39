/**
 * Shaping: the engine's answer → structured output + compact text, driven by
 * the manifest's `output` section.
 *
 * @module
 */

import {
  type Expression,
  type FieldSpec,
  type OutputSpec,
  type ParamSpec,
  parseExpression,
  parseTemplate,
  type Placeholder,
  type Template,
  type TextLine,
  VariableArg,
} from "../manifest/mod.ts";
import { BerthError } from "../errors/mod.ts";
import { FILTERS, type FilterScope, isEmpty, isTrue } from "./filters.ts";
import type { JsonSchema } from "./input.ts";
import { alignColumns, counted } from "../guard/formats.ts";
import { TRANSFORMS } from "../docker/transforms.ts";

/** Dot paths split once: a list shapes every item by the same few (manifests name them). */
const paths = new Map<string, string[]>();
const MAX_PATHS = 1024;

/** Reads a dot path (`State.Health.Status`, `Names.0`) from a value. */
export function pick(value: unknown, path: string): unknown {
  let keys = paths.get(path);
  if (!keys) {
    if (paths.size >= MAX_PATHS) paths.clear();
    paths.set(path, keys = path.split("."));
  }
  return pickKeys(value, keys);
}

function pickKeys(value: unknown, keys: string[]): unknown {
  let current: unknown = value;
  for (const part of keys) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * The variables an output's expressions may read besides the current value:
 * `$args` (the call's arguments), `$answer` (the engine's answer),
 * `$api_version` (the API version berth uses) and, where they apply,
 * `$item`, `$count` and `$parts`.
 */
export type ShapeVars = Record<string, unknown>;

// Templates and expressions are parsed once (the loader has checked them).
const templates = new Map<string, Template>();
const expressions = new Map<string, Expression>();

function template(source: string): Template {
  let parsed = templates.get(source);
  if (!parsed) templates.set(source, parsed = parseTemplate(source));
  return parsed;
}

function expression(source: string): Expression {
  let parsed = expressions.get(source);
  if (!parsed) expressions.set(source, parsed = parseExpression(source));
  return parsed;
}

/**
 * Work one shaping may do, in units: one per evaluation and per filter, plus
 * the length of every list or text a filter reads and answers (what its work
 * grows with). A 5,000-item list takes about 1,000,000.
 */
const MAX_WORK = 64_000_000;
/** Characters one shaping may render, and the longest text one filter may answer. */
const MAX_CHARS = 16 * 1024 * 1024;
/** How deep `each` may render templates inside templates. */
const MAX_DEPTH = 16;

/** What a value weighs for the work budget: a list's items, a text's characters, an object's keys. */
function size(value: unknown): number {
  if (Array.isArray(value) || typeof value === "string") return value.length;
  return value && typeof value === "object" ? Object.keys(value).length : 0;
}

/**
 * What one shaping may spend. A manifest's templates can render each other
 * through `each`, so the work multiplies with every level (a user's tool of
 * six levels over 60 items is 60^6 renders), a filter over a long list run
 * once per item of it is quadratic, and shaping runs on the event loop,
 * where no deadline can stop it (docs/security.md rule 8): past a bound the
 * call answers DKR-004 naming the manifest, the server goes on.
 */
class Budget {
  #work = 0;
  #chars = 0;
  depth = 0;

  spend(units: number): void {
    this.#work += 1 + units;
    if (this.#work > MAX_WORK) throw tooCostly(`more than ${MAX_WORK} units of work`);
  }

  text(value: unknown): void {
    if (typeof value !== "string") return;
    this.#chars += value.length;
    if (value.length > MAX_CHARS || this.#chars > MAX_CHARS) {
      throw tooCostly(`more than ${MAX_CHARS} characters`);
    }
  }
}

/** The refusal of an output that costs too much; the interpreter adds the manifest's file. */
export function tooCostly(what: string): BerthError {
  return new BerthError("invalid_input", `output: rendering the answer needs ${what}`, {
    hint: "Render less in the manifest's output: fewer levels of 'each' through " +
      "output.templates (a template must not render itself), shorter texts",
  });
}

/** What expressions of one output see. */
class Scope implements FilterScope {
  constructor(
    readonly current: unknown,
    readonly vars: ShapeVars,
    readonly templates: Record<string, Template>,
    readonly budget: Budget = new Budget(),
  ) {}

  /** The same variables, another current value (and more variables). */
  at(current: unknown, more?: ShapeVars): Scope {
    // Variables are never changed: a scope without new ones shares its parent's.
    const vars = more === undefined ? this.vars : { ...this.vars, ...more };
    return new Scope(current, vars, this.templates, this.budget);
  }

  render(t: Template, current: unknown): string | undefined {
    const budget = this.budget;
    if (++budget.depth > MAX_DEPTH) throw tooCostly(`'each' nested more than ${MAX_DEPTH} deep`);
    try {
      return renderParsed(t, this.at(current));
    } finally {
      budget.depth--;
    }
  }

  static of(output: OutputSpec, current: unknown, vars: ShapeVars): Scope {
    const named = Object.fromEntries(
      Object.entries(output.templates ?? {}).map(([name, source]) => [name, template(source)]),
    );
    return new Scope(current, vars, named);
  }
}

/** Evaluates an expression: the first alternative that is not empty, through the filters. */
function evaluate(e: Expression, scope: Scope): unknown {
  const budget = scope.budget;
  budget.spend(0);
  let value: unknown;
  for (const path of e.paths) {
    const root = path.variable === undefined ? scope.current : scope.vars[path.variable];
    value = pickKeys(root, path.keys);
    if (!isEmpty(value)) break;
  }
  for (const f of e.filters) {
    const args = f.args.map((a) =>
      a instanceof VariableArg ? pickKeys(scope.vars[a.path.variable!], a.path.keys) : a
    );
    let read = size(value);
    for (const arg of args) read += size(arg);
    value = FILTERS[f.name](value, args, scope);
    budget.spend(read + size(value));
    if (typeof value === "string" && value.length > MAX_CHARS) {
      throw tooCostly(`a text of more than ${MAX_CHARS} characters`);
    }
  }
  return value;
}

/** Evaluates an expression's text against variables alone (`request.also`'s `when`). */
export function evaluateWith(source: string, vars: ShapeVars): unknown {
  return evaluate(expression(source), new Scope(undefined, vars, {}));
}

/** The entries of a manifest's fields, listed once per output rather than once per item. */
const fieldEntries = new WeakMap<Record<string, FieldSpec>, [string, FieldSpec][]>();

function entriesOf(fields: Record<string, FieldSpec>): [string, FieldSpec][] {
  let entries = fieldEntries.get(fields);
  if (!entries) fieldEntries.set(fields, entries = Object.entries(fields));
  return entries;
}

/** Applies declarative fields to one engine object. */
export function applyFields(
  item: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
  scope: Scope = new Scope(item, {}, {}),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The item's scope, made only for the fields that read one (most only pick and transform).
  let scoped: Scope | undefined;
  const here = () => scoped ??= scope.at(item, { item });
  for (const [name, field] of entriesOf(fields)) {
    let value = field.value
      ? evaluate(expression(field.value), here())
      : field.from
      ? pick(item, field.from)
      : item[name];
    if (field.transform) value = TRANSFORMS[field.transform](value, item);
    if ((value === null || value === undefined || value === "") && field.default !== undefined) {
      value = field.default;
    }
    if (field.fields && Array.isArray(value)) {
      const nested = field.fields;
      const parent = here();
      value = value.map((v) => applyFields((v ?? {}) as Record<string, unknown>, nested, parent));
    }
    out[name] = value === undefined ? null : value;
  }
  return out;
}

/** A value as template text: arrays joined with commas, objects as JSON; undefined when empty. */
function shown(value: unknown): string | undefined {
  if (isEmpty(value)) return undefined;
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "object") return compactJson(value);
  return String(value);
}

function renderPlaceholder(p: Placeholder, scope: Scope): string | undefined {
  const text = shown(evaluate(p.expression, scope));
  if (text !== undefined) return text;
  if (p.optional) return undefined;
  return p.fallback ?? "-";
}

/** A parsed template's text; undefined when an optional placeholder `{?x}` is empty. */
function renderParsed(t: Template, scope: Scope): string | undefined {
  let out = "";
  for (const piece of t) {
    if (typeof piece === "string") {
      out += piece;
      continue;
    }
    const text = renderPlaceholder(piece, scope);
    if (text === undefined) return undefined;
    out += text;
  }
  scope.budget.text(out);
  return out;
}

/** Fills `{field}` placeholders; arrays are joined with commas, null is "-". */
export function renderTemplate(source: string, values: Record<string, unknown>): string {
  return renderParsed(template(source), new Scope(values, {}, {})) ?? "";
}

/** JSON without spaces: the cheapest faithful text for a model. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value);
}

/** The lines of one text line spec (none when it is left out). */
function renderLine(line: string | TextLine, scope: Scope): string[] {
  if (typeof line === "string") {
    const text = renderParsed(template(line), scope);
    return text === undefined ? [] : [text];
  }
  const when = typeof line.when === "string" ? [line.when] : line.when ?? [];
  if (!when.every((w) => isTrue(evaluate(expression(w), scope)))) return [];
  if (line.table) {
    const header = (evaluate(expression(line.table.header), scope) ?? []) as unknown[];
    const rows = (evaluate(expression(line.table.rows), scope) ?? []) as unknown[][];
    const cells = (row: unknown) => (Array.isArray(row) ? row : []).map((c) => String(c ?? ""));
    return alignColumns([cells(header), ...rows.map(cells)]);
  }
  let parts: string | undefined;
  if (line.parts) {
    parts = line.parts.flatMap((p) => renderLine(p, scope)).join(line.sep ?? " ");
    if (!parts && line.text === undefined) return [];
  }
  if (line.text === undefined) return parts === undefined ? [] : [parts];
  const text = renderParsed(template(line.text), scope.at(scope.current, { parts }));
  return text === undefined ? [] : [text];
}

/** The text of an object output: its template or its lines; compact JSON without one. */
function renderObject(output: OutputSpec, scope: Scope): string {
  const text = output.text;
  if (!text) return compactJson(scope.current);
  const lines = typeof text === "string" ? [text] : text;
  return lines.flatMap((line) => renderLine(line, scope)).join("\n");
}

/** The structured form and text of a declarative (non-shaper) output. */
export function shapeDeclarative(
  output: OutputSpec,
  data: unknown,
  vars: ShapeVars = {},
): { structured: Record<string, unknown>; text: string } {
  const scope = Scope.of(output, data, { ...vars, answer: data });
  const answer = output.from ? pick(data, output.from) : data;
  if (output.list) {
    const items = (Array.isArray(answer) ? answer : []) as Record<string, unknown>[];
    let rows = items.map((item) => ({
      item,
      shaped: output.fields ? applyFields(item, output.fields, scope) : item,
    }));
    const key = output.sort;
    if (key) {
      rows = rows.slice().sort((a, b) =>
        String(a.shaped[key]).localeCompare(String(b.shaped[key]))
      );
    }
    const shaped = rows.map((r) => r.shaped);
    const structured = { [output.list]: shaped, count: shaped.length };
    return {
      structured,
      text: renderRows(output, rows, scope.at(structured, { count: shaped.length })),
    };
  }
  const object = (answer ?? {}) as Record<string, unknown>;
  const shaped = output.fields ? applyFields(object, output.fields, scope) : object;
  return { structured: shaped, text: renderObject(output, scope.at(shaped)) };
}

/** A row template that is nothing but placeholders: `{id} {name} {status}`. */
const COLUMNS_ONLY = /^\{[a-z0-9_.]+\}(?: \{[a-z0-9_.]+\})*$/;

/**
 * A header line, then one line per item: a table that costs few tokens. When
 * the template is only placeholders and the header names each column, the
 * columns are aligned (a model reads columns by position, as people do).
 */
export function renderList(output: OutputSpec, items: Record<string, unknown>[]): string {
  const scope = Scope.of(output, { [output.list ?? "items"]: items }, { count: items.length });
  return renderRows(output, items.map((shaped) => ({ item: shaped, shaped })), scope);
}

function renderRows(
  output: OutputSpec,
  rows: { item: Record<string, unknown>; shaped: Record<string, unknown> }[],
  scope: Scope,
): string {
  const noun = output.list ?? "items";
  const row = typeof output.text === "string" ? output.text : undefined;
  if (rows.length === 0) return `No ${noun}`;
  if (!row) return compactJson(rows.map((r) => r.shaped));
  // One scope per row, whatever its number of columns.
  const at = (r: (typeof rows)[number]) => scope.at(r.shaped, { item: r.item });
  const render = (source: string, rowScope: Scope) =>
    renderParsed(template(source), rowScope) ?? "";
  const headers = output.header?.trim().split(/\s+/) ?? [];
  const columns = COLUMNS_ONLY.test(row) ? row.split(" ") : [];
  const lines = columns.length > 1 && columns.length === headers.length
    ? alignColumns([
      headers,
      ...rows.map((r) => {
        const rowScope = at(r);
        return columns.map((c) => render(c, rowScope));
      }),
    ])
    : [...(output.header ? [output.header] : []), ...rows.map((r) => render(row, at(r)))];
  const title = output.title
    ? renderParsed(template(output.title), scope) ?? ""
    : counted(rows.length, noun);
  return `${title}\n${lines.join("\n")}`;
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
    if (!field.hidden) properties[name] = { type: fieldTypes(field) };
  }
  if (output.list) {
    return {
      type: "object",
      properties: { [output.list]: { type: "array" }, count: { type: "integer" } },
    };
  }
  return { type: "object", properties };
}
