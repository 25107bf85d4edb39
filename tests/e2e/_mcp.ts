/**
 * End-to-end helpers: spawn berth exactly as users do
 * (`deno run -P=berth src/main.ts serve`, cwd = repo root) and drive it with
 * the MCP SDK client over stdio.
 *
 * @module
 */

// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/validation/ajv"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";

/** The repository root: the server's cwd, as for `deno task start`. */
export const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** A running server and the client connected to it. */
export interface Session {
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
  return dirs.length ? [`--allow-read=${[...berthReadPaths(), ...dirs].join(",")}`] : [];
}

/** The argv users run: `deno run -P=berth [flags] src/main.ts serve [args]`. */
export function serveArgs(args: string[] = [], denoFlags: string[] = []): string[] {
  return ["run", "-P=berth", ...denoFlags, "src/main.ts", "serve", ...args];
}

/** Spawns `berth serve` with the given options and connects an MCP client. */
export async function connect(
  args: string[] = [],
  options: {
    denoFlags?: string[];
    env?: Record<string, string>;
    /** Client capabilities to declare, e.g. an extension such as MCP Apps. */
    capabilities?: Record<string, unknown>;
  } = {},
): Promise<Session> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: serveArgs(args, options.denoFlags),
    cwd: REPO,
    env: serverEnv(options.env),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array | string) => {
    stderr += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  });
  const client = new Client(
    { name: "berth-e2e", version: "1.0.0" },
    options.capabilities ? { capabilities: options.capabilities } : undefined,
  );
  const errors: Error[] = [];
  client.onerror = (error: Error) => errors.push(error);
  try {
    await client.connect(transport);
  } catch (error) {
    await transport.close();
    throw new Error(`berth did not start: ${error}\nstderr:\n${stderr}`);
  }
  return {
    client,
    stderr: () => stderr,
    errors,
    pid: transport.pid,
    close: async () => {
      await client.close();
      await transport.close();
    },
  };
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

/** The DKR code of an error result. */
export function codeOf(result: CallResult): string | undefined {
  return result.isError
    ? (result.structuredContent?.error as { code?: string } | undefined)?.code
    : undefined;
}

/** Options for spawned-server tests: child processes and SDK timers outlive single ops. */
export const SPAWN_TEST = { sanitizeOps: false, sanitizeResources: false } as const;
