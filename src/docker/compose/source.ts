/**
 * Where a compose project comes from: inline YAML or a file on the berth
 * host, the project directory, the `.env` beside the file, and `env_file`s.
 * Every host file read passes the policy's host-path check first and is
 * size-capped.
 *
 * @module
 */

import { parseDocument } from "yaml";
import { allowReadHint, BerthError, invalidInput } from "../../errors/mod.ts";
import type { Policy } from "../../policy/mod.ts";
import { resolvePath } from "../posix_path.ts";
import { parseDotenv } from "./interpolate.ts";
import { tooDeepField } from "../../guard/input_depth.ts";

/** Largest compose or env file berth reads. */
export const MAX_COMPOSE_BYTES = 1024 * 1024;

/** File names `docker compose` looks for in a directory, in its order. */
export const DEFAULT_FILES = [
  "compose.yaml",
  "compose.yml",
  "docker-compose.yml",
  "docker-compose.yaml",
];

/** The text of a compose project and where it lives. */
export interface ComposeSource {
  text: string;
  /** Absolute path of the compose file (absent for inline YAML). */
  file?: string;
  /** The compose file's directory: relative paths resolve against it (inline YAML has none). */
  directory?: string;
  /** Variables of the project's `.env` file. */
  dotenv: Record<string, string>;
}

// Compose resolves its paths with the handlers' shared lexical path helper.
export { resolvePath };

/** The directory part of an absolute path. */
export function dirname(path: string): string {
  const cut = path.replace(/\/+$/, "").lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}

/** Turns file-system failures into errors that say what to do. */
function fileError(error: unknown, field: string, path: string): BerthError {
  if (error instanceof BerthError) return error;
  if (error instanceof Deno.errors.NotFound) {
    return invalidInput(field, `names no file: ${path}`, "Give an existing absolute path");
  }
  if (error instanceof Deno.errors.NotCapable) {
    // The directory, not the file: the project's .env and build contexts live there too.
    return new BerthError("permission_denied", `Deno's sandbox refused to read ${path}`, {
      context: String((error as Error).message),
      hint: `${allowReadHint(dirname(path))}; or pass the file's text as compose_yaml`,
      cause: error,
    });
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new BerthError("permission_denied", `Berth may not read ${path}`, {
      context: String((error as Error).message),
      hint: "Make the file readable by the user berth runs as, or pass its text as compose_yaml",
      cause: error,
    });
  }
  return new BerthError("invalid_input", `Cannot read ${path} (${field})`, {
    context: String((error as Error)?.message ?? error),
    hint: "Give a readable file",
    cause: error,
  });
}

/** Reads a small text file that the policy lets berth read. */
export async function readHostFile(
  policy: Policy,
  path: string,
  field: string,
): Promise<string> {
  policy.checkHostPath(path, "copy");
  try {
    // The policy judges paths lexically: ask it about the file a symlink leads to as well.
    const real = await Deno.realPath(path);
    if (real !== path) policy.checkHostPath(real, "copy");
    const info = await Deno.stat(real);
    if (!info.isFile) throw invalidInput(field, `is not a regular file: ${path}`);
    if (info.size > MAX_COMPOSE_BYTES) {
      throw invalidInput(field, `is larger than ${MAX_COMPOSE_BYTES} bytes: ${path}`);
    }
    return await Deno.readTextFile(real);
  } catch (error) {
    throw fileError(error, field, path);
  }
}

/** Finds the compose file: the path itself, or a default name inside a directory. */
async function locate(policy: Policy, path: string): Promise<string> {
  policy.checkHostPath(path, "copy");
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw fileError(error, "compose_file", path);
  }
  if (!info.isDirectory) return path;
  for (const name of DEFAULT_FILES) {
    const candidate = `${path.replace(/\/+$/, "")}/${name}`;
    try {
      if ((await Deno.stat(candidate)).isFile) return candidate;
    } catch {
      // try the next name
    }
  }
  throw invalidInput("compose_file", `is a directory without ${DEFAULT_FILES.join(", ")}`);
}

function absolute(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  const path = String(value);
  if (!path.startsWith("/") || path.includes("\0")) {
    throw invalidInput(field, "must be an absolute path on the berth host");
  }
  return resolvePath("/", path);
}

/**
 * Reads the compose source named by the arguments (`compose_yaml` or
 * `compose_file`; the file's directory is the project directory). Answers
 * undefined when neither is given and `required` is false.
 */
export async function readSource(
  args: Record<string, unknown>,
  policy: Policy,
  required: boolean,
): Promise<ComposeSource | undefined> {
  const inline = args.compose_yaml as string | undefined;
  const given = absolute(args.compose_file, "compose_file");
  let directory: string | undefined;
  if (inline !== undefined && given !== undefined) {
    throw invalidInput("compose_file", "and 'compose_yaml' exclude each other", "Give one of them");
  }
  if (inline === undefined && given === undefined) {
    if (!required) return undefined;
    throw invalidInput("compose_yaml", "is required (or give compose_file)");
  }
  let text = inline ?? "";
  let file: string | undefined;
  if (given !== undefined) {
    file = await locate(policy, given);
    text = await readHostFile(policy, file, "compose_file");
    directory = dirname(file);
  }
  const dotenv = directory ? await readDotenv(policy, directory) : {};
  return { text, file, directory, dotenv };
}

/** The project's `.env` (absent is fine). */
async function readDotenv(policy: Policy, directory: string): Promise<Record<string, string>> {
  const path = resolvePath(directory, ".env");
  try {
    await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw fileError(error, ".env", path);
  }
  return parseDotenv(await readHostFile(policy, path, ".env"), path);
}

/**
 * Deepest nesting accepted in compose YAML: the Compose Specification's own
 * keys nest a few levels (`deploy.resources.limits.cpus`); deeper is a
 * nesting bomb or an alias inside its own anchor (`a: &a {x: *a}`), whose
 * data never ends and would exhaust the stack of every later walk.
 */
export const MAX_YAML_DEPTH = 64;

/** A YAML library failure (an alias before its anchor, too many aliases, a stack overflow) as DKR-004. */
function yamlFailure(field: string, error: unknown): BerthError {
  const message = error instanceof RangeError && /call stack/i.test(error.message)
    ? "nests too deep to read"
    : String((error as Error)?.message ?? error).split("\n")[0];
  return invalidInput(
    field,
    `is not valid YAML: ${message}`,
    "Define each anchor (&name) before its aliases (*name), never inside itself, and keep " +
      "aliases to at most 1000 nodes",
  );
}

/** Parses compose YAML (merge keys allowed, duplicate keys refused) into plain data. */
export function parseYaml(text: string, field: string): Record<string, unknown> {
  let data: unknown;
  try {
    const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: false });
    const problem = doc.errors[0];
    if (problem) {
      const line = problem.linePos?.[0]?.line;
      throw invalidInput(
        field,
        `is not valid YAML${line ? ` (line ${line})` : ""}: ${problem.message.split("\n")[0]}`,
        "Fix the YAML syntax (indentation, quoting, duplicate keys)",
      );
    }
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw error instanceof BerthError ? error : yamlFailure(field, error);
  }
  const deep = tooDeepField(data, MAX_YAML_DEPTH);
  if (deep) {
    throw invalidInput(
      field,
      `nests deeper than ${MAX_YAML_DEPTH} levels at ${deep.slice(0, 6).join(".")}…, ` +
        "or holds an alias inside its own anchor",
      "Flatten the data; an anchor (&name) may not contain its own alias (*name)",
    );
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw invalidInput(field, "must be a YAML mapping with a 'services' key");
  }
  return data as Record<string, unknown>;
}
