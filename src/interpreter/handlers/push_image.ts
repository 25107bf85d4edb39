/**
 * `docker_push_image`: `POST /images/{name}/push?tag=` with the credentials
 * in `X-Registry-Auth`; upload progress becomes MCP progress, the manifest
 * digest comes from the stream's final `aux.Digest`.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { LayerProgress, lineError, progressLines } from "./_progress.ts";
import {
  assertImageAllowed,
  formatReference,
  namedReference,
  registryAuth,
  registryAuthHeader,
  retypeRegistryError,
  scrub,
  scrubError,
  secretsOf,
  streamError,
} from "./_registry.ts";
import type { Handler } from "./types.ts";

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
  const auth = registryAuth(args.auth);
  const header = registryAuthHeader(auth, ref.name);
  const secrets = secretsOf(auth, header);
  const context = `push ${reference}`;
  try {
    const response = await ctx.engine.request({
      method: "POST",
      path: `/images/${ref.name}/push`,
      query: { tag: ref.tag },
      headers: { "X-Registry-Auth": header },
      signal: ctx.signal,
      errors: { 404: "image_not_found" },
    });
    const progress = new LayerProgress(
      (p) => ctx.progress({ ...p, message: p.message && scrub(p.message, secrets) }),
      "pushed",
    );
    let digest = "";
    for await (const line of progressLines(response.body, context)) {
      const failure = lineError(line);
      if (failure) throw streamError(scrub(failure, secrets), context);
      if (typeof line.aux?.Digest === "string") digest = line.aux.Digest;
      progress.update(line);
    }
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
  } catch (error) {
    throw scrubError(retypeRegistryError(error), secrets);
  }
};
