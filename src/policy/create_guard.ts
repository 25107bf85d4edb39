/**
 * The create guard: refuses container options that let a container escape to
 * the host, after Kubernetes' Pod Security "Baseline" profile: privileged
 * mode, host namespaces, added capabilities beyond Docker's defaults, devices,
 * relaxed seccomp/AppArmor/SELinux, unmasked /proc, unsafe sysctls,
 * `VolumesFrom`, and bind mounts of sensitive host paths. Each is allowed only
 * by its own `permissions.*` config key.
 *
 * The engine decodes JSON keys case-insensitively (the last duplicate wins)
 * and still reads host options from the top level of a create body when
 * `HostConfig` is absent (the deprecated embedded struct), so both places are
 * checked, with the engine's key matching (docs/security.md rule 3).
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import type { HostPathRules } from "./host_paths.ts";
import { checkVolumeDriver, volumeOptionPaths, type VolumeRules } from "./volume_options.ts";

/** Which dangerous options the operator allows. */
export interface CreateRules extends VolumeRules {
  allowPrivileged: boolean;
  allowHostNamespaces: boolean;
  /** Capabilities allowed in CapAdd beyond the Baseline set (upper case, no CAP_). */
  allowedCapabilities: readonly string[];
  allowDevices: boolean;
  allowGpus: boolean;
  allowUnconfined: boolean;
  allowVolumesFrom: boolean;
  allowPublicPorts: boolean;
  hostPaths: HostPathRules;
}

/** Docker's default capabilities, which Baseline allows adding back. */
export const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

/**
 * A capability as berth compares it: trimmed, upper case, without the `CAP_`
 * prefix, since Docker takes any case and the prefix optional
 * (` cap_net_admin` is NET_ADMIN). The config check, the operator's allowed
 * list and the create guard all read names through it, so a name the check
 * accepts is the name the guard matches.
 */
export function capabilityName(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, "");
}

/** Namespaced sysctls Baseline allows. */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

const NAMESPACES = ["PidMode", "IpcMode", "NetworkMode", "UTSMode", "UsernsMode", "CgroupnsMode"];
const SELINUX_TYPES = new Set(["container_t", "container_init_t", "container_kvm_t"]);

/** The value the engine decodes for a key: matched ignoring case, the last one wins. */
export function field(object: unknown, name: string): unknown {
  if (!object || typeof object !== "object" || Array.isArray(object)) return undefined;
  const lower = name.toLowerCase();
  let value: unknown;
  for (const [key, v] of Object.entries(object)) if (key.toLowerCase() === lower) value = v;
  return value;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function set(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== "" &&
    value !== 0 && !(Array.isArray(value) && value.length === 0);
}

/**
 * A refusal of the create guard (DKR-007) that keeps the engine option it
 * refused, so that a caller whose user wrote other keys (compose's
 * `privileged`, the tools' `ports`) can say it in those: see {@link renamed}.
 */
export class OptionRefused extends BerthError {
  /** The engine's key, e.g. `Privileged`, `CapAdd`, `PidMode`. */
  readonly option: string;
  /** Which value of the option, with its separator (": host", " SYS_ADMIN"); "" when none. */
  readonly detail: string;
  /** Why it is refused, e.g. "it gives the container full access to the host"; "" when the hint says it. */
  readonly why: string;

  constructor(option: string, detail: string, why: string, hint: string) {
    super("denied_by_policy", refusalMessage(`Option '${option}${detail}'`, why), { hint });
    this.option = option;
    this.detail = detail;
    this.why = why;
  }
}

function refusalMessage(subject: string, why: string): string {
  return `${subject} is not allowed${why ? `: ${why}` : ""}`;
}

/**
 * A create-guard refusal said in the caller's keys: `keys` maps engine
 * options to the names the user wrote, `where` prefixes the message
 * (e.g. "Service 'web': "). Other errors pass through unchanged.
 */
export function renamed(
  error: unknown,
  keys: Readonly<Record<string, string>>,
  where = "",
): unknown {
  if (!(error instanceof OptionRefused)) return error;
  const key = keys[error.option];
  const subject = key ? `'${key}${error.detail}'` : `Option '${error.option}${error.detail}'`;
  return new BerthError("denied_by_policy", where + refusalMessage(subject, error.why), {
    hint: error.hint,
  });
}

function refuse(option: string, why: string, key: string, detail = ""): OptionRefused {
  return new OptionRefused(
    option,
    detail,
    why,
    `The operator can allow it with permissions.${key}: true in the config file`,
  );
}

/** The source of a `Binds` entry (`src:dst[:mode]`, Windows `C:\src:dst`). */
export function bindSource(entry: string): string {
  const drive = /^[A-Za-z]:[\\/]/.test(entry);
  const colon = entry.indexOf(":", drive ? 2 : 0);
  return colon < 0 ? entry : entry.slice(0, colon);
}

/** True when a Binds source is a host path rather than a named volume. */
function isHostPath(source: string): boolean {
  return !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source);
}

