/**
 * Configuration: command-line options, environment and config file merged
 * into one frozen, typed {@link Config}. Flags override the file; the file
 * overrides defaults.
 *
 * @module
 */

import { DEFAULT_DOCKER_HOST, type TlsFiles } from "../engine/docker_host.ts";
import { BerthError, grantHint } from "../errors/mod.ts";
import { DEFAULT_TIMEOUTS } from "../guard/deadline.ts";
import { DEFAULT_LONG_BUDGET_MS } from "../guard/operations.ts";
import { parseDuration } from "../interpreter/formats.ts";
import { type Level, LEVELS, TIMEOUT_CLASSES, type TimeoutClass } from "../manifest/types.ts";
import { parseLevels } from "../policy/levels.ts";
import { DEFAULT_GUARDS, type GuardSettings } from "../policy/config_policy.ts";
import { type ConfigFile, readConfigFile } from "./file.ts";

export { parseConfigText } from "./file.ts";

/** Log levels for stderr. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Allow and deny globs for one kind of name. */
export interface NameLists {
  allow: string[];
  deny: string[];
}

/** Everything berth runs with. */
export interface Config {
  dockerHost: string;
  tls?: TlsFiles;
  apiVersion?: string;
  levels: Level[];
  bypassPermissions: boolean;
  containers: NameLists;
  images: NameLists;
  timeouts: Record<TimeoutClass, number>;
  manifestDirs: string[];
  toolsets?: string[];
  auditLog?: string;
  logLevel: LogLevel;
  exec: { blockedCommands: string[]; maxOutput: number; timeoutMs: number };
  breaker: { failures: number; windowMs: number; cooldownMs: number };
  /** Budget of long and compose calls before they answer `status: running`; 0 never. */
  longBudgetMs: number;
  fallback: {
    enabled: boolean;
    model: string;
    apiKeyEnv: string;
    maxLogLines: number;
    maxTokens: number;
  };
  /** Where the config file was read from, if any. */
  configPath?: string;
  /** Dangerous container options the operator allows (`permissions.allow_*`). */
  guards: GuardSettings;
  /** Ask the user (MCP elicitation) before destructive calls. */
  confirmDestructive: boolean;
  /** Things the operator must know at start (printed on stderr whatever the log level). */
  warnings: string[];
  /** Things worth knowing at start (printed at warn level: --log-level error hides them). */
  notices: string[];
}

/** Options as the CLI parsed them (all optional). */
export interface CliOptions {
  config?: string;
  dockerHost?: string;
  allow?: string;
  bypassPermissions?: boolean;
  allowContainers?: string[];
  denyContainers?: string[];
  allowImages?: string[];
  denyImages?: string[];
  timeout?: string[];
  longBudget?: string;
  manifest?: string[];
  toolsets?: string;
  auditLog?: string;
  logLevel?: string;
  /** false from `--no-confirm`: never ask before destructive calls. */
  confirm?: boolean;
}

/** Reads an environment variable (injectable for tests). */
export type EnvReader = (name: string) => string | undefined;

/**
 * Reads a variable, treating one the sandbox refuses as unset: an operator who
 * narrows --allow-env to the variables they use must not get a crash.
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return undefined;
    throw error;
  }
}

/** The blocked exec patterns of the configuration contract's sample. */
export const DEFAULT_BLOCKED_COMMANDS = ["rm -rf", "dd if=", "mkfs", "> /dev/"];

/** Splits repeatable, comma-separated glob options. */
export function splitList(values: string[] | string | undefined): string[] {
  const list = Array.isArray(values) ? values : values ? [values] : [];
  return list.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

/**
 * Parses a duration. `key` names it as the operator wrote it (a flag, or a
 * config key, then `file` says which file), so the error points at what to fix.
 */
function ms(value: string | number | undefined, key: string, file?: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value);
  if (parsed !== undefined && parsed > 0) return parsed;
  const where = file ? `Config file ${file}: '${key}'` : `'${key}'`;
  const problem = parsed === 0
    ? "must be more than 0"
    : `must be a duration such as 30s, not '${value}'`;
  throw new BerthError("invalid_input", `${where} ${problem}`, {
    hint: "Write 30s, 2m, 1.5h or a number of milliseconds (no space before the unit)",
  });
}

