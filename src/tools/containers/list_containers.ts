/**
 * `docker_list_containers`: the declarative fields, minus containers the
 * policy hides. The engine applies `limit` before berth can filter, so when a
 * limited list lost hidden entries it is fetched again without the limit and
 * cut after filtering: a limit of 5 still gives 5 visible containers.
 *
 * @module
 */

import type { Shaper } from "../../interpreter/contract.ts";
import { planRequest } from "../../interpreter/plan.ts";
import { shapeDeclarative } from "../../interpreter/shape.ts";
import { TRANSFORMS } from "../../interpreter/transforms.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

type Listed = Record<string, unknown>;

function visible(items: Listed[], ctx: HandlerContext): Listed[] {
  return items.filter((c) =>
    ctx.policy.containerVisible(String(TRANSFORMS.container_name(c.Names, c) ?? ""))
  );
}

/** Filters hidden containers, keeping `limit` honest, then applies the manifest's fields. */
export const containerList: Shaper = async (data, ctx) => {
  const items = Array.isArray(data) ? (data as Listed[]) : [];
  let shown = visible(items, ctx);
  const limit = ctx.args.limit;
  if (typeof limit === "number" && shown.length < items.length) {
    // `limit` implies stopped containers too (the engine's rule), so ask for all of them.
    const plan = planRequest(ctx.spec, { ...ctx.args, limit: undefined, all: true });
    const everything = await ctx.engine.json<Listed[]>({ ...plan, signal: ctx.signal });
    shown = visible(everything ?? [], ctx).slice(0, limit);
  }
  return shapeDeclarative(ctx.spec.output, shown);
};
