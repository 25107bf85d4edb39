/**
 * The config file (YAML or JSON) with the keys of the configuration contract.
 * Unknown keys are refused with their key path, so a typo never silently
 * drops a safety setting.
 *
 * @module
 */

import type { z } from "zod";
import { allowReadHint, BerthError } from "../errors/mod.ts";
import { importYaml } from "../manifest/yaml.ts";
import type { configFileSchema, engineSchema } from "./schema.ts";

/** Engine names: what the `engine` parameter takes and the audit log records. */
export const ENGINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The parsed config file. */
export type ConfigFile = z.infer<typeof configFileSchema>;
/** One `engines.<name>` block. */
export type EngineBlock = z.infer<typeof engineSchema>;

/**
 * The YAML parser and the config file's schema (src/config/schema.ts),
 * loaded when a config file is found: importing the `yaml` package and
 * building the schema cost about 25 and 8 ms of every start, and most starts
 * read no config file (docs/performance.md, "Start fast, stay small").
 */
let parser:
  | { yaml: { parse(text: string): unknown }; schema: typeof configFileSchema }
  | undefined;

/** Loads the parser config files are read with; parsing one needs it first. */
export async function loadConfigParser(): Promise<void> {
  if (parser) return;
  const [yaml, { configFileSchema }] = await Promise.all([
    importYaml(),
    import("./schema.ts"),
  ]);
  parser = { yaml, schema: configFileSchema };
}

/**
 * Thrown when a config file is to be parsed before {@link loadConfigParser}
 * ran; `loadConfigOnDemand` (src/config/mod.ts) loads it and starts again.
 */
export class ConfigParserNeeded extends Error {
  constructor(path: string) {
    super(`Config file ${path} found before the YAML parser was loaded (loadConfigParser)`);
    this.name = "ConfigParserNeeded";
  }
}

/** Parses config text (YAML is a superset of JSON, so one parser reads both). */
export function parseConfigText(text: string, path: string): ConfigFile {
  if (!parser) throw new ConfigParserNeeded(path);
  let raw: unknown;
  try {
    raw = parser.yaml.parse(text) ?? {};
  } catch (error) {
    throw new BerthError("invalid_input", `Config file ${path} is not valid YAML or JSON`, {
      context: (error as Error).message.split("\n")[0],
      hint: "Fix the syntax at the line named",
    });
  }
  const result = parser.schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue.code === "unrecognized_keys"
      ? [...issue.path, issue.keys[0]].join(".")
      : issue.path.join(".");
    const reason = issue.code === "unrecognized_keys" ? "is not a known key" : issue.message;
    throw new BerthError("invalid_input", `Config file ${path}: '${key}' ${reason}`, {
      hint: "Every key appears in tests/fixtures/config_sample.json (README: Options)",
    });
  }
  return result.data;
}

/**
 * Reads a config file; a missing default file is fine, a missing named one is
 * not. A sandbox refusal is never "missing": berth could not look, so the
 * caller checks read permission before reading an optional file.
 */
export function readConfigFile(path: string, required: boolean): ConfigFile | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (!required && error instanceof Deno.errors.NotFound) return undefined;
    // A sandbox refusal is DKR-005 (refused), a missing or unreadable file DKR-004 (the path).
    const sandbox = error instanceof Deno.errors.NotCapable;
    throw new BerthError(
      sandbox ? "permission_denied" : "invalid_input",
      `Cannot read config file ${path}`,
      {
        context: (error as Error).message,
        hint: sandbox ? allowReadHint(path) : "Check the path given to --config or BERTH_CONFIG",
      },
    );
  }
  return parseConfigText(text, path);
}
