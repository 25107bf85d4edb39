/**
 * `docker_service_logs`: the newest log lines of a service's tasks, bounded
 * like container logs.
 *
 * @module
 */

import { serviceLogs as logsRoute } from "../../docker/swarm/api.ts";
import { demultiplex, rawStream } from "../../engine/streams.ts";
import { invalidInput } from "../../errors/mod.ts";
import { counted, parseTime } from "../../guard/formats.ts";
import { compilePatternLoaded, openLineFilter } from "../../guard/pattern.ts";
import { MAX_LINE_LENGTH, MAX_LOG_BYTES, MAX_LOG_LINES } from "../containers/container_logs.ts";
import { collectLines } from "../../docker/log_window.ts";
import { opsOf, visibleService } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";

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
  const grep = typeof args.grep === "string"
    ? await compilePatternLoaded("grep", args.grep)
    : undefined;
  const service = await visibleService(ctx, args.service_id as string);
  const timestamps = args.timestamps === true;
  const response = await logsRoute(opsOf(ctx), service.ID, {
    stdout: true,
    stderr: true,
    tail: String(args.tail),
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
