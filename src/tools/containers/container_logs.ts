/**
 * `docker_container_logs`: the newest lines of a container's output, bounded
 * in lines and bytes however long the log is.
 *
 * The container is inspected: its `Config.Tty` decides whether the body is
 * the 8-byte framed stream or one raw stream (never guessed), and the policy
 * sees its canonical name. A name read before has its logs asked for on the
 * full ID it named last, alongside the inspect, and read into memory as they
 * come; those bytes are used only when the inspect names the same ID, and
 * dropped unread otherwise. Lines of stdout and stderr come interleaved in the
 * engine's order, unlabelled; ask for one stream to separate them.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { compilePatternLoaded, openLineFilter } from "../../guard/pattern.ts";
import { counted, parseTime } from "../../guard/formats.ts";
import {
  type LogBody,
  type LogFollow,
  type LogQuery,
  readContainerLogs,
  startLogRead,
  stoppedNote,
} from "../../docker/log_window.ts";
import { recentIds } from "../../docker/recent_ids.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

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
  const grep = typeof args.grep === "string"
    ? await compilePatternLoaded("grep", args.grep)
    : undefined;
  const tail = args.tail as number; // the manifest's default applies
  const timestamps = args.timestamps === true;

  const query: LogQuery = { stdout, stderr, tail, since, until, timestamps };
  const follow = followOf(ctx);
  const early = earlyLogs(ctx, id, query, follow);
  const info = await inspectVisibleContainer(ctx, id).catch((error) => {
    early?.drop();
    throw error;
  });
  const opened = earlyAnswer(ctx, id, info.Id, query, early);
  const tty = info.Config?.Tty === true;
  const filter = grep ? openLineFilter(grep, ctx.signal) : undefined;
  const window = await readContainerLogs(
    ctx,
    info,
    query,
    {
      maxBytes: MAX_LOG_BYTES,
      maxLines: MAX_LOG_LINES,
      maxLineLength: MAX_LINE_LENGTH,
      grep: filter,
      timestamps,
    },
    follow,
    {},
    opened,
  ).finally(() => filter?.close());

  const lines = window.lines;
  const marker = window.stopped
    ? `[truncated: ${stoppedNote(window.stopped)}]`
    : window.truncated
    ? `[truncated: showing the last ${lines.length} of ${window.matched} lines; ` +
      "for other lines use a smaller tail, since/until or grep]"
    : undefined;
  const logs = [...(marker ? [marker] : []), ...lines].join("\n");
  const name = bareName(info.Name);
  const followedFor = follow ? `; followed ${Math.round(follow.ms / 1000)} s${follow.note}` : "";
  const streams = stdout && stderr ? "stdout+stderr" : stdout ? "stdout" : "stderr";
  const header = lines.length
    ? `Logs of ${name} (${counted(lines.length, "lines")}, ${streams}${tty ? ", tty" : ""}${
      grep ? `, grep /${grep.source}/` : ""
    }${followedFor}):`
    : `No log lines from ${name} (${streams}${
      grep ? `, grep /${grep.source}/` : ""
    }${followedFor})`;
  return {
    structured: { logs, lines: lines.length, truncated: window.truncated },
    text: lines.length ? `${header}\n${logs}` : header,
  };
};

/** Logs asked for (and being read) on a guessed full ID, before the inspect that resolves the reference ends. */
interface EarlyLogs {
  id: string;
  body: Promise<LogBody | undefined>;
  /** Ends the request and drops what it read. */
  drop(): void;
}

/**
 * A container's log is usually read again and again by the same name. Without
 * container name lists (which resolve every reference in the policy engine
 * first), an unfollowed read is sent on the full ID the name resolved to last
 * time, alongside the inspect that resolves it now, and its body is read as
 * it comes: the engine's answer and the inspect overlap instead of following
 * each other (docs/performance.md). The bytes stay in this call until
 * {@link earlyAnswer} keeps them, only when the inspect names that same ID.
 */
function earlyLogs(
  ctx: HandlerContext,
  ref: string,
  query: LogQuery,
  follow: LogFollow | undefined,
): EarlyLogs | undefined {
  if (follow || ctx.policy.filtersContainers) return undefined;
  const id = recentIds(ctx.engine.endpoint).guess(ref);
  if (id === undefined) return undefined;
  const dropped = new AbortController();
  const signal = AbortSignal.any([ctx.signal, dropped.signal]);
  const body = startLogRead({ ...ctx, signal }, id, query);
  body.catch(() => {}); // read or dropped below; never an unhandled rejection
  return { id, body, drop: () => dropped.abort() };
}

/**
 * The early read when the inspect resolved `ref` to the ID it was sent on
 * (read again if it failed, as if sent now); otherwise it is dropped and
 * undefined answered, so the logs are asked for on the inspected ID.
 */
function earlyAnswer(
  ctx: HandlerContext,
  ref: string,
  id: string,
  query: LogQuery,
  early: EarlyLogs | undefined,
): Promise<LogBody | undefined> | undefined {
  recentIds(ctx.engine.endpoint).note(ref, id);
  if (early?.id === id) return early.body.catch(() => startLogRead(ctx, id, query));
  early?.drop();
  return undefined;
}

/** Time kept after following for the answer. */
const FOLLOW_MARGIN_MS = 2_000;
/** Progress notifications while following, at most one per this many ms. */
const PROGRESS_EVERY_MS = 250;

/**
 * `follow: true`: how long to follow (`follow_seconds`, capped by the read
 * deadline, which the answer then says), and progress as output arrives.
 */
function followOf(ctx: HandlerContext): (LogFollow & { note: string }) | undefined {
  if (ctx.args.follow !== true) return undefined;
  const asked = (ctx.args.follow_seconds as number) * 1000;
  const room = ctx.deadlineMs === undefined ? asked : ctx.deadlineMs - FOLLOW_MARGIN_MS;
  const ms = Math.max(1000, Math.min(asked, room));
  let lines = 0;
  let said = 0;
  return {
    ms,
    note: ms < asked ? ` (capped by the read timeout)` : "",
    onChunk: (chunk) => {
      for (const byte of chunk.data) if (byte === 10) lines++;
      const now = performance.now();
      if (now - said < PROGRESS_EVERY_MS) return;
      said = now;
      ctx.progress({ progress: lines, message: `${lines} lines so far` });
    },
  };
}
