/**
 * Resolving a container the way every handler must: inspect first (the engine
 * resolves names and ID prefixes), then ask the policy about the canonical
 * name, then act on the full ID (docs/security.md rule 2).
 *
 * @module
 */

import { containers } from "../engine/ops/mod.ts";
// Hidden and missing must look the same (DKR-002): one error for both, built as the engine's own 404.
import { containerNotFound } from "../policy/enforce/mod.ts";
import { bareName } from "../guard/formats.ts";
import type { HandlerContext } from "../interpreter/contract.ts";

export { bareName };

/** The parts of `GET /containers/{id}/json` that handlers read. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created?: string;
  Image?: string;
  RestartCount?: number;
  State?: {
    Status?: string;
    Running?: boolean;
    Paused?: boolean;
    Restarting?: boolean;
    OOMKilled?: boolean;
    Dead?: boolean;
    Pid?: number;
    ExitCode?: number;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status?: string; FailingStreak?: number; Log?: { Output?: string }[] };
  };
  Config?: {
    Tty?: boolean;
    Image?: string;
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Labels?: Record<string, string> | null;
  };
  [key: string]: unknown;
}

/**
 * Throws the "not found" error when the policy hides the container of this
 * name. Through the policy engine (every call of berth's) the inspect that
 * gave the name was checked already, once, by its target
 * (src/policy/enforce/): the name is judged here only for a plain client
 * (embedding, tests), so no call judges one container twice.
 */
export function assertContainerVisible(
  ctx: Pick<HandlerContext, "engine" | "policy">,
  id: string,
  engineName: unknown,
): void {
  if (ctx.engine.checksTargets) return;
  if (!ctx.policy.containerVisible(bareName(engineName))) throw containerNotFound(id);
}

/** Inspects a container by name, ID or prefix and checks that the policy lets it be seen. */
export async function inspectVisibleContainer(
  ctx: Pick<HandlerContext, "engine" | "policy" | "signal">,
  id: string,
): Promise<ContainerInspect> {
  const info = await ctx.engine.json<ContainerInspect>(
    containers.inspect(id, {}, { signal: ctx.signal, errors: { 404: "container_not_found" } }),
  );
  // An empty answer has no name to check: it cannot be shown.
  if (!info?.Id) throw containerNotFound(id);
  assertContainerVisible(ctx, id, info.Name);
  return info;
}
