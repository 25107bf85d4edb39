/**
 * `docker_events`: what happened on the engine in a bounded window. `until`
 * is always set (default now, never later than now), so the engine answers
 * from its event buffer and closes the stream instead of waiting for news.
 * The newest `limit` events are kept (default 50), oldest first; memory stays
 * at that many.
 *
 * Two things make a raw event list mislead, and both are dealt with here:
 * - Health checks run as execs, so a container with a 5 s interval adds three
 *   events (exec_create, exec_start, exec_die) every 5 s. They are left out
 *   unless `include_health_checks` is true (see src/docker/health_execs.ts).
 * - Docker keeps only its last 256 events in memory, whatever `since` says.
 *   When the engine hands back a full buffer, what precedes its oldest event
 *   is gone: the result says from when events are really available.
 *
 * @module
 */

import { ndjson } from "../../engine/streams.ts";
import { invalidInput } from "../../errors/mod.ts";
import { counted, parseTime } from "../../guard/formats.ts";
import { encodeFilters, system } from "../../engine/ops/mod.ts";
import { type EngineEvent, HealthExecs } from "../../docker/health_execs.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

/** Past events Docker keeps in memory (moby's `eventsLimit`); older ones are gone. */
export const ENGINE_EVENT_BUFFER = 256;
/** Longest action shown in the text (exec actions carry the whole command). */
const ACTION_CHARS = 100;

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

function eventMs(e: EngineEvent): number {
  return e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000;
}

/** Who an event is about: its name, else its short ID. */
function actorOf(e: EngineEvent): string {
  return e.Actor?.Attributes?.name ?? (e.Actor?.ID ?? "").replace(/^sha256:/, "").slice(0, 12);
}

function toRow(e: EngineEvent): EventRow {
  const attributes = e.Actor?.Attributes ?? {};
  const exit = attributes.exitCode !== undefined ? Number(attributes.exitCode) : NaN;
  const row: EventRow = {
    time: new Date(eventMs(e)).toISOString(),
    type: e.Type ?? "",
    action: e.Action ?? "",
    actor: actorOf(e),
    actor_id: e.Actor?.ID ?? "",
  };
  if (e.Type === "container" && attributes.image) row.image = attributes.image;
  if (Number.isFinite(exit)) row.exit_code = exit;
  return row;
}

function seconds(field: string, value: unknown, fallback?: number): number {
  const parsed = parseTime((value ?? fallback) as string | number);
  if (parsed === undefined) {
    throw invalidInput(field, "must be RFC 3339, unix seconds, or relative like 15m or 2h");
  }
  return parsed;
}

/**
 * What the engine's buffer held for the window: how many events, and the time
 * of the oldest one the caller may see (a hidden container's event never lends
 * its time).
 */
interface BufferSeen {
  count: number;
  firstMs?: number;
}

function visible(ctx: HandlerContext, event: EngineEvent): boolean {
  return event.Type !== "container" || ctx.policy.containerVisible(actorOf(event));
}

/**
 * Podman's Docker-compatible `/events` answers nothing when `until` is not
 * in the future (it stops before reading its event log): it is asked up to
 * a second past the moment the request leaves, and what falls after `until`
 * is dropped here.
 */
const PODMAN_UNTIL_SLACK_S = 1;

async function openEvents(ctx: HandlerContext, since: number, until: number, filters?: string) {
  // Podman's `until` must still be ahead when the request arrives, not when the call began.
  const sent = (await ctx.engineKind?.()) === "podman"
    ? Math.max(until, Date.now() / 1000) + PODMAN_UNTIL_SLACK_S
    : until;
  return await ctx.engine.request(
    system.events({ since: since.toFixed(9), until: sent.toFixed(9), filters }, {
      signal: ctx.signal,
    }),
  );
}

/** False for an event after the window (only Podman's, asked with slack, has any). */
function inWindow(event: EngineEvent, until: number): boolean {
  return eventMs(event) <= until * 1000;
}

/** The unfiltered window, counted only: engine filters hide how full the buffer is. */
async function bufferSeen(ctx: HandlerContext, since: number, until: number): Promise<BufferSeen> {
  const response = await openEvents(ctx, since, until);
  const seen: BufferSeen = { count: 0 };
  for await (const event of ndjson<EngineEvent>(response.body!)) {
    if (!inWindow(event, until)) continue;
    seen.count++;
    if (seen.firstMs === undefined && visible(ctx, event)) seen.firstMs = eventMs(event);
  }
  return seen;
}

