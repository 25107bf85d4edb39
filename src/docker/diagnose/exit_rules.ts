/**
 * Rules on how the container ended: the exit code and its meaning, a
 * container never started, and the finding that says nothing is wrong.
 *
 * @module
 */

import type { EventEvidence, Evidence } from "./evidence.ts";
import { type Finding, mb, quote } from "./finding.ts";
import type { PatternHit } from "./log_patterns.ts";

/** Exit codes with a conventional meaning (shell and signal conventions). */
export const EXIT_MEANINGS: Record<number, string> = {
  1: "general error: the application failed",
  2: "misuse of a shell builtin or bad arguments",
  125: "the container could not be run (docker run itself failed)",
  126: "the command is not executable (permission or format problem)",
  127: "command not found",
  130: "interrupted (SIGINT)",
  134: "aborted (SIGABRT), often a failed assertion",
  137: "killed by SIGKILL (docker kill, a stop timeout, or the OOM killer)",
  139: "segmentation fault (SIGSEGV)",
  143: "terminated by SIGTERM (docker stop or the orchestrator)",
};

/** The meaning of an exit code, including signals above 128. */
export function exitMeaning(code: number): string {
  if (EXIT_MEANINGS[code]) return EXIT_MEANINGS[code];
  if (code > 128 && code < 160) return `killed by signal ${code - 128}`;
  return "an application-specific error code";
}

/** The exit code, its conventional meaning and fix; none while running. */
export function exitCodeRule(ev: Evidence, hits: Map<string, PatternHit>): Finding[] {
  if (ev.running && !ev.restarting) return [];
  if (ev.status === "created") {
    return ev.stateError ? [] : [{
      rule: "never_started",
      cause: "The container was created but never started",
      evidence: "Status created; no start recorded",
      suggested_fix: "Start it (docker_start_container) and diagnose again if it fails",
      confidence: "medium",
    }];
  }
  const code = ev.exitCode;
  if (code === null || ev.oomKilled) return [];
  if (code === 0) {
    return [{
      rule: "exited_normally",
      cause:
        "The main process finished normally (exit code 0); a container lives only as long as it",
      evidence: `Status ${ev.status}, exit code 0${ev.finishedAt ? ` at ${ev.finishedAt}` : ""}`,
      suggested_fix:
        "If it should keep running, run a long-lived foreground process (not a daemon that forks to the background)",
      confidence: "low",
    }];
  }
  const signalled = signalledByEngine(ev, code);
  if (signalled) return [signalled];
  const corroborated = (code === 127 || code === 126) && (ev.stateError || hits.has("missing"));
  const specific = hits.size > 0 || ev.stateError !== "" || ev.health !== null;
  const confidence = corroborated
    ? "high"
    : code === 1 && specific
    ? "low"
    : code === 143 || code === 130
    ? "low"
    : "medium";
  const tail = ev.logs.filter((l) => l.trim()).slice(-1)[0];
  return [{
    rule: `exit_${code}`,
    cause: `Exited with code ${code}: ${exitMeaning(code)}`,
    evidence: `Status ${ev.status}, exit code ${code}${
      ev.finishedAt ? ` at ${ev.finishedAt}` : ""
    }${tail ? `; last log line ${quote(tail)}` : "; no log output"}`,
    suggested_fix: EXIT_FIXES[code] ??
      "Read the last logs for the application's own error message and fix what it names",
    confidence,
  }];
}

/**
 * 137 or 143 with the engine's own kill or stop event since the last start:
 * someone asked for it (docker kill/stop, docker_kill_container, a restart),
 * so the cause is known rather than guessed between a kill and the OOM killer.
 */
function signalledByEngine(ev: Evidence, code: number): Finding | undefined {
  if (code !== 137 && code !== 143) return undefined;
  const lastStart = ev.events.findLastIndex((e) => e.action === "start");
  const since = ev.events.slice(lastStart + 1);
  const stop = since.find((e) => e.action === "stop");
  const kill = since.findLast((e) => e.action === "kill");
  const by = (e: EventEvidence) => `${e.action} event at ${e.time}`;
  if (code === 137 && kill?.signal === "9" && !stop) {
    return {
      rule: "exit_137",
      cause: "Exited with code 137: killed with SIGKILL through the engine (docker kill, " +
        "docker_kill_container)",
      evidence: `Exit code 137; ${by(kill)} with signal 9`,
      suggested_fix: "Nothing is wrong with the container itself: start it again if it should run",
      confidence: "high",
    };
  }
  if (stop) {
    const forced = code === 137;
    return {
      rule: `exit_${code}`,
      cause: forced
        ? "Exited with code 137: docker stop sent SIGTERM, the process did not exit within the " +
          "stop timeout, and the engine killed it"
        : "Exited with code 143: stopped on request (docker stop sent SIGTERM)",
      evidence: `Exit code ${code}; ${by(stop)}${
        kill ? `; ${by(kill)} signal ${kill.signal}` : ""
      }`,
      suggested_fix: forced
        ? "Make the process exit on SIGTERM (the exec form of CMD/ENTRYPOINT makes it PID 1 and " +
          "lets it receive the signal), or stop it with a longer timeout"
        : "Nothing is wrong: start it again if it should run",
      confidence: "high",
    };
  }
  return undefined;
}

const EXIT_FIXES: Record<number, string> = {
  126:
    "Make the entrypoint executable (chmod +x in the Dockerfile) or call it through its interpreter",
  127:
    "Fix the command: check its spelling, that it is installed in the image and on PATH, and the entrypoint/command split",
  137:
    "If nobody killed it, look for memory pressure (limit vs use); otherwise give it a longer stop timeout so it can shut down cleanly",
  139:
    "A crash in native code: check the image's architecture and library versions, and the application's own crash output",
  143: "Expected after docker stop; if nobody stopped it, look for what sent SIGTERM",
};

/** The answer when no rule matched: never an empty diagnosis. */
export function nothingWrong(ev: Evidence): Finding {
  const healthy = ev.health?.status === "healthy";
  return {
    rule: "no_problem_found",
    cause: healthy
      ? "Nothing is wrong: the container is running and its health check passes"
      : `No problem found: the container is ${ev.status} and no failure pattern matched`,
    evidence: `Status ${ev.status}; restarts ${ev.restartCount}; ${
      ev.health ? `health ${ev.health.status}` : "no health check"
    }; ${ev.logs.length} recent log line(s) without known error signatures${
      ev.memory.limit && ev.memory.usage !== null
        ? `; memory ${mb(ev.memory.usage)} of ${mb(ev.memory.limit)}`
        : ""
    }`,
    suggested_fix: healthy
      ? "None needed"
      : "None needed; if something still misbehaves, add a health check or read more logs (docker_container_logs with since or grep)",
    confidence: healthy ? "medium" : "low",
  };
}
