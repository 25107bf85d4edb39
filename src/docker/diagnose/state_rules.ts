/**
 * Rules on the container's state: OOM kills and memory pressure, engine
 * start errors, failing health checks and crash loops.
 *
 * @module
 */

import type { Evidence } from "./evidence.ts";
import { exitMeaning } from "./exit_rules.ts";
import { type Finding, MB, mb, quote } from "./finding.ts";
import { missingPath, type PatternHit } from "./log_patterns.ts";

/** Memory use at or above this share of the limit counts as "at the limit". */
const NEAR_LIMIT = 0.9;

/** OOM kill (flag, or exit 137 at the limit), an OOM-killed child, memory at the limit. */
export function oomRules(ev: Evidence, hits: Map<string, PatternHit>): Finding[] {
  const { limit, usage } = ev.memory;
  const oomEvent = ev.events.some((e) => e.action === "oom");
  const nearLimit = limit > 0 && usage !== null && usage >= limit * NEAR_LIMIT;
  const fix = limit > 0
    ? `Raise the memory limit (now ${mb(limit)}): recreate the container with a higher ` +
      `mem_limit, e.g. "${Math.ceil((limit * 2) / MB)}m" (docker_create_container or ` +
      `docker_run_container; mem_limit in a compose file), or reduce the application's memory ` +
      "use (leak, cache size, heap flags)"
    : "Give the container a memory limit it fits in and reduce the application's memory use; the host itself ran out of memory";
  const limitText = limit > 0 ? `memory limit ${mb(limit)}` : "no memory limit";
  const usageText = usage !== null ? `, in use ${mb(usage)}` : "";
  if (ev.oomKilled) {
    return [{
      rule: "oom_killed",
      cause: "Out of memory: the kernel's OOM killer stopped the container's main process",
      evidence: `State.OOMKilled is true; exit code ${ev.exitCode}; ${limitText}${usageText}${
        oomEvent ? "; an 'oom' event was recorded" : ""
      }`,
      suggested_fix: fix,
      confidence: "high",
    }];
  }
  if (ev.exitCode === 137 && !ev.running && limit > 0 && (oomEvent || nearLimit)) {
    return [{
      rule: "oom_killed",
      cause: "Probably out of memory: exit 137 (SIGKILL) with memory at its limit",
      evidence: `Exit code 137; ${limitText}${usageText}${oomEvent ? "; an 'oom' event" : ""}`,
      suggested_fix: fix,
      confidence: oomEvent ? "high" : "medium",
    }];
  }
  const out: Finding[] = [];
  if (oomEvent) {
    out.push({
      rule: "oom_process",
      cause: "A process inside the container was killed by the OOM killer",
      evidence: `An 'oom' event was recorded for the container; ${limitText}${usageText}`,
      suggested_fix: fix,
      confidence: "medium",
    });
  } else if (ev.running && nearLimit) {
    out.push({
      rule: "memory_near_limit",
      cause: "Memory use is at the limit: the next allocation peak will be OOM-killed",
      evidence: `In use ${mb(usage!)} of ${mb(limit)} (${Math.round((usage! / limit) * 100)}%)`,
      suggested_fix: fix,
      confidence: "medium",
    });
  }
  const memory = hits.get("memory");
  if (memory) {
    out.push({
      rule: "app_out_of_memory",
      cause: "The application ran out of memory (its own allocator or runtime said so)",
      evidence: `${memory.count} log line(s) such as ${quote(memory.line)}`,
      suggested_fix:
        `${fix}; for runtimes with their own heap limit (JVM -Xmx, Node --max-old-space-size) raise that too`,
      confidence: "medium",
    });
  }
  return out;
}