/** The breaker's cooldown when the config says nothing: one probe every 10 seconds. */
export const DEFAULT_BREAKER_COOLDOWN_MS = 10_000;
/** Bounds of `neverhang.circuit_breaker.cooldown`: a probe per second at most, and at least one an hour. */
const COOLDOWN_RANGE_MS = [1_000, 3_600_000] as const;

/**
 * The breaker's cooldown from the file, within {@link COOLDOWN_RANGE_MS}: shorter
 * would ping a failing engine in a loop, longer would leave berth refusing every
 * call long after the engine came back.
 */
function cooldownMs(value: string | number | undefined, file?: string): number | undefined {
  const key = "neverhang.circuit_breaker.cooldown";
  const parsed = ms(value, key, file);
  if (parsed === undefined) return undefined;
  const [least, most] = COOLDOWN_RANGE_MS;
  if (parsed >= least && parsed <= most) return parsed;
  const where = file ? `Config file ${file}: '${key}'` : `'${key}'`;
  throw new BerthError("invalid_input", `${where} must be between 1s and 1h, not '${value}'`, {
    hint: "Write a cooldown such as 10s (the default) or 1m",
  });
}

/** A duration that may be 0 (off), from a flag or the file. */
function budgetMs(
  value: string | number | undefined,
  key: string,
  file?: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (value === 0 || value === "0") return 0;
  return ms(value, key, file);
}

/** Parses `--timeout CLASS=DURATION` entries. */
export function parseTimeoutFlags(entries: string[]): Partial<Record<TimeoutClass, number>> {
  const out: Partial<Record<TimeoutClass, number>> = {};
  for (const entry of splitList(entries)) {
    const [cls, value] = entry.split("=");
    if (!(TIMEOUT_CLASSES as readonly string[]).includes(cls) || value === undefined) {
      throw new BerthError("invalid_input", `--timeout '${entry}' is not CLASS=DURATION`, {
        hint: `Classes are ${TIMEOUT_CLASSES.join(", ")}; e.g. --timeout read=5s`,
      });
    }
    out[cls as TimeoutClass] = ms(value, `--timeout ${cls}`);
  }
  return out;
}

/** The system-wide config file, read when the user's is absent (the sandbox allows /etc/berth). */
export const SYSTEM_CONFIG_PATH = "/etc/berth/config.yaml";

/** True when the sandbox lets berth read a path (injectable for tests). */
export type ReadCheck = (path: string) => boolean;

/** Asks Deno's sandbox whether a path may be read, without reading (or prompting). */
function sandboxAllowsRead(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path }).state === "granted";
  } catch {
    return false;
  }
}

/** The config file berth runs with, and where it came from. */
interface FoundConfig {
  file?: ConfigFile;
  path?: string;
}

/**
 * Finds the config: the named file (which must exist), else the user's, else
 * the system's. A default path the sandbox hides is not "absent": berth cannot
 * tell whether it exists, so when no file was read it says so, because the
 * operator's lists would otherwise vanish without a word.
 */
function findConfig(
  cli: CliOptions,
  env: EnvReader,
  canRead: ReadCheck,
  warnings: string[],
  notices: string[],
): FoundConfig {
  const named = cli.config ?? env("BERTH_CONFIG");
  if (named !== undefined) return { file: readConfigFile(named, true), path: named };
  const hidden: string[] = [];
  for (const path of [defaultConfigPath(env), SYSTEM_CONFIG_PATH]) {
    if (!path) continue;
    if (!canRead(path)) {
      hidden.push(path);
      continue;
    }
    const file = readConfigFile(path, false);
    if (file) return { file, path };
  }
  if (hidden.includes(SYSTEM_CONFIG_PATH)) warnings.push(hiddenConfigWarning(hidden));
  // Only the home file is out of the sandbox's reach, as it always is under -P=berth:
  // a short note, not an alarm on every start of every newcomer's server.
  else if (hidden.length) notices.push(hiddenHomeNotice(hidden[0]));
  return {};
}

