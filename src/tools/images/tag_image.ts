/**
 * `docker_tag_image`: `POST /images/{source}/tag?repo=&tag=`, with the
 * policy asked about both references.
 *
 * @module
 */

import { images } from "../../engine/ops/mod.ts";
import { invalidInput } from "../../errors/mod.ts";
import {
  assertImageAllowed,
  formatReference,
  isImageId,
  parseReference,
} from "../../docker/registry/references.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Adds a reference to an existing image. */
export const tagImage: Handler = async (ctx) => {
  const source = ctx.args.source_image as string;
  const targetRaw = ctx.args.target_image as string;
  if (isImageId(targetRaw)) {
    throw invalidInput("target_image", "must be a name such as app:1.0, not an ID");
  }
  const target = parseReference(targetRaw);
  if (target.digest) throw invalidInput("target_image", "cannot carry a digest; give name[:tag]");
  target.tag ??= "latest";
  const reference = formatReference(target);
  assertImageAllowed(ctx.policy, source, "source_image");
  assertImageAllowed(ctx.policy, reference, "target_image");
  const response = await ctx.engine.request(
    images.tag(source, { repo: target.name, tag: target.tag }, {
      signal: ctx.signal,
      errors: { 404: "image_not_found" },
    }),
  );
  await response.body?.cancel();
  return {
    structured: { source, target: reference, status: "tagged" },
    text: `Tagged ${source} as ${reference}`,
  };
};
