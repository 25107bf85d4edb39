/**
 * The guards of operations that need more than one request: container
 * creation (names, images, references to other containers), a network
 * connect's container, and the operations that use an image.
 *
 * @module
 */

import type { AnyOperation, Operation } from "../../engine/ops/mod.ts";
import { BerthError } from "../../errors/mod.ts";
import { field, hostPathsOf } from "../create_guard.ts";
import { volumeOptionPaths } from "../volume_options.ts";
import type { Policy } from "../mod.ts";
import { joinImageTag } from "../names.ts";
import { realHostPath } from "./host_realpath.ts";
import { containerNameDenied } from "./resolve.ts";

/** What the guards use from the policy engine of a call. */
export interface RouteGuardContext {
  policy: Policy;
  /** Resolves a container among the visible ones (DKR-002 otherwise). */
  resolve(ref: string, signal?: AbortSignal): Promise<{ id: string }>;
  /** Throws DKR-007 when the image lists refuse an image (IDs resolved to tags). */
  checkImage(ref: string, signal?: AbortSignal): Promise<void>;
  /** True when the engine runs on this host (a unix socket), so host paths can be resolved here. */
  local: boolean;
  /** The engine's inspect of a volume (`GET /volumes/{name}`), or undefined when there is none. */
  inspectVolume(name: string, signal?: AbortSignal): Promise<VolumeInspect | undefined>;
}

/** The parts of a volume inspect the mount guard reads. */
export interface VolumeInspect {
  Driver?: string;
  Options?: Record<string, string> | null;
}

/**
 * The engine follows symlinks in a bind source (`/srv/data/root -> /`): with a
 * local engine every host path it will follow is resolved to its real path,
 * which must pass the host path rules too. Fail closed: a path berth cannot
 * resolve is refused with the grant that fixes it (src/policy/enforce/host_realpath.ts).
 * A remote engine's paths are on another host: the lexical check stands alone
 * (docs/security.md, "Host paths").
 */
export async function checkRealHostPaths(ctx: RouteGuardContext, paths: string[]): Promise<void> {
  if (!ctx.local) return;
  for (const path of paths) {
    if (!path.startsWith("/")) continue; // not a path of this (unix) host
    ctx.policy.checkHostPath(await realHostPath(path), "bind");
  }
}

/**
 * The named volumes a create body mounts that may exist already: a
 * `name:/dst` bind and a `Type: volume` mount with a source.
 */
export function namedVolumesOf(body: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const hc of [body, field(body, "HostConfig")]) {
    const binds = field(hc, "Binds");
    for (const entry of Array.isArray(binds) ? binds : []) {
      const source = typeof entry === "string" ? entry.split(":")[0] : "";
      if (source && !source.startsWith("/")) out.add(source);
    }
    const mounts = field(hc, "Mounts");
    for (const mount of Array.isArray(mounts) ? mounts : []) {
      const type = String(field(mount, "Type") ?? "volume").toLowerCase();
      const source = field(mount, "Source");
      if (type === "volume" && typeof source === "string" && source) out.add(source);
    }
  }
  return [...out];
}

/**
 * A volume that already exists keeps the driver and options it was made with,
 * whoever made it (`docker volume create -o o=bind -o device=/etc`, an earlier
 * compose project): mounting it reads what those options name. So each named
 * volume a container or service mounts passes the same volume rules as a
 * volume create (src/policy/volume_options.ts) and, with a local engine, the
 * real-path check of the host paths its options name (docs/security.md,
 * "Volume drivers").
 */