function hiddenHomeNotice(path: string): string {
  return `${path} was not read (Deno's sandbox cannot see a home directory); a config there ` +
    `needs --config ${path} with --allow-read for it, or move it to ${SYSTEM_CONFIG_PATH}`;
}

function hiddenConfigWarning(hidden: string[]): string {
  const dirs = hidden.map((path) => path.slice(0, path.lastIndexOf("/")));
  return `no config file was read: Deno's sandbox has no read access to ` +
    `${hidden.join(" or ")}, so berth cannot tell whether it exists; if it does, its ` +
    `permissions, name lists, exec guard and audit log are NOT in force. ` +
    `${grantHint("read", ...dirs)}; or pass --config <file>`;
}

function defaultConfigPath(env: EnvReader): string | undefined {
  const base = env("XDG_CONFIG_HOME") ?? (env("HOME") ? `${env("HOME")}/.config` : undefined);
  return base ? `${base}/berth/config.yaml` : undefined;
}

function fileLevels(file: ConfigFile): Level[] {
  const p = file.permissions ?? {};
  return LEVELS.filter((level) => (level === "read" ? p.read !== false : p[level] === true));
}

function dockerHostFrom(cli: CliOptions, env: EnvReader, file: ConfigFile): string {
  if (cli.dockerHost) return cli.dockerHost;
  if (env("DOCKER_HOST")) return env("DOCKER_HOST")!;
  if (file.docker?.host) return file.docker.host;
  if (file.docker?.socket) return `unix://${file.docker.socket}`;
  return DEFAULT_DOCKER_HOST;
}

