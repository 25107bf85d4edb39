/**
 * Parsers for compose's short syntaxes: ports, volumes, durations, shell
 * words, `list_or_dict` values, restart policies. Pure functions; errors
 * are DKR-004 naming the key, or name the service (`forService`).
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { ShellWordsError, splitShellWords } from "../shell_words.ts";
import { NS_PER_UNIT } from "../container_spec/fields.ts";
import type { MountModel, PortModel } from "./model.ts";

/** A DKR-004 for a compose key. */
export function keyError(path: string, problem: string, hint?: string): BerthError {
  return new BerthError("invalid_input", `Compose file: '${path}' ${problem}`, {
    hint: hint ?? "Correct the value in the compose file",
  });
}

/** Re-words an error so that it names the service (`Service 'web': …`). */
export function forService(service: string, error: unknown): unknown {
  return error instanceof BerthError ? error.prefixed(`Service '${service}': `) : error;
}

/** A scalar as compose writes it into strings (numbers and booleans included). */
export function scalar(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/**
 * A `list_or_dict` (labels, environment, sysctls, extra_hosts, args):
 * `["A=1", "B"]` or `{A: 1, B: null}`. `B` alone / `null` yields undefined.
 */
export function listOrDict(value: unknown, separator = "="): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = scalar(item);
      const at = text.indexOf(separator);
      if (at < 0) out[text] = undefined;
      else out[text.slice(0, at)] = text.slice(at + 1);
    }
  } else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) out[key] = v === null ? undefined : scalar(v);
  }
  return out;
}

/** A string or a list of strings → a list. */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(scalar) : [scalar(value)];
}

// Go's own grammar (".5s", "1.s"; a bare number only as "0"), stricter than
// the container spec's, which also takes plain seconds.
const GO_DURATION = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;

/** Parses a Go duration ("1m30s", "500ms") into nanoseconds. */
export function parseGoDuration(value: unknown, path: string): number {
  const text = scalar(value).trim();
  if (text === "0") return 0;
  GO_DURATION.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = GO_DURATION.exec(text))) {
    total += Number(match[1]) * NS_PER_UNIT[match[2]];
    consumed = GO_DURATION.lastIndex;
  }
  if (!text || consumed !== text.length) {
    throw keyError(
      path,
      `is not a duration: '${text}'`,
      "Write durations like 30s, 1m30s or 500ms",
    );
  }
  return Math.round(total);
}

/** Splits a command string into words as compose does (the shared POSIX word splitter). */
export function shellWords(text: string, path: string): string[] {
  try {
    return splitShellWords(text);
  } catch (error) {
    if (error instanceof ShellWordsError) throw keyError(path, error.message);
    throw error;
  }
}

const PORT_RANGE = /^\d{1,5}(-\d{1,5})?$/;

/** Parses `[[host_ip:]published:]target[/protocol]` (IPv6 host in brackets). */
export function parsePortString(text: string, path: string): PortModel {
  let rest = text.trim();
  let protocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    protocol = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
  }
  let host_ip: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") throw keyError(path, `is not a port: '${text}'`);
    host_ip = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(":");
  if (parts.length === 3 && host_ip === undefined) host_ip = parts.shift();
  const target = parts[parts.length - 1];
  const published = parts.length === 2 ? parts[0] : "";
  if (parts.length > 2 || !PORT_RANGE.test(target) || (published && !PORT_RANGE.test(published))) {
    throw keyError(
      path,
      `is not a port: '${text}'`,
      "Write ports as 8080:80, 127.0.0.1:8080:80/udp or 80 (ranges like 8000-8010 allowed)",
    );
  }
  if (!["tcp", "udp", "sctp"].includes(protocol)) {
    throw keyError(path, `has an unknown protocol '${protocol}'`, "Use tcp, udp or sctp");
  }
  // An empty published port ("80" or "127.0.0.1::80") means any free host port.
  return { target, published, host_ip: host_ip || undefined, protocol };
}

/** Parses a long-syntax port. */
export function parsePortObject(value: Record<string, unknown>, path: string): PortModel {
  if (value.target === undefined) throw keyError(`${path}.target`, "is required");
  const protocol = scalar(value.protocol ?? "tcp").toLowerCase();
  if (!["tcp", "udp", "sctp"].includes(protocol)) {
    throw keyError(`${path}.protocol`, `is unknown: '${protocol}'`, "Use tcp, udp or sctp");
  }
  return {
    target: scalar(value.target),
    published: value.published === undefined ? "" : scalar(value.published),
    host_ip: value.host_ip === undefined ? undefined : scalar(value.host_ip),
    protocol,
  };
}

const PROPAGATION = new Set(["shared", "slave", "private", "rshared", "rslave", "rprivate"]);

/**
 * Parses a short-syntax mount `source:target[:mode]` or `target`. Sources
 * starting with `/` or `.` are host paths (resolved by the caller); other
 * sources are named volumes.
 */
export function parseVolumeString(text: string, path: string): MountModel {
  const parts = text.split(":");
  if (parts.length > 3 || parts.some((p) => p === "")) {
    throw keyError(path, `is not a mount: '${text}'`, "Write source:target[:ro] or a target path");
  }
  if (parts.length === 1) return { type: "volume", target: parts[0], read_only: false };
  const [source, target, mode = ""] = parts;
  const mount: MountModel = {
    type: source.startsWith("/") || source.startsWith(".") || source.startsWith("~")
      ? "bind"
      : "volume",
    source,
    target,
    read_only: false,
  };
  for (const option of mode.split(",").filter(Boolean)) {
    if (option === "ro" || option === "rw") mount.read_only = option === "ro";
    else if (option === "z" || option === "Z") mount.selinux = option;
    else if (option === "nocopy") mount.nocopy = true;
    else if (PROPAGATION.has(option)) mount.propagation = option;
    else {throw keyError(
        path,
        `has an unknown mode '${option}'`,
        "Modes are ro, rw, z, Z, nocopy or a propagation",
      );}
  }
  if (mount.type === "bind") mount.create_host_path = true;
  return mount;
}

/** Parses `restart`: no, always, unless-stopped, on-failure[:N]. */
export function parseRestart(
  value: string,
  path: string,
): { name: string; maximum_retry_count: number } {
  const match = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(value.trim());
  if (!match || (match[2] && match[1] !== "on-failure")) {
    throw keyError(
      path,
      `is not a restart policy: '${value}'`,
      "Use no, always, unless-stopped or on-failure[:N]",
    );
  }
  return { name: match[1] === "no" ? "" : match[1], maximum_retry_count: Number(match[2] ?? 0) };
}

/** Parses cpus ("0.5", 1.5) into a number of CPUs. */
export function parseCpus(value: unknown, path: string): number {
  const n = Number(scalar(value));
  if (!Number.isFinite(n) || n < 0) {
    throw keyError(path, `is not a number of CPUs: '${scalar(value)}'`);
  }
  return n;
}
