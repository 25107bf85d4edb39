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

import type { EngineRequest } from "../engine/client.ts";
import { cancelledByUser } from "./call_guard.ts";

/** Engine methods whose first argument is an EngineRequest. */
const REQUEST_METHODS = new Set<PropertyKey>(["request", "json", "text"]);

const PRUNE = /^\/(containers|images|volumes|networks|build)\/prune$/;
const CREATE = /^\/(containers|volumes|networks)\/create$/;
const OBJECT = /^\/(containers|images|volumes|networks)\/([^/]+)$/;
/** A stop or kill: it removes the container too when the container was started with auto-remove. */
const STOP = /^\/containers\/([^/]+)\/(stop|kill)$/;

/** What a request removes, in words, or undefined when it removes nothing. */
export function removalOf(req: Pick<EngineRequest, "method" | "path">): string | undefined {
  const prune = PRUNE.exec(req.path);
  if (req.method === "POST" && prune) return `unused ${prune[1]} (prune)`;
  if (req.method !== "DELETE") return undefined;
  const object = OBJECT.exec(req.path);
  if (!object) return `${req.path} (DELETE)`;
  let name = object[2];
  try {
    name = decodeURIComponent(name);
  } catch { /* shown as sent */ }
  return `${object[1].replace(/s$/, "")} ${name}`;
}

/**
 * Asks now about a removal the handler will send later, for work that must not
 * start without the answer (compose stops a container before removing it: a
 * "no" must leave it running). A no-op where the call is not guarded.
 */
export async function confirmRemoval(
  engine: object,
  req: Pick<EngineRequest, "method" | "path">,
): Promise<void> {
  await (engine as { confirmRemoval?: (r: typeof req) => Promise<void> }).confirmRemoval?.(req);
}

/**
 * What a stop or kill removes: a container started with auto-remove (`--rm`)
 * is deleted by the engine as soon as it exits, so stopping it is removing it.
 * Undefined for any other request, and for a container without auto-remove.
 */
export async function autoRemovalOf(
  engine: { json<T>(req: EngineRequest): Promise<T> },
  req: Pick<EngineRequest, "method" | "path" | "signal">,
): Promise<string | undefined> {
  const stop = req.method === "POST" ? STOP.exec(req.path) : null;
  if (!stop) return undefined;
  const info = await engine.json<{ HostConfig?: { AutoRemove?: boolean } }>({
    method: "GET",
    path: `/containers/${stop[1]}/json`,
    signal: req.signal,
  }).catch(() => undefined); // a missing container removes nothing: the stop itself will say so
  if (!info?.HostConfig?.AutoRemove) return undefined;
  let name = stop[1];
  try {
    name = decodeURIComponent(name);
  } catch { /* shown as sent */ }
  return `container ${name} (started with auto-remove: the ${stop[2]} removes it)`;
}

function createdId(req: EngineRequest, answer: unknown): string | undefined {
  if (req.method !== "POST" || !CREATE.test(req.path) || !answer) return undefined;
  const a = answer as { Id?: string; Name?: string };
  return a.Id ?? a.Name;
}

/**
 * The engine as an unconfirmed call sees it: a removal of anything the call
 * did not create waits for `ask` (true only on an explicit yes) and answers
 * `DKR-007 Cancelled by the user` otherwise, before the request is sent.
 */
export function confirmingRemovals<E extends object>(
  engine: E,
  ask: (what: string) => Promise<boolean>,
): E {
  const created = new Set<string>();
  let answer: Promise<boolean> | undefined;
  const check = async (req: Pick<EngineRequest, "method" | "path" | "signal">) => {
    const target = OBJECT.exec(req.path)?.[2] ?? STOP.exec(req.path)?.[1];
    if (target && created.has(target)) return;
    const what = removalOf(req) ??
      await autoRemovalOf(engine as unknown as Parameters<typeof autoRemovalOf>[0], req);
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
      return async (req: EngineRequest, ...rest: unknown[]) => {
        await check(req);
        const result = await value.call(target, req, ...rest);
        const id = prop === "json" ? createdId(req, result) : undefined;
        if (id) created.add(id);
        return result;
      };
    },
  });
}