function tlsFrom(env: EnvReader, file: ConfigFile): TlsFiles | undefined {
  const certPath = env("DOCKER_CERT_PATH");
  if (env("DOCKER_TLS_VERIFY") === "1" || (env("DOCKER_TLS_VERIFY") && certPath)) {
    const dir = certPath ?? `${env("HOME")}/.docker`;
    return { ca: `${dir}/ca.pem`, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
  }
  const tls = file.docker?.tls;
  return tls && (tls.ca || tls.cert) ? { ...tls } : undefined;
}

/** Builds the configuration. */
export function loadConfig(
  cli: CliOptions = {},
  env: EnvReader = readEnv,
  canRead: ReadCheck = sandboxAllowsRead,
): Config {
  const warnings: string[] = [];
  const notices: string[] = [];
  const found = findConfig(cli, env, canRead, warnings, notices);
  const fileMs = (value: string | number | undefined, key: string) => ms(value, key, found.path);
  const file: ConfigFile = found.file ?? {};
  const p = file.permissions ?? {};
  const n = file.neverhang ?? {};
  const allow = cli.allow ?? env("BERTH_ALLOW");
  const levels = allow !== undefined ? [...parseLevels(allow)] : fileLevels(file);
  const logLevel = (cli.logLevel ?? env("BERTH_LOG_LEVEL") ?? file.log_level ?? "warn") as LogLevel;
  if (!["error", "warn", "info", "debug"].includes(logLevel)) {
    throw new BerthError("invalid_input", `Log level '${logLevel}' is not known`, {
      hint: "Use error, warn, info or debug",
    });
  }
  const timeouts: Record<TimeoutClass, number> = {
    read: fileMs(n.read_timeout, "neverhang.read_timeout") ?? DEFAULT_TIMEOUTS.read,
    lifecycle: fileMs(n.lifecycle_timeout, "neverhang.lifecycle_timeout") ??
      DEFAULT_TIMEOUTS.lifecycle,
    exec: fileMs(n.exec_timeout, "neverhang.exec_timeout") ?? DEFAULT_TIMEOUTS.exec,
    compose: fileMs(n.compose_timeout, "neverhang.compose_timeout") ?? DEFAULT_TIMEOUTS.compose,
    long: fileMs(n.long_timeout, "neverhang.long_timeout") ?? DEFAULT_TIMEOUTS.long,
    ...parseTimeoutFlags(cli.timeout ?? []),
  };
  const toolsets = cli.toolsets ?? env("BERTH_TOOLSETS");
  const manifestDirs = [...splitList(env("BERTH_MANIFESTS")?.split(":")), ...(cli.manifest ?? [])];
  const breaker = n.circuit_breaker ?? {};
  const fallback = file.fallback ?? {};
  const config: Config = {
    dockerHost: dockerHostFrom(cli, env, file),
    tls: tlsFrom(env, file),
    apiVersion: env("DOCKER_API_VERSION") ?? file.docker?.api_version ?? undefined,
    levels,
    bypassPermissions: cli.bypassPermissions ?? false,
    containers: {
      allow: [...(p.whitelist_containers ?? []), ...splitList(cli.allowContainers)],
      deny: [...(p.blacklist_containers ?? []), ...splitList(cli.denyContainers)],
    },
    images: {
      allow: [...(p.whitelist_images ?? []), ...splitList(cli.allowImages)],
      deny: [...(p.blacklist_images ?? []), ...splitList(cli.denyImages)],
    },
    timeouts,
    manifestDirs,
    toolsets: toolsets ? splitList(toolsets) : undefined,
    auditLog: cli.auditLog ?? env("BERTH_AUDIT_LOG") ?? file.audit_log,
    logLevel,
    exec: {
      blockedCommands: file.exec_safety?.blocked_commands ?? DEFAULT_BLOCKED_COMMANDS,
      maxOutput: file.exec_safety?.max_output ?? 10_000,
      timeoutMs: fileMs(file.exec_safety?.timeout, "exec_safety.timeout") ?? timeouts.exec,
    },
    longBudgetMs: budgetMs(cli.longBudget, "--long-budget") ??
      budgetMs(n.long_budget, "neverhang.long_budget", found.path) ?? DEFAULT_LONG_BUDGET_MS,
    breaker: {
      failures: breaker.failures ?? 3,
      windowMs: fileMs(breaker.window, "neverhang.circuit_breaker.window") ?? 60_000,
      cooldownMs: cooldownMs(breaker.cooldown, found.path) ?? DEFAULT_BREAKER_COOLDOWN_MS,
    },
    fallback: {
      enabled: fallback.enabled ?? false,
      model: fallback.model ?? "claude-haiku-4-5",
      apiKeyEnv: fallback.api_key_env ?? "DOCKER_MCP_FALLBACK_KEY",
      maxLogLines: fallback.max_log_lines ?? 200,
      maxTokens: fallback.max_tokens ?? 500,
    },
    configPath: found.path,
    guards: {
      allowPrivileged: p.allow_privileged ?? DEFAULT_GUARDS.allowPrivileged,
      allowHostNamespaces: p.allow_host_namespaces ?? DEFAULT_GUARDS.allowHostNamespaces,
      allowedCapabilities: p.allowed_capabilities ?? DEFAULT_GUARDS.allowedCapabilities,
      allowDevices: p.allow_devices ?? DEFAULT_GUARDS.allowDevices,
      allowGpus: p.allow_gpus ?? DEFAULT_GUARDS.allowGpus,
      allowUnconfined: p.allow_unconfined ?? DEFAULT_GUARDS.allowUnconfined,
      allowVolumesFrom: p.allow_volumes_from ?? DEFAULT_GUARDS.allowVolumesFrom,
      allowPublicPorts: p.allow_public_ports ?? DEFAULT_GUARDS.allowPublicPorts,
      allowedHostPaths: p.allowed_host_paths ?? DEFAULT_GUARDS.allowedHostPaths,
    },
    confirmDestructive: cli.confirm === false ? false : file.confirm_destructive ?? true,
    warnings,
    notices,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
