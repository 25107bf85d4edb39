/**
 * The expression and text template language of manifests (docs/manifests.md):
 * pure syntax, parsed once and checked when a manifest loads, evaluated by the
 * interpreter (src/interpreter/shape.ts).
 *
 * An expression reads a value and passes it through filters:
 *
 *     Labels | pairs | join ' '
 *     IPv4Address || IPv6Address | before /
 *     $args.image_id
 *
 * A template is text with `{expression}` placeholders: `{x}` shows "-" for a
 * missing or empty value, `{x ?? text}` shows `text` instead (which may be
 * empty), and `{?x}` leaves out the whole line (or part) it is in.
 *
 * @module
 */

/** A dot path, from the current value or from a variable (`$args.name`). */
export interface PathRef {
  /** The variable it starts from (`args`, `answer`, `item`, `api_version`, `count`, `parts`), or none. */
  variable?: string;
  /** The keys read one after the other (array indexes are keys too). */
  keys: string[];
}

/** One filter of a pipeline, with its arguments: literals, or variables read at the call. */
export interface FilterCall {
  name: string;
  args: unknown[];
}

/** A filter argument that reads a variable (`$item.Id`) when the filter runs. */
export class VariableArg {
  constructor(readonly path: PathRef) {}
}

/** A value read (the first of the alternatives that is not empty) and its filters. */
export interface Expression {
  paths: PathRef[];
  filters: FilterCall[];
}

/** One `{…}` of a template. */
export interface Placeholder {
  expression: Expression;
  /** `{?x}`: an empty value leaves out the line or part. */
  optional: boolean;
  /** `{x ?? text}`: shown for an empty value instead of "-". */
  fallback?: string;
}

/** Literal text and placeholders, in order. */
export type Template = (string | Placeholder)[];

/** A mistake in an expression or template, phrased to follow its field's name. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

const KEY = /^[A-Za-z0-9_-]+$/;
const VARIABLE = /^\$([a-z_]+)$/;
const FILTER_NAME = /^[a-z][a-z0-9_]*$/;

/** Splits `text` on `separator` where it is outside quotes and brackets. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      // `|` alone separates filters; `||` separates alternatives.
      if (separator === "|" && (text[i + 1] === "|" || text[i - 1] === "|")) continue;
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  if (quote) throw new ExpressionError(`has an unclosed quote (${quote})`);
  parts.push(text.slice(start));
  return parts;
}

function parsePath(text: string): PathRef {
  const path = text.trim();
  if (path === ".") return { keys: [] };
  const [first, ...rest] = path.split(".");
  const variable = VARIABLE.exec(first)?.[1];
  const keys = variable ? rest : [first, ...rest];
  if (!keys.every((k) => KEY.test(k)) || (!variable && !keys.length)) {
    throw new ExpressionError(
      `reads '${path}', which is not a path such as State.Status, Names.0, . or $args.name`,
    );
  }
  return variable ? { variable, keys } : { keys };
}

/** One argument: 'quoted' or "quoted" text, a number, true/false/null, JSON, a variable, or a bare word. */
function parseArgument(word: string): unknown {
  if (word[0] === "$") return new VariableArg(parsePath(word));
  const quote = word[0];
  if ((quote === "'" || quote === '"') && word.endsWith(quote) && word.length > 1) {
    return word.slice(1, -1);
  }
  if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
  if (word === "true" || word === "false") return word === "true";
  if (word === "null") return null;
  if (word[0] === "{" || word[0] === "[") {
    try {
      return JSON.parse(word);
    } catch {
      throw new ExpressionError(`has an argument that is not valid JSON: ${word}`);
    }
  }
  return word;
}

/** Splits a filter's text into its words: quotes and JSON stay whole. */
function words(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  let quote = "";
  for (const c of text.trim()) {
    if (quote) {
      current += c;
      if (c === quote) quote = "";
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    if (/\s/.test(c) && depth === 0) {
      if (current) out.push(current);
      current = "";
    } else current += c;
  }
  if (current) out.push(current);
  return out;
}

function parseFilter(text: string): FilterCall {
  const [name, ...args] = words(text);
  if (!name || !FILTER_NAME.test(name)) {
    throw new ExpressionError(`has a filter '${text.trim()}' that does not start with a name`);
  }
  return { name, args: args.map(parseArgument) };
}

/** Parses `path || path | filter arg | filter`. */
export function parseExpression(text: string): Expression {
  const [head, ...filters] = splitTop(text, "|");
  if (!head.trim()) throw new ExpressionError("has no value to read before its first '|'");
  return {
    paths: splitTop(head, "||").map(parsePath),
    filters: filters.map(parseFilter),
  };
}

/** Characters that may follow `{` to open a placeholder; any other `{` is literal text. */
const OPENS = /[A-Za-z0-9_.$?]/;

/** The index of the `}` that closes the placeholder opened at `start`, or -1. */
function closing(text: string, start: number): number {
  let depth = 0;
  let quote = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "{" || c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function parsePlaceholder(inner: string): Placeholder {
  const optional = inner.startsWith("?");
  const body = optional ? inner.slice(1) : inner;
  const [expression, ...rest] = splitTop(body, "??");
  if (rest.length > 1) throw new ExpressionError(`has more than one '??' in {${inner}}`);
  const placeholder: Placeholder = { expression: parseExpression(expression), optional };
  if (rest.length) {
    const fallback = rest[0].trim();
    const quoted = /^(['"]).*\1$/.test(fallback) && fallback.length > 1;
    placeholder.fallback = quoted ? fallback.slice(1, -1) : fallback;
  }
  return placeholder;
}

/** Parses a template's text and placeholders. */
export function parseTemplate(text: string): Template {
  const out: Template = [];
  let literal = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "{" || !OPENS.test(text[i + 1] ?? "")) {
      literal += text[i];
      continue;
    }
    const end = closing(text, i);
    if (end < 0) throw new ExpressionError(`has a '{' without its '}' at character ${i + 1}`);
    if (literal) out.push(literal);
    literal = "";
    out.push(parsePlaceholder(text.slice(i + 1, end)));
    i = end;
  }
  if (literal) out.push(literal);
  return out;
}

/** Every filter name a template or expression uses. */
export function filterNames(parsed: Template | Expression): string[] {
  const expressions = Array.isArray(parsed)
    ? parsed.flatMap((p) => (typeof p === "string" ? [] : [p.expression]))
    : [parsed];
  return expressions.flatMap((e) => e.filters.map((f) => f.name));
}
