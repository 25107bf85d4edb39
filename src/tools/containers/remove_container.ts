/**
 * `docker_remove_container`: a running (or paused) container is removed only
 * with `force: true`; without it the answer is DKR-010 saying to stop it
 * first, checked before the engine is asked so the message is always clear.
 *
 * @module
 */

import { containers } from "../../engine/ops/mod.ts";
import { BerthError, isBerthError } from "../../errors/mod.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Removes one container (and with `volumes: true` its anonymous volumes). */
export const containerRemove: Handler = async (ctx) => {
  const info = await inspectVisibleContainer(ctx, ctx.args.container_id as string);
  const name = bareName(info.Name);
  const force = ctx.args.force === true;
  const running = info.State?.Running === true || info.State?.Paused === true;
  if (running && !force) throw runningError(name, info.State?.Status ?? "running");
  try {
    const response = await ctx.engine.request(
      containers.remove(info.Id, { force, v: ctx.args.volumes === true }, {
        signal: ctx.signal,
        errors: { 404: "container_not_found", 409: "conflict" },
      }),
    );
    await response.body?.cancel();
  } catch (error) {
    // It may have started between the inspect and the delete.
    if (isBerthError(error) && /running container/i.test(error.message)) {
      throw runningError(name, "running");
    }
    throw error;
  }
  const extra = [
    force && running ? "forced while running" : "",
    ctx.args.volumes ? "with its anonymous volumes" : "",
  ]
    .filter(Boolean).join(", ");
  return {
    structured: { container_id: info.Id, name, removed: true },
    text: `Container ${name} (${info.Id.slice(0, 12)}) removed${extra ? ` (${extra})` : ""}`,
  };
};

function runningError(name: string, state: string): BerthError {
  return new BerthError(
    "conflict",
    `Container ${name} is ${state} and cannot be removed as it is`,
    {
      hint: "Stop it first with docker_stop_container, or pass force: true to kill and remove it",
    },
  );
}
