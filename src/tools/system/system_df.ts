/**
 * `docker_system_df`: disk usage by kind, summed the way `docker system df`
 * sums it (the CLI of Docker 20.10 computes these from the same answer).
 *
 * @module
 */

import { alignColumns, formatBytes } from "../../guard/formats.ts";
import type { Shaper } from "../../interpreter/contract.ts";
import { round1 } from "../../docker/transforms.ts";

interface DiskUsage {
  LayersSize?: number;
  Images?:
    | {
      Id?: string;
      Containers?: number;
      Size?: number;
      VirtualSize?: number;
      SharedSize?: number;
    }[]
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

/** MiB: the unit of the structured *_mb figures (the manifest says so). */
const MIB = 1024 * 1024;

/** One kind's figures in bytes, before rounding. */
interface ByteRow {
  count: number;
  active: number;
  size: number;
  reclaimable: number;
}

function row(count: number, active: number, size: number, reclaimable: number): ByteRow {
  return { count, active, size, reclaimable: Math.max(0, reclaimable) };
}

/** The four rows from a `/system/df` answer, sizes in MiB. */
export function diskUsage(df: DiskUsage): Record<string, UsageRow> {
  return inMib(diskUsageBytes(df));
}

/** Byte rows as the structured rows, sizes in MiB. */
function inMib(rows: Record<string, ByteRow>): Record<string, UsageRow> {
  return Object.fromEntries(
    Object.entries(rows).map(([kind, r]) => [kind, {
      count: r.count,
      active: r.active,
      size_mb: round1(r.size / MIB),
      reclaimable_mb: round1(r.reclaimable / MIB),
    }]),
  );
}

/** The four rows in bytes. */
function diskUsageBytes(df: DiskUsage): Record<string, ByteRow> {
  const images = df.Images ?? [];
  const usedImages = images.filter((i) => (i.Containers ?? 0) > 0);
  let imagesInUse = 0;
  for (const i of usedImages) {
    const size = i.Size ?? i.VirtualSize ?? -1;
    if (size === -1 || i.SharedSize === undefined || i.SharedSize === -1) continue;
    imagesInUse += size - i.SharedSize;
  }
  const layers = df.LayersSize || distinctImageBytes(images);

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

/**
 * The images' size when the engine reports no `LayersSize`, as Podman's
 * Docker-compatible API does not: each distinct image once (Podman lists an
 * image once per tag), shared layers counted in every image that has them.
 */
function distinctImageBytes(images: NonNullable<DiskUsage["Images"]>): number {
  const sizes = new Map<string, number>();
  images.forEach((i, n) => sizes.set(i.Id ?? String(n), i.Size ?? 0));
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

/** Said under the table when the image size had to be summed per image. */
const NO_LAYERS_SIZE = "images: the engine reports no shared layer size (Podman's Docker API " +
  "does not), so the size sums each distinct image";

/** Sums the answer and renders the CLI's table. */
export const systemDf: Shaper = (data) => {
  const df = (data ?? {}) as DiskUsage;
  const bytes = diskUsageBytes(df);
  const summed = !df.LayersSize && bytes.images.size > 0;
  // Text in the CLI's decimal units (its "11.42MB"), from the bytes, not the MiB figures.
  const rows = Object.entries(bytes).map(([kind, r]) => [
    kind,
    String(r.count),
    String(r.active),
    formatBytes(r.size),
    formatBytes(r.reclaimable),
  ]);
  return {
    structured: inMib(bytes),
    text: [
      ...alignColumns([["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], ...rows]),
      ...(summed ? [NO_LAYERS_SIZE] : []),
    ].join("\n"),
  };
};
