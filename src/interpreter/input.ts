/**
 * Tool inputs: manifest parameters → zod schema → JSON Schema, and the
 * validation of a call's arguments with errors that name the field.
 *
 * @module
 */

import { z } from "zod";
import { BerthError } from "../errors/mod.ts";
import type { ParamSpec, ParamType } from "../manifest/types.ts";
import { patternProblem } from "../guard/pattern.ts";
import { bareName, checkFormat, FORMAT_DESCRIPTIONS } from "../guard/formats.ts";
import type { Args } from "./contract.ts";

/** A JSON Schema object, as sent in `tools/list`. */
export type JsonSchema = Record<string, unknown>;

function scalar(type: ParamType, param: ParamSpec): z.ZodType {
  switch (type) {
    case "string": {
      let s = z.string();
      if (param.maxLength) s = s.max(param.maxLength);
      if (param.enum) return z.enum(param.enum as [string, ...string[]]);
      if (param.format === "regex") {
        // The reason RE2 gives is the fix: say it, not just "must be a regex".
        return s.superRefine((v, ctx) => {
          const problem = patternProblem(v);
          if (problem) ctx.addIssue({ code: "custom", message: problem, input: v });
        });
      }
      if (param.format) {
        const format = param.format;
        return s.refine((v) => checkFormat(format, v), {
          message: `must be ${FORMAT_DESCRIPTIONS[format]}`,
        });
      }
      return s;
    }
    case "integer":
    case "number": {
      let n = type === "integer" ? z.number().int() : z.number();
      if (param.minimum !== undefined) n = n.min(param.minimum);
      if (param.maximum !== undefined) n = n.max(param.maximum);
      return n;
    }
    case "boolean":
      return z.boolean();
    case "array":
      return z.array(param.items ? toZod(param.items) : z.unknown());
    case "object":
      if (param.properties) {
        const shape: Record<string, z.ZodType> = {};
        for (const [key, child] of Object.entries(param.properties)) {
          shape[key] = child.required ? toZod(child) : toZod(child).optional();
        }
        return z.strictObject(shape);
      }
      return z.record(z.string(), param.values ? toZod(param.values) : z.unknown());
  }
}

/** The zod schema of one parameter, carrying its description. */
export function toZod(param: ParamSpec): z.ZodType {
  if (param.const !== undefined) {
    return z.literal(param.const, { error: `must be ${JSON.stringify(param.const)}` })
      .describe(param.description);
  }
  const types = typesOf(param);
  const schema = types.length === 1
    ? scalar(types[0], param)
    : z.union(types.map((t) => scalar(t, param)) as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  return schema.describe(param.description);
}

/** The zod object schema of a whole tool input (unknown keys rejected). */
export function inputZod(input: Record<string, ParamSpec>): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, param] of Object.entries(input)) {
    const base = toZod(param);
    shape[name] = param.required ? base : base.optional();
  }
  return z.strictObject(shape);
}

/** The JSON Schema of a tool input, for `tools/list` (hidden parameters left out). */
export function inputJsonSchema(input: Record<string, ParamSpec>): JsonSchema {
  input = Object.fromEntries(Object.entries(input).filter(([, param]) => !param.hidden));
  const schema = z.toJSONSchema(inputZod(input), {
    target: "draft-2020-12",
    io: "input",
  }) as JsonSchema;
  delete schema.$schema;
  compactSchema(schema);
  const properties = schema.properties as Record<string, JsonSchema>;
  for (const property of Object.values(properties)) leanProperty(property);
  // A tool without parameters: additionalProperties false says it all.
  if (!Object.keys(properties).length) delete schema.properties;
  // Defaults are documented in descriptions and applied by berth, not by clients.
  for (const [name, param] of Object.entries(input)) {
    const property = (schema.properties as Record<string, JsonSchema>)[name];
    if (param.default !== undefined) property.default = param.default;
    if (param.writeOnly) property.writeOnly = true;
  }
  return schema;
}

/**
 * What a parameter's own description already says, left out of the list: the
 * description of its items, the schema of a map's values (the parameter's
 * description says what they are, validation still checks them), an
 * integer's minimum of 0 or 1 and `maxLength` (a bound no sensible value nears; validation
 * still enforces it and its error names the limit).
 */
function leanProperty(property: JsonSchema): void {
  delete property.maxLength;
  // A count starts at 1, seconds and ms at 0: validation checks it, a model needs no telling.
  if (property.type === "integer" && (property.minimum === 1 || property.minimum === 0)) {
    delete property.minimum;
  }
  // A map's values (filters, labels) are what the description's example shows.
  if (property.type === "object" && typeof property.additionalProperties === "object") {
    delete property.additionalProperties;
  }
  for (const key of ["items", "additionalProperties"]) {
    const child = property[key] as JsonSchema | undefined;
    if (child && typeof child === "object" && !child.properties) delete child.description;
  }
}

