/**
 * Volumes of the container spec builder, turned into typed `HostConfig.Mounts`
 * (never `Binds` strings, which the engine would parse again and which create
 * missing host directories). Accepted forms:
 *
 * - an object keyed by source: `{"/srv/data": {"bind": "/data", "mode": "ro"}}`
 *   or `{"cache": "/cache"}` (docker-py's form);
 * - a list: `["/srv/data:/data:ro", "cache:/cache", "/scratch"]` (docker CLI and
 *   compose short syntax; a lone path is an anonymous volume), or compose's
 *   long syntax `{type, source, target, read_only}`.
 *
 * A source starting with `/` is a bind mount of that host path; any other
 * source is a named volume. Relative host paths are refused: callers (compose)
 * resolve them against their own directory first.
 *
 * @module
 */

import { type Fields, isCleanAbsolutePath, isPlainObject } from "./fields.ts";

/** One entry of `HostConfig.Mounts`. */
export interface Mount {
  Type: "bind" | "volume";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  VolumeOptions?: { NoCopy: boolean };
}

/** Docker's rule for volume names. */
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,254}$/;
const MODES = ["ro", "rw", "nocopy"];
const LONG_KEYS = ["type", "source", "target", "read_only"] as const;

/** Parses the `volumes` parameter. */
export function parseVolumes(value: unknown, f: Fields): Mount[] {
  const mounts: Mount[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => mounts.push(listEntry(`volumes.${i}`, item, f)));
  } else if (isPlainObject(value)) {
    for (const [source, spec] of Object.entries(value)) {
      mounts.push(objectEntry(`volumes.${source}`, source, spec, f));
    }
  } else {
    f.fail(
      "volumes",
      'must be an object such as {"/srv": {"bind": "/data"}} or a list such as ["/srv:/data:ro"]',
    );
  }
  const targets = new Set<string>();
  for (const mount of mounts) {
    if (targets.has(mount.Target)) f.fail("volumes", `mounts two things at ${mount.Target}`);
    targets.add(mount.Target);
  }
  return mounts;
}

function listEntry(field: string, item: unknown, f: Fields): Mount {
  if (isPlainObject(item)) return longSyntax(field, item, f);
  if (typeof item !== "string") f.fail(field, 'must be a string such as "/srv:/data:ro"');
  const parts = item.split(":");
  if (parts.length === 1) return mount(field, undefined, parts[0], "", f);
  if (parts.length > 3) f.fail(field, 'must look like "source:target" or "source:target:mode"');
  return mount(field, parts[0], parts[1], parts[2] ?? "", f);
}

function objectEntry(field: string, source: string, spec: unknown, f: Fields): Mount {
  if (typeof spec === "string") {
    const [target, mode = "", extra] = spec.split(":");
    if (extra !== undefined) f.fail(field, 'must look like "/target" or "/target:ro"');
    return mount(field, source, target, mode, f);
  }
  if (!isPlainObject(spec)) f.fail(field, 'must be {"bind": "/target", "mode": "rw"} or "/target"');
  f.onlyKeys(field, spec, ["bind", "mode"]);
  const target = f.string(`${field}.bind`, spec.bind ?? "");
  const mode = spec.mode === undefined ? "" : f.string(`${field}.mode`, spec.mode, 64);
  return mount(field, source, target, mode, f);
}

function longSyntax(field: string, item: Record<string, unknown>, f: Fields): Mount {
  f.onlyKeys(field, item, LONG_KEYS);
  const type = item.type ??
    (typeof item.source === "string" && item.source.startsWith("/") ? "bind" : "volume");
  if (type !== "bind" && type !== "volume") f.fail(`${field}.type`, "must be bind or volume");
  const source = item.source === undefined ? undefined : f.string(`${field}.source`, item.source);
  if (type === "bind" && !source?.startsWith("/")) {
    f.fail(`${field}.source`, "must be an absolute host path for a bind mount");
  }
  const readOnly = item.read_only === undefined
    ? false
    : f.boolean(`${field}.read_only`, item.read_only);
  const target = f.string(`${field}.target`, item.target ?? "");
  return mount(field, source, target, readOnly ? "ro" : "", f);
}

/** Validates one mount and builds its engine form. */
function mount(
  field: string,
  source: string | undefined,
  target: string,
  mode: string,
  f: Fields,
): Mount {
  if (!target) f.fail(field, "needs a target path in the container");
  if (!isCleanAbsolutePath(target) || target === "/") {
    f.fail(
      field,
      `has target '${target}', which must be an absolute path other than / without '..'`,
    );
  }
  const flags = mode ? mode.split(",") : [];
  for (const flag of flags) {
    if (flag === "z" || flag === "Z") {
      f.fail(field, "asks for SELinux relabelling (z/Z), which berth does not support");
    }
    if (!MODES.includes(flag)) f.fail(field, `has mode '${flag}'; use ro, rw or nocopy`);
  }
  if (flags.includes("ro") && flags.includes("rw")) f.fail(field, "cannot be both ro and rw");
  const readOnly = flags.includes("ro") ? { ReadOnly: true } : {};
  if (source === undefined || source === "") {
    return { Type: "volume", Target: target, ...readOnly, ...noCopy(flags) };
  }
  if (source.startsWith("/")) {
    if (!isCleanAbsolutePath(source)) f.fail(field, `has host path '${source}' with '..' segments`);
    if (flags.includes("nocopy")) f.fail(field, "uses nocopy, which only applies to named volumes");
    return { Type: "bind", Source: source, Target: target, ...readOnly };
  }
  if (!VOLUME_NAME.test(source)) {
    f.fail(
      field,
      `has source '${source}', which is neither an absolute host path nor a volume name`,
      "Bind mounts need an absolute host path (/srv/data); volume names use letters, digits, '_', '.', '-'",
    );
  }
  return { Type: "volume", Source: source, Target: target, ...readOnly, ...noCopy(flags) };
}

function noCopy(flags: string[]): Pick<Mount, "VolumeOptions"> {
  return flags.includes("nocopy") ? { VolumeOptions: { NoCopy: true } } : {};
}
