/**
 * The container spec builder: the parameters of `docker_create_container`
 * (docker-py / compose names) → the Engine's create body. Pure: no engine,
 * no policy, no I/O, so compose reuses it for every service.
 *
 * Security-notes rule 3: the body is built only from typed, validated fields
 * on an allowlist. Nothing the caller passes is copied through, so no key the
 * builder does not know (Privileged, CapAdd, Devices, PidMode …) can reach the
 * engine, whatever its case or however often it is repeated.
 *
 * Every invalid value fails with DKR-004 naming the field (`ports.80/tcp`,
 * `mem_limit`, `healthcheck.interval`), behind the caller's prefix.
 *
 * A `command` or `entrypoint` string is split like a POSIX shell splits words
 * (quotes and backslashes; no variables, globs or pipes), as compose does:
 * `sh -c 'echo hi; exit 3'` → `["sh", "-c", "echo hi; exit 3"]`.
 *
 * @module
 */

import { bareName } from "../../guard/formats.ts";
import { checkFormat, NAME_OR_ID } from "../../guard/formats.ts";
import { type FieldError, Fields, isCleanAbsolutePath, isPlainObject } from "./fields.ts";
import { bytes, cpus, healthcheck, type HealthConfig, restartPolicy } from "./runtime.ts";
import { type Mount, parseVolumes } from "./mounts.ts";
import { parsePorts, type PortBinding } from "./ports.ts";
import { ShellWordsError, splitShellWords } from "../shell_words.ts";

export type { Mount } from "./mounts.ts";
export type { PortBinding } from "./ports.ts";
export type { HealthConfig } from "./runtime.ts";
export type { FieldError } from "./fields.ts";

/** The `HostConfig` keys berth ever sends. */
export interface CreateHostConfig {
  PortBindings?: Record<string, PortBinding[]>;
  Mounts?: Mount[];
  NetworkMode?: string;
  RestartPolicy?: { Name: string; MaximumRetryCount: number };
  Memory?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  AutoRemove?: boolean;
}

/** The create body berth ever sends (`POST /containers/create`). */
export interface CreateBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Tty?: boolean;
  Healthcheck?: HealthConfig;
  HostConfig: CreateHostConfig;
  NetworkingConfig?: { EndpointsConfig: Record<string, Record<string, never>> };
}

/** What the builder answers. */
export interface ContainerSpec {
  /** The container name (`?name=` of the create call), when given. */
  name?: string;
  image: string;
  body: CreateBody;
  /** Host paths of bind mounts, for `policy.checkHostPath(path, "bind")`. */
  bindSources: string[];
}

/** Options of {@link buildContainerSpec}. */
export interface ContainerSpecOptions {
  /**
   * Builds the error of an invalid field (default: DKR-004 `Parameter '…'`);
   * compose maps the builder's names to the keys its file wrote.
   */
  fieldError?: FieldError;
}

/** Docker's rule for container names. */
const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,254}$/;
/** A user or uid, optionally with :group or :gid. */
export const USER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const BUILTIN_NETWORKS = ["bridge", "host", "none", "default"];
/** The engine refuses memory limits below 6 MiB. */
const MIN_MEMORY = 6 * 1024 * 1024;

