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

import type { AnyOperation, OpName } from "../engine/ops/mod.ts";
import { autoRemovalOf, CONFIRM_REMOVAL, removalOf } from "../docker/removals.ts";
import { cancelledByUser } from "./call_guard.ts";

/** Engine methods whose first argument is an operation. */
const REQUEST_METHODS = new Set<PropertyKey>(["request", "json", "text"]);

/** What a create answers as its object's ID or name. */
const CREATES: ReadonlySet<OpName> = new Set<OpName>([
  "container.create",
  "volume.create",
  "network.create",
]);

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
      if (prop === CONFIRM_REMOVAL) return check;
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
