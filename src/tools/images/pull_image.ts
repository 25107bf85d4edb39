/**
 * `docker_pull_image`: `POST /images/create?fromImage=&tag=` with the
 * engine's NDJSON progress turned into MCP progress notifications.
 * `fromSrc` (a daemon-side download of a tarball URL) is never mapped
 * (docs/security.md rule 5).
 *
 * @module
 */

import { images } from "../../engine/ops/mod.ts";
import { invalidInput } from "../../errors/mod.ts";
import {
  assertImageAllowed,
  formatReference,
  type ImageReference,
  namedReference,
} from "../../docker/registry/references.ts";
import {
  type RegistryCredentials,
  registryCredentials,
  registryTransfer,
  withRegistryErrors,
} from "../../docker/registry/transfer.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

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
  const credentials = registryCredentials(args.auth, ref.name);
  return await withRegistryErrors(credentials, async () => {
    const status = await pull(ctx, ref, platform, credentials);
    const image = await ctx.engine.json<ImageInspect>(
      images.inspect(reference, { signal: ctx.signal, errors: { 404: "image_not_found" } }),
    );
    const tags = (image.RepoTags ?? []).filter((t) => t !== "<none>:<none>");
    return {
      structured: { image_id: image.Id, tags, status },
      text: `Pulled ${reference} (${status}): ${image.Id.replace(/^sha256:/, "").slice(0, 12)}`,
    };
  });
};

async function pull(
  ctx: HandlerContext,
  ref: ImageReference,
  platform: string | undefined,
  credentials: RegistryCredentials,
): Promise<string> {
  let status = "pulled";
  const progress = await registryTransfer(ctx, credentials, {
    // A digest travels in `tag`, as the docker CLI sends it.
    op: images.pull({ fromImage: ref.name, tag: ref.digest ?? ref.tag, platform }),
    context: `pull ${formatReference(ref)}`,
    verb: "downloaded",
    onLine: (line) => {
      if (line.status?.startsWith("Status: Downloaded newer image")) status = "downloaded";
      else if (line.status?.startsWith("Status: Image is up to date")) status = "up_to_date";
    },
  });
  progress.finish(`Pulled ${formatReference(ref)} (${status})`);
  return status;
}
