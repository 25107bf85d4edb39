/**
 * The policy engine's guards for Swarm operations (docs/security.md, "Swarm"):
 *
 * - `POST /services/create` and `POST /services/{id}/update`: the create
 *   guard on the options a service can escape with (mounts, capabilities,
 *   sysctls, security options, published ports, the host network), the
 *   container name lists on the service name, the image lists on its image;
 * - with container name lists, a service is seen through them by its name:
 *   `/services/{ref}…` of a hidden service answers like a missing one, and
 *   `GET /services` and `GET /tasks` leave hidden services out, and
 *   `/tasks/{ref}…` of a hidden service's task answers like a missing one.
 *
 * @module
 */

import type { EngineClient } from "../../engine/client.ts";
import { type AnyOperation, networks, type Operation, swarm } from "../../engine/ops/mod.ts";
import { BerthError } from "../../errors/mod.ts";
import { checkTaskRuntime, createBodyOf } from "../service_guard.ts";
import { hostPathsOf } from "../create_guard.ts";
import {
  checkMountedVolumes,
  checkRealHostPaths,
  jsonBody,
  nameRefused,
  type RouteGuardContext,
} from "./guards.ts";

function hiddenService(ref: string): BerthError {
  return new BerthError("not_found", `No such service: ${ref}`, {
    status: 404,
    hint: "List them with docker_list_services",
  });
}

/** What a swarm guard answers: the operation to send and a filter of the answer. */
export interface SwarmGuarded<N extends string = string> {
  op: Operation<N>;
  filter?: (data: unknown) => unknown;
}
/**
 * The spec with every network target that is a host-driver network written
 * `host`, in the task template and in the deprecated top-level `Networks`:
 * the swarm resolves a target by name, full ID or ID prefix.
 */
async function hostTargetsNamed(
  base: EngineClient,
  spec: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const task = spec.TaskTemplate as { Networks?: unknown } | undefined;
  const lists = [task?.Networks, spec.Networks].filter(Array.isArray) as { Target?: unknown }[][];
  if (!lists.some((l) => l.some((n) => n?.Target !== "host"))) return spec;
  const hosts = await base.json<{ Id: string; Name: string }[]>(
    networks.list({ driver: ["host"] }, { signal }),
  );
  const isHost = (t: string) =>
    (hosts ?? []).some((h) => h.Name === t || (t && h.Id.startsWith(t)));
  const copy = structuredClone(spec) as {
    TaskTemplate?: { Networks?: unknown };
    Networks?: unknown;
  };
  const host = (list: unknown) =>
    Array.isArray(list)
      ? list.map((n) => (isHost(String(n?.Target ?? "")) ? { ...n, Target: "host" } : n))
      : list;
  if (copy.TaskTemplate) copy.TaskTemplate.Networks = host(copy.TaskTemplate.Networks);
  // The deprecated top-level list is read by the engine too: the guard reads it as the task's.
  if (Array.isArray(copy.Networks)) {
    copy.TaskTemplate = {
      ...copy.TaskTemplate,
      Networks: [
        ...(host(copy.TaskTemplate?.Networks) as unknown[] ?? []),
        ...host(copy.Networks) as unknown[],
      ],
    };
  }
  return copy as Record<string, unknown>;
}

