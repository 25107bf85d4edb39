/**
 * Secret redaction: environment values whose key looks like a secret are
 * replaced before any output leaves berth (tool results, text, audit log).
 *
 * The rule lives here alone so that every path (inspect, exec, compose,
 * diagnose) redacts the same way and the list of markers grows in one place.
 *
 * @module
 */

/** What a redacted value becomes. */
export const REDACTED = "***REDACTED***";

/** Key fragments that mark a secret, matched case-insensitively anywhere in the key. */
export const SECRET_KEY_MARKERS: readonly string[] = [
  "PASSWORD",
  "SECRET",
  "TOKEN",
  "KEY",
  "CREDENTIAL",
  "AUTH",
];

/** True when an environment variable of this name holds a secret. */
export function isSecretKey(key: string): boolean {
  const upper = key.toUpperCase();
  return SECRET_KEY_MARKERS.some((marker) => upper.includes(marker));
}

/**
 * Redacts a `["KEY=value", …]` list (the engine's `Config.Env`). Entries
 * without `=` are kept: they carry no value. Null and non-arrays pass through,
 * since the engine sends `null` for "no environment".
 */
export function redactEnv<T>(list: T): T {
  if (!Array.isArray(list)) return list;
  return list.map((entry) => {
    if (typeof entry !== "string") return entry;
    const eq = entry.indexOf("=");
    if (eq < 0) return entry;
    return isSecretKey(entry.slice(0, eq)) ? `${entry.slice(0, eq + 1)}${REDACTED}` : entry;
  }) as T;
}

/** Redacts a `{KEY: value}` map (compose environment, exec environment, labels of env style). */
export function redactEnvObject<T>(env: T): T {
  if (!env || typeof env !== "object" || Array.isArray(env)) return env;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env as Record<string, unknown>)) {
    out[key] = isSecretKey(key) && value !== null && value !== undefined ? REDACTED : value;
  }
  return out as T;
}
