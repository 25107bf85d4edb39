/**
 * Configuration: command-line options, environment and config file merged
 * into one frozen, typed {@link Config}. Flags override the file; the file
 * overrides defaults.
 *
 * @module
 */

import { MAX_STRUCTURED_BYTES } from "../guard/caps.ts";
import type { TlsFiles } from "../engine/docker_host.ts";
import { BerthError, grantHint } from "../errors/mod.ts";
import { DEFAULT_TIMEOUTS } from "../guard/deadline.ts";
import { DEFAULT_LONG_BUDGET_MS } from "../guard/operations.ts";
import { parseDuration } from "../guard/formats.ts";
import { type Level, LEVELS, TIMEOUT_CLASSES, type TimeoutClass } from "../manifest/types.ts";
import { parseLevels } from "../policy/levels.ts";
import { DEFAULT_GUARDS, type GuardSettings } from "../policy/config_policy.ts";
import { contextFromEnv, currentContext, resolveContext } from "./contexts.ts";
import { discoverHost, type SocketCheck, socketPresent } from "./sockets.ts";
import {
  type ConfigFile,
  ConfigParserNeeded,
  ENGINE_NAME,
  type EngineBlock,
  loadConfigParser,
  readConfigFile,
} from "./file.ts";

export { loadConfigParser, parseConfigText } from "./file.ts";

/** Log levels for stderr. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Allow and deny globs for one kind of name. */
export interface NameLists {
  allow: string[];
  deny: string[];
}

/** What an `ssh://` engine passes to the ssh client. */
export interface SshSettings {
  identityFile?: string;
  knownHostsFile?: string;
  /** `-o` options. */
  options: string[];
}

/** The settings that belong to one engine: where it is and the policy that holds there. */
export interface EngineSettings {
  dockerHost: string;
  tls?: TlsFiles;
  ssh?: SshSettings;
  apiVersion?: string;
  /** The docker CLI context the endpoint came from, if any. */
  context?: string;
  levels: Level[];
  /**
   * The levels the engine's own `permissions` block grants, when it names any:
   * the engine never gets more, whatever the command line grants.
   */
  ceiling?: Level[];
  containers: NameLists;
  images: NameLists;
  timeouts: Record<TimeoutClass, number>;
  exec: {
    blockedCommands: string[];
    maxOutput: number;
    timeoutMs: number;
    /** Computed commands (`$(…)`, `eval`, `"$@"` …) in guarded commands (`exec_safety.allow_indirection`). */
    allowIndirection?: boolean;
  };
  breaker: { failures: number; windowMs: number; cooldownMs: number };
  /** Budget of long and compose calls before they answer `status: running`; 0 never. */
  longBudgetMs: number;
  /** Dangerous container options the operator allows (`permissions.allow_*`). */
  guards: GuardSettings;
}

/** One named engine (the `engines:` map, or the one engine of a config without it). */
export interface EngineConfig extends EngineSettings {
  name: string;
}

/** The name of the one engine of a config without an `engines:` map. */
export const DEFAULT_ENGINE_NAME = "default";

/**
 * Everything berth runs with. The engine fields it inherits are the default
 * engine's; `engines` lists every engine, the default among them.
 */
export interface Config extends EngineSettings {
  bypassPermissions: boolean;
  manifestDirs: string[];
  toolsets?: string[];
  /** tools/list starts with the read tools and `docker_toolsets`, which enables the others. */
  dynamicToolsets: boolean;
  /** tools/list also sends each tool's title and outputSchema. */
  outputSchemas: boolean;
  auditLog?: string;
  logLevel: LogLevel;
  fallback: {
    enabled: boolean;
    model: string;
    apiKeyEnv: string;
    maxLogLines: number;
    maxTokens: number;
  };
  /** Where the config file was read from, if any. */
  configPath?: string;
  /** Ask the user (MCP elicitation) before destructive calls. */
  confirmDestructive: boolean;
  /** The cap of one result's structured content, in JSON characters (`max_result_bytes`). */
  maxResultBytes: number;
  /** Things the operator must know at start (printed on stderr whatever the log level). */
  warnings: string[];
  /** Things worth knowing at start (printed at warn level: --log-level error hides them). */
  notices: string[];
  /** Every engine, in the config file's order; one when the file has no `engines:` map. */
  engines: EngineConfig[];
  /** The engine a call without an `engine` argument uses. */
  defaultEngine: string;
}

