/**
 * `docker_list_tasks` (like `docker service ps`) and `docker_service_logs`
 * (bounded like container logs).
 *
 * @module
 */

import { list, serviceLogs as logsRoute } from "../../engine/ops/swarm.ts";
import { type TaskRow, taskRows } from "../../docker/swarm/tasks.ts";
import { demultiplex, rawStream } from "../../engine/streams.ts";
import { invalidInput } from "../../errors/mod.ts";
import { parseTime } from "../../guard/formats.ts";
import { counted } from "../../interpreter/result.ts";
import { alignColumns } from "../../interpreter/shape.ts";
import { compilePattern, openLineFilter } from "../../guard/pattern.ts";
import { MAX_LINE_LENGTH, MAX_LOG_BYTES, MAX_LOG_LINES } from "../containers/container_logs.ts";
import { collectLines } from "../../docker/log_window.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";
import { type Json, names, opsOf, serviceVisible, visibleService } from "./_common.ts";

/** The text table of task rows. */
export function taskTable(rows: TaskRow[]): string {
  return alignColumns([
    ["ID", "NAME", "IMAGE", "NODE", "DESIRED", "CURRENT", "ERROR"],
    ...rows.map((t) => [
      t.id.slice(0, 12),
      t.name,
      t.image,
      t.node,
      t.desired_state,
      t.state,
      t.error ?? "",
    ]),
  ]).join("\n");
}

/** Task rows of the given filters, only of visible services; `running` keeps desired-running ones. */
export async function visibleTaskRows(
  ctx: HandlerContext,
  filters: Record<string, string[]>,
): Promise<TaskRow[]> {
  const [tasks, known] = await Promise.all([list(opsOf(ctx), "tasks", filters), names(ctx)]);
  const visible = tasks.filter((t: Json) =>
    serviceVisible(ctx, known.services.get(t.ServiceID) ?? "")
  );
  return taskRows(visible, known.services, known.nodes);
}

/** Tasks of one service (or of all visible ones): node, desired and current state, error, exit code. */
export const listTasks: Handler = async (ctx) => {
  const filters: Record<string, string[]> = {};
  if (ctx.args.service_id) {
    filters.service = [(await visibleService(ctx, ctx.args.service_id as string)).ID];
  }
  if (ctx.args.all !== true) filters["desired-state"] = ["running", "accepted"];
  const tasks = await visibleTaskRows(ctx, filters);
  return { structured: { tasks, count: tasks.length }, text: taskTable(tasks) };
};

function since(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const seconds = parseTime(value as string | number);
  if (seconds === undefined) {
    throw invalidInput("since", "must be RFC 3339, unix seconds, or relative like 15m or 2h");
  }
  return seconds.toFixed(9);
}

/** The newest log lines of a service's tasks, bounded in lines and bytes. */
export const serviceLogs: Handler = async (ctx) => {
  const { args } = ctx;
  const grep = typeof args.grep === "string" ? compilePattern("grep", args.grep) : undefined;
  const service = await visibleService(ctx, args.service_id as string);
  const timestamps = args.timestamps === true;
  const response = await logsRoute(opsOf(ctx), service.ID, {
    stdout: true,
    stderr: true,
    tail: String(args.tail ?? 100),
    since: since(args.since),
    timestamps,
  });
  const tty = service.Spec?.TaskTemplate?.ContainerSpec?.TTY === true;
  const filter = grep ? openLineFilter(grep, ctx.signal) : undefined;
  const window = response.body
    ? await collectLines(tty ? rawStream(response.body) : demultiplex(response.body), {
      maxBytes: MAX_LOG_BYTES,
      maxLines: MAX_LOG_LINES,
      maxLineLength: MAX_LINE_LENGTH,
      grep: filter,
      timestamps,
    }).finally(() => filter?.close())
    : { lines: [], matched: 0, truncated: false };
  const lines = window.lines;
  const marker = window.truncated
    ? `[truncated: showing the last ${lines.length} of ${window.matched} lines]`
    : undefined;
  const logs = [...(marker ? [marker] : []), ...lines].join("\n");
  const name = service.Spec.Name;
  return {
    structured: { logs, lines: lines.length, truncated: window.truncated },
    text: lines.length
      ? `Logs of service ${name} (${counted(lines.length, "lines")}):\n${logs}`
      : `No log lines from service ${name}`,
  };
};
