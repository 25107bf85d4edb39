/**
 * Volume operations of the Engine API, one typed function each. The only
 * place a volume route is written.
 *
 * @module
 */

import { build, encodeFilters, type Extra, type Operation } from "./operation.ts";

/** The volume routes, by operation name. */
export const VOLUME_ROUTES = {
  "volume.list": { method: "GET", path: "/volumes", target: "none" },
  "volume.create": { method: "POST", path: "/volumes/create", target: "none" },
  "volume.prune": { method: "POST", path: "/volumes/prune", target: "none" },
  "volume.inspect": { method: "GET", path: "/volumes/{ref}", target: "volume" },
  "volume.remove": { method: "DELETE", path: "/volumes/{ref}", target: "volume" },
} as const;

/** The name of a volume operation. */
export type VolumeOpName = keyof typeof VOLUME_ROUTES;

type Op<N extends VolumeOpName> = Operation<N>;

/** `GET /volumes`. */
export function list(filters?: Record<string, unknown>, extra?: Extra): Op<"volume.list"> {
  return build(VOLUME_ROUTES, "volume.list", { query: { filters: encodeFilters(filters) } }, extra);
}

/** `POST /volumes/create`: its driver options are checked by the policy. */
export function create(body: Record<string, unknown>, extra?: Extra): Op<"volume.create"> {
  return build(VOLUME_ROUTES, "volume.create", { body }, extra);
}

/** `GET /volumes/{ref}`. */
export function inspect(name: string, extra?: Extra): Op<"volume.inspect"> {
  return build(VOLUME_ROUTES, "volume.inspect", { target: name }, extra);
}

/** `DELETE /volumes/{ref}`. */
export function remove(
  name: string,
  query: { force?: boolean } = {},
  extra?: Extra,
): Op<"volume.remove"> {
  return build(VOLUME_ROUTES, "volume.remove", { target: name, query }, extra);
}

/** `POST /volumes/prune` (`filters` already encoded). */
export function prune(query: { filters?: string } = {}, extra?: Extra): Op<"volume.prune"> {
  return build(VOLUME_ROUTES, "volume.prune", { query }, extra);
}
