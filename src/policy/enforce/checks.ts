/**
 * The check of every operation, by its name: one required entry per
 * operation of the table (src/engine/ops/), so an operation added without a
 * check is a type error, never a request that passes unchecked. Each check
 * sees the operation's name, its target and its body, and answers the
 * operation to send (its target resolved to a full ID where the name lists
 * ask for it) with, for lists, the filter of the answer.
 *
 * Bodies are typed where operations are built (src/engine/ops/), but a check
 * reads a body key through `field()`, ignoring case and taking the last
 * spelling, because that is how the engine decodes it: a guard that trusted
 * the declared type would judge `HostConfig` while the engine obeys
 * `hostconfig` (docs/security.md rule 3).
 *
 * @module
 */

import type { EngineClient } from "../../engine/client.ts";
import {
  type AnyOperation,
  containers,
  type Operation,
  type OpName,
} from "../../engine/ops/mod.ts";
import { field } from "../create_guard.ts";
import { isOwnExecBody } from "../own_exec.ts";
import { volumeOptionPaths } from "../volume_options.ts";
import {
  checkRealHostPaths,
  denied,
  guardBuild,
  guardCommit,
  guardCreate,
  guardImageRemove,
  guardNetworkMember,
  guardPull,
  guardPush,
  guardTag,
  jsonBody,
  nameRefused,
  queryString,
  type RouteGuardContext,
} from "./guards.ts";
import {
  filterContainerList,
  filterDiskUsage,
  filterEventStream,
  filterNetworks,
} from "./list_filters.ts";
import type { Resolution } from "./resolve.ts";
import {
  guardService,
  guardServiceCreate,
  guardServiceList,
  guardTask,
  guardTaskList,
} from "./swarm.ts";

