/**
 * Evidence for a diagnosis: what the engine knows about one container (state,
 * exit code, OOM flag, restarts, health probes, memory limit against use,
 * recent logs and events), gathered once and shared by the rules, the AI
 * synthesis and the `troubleshoot_container` prompt.
 *
 * Every engine read goes through the container's full ID after the policy saw
 * its canonical name. Reads after the inspect are best effort: a failed stats
 * or events call leaves a gap (named in `gaps`) instead of failing the call.
 *
 * @module
 */

import { containers, system } from "../../engine/ops/mod.ts";
import { ndjson } from "../../engine/streams.ts";
import { isBerthError } from "../../errors/mod.ts";
import { readContainerLogs } from "../log_window.ts";
import { type EngineStats, memoryUsage } from "../stats.ts";
import { bareName, type ContainerInspect, inspectVisibleContainer } from "../visible_container.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";
import { redactLine } from "./data.ts";

/** Log lines read for a diagnosis (the newest ones). */
export const EVIDENCE_LOG_LINES = 200;
/** Events read at most before the rest of the stream is dropped. */
const MAX_EVENTS_SCANNED = 1000;
/** Events kept (the newest ones). */
const EVENTS_KEPT = 20;
/** How far back events are read (the engine keeps only recent ones in memory anyway). */
const EVENTS_WINDOW_S = 24 * 3600;
/** Container events worth reading; exec events of health probes would drown them. */
const EVENT_ACTIONS = [
  "create",
  "start",
  "restart",
  "die",
  "oom",
  "kill",
  "stop",
  "pause",
  "unpause",
  "health_status",
];

/** One health probe result. */
export interface Probe {
  exit_code: number | null;
  output: string;
  end: string | null;
}

/** The container's health check, when it has one. */
export interface HealthEvidence {
  status: string;
  failing_streak: number;
  /** The newest probes last. Outputs are redacted and cut. */
  probes: Probe[];
  /** The probe command, as configured. */
  test: string | null;
}

/** Memory limit and (for a running container) use. */
export interface MemoryEvidence {
  /** Bytes; 0 means no limit. */
  limit: number;
  /** Bytes in use without page cache, from one stats sample. */
  usage: number | null;
}

/** One container event. */
export interface EventEvidence {
  time: string;
  action: string;
  exit_code: number | null;
  /** The signal of a `kill` event ("9", "15"); null or absent for the others. */
  signal?: string | null;
}

/** Everything the rules look at. */
export interface Evidence {
  id: string;
  name: string;
  image: string;
  status: string;
  running: boolean;
  restarting: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  restartCount: number;
  /** The engine's error for the last start (State.Error), e.g. an OCI runtime failure. */
  stateError: string;
  startedAt: string | null;
  finishedAt: string | null;
  restartPolicy: string;
  /** Entrypoint and command, joined. */
  command: string;
  health: HealthEvidence | null;
  memory: MemoryEvidence;
  /** Redacted, oldest first. */
  logs: string[];
  logsTruncated: boolean;
  events: EventEvidence[];
  /** Parts that could not be read, with the reason. */
  gaps: string[];
  /** The raw inspect, for prompts that show the configuration. */
  inspect: ContainerInspect;
}

interface HostConfig {
  Memory?: number;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
}

type Ctx = Pick<HandlerContext, "engine" | "policy" | "signal">;

/** Gathers the evidence for one container (DKR-002 when missing or hidden). */
export async function gatherEvidence(ctx: Ctx, containerId: string): Promise<Evidence> {
  const info = await inspectVisibleContainer(ctx, containerId);
  const state = info.State ?? {};
  const gaps: string[] = [];
  const [logs, usage, events] = await Promise.all([
    bestEffort(ctx, "logs", gaps, () => readLogs(ctx, info)),
    state.Running ? bestEffort(ctx, "stats", gaps, () => readMemoryUsage(ctx, info.Id)) : null,
    bestEffort(ctx, "events", gaps, () => readEvents(ctx, info.Id)),
  ]);
  const host = (info.HostConfig ?? {}) as HostConfig;
  const policy = host.RestartPolicy?.Name || "no";
  return {
    id: info.Id,
    name: bareName(info.Name),
    image: info.Config?.Image ?? info.Image ?? "",
    status: state.Status ?? "unknown",
    running: state.Running === true,
    restarting: state.Restarting === true,
    exitCode: exitCodeOf(state),
    oomKilled: state.OOMKilled === true,
    restartCount: info.RestartCount ?? 0,
    stateError: redactLine(state.Error ?? ""),
    startedAt: usefulTime(state.StartedAt),
    finishedAt: usefulTime(state.FinishedAt),
    restartPolicy: policy === "on-failure" && host.RestartPolicy?.MaximumRetryCount
      ? `on-failure:${host.RestartPolicy.MaximumRetryCount}`
      : policy,
    command: redactLine(
      [...(info.Config?.Entrypoint ?? []), ...(info.Config?.Cmd ?? [])].join(" "),
    ),
    health: healthOf(info),
    memory: { limit: host.Memory ?? 0, usage: usage ?? null },
    logs: logs?.lines ?? [],
    logsTruncated: logs?.truncated ?? false,
    events: events ?? [],
    gaps,
    inspect: info,
  };
}