/** Builds the create body from validated parameters; throws DKR-004 naming the field. */
export function buildContainerSpec(
  input: Record<string, unknown>,
  options: ContainerSpecOptions = {},
): ContainerSpec {
  const f = new Fields("", options.fieldError);
  const has = (key: string) => input[key] !== undefined && input[key] !== null;
  const image = f.string("image", input.image ?? "", 512);
  if (!image || !checkFormat("image_ref", image)) {
    f.fail("image", "must be an image reference such as nginx:1.27 or registry:5000/team/app");
  }
  const body: CreateBody = { Image: image, HostConfig: {} };
  const host = body.HostConfig;
  let name: string | undefined;
  if (has("name")) {
    name = bareName(f.string("name", input.name, 255));
    if (!CONTAINER_NAME.test(name)) {
      f.fail(
        "name",
        "must be 2+ characters: letters, digits, '_', '.', '-', starting with a letter or digit",
      );
    }
  }
  if (has("command")) body.Cmd = argv(f, "command", input.command, false);
  if (has("entrypoint")) body.Entrypoint = argv(f, "entrypoint", input.entrypoint, true);
  if (has("environment")) body.Env = environment(f, input.environment);
  if (has("ports")) {
    const ports = parsePorts(input.ports, f);
    body.ExposedPorts = ports.ExposedPorts;
    host.PortBindings = ports.PortBindings;
  }
  if (has("labels")) body.Labels = labels(f, input.labels);
  if (has("working_dir")) {
    body.WorkingDir = f.string("working_dir", input.working_dir);
    if (!isCleanAbsolutePath(body.WorkingDir)) {
      f.fail("working_dir", "must be an absolute path without '..'");
    }
  }
  if (has("user")) body.User = user(f, input.user);
  if (has("hostname")) {
    body.Hostname = f.string("hostname", input.hostname, 253);
    if (!HOSTNAME.test(body.Hostname)) {
      f.fail("hostname", "must be a host name (letters, digits, '-', dots)");
    }
  }
  if (has("tty")) body.Tty = f.boolean("tty", input.tty);
  if (has("healthcheck")) body.Healthcheck = healthcheck(f, input.healthcheck);
  if (has("volumes")) host.Mounts = parseVolumes(input.volumes, f);
  if (has("network")) {
    const network = f.string("network", input.network, 255);
    if (!NAME_OR_ID.test(network)) f.fail("network", "must be a network name or ID");
    host.NetworkMode = network;
    if (!BUILTIN_NETWORKS.includes(network)) {
      body.NetworkingConfig = { EndpointsConfig: { [network]: {} } };
    }
  }
  if (has("restart_policy")) host.RestartPolicy = restartPolicy(f, input.restart_policy);
  if (has("mem_limit")) host.Memory = bytes(f, "mem_limit", input.mem_limit);
  if (has("mem_reservation")) {
    host.MemoryReservation = bytes(f, "mem_reservation", input.mem_reservation);
  }
  if (host.Memory !== undefined && host.Memory < MIN_MEMORY) {
    f.fail("mem_limit", "must be at least 6m (the engine's minimum)");
  }
  if (host.Memory && host.MemoryReservation && host.MemoryReservation > host.Memory) {
    f.fail("mem_reservation", "must not exceed mem_limit");
  }
  if (has("cpus")) host.NanoCpus = cpus(f, input.cpus);
  if (has("remove")) host.AutoRemove = f.boolean("remove", input.remove);
  if (host.AutoRemove && host.RestartPolicy && host.RestartPolicy.Name !== "no") {
    f.fail("remove", `cannot be combined with restart_policy '${host.RestartPolicy.Name}'`);
  }
  const bindSources = (host.Mounts ?? []).filter((m) => m.Type === "bind").map((m) => m.Source!);
  return { name, image, body, bindSources };
}

/** `command` / `entrypoint`: a string split shell-like, or a list of strings. */
function argv(f: Fields, field: string, value: unknown, isEntrypoint: boolean): string[] {
  let words: string[];
  if (typeof value === "string") {
    f.string(field, value, 65536);
    try {
      words = splitShellWords(value);
    } catch (error) {
      if (!(error instanceof ShellWordsError)) throw error;
      f.fail(field, error.message, "Balance the quotes, or pass the command as a list of strings");
    }
  } else if (Array.isArray(value)) {
    if (value.length > 4096) f.fail(field, "must have at most 4096 items");
    words = value.map((word, i) => f.string(`${field}.${i}`, word, 65536));
  } else {
    f.fail(field, "must be a string or a list of strings");
  }
  // An empty entrypoint clears the image's ENTRYPOINT, as `--entrypoint ""` does.
  if (words.length === 0 && isEntrypoint) return [""];
  if (words.length === 0) f.fail(field, "must not be empty", "Omit it to use the image's default");
  return words;
}

/** A scalar as the string the engine stores. */
function scalarText(f: Fields, field: string, value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return f.string(field, value, 65536);
}

/**
 * `{"KEY": "value"}` or `["KEY=value"]` → `["KEY=value"]` (exec and compose
 * use it too); DKR-004 names `<field>.<KEY>`.
 */
export function environmentList(value: unknown, field = "environment", prefix = ""): string[] {
  return environment(new Fields(prefix), value, field);
}

function environment(f: Fields, value: unknown, field = "environment"): string[] {
  const pairs = keyValues(f, field, value);
  return pairs.map(([key, text]) => `${key}=${text}`);
}

/** `{"k": "v"}` or `["k=v"]` → `{"k": "v"}`. */
function labels(f: Fields, value: unknown): Record<string, string> {
  return Object.fromEntries(keyValues(f, "labels", value));
}

function keyValues(f: Fields, field: string, value: unknown): [string, string][] {
  let pairs: [string, unknown][];
  if (Array.isArray(value)) {
    pairs = value.map((item, i) => {
      const text = f.string(`${field}.${i}`, item, 65536);
      const eq = text.indexOf("=");
      if (eq <= 0) f.fail(`${field}.${i}`, "must look like NAME=value (a variable name, then =)");
      return [text.slice(0, eq), text.slice(eq + 1)];
    });
  } else if (isPlainObject(value)) {
    pairs = Object.entries(value);
  } else {
    f.fail(field, 'must be an object such as {"NAME": "value"} or a list such as ["NAME=value"]');
  }
  return pairs.map(([key, v]) => {
    if (!key || key.includes("=") || key.includes("\0") || key.length > 1024) {
      f.fail(`${field}.${key}`, "is not a valid key (no '=', at most 1024 characters)");
    }
    return [key, scalarText(f, `${field}.${key}`, v)];
  });
}

function user(f: Fields, value: unknown): string {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return String(value);
  const text = f.string("user", value, 256);
  if (!USER_PATTERN.test(text)) {
    f.fail("user", "must be a user or uid, optionally with :group or :gid");
  }
  return text;
}
