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
 * next tick (up to 1 s), so the default costs about 1–2 s like the CLI, and
 * `cpu_sample_ms: 0` about half that. Engines that read one-shot stats
 * directly answer in milliseconds plus the gap.
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
  type StatsRow,
  statsRow,
  statsTable,
} from "./_stats.ts";
import { bareName, containerPath, inspectVisibleContainer } from "./_visible_container.ts";
import type { Handler, HandlerContext } from "./types.ts";

/** The default gap between the two CPU samples. */
export const DEFAULT_CPU_SAMPLE_MS = 500;

interface Target {
  id: string;
  name: string;
  running: boolean;
  startedAt?: string;
}

/**
 * One sample. The engine answers an empty body when the container stops
 * while it waits for a sample: that reads as zeros, like a stopped container.
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
  const first = await oneShot(ctx, target.id);
  if (!target.running) return statsRow(first, 0, target);
  if (sampleMs > 0) {
    await sleep(sampleMs, ctx.signal);
    const second = await oneShot(ctx, target.id);
    return statsRow(second, cpuPercent(second.cpu_stats, first.cpu_stats), target);
  }
  const startedAt = target.startedAt ??
    (await inspectVisibleContainer(ctx, target.id)).State?.StartedAt;
  return statsRow(first, cpuPercentSinceStart(first.cpu_stats, startedAt, first.read), target);
}

interface ListedContainer {
  Id: string;
  Names?: string[];
  State?: string;
}

/** Every visible running container, measured concurrently. */
async function measureAll(ctx: HandlerContext, sampleMs: number): Promise<StatsRow[]> {
  const listed = await ctx.engine.json<ListedContainer[]>({
    method: "GET",
    path: "/containers/json",
    signal: ctx.signal,
  }) ?? [];
  const targets = listed
    .map((c) => ({ id: c.Id, name: bareName(c.Names?.[0]), running: c.State === "running" }))
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
    const info = await inspectVisibleContainer(ctx, id);
    const row = await measure(ctx, {
      id: info.Id,
      name: bareName(info.Name),
      running: info.State?.Running === true && info.State?.Paused !== true,
      startedAt: info.State?.StartedAt,
    }, sampleMs);
    const state = info.State?.Status && info.State.Status !== "running"
      ? `\n(the container is ${info.State.Status}: CPU is 0)`
      : "";
    return { structured: { ...row, stats: [row], count: 1 }, text: statsTable([row]) + state };
  }
  const rows = await measureAll(ctx, sampleMs);
  return {
    structured: { stats: rows, count: rows.length },
    text: rows.length
      ? `${rows.length} running containers\n${statsTable(rows)}`
      : "No running containers",
  };
};
