/**
 * `docker_run_container`: create + start, and with `wait: true` block until
 * the container exits and answer its exit code and the last lines of its
 * logs (read with the shared log reader: the newest lines win the byte cap).
 *
 * `remove: true` with `wait: true` does not use the engine's AutoRemove, which
 * would delete the logs the moment the container exits: berth removes the
 * container itself once the logs are read.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { counted } from "../../guard/formats.ts";
import { inspectAfter, stateAfter } from "./_lifecycle.ts";
import { portList } from "./inspect_container.ts";
import { checkedSpec, createContainer, removeQuietly, startCreated } from "./_create.ts";
import { MAX_LINE_LENGTH } from "./container_logs.ts";
import { stillRunning, waitForExit } from "./wait_container.ts";
import { readContainerLogs } from "../../docker/log_window.ts";
import { startTimer, waitBudget } from "../../docker/timer.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

/** Bytes of logs kept at most. */
const MAX_LOG_BYTES = 32 * 1024;
/** Time kept after the wait for reading logs and removing the container. */
const MARGIN_MS = 5_000;

/**
 * The state after a start, and the host ports the engine published (a `0`
 * asks for a random one, which the caller could not know otherwise).
 */
async function runningState(
  ctx: HandlerContext,
  id: string,
): Promise<{ status: string; ports: string[] }> {
  const info = await inspectAfter(ctx, id);
  // Gone already (auto-remove after a quick exit): nothing is published.
  if (!info) return { status: "removed", ports: [] };
  const published = portList((info.NetworkSettings as { Ports?: unknown } | undefined)?.Ports)
    .filter((p) => p.includes("->"));
  return { status: info.State?.Status ?? "unknown", ports: published };
}

/** Creates, starts and optionally waits for a container. */
export const containerRun: Handler = async (ctx) => {
  // `detach` is the docker SDK's word for the opposite of wait.
  if (ctx.args.detach === true && ctx.args.wait === true) {
    throw invalidInput("detach", "is true while wait is true", "Send one of them");
  }
  const wait = ctx.args.wait === true || ctx.args.detach === false;
  const spec = checkedSpec(ctx, ctx.args);
  const removeAfter = wait && spec.body.HostConfig.AutoRemove === true;
  if (removeAfter) spec.body.HostConfig.AutoRemove = false;
  const created = await createContainer(ctx, spec);
  await startCreated(ctx, created);
  const base = { container_id: created.id, name: created.name, warnings: created.warnings };
  if (!wait) {
    const { status, ports } = await runningState(ctx, created.id);
    return {
      structured: { ...base, status, ports, exit_code: null, logs: null, logs_truncated: null },
      text: `Container ${created.name} (${created.id.slice(0, 12)}) started from ${spec.image}; ` +
        `status ${status}${ports.length ? `; published ${ports.join(", ")}` : ""}`,
    };
  }

  const budget = waitBudget(ctx, undefined, MARGIN_MS);
  const timer = startTimer(ctx.signal, budget);
  let exit: { exitCode: number; error: string | null };
  try {
    exit = await waitForExit(ctx.engine, created.id, timer.signal);
  } catch (error) {
    if (timer.expired()) throw stillRunning(created.name, budget);
    throw error;
  } finally {
    timer.dispose();
  }
  const tail = ctx.args.tail as number; // the manifest's default applies
  // The line cap (below the byte cap) keeps one endless line within the byte cap too.
  const read = await readContainerLogs(ctx, { Id: created.id, Config: { Tty: spec.body.Tty } }, {
    tail,
    timestamps: false,
  }, { maxBytes: MAX_LOG_BYTES, maxLines: tail, maxLineLength: MAX_LINE_LENGTH });
  const logs = read.lines.join("\n");
  const removed = removeAfter && await removeQuietly(ctx, created.id);
  const status = removed ? "removed" : await stateAfter(ctx, created.id);
  const cut = read.truncated ? " (truncated: the newest lines kept)" : "";
  return {
    structured: {
      ...base,
      status,
      ports: null,
      exit_code: exit.exitCode,
      logs,
      logs_truncated: read.truncated,
    },
    text: `Container ${created.name} exited with code ${exit.exitCode}` +
      `${exit.error ? ` (error: ${exit.error})` : ""}; status ${status}\n` +
      (read.lines.length
        ? `Last ${counted(read.lines.length, "log lines")}${cut}:\n${logs}`
        : "No log output"),
  };
};
