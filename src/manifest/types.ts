/**
 * The shape of a tool declared in `manifest/`: pure data, no Docker and no MCP.
 *
 * @module
 */

/** Permission levels, in the order they are documented. */
export const LEVELS = [
  "read",
  "lifecycle",
  "exec",
  "create",
  "images",
  "volumes",
  "networks",
  "system",
  "swarm",
] as const;
/** A permission level a tool requires. */
export type Level = (typeof LEVELS)[number];

/** Timeout classes, each with its own configurable deadline. */
export const TIMEOUT_CLASSES = ["read", "lifecycle", "exec", "compose", "long"] as const;
/** The timeout class of a tool. */
export type TimeoutClass = (typeof TIMEOUT_CLASSES)[number];

/** JSON types a parameter may take. */
export type ParamType = "string" | "integer" | "number" | "boolean" | "object" | "array";

/**
 * Semantic checks for string parameters. Every parameter used in a request
 * path must declare one, so it is validated before any URL is built.
 */
export const FORMATS = [
  "name_or_id", // containers, networks, volumes, exec ids: one path segment
  "image_ref", // name[:tag], name@digest or an ID
  "time", // RFC 3339, unix seconds, or relative (15m, 2h)
  "regex",
  "signal",
  "bytes", // "512m", "2g" or a number of bytes
  "duration", // "30s", "5m" or milliseconds
] as const;
/** A semantic string format. */
export type Format = (typeof FORMATS)[number];

/** One input parameter (or the item/value schema of an array/object). */
export interface ParamSpec {
  type: ParamType | ParamType[];
  description: string;
  required?: boolean;
  default?: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  format?: Format;
  items?: ParamSpec;
  /** For objects: the schema of every value (a map such as labels or filters). */
  values?: ParamSpec;
  /** For objects with known keys. */
  properties?: Record<string, ParamSpec>;
  /**
   * Other names models write for this parameter (`container_name` for
   * `container_id`): accepted as this one, never listed in tools/list.
   */
  aliases?: string[];
  /**
   * Words a model writes for a value, and the value they mean
   * (`tail: "all"` → the largest tail).
   */
  words?: Record<string, unknown>;
  /** The only value accepted (a habit such as `all: true` where all is what the tool does). */
  const?: string | number | boolean;
  /** Accepted and validated, but left out of tools/list (a habit, not a feature to offer). */
  hidden?: boolean;
  /** `param.key`: the value is that key of an object parameter (`filters.reference`). */
  into?: string;
  /**
   * A value given once and never echoed (a secret's value): audit records and
   * confirmation prompts show it redacted, whatever its key.
   */
  writeOnly?: boolean;
}

/** How one query parameter is filled. */
export type QueryMapping =
  | string
  | { from: string; encode?: "json" | "filters" | "csv" | "unix_time" | "bytes" }
  | { value: string | number | boolean };

/**
 * The methods that only read the engine: a read-level tool may declare and
 * send no other; any other route changes the engine.
 */
export const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD"]);

/** An Engine API call declared in YAML. */
export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  path: string;
  query?: Record<string, QueryMapping>;
  /** Body fields: engine key → input name (a flat allowlist, never pass-through). */
  body?: Record<string, QueryMapping>;
  /** What the policy checks before the call: kind of object → input name. */
  target?: { container?: string; image?: string; network?: string; volume?: string };
  /**
   * More GET routes read at the same time, each answer a variable of the
   * output (`$name`); `when` (an expression) skips one.
   */
  also?: Record<string, AlsoSpec>;
  /**
   * GET routes read first, one after the other, each answer a variable of
   * the output (`$name`): the object a change acts on, found by name and then
   * acted on by its full ID (`sets: { network_id: Id }`, docs/security.md rule 2).
   */
  before?: Record<string, BeforeSpec>;
}

/** A route read before the tool's own (`request.before`). */
export interface BeforeSpec {
  path: string;
  errors?: Record<number, string>;
  /** Input → dot path in the answer: the value the tool's route then uses for that input. */
  sets?: Record<string, string>;
}

/** A further GET route of a tool (`request.also`). */
export interface AlsoSpec {
  path: string;
  query?: Record<string, QueryMapping>;
  /** Read only when this expression is true (`$policy.filters_containers`). */
  when?: string;
  errors?: Record<number, string>;
}

