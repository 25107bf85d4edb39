/**
 * One implementation for the lifecycle actions (start, stop, restart, pause,
 * unpause, kill), registered once per action: resolve the container (policy
 * sees its canonical name, the action goes to its full ID), act, then inspect
 * so that `status` is the container's state after the action (read again for
 * up to half a second where the engine records it after answering).
 *
 * The engine answers 304 when a container is already in the asked-for state
 * (start a running one, stop a stopped one): that is success with nothing to
 * do, and the text says so. A container in the wrong state for the action
 * (pause a stopped one) is DKR-010 with a hint that says what to do first.
 *
 * @module
 */

import { containers, type Operation } from "../../engine/ops/mod.ts";
import { BerthError, invalidInput, isBerthError } from "../../errors/mod.ts";
import { sleep } from "../../guard/retry.ts";
import type { Args } from "../../interpreter/contract.ts";
import { seconds } from "../../docker/timer.ts";
import {
  bareName,
  type ContainerInspect,
  inspectVisibleContainer,
} from "../../docker/visible_container.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

/** The lifecycle operations, by their verb. */
export type ContainerVerb = "start" | "stop" | "restart" | "pause" | "unpause" | "kill";

interface ActionSpec {
  /** Past tense for the text ("stopped"), from the call's arguments. */
  done: string | ((args: Args) => string);
  /** The state a 304 means it was already in. */
  already: string;
  /** The operation of the action on a container, from the call's arguments. */
  op: (id: string, args: Args) => Operation<`container.${ContainerVerb}`>;
  /**
   * True once a state shows the action took effect, for the verbs whose
   * state the engine records after answering (pause and unpause on Docker
   * 20.10, a kill). Start, stop and restart answer once the state is set.
   */
  settled?: (state: string, args: Args) => boolean;
}

const ACTIONS: Record<ContainerVerb, ActionSpec> = {
  start: { done: "started", already: "running", op: (id) => containers.start(id) },
  stop: {
    done: "stopped",
    already: "stopped",
    op: (id, a) => containers.stop(id, { t: a.timeout as number }),
  },
  restart: {
    done: "restarted",
    already: "running",
    op: (id, a) => containers.restart(id, { t: a.timeout as number }),
  },
  pause: {
    done: "paused",
    already: "paused",
    op: (id) => containers.pause(id),
    settled: (s) => s === "paused",
  },
  unpause: {
    done: "unpaused",
    already: "running",
    op: (id) => containers.unpause(id),
    settled: (s) => s !== "paused",
  },
  kill: {
    done: killed,
    already: "stopped",
    op: (id, a) => containers.kill(id, { signal: a.signal as string }),
    // Only SIGKILL is sure to end it; after another signal any state is the answer.
    settled: (s, a) => killed(a) !== "killed" || (s !== "running" && s !== "paused"),
  },
};

/** How long, and how often, the state is read again until the action shows in it. */
const SETTLE_MS = 500;
const SETTLE_STEP_MS = 25;

/** A signal other than KILL need not end the process (SIGHUP reloads, SIGUSR1 dumps). */
function killed(args: Args): string {
  const signal = typeof args.signal === "string" ? args.signal.toUpperCase() : "";
  return signal === "" || /^(SIG)?KILL$|^9$/.test(signal) ? "killed" : `sent ${signal}`;
}

/** Time kept after a stop timeout for the engine's SIGKILL and the inspect. */
const STOP_MARGIN_MS = 5_000;

/** What the engine says when the state does not allow the action. */
const WRONG_STATE =
  /is not running|is not paused|is already paused|paused container|is restarting|is dead|marked for removal/i;

/** The handler for one lifecycle verb. */
export function containerAction(verb: ContainerVerb): Handler {
  const action = ACTIONS[verb];
  return async (ctx) => {
    checkStopTimeout(ctx);
    const id = ctx.args.container_id as string;
    const before = await inspectVisibleContainer(ctx, id);
    const name = bareName(before.Name);
    let unchanged = false;
    try {
      const response = await ctx.engine.request({
        ...action.op(before.Id, ctx.args),
        signal: ctx.signal,
        errors: { 404: "container_not_found", 409: "conflict" },
        accept: [304],
      });
      await response.body?.cancel();
      unchanged = response.status === 304;
    } catch (error) {
      throw configRefused(wrongState(error, verb, name, before), verb, name);
    }
    const status = unchanged
      ? await stateAfter(ctx, before.Id)
      : await settledState(ctx, before.Id, action);
    const text = unchanged
      ? `Container ${name} was already ${action.already}: nothing to do (the engine answered 304, ` +
        `which is success); status ${status}`
      : `Container ${name} ${
        typeof action.done === "string" ? action.done : action.done(ctx.args)
      }; status ${status}`;
    return {
      structured: { container_id: before.Id, name, status, changed: !unchanged },
      text,
    };
  };
}

