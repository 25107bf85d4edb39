/**
 * Swarm operations of the Engine API, one typed function each: the swarm,
 * nodes, services, tasks, secrets and configs. The only place their route
 * strings live. An engine that is not a manager answers 503; that becomes one
 * error naming the fix.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { build, encodeFilters, type Extra, type Operation, type QueryValue } from "./operation.ts";
import * as networks from "./networks.ts";
import * as system from "./system.ts";

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

/** The operations this module sends. */
type Sent = Operation<SwarmOpName | networks.NetworkOpName | system.SystemOpName>;

/** What sends operations: the engine client (or the policy engine of a call). */
export interface OperationRunner {
  json<T = unknown>(op: Sent): Promise<T>;
  request(op: Sent): Promise<Response>;
}

/** The engine and the call's signal. */
export interface Ops {
  engine: OperationRunner;
  signal?: AbortSignal;
}

/** An object the swarm versions (nodes, services, secrets, configs). */
export interface Versioned<S> {
  ID: string;
  Version?: { Index: number };
  CreatedAt?: string;
  UpdatedAt?: string;
  Spec: S;
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** The kinds of swarm objects, by their route's collection. */
export type SwarmKind = "nodes" | "services" | "secrets" | "configs" | "tasks";

const SINGULAR = {
  nodes: "node",
  services: "service",
  secrets: "secret",
  configs: "config",
  tasks: "task",
} as const satisfies Record<SwarmKind, string>;

type Singular<K extends SwarmKind> = (typeof SINGULAR)[K];

/** 503 from a swarm route: this engine is not a manager of an active swarm. */
function notManager(error: unknown): unknown {
  if (!(error instanceof BerthError) || error.status !== 503) return error;
  return new BerthError("engine_error", error.message, {
    status: 503,
    hint: "Point berth (--docker-host) at a manager of an active swarm, " +
      "or run `docker swarm init` on this engine",
  });
}

/** A 404 of a named object: DKR-011 naming what was asked for. */
function missing(kind: SwarmKind, ref: string, error: unknown): unknown {
  if (!(error instanceof BerthError) || error.status !== 404) return error;
  return new BerthError("not_found", `No such ${SINGULAR[kind]}: ${ref}`, {
    status: 404,
    hint: `List them with docker_list_${kind === "nodes" ? "nodes" : kind}`,
  });
}

async function send<T>(ops: Ops, op: Sent, kind?: SwarmKind, ref?: string): Promise<T> {
  try {
    return await ops.engine.json<T>({ ...op, signal: ops.signal });
  } catch (error) {
    throw kind && ref !== undefined ? missing(kind, ref, notManager(error)) : notManager(error);
  }
}

/** Engine list filters as the query wants them (`{"label":["a=b"]}`). */
export type Filters = Record<string, string[]>;

/** `GET /swarm`: the cluster's spec, join tokens included (callers drop them). */
export function inspectSwarm(ops: Ops): Promise<Json> {
  return send(ops, build(SWARM_ROUTES, "swarm.inspect"));
}

/** `GET /info`: the engine's view, with its `Swarm` section. */
export function engineInfo(ops: Ops): Promise<Json> {
  return send(ops, system.info());
}

/** The operation `GET /{kind}` with filters (services may ask for counts: `status`). */
export function listOp<K extends SwarmKind>(
  kind: K,
  filters?: Filters,
  query: Record<string, QueryValue> = {},
  extra?: Extra,
): Operation<`${Singular<K>}.list`> {
  const name = `${SINGULAR[kind]}.list` as `${Singular<K>}.list`;
  return build(SWARM_ROUTES, name, { query: { ...query, filters: encodeFilters(filters) } }, extra);
}

/** `GET /{kind}` with filters; services may ask for running/desired counts (`status`). */
export async function list(
  ops: Ops,
  kind: SwarmKind,
  filters?: Filters,
  query: Record<string, string | boolean | undefined> = {},
): Promise<Json[]> {
  return (await send<Json[] | null>(ops, listOp(kind, filters, query))) ?? [];
}

/** The operation `GET /{kind}/{ref}`. */
export function inspectOp<K extends SwarmKind>(
  kind: K,
  ref: string,
  extra?: Extra,
): Operation<`${Singular<K>}.inspect`> {
  const name = `${SINGULAR[kind]}.inspect` as `${Singular<K>}.inspect`;
  return build(SWARM_ROUTES, name, { target: ref }, extra);
}

/** `GET /{kind}/{id}`: one object, DKR-011 when missing. */
export function inspect(ops: Ops, kind: SwarmKind, ref: string): Promise<Json> {
  return send(ops, inspectOp(kind, ref), kind, ref);
}

/** `DELETE /{kind}/{id}` (services, secrets, configs, nodes). */
export async function remove(
  ops: Ops,
  kind: Exclude<SwarmKind, "tasks">,
  ref: string,
): Promise<void> {
  const name = `${SINGULAR[kind]}.remove` as const;
  await send(ops, build(SWARM_ROUTES, name, { target: ref }), kind, ref);
}

/** The operation `POST /{kind}/create` (services, secrets, configs). */
export function createOp<K extends "services" | "secrets" | "configs">(
  kind: K,
  spec: unknown,
  extra?: Extra,
): Operation<`${Singular<K>}.create`> {
  const name = `${SINGULAR[kind]}.create` as `${Singular<K>}.create`;
  return build(SWARM_ROUTES, name, { body: spec }, extra);
}

/** `POST /{kind}/create` (services, secrets, configs): answers the new ID. */
export async function create(
  ops: Ops,
  kind: "services" | "secrets" | "configs",
  spec: unknown,
): Promise<{ ID: string; Warnings?: string[] | null }> {
  return await send(ops, createOp(kind, spec));
}

/**
 * `POST /{kind}/{id}/update?version=N`: replaces the spec of the version read
 * (the swarm refuses a stale version: another change came in between).
 * Services may ask for a `rollback` to their previous spec instead.
 */
export async function update(
  ops: Ops,
  kind: "nodes" | "services",
  id: string,
  version: number,
  spec: unknown,
  rollback = false,
): Promise<{ Warnings?: string[] | null }> {
  const query = { version: String(version), rollback: rollback ? "previous" : undefined };
  const name = `${SINGULAR[kind]}.update` as const;
  const op = build(SWARM_ROUTES, name, { target: id, query, body: spec });
  return (await send<{ Warnings?: string[] | null } | undefined>(ops, op, kind, id)) ?? {};
}

/** `GET /services/{id}/logs`: the multiplexed stream (services have no TTY frames by default). */
export async function serviceLogs(
  ops: Ops,
  id: string,
  query: Record<string, string | boolean | number | undefined>,
): Promise<Response> {
  try {
    const op = build(SWARM_ROUTES, "service.logs", { target: id, query }, { signal: ops.signal });
    return await ops.engine.request(op);
  } catch (error) {
    throw missing("services", id, notManager(error));
  }
}

/** `GET /networks?filters=…`: networks (a stack's, by label). */
export async function listNetworks(ops: Ops, filters?: Filters): Promise<Json[]> {
  return (await send<Json[] | null>(ops, networks.list(filters))) ?? [];
}

/** `POST /networks/create`: answers the new ID. */
export async function createNetwork(ops: Ops, body: unknown): Promise<{ Id: string }> {
  return await send(ops, networks.create(body as Record<string, unknown>));
}

/** `DELETE /networks/{id}`. */
export async function removeNetwork(ops: Ops, id: string): Promise<void> {
  await send(ops, networks.remove(id));
}
