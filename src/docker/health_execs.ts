/**
 * Telling a container's health-check execs from the execs people run.
 *
 * The engine runs each health check as an exec and reports it like any other
 * (`exec_create: <command>`, `exec_start: <command>`, then `exec_die` with the
 * same `execID` attribute); no attribute says "health". What does tell them
 * apart is the command: the engine builds it from `Config.Healthcheck.Test`
 * (`CMD-SHELL x` runs `Config.Shell` or `/bin/sh -c` with x; `CMD a b` runs
 * a b) and writes it into the action. So one inspect per container that has
 * exec events gives its health command; an exec whose command is exactly that
 * is a health check, and so are the later events carrying its `execID`.
 *
 * A container removed since can no longer be inspected: its execs are kept,
 * since they cannot be told apart.
 *
 * @module
 */

import { isBerthError } from "../errors/mod.ts";
import { type ContainerInspect, inspectVisibleContainer } from "./visible_container.ts";
import type { HandlerContext } from "../interpreter/contract.ts";

/** One event as the engine sends it. */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> | null };
  time?: number;
  timeNano?: number;
}

/** The command line the engine runs for a container's health check, or null without one. */
export function healthCommand(info: Pick<ContainerInspect, "Config">): string | null {
  const config = (info.Config ?? {}) as { Healthcheck?: { Test?: string[] }; Shell?: string[] };
  const test = config.Healthcheck?.Test ?? [];
  if (test[0] === "CMD") return test.length > 1 ? test.slice(1).join(" ") : null;
  if (test[0] === "CMD-SHELL" && test[1] !== undefined) {
    const shell = config.Shell?.length ? config.Shell : ["/bin/sh", "-c"];
    return [...shell, test[1]].join(" ");
  }
  return null; // NONE, or no health check
}

/** Classifies exec events of one `docker_events` call; inspects each container once. */
export class HealthExecs {
  readonly #ctx: HandlerContext;
  readonly #commands = new Map<string, Promise<string | null>>();
  readonly #execIds = new Set<string>();

  constructor(ctx: HandlerContext) {
    this.#ctx = ctx;
  }

  /** True when the event belongs to a health-check exec. */
  async isHealthCheck(event: EngineEvent): Promise<boolean> {
    const execId = event.Actor?.Attributes?.execID;
    const action = event.Action ?? "";
    if (event.Type !== "container" || !execId || !action.startsWith("exec_")) return false;
    if (this.#execIds.has(execId)) return true;
    const colon = action.indexOf(": ");
    // exec_die carries no command: it is known only by an earlier create or start.
    if (colon < 0 || !event.Actor?.ID) return false;
    const command = await this.#command(event.Actor.ID);
    if (command === null || action.slice(colon + 2) !== command) return false;
    this.#execIds.add(execId);
    return true;
  }

  #command(containerId: string): Promise<string | null> {
    let command = this.#commands.get(containerId);
    if (!command) {
      command = inspectVisibleContainer(this.#ctx, containerId).then(healthCommand, (error) => {
        // Removed since (or hidden): its execs cannot be told apart, so they stay.
        if (isBerthError(error) && error.type === "container_not_found") return null;
        throw error;
      });
      this.#commands.set(containerId, command);
    }
    return command;
  }
}