/** A container's state now (full ID); one removed meanwhile (AutoRemove) answers "removed". */
export async function stateAfter(ctx: HandlerContext, id: string): Promise<string> {
  const after = await inspectAfter(ctx, id);
  return after ? after.State?.Status ?? "unknown" : "removed";
}

/** A container's inspect after an action (full ID); undefined once it is removed (AutoRemove). */
export async function inspectAfter(
  ctx: HandlerContext,
  id: string,
): Promise<ContainerInspect | undefined> {
  try {
    return await ctx.engine.json<ContainerInspect>(
      containers.inspect(id, {}, { signal: ctx.signal, errors: { 404: "container_not_found" } }),
    );
  } catch (error) {
    if (isBerthError(error) && error.type === "container_not_found") return undefined;
    throw error;
  }
}

/**
 * The state after an action, read again for a short while until it shows the
 * action (the engine may record it just after answering); past that, what the
 * engine says is the answer.
 */
async function settledState(ctx: HandlerContext, id: string, action: ActionSpec): Promise<string> {
  let status = await stateAfter(ctx, id);
  const settled = action.settled;
  if (!settled) return status;
  const until = Date.now() + SETTLE_MS;
  while (status !== "removed" && !settled(status, ctx.args) && Date.now() < until) {
    await sleep(SETTLE_STEP_MS, ctx.signal);
    status = await stateAfter(ctx, id);
  }
  return status;
}

/** A stop timeout must end before the call's own deadline does. */
function checkStopTimeout(ctx: HandlerContext): void {
  const timeout = ctx.args.timeout;
  if (typeof timeout !== "number" || ctx.deadlineMs === undefined) return;
  if (timeout * 1000 + STOP_MARGIN_MS > ctx.deadlineMs) {
    throw invalidInput(
      "timeout",
      `must be below ${Math.floor((ctx.deadlineMs - STOP_MARGIN_MS) / 1000)} seconds, ` +
        `so the call ends within its ${seconds(ctx.deadlineMs)} deadline`,
      "Use a shorter timeout, or raise the limit with --timeout lifecycle=<duration>",
    );
  }
}

/**
 * A start refused for the container's own configuration (its command names
 * no executable): the parameter at fault belongs to the create call, so the
 * error says the container stays as it was and where to fix it.
 */
function configRefused(error: unknown, verb: ContainerVerb, name: string): unknown {
  if (!isBerthError(error) || error.type !== "invalid_input") return error;
  if (verb !== "start" && verb !== "restart") return error;
  return new BerthError("invalid_input", `Container ${name} did not ${verb}: ${error.message}`, {
    hint: `${error.hint}. The container stays as it was (docker_diagnose shows why it failed); ` +
      "a value given at creation is corrected by creating it again with docker_create_container",
    context: error.context,
    status: error.status,
  });
}

/** The engine's "wrong state" answers, as DKR-010 with a hint that fits the verb and state. */
function wrongState(
  error: unknown,
  verb: ContainerVerb,
  name: string,
  before: ContainerInspect,
): unknown {
  if (!isBerthError(error) || !WRONG_STATE.test(error.message)) return error;
  const state = before.State?.Status ?? "unknown";
  const hints: Partial<Record<ContainerVerb, string>> = {
    pause: state === "paused"
      ? "It is already paused; unpause it with docker_unpause_container"
      : `It is ${state}: only a running container can be paused; start it first with docker_start_container`,
    unpause: `It is ${state}, not paused: there is nothing to unpause`,
    kill: `It is ${state}: only a running container can be killed; it has already stopped`,
    start: state === "paused"
      ? "It is paused: resume it with docker_unpause_container"
      : `It is ${state}; check it with docker_inspect_container`,
    restart: `It is ${state}; check it with docker_inspect_container`,
    stop: `It is ${state}; check it with docker_inspect_container`,
  };
  return new BerthError("conflict", `Cannot ${verb} container ${name}: ${error.message}`, {
    hint: hints[verb],
    context: error.context,
    status: error.status,
  });
}
