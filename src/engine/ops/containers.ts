/**
 * Container operations of the Engine API, one typed function each. The only
 * place a container route is written; `{ref}` is the container's name, ID
 * or ID prefix, encoded as one segment when the route is rendered.
 *
 * @module
 */

import { build, encodeFilters, type Extra, type Operation, type QueryValue } from "./operation.ts";

/** The container routes, by operation name. */
export const CONTAINER_ROUTES = {
  "container.list": { method: "GET", path: "/containers/json", target: "none" },
  "container.create": { method: "POST", path: "/containers/create", target: "none" },
  "container.prune": { method: "POST", path: "/containers/prune", target: "none" },
  "container.inspect": { method: "GET", path: "/containers/{ref}/json", target: "container" },
  "container.top": { method: "GET", path: "/containers/{ref}/top", target: "container" },
  "container.logs": { method: "GET", path: "/containers/{ref}/logs", target: "container" },
  "container.changes": { method: "GET", path: "/containers/{ref}/changes", target: "container" },
  "container.export": { method: "GET", path: "/containers/{ref}/export", target: "container" },
  "container.stats": { method: "GET", path: "/containers/{ref}/stats", target: "container" },
  "container.resize": { method: "POST", path: "/containers/{ref}/resize", target: "container" },
  "container.start": { method: "POST", path: "/containers/{ref}/start", target: "container" },
  "container.stop": { method: "POST", path: "/containers/{ref}/stop", target: "container" },
  "container.restart": { method: "POST", path: "/containers/{ref}/restart", target: "container" },
  "container.kill": { method: "POST", path: "/containers/{ref}/kill", target: "container" },
  "container.update": { method: "POST", path: "/containers/{ref}/update", target: "container" },
  "container.rename": { method: "POST", path: "/containers/{ref}/rename", target: "container" },
  "container.pause": { method: "POST", path: "/containers/{ref}/pause", target: "container" },
  "container.unpause": { method: "POST", path: "/containers/{ref}/unpause", target: "container" },
  "container.attach": { method: "POST", path: "/containers/{ref}/attach", target: "container" },
  "container.attach_ws": {
    method: "GET",
    path: "/containers/{ref}/attach/ws",
    target: "container",
  },
  "container.wait": { method: "POST", path: "/containers/{ref}/wait", target: "container" },
  "container.remove": { method: "DELETE", path: "/containers/{ref}", target: "container" },
  "container.archive_stat": {
    method: "HEAD",
    path: "/containers/{ref}/archive",
    target: "container",
  },
  "container.archive_get": {
    method: "GET",
    path: "/containers/{ref}/archive",
    target: "container",
  },
  "container.archive_put": {
    method: "PUT",
    path: "/containers/{ref}/archive",
    target: "container",
  },
  "container.exec": { method: "POST", path: "/containers/{ref}/exec", target: "container" },
} as const;

/** The name of a container operation. */
export type ContainerOpName = keyof typeof CONTAINER_ROUTES;

type Op<N extends ContainerOpName> = Operation<N>;

/** `GET /containers/json`. */
export function list(
  query: { all?: boolean; limit?: number; size?: boolean; filters?: Record<string, unknown> } = {},
  extra?: Extra,
): Op<"container.list"> {
  const { filters, ...rest } = query;
  return build(CONTAINER_ROUTES, "container.list", {
    query: { ...rest, filters: encodeFilters(filters) },
  }, extra);
}

/** `POST /containers/create`: the body is the engine's create body, checked by the policy. */
export function create(
  body: object,
  query: { name?: string; platform?: string } = {},
  extra?: Extra,
): Op<"container.create"> {
  return build(CONTAINER_ROUTES, "container.create", { query, body }, extra);
}

/** `POST /containers/prune` (`filters` already encoded as the engine wants them). */
export function prune(query: { filters?: string } = {}, extra?: Extra): Op<"container.prune"> {
  return build(CONTAINER_ROUTES, "container.prune", { query }, extra);
}

/** `GET /containers/{ref}/json`. */
export function inspect(
  ref: string,
  query: { size?: boolean } = {},
  extra?: Extra,
): Op<"container.inspect"> {
  return build(CONTAINER_ROUTES, "container.inspect", { target: ref, query }, extra);
}

/** `GET /containers/{ref}/top`. */
export function top(
  ref: string,
  query: { ps_args?: string } = {},
  extra?: Extra,
): Op<"container.top"> {
  return build(CONTAINER_ROUTES, "container.top", { target: ref, query }, extra);
}

