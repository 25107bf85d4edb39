/**
 * The composition root: a {@link Config} becomes an engine client, a policy,
 * the loaded manifests, the interpreter and the visible catalogue.
 *
 * @module
 */

import { unknownToolsets, visibleTools } from "../catalog/mod.ts";
import { type Config, readEnv } from "../config/mod.ts";
import { EngineClient } from "../engine/client.ts";
import { parseDockerHost } from "../engine/docker_host.ts";
import { BerthError } from "../errors/mod.ts";
import { type BreakerChange, CircuitBreaker, Operations } from "../guard/mod.ts";
import { HANDLERS, Interpreter, SHAPERS } from "../interpreter/mod.ts";
import { loadManifests } from "../manifest/mod.ts";
import type { ToolsetSpec, ToolSpec } from "../manifest/types.ts";
import { AuditLog } from "../policy/audit.ts";
import { ConfigPolicy, type Policy } from "../policy/mod.ts";
import { PolicyEngine } from "../interpreter/policy_engine.ts";
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
}

/** What the CLI's log hears about while berth runs (all optional). */
export interface AppHooks {
  /** The circuit breaker opened or closed. */
  onBreakerChange?: (change: BreakerChange) => void;
  /** A tool call ended: its name, how long it took, its outcome (DKR code, running or ok). */
  onCallDone?: (tool: string, ms: number, outcome: string) => void;
}

/** The policy of a configuration: levels, name lists, guards; `--bypass-permissions` turns all off. */
export function policyFromConfig(config: Config): ConfigPolicy {
  return new ConfigPolicy({
    levels: config.levels,
    bypass: config.bypassPermissions,
    containers: config.containers,
    images: config.images,
    blockedCommands: config.exec.blockedCommands,
    guards: config.guards,
    exec: { maxOutput: config.exec.maxOutput, timeoutMs: config.exec.timeoutMs },
    home: homeDir(),
  });
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
  const policy = policyFromConfig(config);
  // Every engine request (tools, prompts, resources) passes the policy engine.
  const engine = new PolicyEngine(
    new EngineClient({
      endpoint: parseDockerHost(config.dockerHost, config.tls),
      apiVersion: config.apiVersion,
    }),
    policy,
  );
  const audit = config.auditLog ? AuditLog.open(config.auditLog) : undefined;
  // One breaker and one operations registry per process (per engine), shared by sessions.
  const breaker = new CircuitBreaker({
    ...config.breaker,
    probe: (signal) => engine.ping(signal),
    probeTimeoutMs: Math.min(config.timeouts.read, 5_000),
    onChange: hooks.onBreakerChange,
  });
  const operations = new Operations();
  const interpreter = new Interpreter({
    tools: allTools,
    engine,
    policy,
    timeouts: config.timeouts,
    handlers: HANDLERS,
    shapers: SHAPERS,
    fallback: createFallbackModel(config.fallback),
    settings: { execMaxOutput: config.exec.maxOutput, execTimeoutMs: config.exec.timeoutMs },
    breaker,
    operations,
    longBudgetMs: config.longBudgetMs,
    audit,
    confirmDestructive: config.confirmDestructive,
    onCallDone: hooks.onCallDone,
  });
  const tools = visibleTools(allTools, toolsets, {
    allowsLevel: (level) => policy.allowsLevel(level),
    toolsets: config.toolsets,
  });
  return { config, engine, policy, interpreter, tools, toolsets, allTools, breaker, operations };
}
