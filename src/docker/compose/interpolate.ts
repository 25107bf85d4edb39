/**
 * Compose variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$VAR`, `$$`)
 * and the `.env` / `env_file` format.
 *
 * Values come only from the call's `environment` parameter and the project's
 * `.env` file, never from berth's own process environment: a compose file
 * must not be a way to read the server's variables.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";

/** Answers a variable's value, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = [":-", ":?", ":+", "-", "?", "+"] as const;

function invalid(path: string, text: string): BerthError {
  return new BerthError(
    "invalid_input",
    `Compose file: invalid interpolation in '${path}': ${JSON.stringify(text.slice(0, 80))}`,
    { hint: "Write ${NAME}, ${NAME:-default}, ${NAME:?message} or $$ for a literal dollar sign" },
  );
}

/** Index of the `}` closing a `${` that starts at `open` (nested `${…}` allowed), or -1. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (text[i] === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Evaluates the inside of `${…}`. */
function braced(inner: string, lookup: Lookup, path: string, whole: string): string {
  const name = NAME.exec(inner)?.[0];
  if (!name) throw invalid(path, whole);
  const rest = inner.slice(name.length);
  const value = lookup(name);
  if (rest === "") return value ?? "";
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) throw invalid(path, whole);
  const word = () => interpolateString(rest.slice(op.length), lookup, path);
  const unsetOrEmpty = value === undefined || value === "";
  switch (op) {
    case ":-":
      return unsetOrEmpty ? word() : value;
    case "-":
      return value === undefined ? word() : value;
    case ":+":
      return unsetOrEmpty ? "" : word();
    case "+":
      return value === undefined ? "" : word();
    case ":?":
    case "?": {
      if (op === ":?" ? !unsetOrEmpty : value !== undefined) return value!;
      const message = word();
      throw new BerthError(
        "invalid_input",
        `Compose variable '${name}' is required${message ? `: ${message}` : ""} (in '${path}')`,
        { hint: `Pass '${name}' in the 'environment' parameter or in the project's .env file` },
      );
    }
  }
}

/** Interpolates one string; `path` names where it is, for errors. */
export function interpolateString(text: string, lookup: Lookup, path: string): string {
  if (!text.includes("$")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const close = closingBrace(text, dollar);
      if (close < 0) throw invalid(path, text.slice(dollar));
      out += braced(text.slice(dollar + 2, close), lookup, path, text.slice(dollar, close + 1));
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (!name) throw invalid(path, text.slice(dollar));
      out += lookup(name) ?? "";
      i = dollar + 1 + name.length;
    }
  }
  return out;
}

/** Converts an interpolated string where the schema wants a number or boolean. */
export type Caster = (path: string, value: string) => unknown;

/**
 * Interpolates every string value of a parsed compose file (keys are left
 * as written, as compose does). A string that changed goes through `cast`,
 * so that `published: ${PORT}` can still be an integer.
 */
export function interpolateTree(
  value: unknown,
  lookup: Lookup,
  cast: Caster = (_, v) => v,
  path = "",
): unknown {
  if (typeof value === "string") {
    const out = interpolateString(value, lookup, path || "(root)");
    return out === value ? out : cast(path, out);
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => interpolateTree(v, lookup, cast, `${path}[${i}]`));
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = interpolateTree(child, lookup, cast, path ? `${path}.${key}` : key);
    }
    return out;
  }
  return value;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };

/** Reads a double-quoted value (escapes \n \t \r \" \\). */
function doubleQuoted(raw: string): string {
  let out = "";
  for (let i = 1; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') return out;
    if (c === "\\" && i + 1 < raw.length) {
      const next = raw[++i];
      out += ESCAPES[next] ?? `\\${next}`;
    } else out += c;
  }
  return out; // unterminated: take what is there, as dotenv readers do
}

/**
 * Parses the dotenv format of `.env` and `env_file` files: `KEY=value`,
 * an optional `export `, quotes, `#` comments. `source` names the file in
 * errors.
 */
export function parseDotenv(text: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) return;
    const body = trimmed.replace(/^export\s+/, "");
    const eq = body.indexOf("=");
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (!ENV_KEY.test(key)) {
      throw new BerthError(
        "invalid_input",
        `Environment file ${source} line ${index + 1}: '${
          key.slice(0, 40)
        }' is not a variable name`,
        { hint: "Write one NAME=value per line; comments start with #" },
      );
    }
    if (eq < 0) return; // KEY alone: "take it from the shell", which berth has not
    const raw = body.slice(eq + 1).trim();
    if (raw.startsWith('"')) out[key] = doubleQuoted(raw);
    else if (raw.startsWith("'")) {
      const end = raw.indexOf("'", 1);
      out[key] = end < 0 ? raw.slice(1) : raw.slice(1, end);
    } else out[key] = raw.replace(/\s+#.*$/, "");
  });
  return out;
}
