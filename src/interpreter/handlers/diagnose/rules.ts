/**
 * Deterministic diagnosis: evidence → findings, each with its cause, the
 * evidence that supports it, a fix and a confidence. Pure functions, tested
 * on hand-made evidence. Root causes come before symptoms at equal
 * confidence, and the answer is never empty.
 *
 * @module
 */

import type { Evidence } from "./evidence.ts";
import { boundPort, endpointOf, missingPath, type PatternHit, scanLogs } from "./log_patterns.ts";

/** How sure a finding is. */
export type Confidence = "high" | "medium" | "low";

/** One explanation of what is wrong (or that nothing is). */
export interface Finding {
  /** A stable identifier of the rule that produced it. */
  rule: string;
  cause: string;
  evidence: string;
  suggested_fix: string;
  confidence: Confidence;
}

const RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };
const MB = 1024 * 1024;
/** Memory use at or above this share of the limit counts as "at the limit". */
const NEAR_LIMIT = 0.9;

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

/** Quotes a log line as evidence, cut to a readable length. */
function quote(line: string): string {
  const cut = line.length > 300 ? `${line.slice(0, 300)}…` : line;
  return JSON.stringify(cut);
}

function mb(bytes: number): string {
  return `${Math.round((bytes / MB) * 10) / 10} MiB`;
}

/** Runs every rule; findings sorted by confidence, root causes first. */
export function diagnose(ev: Evidence): Finding[] {
  const hits = scanLogs(ev.stateError ? [...ev.logs, ev.stateError] : ev.logs);
  const findings = [
    ...oomRules(ev, hits),
    ...stateErrorRule(ev),
    ...healthRule(ev),
    ...logRules(ev, hits),
    ...crashLoopRule(ev),
    ...exitCodeRule(ev, hits),
  ];
  if (findings.length === 0) findings.push(nothingWrong(ev));
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.confidence] - RANK[b.f.confidence] || a.i - b.i)
    .map(({ f }) => f);
}

function oomRules(ev: Evidence, hits: Map<string, PatternHit>): Finding[] {
  const { limit, usage } = ev.memory;
  const oomEvent = ev.events.some((e) => e.action === "oom");
  const nearLimit = limit > 0 && usage !== null && usage >= limit * NEAR_LIMIT;
  const fix = limit > 0
    ? `Raise the memory limit (now ${mb(limit)}; e.g. to ${
      mb(limit * 2)
    } with docker update --memory or mem_limit), or reduce the application's memory use (leak, cache size, heap flags)`
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

function stateErrorRule(ev: Evidence): Finding[] {
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

function healthRule(ev: Evidence): Finding[] {
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
    evidence: `Health ${health.status}, ${health.failing_streak} failing probe(s) in a row${
      health.test ? ` of ${quote(health.test)}` : ""
    }; last probes: ${probes || "none recorded"}`,
    suggested_fix:
      "Run the probe command by hand (docker_exec_command) to see why it fails; fix the service or the probe, and give slow starters a start_period",
    confidence: health.status === "unhealthy" ? "high" : "medium",
  }];
}

