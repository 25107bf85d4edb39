/**
 * `docker_system_df`: disk usage by kind, summed the way `docker system df`
 * sums it (the CLI of Docker 20.10 computes these from the same answer).
 *
 * @module
 */

import type { Shaper } from "../handlers/types.ts";
import { round1 } from "../transforms.ts";

interface DiskUsage {
  LayersSize?: number;
  Images?:
    | { Containers?: number; Size?: number; VirtualSize?: number; SharedSize?: number }[]
    | null;
  Containers?: { State?: string; SizeRw?: number }[] | null;
  Volumes?: { UsageData?: { Size?: number; RefCount?: number } | null }[] | null;
  BuildCache?: { Size?: number; InUse?: boolean; Shared?: boolean }[] | null;
}

/** One kind's figures. */
export interface UsageRow {
  count: number;
  active: number;
  size_mb: number;
  reclaimable_mb: number;
}

const MB = 1024 * 1024;

function row(count: number, active: number, size: number, reclaimable: number): UsageRow {
  return {
    count,
    active,
    size_mb: round1(size / MB),
    reclaimable_mb: round1(Math.max(0, reclaimable) / MB),
  };
}

/** The four rows from a `/system/df` answer. */
export function diskUsage(df: DiskUsage): Record<string, UsageRow> {
  const images = df.Images ?? [];
  const usedImages = images.filter((i) => (i.Containers ?? 0) > 0);
  let imagesInUse = 0;
  for (const i of usedImages) {
    const size = i.Size ?? i.VirtualSize ?? -1;
    if (size === -1 || i.SharedSize === undefined || i.SharedSize === -1) continue;
    imagesInUse += size - i.SharedSize;
  }
  const layers = df.LayersSize ?? 0;

  const containers = df.Containers ?? [];
  const isActive = (s?: string) => s === "running" || s === "paused" || s === "restarting";
  const sizeRw = (list: typeof containers) => list.reduce((n, c) => n + (c.SizeRw ?? 0), 0);

  const volumes = (df.Volumes ?? []).map((v) => v.UsageData ?? {});
  const volumeSize = (list: typeof volumes) =>
    list.reduce((n, u) => n + ((u.Size ?? -1) >= 0 ? u.Size! : 0), 0);
  const unusedVolumes = volumes.filter((u) => (u.RefCount ?? 0) === 0);

  const cache = (df.BuildCache ?? []).filter((b) => !b.Shared);
  const cacheSize = cache.reduce((n, b) => n + (b.Size ?? 0), 0);
  const cacheInUse = cache.filter((b) => b.InUse).reduce((n, b) => n + (b.Size ?? 0), 0);

  return {
    images: row(images.length, usedImages.length, layers, layers - imagesInUse),
    containers: row(
      containers.length,
      containers.filter((c) => isActive(c.State)).length,
      sizeRw(containers),
      sizeRw(containers.filter((c) => !isActive(c.State))),
    ),
    volumes: row(
      volumes.length,
      volumes.length - unusedVolumes.length,
      volumeSize(volumes),
      volumeSize(unusedVolumes),
    ),
    build_cache: row(
      (df.BuildCache ?? []).length,
      (df.BuildCache ?? []).filter((b) => b.InUse).length,
      cacheSize,
      cacheSize - cacheInUse,
    ),
  };
}

/** Sums the answer and renders the CLI's table. */
export const systemDf: Shaper = (data) => {
  const rows = diskUsage((data ?? {}) as DiskUsage);
  const lines = Object.entries(rows).map(([kind, r]) =>
    `${kind} ${r.count} ${r.active} ${r.size_mb}MB ${r.reclaimable_mb}MB`
  );
  return {
    structured: rows,
    text: `TYPE  TOTAL  ACTIVE  SIZE  RECLAIMABLE\n${lines.join("\n")}`,
  };
};
