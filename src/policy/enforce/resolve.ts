/**
 * Resolving what a caller named before acting on it (docs/security.md rule 2):
 * a container reference (name, full ID or ID prefix) becomes the canonical
 * name the policy decides on and the full ID berth acts on; an image ID
 * becomes the tags the image lists decide on.
 *
 * A container hidden by the name lists answers exactly like a missing one
 * (DKR-002 "No such container: <what the caller typed>"), and its existence
 * never changes how another reference resolves: when the engine's own
 * resolution lands on a hidden container (or finds an ID prefix ambiguous),
 * berth resolves again among the visible containers only, in the engine's
 * order (full ID, then name, then unique ID prefix).
 *
 * Handlers use {@link resolveContainer} and {@link checkImage}.
 *
 * @module
 */

import type { EngineClient } from "../../engine/client.ts";
import { MAX_JSON_BODY } from "../../engine/client.ts";
import { engineError } from "../../engine/errors.ts";
import { containers, describeOperation, images } from "../../engine/ops/mod.ts";
import { BerthError, invalidInput, isBerthError } from "../../errors/mod.ts";
import type { Policy } from "../mod.ts";
import { NAME_OR_ID } from "../../guard/formats.ts";
import { isImageId, parseImageReference } from "../names.ts";
import { bareName, primaryName } from "./list_filters.ts";
import { type Json, withoutHiddenPeers } from "./hidden_peers.ts";

/** What resolving needs of a call: its engine, its policy and its signal. */
export interface CallView {
  engine: EngineClient;
  policy: Policy;
  signal?: AbortSignal;
}

/** A container as berth acts on it. */
export interface ResolvedContainer {
  /** The full 64-hex ID. */
  id: string;
  /** The canonical name, without the leading `/`. */
  name: string;
}

/** A resolution with the inspect body it came from (served again without a second request). */
export interface Resolution extends ResolvedContainer {
  inspect?: string;
}

/** Something that resolves container references (the policy engine of a call). */
export interface ContainerResolver {
  resolveContainer(ref: string, signal?: AbortSignal): Promise<Resolution>;
}

function isResolver(engine: unknown): engine is ContainerResolver {
  return typeof (engine as Partial<ContainerResolver>)?.resolveContainer === "function";
}

/**
 * The error for a container that is missing or hidden: the engine's own 404
 * for an inspect, byte for byte, so the two can never be told apart.
 */
export function containerNotFound(ref: string): BerthError {
  return engineError(
    404,
    JSON.stringify({ message: `No such container: ${ref}` }),
    describeOperation(containers.inspect(ref)),
    { 404: "container_not_found" },
  );
}

function ambiguous(ref: string): BerthError {
  return engineError(
    500,
    JSON.stringify({ message: `Multiple IDs found with provided prefix: ${ref}` }),
    describeOperation(containers.inspect(ref)),
    { 404: "container_not_found" },
  );
}

interface Listed {
  Id: string;
  Names?: string[];
}

/** Picks among visible containers in the engine's order: full ID, name, unique ID prefix. */
export function pickVisible(
  list: Listed[],
  ref: string,
  policy: Policy,
): ResolvedContainer | "ambiguous" | undefined {
  const visible = list
    .map((c) => ({ id: c.Id, name: primaryName(c.Names) }))
    .filter((c) => policy.containerVisible(c.name));
  const exact = visible.find((c) => c.id === ref) ?? visible.find((c) => c.name === ref);
  if (exact) return exact;
  const prefixed = visible.filter((c) => c.id.startsWith(ref));
  if (prefixed.length > 1) return "ambiguous";
  return prefixed[0];
}

/**
 * Resolves a reference among the containers the policy shows. `engine` must
 * be the raw client (not a policy engine), so nothing is resolved twice.
 */
export async function resolveVisible(
  engine: EngineClient,
  policy: Policy,
  ref: string,
  signal?: AbortSignal,
): Promise<Resolution> {
  if (!NAME_OR_ID.test(ref)) throw containerNotFound(ref);
  let inspect: string | undefined;
  try {
    inspect = (await engine.text(
      containers.inspect(ref, {}, { signal, errors: { 404: "container_not_found" } }),
      MAX_JSON_BODY,
    )).text;
  } catch (error) {
    if (!isBerthError(error)) throw error;
    if (error.type === "container_not_found") throw containerNotFound(ref);
    if (!/multiple ids found/i.test(error.message)) throw error;
  }
  if (inspect) {
    const info = JSON.parse(inspect) as Json & { Id: string; Name?: string };
    const name = bareName(info.Name);
    if (policy.containerVisible(name)) {
      const text = await withoutHiddenPeers(engine, policy, { text: inspect, info }, signal);
      return { id: info.Id, name, inspect: text };
    }
  }
  // The engine's answer involved a hidden container: resolve among visible ones only.
  const list = await engine.json<Listed[]>(containers.list({ all: true }, { signal }));
  const picked = pickVisible(list ?? [], ref, policy);
  if (picked === "ambiguous") throw ambiguous(ref);
  if (!picked) throw containerNotFound(ref);
  return picked;
}

/**
 * Resolves a container reference for a handler: `{id, name}` of a visible
 * container, or DKR-002 exactly as for a missing one. Act on `id` afterwards.
 */
