/**
 * Parts of a service's normalisation: host paths, mounts, ports, networks,
 * health checks, dependencies and other list-or-map keys.
 *
 * @module
 */

import { parseBytes } from "../../guard/formats.ts";
import type { Lookup } from "./interpolate.ts";
import type { HealthModel, MountModel, PortModel, ServiceModel, ServiceNetwork } from "./model.ts";
import { resolvePath } from "./source.ts";
import {
  keyError,
  listOrDict,
  parseGoDuration,
  parsePortObject,
  parsePortString,
  parseVolumeString,
  scalar,
  stringList,
} from "./syntax.ts";

/** What normalising needs besides the raw service. */
export interface NormalizeContext {
  /** Absolute project directory; absent when relative paths cannot be resolved. */
  directory?: string;
  /** Interpolation values (for `environment` entries given without a value). */
  lookup: Lookup;
  /** Reads a host file the policy allows (env_file). */
  readFile: (path: string, field: string) => Promise<string>;
  /** Collects notes about accepted keys that have no effect. */
  warnings: string[];
}

/** A compose mapping as parsed from YAML, before normalizing. */
export type Raw = Record<string, unknown>;

/** Resolves a host path against the project directory. */
export function hostPath(path: string, key: string, ctx: NormalizeContext): string {
  if (path.startsWith("~")) {
    throw keyError(key, `starts with '~', which berth does not expand`, "Use an absolute path");
  }
  if (path.startsWith("/")) return resolvePath("/", path);
  if (!ctx.directory) {
    throw keyError(
      key,
      `is a relative path ('${path}') but the project has no directory`,
      "Pass the file as compose_file (its directory is the base), or use an absolute path",
    );
  }
  return resolvePath(ctx.directory, path);
}

/** A list (`K=V`) or mapping of strings as a mapping; a missing value is "". */
export function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(listOrDict(value))) out[k] = v ?? "";
  return out;
}

/** A size (`512m`, `2g` or a number of bytes) in bytes; names `key` when it is none. */
export function bytes(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = parseBytes(typeof value === "number" ? value : scalar(value));
  if (n === undefined) {
    throw keyError(key, `is not a size: '${scalar(value)}'`, "Write sizes like 512m or 2g");
  }
  return n;
}

/** The service's `ports`, short strings or long objects, as port models. */
export function ports(raw: Raw, key: string): PortModel[] {
  return ((raw.ports ?? []) as unknown[]).map((p, i) => {
    const where = `${key}.ports[${i}]`;
    if (p && typeof p === "object") return parsePortObject(p as Raw, where);
    return parsePortString(scalar(p), where);
  });
}

/** One `volumes` entry, short string or long object; bind sources resolved against the project. */
export function mount(value: unknown, where: string, ctx: NormalizeContext): MountModel {
  if (typeof value === "string") {
    const m = parseVolumeString(value, where);
    if (m.type === "bind") m.source = hostPath(m.source!, where, ctx);
    return m;
  }
  const v = value as Raw;
  const type = scalar(v.type) as MountModel["type"];
  if (!["volume", "bind", "tmpfs"].includes(type)) {
    throw keyError(`${where}.type`, `is unknown: '${type}'`, "Use volume, bind or tmpfs");
  }
  if (v.target === undefined) throw keyError(`${where}.target`, "is required");
  const m: MountModel = { type, target: scalar(v.target), read_only: v.read_only === true };
  const bind = (v.bind ?? {}) as Raw;
  if (type === "bind") {
    if (v.source === undefined) throw keyError(`${where}.source`, "is required for a bind mount");
    m.source = hostPath(scalar(v.source), `${where}.source`, ctx);
    m.create_host_path = bind.create_host_path === true;
    if (bind.propagation !== undefined) m.propagation = scalar(bind.propagation);
  } else if (type === "volume") {
    if (v.source !== undefined && v.source !== "") m.source = scalar(v.source);
    if ((v.volume as Raw | undefined)?.nocopy === true) m.nocopy = true;
  } else {
    m.tmpfs_size = bytes((v.tmpfs as Raw | undefined)?.size, `${where}.tmpfs.size`);
  }
  return m;
}

/** The service's `networks` (list or mapping); `default` when neither it nor `network_mode` is set. */
export function networks(raw: Raw): Record<string, ServiceNetwork> {
  const out: Record<string, ServiceNetwork> = {};
  if (Array.isArray(raw.networks)) {
    for (const name of raw.networks) out[scalar(name)] = { aliases: [], priority: 0 };
  } else if (raw.networks && typeof raw.networks === "object") {
    for (const [name, options] of Object.entries(raw.networks as Raw)) {
      const o = (options ?? {}) as Raw;
      out[name] = {
        aliases: stringList(o.aliases),
        ipv4_address: o.ipv4_address === undefined ? undefined : scalar(o.ipv4_address),
        ipv6_address: o.ipv6_address === undefined ? undefined : scalar(o.ipv6_address),
        priority: Number(o.priority ?? 0),
      };
    }
  } else if (raw.network_mode === undefined) {
    out.default = { aliases: [], priority: 0 };
  }
  return out;
}

/** The service's `healthcheck`, durations parsed; `disable: true` is `["NONE"]`. */
export function healthcheck(raw: Raw, key: string): HealthModel | undefined {
  const h = raw.healthcheck as Raw | undefined;
  if (!h) return undefined;
  if (h.disable === true) return { test: ["NONE"] };
  let test: string[] | undefined;
  if (typeof h.test === "string") test = ["CMD-SHELL", h.test];
  else if (Array.isArray(h.test)) {
    test = h.test.map(scalar);
    if (!["NONE", "CMD", "CMD-SHELL"].includes(test[0])) {
      throw keyError(`${key}.healthcheck.test`, "must start with CMD, CMD-SHELL or NONE");
    }
  }
  const duration = (name: string) =>
    h[name] === undefined ? undefined : parseGoDuration(h[name], `${key}.healthcheck.${name}`);
  return {
    test: test ?? [],
    interval: duration("interval"),
    timeout: duration("timeout"),
    start_period: duration("start_period"),
    retries: h.retries === undefined ? undefined : Number(h.retries),
  };
}

/** The service's `depends_on`; the list form means `service_started`. */
export function dependsOn(raw: Raw): ServiceModel["depends_on"] {
  const out: ServiceModel["depends_on"] = {};
  if (Array.isArray(raw.depends_on)) {
    for (const name of raw.depends_on) out[scalar(name)] = { condition: "service_started" };
  } else if (raw.depends_on && typeof raw.depends_on === "object") {
    for (const [name, d] of Object.entries(raw.depends_on as Raw)) {
      out[name] = {
        condition: (d as Raw).condition as ServiceModel["depends_on"][string]["condition"],
      };
    }
  }
  return out;
}

/** `extra_hosts` (list or mapping) as `host:ip` strings. */
export function extraHosts(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((h) => scalar(h).replace("=", ":"));
  return Object.entries(listOrDict(value)).map(([host, ip]) => `${host}:${ip ?? ""}`);
}

/** `ulimits`: a number sets soft and hard alike. */
export function ulimits(value: unknown): ServiceModel["ulimits"] {
  return Object.entries((value ?? {}) as Raw).map(([name, v]) =>
    typeof v === "number"
      ? { name, soft: v, hard: v }
      : { name, soft: Number((v as Raw).soft), hard: Number((v as Raw).hard) }
  );
}
