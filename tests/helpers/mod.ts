/**
 * Shared test helpers: an app built as `berth serve` builds it, tool calls,
 * and the docker CLI for setting up and checking real engine state.
 *
 * Every object a test creates carries the label `berth.test=<suite>` and is
 * removed by that label afterwards.
 *
 * @module
 */

import { type App, createApp } from "../../src/app/mod.ts";
import { type CliOptions, loadConfig } from "../../src/config/mod.ts";
import { HANDLERS, Interpreter, SHAPERS, type ToolResult } from "../../src/interpreter/mod.ts";
import { PolicyEngine } from "../../src/policy/enforce/policy_engine.ts";
import { LevelPolicy } from "../../src/policy/mod.ts";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

/** The image every test container runs (made by tests/testbed/setup.sh). */
export const TEST_IMAGE = "berth-test/busybox:latest";
/** A second image built FROM the first. */
export const TEST_APP_IMAGE = "berth-test/app:latest";
/** The local registries of the test bed. */
export const OPEN_REGISTRY = "127.0.0.1:5000";
export const AUTH_REGISTRY = "127.0.0.1:5001";
export const AUTH_USER = "berth";
export const AUTH_PASSWORD = "berth-test-pass";

/** Builds an app from CLI-style options, ignoring the user's config file. */
export async function testApp(options: CliOptions = {}): Promise<App> {
  const env = (
    name: string,
  ) => (name === "HOME" || name === "XDG_CONFIG_HOME" ? "/nonexistent" : Deno.env.get(name));
  return await createApp(loadConfig(options, env));
}

/**
 * An interpreter over an app's tools and engine at level read whose policy
 * hides every container `hides` accepts, through the same hook the name
 * lists use and at the same place (the policy engine every request passes):
 * for "a hidden container looks missing" checks.
 */
export function hidingInterpreter(app: App, hides: (name: string) => boolean): Interpreter {
  class Hiding extends LevelPolicy {
    override containerVisible(name: string): boolean {
      return !hides(name);
    }
  }
  const policy = new Hiding(["read"]);
  // LevelPolicy has no name lists; this one hides, as name lists make a policy do.
  Object.defineProperty(policy, "filtersContainers", { value: true });
  const base = app.engine instanceof PolicyEngine ? app.engine.base : app.engine;
  return new Interpreter({
    tools: app.allTools,
    engine: new PolicyEngine(base, policy),
    policy,
    timeouts: app.config.timeouts,
    handlers: HANDLERS,
    shapers: SHAPERS,
  });
}

/** Calls a tool and returns its result. */
export async function call(
  app: App,
  tool: string,
  args: Record<string, unknown> = {},
): Promise<ToolResult> {
  return await app.interpreter.call(tool, args);
}

/** Calls a tool and fails the test with the error text when it errs. */
export async function callOk(
  app: App,
  tool: string,
  args: Record<string, unknown> = {},
): Promise<ToolResult> {
  const result = await call(app, tool, args);
  if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
  return result;
}

/** The DKR code of an error result (undefined when the call succeeded). */
export function errorCode(result: ToolResult): string | undefined {
  return result.isError ? (result.structured.error as { code: string }).code : undefined;
}

/** Runs the docker CLI and returns its trimmed stdout; throws with stderr on failure. */
export async function docker(...args: string[]): Promise<string> {
  const out = await new Deno.Command("docker", { args, stdout: "piped", stderr: "piped" }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`docker ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return stdout;
}

/** A name unique to this run, so parallel suites never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** `--label k=v` docker CLI arguments for every entry of `labels`. */
export function labelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]);
}

/** Starts a labelled test container with the docker CLI; returns its name. */
export async function runContainer(
  suite: string,
  options: { name?: string; args?: string[]; command?: string[]; detach?: boolean } = {},
): Promise<string> {
  const name = options.name ?? uniqueName(`berth-${suite}`);
  await docker(
    "run",
    ...(options.detach === false ? [] : ["-d"]),
    "--name",
    name,
    "--label",
    `berth.test=${suite}`,
    ...(options.args ?? []),
    TEST_IMAGE,
    ...(options.command ?? ["sleep", "3600"]),
  );
  return name;
}

/**
 * Removes every container (with its anonymous volumes), network and volume
 * carrying a label filter such as `berth.test=netvol` or
 * `com.docker.compose.project=p`; objects without it are never touched.
 */
export async function removeLabelled(label: string): Promise<void> {
  const filter = `label=${label}`;
  const containers = await docker("ps", "-aq", "--filter", filter);
  if (containers) await docker("rm", "-f", "-v", ...containers.split("\n"));
  const networks = await docker("network", "ls", "-q", "--filter", filter);
  if (networks) await docker("network", "rm", ...networks.split("\n"));
  const volumes = await docker("volume", "ls", "-q", "--filter", filter);
  if (volumes) await docker("volume", "rm", "-f", ...volumes.split("\n"));
}

/**
 * Runs `fn` when the scope that holds it ends, however it ends: `await using
 * _cleanup = defer(() => cleanup(SUITE));` (declared first, it runs last).
 */
export function defer(fn: () => Promise<unknown> | unknown): AsyncDisposable {
  return {
    async [Symbol.asyncDispose]() {
      await fn();
    },
  };
}

/** Removes every container, network and volume labelled for a suite. */
export async function cleanup(suite: string): Promise<void> {
  await removeLabelled(`berth.test=${suite}`);
}

/**
 * Cleanup by run rather than by suite: everything a test run creates also
 * carries `berth.run=<run>`, so a concurrent run of the same suite (another
 * engineer, CI) keeps its objects.
 */
export async function cleanupRun(run: string): Promise<void> {
  await removeLabelled(`berth.run=${run}`);
}

/**
 * Reads `read` every 100 ms until `done` accepts what it answers, and answers
 * that value: for engine state that settles on its own (a container exits, a
 * log line arrives). Throws naming `what` and the last value once `ms` pass.
 */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  let value = await read();
  while (!done(value)) {
    if (Date.now() >= end) {
      throw new Error(`timed out waiting for ${what}: still ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}
