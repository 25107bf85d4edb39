/**
 * What the prune tools share: filters checked against the keys each engine
 * route accepts, byte counts in MiB, and volume pruning that keeps the
 * catalogue's meaning (named volumes only with `all`) on every API version.
 *
 * @module
 */

import { encodeFilters, type Operation, system, volumes } from "../engine/ops/mod.ts";
import { compareVersions } from "../engine/client.ts";
import { BerthError, invalidInput, isBerthError } from "../errors/mod.ts";
import { sleep } from "../guard/retry.ts";
import type { HandlerContext } from "../interpreter/contract.ts";

/** Engine filters: key → values. */
export type Filters = Record<string, string[]>;

/** Normalises `{key: v | [v…]}` and refuses keys the route does not know (DKR-004). */
export function pruneFilters(raw: unknown, allowed: string[]): Filters {
  const out: Filters = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (!allowed.includes(key)) {
      throw invalidInput(
        `filters.${key}`,
        "is not a filter of this tool",
        `Use ${allowed.join(", ")}`,
      );
    }
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => ["string", "number", "boolean"].includes(typeof v))) {
      throw invalidInput(`filters.${key}`, "must be a string or a list of strings");
    }
    out[key] = values.map(String);
  }
  return out;
}

const BUSY = /prune operation is already running/i;
/** How long a prune waits for another prune of the same kind (the engine runs one at a time). */
const BUSY_WAIT_MS = 15_000;
const BUSY_POLL_MS = 250;

/**
 * A prune, waiting while another prune of that kind runs: the
 * engine refuses a second one with 409 "a prune operation is already
 * running", which is a moment's wait, not a failure.
 */
export async function postPrune<T>(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  op: Operation<
    "container.prune" | "image.prune" | "network.prune" | "volume.prune" | "image.build_prune"
  >,
): Promise<T> {
  const started = Date.now();
  while (true) {
    try {
      return (await ctx.engine.json<T>({ ...op, signal: ctx.signal })) ??
        ({} as T);
    } catch (error) {
      if (!isBerthError(error) || !BUSY.test(error.message)) throw error;
      if (Date.now() - started > BUSY_WAIT_MS) {
        throw new BerthError("conflict", error.message, {
          context: error.context,
          status: error.status,
          hint: "Another prune of this kind is still running; call again when it has finished",
        });
      }
      await sleep(BUSY_POLL_MS, ctx.signal);
    }
  }
}

/** Bytes → MiB with one decimal: the unit of every structured `*_mb` field (text uses formatBytes). */
export function mbOf(bytes: unknown): number {
  return typeof bytes === "number" && bytes > 0 ? Math.round((bytes / 1024 / 1024) * 10) / 10 : 0;
}

/** The outcome of a volume prune. */
export interface VolumePruneResult {
  deleted: string[];
  bytes: number;
}

interface VolumeListItem {
  Name: string;
  Labels?: Record<string, string> | null;
}

/**
 * API 1.42 changed `POST /volumes/prune`: it removes only anonymous volumes
 * unless the filter `all=true` is given, which older engines reject. Before
 * 1.42 the engine removes named volumes too, so without `all` berth picks
 * the anonymous ones (64-hex names, as the engine generates them) itself.
 */
export async function pruneVolumes(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  all: boolean,
  filters: Filters,
): Promise<VolumePruneResult> {
  const version = await ctx.engine.apiVersion(ctx.signal);
  const modern = compareVersions(version, "1.42") >= 0;
  if (modern || all) {
    const query = modern && all ? { ...filters, all: ["true"] } : filters;
    const report = await postPrune<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>(
      ctx,
      volumes.prune({ filters: encodeFilters(query) }),
    );
    return { deleted: report?.VolumesDeleted ?? [], bytes: report?.SpaceReclaimed ?? 0 };
  }
  return await pruneAnonymous(ctx, filters);
}

async function pruneAnonymous(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  filters: Filters,
): Promise<VolumePruneResult> {
  const list = await ctx.engine.json<{ Volumes?: VolumeListItem[] | null }>(
    volumes.list({ dangling: ["true"] }, { signal: ctx.signal }),
  );
  const candidates = (list?.Volumes ?? []).filter((v) =>
    /^[0-9a-f]{64}$/.test(v.Name) && labelsMatch(v.Labels ?? {}, filters)
  );
  if (candidates.length === 0) return { deleted: [], bytes: 0 };
  const sizes = await volumeSizes(ctx);
  const result: VolumePruneResult = { deleted: [], bytes: 0 };
  for (const volume of candidates) {
    try {
      const response = await ctx.engine.request(volumes.remove(volume.Name, {}, {
        signal: ctx.signal,
      }));
      await response.body?.cancel();
      result.deleted.push(volume.Name);
      result.bytes += sizes.get(volume.Name) ?? 0;
    } catch (error) {
      // Taken into use (or removed) since the list: not ours to prune any more.
      if (!isBerthError(error) || !["conflict", "not_found"].includes(error.type)) throw error;
    }
  }
  return result;
}

/** `label` filters all match and no `label!` filter matches, as the engine decides. */
export function labelsMatch(labels: Record<string, string>, filters: Filters): boolean {
  const has = (spec: string) => {
    const eq = spec.indexOf("=");
    return eq < 0 ? spec in labels : labels[spec.slice(0, eq)] === spec.slice(eq + 1);
  };
  return (filters.label ?? []).every(has) && !(filters["label!"] ?? []).some(has);
}

async function volumeSizes(
  ctx: Pick<HandlerContext, "engine" | "signal">,
): Promise<Map<string, number>> {
  const df = await ctx.engine.json<
    { Volumes?: { Name: string; UsageData?: { Size?: number } }[] | null }
  >(system.diskUsage({}, { signal: ctx.signal }));
  return new Map((df?.Volumes ?? []).map((v) => [v.Name, Math.max(0, v.UsageData?.Size ?? 0)]));
}
