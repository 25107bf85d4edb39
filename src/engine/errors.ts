/**
 * The one place where engine HTTP failures become DKR errors.
 *
 * @module
 */

import {
  BerthError,
  type ErrorType,
  LISTING_TOOLS,
  notFoundHint,
  type ObjectKind,
} from "../errors/mod.ts";

/** How a manifest renames a status for its route (e.g. 404 → image_not_found). */
export type StatusOverrides = Partial<Record<number, ErrorType>>;

/** The engine's message, read from its `{"message": …}` body or the raw text. */
export function engineMessage(body: string): string {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed.message === "string") return parsed.message;
  } catch {
    // Not JSON: the engine (or a proxy in front of it) sent plain text.
  }
  return body.trim().slice(0, 2000) || "(no message)";
}

/** The engine's words for a network a request names that does not exist. */
const NETWORK_NOT_FOUND = /^network \S+ not found/i;

/** Picks the error type for a status and message; the message decides when it is more precise. */
export function classify(
  status: number,
  message: string,
  overrides: StatusOverrides = {},
): ErrorType {
  if (/port is already allocated|address already in use/i.test(message)) return "port_in_use";
  if (
    /no such image|pull access denied|manifest unknown|repository does not exist/i.test(message)
  ) {
    return "image_not_found";
  }
  if (/no such container/i.test(message)) return "container_not_found";
  // A container route's 404 override would make a missing network look like the container.
  if (NETWORK_NOT_FOUND.test(message)) return "not_found";
  const override = overrides[status];
  if (override) return override;
  if (status === 400) return "invalid_input";
  if (status === 401 || status === 403) return "permission_denied";
  if (status === 404) return "not_found";
  if (status === 409 || status === 304) return "conflict";
  return "engine_error";
}

const HINTS: Partial<Record<ErrorType, string>> = {
  conflict: "Check the object's current state (is it running, in use, or the name taken?)",
  invalid_input: "The engine refused a value of this call; its message above says which one: " +
    "correct that parameter and call again",
};

/**
 * Hints for the statuses that mean "refused" once berth has reached the
 * engine: a socket berth may not use fails to connect (see
 * {@link unreachable}), so these are never about the socket.
 */
const REFUSED_HINTS: Partial<Record<number, string>> = {
  401: "The engine wanted credentials it did not get; for a registry, pass auth " +
    "{username, password}",
  403: "The engine forbids this operation on this object (its message above says why): " +
    "change the call rather than retrying it",
};

/** An entry of a table that explains engine messages, limited to some routes or not. */
interface MessageEntry {
  /** Matches the engine's message. */
  message: RegExp;
  /** Limits the entry to requests (`METHOD /path`) where the words mean this. */
  route?: RegExp;
}

/** The first entry of a table whose message and (optional) route match, if any. */
function firstMatch<T extends MessageEntry>(
  table: readonly T[],
  message: string,
  route: string,
): T | undefined {
  return table.find((e) => e.message.test(message) && (e.route?.test(route) ?? true));
}

/** An engine refusal whose words say what to do instead. */
interface EngineRefusal extends MessageEntry {
  /** The catalogue type the refusal is, whatever the status. */
  type: ErrorType;
  /** What to do instead. */
  hint: string;
}

/**
 * Operations the engine refuses for what an object is, not for who asks
 * (Docker's "forbidden", HTTP 403 or, by engine version, 500). The built-in
 * networks are conflicts (DKR-010): the name or the object is taken by the
 * engine itself. Only an authorization plugin is a refusal of the caller
 * (DKR-005). First match wins.
 */