function logRules(ev: Evidence, hits: Map<string, PatternHit>): Finding[] {
  const out: Finding[] = [];
  const seen = (hit: PatternHit) => `${hit.count} log line(s); the newest: ${quote(hit.line)}`;
  const format = hits.get("exec_format");
  if (format) {
    out.push({
      rule: "exec_format",
      cause: "The binary was built for another CPU architecture (exec format error)",
      evidence: seen(format),
      suggested_fix:
        "Use an image built for this engine's architecture (docker_system_info shows it), or build with --platform",
      confidence: "high",
    });
  }
  const port = hits.get("port_conflict");
  if (port) {
    const number = boundPort(port.line);
    out.push({
      rule: "port_conflict",
      cause: `Port conflict: the address${number ? ` (port ${number})` : ""} is already in use`,
      evidence: seen(port),
      suggested_fix:
        "Stop whatever holds the port (another container: docker_list_containers shows its ports), or publish or listen on another port",
      confidence: "high",
    });
  }
  const dep = hits.get("dependency");
  if (dep) out.push(dependencyFinding(ev, dep, seen(dep)));
  const missing = hits.get("missing");
  // Exit 126/127 and an engine start error already name the missing command.
  if (missing && !(ev.stateError && missing.line === ev.stateError)) {
    const path = missingPath(missing.line);
    const command = /not found|executable/i.test(missing.line) &&
      !/No such file/i.test(missing.line);
    out.push({
      rule: command ? "missing_command" : "missing_file",
      cause: command
        ? `A command is missing${path ? `: '${path}' was not found` : ""}`
        : `A file or directory is missing${path ? `: '${path}'` : ""}`,
      evidence: seen(missing),
      suggested_fix: command
        ? "Install the command in the image or fix its name or PATH"
        : "Create or mount the file (check volume and bind mount paths, the working directory, and COPY lines in the Dockerfile)",
      confidence: ev.exitCode !== 0 || ev.restarting ? "high" : "medium",
    });
  }
  const permission = hits.get("permission");
  if (permission) {
    out.push({
      rule: "permission_denied",
      cause: "Permission denied on a file, socket or operation",
      evidence: seen(permission),
      suggested_fix:
        "Check the owner and mode of mounted files against the container's user, or run as a user that may use them; avoid privileged mode",
      confidence: ev.exitCode !== 0 ? "medium" : "low",
    });
  }
  return out;
}

function dependencyFinding(ev: Evidence, hit: PatternHit, evidence: string): Finding {
  const endpoint = endpointOf(hit.line, ev.command);
  const target = endpoint
    ? `${endpoint.host}${endpoint.port ? `:${endpoint.port}` : ""}`
    : "a dependency";
  const local = endpoint && /^(localhost|127\.\d+\.\d+\.\d+|::1)$/.test(endpoint.host);
  const dns =
    /getaddrinfo|ENOTFOUND|EAI_AGAIN|not known|name resolution|no such host|bad address|translate host/i
      .test(hit.line);
  const cause = dns
    ? `Dependency not reachable: the host name ${
      endpoint ? `'${endpoint.host}'` : ""
    } does not resolve`
    : `Dependency not reachable: connections to ${target} fail`;
  const fix = local
    ? `Inside a container ${
      endpoint!.host
    } is the container itself: point the application at the dependency's service or container name on a shared network (or host.docker.internal for a service on the host)`
    : dns
    ? "Put both containers on the same user-defined network and use the other container's name (or compose service name); check the spelling"
    : `Check that ${target} is running and listening, is on a network this container shares, and that the application retries while it starts`;
  return {
    rule: "dependency_unreachable",
    cause: cause.replace("  ", " "),
    evidence,
    suggested_fix: fix,
    confidence: ev.exitCode !== 0 || ev.restarting || ev.restartCount > 0 ? "high" : "medium",
  };
}

function crashLoopRule(ev: Evidence): Finding[] {
  const dies = ev.events.filter((e) => e.action === "die").length;
  if (!ev.restarting && ev.restartCount < 3) return [];
  const code = ev.exitCode !== null && ev.exitCode !== 0
    ? `; last exit code ${ev.exitCode} (${exitMeaning(ev.exitCode)})`
    : "";
  return [{
    rule: "crash_loop",
    cause: "Crash loop: the container keeps exiting and the restart policy keeps restarting it",
    evidence: `${
      ev.restarting ? "State is restarting" : `Status ${ev.status}`
    }; RestartCount ${ev.restartCount}; restart policy ${ev.restartPolicy}${code}${
      dies ? `; ${dies} 'die' event(s) recently` : ""
    }`,
    suggested_fix:
      "Fix the exit cause named by the other findings and the last logs; meanwhile a restart policy of on-failure:N stops the loop",
    confidence: ev.restarting || ev.restartCount >= 3 ? "high" : "medium",
  }];
}

function exitCodeRule(ev: Evidence, hits: Map<string, PatternHit>): Finding[] {
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

function nothingWrong(ev: Evidence): Finding {
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
