/**
 * Tasks as people read them (`docker service ps`): one row per task, and the
 * distinct errors of failing ones, which explain a service that does not run.
 *
 * @module
 */

import { type Json, shortImage } from "./services.ts";

/** One task, as `docker_list_tasks` and stack ps show it. */
export interface TaskRow {
  id: string;
  name: string;
  service: string;
  node: string;
  image: string;
  desired_state: string;
  state: string;
  error: string | null;
  exit_code: number | null;
  updated: string;
}

/** States after which a task never runs again. */
export const ENDED = new Set([
  "complete",
  "shutdown",
  "failed",
  "rejected",
  "orphaned",
  "remove",
]);

/** A task's display name: `<service>.<slot>` or `<service>.<node>` for global services. */
function taskName(t: Json, services: Map<string, string>): string {
  const service = services.get(t.ServiceID) ?? t.ServiceID?.slice(0, 12) ?? "";
  return t.Slot ? `${service}.${t.Slot}` : `${service}.${String(t.NodeID ?? "").slice(0, 12)}`;
}

/** Rows of tasks, newest first per slot like the CLI; `services` maps IDs to names, `nodes` IDs to hostnames. */
export function taskRows(
  tasks: Json[],
  services: Map<string, string>,
  nodes: Map<string, string>,
): TaskRow[] {
  const sorted = [...tasks].sort((a, b) =>
    taskName(a, services).localeCompare(taskName(b, services)) ||
    String(b.UpdatedAt ?? "").localeCompare(String(a.UpdatedAt ?? ""))
  );
  return sorted.map((t) => ({
    id: t.ID,
    name: taskName(t, services),
    service: services.get(t.ServiceID) ?? t.ServiceID,
    node: nodes.get(t.NodeID) ?? t.NodeID ?? "",
    image: shortImage(t.Spec?.ContainerSpec?.Image),
    desired_state: t.DesiredState ?? "",
    state: t.Status?.State ?? "",
    error: t.Status?.Err || null,
    exit_code: t.Status?.ContainerStatus?.ExitCode ?? null,
    updated: t.Status?.Timestamp ?? t.UpdatedAt ?? "",
  }));
}

/** The distinct errors of tasks, most frequent first, each with its count. */
export function taskErrors(tasks: Json[]): { error: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    const exit = t.Status?.ContainerStatus?.ExitCode;
    const error = t.Status?.Err ||
      (t.Status?.State === "failed" && exit ? `task exited with code ${exit}` : "");
    if (error) counts.set(error, (counts.get(error) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([error, count]) => ({ error, count }));
}

/** The JSON of what decides whether a task runs the service's current spec. */
export function specKey(taskSpec: Json): string {
  return JSON.stringify([taskSpec?.ContainerSpec ?? {}, taskSpec?.ForceUpdate ?? 0]);
}

/** Tasks meant to run the service's current spec (spec and desired state). */
export function currentTasks(service: Json, tasks: Json[]): Json[] {
  const key = specKey(service.Spec?.TaskTemplate);
  return tasks.filter((t) => specKey(t.Spec) === key);
}