const ENGINE_REFUSALS: readonly EngineRefusal[] = [
  {
    // Said by an ssh:// engine's tunnel when ssh ended before the engine answered.
    message: /^The ssh connection to \S+ failed/,
    type: "daemon_unreachable",
    hint: "Check that 'ssh user@host docker version' works from this machine with no prompt " +
      "(a key or ssh-agent, the host in known_hosts) and that the remote user may use docker; " +
      "the engine's ssh block sets identity_file, known_hosts_file and -o options",
  },
  {
    message: /pre-?defined (host |bridge |none )?network/i,
    route: /^POST \/networks\/create\b/,
    type: "conflict",
    hint: "bridge, host and none are the engine's built-in networks: give your network " +
      "another name",
  },
  {
    message: /only one instance of "?[\w-]+"? network is allowed/i,
    type: "conflict",
    hint: "The host and none networks exist once, built in: attach containers to them by " +
      'name (network: "host" or "none"); for a network of your own use driver bridge ' +
      "(the default)",
  },
  {
    message: /pre-?defined (host |bridge |none )?network/i,
    type: "conflict",
    hint: "bridge, host and none are built into the engine and cannot be removed or " +
      "changed; remove only networks you created (docker_list_networks lists them)",
  },
  {
    message:
      /(disconnected from|connected to) host network|networks in private \(none\) mode|sharing network namespace/i,
    type: "conflict",
    hint: "host, none (and another container's network) can only be a container's one " +
      "network: it cannot join them " +
      "alongside others, nor join or leave others while on them; recreate the container " +
      'with network: "host" (or "none", or the network it should use) instead',
  },
  {
    message: /authorization denied by plugin/i,
    type: "permission_denied",
    hint: "An authorization plugin of the engine refused this call; ask the engine's " +
      "operator to allow it",
  },
  {
    message: /marked (as )?read-only|read-only file ?system/i,
    route: /\/archive\b/,
    type: "permission_denied",
    hint: "That path is read-only in the container (it runs with read_only, or the path is " +
      "on a volume mounted :ro): use a writable path, such as a volume mounted rw or a tmpfs",
  },
];

/** An engine message that shows which berth parameter was at fault. */
interface ParameterFault extends MessageEntry {
  /** The berth parameter to name. */
  parameter: string;
  /** How to fix it. */
  hint: string;
}

/**
 * The engine's words for a bad value, mapped to the parameter berth took it
 * from. Whatever the status (a missing executable is a 400 or a 500 on start,
 * by engine version), these are invalid input. First match wins.
 */
const PARAMETER_FAULTS: readonly ParameterFault[] = [
  {
    message: /exec: "[^"]*": |executable file not found|exec format error/i,
    parameter: "command",
    hint: "The command's first word (the entrypoint's, when 'entrypoint' is given) must be an " +
      'executable in the image: give its full path, or run it through a shell: ["sh", "-c", "…"]',
  },
  {
    message: /invalid filter/i,
    parameter: "filters",
    hint: "Use the filter names and values the tool's description lists, as an object of " +
      'string arrays, e.g. {"status": ["exited"]}',
  },
  {
    message: /invalid signal|does not support signal/i,
    parameter: "signal",
    hint: "Use a signal name such as SIGTERM, SIGKILL, SIGHUP or SIGINT, or its number (1-31)",
  },
  {
    message: /plugin "?[^"\s]*"? not found/i,
    route: /^POST \/networks\/create\b/,
    parameter: "driver",
    hint: "Use a network driver the engine has: bridge (the default), overlay, macvlan or " +
      "ipvlan, or the name of an installed network plugin",
  },
  {
    message: /plugin "?[^"\s]*"? not found/i,
    route: /^POST \/volumes\/create\b/,
    parameter: "driver",
    hint: "Use local (the default) or the name of an installed volume plugin",
  },
  {
    message: NETWORK_NOT_FOUND,
    route: /^POST \/containers\//,
    parameter: "network",
    hint:
      `Create the network first (docker_create_network), or pick one from ${LISTING_TOOLS.network}`,
  },
  {
    message: /invalid reference format/i,
    route: /^POST \/build\b/,
    parameter: "tag",
    hint: "Write the tag as name[:tag] in lowercase, e.g. myapp:1.0",
  },
  {
    message: /invalid reference format/i,
    parameter: "image",
    hint: "Write the image as name[:tag] or name@digest in lowercase, e.g. nginx:1.27",
  },
];

/** Engine messages have a handful of parts; a body with more is not worth the search. */
const MAX_PARTS = 24;

/**
 * Drops a run of `: `-separated parts that repeats the run just before it:
 * the engine wraps some errors in themselves ("no such image: x: No such
 * image: x", "manifest unknown: manifest unknown").
 */
export function withoutRepeats(message: string): string {
  const parts = message.split(": ");
  if (parts.length > MAX_PARTS) return message;
  for (let size = Math.floor(parts.length / 2); size >= 1; size--) {
    for (let at = 0; at + 2 * size <= parts.length; at++) {
      const first = parts.slice(at, at + size).join(": ").toLowerCase();
      const second = parts.slice(at + size, at + 2 * size).join(": ").toLowerCase();
      if (first === second) {
        parts.splice(at + size, size);
        return withoutRepeats(parts.join(": "));
      }
    }
  }
  return message;
}

/** Builds the error for a non-success engine response. */
/**
 * The plain-text body of a 404 for a route the engine does not serve at all
 * (Podman's mux says `Not Found`, Go's default `404 page not found`), never
 * a JSON message about a missing object. Docker's own unknown-route answer
 * is JSON and keeps its route's meaning (a reference that broke the route).
 */