export async function resolveContainer(
  ctx: CallView,
  ref: string,
  field = "container_id",
): Promise<ResolvedContainer> {
  if (typeof ref !== "string" || !NAME_OR_ID.test(ref)) {
    throw invalidInput(field, "must be a container name or ID", "Pass the name or ID as listed");
  }
  if (isResolver(ctx.engine)) {
    const { id, name } = await ctx.engine.resolveContainer(ref, ctx.signal);
    return { id, name };
  }
  const { id, name } = await resolveVisible(ctx.engine, ctx.policy, ref, ctx.signal);
  return { id, name };
}

/**
 * The DKR-007 for an image the lists do not allow, saying which list refused
 * it (deny wins over allow, so a name the allow list covers can still be
 * denied). `where` follows the reference: which parameter or service gave
 * it. Deny globs are never shown; allow globs are, as the way forward.
 */
export function imageDenied(ref: string, policy: Policy, where = ""): BerthError {
  const what = `Image '${ref}'${where}`;
  const allow = policy.allowedImageGlobs;
  const listed = allow.length ? `Allowed images: ${allow.join(", ")} (--allow-images)` : "";
  const name = isImageId(ref) ? undefined : parseImageReference(ref);
  if (!name) {
    // An ID is judged by its tags (resolve.ts): which list spoke is not known here.
    return new BerthError("denied_by_policy", `${what} is not allowed by the image lists`, {
      hint: listed ||
        "The operator's image lists (--allow-images / --deny-images) exclude its tags",
    });
  }
  if (policy.imageRefusedBy(ref) === "allow") {
    return new BerthError(
      "denied_by_policy",
      `${what} is not allowed by the image lists: no glob of the allow list matches it`,
      { hint: `Use an image the allow list names. ${listed}` },
    );
  }
  return new BerthError(
    "denied_by_policy",
    `${what} is not allowed by the image lists: the deny list refuses it` +
      (allow.length ? " (deny wins over the allow list)" : ""),
    {
      hint: "Use an image no --deny-images glob matches, or ask the operator to change " +
        "that list (permissions.blacklist_images)",
    },
  );
}

/**
 * The DKR-007 for a new container's name the lists do not allow, saying which
 * list refused it. Only for names berth is asked to create: a reference to a
 * hidden container answers like a missing one instead (DKR-002).
 */
export function containerNameDenied(name: string, policy: Policy, where = ""): BerthError {
  const what = `Container name '${name}'${where}`;
  const allow = policy.allowedContainerGlobs;
  if (policy.containerNameRefusedBy(name) === "allow") {
    return new BerthError(
      "denied_by_policy",
      `${what} is not allowed by the container lists: no glob of the allow list matches it`,
      { hint: `Choose a name the allow list names: ${allow.join(", ")} (--allow-containers)` },
    );
  }
  return new BerthError(
    "denied_by_policy",
    `${what} is not allowed by the container lists: the deny list refuses it`,
    { hint: "Choose a name no --deny-containers glob matches" },
  );
}

/**
 * True when an image may be used. While image lists are set, every reference
 * is resolved on the engine first (image inspect), because the engine reads
 * more than names: `a2b8893` is a 7-hex ID prefix to it (and `a`, and
 * `sha256:a2b`), `other@sha256:<id>` finds an image by its ID, and a tag
 * made outside berth names a denied image under another name. A reference
 * that resolves is decided on the image itself: its full ID and all its tags
 * and digests (any denied spelling denies it; with an allow list one must be
 * allowed, so an untagged image is refused), and a name must also pass as
 * written. A reference that does not resolve (an image still to be pulled) is
 * decided on its name, as written.
 */
export async function imageUsable(
  engine: EngineClient,
  policy: Policy,
  ref: string,
  signal?: AbortSignal,
): Promise<boolean> {
  if (policy.bypass || !policy.filtersImages) return true;
  const named = !isImageId(ref) && parseImageReference(ref) !== undefined;
  if (named && !policy.imageAllowed(ref)) return false;
  const info = await inspectLocalImage(engine, ref, signal);
  if (!info) return policy.imageAllowed(ref);
  const spellings = [...(info.RepoTags ?? []), ...(info.RepoDigests ?? [])];
  if (info.Id) spellings.push(info.Id);
  return policy.imageTagsAllowed(spellings);
}

interface ImageIdentity {
  Id?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
}

/** The engine's inspect of an image reference; undefined when it has no such image (404). */
async function inspectLocalImage(
  engine: EngineClient,
  ref: string,
  signal?: AbortSignal,
): Promise<ImageIdentity | undefined> {
  try {
    return await engine.json<ImageIdentity>(
      images.inspect(ref, { signal, errors: { 404: "image_not_found" } }),
    );
  } catch (error) {
    if (isBerthError(error) && error.type === "image_not_found") return undefined;
    throw error; // an ambiguous prefix, an engine fault: never a silent yes
  }
}

/** Throws DKR-007 when an image may not be used (pull, create, run, build tags, tag, push). */
export async function checkImage(
  ctx: CallView,
  ref: string,
): Promise<void> {
  if (!(await imageUsable(ctx.engine, ctx.policy, ref, ctx.signal))) {
    throw imageDenied(ref, ctx.policy);
  }
}
