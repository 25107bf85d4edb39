/**
 * The inspect of an image the engine has locally, or `undefined` when it has
 * none: what compose asks before it pulls or builds, and what a build asks of
 * a base image for its ONBUILD triggers.
 *
 * @module
 */

import { images } from "../engine/ops/mod.ts";
import { isBerthError } from "../errors/mod.ts";
import type { HandlerContext } from "../interpreter/contract.ts";

/** `GET /images/{ref}/json` (the reference one path segment); undefined on 404. */
export async function localImage<T>(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  ref: string,
): Promise<T | undefined> {
  try {
    return await ctx.engine.json<T>(images.inspect(ref, { signal: ctx.signal }));
  } catch (error) {
    if (isBerthError(error) && error.status === 404) return undefined;
    throw error;
  }
}
