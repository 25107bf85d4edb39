/**
 * System operations of the Engine API (ping, version, info, events, disk
 * usage), one typed function each. The only place their
 * route strings live.
 *
 * @module
 */

import { build, type Extra, type Operation, type QueryValue } from "./operation.ts";

/** The system routes, by operation name. */
export const SYSTEM_ROUTES = {
  "system.ping": { method: "GET", path: "/_ping", target: "none", versioned: false },
  "system.version": { method: "GET", path: "/version", target: "none" },
  "system.info": { method: "GET", path: "/info", target: "none" },
  "system.events": { method: "GET", path: "/events", target: "none" },
  "system.df": { method: "GET", path: "/system/df", target: "none" },
} as const;

/** The name of a system operation. */
export type SystemOpName = keyof typeof SYSTEM_ROUTES;

/** `GET /_ping` (outside the version prefix). */
export function ping(extra?: Extra): Operation<"system.ping"> {
  return build(SYSTEM_ROUTES, "system.ping", {}, extra);
}

/** `GET /version`. */
export function version(extra?: Extra): Operation<"system.version"> {
  return build(SYSTEM_ROUTES, "system.version", {}, extra);
}

/** `GET /info`. */
export function info(extra?: Extra): Operation<"system.info"> {
  return build(SYSTEM_ROUTES, "system.info", {}, extra);
}

/** `GET /events` (`since`/`until` in unix seconds, `filters` already encoded). */
export function events(
  query: { since?: QueryValue; until?: QueryValue; filters?: string } = {},
  extra?: Extra,
): Operation<"system.events"> {
  return build(SYSTEM_ROUTES, "system.events", { query }, extra);
}

/** `GET /system/df`. */
export function diskUsage(
  query: { type?: string[] } = {},
  extra?: Extra,
): Operation<"system.df"> {
  return build(SYSTEM_ROUTES, "system.df", { query }, extra);
}
