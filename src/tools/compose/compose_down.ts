/**
 * `docker_compose_down`: removes what `up` (berth's or the compose CLI's)
 * made for a project, found by its labels: containers, then networks (never
 * external ones, which carry no project label), volumes and images on
 * request. With a compose file, containers of services that are no longer
 * in it are orphans, removed only with `remove_orphans`.
 *
 * @module
 */

import { images as imageOps, networks, type Operation, volumes } from "../../engine/ops/mod.ts";
import { BerthError } from "../../errors/mod.ts";
import { checkFormat } from "../../guard/formats.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";
import {
  type ContainerSummary,
  label,
  nameOf,
  projectContainers,
  removeContainer,
  stopContainer,
} from "../../docker/compose/engine_ops.ts";
import { loadServiceNames, type ServiceNames } from "../../docker/compose/load.ts";
import {
  builtImageName,
  checkProjectName,
  LABEL,
  projectFilter,
} from "../../docker/compose/naming.ts";

/** Something down could not remove, and why. */
interface Skipped {
  kind: "container" | "network" | "volume" | "image";
  name: string;
  reason: string;
}

function reason(error: unknown): string {
  return error instanceof BerthError ? error.message : String(error);
}

/** Lists labelled networks or volumes of the project. */
async function labelled(ctx: HandlerContext, kind: "networks" | "volumes", project: string) {
  const filters = { label: projectFilter(project) };
  const extra = { signal: ctx.signal };
  if (kind === "networks") {
    const list = await ctx.engine.json<{ Id: string; Name: string }[]>(
      networks.list(filters, extra),
    );
    return (list ?? []).map((n) => n.Name);
  }
  const answer = await ctx.engine.json<{ Volumes?: { Name: string }[] | null }>(
    volumes.list(filters, extra),
  );
  return (answer?.Volumes ?? []).map((v) => v.Name);
}

/** Removes one object; a 404 means it is already gone. */
async function remove(
  ctx: HandlerContext,
  op: Operation<"network.remove" | "volume.remove" | "image.remove">,
) {
  try {
    const response = await ctx.engine.request({ ...op, signal: ctx.signal });
    await response.body?.cancel();
    return true;
  } catch (error) {
    if (error instanceof BerthError && error.status === 404) return false;
    throw error;
  }
}

/**
 * Removes the project's labelled networks or volumes one by one; answers the
 * names removed, and records the others in `skipped` with the engine's reason
 * (in use, most often) rather than failing the whole down.
 */
async function removeLabelled(
  ctx: HandlerContext,
  kind: "network" | "volume",
  project: string,
  skipped: Skipped[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const object of await labelled(ctx, `${kind}s`, project)) {
    try {
      const op = kind === "network" ? networks.remove(object) : volumes.remove(object);
      if (await remove(ctx, op)) removed.push(object);
    } catch (error) {
      skipped.push({ kind, name: object, reason: reason(error) });
    }
  }
  return removed;
}

/** Images to remove: `all` = every image the containers use; `local` = images compose built. */
function imageCandidates(
  mode: string,
  name: string,
  file: ServiceNames | undefined,
  containers: ContainerSummary[],
): string[] {
  const refs = new Set<string>();
  const services = new Set(containers.map((c) => label(c, LABEL.service)).filter(Boolean));
  for (const service of file?.services.keys() ?? []) services.add(service);
  for (const service of services) {
    if (file?.services.get(service)) continue; // it names its image: not compose-built
    refs.add(builtImageName(name, service)); // compose v2's name for a built image
    refs.add(`${name}_${service}`); // docker-compose v1's
  }
  if (mode === "all") { for (const c of containers) if (c.Image) refs.add(c.Image); }
  return [...refs].filter((r) => checkFormat("image_ref", r));
}

/** Takes a compose project down. */
export const composeDown: Handler = async (ctx) => {
  const { args } = ctx;
  const name = checkProjectName(args.project_name);
  const file = await loadServiceNames(args, ctx.policy);
  const removeVolumes = args.remove_volumes === true;
  const imagesMode = (args.remove_images as string | undefined) ?? "none";
  const timeout = args.timeout as number | undefined;
  const skipped: Skipped[] = [];

  const all = await projectContainers(ctx, name);
  const isOrphan = (c: ContainerSummary) => !!file && !file.services.has(label(c, LABEL.service));
  const orphans = all.filter(isOrphan);
  const targets = args.remove_orphans === true ? all : all.filter((c) => !isOrphan(c));
  if (args.remove_orphans !== true) {
    for (const c of orphans) {
      skipped.push({
        kind: "container",
        name: nameOf(c),
        reason: "orphan (pass remove_orphans: true)",
      });
    }
  }
  const outcomes = await Promise.allSettled(targets.map(async (c) => {
    if (c.State === "running" || c.State === "paused" || c.State === "restarting") {
      await stopContainer(ctx, c.Id, timeout);
    }
    await removeContainer(ctx, c.Id, removeVolumes);
    return nameOf(c);
  }));
  const containers: string[] = [];
  outcomes.forEach((o, i) => {
    if (o.status === "fulfilled") containers.push(o.value);
    else skipped.push({ kind: "container", name: nameOf(targets[i]), reason: reason(o.reason) });
  });

  const networks = await removeLabelled(ctx, "network", name, skipped);
  const volumes = removeVolumes ? await removeLabelled(ctx, "volume", name, skipped) : [];
  const images: string[] = [];
  if (imagesMode !== "none") {
    for (const ref of imageCandidates(imagesMode, name, file, all)) {
      if (!ctx.policy.imageAllowed(ref)) {
        skipped.push({ kind: "image", name: ref, reason: "not allowed by the image lists" });
        continue;
      }
      try {
        if (await remove(ctx, imageOps.remove(ref))) images.push(ref);
      } catch (error) {
        skipped.push({ kind: "image", name: ref, reason: reason(error) });
      }
    }
  }
  const parts = [
    `containers ${containers.length ? containers.join(", ") : "-"}`,
    `networks ${networks.length ? networks.join(", ") : "-"}`,
    removeVolumes ? `volumes ${volumes.length ? volumes.join(", ") : "-"}` : "",
    imagesMode !== "none" ? `images ${images.length ? images.join(", ") : "-"}` : "",
  ].filter(Boolean);
  const nothing = !containers.length && !networks.length && !volumes.length && !images.length;
  const text = [
    nothing
      ? `Project ${name}: nothing to remove`
      : `Project ${name} down; removed ${parts.join("; ")}`,
    ...skipped.map((s) => `kept ${s.kind} ${s.name}: ${s.reason}`),
  ].join("\n");
  return {
    structured: { project_name: name, removed: { containers, networks, volumes, images }, skipped },
    text,
  };
};
