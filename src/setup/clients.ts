/**
 * The MCP clients `berth setup` knows, as data: where each keeps its
 * configuration, and how berth's entry looks there. Most take a JSON object
 * of servers under one key; Claude Code is configured with its own CLI
 * (`claude mcp add`), and its project file `.mcp.json` when written.
 *
 * @module
 */

import { BerthError, SETUP_CLIENTS } from "../errors/mod.ts";
import type { Launch } from "./ways.ts";

/** What locating a client's file may read. */
export interface Place {
  env: (name: string) => string | undefined;
  os: typeof Deno.build.os;
  cwd: string;
}

/** One client's format. */
export interface Client {
  /** The file `--write` updates, or undefined when berth knows none (generic: `--file`). */
  file(place: Place): string | undefined;
  /** The key of the servers object in that file. */
  serversKey: string;
  /** berth's entry in that object. */
  entry(launch: Launch): Record<string, unknown>;
  /** What `berth setup` prints; by default the file's JSON with only berth's entry. */
  print?(name: string, launch: Launch): string;
}

/** The plain `{command, args, env}` entry of Claude Desktop, Cursor and most clients. */
function plainEntry(launch: Launch): Record<string, unknown> {
  return { command: launch.command, args: launch.args, env: launch.env };
}

/** The same with the transport named, as VS Code and Claude Code's `.mcp.json` want it. */
function stdioEntry(launch: Launch): Record<string, unknown> {
  return { type: "stdio", ...plainEntry(launch) };
}

/** The user's home, or an error naming the variable. */
function home(place: Place): string {
  const dir = place.env(place.os === "windows" ? "USERPROFILE" : "HOME") ?? place.env("HOME");
  if (!dir) {
    throw new BerthError("invalid_input", "The home directory is unknown (HOME is not set)", {
      hint: "Name the file with --file PATH",
    });
  }
  return dir;
}

function claudeDesktopFile(place: Place): string {
  if (place.os === "darwin") {
    return `${home(place)}/Library/Application Support/Claude/claude_desktop_config.json`;
  }
  if (place.os === "windows") {
    const appData = place.env("APPDATA") ?? `${home(place)}\\AppData\\Roaming`;
    return `${appData}\\Claude\\claude_desktop_config.json`;
  }
  const config = place.env("XDG_CONFIG_HOME") ?? `${home(place)}/.config`;
  return `${config}/Claude/claude_desktop_config.json`;
}

/** A word the shell passes through unchanged, quoted only when it must be. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** `claude mcp add NAME [-e K=V] -- COMMAND ARGS…`, one line for a shell. */
function claudeCodeCommand(name: string, launch: Launch): string {
  const env = Object.entries(launch.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  return ["claude", "mcp", "add", name, ...env, "--", launch.command, ...launch.args]
    .map(shellWord).join(" ") + "\n";
}

/** Every client, by the name `berth setup` takes. */
export const CLIENTS: Record<string, Client> = {
  "claude-desktop": { file: claudeDesktopFile, serversKey: "mcpServers", entry: plainEntry },
  "claude-code": {
    file: (place) => `${place.cwd}/.mcp.json`,
    serversKey: "mcpServers",
    entry: stdioEntry,
    print: claudeCodeCommand,
  },
  vscode: {
    file: (place) => `${place.cwd}/.vscode/mcp.json`,
    serversKey: "servers",
    entry: stdioEntry,
  },
  cursor: {
    file: (place) => `${home(place)}/.cursor/mcp.json`,
    serversKey: "mcpServers",
    entry: plainEntry,
  },
  generic: { file: () => undefined, serversKey: "mcpServers", entry: plainEntry },
};

/** The client of a name, or an error listing them. */
export function clientNamed(name: string): Client {
  const client = Object.hasOwn(CLIENTS, name) ? CLIENTS[name] : undefined;
  if (!client) {
    throw new BerthError("invalid_input", `Unknown client '${name}'`, {
      hint: `berth setup takes one of ${SETUP_CLIENTS.join(", ")}`,
    });
  }
  return client;
}

/** What `berth setup CLIENT` prints for a launch. */
export function printed(client: Client, name: string, launch: Launch): string {
  if (client.print) return client.print(name, launch);
  return JSON.stringify({ [client.serversKey]: { [name]: client.entry(launch) } }, null, 2) + "\n";
}

/**
 * A config file's object with berth's entry set: every other key, and every
 * other server, kept as they were.
 */
export function merged(
  client: Client,
  existing: Record<string, unknown>,
  name: string,
  launch: Launch,
): Record<string, unknown> {
  const servers = existing[client.serversKey];
  const others = servers && typeof servers === "object" && !Array.isArray(servers) ? servers : {};
  return { ...existing, [client.serversKey]: { ...others, [name]: client.entry(launch) } };
}
