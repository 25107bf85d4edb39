/**
 * What the swarm handlers share: engine ops of a call, services seen through
 * the container name lists (a service's tasks are containers named after it,
 * so a hidden name is hidden as a service too, and looks missing), the image
 * lists, the create guard on a service spec, and watching convergence.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { inspect, list, type Ops } from "../../engine/ops/swarm.ts";
import {
  type Convergence,
  convergenceError,
  watchConvergence,
} from "../../docker/swarm/converge.ts";
import { createBodyOf } from "../../docker/swarm/spec.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";
import { containerNameDenied, imageDenied, imageUsable } from "../../interpreter/resolve.ts";

// deno-lint-ignore no-explicit-any
export type Json = any;

/** The engine ops of a call. */
export function opsOf(ctx: HandlerContext): Ops {
  return { engine: ctx.engine, signal: ctx.signal };
}

/** True when the name lists let this session see a service (or stack) name. */
export function serviceVisible(ctx: HandlerContext, name: string): boolean {
  return !ctx.policy.filtersContainers || ctx.policy.containerVisible(name);
}

/** A service by name or ID among the visible ones; a hidden one answers like a missing one. */
export async function visibleService(ctx: HandlerContext, ref: string): Promise<Json> {
  const service = await inspect(opsOf(ctx), "services", ref);
  if (!serviceVisible(ctx, service.Spec?.Name ?? "")) {
    throw new BerthError("not_found", `No such service: ${ref}`, {
      status: 404,
      hint: "List them with docker_list_services",
    });
  }
  return service;
}

/** Visible services, optionally filtered. */
export async function visibleServices(
  ctx: HandlerContext,
  filters?: Record<string, string[]>,
  status = false,
): Promise<Json[]> {
  const services = await list(opsOf(ctx), "services", filters, { status: status || undefined });
  return services.filter((s) => serviceVisible(ctx, s.Spec?.Name ?? ""));
}

/**
 * The checks a container create gets, on a service spec: the create guard on
 * the options a service can escape with, the name lists on its name, the
 * image lists on its image.
 */
export async function checkServiceSpec(ctx: HandlerContext, spec: Json): Promise<void> {
  const { policy } = ctx;
  if (policy.bypass) return;
  policy.checkCreateBody(createBodyOf(await hostNetworksNamed(ctx, spec)));
  const name = String(spec.Name ?? "");
  if (policy.filtersContainers && !policy.containerVisible(name)) {
    throw containerNameDenied(name, policy, " (a service name)");
  }
  const image = spec.TaskTemplate?.ContainerSpec?.Image;
  if (typeof image === "string" && !(await imageUsable(ctx.engine, policy, image, ctx.signal))) {
    throw imageDenied(image, policy);
  }
}

/**
 * The spec with every network target that is the engine's host network written
 * `host`: the swarm resolves a target by name, full ID or ID prefix (the CLI
 * itself sends IDs), so `61cf838b45af` attaches a task to the host's network
 * namespace as surely as `host` does, and the create guard must see it so.
 */
async function hostNetworksNamed(ctx: HandlerContext, spec: Json): Promise<Json> {
  const targets = ((spec?.TaskTemplate?.Networks ?? []) as Json[]).map((n) => String(n?.Target));
  if (!targets.some((t) => t !== "host")) return spec;
  const hosts = await ctx.engine.json<{ Id: string; Name: string }[]>({
    method: "GET",
    path: "/networks",
    query: { filters: JSON.stringify({ driver: ["host"] }) },
    signal: ctx.signal,
  });
  const isHost = (target: string) =>
    hosts.some((h) => h.Name === target || (target.length > 0 && h.Id.startsWith(target)));
  const copy = structuredClone(spec);
  for (const n of copy.TaskTemplate.Networks as Json[]) {
    if (isHost(String(n?.Target))) n.Target = "host";
  }
  return copy;
}

/** Hostnames of nodes by ID, and services' names by ID, for task rows. */
export async function names(ctx: HandlerContext): Promise<{
  nodes: Map<string, string>;
  services: Map<string, string>;
}> {
  const ops = opsOf(ctx);
  const [nodes, services] = await Promise.all([list(ops, "nodes"), list(ops, "services")]);
  return {
    nodes: new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID])),
    services: new Map(services.map((s) => [s.ID, s.Spec?.Name ?? s.ID])),
  };
}

/**
 * Watches a service converge after a change sent at `since`; a failure is an
 * error naming the tasks' errors (the service stays, so it can be fixed).
 */
export async function converge(
  ctx: HandlerContext,
  id: string,
  name: string,
  since: number,
  rollback = false,
): Promise<Convergence> {
  const result = await watchConvergence(opsOf(ctx), id, {
    progress: ctx.progress,
    since,
    rollback,
  });
  if (result.state !== "converged") throw convergenceError(result, name);
  return result;
}

/** `image:tag@sha256:…` as people write it: the digest the swarm pins is dropped. */
export function shortImage(image: unknown): string {
  return String(image ?? "").replace(/@sha256:[0-9a-f]+$/, "");
}