/** What a checked operation becomes. */
export interface Guarded {
  op: AnyOperation;
  /** Rewrites the parsed answer (lists). */
  filter?: (data: unknown) => unknown;
  /** Filters a streamed answer (events). */
  stream?: (body: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
  /** An answer already in hand (the resolving inspect). */
  answer?: string;
}

/** What the checks use from the policy engine of a call. */
export interface EnforceContext extends RouteGuardContext {
  /** The client underneath, for the reads a check makes itself. */
  base: EngineClient;
  /** Resolves a container among the visible ones, with the inspect it came from (cached). */
  resolve(ref: string, signal?: AbortSignal): Promise<Resolution>;
  /** The full IDs of the visible containers (for events that name one by ID only). */
  visibleIds(signal?: AbortSignal): Promise<Set<string>>;
}

/** The check of one operation. */
export type Check<N extends OpName> = (
  op: Operation<N>,
  ctx: EnforceContext,
) => Guarded | Promise<Guarded>;

/** Nothing to check beyond the permission level of the tool. */
const pass = <N extends OpName>(op: Operation<N>): Guarded => ({ op });

/** True when container name lists are set: references are resolved, hidden objects left out. */
const hides = (ctx: EnforceContext) => ctx.policy.filtersContainers;

/**
 * An image inspect without the container it was committed or built from:
 * `Container` holds its full ID, and `ContainerConfig.Hostname` and
 * `Config.Hostname` its short one, which would name a hidden container.
 * Dropped while name lists are set, without asking which: it is a legacy
 * field, mostly of a build step's container long removed.
 */
function withoutBuildContainer(data: unknown): unknown {
  if (!data || typeof data !== "object") return data;
  const { Container, ...rest } = data as Record<string, unknown>;
  if (typeof Container !== "string" || Container === "") return data;
  // A committed image keeps its container's configuration, whose host name is its short ID.
  const out: Record<string, unknown> = { ...rest };
  for (const key of ["ContainerConfig", "Config"]) {
    const config = rest[key];
    if (!config || typeof config !== "object") continue;
    const { Hostname, ...others } = config as Record<string, unknown>;
    if (typeof Hostname === "string" && Hostname !== "" && Container.startsWith(Hostname)) {
      out[key] = others;
    }
  }
  return out;
}

/**
 * An operation on one container: with name lists the reference is resolved
 * among the visible containers (a hidden one answers exactly like a missing
 * one, DKR-002) and replaced by the full ID; `more` checks what else the
 * operation carries. The inspect of the resolution answers a plain inspect:
 * one request, not two.
 */
function onContainer<N extends OpName>(
  more?: (op: Operation<N>, ctx: EnforceContext) => void,
): Check<N> {
  return async (op, ctx) => {
    if (op.target.kind !== "container") throw new Error(`${op.name} names no container`);
    let ref = op.target.ref;
    let inspect: string | undefined;
    if (hides(ctx)) {
      const resolved = await ctx.resolve(ref, op.signal);
      ref = resolved.id;
      inspect = resolved.inspect;
    }
    more?.(op, ctx);
    const checked: AnyOperation = { ...op, target: { kind: "container", ref } };
    const plain = op.name === "container.inspect" &&
      !Object.values(op.query ?? {}).some((v) => v !== undefined && v !== false);
    return plain && inspect !== undefined ? { op: checked, answer: inspect } : { op: checked };
  };
}

const container = onContainer();

/** `container.rename`: the new name must be one the lists show. */
const rename = onContainer<"container.rename">((op, ctx) => {
  if (!hides(ctx)) return;
  const name = queryString(op, "name") ?? "";
  if (!ctx.policy.containerVisible(name)) throw nameRefused(ctx.policy, name);
});

/** `container.exec`: the exec guard on the command and the options. */
const exec = onContainer<"container.exec">((op, ctx) => {
  const body = jsonBody(op);
  if (!body) return;
  const cmd = field(body, "Cmd");
  // berth's own kill helper is not a caller's command (src/policy/own_exec.ts).
  if (!isOwnExecBody(body)) {
    ctx.policy.checkExecCommand(Array.isArray(cmd) ? cmd.map(String) : cmd ? [String(cmd)] : []);
  }
  ctx.policy.checkExecOptions(body);
});

/** `container.list`: ask for all matching containers, drop the hidden ones, then apply the limit. */
const containerList: Check<"container.list"> = (op, ctx) => {
  if (!hides(ctx)) return { op };
  const limit = Number(op.query?.limit ?? 0);
  return {
    op: { ...op, query: { ...op.query, limit: undefined } },
    filter: (data) => {
      const kept = filterContainerList(ctx.policy, data);
      return Array.isArray(kept) && limit > 0 ? kept.slice(0, limit) : kept;
    },
  };
};

/** `container.prune` would remove containers berth does not show. */
const containerPrune: Check<"container.prune"> = (op, ctx) => {
  if (!hides(ctx)) return { op };
  throw denied(
    "Pruning containers is not available while container name lists are set",
    "It would remove containers berth does not show; remove containers by name instead",
  );
};

/** Network reads: hidden members removed. */
const networkRead: Check<"network.list" | "network.inspect"> = (op, ctx) =>
  hides(ctx) ? { op, filter: (d) => filterNetworks(ctx.policy, d) } : { op };

/** `system.df`: all sections, since the counts can only be corrected with the container section. */
const diskUsage: Check<"system.df"> = (op, ctx) => {
  if (!hides(ctx)) return { op };
  return {
    op: { ...op, query: { ...op.query, type: undefined } },
    filter: (d) => filterDiskUsage(ctx.policy, d),
  };
};

/**
 * `system.info`: with container name lists, the container counts are the
 * visible containers' (the engine's totals count hidden ones, and a user's
 * route tool can read `GET /info` as it is).
 */
const info: Check<"system.info"> = async (op, ctx) => {
  if (!hides(ctx)) return { op };
  const list = await ctx.base.json(containers.list({ all: true }, { signal: op.signal }));
  const visible = (filterContainerList(ctx.policy, list) ?? []) as { State?: string }[];
  const count = (states: string[]) => visible.filter((c) => states.includes(c?.State ?? "")).length;
  const running = count(["running"]);
  const paused = count(["paused"]);
  const counts = {
    Containers: visible.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    // Like the engine: neither running nor paused is stopped.
    ContainersStopped: visible.length - running - paused,
  };
  return {
    op,
    filter: (d) => (d && typeof d === "object" && !Array.isArray(d) ? { ...d, ...counts } : d),
  };
};

/** `system.events`: events of hidden containers dropped from the stream. */
const events: Check<"system.events"> = (op, ctx) => {
  if (!hides(ctx)) return { op };
  return {
    op,
    stream: (body) => filterEventStream(ctx.policy, body, () => ctx.visibleIds(op.signal)),
  };
};

/** `volume.create`: the volume rules on driver and options, and the real host paths they name. */
const volumeCreate: Check<"volume.create"> = async (op, ctx) => {
  const { policy } = ctx;
  const body = jsonBody(op);
  if (body) policy.checkVolumeBody(body);
  const options = body ? field(body, "DriverOpts") : undefined;
  if (!policy.bypass && options && typeof options === "object") {
    await checkRealHostPaths(ctx, volumeOptionPaths(options as Record<string, string>));
  }
  return { op };
};

/** A guard that answers the operation to send, as a check. */
function sending<N extends OpName>(
  guard: (ctx: EnforceContext, op: Operation<N>) => Promise<Operation<N>>,
): Check<N> {
  return async (op, ctx) => ({ op: await guard(ctx, op) });
}

const service: Check<OpName> = (op, ctx) => guardService(ctx, ctx.base, op);

/** Every operation's check (see the module doc). */
export const CHECKS: { readonly [N in OpName]: Check<N> } = {
  "container.list": containerList,
  "container.create": sending(guardCreate),
  "container.prune": containerPrune,
  "container.inspect": container,
  "container.top": container,
  "container.logs": container,
  "container.changes": container,
  "container.export": container,
  "container.stats": container,
  "container.resize": container,
  "container.start": container,
  "container.stop": container,
  "container.restart": container,
  "container.kill": container,
  "container.update": container,
  "container.rename": rename,
  "container.pause": container,
  "container.unpause": container,
  "container.attach": container,
  "container.attach_ws": container,
  "container.wait": container,
  "container.remove": container,
  "container.archive_stat": container,
  "container.archive_get": container,
  "container.archive_put": container,
  "container.exec": exec,
  // An exec's ID comes from its container's checked `container.exec`.
  "exec.start": pass,
  "exec.resize": pass,
  "exec.inspect": pass,
  "image.list": pass,
  "image.search": pass,
  "image.prune": pass,
  "image.create": sending(guardPull),
  "image.load": pass,
  "image.get_all": pass,
  "image.build": sending(guardBuild),
  "image.build_prune": pass,
  "image.commit": sending(guardCommit),
  "image.inspect": (op, ctx) => hides(ctx) ? { op, filter: withoutBuildContainer } : { op },
  "image.history": pass,
  "image.get": pass,
  "image.push": sending(guardPush),
  "image.tag": sending(guardTag),
  "image.remove": sending(guardImageRemove),
  "image.distribution": pass,
  "network.list": networkRead,
  "network.create": pass,
  "network.prune": pass,
  "network.inspect": networkRead,
  "network.remove": pass,
  "network.connect": sending(guardNetworkMember),
  "network.disconnect": sending(guardNetworkMember),
  "swarm.inspect": pass,
  "node.list": pass,
  "node.inspect": pass,
  "node.remove": pass,
  "node.update": pass,
  "service.list": (op, ctx) => guardServiceList(ctx, op),
  "service.create": (op, ctx) => guardServiceCreate(ctx, ctx.base, op),
  "service.inspect": service,
  "service.remove": service,
  "service.update": service,
  "service.logs": service,
  "task.list": (op, ctx) => guardTaskList(ctx, ctx.base, op),
  "task.inspect": (op, ctx) => guardTask(ctx, ctx.base, op),
  "task.logs": (op, ctx) => guardTask(ctx, ctx.base, op),
  "secret.list": pass,
  "secret.create": pass,
  "secret.inspect": pass,
  "secret.remove": pass,
  "secret.update": pass,
  "config.list": pass,
  "config.create": pass,
  "config.inspect": pass,
  "config.remove": pass,
  "config.update": pass,
  "system.ping": pass,
  "system.version": pass,
  "system.info": info,
  "system.events": events,
  "system.df": diskUsage,
  "volume.list": pass,
  "volume.create": volumeCreate,
  "volume.prune": pass,
  "volume.inspect": pass,
  "volume.remove": pass,
};

/** Runs the check of an operation. */
export function check(op: AnyOperation, ctx: EnforceContext): Promise<Guarded> {
  return Promise.resolve((CHECKS[op.name] as Check<OpName>)(op, ctx));
}
