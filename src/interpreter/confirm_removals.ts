/**
 * The confirmation backstop: whichever tool sends it, a request that removes
 * something that existed before the call (a `DELETE` route, a prune) asks the
 * user first, unless the call was confirmed up front (`needsConfirmation` in
 * call_guard.ts). A compose up that recreates a changed service removes the
 * old container; `remove_orphans` removes orphans; a handler added later may
 * remove something nobody listed: all are asked about here, because every
 * engine request of a call passes this wrapper (docs/security.md,
 * "Confirmation of destructive calls").
 *
 * Objects the call itself created (a container it made and cleans up after a
 * failed start) are not asked about. One answer covers the rest of the call.
 *
 * @module
 */

import { type AnyOperation, containers, type OpName, routeOf } from "../engine/ops/mod.ts";
import { cancelledByUser } from "./call_guard.ts";

/** Engine methods whose first argument is an operation. */
const REQUEST_METHODS = new Set<PropertyKey>(["request", "json", "text"]);

/** The prunes, and what each removes. */
const PRUNES: Partial<Record<OpName, string>> = {
  "container.prune": "containers",
  "image.prune": "images",
  "volume.prune": "volumes",
  "network.prune": "networks",
  "image.build_prune": "build",
};

/** What a create answers as its object's ID or name. */
const CREATES: ReadonlySet<OpName> = new Set<OpName>([
  "container.create",
  "volume.create",
  "network.create",
]);

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
  await (engine as { confirmRemoval?: (op: AnyOperation) => Promise<void> }).confirmRemoval?.(op);
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

function createdId(op: AnyOperation, answer: unknown): string | undefined {
  if (!CREATES.has(op.name) || !answer) return undefined;
  const a = answer as { Id?: string; Name?: string };
  return a.Id ?? a.Name;
}

/**
 * The engine as an unconfirmed call sees it: a removal of anything the call
 * did not create waits for `ask` (true only on an explicit yes) and answers
 * `DKR-007 Cancelled by the user` otherwise, before the operation is sent.
 */
export function confirmingRemovals<E extends object>(
  engine: E,
  ask: (what: string) => Promise<boolean>,
): E {
  const created = new Set<string>();
  let answer: Promise<boolean> | undefined;
  const check = async (op: AnyOperation) => {
    if (op.target.kind !== "none" && created.has(op.target.ref)) return;
    const what = removalOf(op) ??
      await autoRemovalOf(engine as unknown as Parameters<typeof autoRemovalOf>[0], op);
    if (what === undefined) return;
    answer ??= ask(what);
    if (!(await answer)) throw cancelledByUser();
  };
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === "confirmRemoval") return check;
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (!REQUEST_METHODS.has(prop)) return value.bind(target);
      return async (op: AnyOperation, ...rest: unknown[]) => {
        await check(op);
        const result = await value.call(target, op, ...rest);
        const id = prop === "json" ? createdId(op, result) : undefined;
        if (id) created.add(id);
        return result;
      };
    },
  });
}