/**
 * The time from which the engine still holds every event of the window, when
 * its buffer was full and began after `since`; undefined when nothing is lost.
 */
export function availableSince(seen: BufferSeen, sinceMs: number): string | undefined {
  if (seen.count < ENGINE_EVENT_BUFFER || seen.firstMs === undefined) return undefined;
  return seen.firstMs > sinceMs ? new Date(seen.firstMs).toISOString() : undefined;
}

interface Collected {
  kept: EventRow[];
  total: number;
  health: number;
  seen: BufferSeen;
}

/** Reads the window, leaving out hidden containers and (unless asked) health checks. */
async function collect(
  ctx: HandlerContext,
  window: { since: number; until: number; filters?: string },
  limit: number,
): Promise<Collected> {
  const response = await openEvents(ctx, window.since, window.until, window.filters);
  const health = ctx.args.include_health_checks === true ? undefined : new HealthExecs(ctx);
  const out: Collected = { kept: [], total: 0, health: 0, seen: { count: 0 } };
  for await (const event of ndjson<EngineEvent>(response.body!)) {
    if (!inWindow(event, window.until)) continue;
    out.seen.count++;
    if (!visible(ctx, event)) continue;
    out.seen.firstMs ??= eventMs(event);
    if (health && await health.isHealthCheck(event)) {
      out.health++;
      continue;
    }
    out.total++;
    out.kept.push(toRow(event));
    if (out.kept.length > limit) out.kept.shift();
  }
  // The engine sends events as it published them, a few ms out of time order at times.
  out.kept.sort((a, b) => a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
  return out;
}

function eventLine(e: EventRow, sameDay: boolean): string {
  const time = sameDay ? e.time.slice(11, 19) : `${e.time.slice(0, 19)}Z`;
  const full = e.action.trimEnd();
  const action = full.length > ACTION_CHARS ? `${full.slice(0, ACTION_CHARS)}…` : full;
  return `${time} ${e.type} ${action} ${e.actor}${
    e.exit_code !== undefined ? ` exit=${e.exit_code}` : ""
  }`;
}

function summary(c: Collected, window: string, limit: number, available?: string): string[] {
  const { kept, total } = c;
  const day = kept[0]?.time.slice(0, 10);
  const sameDay = kept.length > 0 && kept.every((e) => e.time.startsWith(day));
  const head = kept.length
    ? `${counted(kept.length, "events")}, oldest first${sameDay ? ` (times UTC on ${day})` : ""}${
      total > kept.length
        ? `; the newest ${limit} of ${total} (pass limit, or narrow since/until or filters)`
        : ""
    }; window ${window}`
    : `No events; window ${window}`;
  const notes = [];
  if (c.health) {
    notes.push(
      `${counted(c.health, "health-check exec events")} left out ` +
        "(include_health_checks: true shows them)",
    );
  }
  if (available) {
    notes.push(
      `The engine keeps only its last ${ENGINE_EVENT_BUFFER} events: nothing before ` +
        `${available} can be seen, whatever since says`,
    );
  }
  return [head, ...notes, ...kept.map((e) => eventLine(e, sameDay))];
}

/** Reads the events of a window, newest `limit` kept. */
export const events: Handler = async (ctx) => {
  const { args } = ctx;
  const now = Date.now() / 1000;
  const until = Math.min(seconds("until", args.until, now), now);
  const since = seconds("since", args.since); // the manifest's default applies
  if (since > until) throw invalidInput("since", "must be before 'until' (and not in the future)");
  const limit = args.limit as number; // the manifest's default applies
  const filters = encodeFilters(args.filters as Record<string, unknown> | undefined);

  const [collected, unfiltered] = await Promise.all([
    collect(ctx, { since, until, filters }, limit),
    filters ? bufferSeen(ctx, since, until) : undefined,
  ]);
  const available = availableSince(unfiltered ?? collected.seen, since * 1000);
  const window = `${new Date(since * 1000).toISOString()} .. ${
    new Date(until * 1000).toISOString()
  }`;
  return {
    structured: {
      events: collected.kept,
      count: collected.kept.length,
      truncated: collected.total > collected.kept.length,
      since: new Date(since * 1000).toISOString(),
      until: new Date(until * 1000).toISOString(),
      available_since: available ?? null,
      health_checks_left_out: collected.health,
    },
    text: summary(collected, window, limit, available).join("\n"),
  };
};
