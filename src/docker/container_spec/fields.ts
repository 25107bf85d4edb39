/**
 * Field helpers of the container spec builder: errors that name the field
 * (with the caller's prefix, e.g. `services.web.`), and small typed readers.
 *
 * @module
 */

import { type BerthError, invalidInput } from "../../errors/mod.ts";

/**
 * Builds the DKR-004 of an invalid field; the default says `Parameter '…'`
 * (a tool's parameters), compose says it in the file's terms.
 */
export type FieldError = (field: string, problem: string, hint?: string) => BerthError;

/** Names fields for errors: the builder's own names behind the caller's prefix. */
export class Fields {
  readonly #prefix: string;
  readonly #error: FieldError;
  constructor(prefix = "", error: FieldError = invalidInput) {
    this.#prefix = prefix;
    this.#error = error;
  }

  /** Throws DKR-004 naming the field. */
  fail(field: string, problem: string, hint?: string): never {
    throw this.#error(`${this.#prefix}${field}`, problem, hint);
  }

  /** A string without NUL bytes, at most `max` characters. */
  string(field: string, value: unknown, max = 4096): string {
    if (typeof value !== "string") this.fail(field, "must be a string");
    if (value.includes("\0")) this.fail(field, "must not contain NUL characters");
    if (value.length > max) this.fail(field, `must be at most ${max} characters`);
    return value;
  }

  /** A boolean. */
  boolean(field: string, value: unknown): boolean {
    if (typeof value !== "boolean") this.fail(field, "must be true or false");
    return value;
  }

  /** A plain object (not an array, not null). */
  object(field: string, value: unknown): Record<string, unknown> {
    if (!isPlainObject(value)) this.fail(field, "must be an object");
    return value;
  }

  /** Fails on keys outside the allowlist, so typos are reported instead of ignored. */
  onlyKeys(field: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.fail(`${field}.${key}`, "is not known", `Known keys: ${allowed.join(", ")}`);
      }
    }
  }
}

/** True for `{…}` values (JSON objects). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An absolute path without NUL bytes or `..` segments. */
export function isCleanAbsolutePath(path: string): boolean {
  return path.startsWith("/") && !path.includes("\0") &&
    !path.split("/").some((segment) => segment === "..");
}

const GO_DURATION = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
/** Nanoseconds in one unit of a Go duration (shared with compose's stricter parser). */
export const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go-style duration ("10s", "1m30s", "500ms") or a number of seconds
 * into nanoseconds, the unit of the engine's health check fields.
 */
export function durationNs(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1e9) : undefined;
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1e9);
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(GO_DURATION)) {
    total += Number(amount) * NS_PER_UNIT[unit];
  }
  return Math.round(total);
}
