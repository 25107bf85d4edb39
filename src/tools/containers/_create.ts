/**
 * Creating a container from the spec builder, as docker_create_container and
 * docker_run_container both do: the policy's checks of the spec, the create
 * and its errors with hints, the start that removes what failed to start.
 *
 * @module
 */

import { containers } from "../../engine/ops/mod.ts";
import { BerthError, isBerthError } from "../../errors/mod.ts";
import { renamed } from "../../policy/create_guard.ts";
import { containerNameDenied, imageDenied } from "../../policy/enforce/mod.ts";
import { buildContainerSpec, type ContainerSpec } from "../../docker/container_spec/mod.ts";
import { bareName, type ContainerInspect } from "../../docker/visible_container.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

/** A created container. */
export interface Created {
  id: string;
  name: string;
  warnings: string[];
  spec: ContainerSpec;
}

/** The parameters the guarded engine options of a spec come from, for refusals. */
const TOOL_KEYS = { PortBindings: "ports", Mounts: "volumes", NetworkMode: "network" };

/** Builds the spec and asks the policy about it; throws DKR-004 or DKR-007. */
export function checkedSpec(
  ctx: Pick<HandlerContext, "policy">,
  args: Record<string, unknown>,
): ContainerSpec {
  const spec = buildContainerSpec(args);
  if (!ctx.policy.imageAllowed(spec.image)) {
    throw imageDenied(spec.image, ctx.policy, " (parameter 'image')");
  }
  if (spec.name === undefined && ctx.policy.requiresContainerName) {
    throw new BerthError(
      "denied_by_policy",
      "A container name is required: the container allow list decides by name",
      { hint: "Pass 'name' with a name the allow list accepts" },
    );
  }
  if (spec.name !== undefined && !ctx.policy.containerVisible(spec.name)) {
    throw containerNameDenied(spec.name, ctx.policy);
  }
  for (const source of spec.bindSources) ctx.policy.checkHostPath(source, "bind");
  try {
    ctx.policy.checkCreateBody(spec.body as unknown as Record<string, unknown>);
  } catch (error) {
    throw renamed(error, TOOL_KEYS);
  }
  return spec;
}

/** Creates the container of a checked spec; answers its ID and canonical name. */
export async function createContainer(
  ctx: HandlerContext,
  spec: ContainerSpec,
): Promise<Created> {
  let answer: { Id: string; Warnings?: string[] | null };
  try {
    answer = await ctx.engine.json(containers.create(spec.body, { name: spec.name }, {
      signal: ctx.signal,
      errors: { 404: "image_not_found", 409: "conflict" },
    }));
  } catch (error) {
    throw createError(error, spec);
  }
  const info = await ctx.engine.json<ContainerInspect>(
    containers.inspect(answer.Id, {}, {
      signal: ctx.signal,
      errors: { 404: "container_not_found" },
    }),
  );
  return { id: answer.Id, name: bareName(info.Name), warnings: answer.Warnings ?? [], spec };
}

/** How to look at a container that fails to start, since berth removes its own. */
const KEEP_FAILED_START = "To keep a container that fails to start for docker_diagnose, create " +
  "it with docker_create_container and start it with docker_start_container: that one stays";

/**
 * Starts a container berth just created; if the start fails (a host port in
 * use, a missing executable), removes it again and throws the start's error,
 * saying what became of the container.
 */
export async function startCreated(ctx: HandlerContext, created: Created): Promise<void> {
  try {
    const response = await ctx.engine.request(
      containers.start(created.id, { signal: ctx.signal, errors: { 404: "container_not_found" } }),
    );
    await response.body?.cancel();
  } catch (error) {
    if (!isBerthError(error)) throw error;
    const removed = await removeQuietly(ctx, created.id);
    const fix = error.type === "port_in_use"
      ? "Choose another host port in 'ports' (or omit it for a random one), or stop the " +
        "container that holds it"
      : error.hint;
    const fate = removed ? "was removed again" : "is left in state created (removing it failed)";
    const next = removed
      ? KEEP_FAILED_START
      : `Look at it with docker_diagnose, then remove it with docker_remove_container ` +
        `(container_id: "${created.name}")`;
    throw new BerthError(
      error.type,
      `Container ${created.name} (${created.id.slice(0, 12)}) did not start and ${fate}: ` +
        error.message,
      { hint: `${fix}. ${next}`, context: error.context, status: error.status },
    );
  }
}

/**
 * Removes a container, answering whether it is gone (used on failure paths):
 * one the engine already removed (AutoRemove) counts as gone.
 */
export async function removeQuietly(ctx: HandlerContext, id: string): Promise<boolean> {
  try {
    const response = await ctx.engine.request(
      containers.remove(id, { force: true }, { signal: AbortSignal.timeout(10_000) }),
    );
    await response.body?.cancel();
    return true;
  } catch (error) {
    return isBerthError(error) && error.type === "container_not_found";
  }
}

function createError(error: unknown, spec: ContainerSpec): unknown {
  if (!isBerthError(error)) return error;
  if (error.type === "image_not_found") {
    return new BerthError("image_not_found", error.message, {
      hint: `Pull it first with docker_pull_image (image: "${spec.image}"; needs the images ` +
        "level), or check the reference with docker_list_images",
      context: error.context,
      status: error.status,
    });
  }
  if (error.type === "conflict") {
    return new BerthError("conflict", error.message, {
      hint: `Choose another name, or remove the existing container '${spec.name}' with ` +
        "docker_remove_container",
      context: error.context,
      status: error.status,
    });
  }
  return error;
}