function checkMounts(hc: unknown, rules: CreateRules): void {
  for (const entry of list(field(hc, "Binds"))) {
    if (typeof entry !== "string") continue;
    const source = bindSource(entry);
    if (isHostPath(source)) rules.hostPaths.check(source, "bind");
  }
  for (const mount of list(field(hc, "Mounts"))) {
    const type = String(field(mount, "Type") ?? "volume").toLowerCase();
    if (type === "bind") {
      rules.hostPaths.check(String(field(mount, "Source") ?? ""), "bind");
    } else if (type === "volume") {
      // A volume mount creates its volume when missing, with this driver and these options.
      const driver = field(field(mount, "VolumeOptions"), "DriverConfig");
      checkVolumeDriver(
        field(driver, "Name"),
        field(driver, "Options"),
        rules,
        "Mounts[].VolumeOptions.DriverConfig",
      );
    } else if (type !== "tmpfs" && type !== "image") {
      throw new OptionRefused(
        "Mounts",
        ` type ${type}`,
        "",
        "Use a bind, volume, tmpfs or image mount",
      );
    }
  }
}

function checkSecurityOpt(option: string, rules: CreateRules): void {
  const match = /^\s*([^=:]+)[=:]?(.*)$/s.exec(option);
  const key = (match?.[1] ?? "").trim().toLowerCase();
  const value = (match?.[2] ?? "").trim().toLowerCase();
  const relaxed = key === "seccomp" || key === "writable-cgroups" ||
    (key === "apparmor" && value === "unconfined") ||
    (key === "systempaths" && value === "unconfined") ||
    (key === "label" && (value === "disable" || /^(user|role):/.test(value) ||
      (value.startsWith("type:") && !SELINUX_TYPES.has(value.slice(5)))));
  if (relaxed && !rules.allowUnconfined) {
    throw refuse(
      "SecurityOpt",
      "it relaxes the container's isolation",
      "allow_unconfined",
      ` ${option}`,
    );
  }
}

function checkPorts(hc: unknown): void {
  if (set(field(hc, "PublishAllPorts"))) {
    throw refuse(
      "PublishAllPorts",
      "it publishes ports on every host interface",
      "allow_public_ports",
    );
  }
  const bindings = field(hc, "PortBindings");
  if (!bindings || typeof bindings !== "object") return;
  for (const [port, value] of Object.entries(bindings)) {
    for (const binding of list(value)) {
      const ip = String(field(binding, "HostIp") ?? "").replace(/^\[|\]$/g, "");
      if (!/^127\.\d+\.\d+\.\d+$|^::1$|^localhost$/i.test(ip)) {
        throw refuse(
          "PortBindings",
          "only loopback ports (host_ip 127.0.0.1) may be published",
          "allow_public_ports",
          ` ${port} on ${ip || "0.0.0.0"}`,
        );
      }
    }
  }
}