/** How the engine's answer is read. */
export interface ResponseSpec {
  kind: "json" | "empty" | "text";
  /** Status → error type for this route (404 → container_not_found …). */
  errors?: Record<number, string>;
  /**
   * Status → the fix an error of that status names: one hint, or the first
   * whose `contains` is in the engine's message (one without `contains` matches any).
   */
  hints?: Record<number, string | ErrorHint[]>;
}

/** A hint for an engine error whose message contains a text (or one of several, in any case). */
export interface ErrorHint {
  contains?: string | string[];
  /** The error's type instead of the status's (the engine answers 403 for some conflicts). */
  type?: string;
  hint: string;
}

/** One output field of a declarative shape. */
export interface FieldSpec {
  type: ParamType | ParamType[];
  description: string;
  /** Dot path into the engine's answer (`Names.0`, `State.Health.Status`). */
  from?: string;
  /** A named transform applied to the value found at `from`. */
  transform?: string;
  /**
   * An expression of the manifest language read from the engine's answer
   * (`Components`, `$api_version`, `. | redact`), instead of `from`/`transform`.
   */
  value?: string;
  /** The value when the answer has none (null, missing or ""). */
  default?: unknown;
  /** Kept out of the published outputSchema (which lists only the main fields). */
  hidden?: boolean;
  /** For a list of objects: the fields kept of each. */
  fields?: Record<string, FieldSpec>;
  items?: FieldSpec | ParamSpec;
  nullable?: boolean;
}

/**
 * One line of a text: a template, or a line made of parts, shown when a
 * condition holds, or an aligned table.
 */
export interface TextLine {
  /** A template; `{$parts}` is the parts joined. */
  text?: string;
  /** An expression (or several, all true): the line is left out when it is false, empty or missing. */
  when?: string | string[];
  /** Templates (or lines) joined by `sep`; the empty ones left out, and the line when all are. */
  parts?: (string | TextLine)[];
  /** Between parts (default one space). */
  sep?: string;
  /** Rows of cells as aligned columns under a header row (expressions). */
  table?: { header: string; rows: string };
}

/** How the structured result and its text are made. */
export interface OutputSpec {
  /** A named TypeScript shaper for answers a field list cannot express. */
  shaper?: string;
  /** The answer is an array: items go under this key, with a `count`. */
  list?: string;
  /** Declarative fields (each item's, for a list). */
  fields?: Record<string, FieldSpec>;
  /** Output schema for shapers and handlers (top-level properties). */
  schema?: Record<string, FieldSpec>;
  /**
   * One text line per item (or for the object): `{field}` placeholders. For
   * an object, also a list of lines (see {@link TextLine}).
   */
  text?: string | (string | TextLine)[];
  /** For lists: the header line of the text table. */
  header?: string;
  /** For lists: the line above the rows (default `{$count | counted <list>}`). */
  title?: string;
  /** A dot path to the part of the answer shaped (a list inside an object: `Volumes`). */
  from?: string;
  /** For lists: the field the items are sorted by (as text, in the locale's order). */
  sort?: string;
  /** Named templates, for the `each` filter. */
  templates?: Record<string, string>;
}

/** A tool, as loaded and validated from its manifest file. */
export interface ToolSpec {
  name: string;
  title: string;
  description: string;
  permission: Level;
  timeout: TimeoutClass;
  toolset: string;
  input: Record<string, ParamSpec>;
  request?: RequestSpec;
  handler?: string;
  response?: ResponseSpec;
  output: OutputSpec;
  /** Where it came from, for errors. */
  source: string;
}

/** A group of tools (`manifest/<toolset>/toolset.yaml`). */
export interface ToolsetSpec {
  name: string;
  description: string;
  order: number;
}

/** Everything loaded from a set of directories (src/manifest/loader.ts). */
export interface LoadedManifests {
  tools: ToolSpec[];
  toolsets: ToolsetSpec[];
}

/** What src/manifest/bundle.ts holds: tools carry their file relative to manifest/. */
export interface ManifestBundle {
  fingerprint: string;
  tools: ToolSpec[];
  toolsets: ToolsetSpec[];
  /** The filter names each tool's output uses (`outputFilterNames`), in the order of `tools`. */
  filters: string[][];
}
