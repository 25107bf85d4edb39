/**
 * Resolving a network the way handlers must: inspect first (the engine
 * accepts names and ID prefixes), then act on the full ID (docs/security.md
 * rule 2). Also sending a change to a network, with the error re-typing
 * that network routes need: the engine answers 403 for states that are
 * conflicts.
 *
 * @module
 */

import { networks, type Operation } from "../engine/ops/mod.ts";
import { BerthError, isBerthError } from "../errors/mod.ts";
import type { HandlerContext } from "../interpreter/contract.ts";

/** The parts of `GET /networks/{id}` that handlers read. */
export interface NetworkInspect {
  Id: string;
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Containers?: Record<string, { Name?: string }> | null;
}

/** Inspects a network by name, ID or prefix (404 → DKR-011). */
export async function inspectNetwork(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  network: string,
): Promise<NetworkInspect> {
  return await ctx.engine.json<NetworkInspect>(
    networks.inspect(network, {}, { signal: ctx.signal, errors: { 404: "not_found" } }),
  );
}

const CONFLICT = /active endpoints|already exists|is not connected|already attached|in use/i;

/**
 * Network routes answer 403 (and sometimes 500) for "has active endpoints",
 * "already exists in network" and "is not connected": those are conflicts
 * (DKR-010), not a refusal of berth's rights.
 */
export function networkConflict(error: unknown, hint: string): unknown {
  if (!isBerthError(error) || !CONFLICT.test(error.message)) return error;
  if (!["permission_denied", "engine_error", "conflict"].includes(error.type)) return error;
  return new BerthError("conflict", error.message, {
    context: error.context,
    status: error.status,
    hint,
  });
}

/**
 * Sends a change to a network (connect, disconnect, delete) and drains the
 * answer. 404 → DKR-011; a conflict the engine reports as 403/500 → DKR-010
 * with `conflictHint`.
 */
export async function changeNetwork(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  op: Operation<"network.connect" | "network.disconnect" | "network.remove">,
  conflictHint: string,
): Promise<void> {
  try {
    const response = await ctx.engine.request({
      ...op,
      signal: ctx.signal,
      errors: { 404: "not_found" },
    });
    await response.body?.cancel();
  } catch (error) {
    throw networkConflict(error, conflictHint);
  }
}
