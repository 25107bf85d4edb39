/**
 * `docker_operation_status`: reports on (or waits for) a long operation that
 * went on in the background after its call's budget. Reads the process-level
 * registry only; never calls the engine.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import type { OperationSnapshot } from "../../guard/operations.ts";
import type { Handler } from "./types.ts";

/** Longest wait one status call may ask for, in seconds. */
export const MAX_STATUS_WAIT_S = 25;

/** Reads or waits for one operation. */
export const operationStatus: Handler = async ({ args, signal, operations }) => {
  const id = String(args.operation_id);
  const waitS = Math.min(Number(args.wait ?? 0), MAX_STATUS_WAIT_S);
  const snapshot = await operations?.wait(id, waitS * 1000, signal);
  if (!snapshot) {
    throw new BerthError("not_found", `Operation '${id}' is unknown or has expired`, {
      hint: "Use the operation_id a long tool answered with; results are kept 15 minutes " +
        "after the operation ends, and not across berth restarts",
    });
  }
  const { text, ...structured } = snapshot;
  return { structured, text: describe(snapshot, text) };
};

function describe(op: OperationSnapshot, text: string | null): string {
  const head =
    `Operation ${op.operation_id} (${op.tool}) ${op.status} after ${op.elapsed_seconds}s`;
  if (op.status === "running") {
    const progress = op.progress?.message ? `; last progress: ${op.progress.message}` : "";
    return `${head}${progress}. Call again with wait (seconds) to wait for it`;
  }
  return `${head}\n${text ?? ""}`;
}
