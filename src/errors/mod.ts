/**
 * Typed errors with the stable DKR codes of the catalogue.
 *
 * Every failure that reaches a user is a {@link BerthError}: a code, a type, a
 * message that starts uppercase with no trailing period, optional context and a
 * hint that says how to fix it. Only bugs escape as plain exceptions.
 *
 * @module
 */

/** The closed set of error types, keyed to their DKR codes. */
export const ERROR_CODES = {
  daemon_unreachable: "DKR-001",
  container_not_found: "DKR-002",
  image_not_found: "DKR-003",
  invalid_input: "DKR-004",
  permission_denied: "DKR-005",
  port_in_use: "DKR-006",
  denied_by_policy: "DKR-007",
  timeout: "DKR-008",
  circuit_open: "DKR-009",
  conflict: "DKR-010",
  not_found: "DKR-011",
  engine_error: "DKR-012",
} as const;

/** One of the error types of the catalogue. */
export type ErrorType = keyof typeof ERROR_CODES;

/** A DKR code such as `DKR-002`. */
export type ErrorCode = (typeof ERROR_CODES)[ErrorType];

/** The kinds of engine object a name can fail to find. */
export type ObjectKind = "container" | "image" | "network" | "volume";

/** The tool that lists each kind of object: the one place "not found" hints take it from. */
export const LISTING_TOOLS: Record<ObjectKind, string> = {
  container: "docker_list_containers (all: true)",
  image: "docker_list_images",
  network: "docker_list_networks",
  volume: "docker_list_volumes",
};

/** The hint for a missing object of a kind: the tool that lists what exists. */
export function notFoundHint(kind: ObjectKind): string {
  return `List the ${kind}s with ${LISTING_TOOLS[kind]} to find the right name`;
}

const DEFAULT_HINTS: Record<ErrorType, string> = {
  daemon_unreachable:
    "Check that the Docker engine is running and that --docker-host or DOCKER_HOST points at it",
  container_not_found: notFoundHint("container"),
  image_not_found: `List local images with ${LISTING_TOOLS.image}, or check the reference spelling`,
  invalid_input: "Correct the named parameter and call again",
  permission_denied:
    "Check that berth may use the engine socket (group docker, or the socket's owner)",
  port_in_use: "Choose another host port, or stop the container that holds it",
  denied_by_policy: "Ask the operator to grant the level (--allow) or change the allow/deny lists",
  timeout: "Retry, or raise the limit for this class with --timeout CLASS=DURATION",
  circuit_open: "Wait for the cooldown; berth probes the engine again by itself",
  conflict: "Check the object's current state, or choose another name",
  not_found: `Check the name: ${Object.values(LISTING_TOOLS).join(", ")} list what exists`,
  engine_error: "Read the engine's message above; the engine log may say more",
};

/** The JSON shape of an error in `structuredContent.error`. */
export interface ErrorPayload {
  code: ErrorCode;
  type: ErrorType;
  message: string;
  hint: string;
  context?: string;
}

/** An expected failure, carried to the user as a tool result with `isError: true`. */
export class BerthError extends Error {
  readonly type: ErrorType;
  readonly hint: string;
  readonly context?: string;
  /** HTTP status from the engine, when the error came from one. */
  readonly status?: number;

  constructor(
    type: ErrorType,
    message: string,
    options: { hint?: string; context?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "BerthError";
    this.type = type;
    this.hint = options.hint ?? DEFAULT_HINTS[type];
    this.context = options.context;
    this.status = options.status;
  }

  /** The stable DKR code. */
  get code(): ErrorCode {
    return ERROR_CODES[this.type];
  }

  /** The structured form sent to clients. */
  toPayload(): ErrorPayload {
    const payload: ErrorPayload = {
      code: this.code,
      type: this.type,
      message: this.message,
      hint: this.hint,
    };
    if (this.context) payload.context = this.context;
    return payload;
  }

  /** The same error, its message led by where it happened (`Service 'web': …`). */
  prefixed(prefix: string): BerthError {
    return new BerthError(this.type, `${prefix}${this.message}`, {
      hint: this.hint,
      context: this.context,
      status: this.status,
      cause: this,
    });
  }

  /** The one-line text form: `Error: <code> <type>: <message> | Context: … | Fix: …`. */
  toText(): string {
    const context = this.context ? ` | Context: ${this.context}` : "";
    return `Error: ${this.code} ${this.type}: ${this.message}${context} | Fix: ${this.hint}`;
  }
}

/** Shorthand for the most common error: a parameter that fails validation. */
export function invalidInput(field: string, problem: string, hint?: string): BerthError {
  return new BerthError("invalid_input", `Parameter '${field}' ${problem}`, {
    hint: hint ?? `Correct '${field}' and call again`,
  });
}

/** True when a value is a {@link BerthError}. */
export function isBerthError(value: unknown): value is BerthError {
  return value instanceof BerthError;
}

export {
  allowFlag,
  allowFlagOf,
  allowReadHint,
  berthRoot,
  berthSetPaths,
  currentVia,
  grantHint,
  grantHintFor,
  LAUNCHER_FLAG,
  type PermissionSetName,
  SETUP_CLIENTS,
  setupHint,
  type Via,
  VIA_ENV,
  VIAS,
  whereFlagsGo,
} from "./sandbox.ts";
