/**
 * Validators and converters for the semantic string formats of manifests.
 * Path parameters pass through these before any URL is built
 * (docs/security.md rule 1: the URL is the attack surface). Also how sizes
 * counts and tables read in text ({@link formatBytes}, {@link counted},
 * {@link alignColumns}).
 *
 * @module
 */

import { patternProblem } from "./pattern.ts";
import type { Format } from "../manifest/types.ts";

/** Container, network, volume and exec names or IDs: one safe path segment. */
export const NAME_OR_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/**
 * A container name without the engine's one leading `/` (inspect shows Name
 * "/web", and clients copy it); the lists judge names without it. Only one
 * slash goes: "//x" keeps "/x" and still fails {@link NAME_OR_ID}. Anything
 * but a string is "".
 */
export function bareName(name: unknown): string {
  return typeof name === "string" ? name.replace(/^\//, "") : "";
}

// The distribution reference grammar (github.com/distribution/reference).
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
/** An image reference: name[:tag][@digest], or an image ID (sha256:… or hex prefix). */
export const IMAGE_REF = new RegExp(
  `^(?:${NAME}(?::${TAG})?(?:@${DIGEST})?|sha256:[0-9a-f]{12,64}|[0-9a-f]{12,64})$`,
);

const RELATIVE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses "30s", "5m", "1h" or a number of milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = RELATIVE.exec(trimmed);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

/**
 * Parses a point in time: RFC 3339, unix seconds (fractions allowed), or a
 * duration before `now` such as "15m". Answers unix seconds.
 */
export function parseTime(value: string | number, now = Date.now()): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const relative = RELATIVE.exec(trimmed);
  if (relative) return Math.floor((now - Number(relative[1]) * UNIT_MS[relative[2]]) / 1000);
  if (
    !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(trimmed)
  ) {
    return undefined;
  }
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Parses "512m", "2g", "1.5g", "100k" or a number of bytes. */
export function parseBytes(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!match) return undefined;
  const power = " kmgt".indexOf(match[2].toLowerCase() || " ");
  return Math.round(Number(match[1]) * 1024 ** power);
}

const DECIMAL_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];
const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/**
 * A byte count for people, in the docker CLI's decimal units (1 kB = 1000
 * bytes, as `docker images` and `docker system df` print sizes on disk and
 * transfers) with three significant digits: "512 B", "33.1 kB", "11.4 MB".
 * Parsing ({@link parseBytes}) keeps the binary units of docker's flags.
 */
export function formatBytes(bytes: number): string {
  return scaled(bytes, 1000, DECIMAL_UNITS);
}

/**
 * Memory for people, in binary units as `docker stats` and `docker info`
 * print it (1 MiB = 1024 KiB): "64 MiB", "7.65 GiB".
 */
export function formatMemory(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS);
}

function scaled(bytes: number, base: number, units: string[]): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  let value = bytes;
  let unit = 0;
  // From base - 0.5 on the next unit: 999.5 B would round to "1000 B", not "1 kB".
  while (value >= base - 0.5 && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  const shown = unit === 0 ? Math.round(value) : Number(value.toPrecision(3));
  return `${shown} ${units[unit]}`;
}

/** Signals by name (SIGTERM, TERM) or number. */
const SIGNAL = /^(?:SIG)?[A-Z][A-Z0-9+-]{1,15}$|^\d{1,2}$/;

/** What each format accepts, phrased to complete "must be …". */
export const FORMAT_DESCRIPTIONS: Record<Format, string> = {
  name_or_id: "a name or ID (letters, digits, '_', '.', '-'; at most 255 characters)",
  image_ref:
    "an image reference such as nginx, nginx:1.27, registry:5000/team/app@sha256:… or an ID",
  time: "a time: RFC 3339 (2024-05-01T10:00:00Z), unix seconds, or relative (15m, 2h, 1d)",
  regex: "a valid RE2 regular expression",
  signal: "a signal name or number (SIGTERM, KILL, 9)",
  bytes: "a size such as 512m, 2g or a number of bytes",
  duration: "a duration such as 30s, 5m or milliseconds",
};

/** True when a value satisfies a format. */
export function checkFormat(format: Format, value: string): boolean {
  switch (format) {
    case "name_or_id":
      return NAME_OR_ID.test(value);
    case "image_ref":
      return value.length <= 512 && IMAGE_REF.test(value);
    case "time":
      return parseTime(value) !== undefined;
    case "regex":
      return patternProblem(value) === undefined;
    case "signal":
      return SIGNAL.test(value);
    case "bytes":
      return parseBytes(value) !== undefined;
    case "duration":
      return parseDuration(value) !== undefined;
  }
}

/**
 * A count and its noun in the right number: `counted(1, "entries")` is
 * "1 entry", `counted(3, "entries")` is "3 entries". It takes the plural,
 * since list names are plural, and derives the singular of regular nouns.
 */
export function counted(n: number, plural: string): string {
  return `${n} ${n === 1 ? singular(plural) : plural}`;
}

function singular(plural: string): string {
  if (plural.endsWith("ies")) return `${plural.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(plural)) return plural.slice(0, -2);
  return plural.replace(/s$/, "");
}

/** Widest a column is padded to; a longer cell runs on rather than widen every row. */
const MAX_PAD = 32;

/** Rows of cells as lines, every column but the last padded to its width (at most {@link MAX_PAD}). */
export function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) =>
    Math.min(MAX_PAD, Math.max(...rows.map((row) => row[i]?.length ?? 0)))
  );
  return rows.map((row) =>
    row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join(" ")
  );
}
