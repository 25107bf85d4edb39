/**
 * Tar archives for the copy tools, through `tar-stream` (npm; pure JS, runs
 * under Deno without any permission): packing a few entries in memory, and
 * reading an archive from the engine with bounded bytes, entries and kept
 * content.
 *
 * @module
 */

import * as tar from "tar-stream";
import { concatBytes } from "../engine/streams.ts";

/** One entry to pack. */
export interface PackEntry {
  /** Relative name inside the archive ("conf/app.ini"; directories without a trailing slash). */
  name: string;
  type: "file" | "directory" | "symlink";
  mode: number;
  content?: Uint8Array;
  linkname?: string;
  mtime?: Date;
}

/** Packs entries into one ustar archive in memory. */
export async function packTar(entries: PackEntry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Uint8Array);
  })();
  for (const entry of entries) {
    const header = {
      name: entry.type === "directory" ? `${entry.name}/` : entry.name,
      type: entry.type,
      mode: entry.mode,
      mtime: entry.mtime ?? new Date(),
      ...(entry.linkname !== undefined ? { linkname: entry.linkname } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (entry.type === "file") pack.entry(header, entry.content ?? new Uint8Array(0), done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await collected;
  return concatBytes(chunks);
}

/** One entry read from an archive. */
export interface ReadEntry {
  name: string;
  type: string;
  size: number;
  mode: number;
  linkname?: string;
  /** The bytes of a regular file no larger than `keepBytes`. */
  content?: Uint8Array;
}

/** Limits of {@link readTar}. */
export interface ReadLimits {
  /** Archive bytes read at most; the rest of the body is cancelled. */
  maxBytes: number;
  /** Entries listed at most. */
  maxEntries: number;
  /** Files up to this size keep their content. */
  keepBytes: number;
}

/** Reads an archive stream within limits; `truncated` when a limit cut it. */
export async function readTar(
  body: ReadableStream<Uint8Array>,
  limits: ReadLimits,
): Promise<{ entries: ReadEntry[]; truncated: boolean; bytes: number }> {
  const extract = tar.extract();
  const entries: ReadEntry[] = [];
  let full = false;
  const consumed = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const keep = h.type === "file" && (h.size ?? 0) <= limits.keepBytes && !full;
      const parts: Uint8Array[] = [];
      for await (const piece of entry) if (keep) parts.push(piece as Uint8Array);
      if (entries.length >= limits.maxEntries) {
        full = true;
        continue;
      }
      entries.push({
        name: h.name,
        type: h.type ?? "file",
        size: h.size ?? 0,
        mode: h.mode ?? 0,
        ...(h.linkname ? { linkname: h.linkname } : {}),
        ...(keep ? { content: concatBytes(parts) } : {}),
      });
    }
  })();
  let bytes = 0;
  let cut = false;
  const reader = body.getReader();
  try {
    while (!full) {
      const { value, done } = await reader.read();
      if (done) break;
      const room = limits.maxBytes - bytes;
      const piece = value.length > room ? value.subarray(0, room) : value;
      bytes += piece.length;
      if (!extract.write(piece)) {
        const drained = new Promise<void>((resolve) => extract.once("drain", () => resolve()));
        await Promise.race([drained, consumed]);
      }
      if (piece.length < value.length) {
        cut = true;
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  // Ending (not destroying) lets the entries already written come out; a cut
  // archive then fails with "unexpected end", which the limits explain.
  extract.end(undefined);
  try {
    await consumed;
  } catch (error) {
    if (!cut && !full) throw error;
  }
  return { entries, truncated: cut || full, bytes };
}
