/**
 * The safety steps around every tool call that are not the tool's own work:
 * resolving route targets, asking before destructive calls, redacting what
 * leaves, and the audit record. The interpreter calls these; they know no MCP.
 *
 * @module
 */

import type { EngineClient } from "../engine/client.ts";
import { BerthError, isBerthError } from "../errors/mod.ts";
import type { ToolSpec } from "../manifest/types.ts";
import type { AuditSink } from "../policy/audit.ts";
import { shouldAudit } from "../policy/audit.ts";
import { redactArguments, REDACTED, redactWith, scrubValues } from "../policy/redact.ts";
import { isIrreversible, isReadOnly } from "./annotations.ts";
import type { FallbackModel, HandlerContext, Sampler, Shaped } from "./contract.ts";
import type { Args } from "./input.ts";
import { PolicyEngine } from "../policy/enforce/mod.ts";
import { checkImage } from "../policy/enforce/mod.ts";
import { callOutcome, type Progress, type ToolResult } from "./result.ts";

/**
 * The engine one call uses: the policy engine with a resolution cache of its
 * own; for a read-level tool (`readOnly`) it refuses any request but GET and HEAD.
 */
export function engineForCall(engine: EngineClient, readOnly = false): EngineClient {
  return engine instanceof PolicyEngine ? engine.scoped({ readOnly }) : engine;
}

/**
 * For route tools: checks `request.target.image` against the image lists for
 * tools that change something, as the image lists judge an image a change
 * uses. The container a route names needs nothing here: the policy engine
 * resolves the operation's target, once per call (src/policy/enforce/).
 * Answers the arguments to plan with.
 */
export async function checkRouteImage(ctx: HandlerContext): Promise<Args> {
  const image = ctx.spec.request?.target?.image;
  if (image && ctx.spec.permission !== "read" && typeof ctx.args[image] === "string") {
    await checkImage(ctx, ctx.args[image] as string);
  }
  return ctx.args;
}

// Arguments that make a tool remove things (asked before the call starts);
// other removals a call makes are asked about when sent (confirm_removals.ts).
const REMOVING_ARGUMENTS: Readonly<Record<string, string>> = {
  docker_compose_up: "remove_orphans",
};

/**
 * True when the user is asked before a call: it cannot be undone (remove,
 * prune, kill, system prune, compose down), or its arguments ask it to
 * remove (compose up's `remove_orphans`). Exec and copy_to carry
 * `destructiveHint` too but are not asked about, or every command would be.
 */
export function needsConfirmation(spec: ToolSpec, args: Args = {}): boolean {
  const removing = REMOVING_ARGUMENTS[spec.name];
  return isIrreversible(spec) || (removing !== undefined && args[removing] === true);
}

/** What the user is asked when a call that was not confirmed up front is about to remove something. */
export function removalMessage(spec: ToolSpec, args: unknown, what: string): string {
  const shown = JSON.stringify(redactArguments(args) ?? {});
  const cut = shown.length > 400 ? `${shown.slice(0, 400)}…` : shown;
  return `${spec.title} (${spec.name}) is about to remove ${what}, which cannot be undone. ` +
    `Proceed? Arguments: ${cut}`;
}

/** What the user is asked before an irreversible call; arguments redacted, never secrets. */
export function confirmMessage(spec: ToolSpec, args: unknown): string {
  const shown = JSON.stringify(redactArguments(withoutWriteOnly(spec, args)) ?? {});
  const cut = shown.length > 400 ? `${shown.slice(0, 400)}…` : shown;
  return `${spec.title} (${spec.name}) cannot be undone. Proceed? Arguments: ${cut}`;
}

/** Arguments with the values of write-only parameters (a secret's value) redacted. */
export function withoutWriteOnly(spec: ToolSpec, args: unknown): unknown {
  if (!args || typeof args !== "object" || Array.isArray(args)) return args;
  const out = { ...(args as Record<string, unknown>) };
  for (const [name, param] of Object.entries(spec.input ?? {})) {
    if (param.writeOnly && out[name] !== undefined) out[name] = REDACTED;
  }
  return out;
}

/** The answer to a declined confirmation. */
export function cancelledByUser(): BerthError {
  return new BerthError("denied_by_policy", "Cancelled by the user", {
    hint: "The user declined this call; do not retry it unless they ask",
  });
}

/**
 * Redacts a result before it leaves berth: text, structured content and errors
 * alike; `secrets` are values seen during the call (secret env values, build
 * args, registry credentials), scrubbed wherever they appear without their key.
 */
export function redactResult(result: ToolResult, secrets: readonly string[] = []): ToolResult {
  return {
    structured: redactWith(result.structured, secrets),
    text: redactWith(result.text, secrets),
    isError: result.isError,
  };
}

/**
 * The redaction of one call's result, done twice: when the work ends (so a
 * result kept for docker_operation_status is redacted) and when the call
 * answers (which also covers errors and answers made outside the work). The
 * second pass over a result the first found clean is skipped: redaction finds
 * nothing in a value it has just found nothing in, provided the call learned
 * no secret value since and the result was not cut in between (a cut can end
 * a text in a new shape). A result in which the first pass redacted anything
 * is redacted again, as before.
 */
