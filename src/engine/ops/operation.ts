/**
 * What an Engine API operation is, as data: its name, method and target, its
 * query and body. Tools build operations with the typed functions of this
 * folder (containers.ts, images.ts …); the engine client renders the route
 * from the operation's (resolved) target and sends it; the policy checks an
 * operation by its name, its target and its body before that
 * (src/policy/enforce/), never by a URL string read back.
 *
 * @module
 */

import type { StatusOverrides } from "../errors.ts";

export type { StatusOverrides };

/** Query values; arrays repeat the key, undefined drops it. */
export type QueryValue = string | number | boolean | undefined | string[];

/** The HTTP methods of the Engine API. */
export type Method = "GET" | "HEAD" | "POST" | "PUT" | "DELETE";

/** The kinds of object an operation can name in its route. */
export type TargetKind =
  | "container"
  | "image"
  | "network"
  | "volume"
  | "exec"
  | "service"
  | "node"
  | "task"
  | "secret"
  | "config";

/** What an operation acts on: one object named by its reference, or none (lists, creates). */
export type Target = { kind: "none" } | { kind: TargetKind; ref: string };

/** No target: a collection route, a create, a system route. */
export const NO_TARGET: Target = Object.freeze({ kind: "none" });

/**
 * One route of the table: its method, its path template (`{ref}` marks the
 * target's one slot) and the kind of object the slot names.
 */
export interface Route {
  readonly method: Method;
  readonly path: string;
  readonly target: TargetKind | "none";
  /** False for `/_ping`, the one route outside the API version prefix. */
  readonly versioned?: false;
}

/** The routes of one group, by operation name. */
export type RouteTable = Readonly<Record<string, Route>>;

/** One Engine API operation, ready to be checked and sent. */
export interface Operation<N extends string = string> {
  readonly name: N;
  readonly method: Method;
  readonly target: Target;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** A JSON value, raw bytes, or a stream (tar archives). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Operation-specific renaming of statuses. */
  readonly errors?: StatusOverrides;
  /** Non-2xx statuses that mean success here (304 "already started"). */
  readonly accept?: readonly number[];
}

/** What a caller may add to an operation: the call's signal, statuses, headers. */
export interface Extra {
  signal?: AbortSignal;
  errors?: StatusOverrides;
  headers?: Record<string, string>;
  accept?: number[];
}

/** The parts of an operation its builder fills. */
export interface Parts {
  target?: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/** Builds an operation of a table's route; `extra` carries the call's own options. */
export function build<T extends RouteTable, N extends keyof T & string>(
  table: T,
  name: N,
  parts: Parts = {},
  extra: Extra = {},
): Operation<N> {
  const route = table[name];
  const target: Target = route.target === "none"
    ? NO_TARGET
    : { kind: route.target, ref: parts.target ?? "" };
  const op: Operation<N> = {
    name,
    method: route.method,
    target,
    ...(parts.query ? { query: dropUndefined(parts.query) } : {}),
    ...(parts.body !== undefined ? { body: parts.body } : {}),
    ...extra,
  };
  return op;
}

function dropUndefined(query: Record<string, QueryValue>): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * A target reference as one route segment: encoded whole, so a name can never
 * add a segment, a query or a fragment (docs/security.md rule 1). An image
 * reference keeps its `/`, `:` and `@` (the engine's image routes take it
 * whole); a `.` or `..` part then changes the URL, which the client refuses.
 */
export function encodeRef(kind: TargetKind, ref: string): string {
  if (kind !== "image") return encodeURIComponent(ref);
  return ref.split("/").map((part) =>
    encodeURIComponent(part).replaceAll("%3A", ":").replaceAll("%40", "@")
  ).join("/");
}

/** Renders a route template with a target (the resolved one, once the policy has run). */
export function renderRoute(route: Route, target: Target): string {
  if (route.target === "none") return route.path;
  if (target.kind !== route.target) {
    throw new Error(`Operation target is a ${target.kind}, the route wants a ${route.target}`);
  }
  return route.path.replace("{ref}", encodeRef(target.kind, target.ref));
}

/**
 * The engine's filters are `{"key": ["v1", "v2"]}`; users also write
 * `{"key": "v"}` or `{"key": true}` (dangling), so normalise to arrays.
 */
export function encodeFilters(filters: Record<string, unknown> | undefined): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(filters)) {
    out[key] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return JSON.stringify(out);
}
