/**
 * Static bearer tokens (`--token-file`): one `name:token` per line, blank
 * lines and `#` comments allowed, an optional ` allow=read,lifecycle` giving
 * that token fewer levels than the server has. Tokens are compared in
 * constant time, each against every entry, so neither a token's prefix nor
 * its position in the file shows in the answer time.
 *
 * @module
 */

import { BerthError, grantHint } from "../../errors/mod.ts";
import { type Level, LEVELS } from "../../manifest/types.ts";
import type { Caller } from "../../interpreter/mod.ts";

/** One line of the token file. */
export interface TokenEntry {
  name: string;
  /** SHA-256 of the token: what is kept and compared. */
  digest: Uint8Array;
  /** The levels this token is limited to (absent: all the server has). */
  levels?: readonly Level[];
}

/** Tokens shorter than this are refused: a guessable token is no authentication. */
export const MIN_TOKEN_LENGTH = 16;

const encoder = new TextEncoder();

/** SHA-256 of a string. */
export async function digestOf(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Compares two equal-length digests without an early exit. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function lineError(path: string, line: number, problem: string): BerthError {
  return new BerthError("invalid_input", `Token file ${path} line ${line}: ${problem}`, {
    hint: "Each line is name:token [allow=read,lifecycle]; tokens are at least " +
      `${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`,
  });
}

function parseLevels(value: string, path: string, line: number): Level[] {
  const levels = value.split(",").map((l) => l.trim()).filter(Boolean);
  if (levels.length === 1 && levels[0] === "all") return [...LEVELS];
  for (const level of levels) {
    if (!(LEVELS as readonly string[]).includes(level)) {
      throw lineError(path, line, `unknown level '${level}' (levels: ${LEVELS.join(", ")}, all)`);
    }
  }
  return levels as Level[];
}

/** Parses the text of a token file; names and tokens must be unique. */
export async function parseTokenFile(text: string, path: string): Promise<TokenEntry[]> {
  const entries: TokenEntry[] = [];
  const seen = new Set<string>();
  const tokens = new Set<string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [pair, ...rest] = line.split(/\s+/);
    const colon = pair.indexOf(":");
    const name = colon > 0 ? pair.slice(0, colon) : "";
    const token = colon > 0 ? pair.slice(colon + 1) : "";
    if (!/^[A-Za-z0-9_.@-]+$/.test(name)) {
      throw lineError(path, index + 1, "expected name:token with a name of letters, digits, _.@-");
    }
    if (token.length < MIN_TOKEN_LENGTH) throw lineError(path, index + 1, `token too short`);
    if (seen.has(name)) throw lineError(path, index + 1, `name '${name}' given twice`);
    if (tokens.has(token)) throw lineError(path, index + 1, "the same token is given twice");
    let levels: Level[] | undefined;
    for (const option of rest) {
      if (!option.startsWith("allow=")) {
        throw lineError(path, index + 1, `unknown option '${option}' (only allow=)`);
      }
      levels = parseLevels(option.slice("allow=".length), path, index + 1);
    }
    seen.add(name);
    tokens.add(token);
    entries.push({ name, digest: await digestOf(token), levels });
  }
  if (!entries.length) {
    throw new BerthError("invalid_input", `Token file ${path} has no tokens`, {
      hint: "Add a line name:token (e.g. alice:$(openssl rand -hex 32))",
    });
  }
  return entries;
}

/** Reads and parses a token file; a file the sandbox hides is named with the flag that grants it. */
export async function loadTokenFile(path: string): Promise<TokenEntry[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const sandbox = error instanceof Deno.errors.NotCapable;
    throw new BerthError(
      sandbox ? "permission_denied" : "invalid_input",
      `Cannot read the token file ${path}`,
      {
        context: (error as Error).message,
        hint: sandbox
          ? `${grantHint("read", path)}; or keep it under /etc/berth, which the set reads`
          : "Check the path given to --token-file",
      },
    );
  }
  return await parseTokenFile(text, path);
}

/** The caller a token entry stands for. */
export function tokenCaller(entry: TokenEntry): Caller {
  const levels = entry.levels;
  return {
    name: entry.name,
    allowsLevel: (level) => levels === undefined || levels.includes(level),
  };
}

/** Finds the entry of a presented token, comparing against every entry in constant time. */
export async function matchToken(
  entries: readonly TokenEntry[],
  token: string,
): Promise<TokenEntry | undefined> {
  const digest = await digestOf(token);
  let found: TokenEntry | undefined;
  for (const entry of entries) {
    if (constantTimeEqual(entry.digest, digest)) found = entry;
  }
  return found;
}
