/**
 * Watching a service converge after a create, update, scale or rollback: its
 * tasks at the current spec running as many as desired, or a failure the
 * tasks explain (an image no node has, a constraint no node meets, tasks that
 * keep exiting, an update the swarm paused or rolled back).
 *
 * The swarm retries a failing task for ever; berth stops watching once the
 * failure is plain (a few failed attempts, or a task that stays unschedulable),
 * so a call answers why within its deadline instead of waiting it out.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { sleep } from "../../guard/retry.ts";
import { inspect, list, type Ops } from "./api.ts";
import { desiredReplicas } from "./spec.ts";
import { currentTasks, ENDED, taskErrors } from "./tasks.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Progress as berth reports it. */
export type ProgressFn = (p: { progress: number; total?: number; message?: string }) => void;

/** What a watch ends with. */
export interface Convergence {
  /** converged, or why not: failed, paused, rolled_back. */
  state: "converged" | "failed" | "paused" | "rolled_back";
  running: number;
  desired: number;
  /** The swarm's update state (`completed`, `rollback_completed` …), when there is one. */
  update_state: string | null;
  /** Distinct task errors, most frequent first. */
  errors: { error: string; count: number }[];
  message: string;
}

/** Options of {@link watchConvergence}. */
export interface WatchOptions {
  progress: ProgressFn;
  /** When the change was sent (update states older than this are a previous change's). */
  since: number;
  /** The change is a rollback (its `rollback_completed` is success). */
  rollback?: boolean;
  /** Poll interval in ms. */
  intervalMs?: number;
  /** Failed attempts at the current spec after which the failure is plain. */
  maxFailures?: number;
  /** How long a task may stay unschedulable (no suitable node) before it is a failure, ms. */
  unschedulableMs?: number;
  /** How long a global service may have no task before that counts as 0 of 0 (no node fits), ms. */
  globalGraceMs?: number;
}

const FAILED = new Set(["failed", "rejected"]);

/** Watches one service until it converges or plainly fails (see the module doc). */
export async function watchConvergence(
  ops: Ops,
  serviceId: string,
  options: WatchOptions,
): Promise<Convergence> {
  const interval = options.intervalMs ?? 500;
  const maxFailures = options.maxFailures ?? 3;
  const unschedulableMs = options.unschedulableMs ?? 3000;
  let pendingSince: number | undefined;
  let last = "";
  const started = Date.now();
  for (;;) {
    const service = await inspect(ops, "services", serviceId);
    const tasks = await list(ops, "tasks", { service: [service.ID] });
    // A global service's tasks appear a moment after the change: none yet is not "0 of 0".
    const early = Date.now() - started < (options.globalGraceMs ?? 3000);
    const step = assess(service, tasks, options, early);
    if (step.message !== last) {
      options.progress({ progress: step.running, total: step.desired, message: step.message });
      last = step.message;
    }
    if (step.done) return step.done;
    const now = Date.now();
    pendingSince = step.unschedulable ? pendingSince ?? now : undefined;
    const failures = step.failures;
    if (failures >= maxFailures || (pendingSince && now - pendingSince >= unschedulableMs)) {
      return ended("failed", step, tasks, service);
    }
    await sleep(interval, ops.signal);
  }
}

interface Step {
  running: number;
  desired: number;
  failures: number;
  unschedulable: boolean;
  message: string;
  updateState: string | null;
  done?: Convergence;
}

function assess(service: Json, tasks: Json[], options: WatchOptions, early: boolean): Step {
  const current = currentTasks(service, tasks);
  const live = current.filter((t) => t.DesiredState === "running");
  const running = live.filter((t) => t.Status?.State === "running").length;
  const desired = desiredReplicas(service.Spec) ?? live.length;
  const status = service.UpdateStatus;
  const mine = status && Date.parse(status.StartedAt ?? "") >= options.since - 1000;
  const updateState: string | null = mine ? status.State : null;
  const failures = current.filter((t) => FAILED.has(t.Status?.State)).length;
  const unschedulable = live.some((t) =>
    t.Status?.State === "pending" && /no suitable node/i.test(t.Status?.Err ?? "")
  );
  const message = `${running}/${desired} tasks running` +
    (updateState && updateState !== "completed" ? ` (${updateState.replace("_", " ")})` : "");
  const step: Step = { running, desired, failures, unschedulable, message, updateState };
  if (updateState === "paused" || updateState === "rollback_paused") {
    step.done = ended("paused", step, current, service);
  } else if (updateState === "rollback_completed" && !options.rollback) {
    step.done = ended("rolled_back", step, tasks, service);
  } else if (updateState !== "updating" && updateState !== "rollback_started") {
    const stray = tasks.some((t) =>
      t.DesiredState === "running" && !ENDED.has(t.Status?.State) && !current.includes(t)
    );
    const waiting = early && desiredReplicas(service.Spec) === undefined && live.length === 0;
    if (running === desired && live.length === desired && !stray && !waiting) {
      step.done = ended("converged", step, [], service);
    }
  }
  return step;
}

function ended(
  state: Convergence["state"],
  step: Step,
  tasks: Json[],
  service: Json,
): Convergence {
  const name = service.Spec?.Name ?? service.ID;
  const errors = taskErrors(tasks);
  const why = errors.length ? `: ${errors.map((e) => e.error).join("; ")}` : "";
  const updateMessage = service.UpdateStatus?.Message;
  // The swarm's own message names a task ID only; the tasks' errors say why.
  const update = [updateMessage, errors.map((e) => e.error).join("; ")].filter(Boolean).join(": ");
  const messages: Record<Convergence["state"], string> = {
    converged: `Service ${name} converged: ${step.message}`,
    failed: `Service ${name} did not converge (${step.message})${why}`,
    paused: `The update of service ${name} paused (${step.message})${update ? `: ${update}` : ""}`,
    rolled_back: `The update of service ${name} failed and was rolled back${
      update ? `: ${update}` : ""
    }`,
  };
  return {
    state,
    running: step.running,
    desired: step.desired,
    update_state: step.updateState,
    errors,
    message: messages[state],
  };
}

/** The error of a convergence that failed: it names the tasks' errors and the ways out. */
export function convergenceError(result: Convergence, service: string): BerthError {
  return new BerthError("engine_error", result.message, {
    hint: `docker_diagnose with service_id '${service}' explains it; fix the cause with ` +
      `docker_update_service (or docker_rollback_service), or docker_remove_service`,
  });
}
