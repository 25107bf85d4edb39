/**
 * What the swarm tools that change services share: the create guard on a
 * service spec, watching convergence, and the answer once it converged.
 * The Docker domain they read (visibility, rows, file references) is in
 * src/docker/swarm/services.ts.
 *
 * @module
 */

import { update } from "../../docker/swarm/api.ts";
import { networks } from "../../engine/ops/mod.ts";
import {
  type Convergence,
  convergenceError,
  watchConvergence,
} from "../../docker/swarm/converge.ts";
import { type Json, opsOf } from "../../docker/swarm/services.ts";
import { createBodyOf } from "../../docker/swarm/spec.ts";
import type { HandlerContext, Shaped } from "../../interpreter/contract.ts";
import { containerNameDenied, imageDenied, imageUsable } from "../../policy/enforce/mod.ts";

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
  const hosts = await ctx.engine.json<{ Id: string; Name: string }[]>(
    networks.list({ driver: ["host"] }, { signal: ctx.signal }),
  );
  const isHost = (target: string) =>
    hosts.some((h) => h.Name === target || (target.length > 0 && h.Id.startsWith(target)));
  const copy = structuredClone(spec);
  for (const n of copy.TaskTemplate.Networks as Json[]) {
    if (isHost(String(n?.Target))) n.Target = "host";
  }
  return copy;
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

/** The answer of a service created, updated or rolled back once it converged. */
export function converged(
  name: string,
  id: string,
  verb: string,
  result: Json,
  warnings: string[],
): Shaped {
  return {
    structured: {
      service_id: id,
      name,
      running: result.running,
      desired: result.desired,
      update_state: result.update_state,
      warnings,
    },
    text: `Service ${name} ${verb}: ${result.running}/${result.desired} tasks running` +
      warnings.map((w) => `\nwarning: ${w}`).join(""),
  };
}

/** Sends a service's new spec (or its rollback) and waits for convergence. */
export async function sendUpdate(
  ctx: HandlerContext,
  service: Json,
  spec: Json,
  verb: string,
  rollback = false,
): Promise<Shaped> {
  const since = Date.now();
  const answer = await update(
    opsOf(ctx),
    "services",
    service.ID,
    service.Version.Index,
    spec,
    rollback,
  );
  const name = service.Spec.Name;
  const result = await converge(ctx, service.ID, name, since, rollback);
  return converged(name, service.ID, verb, result, answer.Warnings ?? []);
}

/** UTF-8 text as the base64 a secret's or config's `Data` carries. */
export function base64Text(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}
