/**
 * The contract between the interpreter and named handlers (composite tools)
 * and shapers (answers a field list cannot express).
 *
 * @module
 */

import type { EngineClient } from "../engine/client.ts";
import type { EngineKind } from "../engine/identity.ts";
import type { CircuitBreaker } from "../guard/breaker.ts";
import type { Operations } from "../guard/operations.ts";
import type { TimeoutClass, ToolSpec } from "../manifest/types.ts";
import type { Policy } from "../policy/mod.ts";

/** Validated arguments with defaults applied. */
export type Args = Record<string, unknown>;

/** What a handler or shaper may use. */
export interface HandlerContext {
  spec: ToolSpec;
  args: Args;
  engine: EngineClient;
  policy: Policy;
  /** Aborts at the deadline of the tool's class or when the client cancels. */
  signal: AbortSignal;
  /** Reports progress of long work (a no-op when the client did not ask). */
  progress: (progress: Progress) => void;
  /** Asks the client's model (MCP sampling); absent when the client cannot sample. */
  sample?: Sampler;
  /** The configured fallback model API, used when the client cannot sample. */
  fallback?: FallbackModel;
  /** The deadline of the tool's timeout class in ms, so handlers end their own waits in time. */
  deadlineMs?: number;
  /** Limits from the configuration that handlers apply (defaults when absent). */
  settings?: HandlerSettings;
  /** Long operations that went on in the background (docker_operation_status). */
  operations?: Operations;
  /** Every engine, when several are configured (docker_list_engines). */
  engines?: EngineDirectory;
  /**
   * Docker or Podman (asked once per engine): for handlers that say where
   * Podman's Docker-compatible API differs. Absent: treat the engine as Docker.
   */
  engineKind?: () => Promise<EngineKind>;
}

/** One engine as calls use it. */
export interface EngineSlot {
  /** Its name in the config (`default` without an `engines:` map). */
  name: string;
  /** Where it is, credentials removed, for listings and messages. */
  endpoint: string;
  /** Its client, behind its own policy (src/policy/enforce/policy_engine.ts). */
  engine: EngineClient;
  policy: Policy;
  timeouts: Record<TimeoutClass, number>;
  breaker?: CircuitBreaker;
  settings?: HandlerSettings;
  longBudgetMs?: number;
  /** Docker or Podman, asked once (src/engine/identity.ts). */
  kind?: (signal?: AbortSignal) => Promise<EngineKind>;
}

/** Every engine and which one a call without `engine` uses. */
export interface EngineDirectory {
  slots: readonly EngineSlot[];
  defaultName: string;
}

/** A progress report from a long operation. */
export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

/** Configured limits handlers need. */
export interface HandlerSettings {
  /** exec_safety.max_output: characters kept per exec output stream. */
  execMaxOutput: number;
  /** exec_safety.timeout: how long an exec may run before berth ends it, in ms. */
  execTimeoutMs: number;
}

/** A request for one model completion. */
export interface SampleRequest {
  system: string;
  prompt: string;
  maxTokens: number;
  /** Aborts the request (the call's deadline or the client's cancellation). */
  signal?: AbortSignal;
}

/** Asks a language model and answers its text. */
export type Sampler = (request: SampleRequest) => Promise<string>;

/** The fallback model of the configuration (`fallback.*`). */
export interface FallbackModel {
  /** Present when the fallback is enabled and has its key. */
  sample?: Sampler;
  /** Why there is no `sample`, for the result. */
  unavailable?: string;
  model: string;
  maxLogLines: number;
  maxTokens: number;
}

/** Structured output and its compact text. */
export interface Shaped {
  structured: Record<string, unknown>;
  text: string;
}

/** A composite tool: may call the engine several times. */
export type Handler = (ctx: HandlerContext) => Promise<Shaped>;

/** Turns one engine answer into output. */
export type Shaper = (data: unknown, ctx: HandlerContext) => Shaped | Promise<Shaped>;
