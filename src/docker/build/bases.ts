/**
 * The images a build pulls in (every FROM, every `COPY --from=<image>`, the
 * same in ONBUILD triggers, its own and its local base images') are
 * held to the image lists like the tags it makes: without this, `FROM
 * evil/thing` would fetch and run an image the operator denied. Checked only
 * while image lists are set, so an unrestricted build costs nothing extra.
 *
 * The Dockerfile is read once and those bytes are what the build context
 * carries ({@link PinnedFile}), so the verdict holds for what the engine reads.
 *
 * @module
 */

import { BerthError, invalidInput } from "../../errors/mod.ts";
import { imageDenied, imageUsable } from "../../policy/enforce/mod.ts";
import { hostError, type PinnedFile } from "./context.ts";
import { dockerfileImages, type ImageUse, triggerImages } from "./dockerfile_images.ts";
import { localImage } from "../local_image.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

/** A Dockerfile berth reads for checking is at most this big. */
const MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024;

/**
 * Checks the images the Dockerfile uses against the image lists; throws
 * DKR-007 naming the line. Answers the Dockerfile to send (pinned), or
 * undefined when no image lists are set.
 */
export async function checkBaseImages(
  ctx: Pick<HandlerContext, "engine" | "policy" | "signal">,
  root: string,
  dockerfile: string,
  buildArgs: Readonly<Record<string, string>> = {},
): Promise<PinnedFile | undefined> {
  if (!ctx.policy.filtersImages) return undefined;
  const pinned = await readDockerfile(root, dockerfile);
  const source = new TextDecoder().decode(pinned.bytes);
  for (const use of dockerfileImages(source, buildArgs)) {
    const at = where(dockerfile, use);
    await checkUse(ctx, at, use);
    if (use.stages === undefined) continue;
    // A base image's ONBUILD triggers run in this build, right after its FROM.
    for (const trigger of triggerImages(await onBuildTriggers(ctx, use.ref!), use.stages)) {
      await checkUse(ctx, `${at}, its ONBUILD trigger ${trigger.instruction}`, trigger);
    }
  }
  return pinned;
}

/** Refuses a use the image lists do not clear; `at` says where it comes from. */
async function checkUse(
  ctx: Pick<HandlerContext, "engine" | "policy" | "signal">,
  at: string,
  use: ImageUse,
): Promise<void> {
  if (use.ref === undefined) throw unresolved(at, use);
  if (!(await imageUsable(ctx.engine, ctx.policy, use.ref, ctx.signal))) {
    const denied = imageDenied(use.ref, ctx.policy);
    throw new BerthError(denied.type, `${at}: ${denied.message}`, { hint: denied.hint });
  }
}

/**
 * The ONBUILD triggers of a local image. An image that is not local yet is
 * pulled by the build itself: it passed the lists, and its triggers are its
 * publisher's, which berth cannot read before the pull.
 */
async function onBuildTriggers(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  ref: string,
): Promise<string[]> {
  const image = await localImage<{ Config?: { OnBuild?: string[] | null } | null }>(ctx, ref);
  return image?.Config?.OnBuild ?? [];
}

function where(dockerfile: string, use: ImageUse): string {
  return `${dockerfile} line ${use.line} (${use.instruction})`;
}

/** A reference berth cannot work out is refused: deciding on a guess could let a denied image in. */
function unresolved(at: string, use: ImageUse): BerthError {
  return new BerthError(
    "denied_by_policy",
    `${at}: berth cannot tell which image this uses (${use.problem}), ` +
      "so the image lists cannot clear it",
    {
      hint: "Write the image name out, or use only ARGs declared before the first FROM " +
        "with a default or a value in buildargs ($NAME, ${NAME}, ${NAME:-default})",
    },
  );
}

/**
 * Reads the Dockerfile once, for checks whose verdict must hold for what the
 * engine gets: no component of the path may be a symlink (the engine resolves
 * those inside the context, berth on the host, and the two can differ), and
 * the file opened must be the one looked at. Pass the result to
 * {@link packContext} so these very bytes are sent.
 */
async function readDockerfile(root: string, dockerfile: string): Promise<PinnedFile> {
  let path = root;
  let info: Deno.FileInfo | undefined;
  for (const part of dockerfile.split("/")) {
    path = `${path}/${part}`;
    info = await Deno.lstat(path).catch((error) => {
      throw hostError(error, root);
    });
    if (info.isSymlink) {
      throw invalidInput(
        "dockerfile",
        "must not pass through a symbolic link while image lists are set",
        "Name the real file: berth checks the images it uses and sends exactly what it checked",
      );
    }
  }
  using file = await Deno.open(path, { read: true }).catch((error) => {
    throw hostError(error, root);
  });
  const opened = await file.stat();
  if (!info?.isFile || opened.ino !== info.ino || opened.dev !== info.dev) {
    throw new BerthError("conflict", `The Dockerfile ${dockerfile} changed while berth read it`, {
      hint: "Build again once nothing writes into the context directory",
    });
  }
  if (opened.size > MAX_DOCKERFILE_BYTES) {
    throw invalidInput("dockerfile", `is larger than ${MAX_DOCKERFILE_BYTES} bytes`);
  }
  const bytes = new Uint8Array(opened.size);
  let n = 0;
  while (n < bytes.length) {
    const got = await file.read(bytes.subarray(n));
    if (got === null) break;
    n += got;
  }
  return { path: dockerfile, bytes: bytes.subarray(0, n) };
}
