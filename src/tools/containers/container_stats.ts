/**
 * `docker_container_stats`: one resource snapshot of a container, or of every
 * running container at once (all sampled concurrently, never one by one).
 *
 * CPU % needs two samples: the engine's stats collector ticks every second,
 * and each frame of a stats stream (`stream=true`) carries the previous
 * tick's CPU counters in `precpu_stats`. By default berth reads that pair
 * from a stream it keeps open while the container is watched (the engine
 * client's stats streams, src/engine/stats_streams.ts): the first look at a
 * container waits for the pair (the engine's one-second floor, 1–2 s like
 * `docker stats --no-stream`), a repeated look answers from the latest frame
 * at once. All running containers are looked at together, up to the number
 * of streams kept open (128); any beyond are sampled as below.
 *
 * `cpu_sample_ms` N > 0 takes two `stream=false&one-shot=true` samples N ms
 * apart instead and applies the CLI's formula to them (each one-shot still
 * waits for the collector's next tick on Docker 20.10); `cpu_sample_ms: 0`
 * takes one and reports CPU % averaged since the container started.
 *
 * A container that is not running is not sampled: `running: false`, its
 * `status`, null usage figures and its configured memory limit (null when it
 * has none). A running container without a limit reports the host's memory
 * as its limit, as the engine and `docker stats` do, with `memory_limited:
 * false` and a footnote in the text.
 *
 * Output: `{stats: [...], count}` always; for one container its fields are
 * also at the top level (the catalogue's "one object"), so one outputSchema
 * fits both forms.
 *
 * @module
 */

import { containers, system } from "../../engine/ops/mod.ts";
import { MAX_STATS_STREAMS } from "../../engine/stats_streams.ts";
import { isBerthError } from "../../errors/mod.ts";
import { sleep } from "../../guard/retry.ts";
import {
  cpuPercent,
  cpuPercentSinceStart,
  type EngineStats,
  notRunningRow,
  type StatsIdentity,
  type StatsRow,
  statsRow,
  statsTable,
} from "../../docker/stats.ts";
import {
  bareName,
  type ContainerInspect,
  inspectVisibleContainer,
} from "../../docker/visible_container.ts";
import type { Handler, HandlerContext, Shaped } from "../../interpreter/contract.ts";
import { checkSamples, sampleRounds, summarize, summaryText } from "./_stats_stream.ts";

/** The gap between two one-shot samples for containers beyond the kept-open streams. */
export const DEFAULT_CPU_SAMPLE_MS = 500;

interface Target extends Omit<StatsIdentity, "memoryLimited"> {
  startedAt?: string;
  /** `HostConfig.Memory` in bytes, 0 for none; known for one container only. */
  configuredLimit?: number;
  /** The host's memory in bytes (`/info`), for listed containers, whose limit is not known. */
  hostMemory?: number;
}

/** Whether there is something to sample: not for exited, created, restarting or dead. */
function sampled(target: Target): boolean {
  return target.status === "running" || target.status === "paused";
}

const MB = 1024 * 1024;

/**
 * Whether a sampled container has a memory limit of its own: its inspect
 * says so; without one, the engine reports the host's memory as the limit of
 * a container that has none, so a limit below the host's total (by more than
 * 1 MB) is the container's own.
 */
function memoryLimited(target: Target, sample: EngineStats): boolean {
  if (target.configuredLimit !== undefined) return target.configuredLimit > 0;
  const hostMemory = target.hostMemory ?? 0;
  return hostMemory > 0 ? (sample.memory_stats?.limit ?? 0) < hostMemory - MB : true;
}

/**
 * One sample. The engine answers an empty body when the container stops
 * while it waits for a sample: that reads as zeros.
 */
async function oneShot(ctx: HandlerContext, id: string): Promise<EngineStats> {
  return (await ctx.engine.json<EngineStats | undefined>(containers.stats(
    id,
    { stream: false, "one-shot": true },
    { signal: ctx.signal, errors: { 404: "container_not_found" } },
  ))) ?? {};
}

/** A row from one sample and its CPU figure. */
function rowOf(target: Target, sample: EngineStats, cpu: number): StatsRow {
  return statsRow(sample, cpu, { ...target, memoryLimited: memoryLimited(target, sample) });
}

/**
 * The row of a watched container, from the latest frame of its kept-open
 * stream; null when it stopped before a frame came.
 */
async function watched(ctx: HandlerContext, target: Target): Promise<StatsRow | null> {
  const frame = await ctx.engine.statsSample({ id: target.id, signal: ctx.signal }) as
    | EngineStats
    | undefined;
  if (!frame) return null;
  // A paused container holds its memory but uses no CPU.
  const cpu = target.status === "paused" ? 0 : cpuPercent(frame.cpu_stats, frame.precpu_stats);
  return rowOf(target, frame, cpu);
}

/** Takes one-shot samples of one container, `sampleMs` apart, and computes its row. */
async function sampledRow(
  ctx: HandlerContext,
  target: Target,
  sampleMs: number,
): Promise<StatsRow> {
  const first = await oneShot(ctx, target.id);
  if (target.status === "paused") return rowOf(target, first, 0);
  if (sampleMs > 0) {
    await sleep(sampleMs, ctx.signal);
    const second = await oneShot(ctx, target.id);
    return rowOf(target, second, cpuPercent(second.cpu_stats, first.cpu_stats));
  }
  const startedAt = target.startedAt ??
    (await inspectVisibleContainer(ctx, target.id)).State?.StartedAt;
  return rowOf(target, first, cpuPercentSinceStart(first.cpu_stats, startedAt, first.read));
}

