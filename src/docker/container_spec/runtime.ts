/**
 * Runtime options of the container spec builder: memory and CPU limits,
 * restart policy and health check.
 *
 * @module
 */

import { parseBytes } from "../../guard/formats.ts";
import { durationNs, type Fields, isPlainObject } from "./fields.ts";

/** The Engine's health check, durations in nanoseconds. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

const RESTART_NAMES = ["no", "always", "unless-stopped", "on-failure"];

/** "512m", "2g" or a number of bytes. */
export function bytes(f: Fields, field: string, value: unknown): number {
  const parsed = typeof value === "string" || typeof value === "number"
    ? parseBytes(value)
    : undefined;
  if (parsed === undefined) {
    f.fail(field, 'must be a size such as "512m", "2g" or a number of bytes');
  }
  return parsed;
}

/** CPUs as a number (0.5, 2) → NanoCpus. */
export function cpus(f: Fields, value: unknown): number {
  const number = typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())
    ? Number(value)
    : value;
  if (typeof number !== "number" || !Number.isFinite(number) || number <= 0 || number > 1024) {
    f.fail("cpus", "must be a number of CPUs greater than 0, such as 0.5 or 2");
  }
  return Math.round(number * 1e9);
}

const RESTART_HINT = 'Use "no", "always", "unless-stopped" or "on-failure[:N]", or ' +
  '{"Name": "on-failure", "MaximumRetryCount": 3}';

/**
 * `"on-failure:3"`, `"always"` or `{Name, MaximumRetryCount}`. Errors name
 * what the caller wrote: `restart_policy` for the string form, the key it
 * used (`Name` or `name`…) for the object form.
 */
export function restartPolicy(
  f: Fields,
  value: unknown,
): { Name: string; MaximumRetryCount: number } {
  let name: unknown;
  let retries: unknown = 0;
  let nameField = "restart_policy";
  let retriesField = "restart_policy";
  if (typeof value === "string") {
    const [policy, count, extra] = value.split(":");
    if (extra !== undefined || (count !== undefined && !/^\d+$/.test(count))) {
      f.fail("restart_policy", 'must look like "always" or "on-failure:3"', RESTART_HINT);
    }
    name = policy;
    retries = count === undefined ? 0 : Number(count);
  } else if (isPlainObject(value)) {
    f.onlyKeys("restart_policy", value, [
      "Name",
      "MaximumRetryCount",
      "name",
      "maximum_retry_count",
    ]);
    const nameKey = value.Name !== undefined ? "Name" : "name";
    const retriesKey = value.MaximumRetryCount !== undefined
      ? "MaximumRetryCount"
      : "maximum_retry_count";
    nameField = `restart_policy.${nameKey}`;
    retriesField = `restart_policy.${retriesKey}`;
    name = value[nameKey] ?? "no";
    retries = value[retriesKey] ?? 0;
  } else {
    f.fail("restart_policy", 'must be {"Name": "on-failure", "MaximumRetryCount": 3} or "always"');
  }
  if (name === "") name = "no";
  if (typeof name !== "string" || !RESTART_NAMES.includes(name)) {
    f.fail(nameField, `must be one of ${RESTART_NAMES.join(", ")}`, RESTART_HINT);
  }
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0) {
    f.fail(retriesField, "must be a whole number of 0 or more");
  }
  if (retries > 0 && name !== "on-failure") {
    const problem = typeof value === "string"
      ? `has a retry count (:${retries}), which only the on-failure policy takes`
      : "only applies to the on-failure policy";
    f.fail(retriesField, problem, 'Use "on-failure:N", or drop the count');
  }
  return { Name: name, MaximumRetryCount: retries };
}

const HEALTH_KEYS = ["test", "interval", "timeout", "retries", "start_period", "disable"];

/** `{test, interval, timeout, retries, start_period}` with durations like "10s". */
export function healthcheck(f: Fields, value: unknown): HealthConfig {
  const spec = f.object("healthcheck", value);
  f.onlyKeys("healthcheck", spec, HEALTH_KEYS);
  if (spec.disable !== undefined && f.boolean("healthcheck.disable", spec.disable)) {
    return { Test: ["NONE"] };
  }
  const out: HealthConfig = {};
  if (spec.test !== undefined) out.Test = healthTest(f, spec.test);
  for (
    const [key, engineKey] of [["interval", "Interval"], ["timeout", "Timeout"], [
      "start_period",
      "StartPeriod",
    ]] as const
  ) {
    if (spec[key] === undefined) continue;
    const ns = durationNs(spec[key]);
    if (ns === undefined || (ns > 0 && ns < 1e6)) {
      f.fail(
        `healthcheck.${key}`,
        'must be a duration such as "10s", "1m30s" or a number of seconds (at least 1ms)',
      );
    }
    out[engineKey] = ns;
  }
  if (spec.retries !== undefined) {
    const retries = spec.retries;
    if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0) {
      f.fail("healthcheck.retries", "must be a whole number of 0 or more");
    }
    out.Retries = retries;
  }
  return out;
}

/** A string runs in a shell (CMD-SHELL); a list runs directly unless it names its kind. */
function healthTest(f: Fields, value: unknown): string[] {
  if (typeof value === "string") {
    const text = f.string("healthcheck.test", value, 65536);
    if (!text.trim()) f.fail("healthcheck.test", "must not be empty");
    return text === "NONE" ? ["NONE"] : ["CMD-SHELL", text];
  }
  if (!Array.isArray(value) || value.length === 0) {
    f.fail(
      "healthcheck.test",
      'must be a shell string or a list such as ["CMD", "curl", "-f", "http://localhost"]',
    );
  }
  const words = value.map((word, i) => f.string(`healthcheck.test.${i}`, word, 65536));
  if (words[0] === "NONE") return ["NONE"];
  if (words[0] === "CMD-SHELL" && words.length !== 2) {
    f.fail("healthcheck.test", "with CMD-SHELL must have exactly one command string after it");
  }
  if ((words[0] === "CMD" || words[0] === "CMD-SHELL") && words.length < 2) {
    f.fail("healthcheck.test", "needs a command after CMD");
  }
  return words[0] === "CMD" || words[0] === "CMD-SHELL" ? words : ["CMD", ...words];
}
