/**
 * Swarm operations of the Engine API, one typed function each: the swarm,
 * nodes, services, tasks, secrets and configs, by the kind of object
 * (`listOp("services")`). The only place their route strings live; sending
 * them, with the swarm's errors named, is src/docker/swarm/api.ts.
 *
 * @module
 */

import { build, encodeFilters, type Extra, type Operation, type QueryValue } from "./operation.ts";

/** The swarm routes, by operation name. */
export const SWARM_ROUTES = {
  "swarm.inspect": { method: "GET", path: "/swarm", target: "none" },
  "node.list": { method: "GET", path: "/nodes", target: "none" },
  "node.inspect": { method: "GET", path: "/nodes/{ref}", target: "node" },
  "node.remove": { method: "DELETE", path: "/nodes/{ref}", target: "node" },
  "node.update": { method: "POST", path: "/nodes/{ref}/update", target: "node" },
  "service.list": { method: "GET", path: "/services", target: "none" },
  "service.create": { method: "POST", path: "/services/create", target: "none" },
  "service.inspect": { method: "GET", path: "/services/{ref}", target: "service" },
  "service.remove": { method: "DELETE", path: "/services/{ref}", target: "service" },
  "service.update": { method: "POST", path: "/services/{ref}/update", target: "service" },
  "service.logs": { method: "GET", path: "/services/{ref}/logs", target: "service" },
  "task.list": { method: "GET", path: "/tasks", target: "none" },
  "task.inspect": { method: "GET", path: "/tasks/{ref}", target: "task" },
  "task.logs": { method: "GET", path: "/tasks/{ref}/logs", target: "task" },
  "secret.list": { method: "GET", path: "/secrets", target: "none" },
  "secret.create": { method: "POST", path: "/secrets/create", target: "none" },
  "secret.inspect": { method: "GET", path: "/secrets/{ref}", target: "secret" },
  "secret.remove": { method: "DELETE", path: "/secrets/{ref}", target: "secret" },
  "secret.update": { method: "POST", path: "/secrets/{ref}/update", target: "secret" },
  "config.list": { method: "GET", path: "/configs", target: "none" },
  "config.create": { method: "POST", path: "/configs/create", target: "none" },
  "config.inspect": { method: "GET", path: "/configs/{ref}", target: "config" },
  "config.remove": { method: "DELETE", path: "/configs/{ref}", target: "config" },
  "config.update": { method: "POST", path: "/configs/{ref}/update", target: "config" },
} as const;

/** The name of a swarm operation. */
export type SwarmOpName = keyof typeof SWARM_ROUTES;

/** The kinds of swarm objects, by their route's collection. */
export type SwarmKind = "nodes" | "services" | "secrets" | "configs" | "tasks";

/** The singular of each kind, as operation names and messages spell it. */
export const SINGULAR = {
  nodes: "node",
  services: "service",
  secrets: "secret",
  configs: "config",
  tasks: "task",
} as const satisfies Record<SwarmKind, string>;

type Singular<K extends SwarmKind> = (typeof SINGULAR)[K];

/** `GET /swarm`. */
export function inspectSwarmOp(extra?: Extra): Operation<"swarm.inspect"> {
  return build(SWARM_ROUTES, "swarm.inspect", {}, extra);
}

/** `GET /{kind}` with filters (services may ask for counts: `status`). */
export function listOp<K extends SwarmKind>(
  kind: K,
  filters?: Record<string, unknown>,
  query: Record<string, QueryValue> = {},
  extra?: Extra,
): Operation<`${Singular<K>}.list`> {
  const name = `${SINGULAR[kind]}.list` as `${Singular<K>}.list`;
  return build(SWARM_ROUTES, name, { query: { ...query, filters: encodeFilters(filters) } }, extra);
}

/** `GET /{kind}/{ref}`. */
export function inspectOp<K extends SwarmKind>(
  kind: K,
  ref: string,
  extra?: Extra,
): Operation<`${Singular<K>}.inspect`> {
  const name = `${SINGULAR[kind]}.inspect` as `${Singular<K>}.inspect`;
  return build(SWARM_ROUTES, name, { target: ref }, extra);
}

/** `DELETE /{kind}/{ref}` (services, secrets, configs, nodes). */
export function removeOp<K extends Exclude<SwarmKind, "tasks">>(
  kind: K,
  ref: string,
  extra?: Extra,
): Operation<`${Singular<K>}.remove`> {
  const name = `${SINGULAR[kind]}.remove` as `${Singular<K>}.remove`;
  return build(SWARM_ROUTES, name, { target: ref }, extra);
}

/** `POST /{kind}/create` (services, secrets, configs). */
export function createOp<K extends "services" | "secrets" | "configs">(
  kind: K,
  spec: unknown,
  extra?: Extra,
): Operation<`${Singular<K>}.create`> {
  const name = `${SINGULAR[kind]}.create` as `${Singular<K>}.create`;
  return build(SWARM_ROUTES, name, { body: spec }, extra);
}

/**
 * `POST /{kind}/{ref}/update?version=N`: replaces the spec of the version read;
 * services may ask for a `rollback` to their previous spec instead.
 */
export function updateOp<K extends "nodes" | "services">(
  kind: K,
  ref: string,
  version: number,
  spec: unknown,
  rollback = false,
  extra?: Extra,
): Operation<`${Singular<K>}.update`> {
  const name = `${SINGULAR[kind]}.update` as `${Singular<K>}.update`;
  const query = { version: String(version), rollback: rollback ? "previous" : undefined };
  return build(SWARM_ROUTES, name, { target: ref, query, body: spec }, extra);
}

/** `GET /services/{ref}/logs`: the multiplexed stream. */
export function serviceLogsOp(
  ref: string,
  query: Record<string, QueryValue>,
  extra?: Extra,
): Operation<"service.logs"> {
  return build(SWARM_ROUTES, "service.logs", { target: ref, query }, extra);
}
