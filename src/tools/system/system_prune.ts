/**
 * `docker_system_prune`: stopped containers, unused networks, (anonymous)
 * volumes when asked, dangling or unused images, and build cache, in the
 * docker CLI's order, each kind's freed space added up.
 *
 * @module
 */

import { isMissingRoute } from "../../engine/errors.ts";
import { invalidInput } from "../../errors/mod.ts";
import { formatBytes } from "../../guard/formats.ts";
import {
  containers as containerOps,
  encodeFilters,
  images as imageOps,
  networks as networkOps,
} from "../../engine/ops/mod.ts";
import { type Filters, mbOf, postPrune, pruneFilters, pruneVolumes } from "../../docker/prune.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

interface Report {
  ContainersDeleted?: string[] | null;
  NetworksDeleted?: string[] | null;
  ImagesDeleted?: { Deleted?: string }[] | null;
  CachesDeleted?: string[] | null;
  SpaceReclaimed?: number;
}

function prune(ctx: HandlerContext, op: Parameters<typeof postPrune>[1]): Promise<Report> {
  return postPrune<Report>(ctx, op);
}

/** Prunes every kind of unused object; one total of freed space. */
export const systemPrune: Handler = async (ctx) => {
  const filters = pruneFilters(ctx.args.filters, ["label", "label!", "until"]);
  const all = ctx.args.all === true;
  const withVolumes = ctx.args.volumes === true;
  if (withVolumes && filters.until) {
    throw invalidInput(
      "filters.until",
      "cannot be combined with volumes: true",
      "Drop one of them",
    );
  }
  const encoded = encodeFilters(filters);
  let bytes = 0;
  const containers = await prune(ctx, containerOps.prune({ filters: encoded }));
  bytes += containers.SpaceReclaimed ?? 0;
  const networks = await prune(ctx, networkOps.prune({ filters: encoded }));
  let volumes: string[] = [];
  if (withVolumes) {
    const { until: _, ...volumeFilters } = filters;
    const result = await pruneVolumes(ctx, false, volumeFilters);
    volumes = result.deleted;
    bytes += result.bytes;
  }
  const imageFilters: Filters = { ...filters, dangling: [all ? "false" : "true"] };
  const images = await prune(ctx, imageOps.prune({ filters: encodeFilters(imageFilters) }));
  bytes += images.SpaceReclaimed ?? 0;
  const cache = await pruneBuildCache(ctx, all, filters);
  bytes += cache.SpaceReclaimed ?? 0;
  const structured = {
    containers_deleted: containers.ContainersDeleted ?? [],
    networks_deleted: networks.NetworksDeleted ?? [],
    volumes_deleted: volumes,
    images_deleted: (images.ImagesDeleted ?? []).flatMap((i) => (i.Deleted ? [i.Deleted] : [])),
    build_cache_deleted: cache.CachesDeleted ?? [],
    space_reclaimed_mb: mbOf(bytes),
  };
  return {
    structured,
    text: `Deleted ${structured.containers_deleted.length} container(s), ` +
      `${structured.networks_deleted.length} network(s), ${volumes.length} volume(s), ` +
      `${structured.images_deleted.length} image(s), ${structured.build_cache_deleted.length} ` +
      `build cache record(s); reclaimed ${formatBytes(bytes)}` +
      (cache.skipped ? ` (build cache skipped: ${cache.skipped})` : ""),
  };
};

/**
 * Build cache records carry no labels and the engine ignores label filters
 * on a build cache prune (it would prune everything): with a label filter the
 * build cache is left alone and the result says so.
 */
async function pruneBuildCache(
  ctx: HandlerContext,
  all: boolean,
  filters: Filters,
): Promise<Report & { skipped?: string }> {
  if (filters.label || filters["label!"]) {
    return { skipped: "label filters do not apply to build cache" };
  }
  const query = { all: all ? true : undefined, filters: encodeFilters(filters) };
  try {
    return await prune(ctx, imageOps.buildPrune(query));
  } catch (error) {
    // Podman's Docker-compatible API has no build cache route: say so, prune the rest.
    if (isMissingRoute(error)) return { skipped: "this engine has no build cache route (Podman)" };
    throw error;
  }
}
