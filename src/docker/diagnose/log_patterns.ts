/**
 * Failure signatures in log lines: missing files or commands, wrong binary
 * architecture, permissions, port conflicts and unreachable dependencies,
 * with the host and port a failed connection names.
 *
 * @module
 */

/** A family of log lines that points at one cause. */
export interface LogPattern {
  id: string;
  test: RegExp;
}

/** The families, most specific first (a line counts for the first that matches). */
export const LOG_PATTERNS: LogPattern[] = [
  { id: "exec_format", test: /exec format error/i },
  {
    id: "port_conflict",
    test: /address already in use|port is already allocated|EADDRINUSE|bind: address/i,
  },
  {
    id: "dependency",
    test:
      /connection refused|ECONNREFUSED|could not connect|can'?t connect|unable to connect|failed to connect|getaddrinfo|ENOTFOUND|EAI_AGAIN|Name or service not known|Temporary failure in name resolution|no such host|bad address|could not translate host name|no route to host|EHOSTUNREACH|network is unreachable|connect(?:ion)? timed? ?out|ETIMEDOUT|(?:timed? ?out|timeout).*\b[\w.-]+:\d{2,5}\b|\b[\w.-]+:\d{2,5}\b.*(?:timed? ?out|timeout)/i,
  },
  {
    id: "missing",
    test:
      /No such file or directory|command not found|executable file not found|: not found\b|not found in \$PATH|cannot find module|ModuleNotFoundError|can'?t open '[^']*'/i,
  },
  { id: "permission", test: /permission denied|EACCES|operation not permitted/i },
  {
    id: "memory",
    test:
      /out of memory|cannot allocate memory|OutOfMemoryError|heap out of memory|MemoryError\b|std::bad_alloc/i,
  },
];

/** Lines of one family: how many, and the newest. */
export interface PatternHit {
  id: string;
  count: number;
  /** The newest matching line. */
  line: string;
}

/** Scans lines (oldest first) and answers, per family, its count and newest line. */
export function scanLogs(lines: string[]): Map<string, PatternHit> {
  const hits = new Map<string, PatternHit>();
  for (const line of lines) {
    const pattern = LOG_PATTERNS.find((p) => p.test.test(line));
    if (!pattern) continue;
    const hit = hits.get(pattern.id);
    if (hit) {
      hit.count++;
      hit.line = line;
    } else hits.set(pattern.id, { id: pattern.id, count: 1, line });
  }
  return hits;
}

/** A host (and port, when known) that a connection went to. */
export interface Endpoint {
  host: string;
  port: number | null;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const HOSTNAME = /^(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$/;

function plausibleHost(host: string): boolean {
  return IPV4.test(host) || host === "localhost" || HOSTNAME.test(host);
}

// Each: a regex whose groups 1 and 2 are host and (optional) port.
const ENDPOINT_SHAPES: RegExp[] = [
  /dial (?:tcp|udp)\d? \[?([\w.:-]+?)\]?:(\d{1,5})\b/i,
  /remote host \(([^)\s]+)\)/i,
  /(?:getaddrinfo|lookup) (?:ENOTFOUND |EAI_AGAIN )?([\w.-]+)(?::(\d{1,5}))?/i,
  /could not translate host name "([^"]+)"/i,
  /bad address '([^']+)'/i,
  /host "([^"]+)".*?port (\d{1,5})/i,
  /connect to (?:host |server )?\[?([\w.-]+)\]?(?::(\d{1,5})| port (\d{1,5}))?/i,
  /\b((?:\d{1,3}\.){3}\d{1,3}|localhost|[A-Za-z][\w-]*(?:\.[\w-]+)*):(\d{2,5})\b/,
];

/** Finds the host and port a failed connection line names (the command supplies a missing port). */
export function endpointOf(line: string, command = ""): Endpoint | null {
  for (const shape of ENDPOINT_SHAPES) {
    const match = shape.exec(line);
    if (!match || !plausibleHost(match[1])) continue;
    const portText = match[2] ?? match[3];
    const port = portText ? Number(portText) : portFromCommand(match[1], command);
    return { host: match[1], port };
  }
  return null;
}

/** `nc db 5432`, `db:5432` or `--host db --port 5432` in the command give the port. */
function portFromCommand(host: string, command: string): number | null {
  const escaped = host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}[ :](\\d{1,5})\\b`).exec(command) ??
    (command.includes(host) ? /--port[ =](\d{1,5})\b/.exec(command) : null);
  return match ? Number(match[1]) : null;
}

/** The port a "bind: address already in use" line names, if any. */
export function boundPort(line: string): number | null {
  const match = /(?:[:\s])(\d{2,5})(?:\D*(?:address already in use|port is already allocated))/i
    .exec(line) ?? /port (\d{2,5})/i.exec(line) ?? /:(\d{2,5})\b/.exec(line);
  return match ? Number(match[1]) : null;
}

/** A path named by a missing-file line (`'/x': No such file`, `open /x: no such file`). */
export function missingPath(line: string): string | null {
  const match = /'([^']+)'[^']*No such file/i.exec(line) ??
    /(?:open|stat|exec|lstat)\s+"?([^\s":]+)"?:\s*no such file/i.exec(line) ??
    /(\/[^\s:'"]+)[^/]*No such file/i.exec(line) ??
    /can'?t open '([^']+)'/i.exec(line) ??
    /exec: "([^"]+)": executable file not found/i.exec(line) ??
    /(?:^|\s)(?:\w+: )?([^\s:]+): (?:command )?not found/i.exec(line);
  return match ? match[1] : null;
}
