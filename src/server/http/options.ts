/**
 * The options of `berth serve --http`: where to listen, which Host and Origin
 * headers to accept, and the limits. Parsing fails closed with the fix named.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";

/** Everything the HTTP transport needs besides the app and the authenticator. */
export interface HttpOptions {
  hostname: string;
  port: number;
  /** Host header values accepted (`name` for any port, or `name:port`), lower case. */
  allowedHosts: string[];
  /** Origin header values accepted, e.g. `https://ops.example.com`. */
  allowedOrigins: string[];
  /** Largest request body in bytes (413 above it). */
  maxBodyBytes: number;
  /** Requests per minute per caller (0: no limit). */
  rateLimit: number;
  /** Tool calls in flight per caller at once (0: no limit). */
  maxConcurrent: number;
  /** A session unused this long is closed. */
  sessionIdleMs: number;
  /** Most sessions open at once. */
  maxSessions: number;
  /** How long SIGTERM waits for calls in flight before abandoning them. */
  drainMs: number;
}

/** The defaults of the limits. */
export const HTTP_DEFAULTS = {
  maxBodyBytes: 4 * 1024 * 1024,
  rateLimit: 600,
  maxConcurrent: 16,
  sessionIdleMs: 30 * 60_000,
  maxSessions: 256,
  drainMs: 10_000,
} as const;

/** Parses `[HOST:]PORT` (`8080`, `127.0.0.1:8080`, `[::1]:8080`); the host defaults to 127.0.0.1. */
export function parseListen(value: string): { hostname: string; port: number } {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:\[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new BerthError("invalid_input", `--http '${value}' is not [HOST:]PORT`, {
      hint: "Give a port (8080, listening on 127.0.0.1) or HOST:PORT (0.0.0.0:8080, [::1]:8080)",
    });
  }
  const hostname = (match[1] ?? "127.0.0.1").replace(/^\[|\]$/g, "");
  return { hostname, port };
}

/** True for an address that only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The Host header form of a hostname (IPv6 in brackets). */
function hostForm(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * The Host values accepted by default: the bound address and the localhost
 * forms, each with the port. A wildcard bind (0.0.0.0, ::) has no name of its
 * own, so remote names must be listed with --allowed-hosts.
 */
export function defaultAllowedHosts(hostname: string, port: number): string[] {
  const names = ["localhost", "127.0.0.1", "[::1]"];
  if (!["0.0.0.0", "::"].includes(hostname)) names.push(hostForm(hostname.toLowerCase()));
  return [...new Set(names)].map((name) => `${name}:${port}`);
}

/** The Origin values accepted by default: http and https forms of the allowed hosts. */
export function defaultAllowedOrigins(hosts: readonly string[]): string[] {
  return hosts.flatMap((host) => [`http://${host}`, `https://${host}`]);
}

/** True when a Host header is allowed: an entry names it exactly, or names its host for any port. */
export function hostAllowed(host: string | null, allowed: readonly string[]): boolean {
  if (!host) return false;
  const value = host.toLowerCase();
  const name = value.replace(/:\d+$/, "");
  return allowed.includes(value) || allowed.includes(name);
}

/** True when an Origin header is absent (not a browser) or listed. */
export function originAllowed(origin: string | null, allowed: readonly string[]): boolean {
  if (origin === null) return true;
  return allowed.includes(origin.toLowerCase().replace(/\/$/, ""));
}

/** Splits a comma list of flag values (repeatable flags arrive as several). */
export function commaList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}
