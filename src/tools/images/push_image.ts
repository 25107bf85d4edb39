/**
 * `docker_push_image`: `POST /images/{name}/push?tag=` with the credentials
 * in `X-Registry-Auth`; upload progress becomes MCP progress, the manifest
 * digest comes from the stream's final `aux.Digest`.
 *
 * @module
 */

import { images } from "../../engine/ops/mod.ts";
import { BerthError } from "../../errors/mod.ts";
import {
  assertImageAllowed,
  formatReference,
  namedReference,
} from "../../docker/registry/references.ts";
import {
  registryCredentials,
  registryTransfer,
  withRegistryErrors,
} from "../../docker/registry/transfer.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Pushes one tag of an image and answers its digest. */
export const pushImage: Handler = async (ctx) => {
  const { args } = ctx;
  const ref = namedReference("image", args.image as string, args.tag as string | undefined);
  if (ref.digest) {
    throw new BerthError("invalid_input", "Parameter 'image' must name a tag, not a digest", {
      hint: "Push name:tag; the registry computes the digest",
    });
  }
  const reference = formatReference(ref);
  assertImageAllowed(ctx.policy, reference, "image");
  const credentials = registryCredentials(args.auth, ref.name);
  const context = `push ${reference}`;
  return await withRegistryErrors(credentials, async () => {
    let digest = "";
    const progress = await registryTransfer(ctx, credentials, {
      op: images.push(ref.name, { tag: ref.tag }),
      context,
      verb: "pushed",
      onLine: (line) => {
        if (typeof line.aux?.Digest === "string") digest = line.aux.Digest;
      },
    });
    if (!digest) {
      throw new BerthError("engine_error", "The push ended without a digest", {
        context,
        hint: "Check the registry; the engine reported no manifest",
      });
    }
    progress.finish(`Pushed ${reference}`);
    return {
      structured: { image: reference, digest, status: "pushed" },
      text: `Pushed ${reference} ${digest}`,
    };
  });
};
