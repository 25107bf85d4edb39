/**
 * Why a service's tasks fail or keep restarting, from the service, its tasks
 * and its events: deterministic findings, most certain first (the same shape
 * as a container diagnosis's).
 *
 * @module
 */

import { desiredReplicas } from "./spec.ts";
import { currentTasks, taskErrors } from "./tasks.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** One explanation (the fields of a container diagnosis's findings). */
export interface ServiceFinding {
  rule: string;
  cause: string;
  evidence: string;
  suggested_fix: string;
  confidence: "high" | "medium" | "low";
}

const EXIT_MEANINGS: Record<number, string> = {
  1: "a general application error",
  2: "a misuse of a shell builtin or bad arguments",
  126: "the command is not executable",
  127: "the command was not found in the image",
  137: "killed by SIGKILL (out of memory under a memory limit, or a stop that timed out)",
  139: "a segmentation fault",
  143: "terminated by SIGTERM",
};

function exitMeaning(code: number): string {
  return EXIT_MEANINGS[code] ??
    (code > 128 ? `killed by signal ${code - 128}` : "an application error");
}

const IMAGE_MISSING =
  /no such image|pull access denied|manifest unknown|not found.*image|image.*not found|repository does not exist/i;

function unschedulable(service: Json, errors: string[]): ServiceFinding[] {
  const err = errors.find((e) => /no suitable node/i.test(e));
  if (!err) return [];
  const constraints = service.Spec?.TaskTemplate?.Placement?.Constraints ?? [];
  const resources = /insufficient resources/i.test(err);
  return [{
    rule: "no_suitable_node",
    cause: resources
      ? "No node has the CPU or memory the service reserves"
      : "No node satisfies the service's placement constraints",
    evidence: `Task error: ${err}${
      constraints.length ? `; constraints ${constraints.join(", ")}` : ""
    }`,
    suggested_fix: resources
      ? "Lower resources.reservations, or add capacity"
      : "Relax the constraints (docker_update_service cannot change them: recreate the service), " +
        "or label a node to match (docker_update_node labels); a drained node takes no tasks",
    confidence: "high",
  }];
}

function imageMissing(service: Json, errors: string[]): ServiceFinding[] {
  const err = errors.find((e) => IMAGE_MISSING.test(e));
  if (!err) return [];
  const image = String(service.Spec?.TaskTemplate?.ContainerSpec?.Image ?? "");
  return [{
    rule: "image_not_found",
    cause: `The nodes cannot get the image ${image.replace(/@sha256:.*/, "")}`,
    evidence: `Task error: ${err}`,
    suggested_fix: "Correct the image (docker_update_service image), or push it to a registry " +
      "every node can pull from",
    confidence: "high",
  }];
}

function exits(tasks: Json[]): ServiceFinding[] {
  const failed = tasks.filter((t) => t.Status?.State === "failed");
  const codes = new Map<number, number>();
  for (const t of failed) {
    const code = t.Status?.ContainerStatus?.ExitCode;
    if (typeof code === "number" && code !== 0) codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  return [...codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => ({
    rule: code === 137 ? "killed_137" : "task_exit",
    cause: `Tasks exit with code ${code}: ${exitMeaning(code)}`,
    evidence: `${n} failed task${n === 1 ? "" : "s"} with exit code ${code}`,
    suggested_fix: code === 137
      ? "Raise resources.limits.memory if it is set, or check the stop grace period"
      : "Read docker_service_logs for the error; fix the command, env or config",
    confidence: n >= 2 ? "high" : "medium",
  }));
}

function health(errors: string[]): ServiceFinding[] {
  const err = errors.find((e) => /unhealthy|health/i.test(e));
  return err
    ? [{
      rule: "health_failing",
      cause: "Tasks are replaced because their health check fails",
      evidence: `Task error: ${err}`,
      suggested_fix: "Check the health check's command and timing (start_period), and the logs",
      confidence: "high",
    }]
    : [];
}

function update(service: Json): ServiceFinding[] {
  const s = service.UpdateStatus;
  if (!s || !["paused", "rollback_paused", "rollback_completed"].includes(s.State)) return [];
  return [{
    rule: `update_${s.State}`,
    cause: s.State === "rollback_completed"
      ? "The last update failed and the swarm rolled it back"
      : "The last update is paused: new tasks failed",
    evidence: `Update state ${s.State}${s.Message ? `: ${s.Message}` : ""}`,
    suggested_fix: "Fix the cause below, then docker_update_service again (or roll back)",
    confidence: "high",
  }];
}

/** Findings about one service, most certain first; a running one gets a low-confidence all-clear. */
export function diagnoseService(service: Json, tasks: Json[]): ServiceFinding[] {
  const current = currentTasks(service, tasks);
  const errors = taskErrors(current.length ? current : tasks).map((e) => e.error);
  const findings = [
    ...update(service),
    ...unschedulable(service, errors),
    ...imageMissing(service, errors),
    ...health(errors),
    ...exits(current),
  ];
  if (findings.length) return findings;
  const running =
    current.filter((t) => t.DesiredState === "running" && t.Status?.State === "running")
      .length;
  const desired = desiredReplicas(service.Spec);
  if (desired !== undefined && running < desired) {
    return [{
      rule: "converging",
      cause: `Only ${running} of ${desired} tasks run yet, with no error recorded`,
      evidence: `Task states: ${current.map((t) => t.Status?.State).join(", ") || "none"}`,
      suggested_fix: "Wait and diagnose again; docker_list_tasks shows each task's state",
      confidence: "low",
    }];
  }
  return [{
    rule: "running",
    cause: "The service runs as desired",
    evidence: `${running} tasks running`,
    suggested_fix: "Nothing to fix; read docker_service_logs for application errors",
    confidence: "low",
  }];
}
