/**
 * `docker_pull_image`: `POST /images/create?fromImage=&tag=` with the
 * engine's NDJSON progress turned into MCP progress notifications.
 * `fromSrc` (a daemon-side download of a tarball URL) is never mapped
 * (security-notes rule 5).
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { LayerProgress, lineError, progressLines } from "./_progress.ts";
import {
  assertImageAllowed,
  formatReference,
  type ImageReference,
  namedReference,
  registryAuth,
  registryAuthHeader,
  retypeRegistryError,
  scrub,
  scrubError,
  secretsOf,
  streamError,
} from "./_registry.ts";
import type { Handler, HandlerContext } from "./types.ts";

const PLATFORM = /^[a-z0-9_]+(?:\/[a-z0-9_.-]+){0,2}$/;

interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
}

/** Pulls an image, reporting per-layer bytes as one progress value. */
export const pullImage: Handler = async (ctx) => {
  const { args } = ctx;
  const ref = namedReference("image", args.image as string, args.tag as string | undefined);
  const reference = formatReference(ref);
  assertImageAllowed(ctx.policy, reference, "image");
  const platform = args.platform as string | undefined;
  if (platform !== undefined && !PLATFORM.test(platform)) {
    throw invalidInput("platform", "must look like os[/arch[/variant]], e.g. linux/amd64");
  }
  const auth = registryAuth(args.auth);
  const header = registryAuthHeader(auth, ref.name);
  const secrets = secretsOf(auth, header);
  try {
    const status = await pull(ctx, ref, platform, header, secrets);
    const image = await ctx.engine.json<ImageInspect>({
      method: "GET",
      path: `/images/${reference}/json`,
      signal: ctx.signal,
      errors: { 404: "image_not_found" },
    });
    const tags = (image.RepoTags ?? []).filter((t) => t !== "<none>:<none>");
    return {
      structured: { image_id: image.Id, tags, status },
      text: `Pulled ${reference} (${status}): ${image.Id.replace(/^sha256:/, "").slice(0, 12)}`,
    };
  } catch (error) {
    throw scrubError(retypeRegistryError(error), secrets);
  }
};

async function pull(
  ctx: HandlerContext,
  ref: ImageReference,
  platform: string | undefined,
  header: string,
  secrets: string[],
): Promise<string> {
  const context = `pull ${formatReference(ref)}`;
  const response = await ctx.engine.request({
    method: "POST",
    path: "/images/create",
    // A digest travels in `tag`, as the docker CLI sends it.
    query: { fromImage: ref.name, tag: ref.digest ?? ref.tag, platform },
    headers: { "X-Registry-Auth": header },
    signal: ctx.signal,
    errors: { 404: "image_not_found" },
  });
  const progress = new LayerProgress(
    (p) => ctx.progress({ ...p, message: p.message && scrub(p.message, secrets) }),
    "downloaded",
  );
  let status = "pulled";
  for await (const line of progressLines(response.body, context)) {
    const failure = lineError(line);
    if (failure) throw streamError(scrub(failure, secrets), context);
    if (line.status?.startsWith("Status: Downloaded newer image")) status = "downloaded";
    else if (line.status?.startsWith("Status: Image is up to date")) status = "up_to_date";
    progress.update(line);
  }
  progress.finish(`Pulled ${formatReference(ref)} (${status})`);
  return status;
}
