/**
 * The stdio transport: newline-delimited JSON-RPC on stdin and stdout, with
 * the limits a server that must never hang or vanish needs.
 *
 * - A message longer than {@link MAX_MESSAGE_BYTES} is read to its newline and
 *   dropped, never buffered whole; berth logs it and answers a JSON-RPC error
 *   (with the request's id when the start of the line shows one) and goes on.
 *   The SDK's own transport closed the connection there, and berth exited
 *   with code 0 without a word.
 * - Lines that are not JSON get -32700; what is not a request gets -32600.
 * - {@link ProtocolGuard} refuses requests before `initialize` and a second
 *   request with the id of one still in flight.
 *
 * It implements the SDK's transport contract (start, send, close and the
 * three callbacks) without importing the SDK, so the server can change SDK
 * versions and keep these rules.
 *
 * @module
 */

import {
  INVALID_REQUEST,
  PARSE_ERROR,
  ProtocolGuard,
  rpcError,
  type RpcId,
} from "./protocol_guard.ts";

/** Largest message read from stdin (the SDK's own cap). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Bytes at the start of an oversized line searched for its id. */
const ID_SNIFF_BYTES = 512;

/** The transport's options. */
export interface StdioOptions {
  /** Told about what was refused or dropped (the operator's log). */
  onProblem?: (message: string) => void;
  /** The input and output streams (stdin and stdout by default; tests pass their own). */
  input?: ReadableStream<Uint8Array>;
  output?: { write(bytes: Uint8Array): Promise<number> };
  /** The cap of one message, in bytes. */
  maxMessageBytes?: number;
}

/** Newline-delimited JSON-RPC over stdio with size, lifecycle and id rules. */
export class StdioTransport {
  onmessage?: (message: unknown) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  readonly #guard = new ProtocolGuard();
  readonly #options: StdioOptions;
  readonly #max: number;
  readonly #encoder = new TextEncoder();
  #reader?: ReadableStreamDefaultReader<Uint8Array>;
  #writing: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: StdioOptions = {}) {
    this.#options = options;
    this.#max = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  }

  /** Starts reading; returns at once (the SDK's contract). */
  start(): Promise<void> {
    this.#reader = (this.#options.input ?? Deno.stdin.readable).getReader();
    this.#read().catch((error) => this.onerror?.(error as Error)).finally(() => this.close());
    return Promise.resolve();
  }

  /** Writes one message as a line; writes keep their order. */
  send(message: unknown): Promise<void> {
    this.#guard.outbound(message as Record<string, unknown>);
    return this.#write(message);
  }

  /** Stops reading and tells the server, once. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#reader?.cancel().catch(() => {});
    this.onclose?.();
    return Promise.resolve();
  }

  #write(message: unknown): Promise<void> {
    const bytes = this.#encoder.encode(`${JSON.stringify(message)}\n`);
    const output = this.#options.output ?? Deno.stdout;
    const done = this.#writing.then(async () => {
      let written = 0;
      while (written < bytes.length) written += await output.write(bytes.subarray(written));
    });
    this.#writing = done.catch(() => {});
    return done;
  }

  async #read(): Promise<void> {
    const lines = new LineSplitter(this.#max);
    while (!this.#closed) {
      const { value, done } = await this.#reader!.read();
      if (done) return;
      for (const line of lines.push(value)) await this.#line(line);
    }
  }

  async #line(line: Line): Promise<void> {
    if (line.oversized) return await this.#oversized(line);
    const text = new TextDecoder().decode(line.bytes).replace(/\r$/, "");
    if (!text.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.#options.onProblem?.(
        `stdin: a line that is not JSON was refused (${(error as Error).message})`,
      );
      return await this.#write(rpcError(null, PARSE_ERROR, "Parse error: the line is not JSON"));
    }
    const verdict = this.#guard.inbound(parsed);
    if ("forward" in verdict) return this.onmessage?.(verdict.forward);
    if ("drop" in verdict) return this.#options.onProblem?.(`stdin: dropped a ${verdict.drop}`);
    const error = verdict.reply.error as { message: string };
    this.#options.onProblem?.(`stdin: refused: ${error.message}`);
    await this.#write(verdict.reply);
  }

  async #oversized(line: Line): Promise<void> {
    const size = `${(line.size / 1024 / 1024).toFixed(1)} MiB`;
    const limit = `${this.#max / 1024 / 1024} MiB`;
    this.#options.onProblem?.(
      `stdin: a message of ${size} exceeds the ${limit} limit and was dropped unread`,
    );
    const id = sniffId(line.bytes);
    await this.#write(
      rpcError(id, INVALID_REQUEST, `Message of ${size} refused: messages are limited to ${limit}`),
    );
  }
}

/** One line from stdin: its bytes, or (oversized) only its first bytes and its size. */
interface Line {
  bytes: Uint8Array;
  size: number;
  oversized: boolean;
}

/**
 * Splits a byte stream on `\n`, keeping at most `max` bytes of a line: the
 * rest of a longer line is counted and discarded as it arrives, so memory
 * stays bounded whatever the client sends.
 */
export class LineSplitter {
  readonly #max: number;
  #parts: Uint8Array[] = [];
  #kept = 0;
  #size = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Adds a chunk; answers the lines it completed. */
  push(chunk: Uint8Array): Line[] {
    const lines: Line[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.#take(chunk.subarray(start, nl));
      lines.push(this.#finish());
      start = nl + 1;
    }
    this.#take(chunk.subarray(start));
    return lines;
  }

  #take(part: Uint8Array): void {
    this.#size += part.length;
    if (this.#size <= this.#max) {
      this.#parts.push(part);
      this.#kept += part.length;
      return;
    }
    // Over the cap: keep only the first bytes (for the id), drop the rest.
    if (this.#kept > ID_SNIFF_BYTES) {
      this.#parts = [concat(this.#parts).slice(0, ID_SNIFF_BYTES)];
      this.#kept = ID_SNIFF_BYTES;
    } else if (this.#kept < ID_SNIFF_BYTES) {
      const head = part.slice(0, ID_SNIFF_BYTES - this.#kept);
      this.#parts.push(head);
      this.#kept += head.length;
    }
  }

  #finish(): Line {
    const line = {
      bytes: concat(this.#parts),
      size: this.#size,
      oversized: this.#size > this.#max,
    };
    this.#parts = [];
    this.#kept = 0;
    this.#size = 0;
    return line;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The id of a message whose start is `head`, when a top-level `"id"` comes
 * before any nested object (`{"jsonrpc":"2.0","id":7,"method":…`); null
 * otherwise, as JSON-RPC answers a request it could not read.
 */
export function sniffId(head: Uint8Array): RpcId | null {
  const text = new TextDecoder().decode(head.subarray(0, ID_SNIFF_BYTES));
  const beforeNested = text.slice(0, text.indexOf("{", 1) < 0 ? undefined : text.indexOf("{", 1));
  const match = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,15})/.exec(beforeNested);
  if (!match) return null;
  return match[1].startsWith('"') ? JSON.parse(match[1]) : Number(match[1]);
}
