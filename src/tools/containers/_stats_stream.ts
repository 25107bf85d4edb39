/**
 * `stream: true` of docker_container_stats: several samples at the engine's
 * pace (its stats collector ticks once a second), one progress notification
 * per sample, then min/avg/max of every figure per container.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { sleep } from "../../guard/retry.ts";
import type { StatsRow } from "../../docker/stats.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

/** The engine's stats tick: one new sample per second. */
export const STATS_TICK_MS = 1_000;
/** Time kept after the last sample for the answer. */
const MARGIN_MS = 2_000;

/** The figures a summary covers. */
const FIGURES = [
  "cpu_percent",
  "memory_usage_mb",
  "memory_percent",
  "network_rx_mb",
  "network_tx_mb",
  "block_io_read_mb",
  "block_io_write_mb",
  "pids",
] as const;

/** Min, average and max of one figure over the samples that had it. */
export interface Spread {
  min: number;
  avg: number;
  max: number;
}

/** One container's figures over the samples. */
export interface StatsSummary {
  container_id: string;
  name: string;
  samples: number;
  [figure: string]: Spread | string | number | null;
}

/** Refuses a number of samples the call's deadline cannot hold. */
export function checkSamples(ctx: HandlerContext, samples: number): void {
  const deadline = ctx.deadlineMs;
  if (deadline === undefined) return;
  const fits = Math.floor((deadline - MARGIN_MS) / STATS_TICK_MS);
  if (samples > fits) {
    throw invalidInput(
      "samples",
      `must be at most ${Math.max(fits, 1)}: one sample a second within the read timeout ` +
        `(${Math.round(deadline / 1000)} s)`,
      `Ask for ${Math.max(fits, 1)} samples or fewer`,
    );
  }
}

/**
 * Takes `samples` rounds of `measure` one engine tick apart, reporting each;
 * answers every round's rows.
 */
export async function sampleRounds(
  ctx: HandlerContext,
  samples: number,
  measure: () => Promise<StatsRow[]>,
): Promise<StatsRow[][]> {
  const rounds: StatsRow[][] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(STATS_TICK_MS, ctx.signal);
    const rows = await measure();
    rounds.push(rows);
    const cpu = rows.filter((r) => r.running).map((r) => `${r.name} ${r.cpu_percent ?? 0}%`);
    ctx.progress({
      progress: i + 1,
      total: samples,
      message: `sample ${i + 1}/${samples}${
        cpu.length ? `: CPU ${cpu.slice(0, 3).join(", ")}` : ""
      }`,
    });
  }
  return rounds;
}

/** Min/avg/max per figure and container, over the rounds in which it ran. */
export function summarize(rounds: StatsRow[][]): StatsSummary[] {
  const byId = new Map<string, StatsRow[]>();
  for (const rows of rounds) {
    for (const row of rows) {
      if (!row.running) continue;
      byId.set(row.container_id, [...(byId.get(row.container_id) ?? []), row]);
    }
  }
  return [...byId.values()].map((rows) => {
    const summary: StatsSummary = {
      container_id: rows[0].container_id,
      name: rows[0].name,
      samples: rows.length,
    };
    for (const figure of FIGURES) {
      const values = rows.map((r) => r[figure]).filter((v): v is number => typeof v === "number");
      summary[figure] = values.length
        ? {
          min: Math.min(...values),
          avg: Math.round(values.reduce((a, b) => a + b, 0) / values.length * 100) / 100,
          max: Math.max(...values),
        }
        : null;
    }
    return summary;
  });
}

/** The text of the summaries: one line per container. */
export function summaryText(summaries: StatsSummary[], samples: number): string {
  const spread = (s: StatsSummary, figure: string, unit: string) => {
    const v = s[figure] as Spread | null;
    return v ? `${v.min}/${v.avg}/${v.max}${unit}` : "-";
  };
  // "name — CPU …", not "name: CPU …": a container called app-secret would read as a secret
  // key, and redaction would hide the figure after it.
  const lines = summaries.map((s) =>
    `${s.name} — CPU ${spread(s, "cpu_percent", "%")}, memory ${
      spread(s, "memory_usage_mb", " MiB")
    }, PIDs ${spread(s, "pids", "")} (${s.samples} samples)`
  );
  return [`min/avg/max over ${samples} samples, one a second:`, ...lines].join("\n");
}