/**
 * One container's row: from its stream when `sampleMs` is undefined, else
 * from one-shot samples. Null when it stopped while being looked at.
 */
function measure(
  ctx: HandlerContext,
  target: Target,
  sampleMs: number | undefined,
): Promise<StatsRow | null> {
  if (!sampled(target)) return Promise.resolve(notRunningRow(target, target.configuredLimit ?? 0));
  if (sampleMs === undefined) return watched(ctx, target);
  return sampledRow(ctx, target, sampleMs);
}

/**
 * What one container's inspect says: its state and its own memory limit.
 * (`State.Status` is running or paused exactly when `Running` is true and
 * `Restarting` is not.)
 */
function inspectedTarget(info: ContainerInspect): Target {
  const state = info.State ?? {};
  return {
    id: info.Id,
    name: bareName(info.Name),
    status: state.Status ?? "unknown",
    startedAt: state.StartedAt,
    configuredLimit: (info.HostConfig as { Memory?: number } | undefined)?.Memory ?? 0,
  };
}

/** One container's row, running or not. */
async function measureOne(
  ctx: HandlerContext,
  id: string,
  sampleMs: number | undefined,
): Promise<StatsRow> {
  let target = inspectedTarget(await inspectVisibleContainer(ctx, id));
  const row = await measure(ctx, target, sampleMs);
  if (row?.running) return row;
  ctx.engine.forgetStats(target.id);
  if (row) return row;
  // It stopped while being looked at: what is it now?
  target = inspectedTarget(await inspectVisibleContainer(ctx, target.id));
  return notRunningRow(target, target.configuredLimit ?? 0);
}

interface ListedContainer {
  Id: string;
  Names?: string[];
  State?: string;
}

/**
 * Every visible running container, measured concurrently. The list does not
 * carry memory limits: the host's memory (one `/info` call, made alongside
 * the list) tells a container's own limit from none (`memoryLimited`).
 * Beyond the streams kept open, containers get one-shot samples.
 */
async function measureAll(
  ctx: HandlerContext,
  sampleMs: number | undefined,
): Promise<StatsRow[]> {
  const [listed, info] = await Promise.all([
    ctx.engine.json<ListedContainer[]>(containers.list({}, { signal: ctx.signal })),
    ctx.engine.json<{ MemTotal?: number }>(system.info({ signal: ctx.signal })),
  ]);
  const hostMemory = info?.MemTotal ?? 0;
  const targets = (listed ?? [])
    .map((c) => ({
      id: c.Id,
      name: bareName(c.Names?.[0]),
      status: c.State ?? "unknown",
      hostMemory,
    }))
    .filter((t) => ctx.policy.containerVisible(t.name));
  const rows = await Promise.all(
    targets.map((t, i) =>
      measure(ctx, t, sampleMs ?? (i < MAX_STATS_STREAMS ? undefined : DEFAULT_CPU_SAMPLE_MS))
        .catch((error) => {
          // Removed between the list and its stats: it is simply not running any more.
          if (isBerthError(error) && error.type === "container_not_found") return null;
          throw error;
        })
    ),
  );
  return rows.filter((r): r is StatsRow => r !== null);
}

/** Answers one container's snapshot, or every running container's. */
export const containerStats: Handler = async (ctx) => {
  const sampleMs = ctx.args.cpu_sample_ms as number | undefined;
  const id = ctx.args.container_id;
  if (ctx.args.stream === true) return await streamed(ctx, id, sampleMs);
  if (typeof id === "string") {
    const row = await measureOne(ctx, id, sampleMs);
    return { structured: { ...row, stats: [row], count: 1 }, text: statsTable([row]) };
  }
  const rows = await measureAll(ctx, sampleMs);
  return {
    structured: { stats: rows, count: rows.length },
    text: rows.length
      ? `${rows.length} running containers\n${statsTable(rows)}`
      : "No running containers",
  };
};

/**
 * `stream: true`: `samples` looks one engine tick apart (the kept-open stream
 * gives a new frame each second), with progress, answering the last look's
 * rows and min/avg/max per figure (src/tools/containers/_stats_stream.ts).
 */
async function streamed(
  ctx: HandlerContext,
  id: unknown,
  sampleMs: number | undefined,
): Promise<Shaped> {
  const samples = ctx.args.samples as number; // the manifest's default applies
  checkSamples(ctx, samples);
  const rounds = await sampleRounds(
    ctx,
    samples,
    async () =>
      typeof id === "string"
        ? [await measureOne(ctx, id, sampleMs)]
        : await measureAll(ctx, sampleMs),
  );
  const rows = rounds[rounds.length - 1];
  const summary = summarize(rounds);
  const one = typeof id === "string" ? { ...rows[0], summary: summary[0] ?? null } : {};
  return {
    structured: { ...one, stats: rows, count: rows.length, samples, summaries: summary },
    text: summary.length
      ? `${summaryText(summary, samples)}\nlast sample:\n${statsTable(rows)}`
      : statsTable(rows) || "No running containers",
  };
}
