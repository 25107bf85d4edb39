/**
 * The composition root: a {@link Config} becomes an engine client, a policy,
 * the loaded manifests, the interpreter and the visible catalogue.
 *
 * @module
 */

import { unknownToolsets, visibleTools } from "../catalog/mod.ts";
import { type Config, type EngineConfig, type EngineSettings, readEnv } from "../config/mod.ts";
import { EngineClient, kindMemo } from "../engine/mod.ts";
import { parseDockerHost } from "../config/endpoint.ts";
import { BerthError } from "../errors/mod.ts";
import { type BreakerChange, CircuitBreaker, Operations } from "../guard/mod.ts";
import { HANDLERS, Interpreter, SHAPERS } from "../interpreter/mod.ts";
import {
  type EngineDirectory,
  type EngineSlot,
  needsSeveralEngines,
} from "../interpreter/engines.ts";
import { loadManifests } from "../manifest/mod.ts";
import type { Level, ToolsetSpec, ToolSpec } from "../manifest/types.ts";
import { AuditLog } from "../policy/audit.ts";
import { ConfigPolicy, type Policy } from "../policy/mod.ts";
import { PolicyEngine } from "../policy/enforce/mod.ts";
import { createFallbackModel } from "../understanding/fallback.ts";

/** berth's version, reported to clients and by `--version`. */
export const VERSION = "0.1.0";

/** Everything a transport needs to serve berth. */
export interface App {
  config: Config;
  engine: EngineClient;
  policy: Policy;
  interpreter: Interpreter;
  /** Tools this session lists, in order. */
  tools: ToolSpec[];
  toolsets: ToolsetSpec[];
  /** Every loaded tool, listed or not. */
  allTools: ToolSpec[];
  /** Refuses engine calls after repeated engine failures. */
  breaker: CircuitBreaker;
  /** Long operations that went on in the background. */
  operations: Operations;
  /** Every engine (the default's parts are also `engine`, `policy` and `breaker` above). */
  engines: EngineDirectory;
  /** Releases every engine's connections (and ends ssh tunnels). */
  close(): void;
  /** True when some engine grants the level: its tools are listed (each call holds to its engine's). */
  grantsLevel(level: Level): boolean;
}

/** What the CLI's log hears about while berth runs (all optional). */
export interface AppHooks {
  /** A circuit breaker opened or closed (with several engines, the reason names the engine). */
  onBreakerChange?: (change: BreakerChange) => void;
  /** A tool call ended: its name, how long it took, its outcome (DKR code, running or ok). */
  onCallDone?: (tool: string, ms: number, outcome: string) => void;
  /** An engine request got its answer after `ms`. */
  onEngineResponse?: (ms: number) => void;
}

/**
 * The policy of a configuration's engine (the default one when none is
 * given): levels within the engine's ceiling, name lists, guards;
 * `--bypass-permissions` turns all off but the ceiling.
 */
export function policyFromConfig(config: Config, engine: EngineSettings = config): ConfigPolicy {
  return new ConfigPolicy({
    levels: engine.levels,
    ceiling: engine.ceiling,
    bypass: config.bypassPermissions,
    containers: engine.containers,
    images: engine.images,
    blockedCommands: engine.exec.blockedCommands,
    execIndirection: engine.exec.allowIndirection,
    guards: engine.guards,
    exec: { maxOutput: engine.exec.maxOutput, timeoutMs: engine.exec.timeoutMs },
    home: homeDir(),
  });
}

/**
 * One engine's slot: its own client (connection pool, in-flight limit, ssh
 * tunnel), its own policy behind the policy engine, and its own breaker.
 */
function engineSlot(config: Config, engine: EngineConfig, hooks: AppHooks): EngineSlot {
  const policy = policyFromConfig(config, engine);
  const client = new EngineClient({
    endpoint: parseDockerHost(engine.dockerHost, engine.tls, engine.ssh),
    apiVersion: engine.apiVersion,
    onResponse: hooks.onEngineResponse,
  });
  // Every engine request (tools, prompts, resources) passes the policy engine.
  const guarded = new PolicyEngine(client, policy);
  const several = config.engines.length > 1;
  const breaker = new CircuitBreaker({
    ...engine.breaker,
    probe: (signal) => guarded.ping(signal),
    probeTimeoutMs: Math.min(engine.timeouts.read, 5_000),
    onChange: hooks.onBreakerChange && ((change) =>
      hooks.onBreakerChange!(
        several ? { ...change, reason: `engine ${engine.name}: ${change.reason}` } : change,
      )),
  });
  return {
    name: engine.name,
    endpoint: client.description,
    engine: guarded,
    policy,
    timeouts: engine.timeouts,
    breaker,
    settings: { execMaxOutput: engine.exec.maxOutput, execTimeoutMs: engine.exec.timeoutMs },
    longBudgetMs: engine.longBudgetMs,
    kind: kindMemo(guarded),
  };
}

function homeDir(): string | undefined {
  // A sandbox without HOME: the standard home locations still count.
  return readEnv("HOME");
}

/** Builds the app; fails closed on a bad manifest, toolset or host. */
export async function createApp(config: Config, hooks: AppHooks = {}): Promise<App> {
  const { tools: allTools, toolsets } = await loadManifests(config.manifestDirs);
  if (config.toolsets) {
    const unknown = unknownToolsets(config.toolsets, toolsets);
    if (unknown.length) {
      throw new BerthError("invalid_input", `Unknown toolset(s): ${unknown.join(", ")}`, {
        hint: `Toolsets are ${toolsets.map((t) => t.name).join(", ")}`,
      });
    }
  }
  // One breaker per engine and one operations registry per process, shared by sessions.
  const slots = config.engines.map((engine) => engineSlot(config, engine, hooks));
  const engines: EngineDirectory = { slots, defaultName: config.defaultEngine };
  const main = slots.find((s) => s.name === config.defaultEngine)!;
  const { engine, policy } = main;
  const breaker = main.breaker!;
  const audit = config.auditLog ? AuditLog.open(config.auditLog) : undefined;
  const operations = new Operations();
  const interpreter = new Interpreter({
    tools: allTools,
    engine,
    policy,
    timeouts: main.timeouts,
    handlers: HANDLERS,
    shapers: SHAPERS,
    fallback: createFallbackModel(config.fallback),
    settings: main.settings,
    breaker,
    operations,
    longBudgetMs: main.longBudgetMs,
    maxResultBytes: config.maxResultBytes,
    audit,
    confirmDestructive: config.confirmDestructive,
    onCallDone: hooks.onCallDone,
    engines,
  });
  // A tool is listed when some engine grants its level; each call is held to its engine's.
  const grantsLevel = (level: Level) => slots.some((s) => s.policy.allowsLevel(level));
  const tools = visibleTools(
    allTools.filter((t) => !needsSeveralEngines(t, slots.length)),
    toolsets,
    {
      allowsLevel: grantsLevel,
      toolsets: config.toolsets,
    },
  );
  const close = () => slots.forEach((s) => s.engine.close());
  return {
    config,
    engine,
    policy,
    interpreter,
    tools,
    toolsets,
    allTools,
    breaker,
    operations,
    engines,
    close,
    grantsLevel,
  };
}
