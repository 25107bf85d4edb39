/**
 * Volume drivers and their options: an allowlist, not a blocklist.
 *
 * The local driver's options are `mount(8)` in disguise: `type: overlay,
 * o: lowerdir=/etc` reads the host's `/etc`, `o: bind, device: /` binds its
 * root, `type: nfs` or `cifs` reaches a server from the host, `type: ext4,
 * device: /dev/sda1` mounts a disk; and a volume driver other than `local` is
 * a plugin that can mount anything. So by default a volume is the local driver
 * with no options or a tmpfs (`type: tmpfs`, `device: tmpfs`, `o` of tmpfs
 * size, ownership and mode options only). Everything else needs the operator:
 * `permissions.allow_volume_driver_opts: true` for other options (host paths
 * they name still pass the host path rules), `permissions.allowed_volume_drivers`
 * for other drivers (docs/security.md, "Volume drivers").
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import type { HostPathRules } from "./host_paths.ts";

/** What the operator allows for volumes. */
export interface VolumeRules {
  /** Local-driver options beyond a tmpfs (`permissions.allow_volume_driver_opts`). */
  allowVolumeDriverOpts: boolean;
  /** Volume drivers besides `local` (`permissions.allowed_volume_drivers`). */
  allowedVolumeDrivers: readonly string[];
  hostPaths: HostPathRules;
}

/** The option keys of a tmpfs volume of the local driver. */
const TMPFS_KEYS = new Set(["type", "device", "o"]);

/**
 * `o` options of tmpfs that name no path, device or other file system:
 * size, ownership, mode, inode and memory policy, and the generic flags.
 */
const TMPFS_MOUNT_OPTIONS = new Set([
  "size",
  "nr_blocks",
  "nr_inodes",
  "mode",
  "uid",
  "gid",
  "huge",
  "mpol",
  "inode32",
  "inode64",
  "noswap",
  "ro",
  "rw",
  "noexec",
  "exec",
  "nosuid",
  "suid",
  "nodev",
  "dev",
  "noatime",
  "atime",
  "nodiratime",
  "diratime",
  "relatime",
  "norelatime",
  "strictatime",
  "lazytime",
  "sync",
  "async",
]);

/** Option keys whose value may be a host path, and `o` options that take paths. */
const PATH_KEYS = /^(device|mountpoint|path|source|src)$/i;
const PATH_MOUNT_OPTIONS = new Set(["lowerdir", "upperdir", "workdir", "device", "source"]);

function isLocal(driver: string): boolean {
  return driver === "" || driver === "local";
}

/** True when options describe a plain tmpfs (or are empty). */
export function harmlessVolumeOptions(options: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(options);
  if (keys.length === 0) return true;
  if (!keys.every((k) => TMPFS_KEYS.has(k))) return false;
  if (options.type !== "tmpfs") return false;
  if (options.device !== undefined && options.device !== "tmpfs") return false;
  return mountOptions(options.o ?? "").every(({ name }) => TMPFS_MOUNT_OPTIONS.has(name));
}

function mountOptions(o: string): { name: string; value?: string }[] {
  return o.split(",").map((s) => s.trim()).filter(Boolean).map((item) => {
    const eq = item.indexOf("=");
    return eq < 0
      ? { name: item.toLowerCase() }
      : { name: item.slice(0, eq).trim().toLowerCase(), value: item.slice(eq + 1) };
  });
}

function isPathLike(value: string): boolean {
  return /^([A-Za-z]:)?[\\/]/.test(value);
}

/** Every host path the options name: path-like keys and `lowerdir=`, `upperdir=`, … of `o`. */
export function volumeOptionPaths(options: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [key, raw] of Object.entries(options)) {
    const value = String(raw);
    if (PATH_KEYS.test(key) && isPathLike(value)) out.push(value);
    if (key.toLowerCase() !== "o") continue;
    for (const { name, value: v } of mountOptions(value)) {
      if (v === undefined || !PATH_MOUNT_OPTIONS.has(name)) continue;
      for (const part of v.split(":")) if (isPathLike(part)) out.push(part);
    }
  }
  return out;
}

function stringOptions(options: unknown): Record<string, string> {
  if (!options || typeof options !== "object" || Array.isArray(options)) return {};
  return Object.fromEntries(
    Object.entries(options as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
  );
}

function describe(options: Readonly<Record<string, string>>): string {
  return Object.entries(options).map(([k, v]) => `${k}=${v}`).join(" ").slice(0, 200);
}

/**
 * Throws DKR-007 unless the operator allows this volume driver and these
 * options; `where` names the field they came from (`DriverOpts`,
 * `Mounts[].VolumeOptions.DriverConfig`).
 */
export function checkVolumeDriver(
  driver: unknown,
  rawOptions: unknown,
  rules: VolumeRules,
  where = "DriverOpts",
): void {
  const name = typeof driver === "string" ? driver.trim() : "";
  if (!isLocal(name) && !rules.allowedVolumeDrivers.includes(name)) {
    throw new BerthError(
      "denied_by_policy",
      `Volume driver '${name}' is not allowed: a driver other than local is a plugin that can ` +
        "mount anything on the host",
      {
        hint: `Use the local driver, or the operator can allow it with ` +
          `permissions.allowed_volume_drivers: [${name}] in the config file`,
      },
    );
  }
  const options = stringOptions(rawOptions);
  if (harmlessVolumeOptions(options)) return;
  if (!rules.allowVolumeDriverOpts) {
    throw new BerthError(
      "denied_by_policy",
      `Volume driver options '${describe(options)}' (${where}) are not allowed: only a tmpfs ` +
        "(type: tmpfs, device: tmpfs, o: size=…,uid=…,gid=…,mode=…) is; other options can " +
        "mount host paths (bind, overlay lowerdir) or other file systems (nfs, cifs, ext4 …)",
      {
        hint: "Leave driver options out, use a tmpfs, or the operator can allow them with " +
          "permissions.allow_volume_driver_opts: true in the config file",
      },
    );
  }
  for (const path of volumeOptionPaths(options)) rules.hostPaths.check(path, "bind");
}
