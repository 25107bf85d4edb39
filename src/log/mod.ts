/**
 * Logging to stderr only: stdout belongs to the MCP protocol.
 *
 * @module
 */

import { redactText } from "../policy/redact.ts";

/** Severity, least verbose first. */
export type LogLevel = "error" | "warn" | "info" | "debug";
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A leveled logger. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /**
   * A warning printed at every level, even `error`: what changes what berth
   * enforces (bypass, a config the sandbox hid) must never be silenced.
   */
  alert(message: string): void;
}

/** A logger that writes `berth: level: message` lines to stderr. */
export function createLogger(level: LogLevel): Logger {
  const encoder = new TextEncoder();
  const print = (at: LogLevel, message: string) =>
    Deno.stderr.writeSync(encoder.encode(`berth: ${at}: ${redactText(message)}\n`));
  const write = (at: LogLevel) => (message: string) => {
    if (RANK[at] <= RANK[level]) print(at, message);
  };
  return {
    error: write("error"),
    warn: write("warn"),
    info: write("info"),
    debug: write("debug"),
    alert: (message) => print("warn", message),
  };
}
