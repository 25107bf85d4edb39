/**
 * What a route tool's manifest adds around its one engine call: the
 * variables its output expressions read (`$args`, `$api_version`), the hints
 * its `response.hints` give engine errors, and the start-up check that every
 * filter and transform it names exists.
 *
 * @module
 */

import { BerthError, type ErrorType, isBerthError } from "../errors/mod.ts";
import { outputFilterNames } from "../manifest/mod.ts";
import type {
  AlsoSpec,
  BeforeSpec,
  ErrorHint,
  FieldSpec,
  OutputSpec,
  ToolSpec,
} from "../manifest/types.ts";
import { callRedactor } from "./call_guard.ts";
import type { HandlerContext } from "./contract.ts";
import { FILTERS, isTrue } from "./filters.ts";
import type { Args } from "./input.ts";
import { planRequest, routeOfTool } from "./plan.ts";
import { evaluateWith, pick, type ShapeVars } from "./shape.ts";
import { TRANSFORMS } from "../docker/transforms.ts";

const readsApiVersion = new WeakMap<OutputSpec, boolean>();

/**
 * The variables of a call's output: its arguments as validated (defaults
 * applied), and the API version in use when the output reads it (asked only
 * then: the engine negotiates it once).
 */
export async function shapeVars(ctx: HandlerContext): Promise<ShapeVars> {
  const output = ctx.spec.output;
  let reads = readsApiVersion.get(output);
  if (reads === undefined) {
    readsApiVersion.set(output, reads = JSON.stringify(output).includes("$api_version"));
  }
  const vars: ShapeVars = { args: ctx.args, policy: policyVars(ctx) };
  if (reads) vars.api_version = await ctx.engine.apiVersion(ctx.signal);
  return vars;
}

/** What `$policy` tells an expression: whether container name lists hide containers. */
function policyVars(ctx: HandlerContext): Record<string, unknown> {
  return { filters_containers: ctx.policy.filtersContainers };
}

/**
 * The answers of `request.also` (GET routes read beside the main one), by
 * name; one whose `when` is false is not read. Planned like the main route
 * (src/interpreter/plan.ts checks every path parameter).
 */
export async function fetchAlso(ctx: HandlerContext, args: Args): Promise<ShapeVars> {
  const also = Object.entries(ctx.spec.request?.also ?? {});
  if (!also.length) return {};
  const scope = { args, policy: policyVars(ctx) };
  const answers = await Promise.all(also.map(async ([name, route]) => {
    if (route.when && !isTrue(evaluateWith(route.when, scope))) return [name, undefined];
    const plan = planRequest(alsoTool(ctx.spec, route), args);
    return [name, await ctx.engine.json({ ...plan, signal: ctx.signal })];
  }));
  return Object.fromEntries(answers);
}

/**
 * A tool's `request.before` or `request.also` route as a route tool of its
 * own, made once (so its route is matched once).
 */
const SIDE_TOOLS = new WeakMap<AlsoSpec | BeforeSpec, ToolSpec>();

function alsoTool(spec: ToolSpec, route: AlsoSpec | BeforeSpec): ToolSpec {
  let tool = SIDE_TOOLS.get(route);
  if (!tool) {
    const query = "query" in route ? route.query : undefined;
    tool = {
      ...spec,
      request: { method: "GET", path: route.path, ...(query ? { query } : {}) },
      response: { kind: "json", errors: route.errors },
    };
    SIDE_TOOLS.set(route, tool);
  }
  return tool;
}

/**
 * Matches a tool's routes against the operation table once, at load: its
 * `request` and each of its `request.before` and `request.also` (a manifest
 * error names the one no Engine API operation has).
 */
export function checkRoutes(spec: ToolSpec): void {
  if (!spec.request) return;
  routeOfTool(spec);
  const side = [
    ...Object.values(spec.request.before ?? {}),
    ...Object.values(spec.request.also ?? {}),
  ];
  for (const route of side) routeOfTool(alsoTool(spec, route));
}

/** The manifest's hint for an engine error of this status and message, if it has one. */
function hintFor(spec: ToolSpec, error: BerthError): ErrorHint | undefined {
  const hints = error.status === undefined ? undefined : spec.response?.hints?.[error.status];
  if (hints === undefined) return undefined;
  if (typeof hints === "string") return { hint: hints };
  const message = error.message.toLowerCase();
  return hints.find((h) => {
    const texts = h.contains === undefined ? [] : [h.contains].flat();
    return !texts.length || texts.some((t) => message.includes(t.toLowerCase()));
  });
}

/**
 * The call's answer; an engine error the manifest has a hint for carries that
 * hint (and the hint's type, where it gives one).
 */
export async function withHints<T>(spec: ToolSpec, answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    const hint = isBerthError(error) ? hintFor(spec, error) : undefined;
    if (!hint || !isBerthError(error)) throw error;
    throw new BerthError((hint.type ?? error.type) as ErrorType, error.message, {
      hint: hint.hint,
      context: error.context,
      status: error.status,
    });
  }
}

/**
 * The answers of `request.before`, read one after the other, and the
 * arguments the tool's route is then planned with: each `sets` input takes
 * the value found in its answer (a full ID), which planning checks again.
 */
export async function fetchBefore(
  ctx: HandlerContext,
  args: Args,
): Promise<{ args: Args; vars: ShapeVars }> {
  const before = Object.entries(ctx.spec.request?.before ?? {});
  if (!before.length) return { args, vars: {} };
  const planned = { ...args };
  const vars: ShapeVars = {};
  const redact = callRedactor(ctx.engine);
  for (const [name, route] of before) {
    const spec = alsoTool(ctx.spec, route);
    // Redacted before `sets` reads it: a value set goes into a route, and the engine's
    // "No such container: <value>" would carry a secret (a label, an argv word) out.
    const answer = redact(
      await ctx.engine.json({ ...planRequest(spec, planned), signal: ctx.signal }),
    );
    vars[name] = answer;
    for (const [input, path] of Object.entries(route.sets ?? {})) {
      const value = pick(answer, path);
      planned[input] = typeof value === "string" ? value : undefined;
    }
  }
  return { args: planned, vars };
}

/** Transforms named by fields (nested ones too) that berth lacks. */
export function unknownTransforms(fields: Record<string, FieldSpec> | undefined): string[] {
  return Object.entries(fields ?? {}).flatMap(([name, field]) => [
    ...(field.transform && !TRANSFORMS[field.transform]
      ? [`transform '${field.transform}' (field ${name})`]
      : []),
    ...unknownTransforms(field.fields),
  ]);
}

/** Filters an output's expressions and templates name that berth lacks. */
export function unknownFilters(output: OutputSpec): string[] {
  return outputFilterNames(output).filter((name) => !FILTERS[name]);
}
