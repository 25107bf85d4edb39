/**
 * `docker_container_stats`: one resource snapshot of a container, or of every
 * running container at once (all sampled concurrently, never one by one).
 *
 * Samples use `stream=false&one-shot=true`, so the engine does not prime a
 * second sample itself and `precpu_stats` comes back empty. The docker CLI
 * (`docker stats --no-stream`) asks without one-shot and the engine waits for
 * two ticks of its 1 s stats collector to fill `precpu_stats`. berth takes its
 * own second one-shot sample at least `cpu_sample_ms` later (default 500) and
 * applies the CLI's formula to the pair; `cpu_sample_ms: 0` takes one sample
 * and reports CPU % averaged since the container started.
 *
 * Measured on Docker 20.10: a one-shot sample still waits for the collector's
 * next tick, and the collector ticks every second whatever is asked of it, so
 * the default costs 1–2 s like the CLI (one second for the second tick, plus
 * however long the first sample waits: a call made just after a tick, such
 * as one right after another stats call, waits almost a full second for it),
 * for one container or for all alike; `cpu_sample_ms: 0` costs the first wait
 * only. Engines that read one-shot stats directly answer in milliseconds plus
 * the gap.
 *
 * Every container is sampled at once, but the engine client lets only
 * MAX_IN_FLIGHT (16) requests wait on the engine together (src/guard/limiter.ts
 * says why: past about two dozen, Deno's unix-socket fetch stalls all other
 * I/O). Each sample holds its slot until the collector's tick, so all
 * containers cost one tick per 16 running ones (measured: 14 running ~0.7 s,
 * 22 running ~1.7 s); never hanging is worth that second.
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
} from "./_stats.ts";
import {
  bareName,
  type ContainerInspect,
  containerPath,
  inspectVisibleContainer,
} from "./_visible_container.ts";
import type { Handler, HandlerContext } from "./types.ts";

/** The default gap between the two CPU samples. */
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
  return (await ctx.engine.json<EngineStats | undefined>({
    method: "GET",
    path: containerPath(id, "stats"),
    query: { stream: false, "one-shot": true },
    signal: ctx.signal,
    errors: { 404: "container_not_found" },
  })) ?? {};
}

/** Takes the samples of one container and computes its row. */
async function measure(ctx: HandlerContext, target: Target, sampleMs: number): Promise<StatsRow> {
  if (!sampled(target)) return notRunningRow(target, target.configuredLimit ?? 0);
  const row = (sample: EngineStats, cpu: number) =>
    statsRow(sample, cpu, { ...target, memoryLimited: memoryLimited(target, sample) });
  const first = await oneShot(ctx, target.id);
  // A paused container holds its memory but uses no CPU.
  if (target.status === "paused") return row(first, 0);
  if (sampleMs > 0) {
    await sleep(sampleMs, ctx.signal);
    const second = await oneShot(ctx, target.id);
    return row(second, cpuPercent(second.cpu_stats, first.cpu_stats));
  }
  const startedAt = target.startedAt ??
    (await inspectVisibleContainer(ctx, target.id)).State?.StartedAt;
  return row(first, cpuPercentSinceStart(first.cpu_stats, startedAt, first.read));
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

interface ListedContainer {
  Id: string;
  Names?: string[];
  State?: string;
}

/**
 * Every visible running container, measured concurrently. The list does not
 * carry memory limits: the host's memory (one `/info` call, made alongside
 * the list) tells a container's own limit from none (`memoryLimited`).
 */
async function measureAll(ctx: HandlerContext, sampleMs: number): Promise<StatsRow[]> {
  const [listed, info] = await Promise.all([
    ctx.engine.json<ListedContainer[]>({
      method: "GET",
      path: "/containers/json",
      signal: ctx.signal,
    }),
    ctx.engine.json<{ MemTotal?: number }>({ method: "GET", path: "/info", signal: ctx.signal }),
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
    targets.map((t) =>
      measure(ctx, t, sampleMs).catch((error) => {
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
  const sampleMs = (ctx.args.cpu_sample_ms as number | undefined) ?? DEFAULT_CPU_SAMPLE_MS;
  const id = ctx.args.container_id;
  if (typeof id === "string") {
    const row = await measure(
      ctx,
      inspectedTarget(await inspectVisibleContainer(ctx, id)),
      sampleMs,
    );
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