/** What `GET /containers/{ref}/logs` may be asked. */
export interface LogsQuery {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Unix seconds (fractions allowed, as the engine reads them). */
  since?: number | string;
  until?: number | string;
  timestamps?: boolean;
  tail?: number | "all" | string;
}

/** `GET /containers/{ref}/logs`: the (multiplexed unless TTY) log stream. */
export function logs(ref: string, query: LogsQuery = {}, extra?: Extra): Op<"container.logs"> {
  return build(CONTAINER_ROUTES, "container.logs", {
    target: ref,
    query: query as Record<string, QueryValue>,
  }, extra);
}

/** `GET /containers/{ref}/stats`: one sample (`stream: false`, `one-shot`) or the stream. */
export function stats(
  ref: string,
  query: { stream?: boolean; "one-shot"?: boolean } = {},
  extra?: Extra,
): Op<"container.stats"> {
  return build(CONTAINER_ROUTES, "container.stats", { target: ref, query }, extra);
}

/** `POST /containers/{ref}/start`. */
export function start(ref: string, extra?: Extra): Op<"container.start"> {
  return build(CONTAINER_ROUTES, "container.start", { target: ref }, extra);
}

/** `POST /containers/{ref}/stop` (`t`: seconds before the kill). */
export function stop(
  ref: string,
  query: { t?: number; signal?: string } = {},
  extra?: Extra,
): Op<"container.stop"> {
  return build(CONTAINER_ROUTES, "container.stop", { target: ref, query }, extra);
}

/** `POST /containers/{ref}/restart`. */
export function restart(
  ref: string,
  query: { t?: number; signal?: string } = {},
  extra?: Extra,
): Op<"container.restart"> {
  return build(CONTAINER_ROUTES, "container.restart", { target: ref, query }, extra);
}

/** `POST /containers/{ref}/kill`. */
export function kill(
  ref: string,
  query: { signal?: string } = {},
  extra?: Extra,
): Op<"container.kill"> {
  return build(CONTAINER_ROUTES, "container.kill", { target: ref, query }, extra);
}

/** `POST /containers/{ref}/pause`. */
export function pause(ref: string, extra?: Extra): Op<"container.pause"> {
  return build(CONTAINER_ROUTES, "container.pause", { target: ref }, extra);
}

/** `POST /containers/{ref}/unpause`. */
export function unpause(ref: string, extra?: Extra): Op<"container.unpause"> {
  return build(CONTAINER_ROUTES, "container.unpause", { target: ref }, extra);
}

/** `POST /containers/{ref}/rename?name=`. */
export function rename(ref: string, name: string, extra?: Extra): Op<"container.rename"> {
  return build(CONTAINER_ROUTES, "container.rename", { target: ref, query: { name } }, extra);
}

/** `POST /containers/{ref}/wait`. */
export function wait(
  ref: string,
  query: { condition?: "not-running" | "next-exit" | "removed" } = {},
  extra?: Extra,
): Op<"container.wait"> {
  return build(CONTAINER_ROUTES, "container.wait", { target: ref, query }, extra);
}

/** `DELETE /containers/{ref}`. */
export function remove(
  ref: string,
  query: { force?: boolean; v?: boolean; link?: boolean } = {},
  extra?: Extra,
): Op<"container.remove"> {
  return build(CONTAINER_ROUTES, "container.remove", { target: ref, query }, extra);
}

/** `GET /containers/{ref}/archive?path=`: a tar of a path in the container. */
export function archiveGet(ref: string, path: string, extra?: Extra): Op<"container.archive_get"> {
  return build(CONTAINER_ROUTES, "container.archive_get", { target: ref, query: { path } }, extra);
}

/** `PUT /containers/{ref}/archive?path=`: extracts a tar (the body) into the container. */
export function archivePut(
  ref: string,
  query: { path: string; noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean },
  body: unknown,
  extra?: Extra,
): Op<"container.archive_put"> {
  return build(CONTAINER_ROUTES, "container.archive_put", { target: ref, query, body }, extra);
}

/** `POST /containers/{ref}/exec`: creates an exec (its body is checked by the exec guard). */
export function exec(
  ref: string,
  body: object,
  extra?: Extra,
): Op<"container.exec"> {
  return build(CONTAINER_ROUTES, "container.exec", { target: ref, body }, extra);
}