function checkHostConfig(hc: unknown, rules: CreateRules): void {
  if (set(field(hc, "Privileged")) && !rules.allowPrivileged) {
    throw refuse(
      "Privileged",
      "it gives the container full access to the host",
      "allow_privileged",
    );
  }
  for (const ns of NAMESPACES) {
    const mode = String(field(hc, ns) ?? "").trim().toLowerCase();
    if (mode === "host" && !rules.allowHostNamespaces) {
      throw refuse(ns, "it shares a namespace with the host", "allow_host_namespaces", ": host");
    }
  }
  for (const cap of list(field(hc, "CapAdd"))) {
    const name = capabilityName(String(cap));
    if (!BASELINE_CAPABILITIES.has(name) && !rules.allowedCapabilities.includes(name)) {
      throw new OptionRefused(
        "CapAdd",
        ` ${cap}`,
        "",
        "Only Docker's default capabilities may be added; the operator can list more " +
          "in permissions.allowed_capabilities",
      );
    }
  }
  if ((set(field(hc, "Devices")) || set(field(hc, "DeviceCgroupRules"))) && !rules.allowDevices) {
    throw refuse("Devices", "it gives the container host devices", "allow_devices");
  }
  if (set(field(hc, "DeviceRequests")) && !rules.allowGpus) {
    throw refuse("DeviceRequests", "it gives the container host GPUs", "allow_gpus");
  }
  for (const option of list(field(hc, "SecurityOpt"))) checkSecurityOpt(String(option), rules);
  for (const key of ["MaskedPaths", "ReadonlyPaths"]) {
    const value = field(hc, key);
    if (value !== undefined && value !== null && !rules.allowUnconfined) {
      throw refuse(key, "it replaces the /proc paths Docker masks", "allow_unconfined");
    }
  }
  const sysctls = field(hc, "Sysctls");
  for (const key of Object.keys(sysctls && typeof sysctls === "object" ? sysctls : {})) {
    if (!SAFE_SYSCTLS.has(key) && !rules.allowUnconfined) {
      throw refuse(
        "Sysctls",
        "only namespaced sysctls of the Baseline set",
        "allow_unconfined",
        ` ${key}`,
      );
    }
  }
  if (set(field(hc, "VolumesFrom")) && !rules.allowVolumesFrom) {
    throw refuse("VolumesFrom", "it mounts another container's volumes", "allow_volumes_from");
  }
  // The driver of the named volumes the container's Binds and volumes create.
  const volumeDriver = field(hc, "VolumeDriver");
  if (typeof volumeDriver === "string") checkVolumeDriver(volumeDriver, {}, rules, "VolumeDriver");
  checkMounts(hc, rules);
  if (!rules.allowPublicPorts) checkPorts(hc);
}

/** Throws DKR-007 naming the option when a container create body is dangerous. */
export function checkCreateBody(body: Record<string, unknown>, rules: CreateRules): void {
  checkHostConfig(body, rules); // the deprecated top-level host options
  const hc = field(body, "HostConfig");
  if (hc && typeof hc === "object") checkHostConfig(hc, rules);
}

/**
 * Throws DKR-007 when a volume create body uses a driver or driver options the
 * operator did not allow (src/policy/volume_options.ts).
 */
export function checkVolumeBody(body: Record<string, unknown>, rules: CreateRules): void {
  checkVolumeDriver(field(body, "Driver"), field(body, "DriverOpts"), rules);
}

/** Every host path a create body binds (Binds, bind Mounts, paths in volume driver options), both places. */
export function hostPathsOf(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  const device = (options: unknown) => {
    if (options && typeof options === "object") {
      out.push(...volumeOptionPaths(options as Record<string, string>));
    }
  };
  for (const hc of [body, field(body, "HostConfig")]) {
    for (const entry of list(field(hc, "Binds"))) {
      if (typeof entry === "string" && isHostPath(bindSource(entry))) out.push(bindSource(entry));
    }
    for (const mount of list(field(hc, "Mounts"))) {
      const type = String(field(mount, "Type") ?? "volume").toLowerCase();
      if (type === "bind") out.push(String(field(mount, "Source") ?? ""));
      if (type === "volume") {
        device(field(field(field(mount, "VolumeOptions"), "DriverConfig"), "Options"));
      }
    }
  }
  return out;
}
