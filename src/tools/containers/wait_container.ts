/**
 * `docker_wait_container`: blocks until a container stops and answers its exit
 * code. The wait ends by itself at `timeout` seconds (or just before the
 * class deadline) with DKR-008 saying the container is still running; the
 * container is left as it was.
 *
 * @module
 */

import { containers } from "../../engine/ops/mod.ts";
import { BerthError } from "../../errors/mod.ts";
import { seconds, startTimer, waitBudget } from "../../docker/timer.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import type { EngineClient } from "../../engine/client.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Time kept after the wait for the answer to reach the client. */
const MARGIN_MS = 2_000;

/** The engine's answer to `POST /containers/{id}/wait`. */
interface WaitAnswer {
  StatusCode: number;
  Error?: { Message?: string } | null;
}

/** Waits for a container (full ID) to stop; answers its exit code and error message. */
export async function waitForExit(
  engine: EngineClient,
  id: string,
  signal: AbortSignal,
): Promise<{ exitCode: number; error: string | null }> {
  const answer = await engine.json<WaitAnswer>(
    containers.wait(id, { condition: "not-running" }, {
      signal,
      errors: { 404: "container_not_found" },
    }),
  );
  return { exitCode: answer.StatusCode, error: answer.Error?.Message || null };
}

/** The error for a wait that ended before the container did. */
export function stillRunning(name: string, waitedMs: number): BerthError {
  return new BerthError(
    "timeout",
    `Container ${name} is still running after ${seconds(waitedMs)}`,
    {
      hint: "Wait again with docker_wait_container, read its logs, or stop it with " +
        "docker_stop_container",
    },
  );
}

/** Waits for the container, within `timeout` seconds when given. */
export const containerWait: Handler = async (ctx) => {
  const info = await inspectVisibleContainer(ctx, ctx.args.container_id as string);
  const name = bareName(info.Name);
  const requested = typeof ctx.args.timeout === "number" ? ctx.args.timeout * 1000 : undefined;
  const budget = waitBudget(ctx, requested, MARGIN_MS);
  const timer = startTimer(ctx.signal, budget);
  try {
    const { exitCode, error } = await waitForExit(ctx.engine, info.Id, timer.signal);
    return {
      structured: { container_id: info.Id, name, exit_code: exitCode, error },
      text: `Container ${name} exited with code ${exitCode}${error ? ` (error: ${error})` : ""}`,
    };
  } catch (error) {
    if (timer.expired()) throw stillRunning(name, budget);
    throw error;
  } finally {
    timer.dispose();
  }
};
