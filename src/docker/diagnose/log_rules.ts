/**
 * Rules on log lines: wrong architecture, port conflicts, unreachable
 * dependencies (naming the host), missing files or commands, permissions.
 *
 * @module
 */

import type { Evidence } from "./evidence.ts";
import { type Finding, quote } from "./finding.ts";
import { boundPort, endpointOf, missingPath, type PatternHit } from "./log_patterns.ts";

/** One finding per family of failure lines found in the logs. */
export function logRules(ev: Evidence, hits: Map<string, PatternHit>): Finding[] {
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
