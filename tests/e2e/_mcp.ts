/**
 * End-to-end helpers: spawn berth exactly as the shipped ways run it
 * (`deno run -P=berth dist/bundle/main.js serve`, cwd = repo root: the bundle
 * of src/ that the npm package, the image and the binaries carry, rebuilt
 * here when src/ changed) and drive it with the MCP SDK client over stdio.
 * The checkout's own way (`src/main.ts`) is driven by the CLI and sandbox
 * tests.
 *
 * @module
 */

// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/validation/ajv"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { V8_FLAGS } from "../../src/setup/ways.ts";
import { BUNDLE_ENTRY, ensureBundle } from "../../packaging/bundle.ts";

/** The repository root: the server's cwd, as for `deno task start`. */
export const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/**
 * A running server and the client connected to it. `await using session =
 * await connect(…)` closes it when the test's scope ends, however it ends
 * (a session closed or a server gone already is no error there: teardown is
 * never what a test checks; call close() to see its errors).
 */
export interface Session extends AsyncDisposable {
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Errors the client transport reported (unparsable stdout lines land here). */
  errors: Error[];
  /** The server's process id (for /proc readings). */
  pid: number | null;
  close(): Promise<void>;
}

/** The environment of a spawned server: ours, minus anything that configures berth. */
export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(Deno.env.toObject())) {
    if (!key.startsWith("BERTH_")) env[key] = value;
  }
  // No user config file: point the default location somewhere empty.
  return { ...env, XDG_CONFIG_HOME: "/nonexistent", NO_COLOR: "1", ...extra };
}