/**
 * Removes what zod emits that tells a client nothing it can act on, because
 * every byte of tools/list is paid for in the model's context: `propertyNames`
 * of records (JSON keys are strings), empty `items`/`additionalProperties`
 * (any value). `additionalProperties: false` stays: berth refuses unknown
 * parameters, and a client may know that before it calls. Unions of bare
 * types become a type list.
 */
export function compactSchema(schema: JsonSchema): JsonSchema {
  delete schema.propertyNames;
  // zod bounds every integer by the safe range: no bound a client needs to hear of.
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  for (const key of ["items", "additionalProperties"]) {
    const child = schema[key] as JsonSchema | undefined;
    if (child && typeof child === "object") {
      if (Object.keys(child).length === 0) delete schema[key];
      else compactSchema(child);
    }
  }
  for (const child of Object.values((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    compactSchema(child);
  }
  const options = schema.anyOf as JsonSchema[] | undefined;
  if (options) {
    options.forEach(compactSchema);
    if (options.every((o) => Object.keys(o).every((k) => k === "type"))) {
      schema.type = options.flatMap((o) => o.type as string | string[]);
      delete schema.anyOf;
    }
  }
  return schema;
}

/**
 * Some clients send objects and arrays as JSON-encoded strings, numbers or
 * booleans as strings, and one string where a list of strings is wanted:
 * accept those, then validate strictly.
 */
function coerce(param: ParamSpec, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const word = param.words?.[value.trim().toLowerCase()];
  if (word !== undefined) return word;
  const types = typesOf(param);
  if (types.includes("string")) return coerceStringOr(param, types, value);
  const trimmed = value.trim();
  if ((types.includes("object") || types.includes("array")) && /^[[{]/.test(trimmed)) {
    const parsed = parseJson(trimmed);
    return parsed === undefined ? value : parsed;
  }
  if (types.includes("array") && itemTypes(param).includes("string")) return [value];
  if ((types.includes("integer") || types.includes("number")) && /^-?\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  if (types.includes("boolean") && (trimmed === "true" || trimmed === "false")) {
    return trimmed === "true";
  }
  return value;
}

/**
 * A string where a string is allowed stays one, except: a container name as
 * the engine prints it ("/web") loses its slash, and where an argv or an
 * object is allowed too, a JSON-encoded one is taken as such — clients send
 * '["sh","-c","echo hi"]' meaning the argv, and a real shell command is
 * almost never a valid JSON array of strings.
 */
function coerceStringOr(param: ParamSpec, types: ParamType[], value: string): unknown {
  if (param.format === "name_or_id") return bareName(value);
  const trimmed = value.trim();
  if (types.includes("array") && trimmed.startsWith("[")) {
    const parsed = parseJson(trimmed);
    const argv = Array.isArray(parsed) && parsed.every((item) => typeof item === "string");
    if (argv) return parsed;
  }
  if (types.includes("object") && trimmed.startsWith("{")) {
    const parsed = parseJson(trimmed);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
  }
  return value;
}

/** JSON text as a value; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The types a parameter accepts, as a list. */
function typesOf(param: ParamSpec): ParamType[] {
  return Array.isArray(param.type) ? param.type : [param.type];
}

function itemTypes(param: ParamSpec): ParamType[] {
  return param.items ? typesOf(param.items) : [];
}

/** Validated arguments with defaults applied (the type lives in the handler contract). */
export type { Args } from "./contract.ts";

/**
 * True when a parameter, or any value inside it, is a client pattern
 * (`format: regex`): validating it needs re2js, which loads on first use
 * (`loadPatternEngine`, src/guard/pattern.ts).
 */
export function takesPattern(param: ParamSpec): boolean {
  return param.format === "regex" ||
    [param.items, param.values, ...Object.values(param.properties ?? {})]
      .some((child) => child !== undefined && takesPattern(child));
}

/** Validates arguments against a compiled input; errors name the field (DKR-004). */
export class InputValidator {
  readonly #input: Record<string, ParamSpec>;
  readonly #schema: z.ZodObject;
  /** Alias → the parameter it names. */
  readonly #aliases = new Map<string, string>();

  constructor(input: Record<string, ParamSpec>) {
    this.#input = input;
    this.#schema = inputZod(input);
    for (const [name, param] of Object.entries(input)) {
      for (const alias of param.aliases ?? []) this.#aliases.set(alias, name);
    }
  }

  /**
   * The arguments under their parameter names: an alias becomes its
   * parameter; an alias and its parameter (or two aliases) with different
   * values are refused, never one of them silently dropped.
   */
  #canonical(raw: Record<string, unknown>): Record<string, unknown> {
    if (!this.#aliases.size) return raw;
    const out: Record<string, unknown> = {};
    const from: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (value === null) continue;
      const name = this.#input[key] ? key : this.#aliases.get(key) ?? key;
      if (name in out && JSON.stringify(out[name]) !== JSON.stringify(value)) {
        throw new BerthError(
          "invalid_input",
          `Parameters '${from[name]}' and '${key}' both give '${name}', with different values`,
          { hint: `Send '${name}' once` },
        );
      }
      out[name] = value;
      from[name] ??= key;
    }
    return out;
  }

  /** Coerces, validates and fills defaults. */
  parse(raw: unknown): Args {
    const args: Args = {};
    if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
      throw new BerthError("invalid_input", "Arguments must be a JSON object", {
        hint: "Pass the parameters as an object of name → value",
      });
    }
    for (const [key, value] of Object.entries(this.#canonical((raw ?? {}) as Args))) {
      if (value === null) continue; // clients send null for "not given"
      args[key] = this.#input[key] ? coerce(this.#input[key], value) : value;
    }
    // One pass: its data when valid, its issues when not. A misspelt name is
    // the likeliest mistake (`container` for `container_id`): name it first,
    // before the "required" error it also causes.
    const result = this.#schema.safeParse(args, { reportInput: true });
    if (!result.success) {
      const issues = result.error.issues;
      throw this.#error(issues.find((i) => i.code === "unrecognized_keys") ?? issues[0]);
    }
    const parsed = result.data as Args;
    for (const [name, param] of Object.entries(this.#input)) {
      if (parsed[name] === undefined && param.default !== undefined) parsed[name] = param.default;
    }
    for (const [name, param] of Object.entries(this.#input)) {
      if (param.into && parsed[name] !== undefined) moveInto(parsed, name, param.into);
    }
    return parsed;
  }

  #error(issue: z.core.$ZodIssue): BerthError {
    const known = Object.keys(this.#input);
    if (issue.code === "unrecognized_keys") {
      const field = issue.keys[0];
      const near = known.find((k) => k.startsWith(field) || field.startsWith(k));
      return new BerthError("invalid_input", `Parameter '${field}' is not known`, {
        hint: known.length
          ? `${near ? `Did you mean '${near}'? ` : ""}Known parameters: ${known.join(", ")}`
          : "This tool takes no parameters",
      });
    }
    const field = issue.path.join(".") || "(arguments)";
    const top = String(issue.path[0] ?? "");
    const param = this.#input[top];
    let problem = issue.message;
    let hint = param ? `${top}: ${param.description}` : `Correct '${field}' and call again`;
    const wrongType = issue.code === "invalid_type" || issue.code === "invalid_union";
    if (issue.code === "invalid_type" && issue.input === undefined) problem = "is required";
    else if (wrongType) {
      problem = `must be ${describeType(param)}`;
      if (param && issue.path.length === 1) hint = `${sendHint(param)} (${hint})`;
    } else if (issue.code === "too_small") problem = `must be at least ${issue.minimum}`;
    else if (issue.code === "too_big") problem = `must be at most ${issue.maximum}`;
    else if (issue.code === "invalid_value") problem = `must be one of ${issue.values.join(", ")}`;
    else if (!/^(?:must|is) /.test(problem)) problem = `is invalid: ${problem}`;
    return new BerthError("invalid_input", `Parameter '${field}' ${problem}`, { hint });
  }
}

function describeType(param?: ParamSpec): string {
  if (!param) return "valid";
  const types = typesOf(param);
  const names = types.map((t) =>
    t === "array"
      ? `an array${param.items ? ` of ${param.items.type}s` : ""}`
      : `${/^[aeiou]/.test(t) ? "an" : "a"} ${t}` // "an integer", "an object", "a string"
  );
  return names.join(" or ");
}

/** What to send for a parameter of the wrong type, with an example. */
function sendHint(param: ParamSpec): string {
  const types = typesOf(param);
  return `Send ${types.map((t) => example(t, param)).join(" or ")}`;
}

function example(type: ParamType, param: ParamSpec): string {
  switch (type) {
    case "boolean":
      return "true or false";
    case "integer":
      return `a whole number${bounds(param)} such as ${sample(10, param)}`;
    case "number":
      return `a number${bounds(param)} such as ${sample(0.5, param)}`;
    case "string":
      if (param.enum) return `one of ${param.enum.join(", ")}`;
      return param.format ? FORMAT_DESCRIPTIONS[param.format] : "a string";
    case "array":
      return itemTypes(param).includes("string") ? 'a JSON array such as ["a"]' : "a JSON array";
    case "object":
      return 'a JSON object such as {"key": "value"}';
  }
}

function bounds({ minimum: min, maximum: max }: ParamSpec): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return "";
}

/** A typical value, moved inside the parameter's bounds. */
function sample(typical: number, { minimum: min, maximum: max }: ParamSpec): number {
  return Math.min(Math.max(typical, min ?? -Infinity), max ?? Infinity);
}

/**
 * Moves a habit's value to the key of an object parameter it stands for
 * (`name` of docker_list_images → `filters.reference`); a value already
 * there is refused rather than one of them dropped.
 */
function moveInto(args: Args, name: string, into: string): void {
  const [target, key] = into.split(".");
  const object = { ...((args[target] ?? {}) as Record<string, unknown>) };
  if (object[key] !== undefined) {
    throw new BerthError(
      "invalid_input",
      `Parameters '${name}' and '${target}.${key}' both given`,
      { hint: `Send '${target}.${key}' alone` },
    );
  }
  object[key] = args[name];
  args[target] = object;
  delete args[name];
}
