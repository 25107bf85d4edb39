/**
 * Image operations of the Engine API (build, pull, push, tag, commit …), one
 * typed function each. The only place an image route is written; `{ref}` is
 * an image reference or ID, kept whole (`/` included) in the route.
 *
 * @module
 */

import { build, encodeFilters, type Extra, type Operation, type QueryValue } from "./operation.ts";

/** The image routes, by operation name. */
export const IMAGE_ROUTES = {
  "image.list": { method: "GET", path: "/images/json", target: "none" },
  "image.search": { method: "GET", path: "/images/search", target: "none" },
  "image.prune": { method: "POST", path: "/images/prune", target: "none" },
  "image.create": { method: "POST", path: "/images/create", target: "none" },
  "image.load": { method: "POST", path: "/images/load", target: "none" },
  "image.get_all": { method: "GET", path: "/images/get", target: "none" },
  "image.build": { method: "POST", path: "/build", target: "none" },
  "image.build_prune": { method: "POST", path: "/build/prune", target: "none" },
  "image.commit": { method: "POST", path: "/commit", target: "none" },
  "image.inspect": { method: "GET", path: "/images/{ref}/json", target: "image" },
  "image.history": { method: "GET", path: "/images/{ref}/history", target: "image" },
  "image.get": { method: "GET", path: "/images/{ref}/get", target: "image" },
  "image.push": { method: "POST", path: "/images/{ref}/push", target: "image" },
  "image.tag": { method: "POST", path: "/images/{ref}/tag", target: "image" },
  "image.remove": { method: "DELETE", path: "/images/{ref}", target: "image" },
  "image.distribution": { method: "GET", path: "/distribution/{ref}/json", target: "image" },
} as const;

/** The name of an image operation. */
export type ImageOpName = keyof typeof IMAGE_ROUTES;

type Op<N extends ImageOpName> = Operation<N>;

/** `GET /images/json`. */
export function list(
  query: { all?: boolean; digests?: boolean; filters?: Record<string, unknown> } = {},
  extra?: Extra,
): Op<"image.list"> {
  const { filters, ...rest } = query;
  return build(IMAGE_ROUTES, "image.list", {
    query: { ...rest, filters: encodeFilters(filters) },
  }, extra);
}

/** `GET /images/{ref}/json`. */
export function inspect(ref: string, extra?: Extra): Op<"image.inspect"> {
  return build(IMAGE_ROUTES, "image.inspect", { target: ref }, extra);
}

/** `GET /images/{ref}/history`. */
export function history(ref: string, extra?: Extra): Op<"image.history"> {
  return build(IMAGE_ROUTES, "image.history", { target: ref }, extra);
}

/** `POST /images/create?fromImage=&tag=`: a pull (the registry credentials go in `extra.headers`). */
export function pull(
  query: { fromImage: string; tag?: string; platform?: string },
  extra?: Extra,
): Op<"image.create"> {
  return build(IMAGE_ROUTES, "image.create", { query }, extra);
}

/** `POST /images/{ref}/push?tag=`. */
export function push(ref: string, query: { tag?: string } = {}, extra?: Extra): Op<"image.push"> {
  return build(IMAGE_ROUTES, "image.push", { target: ref, query }, extra);
}

/** `POST /images/{ref}/tag?repo=&tag=`. */
export function tag(
  ref: string,
  query: { repo: string; tag?: string },
  extra?: Extra,
): Op<"image.tag"> {
  return build(IMAGE_ROUTES, "image.tag", { target: ref, query }, extra);
}

/** `DELETE /images/{ref}`. */
export function remove(
  ref: string,
  query: { force?: boolean; noprune?: boolean } = {},
  extra?: Extra,
): Op<"image.remove"> {
  return build(IMAGE_ROUTES, "image.remove", { target: ref, query }, extra);
}

/** `POST /images/prune` (`filters` already encoded). */
export function prune(query: { filters?: string } = {}, extra?: Extra): Op<"image.prune"> {
  return build(IMAGE_ROUTES, "image.prune", { query }, extra);
}

/** The query of `POST /build` (`t` repeats; JSON-encoded maps as the engine wants them). */
export type BuildQuery = Record<string, QueryValue>;

/** `POST /build`: the body is the build context, a tar stream. */
export function buildImage(query: BuildQuery, body: unknown, extra?: Extra): Op<"image.build"> {
  return build(IMAGE_ROUTES, "image.build", { query, body }, extra);
}

/** `POST /build/prune`. */
export function buildPrune(
  query: { all?: boolean; filters?: string } = {},
  extra?: Extra,
): Op<"image.build_prune"> {
  return build(IMAGE_ROUTES, "image.build_prune", { query }, extra);
}

/** `POST /commit?container=&repo=&tag=`. */
export function commit(
  query: { container: string; repo?: string; tag?: string; comment?: string; pause?: boolean },
  body?: Record<string, unknown>,
  extra?: Extra,
): Op<"image.commit"> {
  return build(IMAGE_ROUTES, "image.commit", { query, body }, extra);
}