/** The read paths of the `berth` permission set in deno.json, absolute. */
export function berthReadPaths(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO}/deno.json`));
  const read = config.permissions.berth.read as string[];
  return read.map((p) => (p.startsWith("./") ? `${REPO}/${p.slice(2)}` : p));
}

/**
 * The deno flags that let the `berth` set also read `dirs`. An `--allow-read`
 * next to `-P=berth` replaces the set's read list instead of extending it, so
 * the set's own paths are repeated.
 */
export function readAlso(dirs: string[]): string[] {
  return dirs.length ? alsoAllowed({ read: dirs }) : [];
}

/**
 * The deno flags that let the `berth` set also read and write these paths:
 * each list given (even empty) repeats the set's own list before its paths.
 */
export function alsoAllowed(paths: { read?: string[]; write?: string[] }): string[] {
  const set = JSON.parse(Deno.readTextFileSync(`${REPO}/deno.json`)).permissions.berth;
  return [
    ...(paths.read ? [`--allow-read=${[...berthReadPaths(), ...paths.read].join(",")}`] : []),
    ...(paths.write ? [`--allow-write=${[...set.write, ...paths.write].join(",")}`] : []),
  ];
}

/** This process's check that dist/bundle/ is fresh: src/ does not change during a test run. */
let bundleReady: Promise<unknown> | undefined;

/**
 * Rebuilds dist/bundle/ when src/ changed, before the first command of this
 * test file that runs it: a bundle older than src/ would test old code. (Not
 * at import: the unit tests that read {@link serveArgs} build nothing.)
 */
export async function readyToRun(args: readonly string[]): Promise<void> {
  if (args.some((arg) => arg.endsWith(BUNDLE_ENTRY))) await (bundleReady ??= ensureBundle());
}

/** The argv users run: `deno run -P=berth [flags] --v8-flags=… dist/bundle/main.js serve [args]`. */
export function serveArgs(args: string[] = [], denoFlags: string[] = []): string[] {
  return ["run", "-P=berth", ...denoFlags, V8_FLAGS, BUNDLE_ENTRY, "serve", ...args];
}

/** How a client is connected to a spawned server. */
export interface ClientOptions {
  /** The server's working directory (default: the repository). */
  cwd?: string;
  /** Added to {@link serverEnv}. */
  env?: Record<string, string>;
  /** Client capabilities to declare, e.g. an extension such as MCP Apps. */
  capabilities?: Record<string, unknown>;
  /** Registers the client's request handlers (elicitation, sampling) before the handshake. */
  handlers?: (client: Client) => void;
  /** The client's name in `initialize`. */
  name?: string;
  /** How long the handshake may take (a container or a package to start first). */
  timeout?: number;
}

/**
 * Spawns `command args` as an MCP client configuration would (berth from a
 * checkout, a package, an image) and connects an MCP client over its stdio.
 */
export async function spawnClient(
  command: string,
  args: string[],
  options: ClientOptions = {},
): Promise<Session> {
  await readyToRun(args);
  const transport = new StdioClientTransport({
    command,
    args,
    cwd: options.cwd ?? REPO,
    env: serverEnv(options.env),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array | string) => {
    stderr += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  });
  const client = new Client(
    { name: options.name ?? "berth-e2e", version: "1.0.0" },
    options.capabilities ? { capabilities: options.capabilities } : undefined,
  );
  options.handlers?.(client);
  const errors: Error[] = [];
  client.onerror = (error: Error) => errors.push(error);
  try {
    await client.connect(transport, options.timeout ? { timeout: options.timeout } : undefined);
  } catch (error) {
    await transport.close();
    throw new Error(`${command} did not start an MCP server: ${error}\nstderr:\n${stderr}`);
  }
  const close = async () => {
    await client.close();
    await transport.close();
  };
  return {
    client,
    stderr: () => stderr,
    errors,
    pid: transport.pid,
    close,
    [Symbol.asyncDispose]: () => close().catch(() => {}),
  };
}

/** Spawns `berth serve` with the given options and connects an MCP client. */
export async function connect(
  args: string[] = [],
  options: Omit<ClientOptions, "cwd"> & { denoFlags?: string[] } = {},
): Promise<Session> {
  return await spawnClient(Deno.execPath(), serveArgs(args, options.denoFlags), options);
}

/** What a command that ran to its end printed. */
export interface Output {
  code: number;
  success: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end as a user's shell would (no stdin, the
 * environment of {@link serverEnv}, in the repository unless `cwd` says
 * otherwise), within `ms` when given.
 */
export async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; ms?: number } = {},
): Promise<Output> {
  await readyToRun(args);
  const out = await new Deno.Command(command, {
    args,
    cwd: options.cwd ?? REPO,
    env: serverEnv(options.env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(options.ms ? { signal: AbortSignal.timeout(options.ms) } : {}),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    success: out.success,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

/** {@link run}, answering stdout; throws with the command and its output when it fails. */
export async function runOk(
  command: string,
  args: string[],
  options: { cwd?: string; ms?: number } = {},
): Promise<string> {
  const out = await run(command, args, options);
  if (!out.success) throw new Error(`${command} ${args.join(" ")}:\n${out.stdout}\n${out.stderr}`);
  return out.stdout;
}

/**
 * Runs `berth ARGS` as a user types it, `deno run --no-prompt -P=<set>
 * src/main.ts ARGS`, in `cwd` (default: the repository; elsewhere the script
 * is named by its full path).
 */
export async function runBerth(
  args: string[],
  options: { cwd?: string; set?: string; denoFlags?: string[]; ms?: number } = {},
): Promise<Output> {
  const main = options.cwd === undefined ? "src/main.ts" : `${REPO}/src/main.ts`;
  const set = `-P=${options.set ?? "berth"}`;
  return await run(
    Deno.execPath(),
    ["run", "--no-prompt", ...(options.denoFlags ?? []), set, main, ...args],
    { cwd: options.cwd, ms: options.ms },
  );
}

/** A JSON-RPC message as {@link RawServer} reads it back. */
export type Message = Record<string, unknown> & { id?: unknown };

/**
 * A spawned `berth serve` driven by raw JSON-RPC lines on its stdin, with no
 * MCP SDK between: for what must hold whatever SDK the server runs on.
 * `await using` closes its stdin and waits for it to exit.
 */
export class RawServer implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Every line of stdout as it came. */
  readonly lines: string[] = [];
  /** The lines of stdout that parse as JSON. */
  readonly messages: Message[] = [];
  stderr = "";
  readonly #done: Promise<void>;

  constructor(args: string[] = []) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: serveArgs(args),
      cwd: REPO,
      env: serverEnv(),
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#done = Promise.all([this.#readStdout(), this.#readStderr()]).then(() => {});
  }

  #line(line: string): void {
    this.lines.push(line);
    try {
      this.messages.push(JSON.parse(line));
    } catch {
      // Kept in lines, for a test that says what stdout may carry.
    }
  }

  async #readStdout(): Promise<void> {
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        this.#line(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    }
    if (buffer.trim()) this.#line(buffer);
  }

  async #readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stderr) this.stderr += decoder.decode(chunk);
  }

  /** Writes raw bytes (one or more lines) in one write. */
  async write(text: string | Uint8Array): Promise<void> {
    await this.#writer.write(typeof text === "string" ? new TextEncoder().encode(text) : text);
  }

  /** Writes messages as lines, all in one write. */
  async send(...messages: unknown[]): Promise<void> {
    await this.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
  }

  /** Waits until `count` answers with this id arrived; answers them. */
  async answers(id: unknown, count = 1, ms = 20_000): Promise<Message[]> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const found = this.messages.filter((m) => m.id === id && !("method" in m));
      if (found.length >= count) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${count} answer(s) to id ${id}; got ${JSON.stringify(this.messages)}`);
  }

  /** The handshake: initialize (2025-06-18), its answer, then initialized. */
  async initialize(): Promise<void> {
    await this.send({
      jsonrpc: "2.0",
      id: "init",
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    });
    await this.answers("init");
    await this.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  /** Closes stdin and waits for the exit. */
  async close(): Promise<Deno.CommandStatus> {
    await this.#writer.close().catch(() => {});
    const status = await this.#child.status;
    await this.#done;
    return status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

const validator = new AjvJsonSchemaValidator();

/** Validates a value against a JSON Schema with ajv; answers the error text or undefined. */
export function schemaErrors(schema: Record<string, unknown>, value: unknown): string | undefined {
  const result = validator.getValidator(schema as never)(value);
  return result.valid ? undefined : result.errorMessage ?? "invalid";
}

/** The shape of a tools/call answer the tests read. */
export interface CallResult {
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Calls a tool and returns its result (the SDK validates structuredContent on the way). */
export async function callTool(
  session: Session,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallResult> {
  return await session.client.callTool({ name, arguments: args }) as CallResult;
}

/**
 * Calls a tool expected to fail, through the SDK client's own path: SDK
 * 1.32.2 validates structuredContent against the outputSchema even on isError
 * results, so this also proves that berth's `{error: …}` fits every schema.
 */
export async function callExpectingError(
  session: Session,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallResult> {
  const result = await callTool(session, name, args);
  if (!result.isError) throw new Error(`${name} was expected to fail: ${result.content[0]?.text}`);
  return result;
}

/** Calls a tool expected to succeed; fails with the result's text when it errs. */
export async function callExpectingSuccess(
  session: Session,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallResult> {
  const result = await callTool(session, name, args);
  if (result.isError) throw new Error(`${name} failed: ${result.content[0]?.text}`);
  return result;
}

/** The DKR code of an error result. */
export function codeOf(result: CallResult): string | undefined {
  return result.isError
    ? (result.structuredContent?.error as { code?: string } | undefined)?.code
    : undefined;
}

/** Options for spawned-server tests: child processes and SDK timers outlive single ops. */
export const SPAWN_TEST = { sanitizeOps: false, sanitizeResources: false } as const;
