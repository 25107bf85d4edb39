/**
 * The engine calls compose tools share: finding a project's containers by
 * label, creating networks and volumes, creating, starting, stopping and
 * removing containers, and waiting for depends_on conditions.
 *
 * @module
 */

import { containers, networks, type Operation, volumes } from "../../engine/ops/mod.ts";
import { bareName } from "../../guard/formats.ts";
import { BerthError } from "../../errors/mod.ts";
import { sleep } from "../../guard/retry.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";
import type { ContainerPlan } from "./engine_spec.ts";
import { networkBody, volumeBody } from "./engine_spec.ts";
import type { Dependency, NetworkModel, VolumeModel } from "./model.ts";
import { LABEL } from "./naming.ts";

/** What handlers use of the engine context. */
export type EngineContext = Pick<HandlerContext, "engine" | "policy" | "signal" | "progress">;

/** A container as `GET /containers/json` lists it. */
export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  State?: string;
  Status?: string;
  Created?: number;
  Labels?: Record<string, string> | null;
  Ports?: { IP?: string; PrivatePort?: number; PublicPort?: number; Type?: string }[];
}

/** A container's name without the engine's leading slash. */
export function nameOf(c: ContainerSummary): string {
  return bareName(c.Names?.[0]);
}

/** A compose label of a container ("" when absent). */
export function label(c: ContainerSummary, key: string): string {
  return c.Labels?.[key] ?? "";
}

/**
 * Containers of one project (every project when `project` is omitted),
 * running or not, that the policy lets this session see.
 */
export async function projectContainers(
  ctx: EngineContext,
  project?: string,
): Promise<ContainerSummary[]> {
  const filter = project ? `${LABEL.project}=${project}` : LABEL.project;
  const list = await ctx.engine.json<ContainerSummary[]>(
    containers.list({ all: true, filters: { label: [filter] } }, { signal: ctx.signal }),
  );
  return (list ?? []).filter((c) => ctx.policy.containerVisible(nameOf(c)));
}

/** True when an engine object exists (404 → false). */
async function exists(
  ctx: EngineContext,
  op: Operation<"network.inspect" | "volume.inspect">,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await ctx.engine.json<Record<string, unknown>>({ ...op, signal: ctx.signal });
  } catch (error) {
    if (error instanceof BerthError && error.status === 404) return undefined;
    throw error;
  }
}

/** What `ensure…` answers: created now, there already, or external (never created by compose). */
export type EnsureStatus = "created" | "exists" | "external";

/**
 * Makes sure a project network or volume exists. An external one must already
 * exist (DKR-011 naming the compose key); compose never creates it.
 */
async function ensureObject(
  ctx: EngineContext,
  kind: "network" | "volume",
  key: string,
  object: { name: string; external?: boolean },
  body: () => Record<string, unknown>,
): Promise<EnsureStatus> {
  const found = await exists(
    ctx,
    kind === "network" ? networks.inspect(object.name) : volumes.inspect(object.name),
  );
  if (object.external) {
    if (found) return "external";
    throw new BerthError(
      "not_found",
      `External ${kind} '${object.name}' (${kind}s.${key}) does not exist`,
      {
        hint:
          `Create it first (docker_create_${kind}), or drop 'external' to let compose create it`,
      },
    );
  }
  if (found) return "exists";
  const extra = { signal: ctx.signal };
  await ctx.engine.json(
    kind === "network" ? networks.create(body(), extra) : volumes.create(body(), extra),
  );
  return "created";
}

/** Makes sure a network exists; answers "created", "exists" or "external". */
export async function ensureNetwork(
  ctx: EngineContext,
  project: string,
  key: string,
  net: NetworkModel,
): Promise<EnsureStatus> {
  return await ensureObject(ctx, "network", key, net, () => networkBody(project, key, net));
}

/** Makes sure a volume exists; answers "created", "exists" or "external". */
export async function ensureVolume(
  ctx: EngineContext,
  project: string,
  key: string,
  vol: VolumeModel,
): Promise<EnsureStatus> {
  return await ensureObject(ctx, "volume", key, vol, () => volumeBody(project, key, vol));
}

/** Creates a container, joins its other networks; answers its ID. */
export async function createContainer(ctx: EngineContext, plan: ContainerPlan): Promise<string> {
  const created = await ctx.engine.json<{ Id: string }>(
    containers.create(plan.body, { name: plan.name }, { signal: ctx.signal }),
  );
  for (const net of plan.extraNetworks) {
    await ctx.engine.request(
      networks.connect(net.name, { Container: created.Id, EndpointConfig: net.endpoint }, {
        signal: ctx.signal,
      }),
    ).then((r) => r.body?.cancel());
  }
  return created.Id;
}

async function post(ctx: EngineContext, op: Operation<"container.start" | "container.stop">) {
  const response = await ctx.engine.request({
    ...op,
    signal: ctx.signal,
    errors: { 404: "container_not_found" },
  });
  await response.body?.cancel();
}

/** Starts a container (already running is fine). */
export async function startContainer(ctx: EngineContext, id: string): Promise<void> {
  await post(ctx, containers.start(id));
}

/** Stops a container within `timeout` seconds (already stopped is fine). */
export async function stopContainer(
  ctx: EngineContext,
  id: string,
  timeout?: number,
): Promise<void> {
  await post(ctx, containers.stop(id, timeout === undefined ? {} : { t: timeout }));
}

/** Removes a container (forced), with its anonymous volumes when asked. */
export async function removeContainer(
  ctx: EngineContext,
  id: string,
  volumes: boolean,
): Promise<void> {
  const response = await ctx.engine.request(containers.remove(id, { force: true, v: volumes }, {
    signal: ctx.signal,
    errors: { 404: "container_not_found" },
  }));
  await response.body?.cancel();
}

interface InspectState {
  State?: { Status?: string; ExitCode?: number; Health?: { Status?: string } };
}

const POLL_MS = 250;

/**
 * Waits until a dependency's container meets its condition, bounded by the
 * call's deadline (the compose timeout class).
 */
export async function waitFor(
  ctx: EngineContext,
  dependent: string,
  dependency: { service: string; id: string },
  condition: Dependency["condition"],
): Promise<void> {
  if (condition === "service_started") return;
  const what = `Service '${dependent}' depends on '${dependency.service}'`;
  ctx.progress({ progress: 0, message: `waiting for ${dependency.service} (${condition})` });
  while (true) {
    const info = await ctx.engine.json<InspectState>(containers.inspect(dependency.id, {}, {
      signal: ctx.signal,
      errors: { 404: "container_not_found" },
    }));
    const state = info.State ?? {};
    if (condition === "service_healthy") {
      const health = state.Health?.Status;
      if (health === "healthy") return;
      if (!state.Health) {
        throw new BerthError("invalid_input", `${what} being healthy, but it has no healthcheck`, {
          hint: `Add a healthcheck to '${dependency.service}' or use condition service_started`,
        });
      }
      if (health === "unhealthy" || state.Status === "exited" || state.Status === "dead") {
        throw new BerthError(
          "conflict",
          `${what}, which is ${health === "unhealthy" ? "unhealthy" : state.Status}`,
          {
            hint: `Read its logs with docker_compose_logs (services: ["${dependency.service}"])`,
          },
        );
      }
    } else if (state.Status === "exited" || state.Status === "dead") {
      if (state.ExitCode === 0) return;
      throw new BerthError("conflict", `${what}, which exited with code ${state.ExitCode}`, {
        hint: `Read its logs with docker_compose_logs (services: ["${dependency.service}"])`,
      });
    }
    await sleep(POLL_MS, ctx.signal);
  }
}