export class CallRedaction {
  readonly #engine: EngineClient;
  /** Structured results the first pass left as they were: their text and the secrets then known. */
  readonly #clean = new WeakMap<object, { text: string; secrets: number }>();

  constructor(engine: EngineClient) {
    this.#engine = engine;
  }

  /** The first pass, over what the work shaped. */
  shaped(shaped: Shaped): Shaped {
    const secrets = secretsSeen(this.#engine);
    const out = redactWith(shaped, secrets);
    // Copy on write: the same object back means nothing was redacted.
    if (out === shaped) {
      this.#clean.set(shaped.structured, { text: shaped.text, secrets: secrets.length });
    }
    return out;
  }

  /** The pass over the answer as it leaves. */
  result(result: ToolResult): ToolResult {
    const secrets = secretsSeen(this.#engine);
    const clean = this.#clean.get(result.structured);
    // A call's secrets only grow: the same count is the same set.
    if (clean && clean.text === result.text && clean.secrets === secrets.length) return result;
    return redactResult(result, secrets);
  }
}

/** The secret values a call's engine saw (none for a plain client). */
export function secretsSeen(engine: EngineClient): string[] {
  return engine instanceof PolicyEngine ? engine.secretValues() : [];
}

/** Redacts anything by the call's rules: key patterns and the secret values seen so far. */
export type Redactor = <T>(value: T) => T;

/**
 * The one redaction of a call, for everything that leaves berth while it
 * runs or once it ends (result, progress, model requests, audit record,
 * prompt text): the secrets are read at each use, since the call's engine
 * learns them as it goes.
 */
export function callRedactor(engine: EngineClient): Redactor {
  return (value) => redactWith(value, secretsSeen(engine));
}

/** A BerthError with message, hint and context redacted; type and status kept. */
export function redactError(error: unknown, redact: Redactor): unknown {
  if (!isBerthError(error)) return error;
  const context = error.context === undefined ? undefined : redact(error.context);
  const [message, hint] = [redact(error.message), redact(error.hint)];
  if (message === error.message && hint === error.hint && context === error.context) return error;
  return new BerthError(error.type, message, { hint, context, status: error.status });
}

/** The parts of a handler's context through which data leaves before the result does. */
export interface Outbound {
  progress: (progress: Progress) => void;
  sample?: Sampler;
  fallback?: FallbackModel;
}

/**
 * Wraps progress notifications and model requests (MCP sampling, the
 * fallback model) so that what they carry is redacted like the result:
 * a diagnosis sends logs and commands to a model, a build reports its steps.
 */
export function redactOutbound(parts: Outbound, redact: Redactor): Outbound {
  const sampler = (sample: Sampler): Sampler => (request) =>
    sample({ ...request, system: redact(request.system), prompt: redact(request.prompt) });
  const fallback = parts.fallback;
  return {
    progress: (p) =>
      parts.progress(p.message === undefined ? p : { ...p, message: redact(p.message) }),
    sample: parts.sample && sampler(parts.sample),
    fallback: fallback?.sample ? { ...fallback, sample: sampler(fallback.sample) } : fallback,
  };
}

const TARGET_KEYS: [string, string[]][] = [
  ["container", ["container_id", "container"]],
  ["image", ["image", "image_id", "source_image", "target_image", "tag"]],
  ["network", ["network_id", "network"]],
  ["volume", ["volume_name"]],
  ["project", ["project_name"]],
  ["path", ["path", "source_path"]],
  ["name", ["name"]],
];

/** What a call acted on, for the audit log (`container:web image:nginx`). */
export function auditTarget(spec: ToolSpec, args: unknown): string | undefined {
  if (!args || typeof args !== "object") return undefined;
  const values = args as Record<string, unknown>;
  const parts: string[] = [];
  const declared = spec.request?.target ?? {};
  for (const [kind, param] of Object.entries(declared)) {
    if (typeof values[param!] === "string") parts.push(`${kind}:${values[param!]}`);
  }
  if (!parts.length) {
    for (const [kind, keys] of TARGET_KEYS) {
      const key = keys.find((k) => typeof values[k] === "string");
      if (key) parts.push(`${kind}:${values[key]}`);
    }
  }
  return parts.length ? parts.join(" ") : undefined;
}

/** Writes the audit record of a call when it belongs in the log. */
export function auditCall(
  sink: AuditSink | undefined,
  spec: ToolSpec,
  rawArgs: unknown,
  result: ToolResult,
  started: number,
  secrets: readonly string[] = [],
  engine?: string,
  principal?: string,
): void {
  if (!sink) return;
  const error = result.isError
    ? result.structured.error as { message?: string } | undefined
    : undefined;
  const outcome = callOutcome(result);
  if (!shouldAudit(isReadOnly(spec), outcome)) return;
  const now = Date.now();
  // The sink redacts by key; a secret value typed in a command is known only here.
  const args = scrubValues(withoutWriteOnly(spec, rawArgs ?? {}), secrets);
  sink.write({
    time: new Date(now).toISOString(),
    tool: spec.name,
    ...(engine !== undefined ? { engine } : {}),
    ...(principal === undefined ? {} : { principal }),
    arguments: args,
    target: auditTarget(spec, args),
    outcome,
    error: error?.message,
    started: new Date(started).toISOString(),
    duration_ms: now - started,
  });
}