/** Checks a service spec as a container create body is checked. */
async function checkSpec(
  ctx: RouteGuardContext,
  base: EngineClient,
  spec: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<void> {
  const { policy } = ctx;
  checkTaskRuntime(spec);
  const body = createBodyOf(await hostTargetsNamed(base, spec, signal));
  policy.checkCreateBody(body);
  await checkRealHostPaths(ctx, hostPathsOf(body));
  await checkMountedVolumes(ctx, body, signal);
  const name = typeof spec.Name === "string" ? spec.Name : "";
  if (policy.filtersContainers && !policy.containerVisible(name)) throw nameRefused(policy, name);
  const image = (body as { Image?: unknown }).Image;
  if (typeof image === "string") await ctx.checkImage(image, signal);
}

/** The names of services by ID, seen by the base client. */
async function serviceNames(base: EngineClient, signal?: AbortSignal) {
  const list = await base.json<{ ID: string; Spec?: { Name?: string } }[]>(
    swarm.listOp("services", undefined, {}, { signal }),
  );
  return new Map((list ?? []).map((s) => [s.ID, s.Spec?.Name ?? ""]));
}

function visibleTo(ctx: RouteGuardContext) {
  return (name: unknown) => ctx.policy.containerVisible(typeof name === "string" ? name : "");
}

/** `service.create`: the spec is checked as a container create body is. */
export async function guardServiceCreate(
  ctx: RouteGuardContext,
  base: EngineClient,
  op: Operation<"service.create">,
): Promise<SwarmGuarded<"service.create">> {
  await checkSpec(ctx, base, jsonBody(op) ?? {}, op.signal);
  return { op };
}

/**
 * An operation on one service (inspect, update, remove, logs): with container
 * name lists, a hidden service answers like a missing one. An update's spec
 * is checked first, as a create's is.
 */
export async function guardService<N extends AnyOperation["name"]>(
  ctx: RouteGuardContext,
  base: EngineClient,
  op: Operation<N>,
): Promise<SwarmGuarded<N>> {
  if (op.name === "service.update") await checkSpec(ctx, base, jsonBody(op) ?? {}, op.signal);
  if (!ctx.policy.filtersContainers || op.target.kind !== "service") return { op };
  const ref = op.target.ref;
  const service = await base.json<{ Spec?: { Name?: string } }>(
    swarm.inspectOp("services", ref, { signal: op.signal }),
  );
  if (!visibleTo(ctx)(service?.Spec?.Name)) throw hiddenService(ref);
  return { op };
}

/** `service.list`: hidden services left out. */
export function guardServiceList(
  ctx: RouteGuardContext,
  op: Operation<"service.list">,
): SwarmGuarded<"service.list"> {
  if (!ctx.policy.filtersContainers) return { op };
  const visible = visibleTo(ctx);
  return {
    op,
    filter: (data) => Array.isArray(data) ? data.filter((s) => visible(s?.Spec?.Name)) : data,
  };
}

function hiddenTask(ref: string): BerthError {
  return new BerthError("not_found", `No such task: ${ref}`, {
    status: 404,
    hint: "List them with docker_list_tasks",
  });
}

/**
 * `task.inspect`, `task.logs`: with container name lists, a task of a hidden
 * service answers exactly like a missing one. The engine finds a task by any
 * unique ID prefix, so the task is inspected first, judged by its service's
 * name, and the operation sent on its full ID (docs/security.md rule 2).
 */
export async function guardTask<N extends "task.inspect" | "task.logs">(
  ctx: RouteGuardContext,
  base: EngineClient,
  op: Operation<N>,
): Promise<SwarmGuarded<N>> {
  if (!ctx.policy.filtersContainers || op.target.kind !== "task") return { op };
  const ref = op.target.ref;
  let task: { ID?: string; ServiceID?: string } | undefined;
  try {
    task = await base.json(swarm.inspectOp("tasks", ref, { signal: op.signal }));
  } catch (error) {
    if (error instanceof BerthError && error.status === 404) throw hiddenTask(ref);
    throw error;
  }
  const names = await serviceNames(base, op.signal);
  if (!task?.ID || !visibleTo(ctx)(names.get(task.ServiceID ?? ""))) throw hiddenTask(ref);
  return { op: { ...op, target: { kind: "task", ref: task.ID } } };
}

/** `task.list`: the tasks of hidden services left out. */
export async function guardTaskList(
  ctx: RouteGuardContext,
  base: EngineClient,
  op: Operation<"task.list">,
): Promise<SwarmGuarded<"task.list">> {
  if (!ctx.policy.filtersContainers) return { op };
  const visible = visibleTo(ctx);
  const names = await serviceNames(base, op.signal);
  return {
    op,
    filter: (data) =>
      Array.isArray(data) ? data.filter((t) => visible(names.get(t?.ServiceID))) : data,
  };
}