/** The engine could not start the container (State.Error). */
export function stateErrorRule(ev: Evidence): Finding[] {
  if (!ev.stateError) return [];
  const path = missingPath(ev.stateError);
  const notFound = /executable file not found|no such file or directory|not found/i.test(
    ev.stateError,
  );
  const denied = /permission denied/i.test(ev.stateError);
  const cause = notFound
    ? `The command${
      path ? ` '${path}'` : ""
    } does not exist in the image, so the container could not start`
    : denied
    ? "The command is not executable (permission denied), so the container could not start"
    : /port is already allocated|address already in use/i.test(ev.stateError)
    ? "A published host port is already in use, so the container could not start"
    : "The engine could not start the container";
  const fix = notFound
    ? "Fix the command or entrypoint (check the spelling and that the binary is in the image and on PATH), or use an image that contains it"
    : denied
    ? "Make the file executable in the image (chmod +x) or run it through its interpreter (sh script.sh)"
    : "Read the engine's error above; fix the option it names and start the container again";
  return [{
    rule: "start_failed",
    cause,
    evidence: `State.Error: ${quote(ev.stateError)}`,
    suggested_fix: fix,
    confidence: "high",
  }];
}

/** A health check that fails, with its last probe outputs. */
export function healthRule(ev: Evidence): Finding[] {
  const health = ev.health;
  if (!health || health.status === "healthy" || health.status === "none") return [];
  const failing = health.status === "unhealthy" || health.failing_streak > 0;
  if (!failing) return [];
  const probes = health.probes
    .map((p) => `exit ${p.exit_code ?? "?"}${p.output ? ` ${quote(p.output)}` : " (no output)"}`)
    .join("; ");
  return [{
    rule: "health_check_failing",
    cause: health.status === "unhealthy"
      ? "The health check fails: the container is marked unhealthy"
      : "The health check is failing while the container starts",
    evidence: `Health ${health.status}; the health check${
      health.test ? ` ${quote(health.test)}` : ""
    } ${streakText(health.failing_streak)}; last probes: ${probes || "none recorded"}`,
    suggested_fix:
      "Run the probe command by hand (docker_exec_command) to see why it fails; fix the service or the probe, and give slow starters a start_period",
    confidence: health.status === "unhealthy" ? "high" : "medium",
  }];
}

/** "failed 5 times in a row", "failed its last probe". */
function streakText(streak: number): string {
  if (streak <= 0) return "passed its last probe, after failing";
  return streak === 1 ? "failed its last probe" : `failed ${streak} times in a row`;
}

/**
 * What stops a crash loop meanwhile, given the policy the container already
 * has: on-failure:N advice to a container that has it would be no advice.
 * Berth has no update tool, so a policy changes by recreating the container.
 */
function loopMeanwhile(ev: Evidence): string {
  const recreate = 'recreate it with restart_policy "on-failure:5" (docker_run_container, or ' +
    "restart in a compose file) so the engine gives up after 5 tries";
  const [name, max] = ev.restartPolicy.split(":");
  if (name === "on-failure" && max) {
    return `its policy ${ev.restartPolicy} already stops the loop after ${max} restarts ` +
      `(${ev.restartCount} so far); stop it sooner with docker_stop_container`;
  }
  if (name === "on-failure") {
    return `on-failure without a count restarts it for ever: ${recreate}, or stop it with ` +
      "docker_stop_container";
  }
  if (name === "always" || name === "unless-stopped") {
    return `stop it with docker_stop_container (${name} restarts it until stopped), or ${recreate}`;
  }
  return "stop it with docker_stop_container";
}

/** Restarting, or restarted three times or more. */
export function crashLoopRule(ev: Evidence): Finding[] {
  const dies = ev.events.filter((e) => e.action === "die");
  if (!ev.restarting && ev.restartCount < 3) return [];
  // Caught between two restarts the state says running with exit code 0: the
  // last 'die' event still has the code it exited with.
  const last = ev.exitCode || dies.at(-1)?.exit_code;
  const code = last ? `; last exit code ${last} (${exitMeaning(last)})` : "";
  return [{
    rule: "crash_loop",
    cause: "Crash loop: the container keeps exiting and the restart policy keeps restarting it",
    evidence: `${
      ev.restarting ? "State is restarting" : `Status ${ev.status}`
    }; RestartCount ${ev.restartCount}; restart policy ${ev.restartPolicy}${code}${
      dies.length ? `; ${dies.length} 'die' event(s) recently` : ""
    }`,
    suggested_fix: `Fix the exit cause named by the other findings and the last logs; meanwhile ${
      loopMeanwhile(ev)
    }`,
    confidence: ev.restarting || ev.restartCount >= 3 ? "high" : "medium",
  }];
}
