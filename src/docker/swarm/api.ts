/**
 * The swarm's objects through the Engine API: the operations of
 * src/engine/ops/swarm.ts sent with the call's signal, and the swarm's errors
 * named once. An engine that is not a manager answers 503, which becomes one
 * error naming the fix; a missing object is DKR-011 naming the list tool.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { type AnyOperation, networks, swarm, system } from "../../engine/ops/mod.ts";
import type { SwarmKind } from "../../engine/ops/swarm.ts";

export type { SwarmKind };

/** What sends operations: the engine client (or the policy engine of a call). */
export interface OperationRunner {
  json<T = unknown>(op: AnyOperation): Promise<T>;
  request(op: AnyOperation): Promise<Response>;
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

/** Engine list filters as the query wants them (`{"label":["a=b"]}`). */
export type Filters = Record<string, string[]>;

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
  return new BerthError("not_found", `No such ${swarm.SINGULAR[kind]}: ${ref}`, {
    status: 404,
    hint: `List them with docker_list_${kind}`,
  });
}

async function send<T>(ops: Ops, op: AnyOperation, kind?: SwarmKind, ref?: string): Promise<T> {
  try {
    return await ops.engine.json<T>({ ...op, signal: ops.signal });
  } catch (error) {
    throw kind && ref !== undefined ? missing(kind, ref, notManager(error)) : notManager(error);
  }
}

/** The engine's view (`system.info`), with its `Swarm` section. */
export function engineInfo(ops: Ops): Promise<Json> {
  return send(ops, system.info());
}

/** The objects of a kind, by filters; services may ask for running/desired counts (`status`). */
export async function list(
  ops: Ops,
  kind: SwarmKind,
  filters?: Filters,
  query: Record<string, string | boolean | undefined> = {},
): Promise<Json[]> {
  return (await send<Json[] | null>(ops, swarm.listOp(kind, filters, query))) ?? [];
}

/** One object, DKR-011 when missing. */
export function inspect(ops: Ops, kind: SwarmKind, ref: string): Promise<Json> {
  return send(ops, swarm.inspectOp(kind, ref), kind, ref);
}

/** Removes an object (services, secrets, configs, nodes). */
export async function remove(
  ops: Ops,
  kind: Exclude<SwarmKind, "tasks">,
  ref: string,
): Promise<void> {
  await send(ops, swarm.removeOp(kind, ref), kind, ref);
}

/** Creates a service, secret or config: answers the new ID. */
export async function create(
  ops: Ops,
  kind: "services" | "secrets" | "configs",
  spec: unknown,
): Promise<{ ID: string; Warnings?: string[] | null }> {
  return await send(ops, swarm.createOp(kind, spec));
}

/**
 * Replaces the spec of the version read (the swarm refuses a stale version:
 * another change came in between). Services may ask for a `rollback` to their
 * previous spec instead.
 */
export async function update(
  ops: Ops,
  kind: "nodes" | "services",
  id: string,
  version: number,
  spec: unknown,
  rollback = false,
): Promise<{ Warnings?: string[] | null }> {
  const op = swarm.updateOp(kind, id, version, spec, rollback);
  return (await send<{ Warnings?: string[] | null } | undefined>(ops, op, kind, id)) ?? {};
}

/** A service's log stream (services have no TTY frames by default). */
export async function serviceLogs(
  ops: Ops,
  id: string,
  query: Record<string, string | boolean | number | undefined>,
): Promise<Response> {
  try {
    return await ops.engine.request(swarm.serviceLogsOp(id, query, { signal: ops.signal }));
  } catch (error) {
    throw missing("services", id, notManager(error));
  }
}

/** Networks (a stack's, by label). */
export async function listNetworks(ops: Ops, filters?: Filters): Promise<Json[]> {
  return (await send<Json[] | null>(ops, networks.list(filters))) ?? [];
}

/** Creates a network: answers the new ID. */
export async function createNetwork(ops: Ops, body: unknown): Promise<{ Id: string }> {
  return await send(ops, networks.create(body as Record<string, unknown>));
}

/** Removes a network. */
export async function removeNetwork(ops: Ops, id: string): Promise<void> {
  await send(ops, networks.remove(id));
}
