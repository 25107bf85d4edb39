/**
 * `docker_container_logs`: the newest lines of a container's output, bounded
 * in lines and bytes however long the log is.
 *
 * The container is inspected first: its `Config.Tty` decides whether the body
 * is the 8-byte framed stream or one raw stream (never guessed), and the
 * policy sees its canonical name. Lines of stdout and stderr come interleaved
 * in the engine's order, unlabelled; ask for one stream to separate them.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { compilePattern, openLineFilter } from "../../guard/pattern.ts";
import { parseTime } from "../formats.ts";
import { counted } from "../result.ts";
import { readContainerLogs } from "./_log_lines.ts";
import { bareName, inspectVisibleContainer } from "./_visible_container.ts";
import type { Handler } from "./types.ts";

/** Bytes of log text returned at most (the interpreter's text cap is 64 KiB). */
export const MAX_LOG_BYTES = 60 * 1024;
/** Lines returned at most. */
export const MAX_LOG_LINES = 5000;
/** Characters of one line kept at most. */
export const MAX_LINE_LENGTH = 8 * 1024;

/** Unix seconds as the engine's `seconds.nanoseconds` form. */
function engineTime(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const seconds = parseTime(value as string | number);
  if (seconds === undefined) {
    throw invalidInput(field, "must be RFC 3339, unix seconds, or relative like 15m or 2h");
  }
  return seconds.toFixed(9);
}

/** Fetches, filters and bounds the logs of one container. */
export const containerLogs: Handler = async (ctx) => {
  const { args } = ctx;
  const id = args.container_id as string;
  const stdout = args.stdout !== false;
  const stderr = args.stderr !== false;
  if (!stdout && !stderr) {
    throw invalidInput("stderr", "cannot be false when 'stdout' is false too", "Ask for a stream");
  }
  const since = engineTime("since", args.since);
  const until = engineTime("until", args.until);
  if (since !== undefined && until !== undefined && Number(until) < Number(since)) {
    throw invalidInput("until", "must not be before 'since'");
  }
  const grep = typeof args.grep === "string" ? compilePattern("grep", args.grep) : undefined;
  const tail = (args.tail as number | undefined) ?? 100;
  const timestamps = args.timestamps === true;

  const info = await inspectVisibleContainer(ctx, id);
  const tty = info.Config?.Tty === true;
  const filter = grep ? openLineFilter(grep, ctx.signal) : undefined;
  const window = await readContainerLogs(ctx, info, {
    stdout,
    stderr,
    tail,
    since,
    until,
    timestamps,
  }, {
    maxBytes: MAX_LOG_BYTES,
    maxLines: MAX_LOG_LINES,
    maxLineLength: MAX_LINE_LENGTH,
    grep: filter,
    timestamps,
  }).finally(() => filter?.close());

  const lines = window.lines;
  const marker = window.truncated
    ? `[truncated: showing the last ${lines.length} of ${window.matched} lines; ` +
      "for other lines use a smaller tail, since/until or grep]"
    : undefined;
  const logs = [...(marker ? [marker] : []), ...lines].join("\n");
  const name = bareName(info.Name);
  const streams = stdout && stderr ? "stdout+stderr" : stdout ? "stdout" : "stderr";
  const header = lines.length
    ? `Logs of ${name} (${counted(lines.length, "lines")}, ${streams}${tty ? ", tty" : ""}${
      grep ? `, grep /${grep.source}/` : ""
    }):`
    : `No log lines from ${name} (${streams}${grep ? `, grep /${grep.source}/` : ""})`;
  return {
    structured: { logs, lines: lines.length, truncated: window.truncated },
    text: lines.length ? `${header}\n${logs}` : header,
  };
};