export async function checkMountedVolumes(
  ctx: RouteGuardContext,
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<void> {
  if (ctx.policy.bypass) return;
  for (const name of namedVolumesOf(body)) {
    const volume = await ctx.inspectVolume(name, signal);
    if (!volume) continue; // made by this create: its driver is the body's, checked already
    const options = volume.Options ?? {};
    try {
      ctx.policy.checkVolumeBody({ Driver: volume.Driver ?? "local", DriverOpts: options });
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      throw new BerthError(error.type, `Mounting existing volume '${name}': ${error.message}`, {
        hint: `${error.hint}; or mount a volume without such options`,
      });
    }
    await checkRealHostPaths(ctx, volumeOptionPaths(options));
  }
}

const NAMESPACE_MODES = ["NetworkMode", "PidMode", "IpcMode"];

/** A DKR-007 with its hint. */
export function denied(message: string, hint: string): BerthError {
  return new BerthError("denied_by_policy", message, { hint });
}

/** Sets a body key the way the engine reads it: one spelling, the canonical one. */
export function setField(body: Record<string, unknown>, name: string, value: unknown): void {
  for (const key of Object.keys(body)) {
    if (key.toLowerCase() === name.toLowerCase()) delete body[key];
  }
  body[name] = value;
}

/** An operation's JSON body, when it has one (not a stream or bytes). */
export function jsonBody(op: Pick<AnyOperation, "body">): Record<string, unknown> | undefined {
  const body = op.body;
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  if (body instanceof ReadableStream || body instanceof Uint8Array) return undefined;
  return body as Record<string, unknown>;
}

/** A string query parameter. */
export function queryString(op: Pick<AnyOperation, "query">, key: string): string | undefined {
  const value = op.query?.[key];
  return typeof value === "string" ? value : undefined;
}

/** The refusal of a container name the lists do not allow (or of no name under an allow list). */
export function nameRefused(policy: Policy, name: string): BerthError {
  if (name) return containerNameDenied(name, policy);
  const globs = policy.allowedContainerGlobs;
  return denied(
    "A container name is required while a container allow list is set",
    globs.length ? `Container names must match: ${globs.join(", ")}` : "Pass a name",
  );
}

/**
 * `container.create`: the create guard, the name rules, the image lists, and
 * (with name lists) references to other containers rewritten to the full IDs
 * of visible ones. Answers the operation to send.
 */
export async function guardCreate(
  ctx: RouteGuardContext,
  op: Operation<"container.create">,
): Promise<Operation<"container.create">> {
  const { policy } = ctx;
  const body = jsonBody(op) ?? {};
  policy.checkCreateBody(body);
  if (!policy.bypass) await checkRealHostPaths(ctx, hostPathsOf(body));
  await checkMountedVolumes(ctx, body, op.signal);
  const name = queryString(op, "name");
  if (policy.filtersContainers) {
    if (name !== undefined && name !== "" && !policy.containerVisible(name)) {
      throw nameRefused(policy, name);
    }
    if (!name && policy.requiresContainerName) throw nameRefused(policy, "");
  }
  const image = field(body, "Image");
  if (typeof image === "string") await ctx.checkImage(image, op.signal);
  if (!policy.filtersContainers) return op;
  const copy: Record<string, unknown> = { ...body };
  for (const holder of [copy, field(copy, "HostConfig")]) {
    if (!holder || typeof holder !== "object") continue;
    const hc = holder === copy ? copy : { ...(holder as Record<string, unknown>) };
    for (const mode of NAMESPACE_MODES) {
      const value = field(hc, mode);
      if (typeof value === "string" && /^container:/i.test(value)) {
        const ref = value.slice(value.indexOf(":") + 1);
        setField(hc, mode, `container:${(await ctx.resolve(ref, op.signal)).id}`);
      }
    }
    for (const key of ["VolumesFrom", "Links"]) {
      const list = field(hc, key);
      if (!Array.isArray(list)) continue;
      const out: string[] = [];
      for (const entry of list.map(String)) {
        const [ref, ...rest] = entry.split(":");
        out.push([(await ctx.resolve(ref, op.signal)).id, ...rest].join(":"));
      }
      setField(hc, key, out);
    }
    if (hc !== copy) setField(copy, "HostConfig", hc);
  }
  return { ...op, body: copy };
}

/** A network connect or disconnect: its `Container` resolved among the visible ones. */
export async function guardNetworkMember<N extends "network.connect" | "network.disconnect">(
  ctx: RouteGuardContext,
  op: Operation<N>,
): Promise<Operation<N>> {
  const body = jsonBody(op);
  const ref = body ? field(body, "Container") : undefined;
  if (!ctx.policy.filtersContainers || typeof ref !== "string") return op;
  const copy = { ...body };
  setField(copy, "Container", (await ctx.resolve(ref, op.signal)).id);
  return { ...op, body: copy };
}

/** `image.create`: a pull's image passes the lists; an import from a URL is refused. */
export async function guardPull(
  ctx: RouteGuardContext,
  op: Operation<"image.create">,
): Promise<Operation<"image.create">> {
  if (op.query?.fromSrc !== undefined) {
    throw denied(
      "Importing images from a URL (fromSrc) is not allowed",
      "Pull from a registry instead",
    );
  }
  const image = queryString(op, "fromImage");
  if (image) await ctx.checkImage(joinImageTag(image, queryString(op, "tag")), op.signal);
  return op;
}

/** `image.build`: no remote context; its tags and cache sources pass the lists. */
export async function guardBuild(
  ctx: RouteGuardContext,
  op: Operation<"image.build">,
): Promise<Operation<"image.build">> {
  if (op.query?.remote !== undefined) {
    throw denied(
      "Building from a remote URL is not allowed",
      "Build from a local context directory",
    );
  }
  const tags = op.query?.t;
  for (const t of Array.isArray(tags) ? tags : tags ? [String(tags)] : []) {
    await ctx.checkImage(t, op.signal);
  }
  // Cache sources are images the build uses too (their layers end up in it).
  const cacheFrom = queryString(op, "cachefrom");
  if (cacheFrom !== undefined && ctx.policy.filtersImages) {
    let refs: unknown;
    try {
      refs = JSON.parse(cacheFrom);
    } catch {
      refs = undefined;
    }
    if (!Array.isArray(refs) || refs.some((r) => typeof r !== "string")) {
      throw denied("A build's cachefrom is not a JSON list of images", "Pass image references");
    }
    for (const ref of refs as string[]) await ctx.checkImage(ref, op.signal);
  }
  return await guardBuildNetwork(ctx, op);
}

/**
 * A build's RUN steps run in containers on its `networkmode`: the create
 * rules hold for it (the host's network needs `allow_host_namespaces`), and
 * another container's network (`container:NAME`) resolves through the name
 * lists, as in a create.
 */
async function guardBuildNetwork(
  ctx: RouteGuardContext,
  op: Operation<"image.build">,
): Promise<Operation<"image.build">> {
  const network = queryString(op, "networkmode");
  if (network === undefined) return op;
  try {
    ctx.policy.checkCreateBody({ HostConfig: { NetworkMode: network } });
  } catch (error) {
    throw error instanceof BerthError ? error.prefixed("A build's networkmode: ") : error;
  }
  if (!/^container:/i.test(network) || !ctx.policy.filtersContainers) return op;
  const { id } = await ctx.resolve(network.slice(network.indexOf(":") + 1), op.signal);
  return { ...op, query: { ...op.query, networkmode: `container:${id}` } };
}

/** `image.commit`: the new image passes the lists; its container is resolved like any other. */
export async function guardCommit(
  ctx: RouteGuardContext,
  op: Operation<"image.commit">,
): Promise<Operation<"image.commit">> {
  const repo = queryString(op, "repo");
  if (repo) await ctx.checkImage(joinImageTag(repo, queryString(op, "tag")), op.signal);
  const container = queryString(op, "container");
  if (container && ctx.policy.filtersContainers) {
    const { id } = await ctx.resolve(container, op.signal);
    return { ...op, query: { ...op.query, container: id } };
  }
  return op;
}

/** The image an operation names by its target (`image.remove`, `image.tag`, `image.push`). */
function imageTarget(op: AnyOperation): string {
  return op.target.kind === "image" ? op.target.ref : "";
}

/** `image.remove`: the image passes the lists. */
export async function guardImageRemove(
  ctx: RouteGuardContext,
  op: Operation<"image.remove">,
): Promise<Operation<"image.remove">> {
  await ctx.checkImage(imageTarget(op), op.signal);
  return op;
}

/** `image.tag`: the source and the new name pass the lists. */
export async function guardTag(
  ctx: RouteGuardContext,
  op: Operation<"image.tag">,
): Promise<Operation<"image.tag">> {
  await ctx.checkImage(imageTarget(op), op.signal);
  const repo = queryString(op, "repo");
  if (repo) await ctx.checkImage(joinImageTag(repo, queryString(op, "tag")), op.signal);
  return op;
}

/** `image.push`: the pushed reference passes the lists. */
export async function guardPush(
  ctx: RouteGuardContext,
  op: Operation<"image.push">,
): Promise<Operation<"image.push">> {
  await ctx.checkImage(joinImageTag(imageTarget(op), queryString(op, "tag")), op.signal);
  return op;
}