const NO_SUCH_ROUTE = /^(404 page not found|not found)$/i;

function isPlainText(body: string): boolean {
  try {
    JSON.parse(body);
    return false;
  } catch {
    return true;
  }
}

/** The message of {@link missingRoute}'s errors, to tell them from a missing object. */
const MISSING_ROUTE_PREFIX = "The engine does not serve";

/**
 * The error for a route the engine lacks, naming it: Podman's
 * Docker-compatible API serves most of Docker's routes, not all.
 */
export function missingRoute(context: string): BerthError {
  return new BerthError("engine_error", `${MISSING_ROUTE_PREFIX} ${context}`, {
    status: 404,
    context,
    hint: "This engine's API lacks the route this tool needs (Podman's Docker-compatible API " +
      "has no build cache, swarm or plugin routes, among others); use the engine's own CLI for it",
  });
}

/** True for the error of a route the engine lacks ({@link missingRoute}). */
export function isMissingRoute(error: unknown): boolean {
  return error instanceof BerthError && error.message.startsWith(MISSING_ROUTE_PREFIX);
}

export function engineError(
  status: number,
  body: string,
  context: string,
  overrides: StatusOverrides = {},
): BerthError {
  if (status === 404 && isPlainText(body) && NO_SUCH_ROUTE.test(body.trim())) {
    return missingRoute(context);
  }
  const message = withoutRepeats(engineMessage(body)).trim();
  const text = message.charAt(0).toUpperCase() + message.slice(1).replace(/\.$/, "");
  const type = classify(status, message, overrides);
  // A missing driver plugin is a 404, but the name at fault is a parameter's value.
  const fault = type === "invalid_input" || type === "engine_error" || type === "not_found"
    ? firstMatch(PARAMETER_FAULTS, message, context)
    : undefined;
  if (fault) {
    return new BerthError("invalid_input", `Parameter '${fault.parameter}' was refused: ${text}`, {
      status,
      context,
      hint: fault.hint,
    });
  }
  const refusal = firstMatch(ENGINE_REFUSALS, message, context);
  if (refusal) return new BerthError(refusal.type, text, { status, context, hint: refusal.hint });
  return new BerthError(type, text, { status, context, hint: hintFor(type, status, context) });
}

const ROUTE_KINDS: Record<string, ObjectKind> = {
  containers: "container",
  images: "image",
  networks: "network",
  volumes: "volume",
};

/** The hint of an error no table explains, from its type, status and route. */
function hintFor(type: ErrorType, status: number, context: string): string | undefined {
  if (type === "permission_denied") return REFUSED_HINTS[status];
  if (type === "not_found") {
    const kind = ROUTE_KINDS[/^[A-Z]+ \/([a-z]+)/.exec(context)?.[1] ?? ""];
    return kind ? notFoundHint(kind) : undefined;
  }
  return HINTS[type];
}

/** Messages of Deno's fetch and streams when the connection broke or spoke no HTTP. */
const TRANSPORT_MESSAGE =
  /fetch failed|error sending request|error reading a body|connection (closed|reset|refused)|broken pipe|unexpected eof|invalid http/i;

/** True when an error is a failure of the connection itself (refused, reset, closed mid-body, not HTTP). */
export function isTransportError(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionRefused ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.NotConnected ||
    (error instanceof TypeError && TRANSPORT_MESSAGE.test(error.message));
}

/** How the OS says a socket refused to connect for want of rights (EACCES). */
const SOCKET_DENIED = /permission denied|os error 13\b/i;

/**
 * The error for a connection failure; `where` names the engine. A socket
 * berth may not open is DKR-005 with the socket advice (retrying cannot
 * help); anything else is DKR-001.
 */
export function unreachable(error: unknown, where = "the configured host"): BerthError {
  const cause = (error as Error)?.cause as Error | undefined;
  const detail = [String((error as Error)?.message ?? error), cause?.message]
    .filter(Boolean).join(": ");
  if (error instanceof Deno.errors.PermissionDenied || SOCKET_DENIED.test(detail)) {
    return new BerthError("permission_denied", `Berth may not connect to the engine at ${where}`, {
      context: detail.slice(0, 300),
      cause: error,
    });
  }
  return new BerthError("daemon_unreachable", `No answer from the engine at ${where}`, {
    context: detail.slice(0, 300),
    cause: error,
  });
}

/** DKR-001 (DKR-005 for a socket refused) for a connection failure, undefined for any other error. */
export function transportFailure(error: unknown, where?: string): BerthError | undefined {
  return isTransportError(error) ? unreachable(error, where) : undefined;
}