/** Options as the CLI parsed them (all optional). */
export interface CliOptions {
  config?: string;
  dockerHost?: string;
  /** A docker CLI context (env DOCKER_CONTEXT). */
  context?: string;
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
  dynamicToolsets?: boolean;
  outputSchemas?: boolean;
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
function cooldownMs(
  value: string | number | undefined,
  file?: string,
  prefix = "",
): number | undefined {
  const key = `${prefix}neverhang.circuit_breaker.cooldown`;
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
    `needs --config ${path} and a read grant for it ('berth setup CLIENT --config ${path}' ` +
    `prints both), or move it to ${SYSTEM_CONFIG_PATH}`;
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

/** The keys an engine's settings are read from: the top level, or an engine block merged onto it. */
interface EngineView {
  docker?: ConfigFile["docker"];
  permissions?: ConfigFile["permissions"];
  exec_safety?: ConfigFile["exec_safety"];
  neverhang?: ConfigFile["neverhang"];
}

type Permissions = NonNullable<ConfigFile["permissions"]>;

function fileLevels(p: Permissions): Level[] {
  return LEVELS.filter((level) => (level === "read" ? p.read !== false : p[level] === true));
}

/** The ceiling of an engine block that names levels: exactly the levels it grants. */
function ceilingOf(block: EngineBlock): Level[] | undefined {
  const p = block.permissions ?? {};
  return LEVELS.some((level) => level in p) ? fileLevels(p) : undefined;
}

function tlsFromEnv(env: EnvReader): TlsFiles | undefined {
  const certPath = env("DOCKER_CERT_PATH");
  if (env("DOCKER_TLS_VERIFY") === "1" || (env("DOCKER_TLS_VERIFY") && certPath)) {
    const dir = certPath ?? `${env("HOME")}/.docker`;
    return { ca: `${dir}/ca.pem`, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
  }
  return undefined;
}

function fileTls(tls: { ca?: string; cert?: string; key?: string } | null | undefined) {
  return tls && (tls.ca || tls.cert) ? { ...tls } : undefined;
}

function sshFrom(
  ssh: { identity_file?: string; known_hosts_file?: string; options?: string[] } | undefined,
): SshSettings | undefined {
  if (!ssh) return undefined;
  return {
    identityFile: ssh.identity_file,
    knownHostsFile: ssh.known_hosts_file,
    options: ssh.options ?? [],
  };
}

/** Where the one engine of a config without `engines:` is: flags, then environment, then file. */
function singleEndpoint(
  cli: CliOptions,
  env: EnvReader,
  file: ConfigFile,
  present: SocketCheck,
  notices: string[],
  canRead: ReadCheck,
): Pick<EngineSettings, "dockerHost" | "tls" | "context"> {
  if (cli.dockerHost && cli.context) {
    throw new BerthError("invalid_input", "--docker-host and --context both name the engine", {
      hint: "Pass one of them",
    });
  }
  if (cli.dockerHost) {
    return { dockerHost: cli.dockerHost, tls: tlsFromEnv(env) ?? fileTls(file.docker?.tls) };
  }
  // The docker CLI's order: --context, DOCKER_HOST, DOCKER_CONTEXT; then berth's own config
  // file, before the context `docker context use` chose.
  const contextName = cli.context ??
    (env("DOCKER_HOST")
      ? undefined
      : contextFromEnv(env) ?? (file.docker ? undefined : currentContext(env, canRead)));
  if (contextName) {
    const ctx = resolveContext(contextName, env);
    return { dockerHost: ctx.host, tls: ctx.tls, context: ctx.name };
  }
  const tls = tlsFromEnv(env) ?? fileTls(file.docker?.tls);
  if (env("DOCKER_HOST")) return { dockerHost: env("DOCKER_HOST")!, tls };
  if (file.docker?.host) return { dockerHost: file.docker.host, tls };
  if (file.docker?.socket) return { dockerHost: `unix://${file.docker.socket}`, tls };
  const { host, discovered } = discoverHost(env("XDG_RUNTIME_DIR"), present);
  if (discovered) {
    notices.push(`no engine configured and none at /var/run/docker.sock: using ${discovered}`);
  }
  return { dockerHost: host, tls };
}

/** The settings of one engine from its view of the file and the command line. */
function engineSettings(
  view: EngineView,
  endpoint: Pick<EngineSettings, "dockerHost" | "tls" | "context" | "ssh" | "apiVersion">,
  cli: CliOptions,
  env: EnvReader,
  where: { path?: string; prefix: string; ceiling?: Level[] },
): EngineSettings {
  const fileMs = (value: string | number | undefined, key: string) =>
    ms(value, `${where.prefix}${key}`, where.path);
  const p = view.permissions ?? {};
  const n = view.neverhang ?? {};
  const allow = cli.allow ?? env("BERTH_ALLOW");
  const granted = allow !== undefined ? [...parseLevels(allow)] : fileLevels(p);
  const ceiling = where.ceiling;
  const levels = ceiling ? granted.filter((level) => ceiling.includes(level)) : granted;
  const timeouts: Record<TimeoutClass, number> = {
    read: fileMs(n.read_timeout, "neverhang.read_timeout") ?? DEFAULT_TIMEOUTS.read,
    lifecycle: fileMs(n.lifecycle_timeout, "neverhang.lifecycle_timeout") ??
      DEFAULT_TIMEOUTS.lifecycle,
    exec: fileMs(n.exec_timeout, "neverhang.exec_timeout") ?? DEFAULT_TIMEOUTS.exec,
    compose: fileMs(n.compose_timeout, "neverhang.compose_timeout") ?? DEFAULT_TIMEOUTS.compose,
    long: fileMs(n.long_timeout, "neverhang.long_timeout") ?? DEFAULT_TIMEOUTS.long,
    ...parseTimeoutFlags(cli.timeout ?? []),
  };
  const breaker = n.circuit_breaker ?? {};
  return {
    ...endpoint,
    levels,
    ceiling,
    containers: {
      allow: [...(p.whitelist_containers ?? []), ...splitList(cli.allowContainers)],
      deny: [...(p.blacklist_containers ?? []), ...splitList(cli.denyContainers)],
    },
    images: {
      allow: [...(p.whitelist_images ?? []), ...splitList(cli.allowImages)],
      deny: [...(p.blacklist_images ?? []), ...splitList(cli.denyImages)],
    },
    timeouts,
    exec: {
      blockedCommands: view.exec_safety?.blocked_commands ?? DEFAULT_BLOCKED_COMMANDS,
      maxOutput: view.exec_safety?.max_output ?? 10_000,
      timeoutMs: fileMs(view.exec_safety?.timeout, "exec_safety.timeout") ?? timeouts.exec,
      allowIndirection: view.exec_safety?.allow_indirection ?? false,
    },
    longBudgetMs: budgetMs(cli.longBudget, "--long-budget") ??
      budgetMs(n.long_budget, `${where.prefix}neverhang.long_budget`, where.path) ??
      DEFAULT_LONG_BUDGET_MS,
    breaker: {
      failures: breaker.failures ?? 3,
      windowMs: fileMs(breaker.window, "neverhang.circuit_breaker.window") ?? 60_000,
      cooldownMs: cooldownMs(breaker.cooldown, where.path, where.prefix) ??
        DEFAULT_BREAKER_COOLDOWN_MS,
    },
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
      allowVolumeDriverOpts: p.allow_volume_driver_opts ?? DEFAULT_GUARDS.allowVolumeDriverOpts,
      allowedVolumeDrivers: p.allowed_volume_drivers ?? DEFAULT_GUARDS.allowedVolumeDrivers,
    },
  };
}

/**
 * An engine block seen through the top level: its keys replace the top
 * level's one by one, except deny lists, which add to the top level's (a
 * name denied everywhere stays denied on every engine).
 */
function engineView(file: ConfigFile, block: EngineBlock): EngineView {
  const top = file.permissions ?? {};
  const own = block.permissions ?? {};
  const deny = (key: "blacklist_containers" | "blacklist_images") =>
    top[key] || own[key] ? [...new Set([...(top[key] ?? []), ...(own[key] ?? [])])] : undefined;
  const topN = file.neverhang ?? {};
  const ownN = block.neverhang ?? {};
  return {
    permissions: {
      ...top,
      ...own,
      blacklist_containers: deny("blacklist_containers"),
      blacklist_images: deny("blacklist_images"),
    },
    exec_safety: { ...file.exec_safety, ...block.exec_safety },
    neverhang: {
      ...topN,
      ...ownN,
      circuit_breaker: { ...topN.circuit_breaker, ...ownN.circuit_breaker },
    },
  };
}

function namedEndpoint(
  name: string,
  block: EngineBlock,
  env: EnvReader,
  path?: string,
): Pick<EngineSettings, "dockerHost" | "tls" | "context" | "ssh" | "apiVersion"> {
  const common = { ssh: sshFrom(block.ssh), apiVersion: block.api_version };
  if (block.context) {
    const ctx = resolveContext(block.context, env);
    return {
      ...common,
      dockerHost: ctx.host,
      tls: fileTls(block.tls) ?? ctx.tls,
      context: ctx.name,
    };
  }
  if (!block.host) {
    throw new BerthError("invalid_input", `Config file ${path}: 'engines.${name}' has no host`, {
      hint: `Give it host: unix:///path/to/docker.sock, tcp://host:2376 or ssh://user@host, ` +
        `or context: <docker context name>`,
    });
  }
  return { ...common, dockerHost: block.host, tls: fileTls(block.tls) };
}

/** The engines of a config with an `engines:` map, and its default. */
function namedEngines(
  file: ConfigFile,
  cli: CliOptions,
  env: EnvReader,
  path: string | undefined,
  notices: string[],
): { engines: EngineConfig[]; defaultEngine: string } {
  const blocks = Object.entries(file.engines ?? {});
  const bad = (key: string, problem: string, hint: string) =>
    new BerthError("invalid_input", `Config file ${path}: '${key}' ${problem}`, { hint });
  if (!blocks.length) throw bad("engines", "names no engine", "Add one, or remove the key");
  if (file.docker) {
    throw bad("docker", "cannot stand beside 'engines'", "Move its host into an engine block");
  }
  if (cli.dockerHost || cli.context) {
    throw new BerthError(
      "invalid_input",
      `${
        cli.dockerHost ? "--docker-host" : "--context"
      } cannot be used with the config file's engines`,
      {
        hint: `Choose among ${
          blocks.map(([n]) => n).join(", ")
        } with default_engine, or per call with the engine parameter`,
      },
    );
  }
  for (const variable of ["DOCKER_HOST", "DOCKER_CONTEXT"]) {
    if (env(variable)) notices.push(`${variable} is ignored: the config file names its engines`);
  }
  const names = blocks.map(([name]) => name);
  const badName = names.find((name) => !ENGINE_NAME.test(name));
  if (badName !== undefined) {
    throw bad(
      `engines.${badName}`,
      "is not an engine name",
      "Engine names are letters, digits, '_', '.' and '-', starting with a letter or digit",
    );
  }
  const defaultEngine = file.default_engine ?? (names.length === 1 ? names[0] : undefined);
  if (!defaultEngine || !names.includes(defaultEngine)) {
    throw bad(
      "default_engine",
      defaultEngine ? `names no engine ('${defaultEngine}')` : "is required with several engines",
      `Set default_engine to one of ${names.join(", ")}`,
    );
  }
  const engines = blocks.map(([name, block]) => ({
    name,
    ...engineSettings(engineView(file, block), namedEndpoint(name, block, env, path), cli, env, {
      path,
      prefix: `engines.${name}.`,
      ceiling: ceilingOf(block),
    }),
  }));
  return { engines, defaultEngine };
}

/** Builds the configuration. */
export function loadConfig(
  cli: CliOptions = {},
  env: EnvReader = readEnv,
  canRead: ReadCheck = sandboxAllowsRead,
  present: SocketCheck = socketPresent,
): Config {
  const warnings: string[] = [];
  const notices: string[] = [];
  const found = findConfig(cli, env, canRead, warnings, notices);
  const file: ConfigFile = found.file ?? {};
  if (file.default_engine !== undefined && !file.engines) {
    throw new BerthError(
      "invalid_input",
      `Config file ${found.path}: 'default_engine' needs an 'engines' map`,
      { hint: "Name the engines under engines:, or remove default_engine" },
    );
  }
  const logLevel = (cli.logLevel ?? env("BERTH_LOG_LEVEL") ?? file.log_level ?? "warn") as LogLevel;
  if (!["error", "warn", "info", "debug"].includes(logLevel)) {
    throw new BerthError("invalid_input", `Log level '${logLevel}' is not known`, {
      hint: "Use error, warn, info or debug",
    });
  }
  const { engines, defaultEngine } = file.engines
    ? namedEngines(file, cli, env, found.path, notices)
    : {
      engines: [{
        name: DEFAULT_ENGINE_NAME,
        ...engineSettings(
          file,
          {
            ...singleEndpoint(cli, env, file, present, notices, canRead),
            ssh: sshFrom(file.docker?.ssh),
            apiVersion: file.docker?.api_version ?? undefined,
          },
          cli,
          env,
          { path: found.path, prefix: "" },
        ),
      }],
      defaultEngine: DEFAULT_ENGINE_NAME,
    };
  // DOCKER_API_VERSION pins every engine's version, as it pins the docker CLI's.
  const pinned = env("DOCKER_API_VERSION");
  if (pinned) { for (const engine of engines) engine.apiVersion = pinned; }
  const { name: _name, ...main } = engines.find((e) => e.name === defaultEngine)!;
  const toolsets = cli.toolsets ?? env("BERTH_TOOLSETS");
  const manifestDirs = [...splitList(env("BERTH_MANIFESTS")?.split(":")), ...(cli.manifest ?? [])];
  const fallback = file.fallback ?? {};
  const config: Config = {
    ...main,
    bypassPermissions: cli.bypassPermissions ?? false,
    manifestDirs,
    toolsets: toolsets ? splitList(toolsets) : undefined,
    dynamicToolsets: cli.dynamicToolsets ?? false,
    outputSchemas: cli.outputSchemas ?? false,
    auditLog: cli.auditLog ?? env("BERTH_AUDIT_LOG") ?? file.audit_log,
    logLevel,
    fallback: {
      enabled: fallback.enabled ?? false,
      model: fallback.model ?? "claude-haiku-4-5",
      apiKeyEnv: fallback.api_key_env ?? "DOCKER_MCP_FALLBACK_KEY",
      maxLogLines: fallback.max_log_lines ?? 200,
      maxTokens: fallback.max_tokens ?? 500,
    },
    configPath: found.path,
    confirmDestructive: cli.confirm === false ? false : file.confirm_destructive ?? true,
    maxResultBytes: file.max_result_bytes ?? MAX_STRUCTURED_BYTES,
    warnings,
    notices,
    engines,
    defaultEngine,
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

/**
 * {@link loadConfig} as the CLI starts: the YAML parser is loaded only when a
 * config file is found (then the configuration is built again with it), so a
 * start without one never imports it.
 */
export async function loadConfigOnDemand(cli: CliOptions = {}): Promise<Config> {
  try {
    return loadConfig(cli);
  } catch (error) {
    if (!(error instanceof ConfigParserNeeded)) throw error;
  }
  await loadConfigParser();
  return loadConfig(cli);
}
