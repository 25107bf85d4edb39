/**
 * Load-time checks of a manifest's `output` written in the manifest language
 * (expr.ts): every expression and template parses, `each` names a template
 * of the file, `sort` names a field. Filter names are checked by the
 * interpreter, which has them (a manifest naming an unknown one stops the
 * server at start).
 *
 * @module
 */

import {
  type Expression,
  ExpressionError,
  filterNames,
  parseExpression,
  parseTemplate,
  type Template,
} from "./expr.ts";
import type { FieldSpec, OutputSpec, ParamSpec, RequestSpec, TextLine } from "./types.ts";

/** One problem, at a path into the manifest. */
export interface OutputProblem {
  path: (string | number)[];
  message: string;
}

/** Filter names of outputs: found once, or read from the bundle (src/manifest/builtin.ts). */
const FILTER_NAMES = new WeakMap<OutputSpec, readonly string[]>();

/**
 * Every filter name an output's expressions and templates use, each once, in
 * order of first use. Finding them parses the whole output, 8–9 ms of cold
 * parser code for the built-in tools at every start, so the bundle of built-in
 * manifests carries them ({@link rememberFilterNames}; docs/performance.md).
 */
export function outputFilterNames(output: OutputSpec): readonly string[] {
  let names = FILTER_NAMES.get(output);
  if (!names) {
    names = [
      ...new Set(
        outputLanguage(output).flatMap(({ kind, source }) =>
          filterNames(kind === "template" ? parseTemplate(source) : parseExpression(source))
        ),
      ),
    ];
    FILTER_NAMES.set(output, names);
  }
  return names;
}

/**
 * Records the filter names of an output as {@link outputFilterNames} found
 * them when the bundle was built (its fingerprint says the YAML has not changed
 * since, and tests/unit/manifest_bundle_test.ts that the bundle is current).
 */
export function rememberFilterNames(output: OutputSpec, names: readonly string[]): void {
  FILTER_NAMES.set(output, names);
}

/** Every template and expression of an output, with where it is written. */
export function outputLanguage(output: OutputSpec): {
  path: (string | number)[];
  kind: "template" | "expression";
  source: string;
}[] {
  const found: ReturnType<typeof outputLanguage> = [];
  const fields = (map: Record<string, FieldSpec> | undefined, at: (string | number)[]) => {
    for (const [name, field] of Object.entries(map ?? {})) {
      if (field.value) {
        found.push({ path: [...at, name, "value"], kind: "expression", source: field.value });
      }
      fields(field.fields, [...at, name, "fields"]);
    }
  };
  fields(output.fields, ["output", "fields"]);
  const line = (l: string | TextLine, at: (string | number)[]) => {
    if (typeof l === "string") return found.push({ path: at, kind: "template", source: l });
    if (l.text !== undefined) {
      found.push({ path: [...at, "text"], kind: "template", source: l.text });
    }
    const when = typeof l.when === "string" ? [l.when] : l.when ?? [];
    when.forEach((source, i) =>
      found.push({
        path: typeof l.when === "string" ? [...at, "when"] : [...at, "when", i],
        kind: "expression",
        source,
      })
    );
    if (l.table) {
      found.push({ path: [...at, "table", "header"], kind: "expression", source: l.table.header });
      found.push({ path: [...at, "table", "rows"], kind: "expression", source: l.table.rows });
    }
    l.parts?.forEach((p, i) => line(p, [...at, "parts", i]));
  };
  if (typeof output.text === "string") line(output.text, ["output", "text"]);
  else output.text?.forEach((l, i) => line(l, ["output", "text", i]));
  if (output.title) {
    found.push({ path: ["output", "title"], kind: "template", source: output.title });
  }
  for (const [name, source] of Object.entries(output.templates ?? {})) {
    found.push({ path: ["output", "templates", name], kind: "template", source });
  }
  return found;
}

function eachNames(parsed: Template | Expression): string[] {
  const expressions = Array.isArray(parsed)
    ? parsed.flatMap((p) => (typeof p === "string" ? [] : [p.expression]))
    : [parsed];
  return expressions.flatMap((e) =>
    e.filters.filter((f) => f.name === "each").map((f) => String(f.args[0]))
  );
}

/** The problems of an output's language; none for a valid one. */
export function checkOutputLanguage(output: OutputSpec): OutputProblem[] {
  const problems: OutputProblem[] = [];
  const templates = new Set(Object.keys(output.templates ?? {}));
  for (const { path, kind, source } of outputLanguage(output)) {
    try {
      const parsed = kind === "template" ? parseTemplate(source) : parseExpression(source);
      for (const name of eachNames(parsed)) {
        if (!templates.has(name)) {
          problems.push({
            path,
            message: `'each ${name}' names no template of output.templates`,
          });
        }
      }
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      problems.push({ path, message: `${kind} ${error.message}` });
    }
  }
  if (output.list && Array.isArray(output.text)) {
    problems.push({
      path: ["output", "text"],
      message: "a list's text is one template, the line of each item",
    });
  }
  if (output.sort && !output.fields?.[output.sort]) {
    problems.push({ path: ["output", "sort"], message: `'${output.sort}' is not a field` });
  }
  return problems;
}

/** Variables every output has, which `request.also` may not name. */
const RESERVED = new Set(["args", "answer", "item", "count", "parts", "api_version", "policy"]);

/**
 * The checks of `request.also` and `request.before`: every path parameter a
 * required, checked input (as the main route's), every query input declared,
 * `when` parses, a `sets` input one whose value the route checks again.
 */
export function checkAlso(request: RequestSpec, input: Record<string, ParamSpec>): OutputProblem[] {
  const problems: OutputProblem[] = [];
  for (const [name, also] of Object.entries(request.also ?? {})) {
    const at = ["request", "also", name];
    if (RESERVED.has(name)) {
      problems.push({
        path: at,
        message: `'${name}' is a variable of its own; choose another name`,
      });
    }
    problems.push(...pathProblems(also.path, input, [...at, "path"]));
    for (const [key, mapping] of Object.entries(also.query ?? {})) {
      const from = typeof mapping === "string" ? mapping : "from" in mapping ? mapping.from : "";
      if (from && !input[from]) {
        problems.push({
          path: [...at, "query", key],
          message: `'${from}' is not a declared input`,
        });
      }
    }
    if (also.when) {
      try {
        parseExpression(also.when);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        problems.push({ path: [...at, "when"], message: `expression ${error.message}` });
      }
    }
  }
  for (const [name, before] of Object.entries(request.before ?? {})) {
    const at = ["request", "before", name];
    if (RESERVED.has(name) || request.also?.[name]) {
      problems.push({ path: at, message: `'${name}' is a variable already; choose another name` });
    }
    problems.push(...pathProblems(before.path, input, [...at, "path"]));
    for (const key of Object.keys(before.sets ?? {})) {
      const spec = input[key];
      if (!spec?.required || spec.format !== "name_or_id") {
        problems.push({
          path: [...at, "sets", key],
          message: `'${key}' must be a required input of format name_or_id`,
        });
      }
    }
  }
  return problems;
}

function pathProblems(
  path: string,
  input: Record<string, ParamSpec>,
  at: (string | number)[],
): OutputProblem[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].flatMap(([, param]) => {
    const spec = input[param];
    const checked = spec?.required &&
      (spec.format === "name_or_id" || spec.format === "image_ref");
    return checked ? [] : [{
      path: at,
      message:
        `path parameter '${param}' must be a required input of format name_or_id or image_ref`,
    }];
  });
}
