/**
 * Reading a container's logs into lines with bounded memory: the one reader
 * shared by `docker_container_logs`, `docker_diagnose`, prompts and
 * resources, so that TTY handling, caps and stream names agree everywhere.
 *
 * @module
 */

import type { EngineClient } from "../../engine/client.ts";
import { demultiplex, rawStream, type StreamName } from "../../engine/streams.ts";

/** Bytes of log output kept at most; the rest of the stream is cancelled. */
export const MAX_LOG_BYTES = 1024 * 1024;

/** What to read. Times are unix seconds. */
export interface LogReadOptions {
  /** Last N lines, or "all". */
  tail?: number | "all";
  since?: number;
  until?: number;
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** From the container's `Config.Tty`: a TTY container's output is one raw stream. */
  tty: boolean;
  /** Cap on bytes kept (default {@link MAX_LOG_BYTES}). */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** One line of output. */
export interface LogLine {
  stream: StreamName;
  text: string;
}

/** The lines read and whether the cap cut them. */
export interface LogRead {
  lines: LogLine[];
  /** True when output beyond the byte cap was dropped. */
  truncated: boolean;
}

/**
 * Reads the logs of a container (its full ID or a name already checked
 * against policy). A 404 becomes `container_not_found`.
 */
export async function readContainerLogs(
  engine: EngineClient,
  containerId: string,
  options: LogReadOptions,
): Promise<LogRead> {
  const response = await engine.request({
    method: "GET",
    path: `/containers/${encodeURIComponent(containerId)}/logs`,
    query: {
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      tail: options.tail === undefined ? undefined : String(options.tail),
      since: options.since,
      until: options.until,
      timestamps: options.timestamps ?? false,
      follow: false,
    },
    errors: { 404: "container_not_found" },
    signal: options.signal,
  });
  if (!response.body) return { lines: [], truncated: false };
  const chunks = options.tty ? rawStream(response.body) : demultiplex(response.body);
  return await collectLines(chunks, options.maxBytes ?? MAX_LOG_BYTES);
}

/** Splits chunks into lines per stream, stopping (and cancelling the stream) at the byte cap. */
export async function collectLines(
  chunks: AsyncGenerator<{ stream: StreamName; data: Uint8Array }>,
  maxBytes: number,
): Promise<LogRead> {
  const lines: LogLine[] = [];
  const partial: Record<StreamName, string> = { stdout: "", stderr: "" };
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  let bytes = 0;
  let truncated = false;
  for await (const { stream, data } of chunks) {
    const room = maxBytes - bytes;
    const piece = data.length > room ? data.subarray(0, room) : data;
    bytes += piece.length;
    const text = partial[stream] + decoders[stream].decode(piece, { stream: true });
    const parts = text.split("\n");
    partial[stream] = parts.pop() ?? "";
    for (const part of parts) lines.push({ stream, text: part.replace(/\r$/, "") });
    if (data.length > room) {
      truncated = true;
      break; // leaving the loop cancels the engine's stream
    }
  }
  for (const stream of ["stdout", "stderr"] as const) {
    const rest = partial[stream] + decoders[stream].decode();
    if (rest) lines.push({ stream, text: rest.replace(/\r$/, "") });
  }
  return { lines, truncated };
}
