/**
 * The policy engine's guards for Swarm routes (docs/security.md, "Swarm"):
 *
 * - `POST /services/create` and `POST /services/{id}/update`: the create
 *   guard on the options a service can escape with (mounts, capabilities,
 *   sysctls, security options, published ports, the host network), the
 *   container name lists on the service name, the image lists on its image;
 * - with container name lists, a service is seen through them by its name:
 *   `/services/{ref}…` of a hidden service answers like a missing one, and
 *   `GET /services` and `GET /tasks` leave hidden services out.
 *
 * @module
 */

import type { EngineClient, EngineRequest } from "../engine/client.ts";
import { BerthError } from "../errors/mod.ts";
import { checkTaskRuntime, createBodyOf } from "../docker/swarm/spec.ts";
import { hostPathsOf } from "../policy/create_guard.ts";
import {
  checkMountedVolumes,
  checkRealHostPaths,
  jsonBody,
  nameRefused,
  type RouteGuardContext,
} from "./policy_routes.ts";

const SERVICE_ROUTE = /^\/services\/([^/]+)(\/.*)?$/;

/** True for the routes {@link guardSwarm} looks at. */
export function isSwarmRoute(path: string): boolean {
  return path === "/services" || path === "/tasks" || SERVICE_ROUTE.test(path);
}

function hiddenService(ref: string): BerthError {
  return new BerthError("not_found", `No such service: ${ref}`, {
    status: 404,
    hint: "List them with docker_list_services",
  });
}

/** What the guard answers: the request to send and a filter of the answer. */
export interface SwarmGuarded {
  req: EngineRequest;
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
  const hosts = await base.json<{ Id: string; Name: string }[]>({
    method: "GET",
    path: "/networks",
    query: { filters: JSON.stringify({ driver: ["host"] }) },
    signal,
  });
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
  const list = await base.json<{ ID: string; Spec?: { Name?: string } }[]>({
    method: "GET",
    path: "/services",
    signal,
  });
  return new Map((list ?? []).map((s) => [s.ID, s.Spec?.Name ?? ""]));
}

/** Guards one Swarm route (see the module doc). */
export async function guardSwarm(
  ctx: RouteGuardContext,
  base: EngineClient,
  req: EngineRequest,
): Promise<SwarmGuarded> {
  const { policy } = ctx;
  const { method, path } = req;
  const body = jsonBody(req);
  if (method === "POST" && path === "/services/create") {
    await checkSpec(ctx, base, body ?? {}, req.signal);
    return { req };
  }
  const route = SERVICE_ROUTE.exec(path);
  if (route && method === "POST" && route[2] === "/update") {
    await checkSpec(ctx, base, body ?? {}, req.signal);
  }
  if (!policy.filtersContainers) return { req };
  const visible = (name: unknown) => policy.containerVisible(typeof name === "string" ? name : "");
  if (route) {
    let ref: string;
    try {
      ref = decodeURIComponent(route[1]);
    } catch {
      throw hiddenService(route[1]);
    }
    const service = await base.json<{ Spec?: { Name?: string } }>({
      method: "GET",
      path: `/services/${encodeURIComponent(ref)}`,
      signal: req.signal,
    });
    if (!visible(service?.Spec?.Name)) throw hiddenService(ref);
    return { req };
  }
  if (method === "GET" && path === "/services") {
    return {
      req,
      filter: (data) => Array.isArray(data) ? data.filter((s) => visible(s?.Spec?.Name)) : data,
    };
  }
  if (method === "GET" && path === "/tasks") {
    const names = await serviceNames(base, req.signal);
    return {
      req,
      filter: (data) =>
        Array.isArray(data) ? data.filter((t) => visible(names.get(t?.ServiceID))) : data,
    };
  }
  return { req };
}