/**
 * The exit code, or null when there is none to speak of: the engine says 0
 * for a container still running (not restarting) and for one never started.
 */
function exitCodeOf(state: NonNullable<ContainerInspect["State"]>): number | null {
  if (typeof state.ExitCode !== "number") return null;
  if (state.Running === true && state.Restarting !== true) return null;
  if (state.Status === "created" && state.ExitCode === 0) return null;
  return state.ExitCode;
}

/** Runs one optional read; a failure becomes a gap unless the call itself is over. */
export async function bestEffort<T>(
  ctx: Pick<HandlerContext, "signal">,
  what: string,
  gaps: string[],
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
    gaps.push(`${what}: ${isBerthError(error) ? error.message : String(error)}`);
    return undefined;
  }
}

/** The engine writes "0001-01-01T00:00:00Z" for "never". */
function usefulTime(value: string | undefined): string | null {
  return value && !value.startsWith("0001-") ? value : null;
}

function healthOf(info: ContainerInspect): HealthEvidence | null {
  const health = info.State?.Health as
    | {
      Status?: string;
      FailingStreak?: number;
      Log?: { ExitCode?: number; Output?: string; End?: string }[];
    }
    | undefined;
  if (!health?.Status) return null;
  const test = (info.Config as { Healthcheck?: { Test?: string[] } } | undefined)?.Healthcheck
    ?.Test;
  return {
    status: health.Status,
    failing_streak: health.FailingStreak ?? 0,
    probes: (health.Log ?? []).slice(-3).map((p) => ({
      exit_code: typeof p.ExitCode === "number" ? p.ExitCode : null,
      output: redactLine((p.Output ?? "").trim()).slice(0, 500),
      end: p.End ?? null,
    })),
    test: test?.length ? redactLine(probeCommand(test)) : null,
  };
}

/** `["CMD-SHELL", "curl -f …"]` → `curl -f …`; `["CMD", "a", "b"]` → `a b`. */
function probeCommand(test: string[]): string {
  const [kind, ...rest] = test;
  return kind === "CMD-SHELL" || kind === "CMD" ? rest.join(" ") : test.join(" ");
}

async function readLogs(ctx: Ctx, info: ContainerInspect) {
  const window = await readContainerLogs(ctx, info, { tail: EVIDENCE_LOG_LINES }, {
    maxBytes: 64 * 1024,
    maxLines: EVIDENCE_LOG_LINES,
    maxLineLength: 1000,
  });
  return { lines: window.lines.map(redactLine), truncated: window.truncated };
}

async function readMemoryUsage(ctx: Ctx, id: string): Promise<number | null> {
  const sample = await ctx.engine.json<EngineStats>(containers.stats(
    id,
    { stream: false, "one-shot": true },
    { signal: ctx.signal, errors: { 404: "container_not_found" } },
  ));
  return sample?.memory_stats?.usage === undefined ? null : memoryUsage(sample.memory_stats);
}

interface EngineEvent {
  Action?: string;
  time?: number;
  timeNano?: number;
  Actor?: { Attributes?: Record<string, string> };
}

/** The container's recent events: bounded by `until` (the engine then ends the stream) and a count. */
async function readEvents(ctx: Ctx, id: string): Promise<EventEvidence[]> {
  // Fractional seconds: a whole-second `until` leaves out this second's events,
  // such as the `die` of a container that exited just before the diagnosis.
  const now = Date.now() / 1000;
  const response = await ctx.engine.request(system.events({
    since: (now - EVENTS_WINDOW_S).toFixed(9),
    until: now.toFixed(9),
    filters: JSON.stringify({ type: ["container"], container: [id], event: EVENT_ACTIONS }),
  }, { signal: ctx.signal }));
  if (!response.body) return [];
  const kept: EventEvidence[] = [];
  let scanned = 0;
  for await (const event of ndjson<EngineEvent>(response.body, 64 * 1024)) {
    const code = event.Actor?.Attributes?.exitCode;
    kept.push({
      time: new Date(event.timeNano ? event.timeNano / 1e6 : (event.time ?? 0) * 1000)
        .toISOString(),
      action: event.Action ?? "",
      exit_code: code === undefined ? null : Number(code),
      signal: event.Actor?.Attributes?.signal ?? null,
    });
    if (kept.length > EVENTS_KEPT) kept.shift();
    if (++scanned >= MAX_EVENTS_SCANNED) break;
  }
  return kept;
}
