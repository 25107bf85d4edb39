/**
 * `depends_on` of docker_create_container: the containers a new one needs.
 * Each must exist (and be visible); a stopped one is started first, which is
 * a lifecycle action, so it needs that level too.
 *
 * @module
 */

import { containers } from "../../engine/ops/mod.ts";
import { BerthError, isBerthError } from "../../errors/mod.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

/** States in which `docker start` brings a container up. */
const STOPPED = new Set(["created", "exited"]);

/**
 * Checks every dependency and starts the stopped ones; answers the names it
 * started. A missing one is DKR-002 naming it and the parameter.
 */
export async function readyDependencies(ctx: HandlerContext, names: string[]): Promise<string[]> {
  const started: string[] = [];
  for (const ref of names) {
    let info;
    try {
      info = await inspectVisibleContainer(ctx, ref);
    } catch (error) {
      if (!isBerthError(error) || error.type !== "container_not_found") throw error;
      throw new BerthError(
        "container_not_found",
        `depends_on: no such container: ${ref}`,
        { hint: "Create or name an existing container; docker_list_containers (all: true)" },
      );
    }
    if (!STOPPED.has(info.State?.Status ?? "")) continue;
    const name = bareName(info.Name) || ref;
    if (!ctx.policy.allowsLevel("lifecycle")) {
      throw new BerthError(
        "denied_by_policy",
        `depends_on: ${name} is stopped, and starting it needs the lifecycle level`,
        { hint: "Ask the operator for --allow lifecycle, or leave it out of depends_on" },
      );
    }
    const response = await ctx.engine.request(
      containers.start(info.Id!, { signal: ctx.signal, errors: { 404: "container_not_found" } }),
    );
    await response.body?.cancel();
    started.push(name);
  }
  return started;
}
