/**
 * The schema of the config file: the keys of the configuration contract,
 * unknown keys refused with their key path. Loaded with the YAML parser when
 * a config file is found (src/config/file.ts, `loadConfigParser`): building
 * these zod schemas took about 8 ms of every start (docs/performance.md).
 *
 * @module
 */

import { z } from "zod";
import { capabilityName } from "../policy/create_guard.ts";

const duration = z.union([z.number().nonnegative(), z.string()]);
// An empty entry matches nothing (or, as a blocked command, everything): always a typo.
const entry = z.string().refine((s) => s.trim() !== "", "must not be an empty string");
const globs = z.array(entry).default([]);

/**
 * Linux capability names (capabilities(7)) and Docker's `ALL`. A misspelt one
 * would be accepted and never match, so the list the operator meant is refused.
 */
const LINUX_CAPABILITIES: readonly string[] = [
  "ALL",
  "AUDIT_CONTROL",
  "AUDIT_READ",
  "AUDIT_WRITE",
  "BLOCK_SUSPEND",
  "BPF",
  "CHECKPOINT_RESTORE",
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "IPC_LOCK",
  "IPC_OWNER",
  "KILL",
  "LEASE",
  "LINUX_IMMUTABLE",
  "MAC_ADMIN",
  "MAC_OVERRIDE",
  "MKNOD",
  "NET_ADMIN",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_RAW",
  "PERFMON",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_CHROOT",
  "SYS_MODULE",
  "SYS_NICE",
  "SYS_PACCT",
  "SYS_PTRACE",
  "SYS_RAWIO",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "SYSLOG",
  "WAKE_ALARM",
];

/** True for a capability name as Docker takes it (any case, `CAP_` prefix optional). */
function isCapability(name: string): boolean {
  return LINUX_CAPABILITIES.includes(capabilityName(name));
}

const capability = entry.refine(isCapability, {
  message: `is not a Linux capability; known names: ${LINUX_CAPABILITIES.join(", ")}`,
});

/** A volume driver name as the engine takes it (`local` is always allowed, so listing it is a mistake). */
const volumeDriver = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9_.\/:-]{0,127}$/,
  "must be a volume driver name such as rexray/ebs",
).refine((s) => s !== "local", "local is always allowed; list only other drivers");

const tlsSchema = z.strictObject({
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
});

const permissionsSchema = z.strictObject({
  read: z.boolean().optional(),
  lifecycle: z.boolean().optional(),
  exec: z.boolean().optional(),
  create: z.boolean().optional(),
  images: z.boolean().optional(),
  volumes: z.boolean().optional(),
  networks: z.boolean().optional(),
  system: z.boolean().optional(),
  swarm: z.boolean().optional(),
  whitelist_containers: globs.optional(),
  blacklist_containers: globs.optional(),
  whitelist_images: globs.optional(),
  blacklist_images: globs.optional(),
  // Dangerous container options (security): all refused unless allowed here.
  allow_privileged: z.boolean().optional(),
  allow_host_namespaces: z.boolean().optional(),
  allowed_capabilities: z.array(capability).optional(),
  allow_devices: z.boolean().optional(),
  allow_gpus: z.boolean().optional(),
  allow_unconfined: z.boolean().optional(),
  allow_volumes_from: z.boolean().optional(),
  allow_public_ports: z.boolean().optional(),
  allowed_host_paths: z.array(entry).optional(),
  // Volumes: only the local driver with no options or a tmpfs, unless allowed here.
  allow_volume_driver_opts: z.boolean().optional(),
  allowed_volume_drivers: z.array(volumeDriver).optional(),
});

const execSafetySchema = z.strictObject({
  blocked_commands: z.array(entry).optional(),
  max_output: z.number().int().positive().optional(),
  timeout: duration.optional(),
  // Computed commands ($(…), backticks, eval, "$@", sh reading its input) in guarded commands.
  allow_indirection: z.boolean().optional(),
});

const neverhangSchema = z.strictObject({
  read_timeout: duration.optional(),
  lifecycle_timeout: duration.optional(),
  exec_timeout: duration.optional(),
  compose_timeout: duration.optional(),
  long_timeout: duration.optional(),
  long_budget: duration.optional(),
  circuit_breaker: z.strictObject({
    failures: z.number().int().positive().optional(),
    window: duration.optional(),
    cooldown: duration.optional(),
  }).optional(),
});

/** What `ssh://` engines pass to the ssh client (docs/security.md: the berth-ssh set). */
const sshSchema = z.strictObject({
  identity_file: z.string().optional(),
  known_hosts_file: z.string().optional(),
  /** `-o` options, e.g. `StrictHostKeyChecking=yes`. */
  options: z.array(entry).optional(),
});

/**
 * One named engine (`engines.<name>`): where it is (a `host`, or a docker CLI
 * `context`), and the top level's permissions, exec_safety and neverhang keys
 * for it alone (README: Several engines).
 */
export const engineSchema = z.strictObject({
  host: z.string().optional(),
  context: z.string().optional(),
  tls: tlsSchema.optional(),
  api_version: z.string().optional(),
  ssh: sshSchema.optional(),
  permissions: permissionsSchema.optional(),
  exec_safety: execSafetySchema.optional(),
  neverhang: neverhangSchema.optional(),
}).refine((e) => !(e.host && e.context), "takes host or context, not both");

/** The schema of the config file. */
export const configFileSchema = z.strictObject({
  docker: z.strictObject({
    socket: z.string().nullish(),
    host: z.string().nullish(),
    api_version: z.string().nullish(),
    tls: tlsSchema.nullish(),
    ssh: sshSchema.optional(),
  }).optional(),
  // Names are checked by the config loader, whose message names the bad one.
  engines: z.record(z.string(), engineSchema).optional(),
  default_engine: z.string().optional(),
  permissions: permissionsSchema.optional(),
  exec_safety: execSafetySchema.optional(),
  neverhang: neverhangSchema.optional(),
  fallback: z.strictObject({
    enabled: z.boolean().optional(),
    model: z.string().optional(),
    api_key_env: z.string().optional(),
    max_log_lines: z.number().int().positive().optional(),
    max_tokens: z.number().int().positive().optional(),
  }).optional(),
  audit_log: z.string().optional(),
  confirm_destructive: z.boolean().optional(),
  log_level: z.enum(["error", "warn", "info", "debug"]).optional(),
  // The cap of one result's structured content, in JSON characters (src/guard/caps.ts).
  max_result_bytes: z.number().int().min(16 * 1024).max(16 * 1024 * 1024).optional(),
});
