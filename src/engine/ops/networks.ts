/**
 * Network operations of the Engine API, one typed function each. The only
 * place a network route is written.
 *
 * @module
 */

import { build, encodeFilters, type Extra, type Operation } from "./operation.ts";

/** The network routes, by operation name. */
export const NETWORK_ROUTES = {
  "network.list": { method: "GET", path: "/networks", target: "none" },
  "network.create": { method: "POST", path: "/networks/create", target: "none" },
  "network.prune": { method: "POST", path: "/networks/prune", target: "none" },
  "network.inspect": { method: "GET", path: "/networks/{ref}", target: "network" },
  "network.remove": { method: "DELETE", path: "/networks/{ref}", target: "network" },
  "network.connect": { method: "POST", path: "/networks/{ref}/connect", target: "network" },
  "network.disconnect": { method: "POST", path: "/networks/{ref}/disconnect", target: "network" },
} as const;

/** The name of a network operation. */
export type NetworkOpName = keyof typeof NETWORK_ROUTES;

type Op<N extends NetworkOpName> = Operation<N>;

/** `GET /networks`. */
export function list(filters?: Record<string, unknown>, extra?: Extra): Op<"network.list"> {
  return build(
    NETWORK_ROUTES,
    "network.list",
    { query: { filters: encodeFilters(filters) } },
    extra,
  );
}

/** `GET /networks/{ref}`. */
export function inspect(
  ref: string,
  query: { verbose?: boolean; scope?: string } = {},
  extra?: Extra,
): Op<"network.inspect"> {
  return build(NETWORK_ROUTES, "network.inspect", { target: ref, query }, extra);
}

/** `POST /networks/create`. */
export function create(body: Record<string, unknown>, extra?: Extra): Op<"network.create"> {
  return build(NETWORK_ROUTES, "network.create", { body }, extra);
}

/** `DELETE /networks/{ref}`. */
export function remove(ref: string, extra?: Extra): Op<"network.remove"> {
  return build(NETWORK_ROUTES, "network.remove", { target: ref }, extra);
}

/** `POST /networks/{ref}/connect`: `Container` is resolved by the policy like any reference. */
export function connect(
  ref: string,
  body: { Container: string; EndpointConfig?: Record<string, unknown> },
  extra?: Extra,
): Op<"network.connect"> {
  return build(NETWORK_ROUTES, "network.connect", { target: ref, body }, extra);
}

/** `POST /networks/{ref}/disconnect`. */
export function disconnect(
  ref: string,
  body: { Container: string; Force?: boolean },
  extra?: Extra,
): Op<"network.disconnect"> {
  return build(NETWORK_ROUTES, "network.disconnect", { target: ref, body }, extra);
}

/** `POST /networks/prune` (`filters` already encoded). */
export function prune(query: { filters?: string } = {}, extra?: Extra): Op<"network.prune"> {
  return build(NETWORK_ROUTES, "network.prune", { query }, extra);
}
