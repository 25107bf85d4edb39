/**
 * Swarm routes of the Engine API, one typed function each: the swarm, nodes,
 * services, tasks, secrets and configs. The only place their route strings
 * live. An engine that is not a manager answers 503; that becomes one error
 * naming the fix.
 *
 * @module
 */

import type { EngineClient, EngineRequest } from "../client.ts";
import { BerthError } from "../../errors/mod.ts";

/** The engine and the call's signal. */
export interface Ops {
  engine: EngineClient;
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

const SINGULAR: Record<SwarmKind, string> = {
  nodes: "node",
  services: "service",
  secrets: "secret",
  configs: "config",
  tasks: "task",
};

const seg = encodeURIComponent;

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

async function send<T>(ops: Ops, req: EngineRequest, kind?: SwarmKind, ref?: string): Promise<T> {
  try {
    return await ops.engine.json<T>({ ...req, signal: ops.signal });
  } catch (error) {
    throw kind && ref !== undefined ? missing(kind, ref, notManager(error)) : notManager(error);
  }
}

/** Engine list filters as the query wants them (`{"label":["a=b"]}`). */
export type Filters = Record<string, string[]>;

function filterQuery(filters?: Filters): string | undefined {
  return filters && Object.keys(filters).length ? JSON.stringify(filters) : undefined;
}

/** `GET /swarm`: the cluster's spec, join tokens included (callers drop them). */
export function inspectSwarm(ops: Ops): Promise<Json> {
  return send(ops, { method: "GET", path: "/swarm" });
}

/** `GET /info`: the engine's view, with its `Swarm` section. */
export function engineInfo(ops: Ops): Promise<Json> {
  return send(ops, { method: "GET", path: "/info" });
}

/** `GET /{kind}` with filters; services may ask for running/desired counts (`status`). */
export async function list(
  ops: Ops,
  kind: SwarmKind,
  filters?: Filters,
  query: Record<string, string | boolean | undefined> = {},
): Promise<Json[]> {
  const req: EngineRequest = {
    method: "GET",
    path: `/${kind}`,
    query: { ...query, filters: filterQuery(filters) },
  };
  return (await send<Json[] | null>(ops, req)) ?? [];
}

/** `GET /{kind}/{id}`: one object, DKR-011 when missing. */
export function inspect(ops: Ops, kind: SwarmKind, ref: string): Promise<Json> {
  return send(ops, { method: "GET", path: `/${kind}/${seg(ref)}` }, kind, ref);
}

/** `DELETE /{kind}/{id}` (services, secrets, configs, nodes). */
export async function remove(ops: Ops, kind: SwarmKind, ref: string): Promise<void> {
  await send(ops, { method: "DELETE", path: `/${kind}/${seg(ref)}` }, kind, ref);
}

/** `POST /{kind}/create` (services, secrets, configs): answers the new ID. */
export async function create(
  ops: Ops,
  kind: "services" | "secrets" | "configs",
  spec: unknown,
): Promise<{ ID: string; Warnings?: string[] | null }> {
  return await send(ops, { method: "POST", path: `/${kind}/create`, body: spec });
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
  const req: EngineRequest = {
    method: "POST",
    path: `/${kind}/${seg(id)}/update`,
    query,
    body: spec,
  };
  return (await send<{ Warnings?: string[] | null } | undefined>(ops, req, kind, id)) ?? {};
}

/** `GET /services/{id}/logs`: the multiplexed stream (services have no TTY frames by default). */
export async function serviceLogs(
  ops: Ops,
  id: string,
  query: Record<string, string | boolean | number | undefined>,
): Promise<Response> {
  try {
    return await ops.engine.request({
      method: "GET",
      path: `/services/${seg(id)}/logs`,
      query,
      signal: ops.signal,
    });
  } catch (error) {
    throw missing("services", id, notManager(error));
  }
}

/** `GET /networks?filters=…`: networks (a stack's, by label). */
export async function listNetworks(ops: Ops, filters?: Filters): Promise<Json[]> {
  const req: EngineRequest = {
    method: "GET",
    path: "/networks",
    query: { filters: filterQuery(filters) },
  };
  return (await send<Json[] | null>(ops, req)) ?? [];
}

/** `POST /networks/create`: answers the new ID. */
export async function createNetwork(ops: Ops, body: unknown): Promise<{ Id: string }> {
  return await send(ops, { method: "POST", path: "/networks/create", body });
}

/** `DELETE /networks/{id}`. */
export async function removeNetwork(ops: Ops, id: string): Promise<void> {
  await send(ops, { method: "DELETE", path: `/networks/${seg(id)}` });
}
