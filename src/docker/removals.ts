/**
 * What an engine operation removes, in words, for the confirmation of
 * destructive calls (docs/security.md, "Confirmation of destructive calls"):
 * deletes, prunes, and the stop or kill of a container started with
 * auto-remove. Docker knowledge with no MCP in it; the interpreter's backstop
 * (src/interpreter/confirm_removals.ts) asks the user about what it names.
 *
 * @module
 */

import { type AnyOperation, containers, type OpName, routeOf } from "../engine/ops/mod.ts";

/**
 * The method a confirming engine answers (src/interpreter/confirm_removals.ts)
 * to ask about a removal before it is sent.
 */
export const CONFIRM_REMOVAL = "confirmRemoval";

/** The prunes, and what each removes. */
const PRUNES: Partial<Record<OpName, string>> = {
  "container.prune": "containers",
  "image.prune": "images",
  "volume.prune": "volumes",
  "network.prune": "networks",
  "image.build_prune": "build",
};

/** The kinds of object whose removal is named in words. */
const NAMED = new Set(["container", "image", "volume", "network"]);

/** What an operation removes, in words, or undefined when it removes nothing. */
export function removalOf(op: AnyOperation): string | undefined {
  const prune = PRUNES[op.name];
  if (prune) return `unused ${prune} (prune)`;
  if (op.method !== "DELETE") return undefined;
  const { target } = op;
  if (target.kind === "none" || !NAMED.has(target.kind)) return `${routeOf(op)} (DELETE)`;
  return `${target.kind} ${target.ref}`;
}

/**
 * Asks now about a removal the handler will send later, for work that must not
 * start without the answer (compose stops a container before removing it: a
 * "no" must leave it running). A no-op where the call is not guarded.
 */
export async function confirmRemoval(engine: object, op: AnyOperation): Promise<void> {
  const guarded = engine as { [CONFIRM_REMOVAL]?: (op: AnyOperation) => Promise<void> };
  await guarded[CONFIRM_REMOVAL]?.(op);
}

/**
 * What a stop or kill removes: a container started with auto-remove (`--rm`)
 * is deleted by the engine as soon as it exits, so stopping it is removing it.
 * Undefined for any other operation, and for a container without auto-remove.
 */
export async function autoRemovalOf(
  engine: { json<T>(op: AnyOperation): Promise<T> },
  op: AnyOperation,
): Promise<string | undefined> {
  if (op.name !== "container.stop" && op.name !== "container.kill") return undefined;
  if (op.target.kind !== "container") return undefined;
  const ref = op.target.ref;
  const info = await engine.json<{ HostConfig?: { AutoRemove?: boolean } }>(
    containers.inspect(ref, {}, { signal: op.signal }),
  ).catch(() => undefined); // a missing container removes nothing: the stop itself will say so
  if (!info?.HostConfig?.AutoRemove) return undefined;
  const verb = op.name === "container.stop" ? "stop" : "kill";
  return `container ${ref} (started with auto-remove: the ${verb} removes it)`;
}
