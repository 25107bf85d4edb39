/**
 * Planning: validated arguments + a manifest route → one typed engine
 * operation. A tool's route is matched against the operation table once, when
 * the tool is loaded (src/engine/ops/: segment by segment, its `{param}` in
 * the operation's target slot); a call then only fills the target from its
 * argument, never parses a path. Path parameters are checked again here,
 * independent of input validation, because a wrong target reaches another
 * object (docs/security.md rule 1).
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import {
  type AnyOperation,
  encodeFilters,
  matchRoute,
  operationOf,
  type QueryValue,
  type RouteMatch,
  ROUTES,
} from "../engine/ops/mod.ts";
import type { ErrorType } from "../errors/mod.ts";
import type { ParamSpec, QueryMapping, ToolSpec } from "../manifest/types.ts";
import { checkFormat, FORMAT_DESCRIPTIONS, parseBytes, parseTime } from "../guard/formats.ts";
import { levelOfOperation } from "../policy/enforce/mod.ts";
import { READ_METHODS } from "../manifest/types.ts";
import type { Args } from "./input.ts";

export { encodeFilters };

/** The operation of each loaded route tool, matched once. */
const MATCHED = new WeakMap<ToolSpec, RouteMatch>();

/**
 * The operation a route tool's manifest names, matched against the table
 * once per loaded tool. A route no operation has is a manifest error naming
 * `request.path` and the fix: berth checks operations by their meaning, and a
 * route it does not know has none it could check, so it is refused at load
 * rather than sent unchecked (docs/architecture.md, "A route in a manifest").
 */
export function routeOfTool(spec: ToolSpec): RouteMatch {
  const known = MATCHED.get(spec);
  if (known) return known;
  const request = spec.request;
  if (!request) throw new Error(`${spec.name} has no request`);
  const match = matchRoute(request.method, request.path);
  if (!match) {
    throw new BerthError(
      "invalid_input",
      `${spec.source}: request.path: no Engine API operation berth knows is ` +
        `${request.method} ${request.path}`,
      {
        hint: "Use an Engine API route as the docker CLI sends it, its object as a {param} " +
          "(e.g. GET /containers/{container_id}/top; the table of routes is in " +
          "src/engine/ops/), or name a handler",
      },
    );
  }
  checkDeclaredTarget(spec, match);
  checkReadLevel(spec, match);
  MATCHED.set(spec, match);
  return match;
}

/**
 * A route belongs to a level (docs/security.md rule 4): a change to its own
 * (lifecycle, create, exec, images …), and a GET that reads more than the
 * engine's state (a container's files, an image's layers, a registry) to
 * exec or images. Levels are separate grants, so a tool of another level may
 * not name it. The policy engine refuses the reads in a read-level call too.
 */
function checkReadLevel(spec: ToolSpec, match: RouteMatch): void {
  const route = ROUTES[match.name];
  // A read tool that writes is the loader's to refuse, and the policy engine's at call time
  // (DKR-007, audited), whoever built the tool.
  if (spec.permission === "read" && !READ_METHODS.has(route.method)) return;
  const level = levelOfOperation(match.name, route.method);
  if (level === undefined || spec.permission === level) return;
  const what = READ_METHODS.has(route.method) ? "reads more than the engine's state" : "changes";
  throw new BerthError(
    "invalid_input",
    `${spec.source}: permission: ${spec.permission}, but ${match.name} ` +
      `(${route.method} ${route.path}) ${what}: declare permission: ${level}`,
    { hint: `Declare permission: ${level}, the level of the built-in tools that send it` },
  );
}

/**
 * `request.target` names what the policy checks; for the route's own object
 * it must name the kind the operation acts on (`target: { image: x }` on a
 * container route would describe a check that is not the one made).
 */
function checkDeclaredTarget(spec: ToolSpec, match: RouteMatch): void {
  const kind = ROUTES[match.name].target;
  for (const [declared, param] of Object.entries(spec.request?.target ?? {})) {
    if (param !== match.param || declared === kind) continue;
    throw new BerthError(
      "invalid_input",
      `${spec.source}: request.target.${declared}: '${param}' names the route's ${kind}, ` +
        `not a ${declared}`,
      { hint: `Write target: { ${kind}: ${param} }, the object ${match.name} acts on` },
    );
  }
}

/** The value of each `{param}` of a route template, refusing any that is not a safe name or reference. */
export function pathArguments(
  template: string,
  args: Args,
  input: Record<string, ParamSpec>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name] of template.matchAll(/\{([^}]+)\}/g)) {
    const value = args[name];
    const format = input[name]?.format;
    if (typeof value !== "string" || (format !== "name_or_id" && format !== "image_ref")) {
      throw new BerthError("invalid_input", `Parameter '${name}' is required`, {
        hint: `Give '${name}' as a string`,
      });
    }
    if (!checkFormat(format, value)) {
      throw new BerthError(
        "invalid_input",
        `Parameter '${name}' must be ${FORMAT_DESCRIPTIONS[format]}`,
        {
          hint: `Pass the exact name or ID as shown by the list tools`,
        },
      );
    }
    out[name] = value;
  }
  return out;
}

/** Encodes a value for the engine per the mapping's `encode`. */
function encodeValue(value: unknown, encode?: string): QueryValue | unknown {
  switch (encode) {
    case "json":
      return JSON.stringify(value);
    case "filters":
      return encodeFilters(value as Record<string, unknown>);
    case "csv":
      return Array.isArray(value) ? value.join(",") : String(value);
    case "unix_time":
      return parseTime(value as string | number);
    case "bytes":
      return parseBytes(value as string | number);
    default:
      return value;
  }
}

function mapValues(
  mappings: Record<string, QueryMapping> | undefined,
  args: Args,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, mapping] of Object.entries(mappings ?? {})) {
    if (typeof mapping === "string") {
      if (args[mapping] !== undefined) out[key] = args[mapping];
    } else if ("value" in mapping) {
      out[key] = mapping.value;
    } else if (args[mapping.from] !== undefined) {
      const encoded = encodeValue(args[mapping.from], mapping.encode);
      if (encoded !== undefined) out[key] = encoded;
    }
  }
  return out;
}

/** Builds the operation of a route tool from its (validated) arguments. */
export function planRequest(spec: ToolSpec, args: Args): AnyOperation {
  const request = spec.request;
  if (!request) throw new Error(`${spec.name} has no request`);
  const match = routeOfTool(spec);
  const errors: Partial<Record<number, ErrorType>> = {};
  for (const [status, type] of Object.entries(spec.response?.errors ?? {})) {
    errors[Number(status)] = type as ErrorType;
  }
  const values = pathArguments(request.path, args, spec.input);
  const query = mapValues(request.query, args) as Record<string, QueryValue>;
  const body = request.body ? mapValues(request.body, args) : undefined;
  const ref = match.param === undefined ? undefined : values[match.param];
  return operationOf(match, ref, { query, body, errors });
}
