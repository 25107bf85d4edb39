/**
 * The Engine API operations berth knows, one typed function each, grouped by
 * object (`containers.logs(ref, { tail })`, `images.pull(…)` …), and the one
 * table of their routes. This folder is the only place in `src/` where an
 * Engine route string is written (tests/unit/route_literals_test.ts holds
 * the rest of `src/` to that).
 *
 * @module
 */

import { CONTAINER_ROUTES } from "./containers.ts";
import { EXEC_ROUTES } from "./exec.ts";
import { IMAGE_ROUTES } from "./images.ts";
import { NETWORK_ROUTES } from "./networks.ts";
import { type Operation, renderRoute, type Route, type Target } from "./operation.ts";
import { SWARM_ROUTES } from "./swarm.ts";
import { SYSTEM_ROUTES } from "./system.ts";
import { VOLUME_ROUTES } from "./volumes.ts";

export * from "./operation.ts";
export * as containers from "./containers.ts";
export * as exec from "./exec.ts";
export * as images from "./images.ts";
export * as networks from "./networks.ts";
export * as swarm from "./swarm.ts";
export * as system from "./system.ts";
export * as volumes from "./volumes.ts";

/** Every route, by operation name. */
export const ROUTES = {
  ...CONTAINER_ROUTES,
  ...EXEC_ROUTES,
  ...IMAGE_ROUTES,
  ...NETWORK_ROUTES,
  ...SWARM_ROUTES,
  ...SYSTEM_ROUTES,
  ...VOLUME_ROUTES,
} as const satisfies Record<string, Route>;

/** The name of an operation: a closed union, so a check can be required for each. */
export type OpName = keyof typeof ROUTES;

/** Any operation berth can send. */
export type AnyOperation = Operation<OpName>;

/** The route of an operation, rendered with its (resolved) target. */
export function routeOf(op: Pick<AnyOperation, "name" | "target">): string {
  return renderRoute(ROUTES[op.name], op.target);
}

/** True when the operation's route is outside the API version prefix (`/_ping`). */
export function unversioned(op: Pick<AnyOperation, "name">): boolean {
  return (ROUTES[op.name] as Route).versioned === false;
}

/** `GET /containers/{ref}/json` → `GET /containers/web/json`: for messages and contexts. */
export function describeOperation(op: AnyOperation): string {
  return `${op.method} ${routeOf(op)}`;
}

/** A manifest route matched to an operation: its name and how its target is given. */
export interface RouteMatch {
  name: OpName;
  /** The manifest's path parameter in the target slot; absent when the slot is written out. */
  param?: string;
  /** The target written literally in the manifest's path (`/containers/web/json`). */
  literal?: string;
}

const PARAM = /^\{([^{}]+)\}$/;

/**
 * Matches a manifest route (`GET /containers/{container_id}/logs`) against
 * the operation table, segment by segment: literal segments must be equal,
 * and the table's `{ref}` slot takes the manifest's parameter (or a literal
 * name). A route with a literal segment wins over one with the slot there
 * (`/containers/json` is the list, not the inspect of a container "json").
 * Undefined when no operation has this route: the manifest is refused at
 * load (src/manifest/loader.ts says why).
 */
export function matchRoute(method: string, template: string): RouteMatch | undefined {
  const segments = template.split("/");
  let best: RouteMatch | undefined;
  for (const [name, route] of Object.entries(ROUTES) as [OpName, Route][]) {
    if (route.method !== method.toUpperCase()) continue;
    const want = route.path.split("/");
    if (want.length !== segments.length) continue;
    let match: RouteMatch | undefined = { name };
    for (let i = 0; i < want.length && match; i++) {
      if (want[i] === "{ref}") {
        const param = PARAM.exec(segments[i]);
        match = param ? { ...match, param: param[1] } : { ...match, literal: segments[i] };
      } else if (want[i] !== segments[i]) {
        match = undefined;
      }
    }
    if (!match) continue;
    if (match.param === undefined && match.literal === undefined) return match; // all literal
    best ??= match;
  }
  return best;
}

/** The operation of a matched route, its target given. */
export function operationOf(
  match: RouteMatch,
  ref: string | undefined,
  parts: Pick<AnyOperation, "query" | "body" | "errors" | "signal">,
): AnyOperation {
  const route = ROUTES[match.name] as Route;
  const target: Target = route.target === "none"
    ? { kind: "none" }
    : { kind: route.target, ref: ref ?? match.literal ?? "" };
  return { name: match.name, method: route.method, target, ...parts };
}
