/**
 * `docker_events`: what happened on the engine in a bounded window. `until`
 * is always set (default now, never later than now), so the engine answers
 * from its event buffer and closes the stream instead of waiting for news.
 * The newest `limit` events are kept; memory stays at that many.
 *
 * @module
 */

import { ndjson } from "../../engine/streams.ts";
import { invalidInput } from "../../errors/mod.ts";
import { parseTime } from "../formats.ts";
import { encodeFilters } from "../plan.ts";
import { counted } from "../result.ts";
import type { Handler } from "./types.ts";

/** Default and largest number of events returned. */
export const DEFAULT_EVENT_LIMIT = 500;
/** Default window when `since` is not given. */
export const DEFAULT_SINCE = "1h";

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> | null };
  time?: number;
  timeNano?: number;
}

/** One event as returned. */
export interface EventRow {
  time: string;
  type: string;
  action: string;
  actor: string;
  actor_id: string;
  /** Container events: the image. */
  image?: string;
  /** `die` events: the exit code. */
  exit_code?: number;
}

function toRow(e: EngineEvent): EventRow {
  const attributes = e.Actor?.Attributes ?? {};
  const id = e.Actor?.ID ?? "";
  const ms = e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000;
  const exit = attributes.exitCode !== undefined ? Number(attributes.exitCode) : NaN;
  const row: EventRow = {
    time: new Date(ms).toISOString(),
    type: e.Type ?? "",
    action: e.Action ?? "",
    actor: attributes.name ?? id.replace(/^sha256:/, "").slice(0, 12),
    actor_id: id,
  };
  if (e.Type === "container" && attributes.image) row.image = attributes.image;
  if (Number.isFinite(exit)) row.exit_code = exit;
  return row;
}

function seconds(field: string, value: unknown, fallback: string | number): number {
  const parsed = parseTime((value ?? fallback) as string | number);
  if (parsed === undefined) {
    throw invalidInput(field, "must be RFC 3339, unix seconds, or relative like 15m or 2h");
  }
  return parsed;
}

/** Reads the events of a window, newest `limit` kept. */
export const events: Handler = async (ctx) => {
  const { args, engine, signal, policy } = ctx;
  const now = Date.now() / 1000;
  const until = Math.min(seconds("until", args.until, now), now);
  const since = seconds("since", args.since, DEFAULT_SINCE);
  if (since > until) throw invalidInput("since", "must be before 'until' (and not in the future)");
  const limit = (args.limit as number | undefined) ?? DEFAULT_EVENT_LIMIT;

  const response = await engine.request({
    method: "GET",
    path: "/events",
    query: {
      since: since.toFixed(9),
      until: until.toFixed(9),
      filters: encodeFilters(args.filters as Record<string, unknown> | undefined),
    },
    signal,
  });
  const kept: EventRow[] = [];
  let total = 0;
  for await (const event of ndjson<EngineEvent>(response.body!)) {
    const row = toRow(event);
    if (row.type === "container" && !policy.containerVisible(row.actor)) continue;
    total++;
    kept.push(row);
    if (kept.length > limit) kept.shift();
  }
  const truncated = total > kept.length;
  const window = `${new Date(since * 1000).toISOString()} .. ${
    new Date(until * 1000).toISOString()
  }`;
  const head = kept.length
    ? `${counted(kept.length, "events")}${
      truncated ? ` (the newest of ${total}; narrow since/until or filters)` : ""
    }, ${window}`
    : `No events, ${window}`;
  const lines = kept.map((e) =>
    `${e.time.slice(0, 19)}Z ${e.type} ${e.action} ${e.actor}${
      e.exit_code !== undefined ? ` exit=${e.exit_code}` : ""
    }`
  );
  return {
    structured: {
      events: kept,
      count: kept.length,
      truncated,
      since: new Date(since * 1000).toISOString(),
      until: new Date(until * 1000).toISOString(),
    },
    text: [head, ...lines].join("\n"),
  };
};
