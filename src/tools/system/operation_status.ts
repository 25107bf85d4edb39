/**
 * `docker_operation_status`: reports on (or waits for) a long operation that
 * went on in the background after its call's budget. Reads the process-level
 * registry only; never calls the engine.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { type OperationSnapshot, statusWaitCapMs } from "../../guard/operations.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Reads or waits for one operation. */
export const operationStatus: Handler = async ({ args, signal, operations, deadlineMs }) => {
  const id = String(args.operation_id);
  const askedMs = Number(args.wait ?? 0) * 1000;
  const waitMs = Math.min(askedMs, statusWaitCapMs(deadlineMs));
  const snapshot = await operations?.wait(id, waitMs, signal);
  if (!snapshot) {
    throw new BerthError("not_found", `Operation '${id}' is unknown or has expired`, {
      hint: "Use the operation_id a long tool answered with; results are kept 15 minutes " +
        "after the operation ends, and not across berth restarts",
    });
  }
  const { text, ...structured } = snapshot;
  const shortened = waitMs < askedMs ? waitMs : undefined;
  return { structured, text: describe(snapshot, text, shortened) };
};

function describe(op: OperationSnapshot, text: string | null, shortenedMs?: number): string {
  const head =
    `Operation ${op.operation_id} (${op.tool}) ${op.status} after ${op.elapsed_seconds}s`;
  if (op.status === "running") {
    const progress = op.progress?.message ? `; last progress: ${op.progress.message}` : "";
    const waited = shortenedMs === undefined
      ? ""
      : ` (waited ${Math.round(shortenedMs / 100) / 10}s, the most this call's deadline allows)`;
    return `${head}${progress}${waited}. Call again with wait (seconds) to wait for it`;
  }
  return `${head}\n${text ?? ""}`;
}
