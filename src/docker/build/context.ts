/**
 * The build context: a directory on the host packed as a tar stream while
 * the engine reads it, honouring `.dockerignore` the way the docker CLI does
 * (the Dockerfile and `.dockerignore` are always sent, owners are 0:0,
 * symlinks are stored, not followed). Only one file is open and at most one
 * chunk of it is held in memory at a time.
 *
 * @module
 */

import dockerignoreModule, { type Ignore } from "@balena/dockerignore";
import * as tar from "tar-stream";
import { concatBytes } from "../../engine/streams.ts";
import { allowReadHint, BerthError, invalidInput, isBerthError } from "../../errors/mod.ts";

// The package's types describe an ES default export, its code is CommonJS
// (`module.exports = factory`): Deno hands us the factory itself.
const dockerignore = dockerignoreModule as unknown as (
  options?: { ignorecase?: boolean },
) => Ignore;

/** Chunks sent to the engine are gathered up to this size (tar emits 512-byte pieces). */
const CHUNK_BYTES = 64 * 1024;

/** What was packed, for messages. */
export interface ContextStats {
  files: number;
  bytes: number;
}

/** The Dockerfile's bytes as berth checked them, sent in its place whatever is on disk by then. */
export interface PinnedFile {
  /** Path inside the context, as the `dockerfile` parameter gives it. */
  path: string;
  bytes: Uint8Array;
}

/** A context being streamed. */
export interface BuildContext {
  stream: ReadableStream<Uint8Array>;
  stats: ContextStats;
  /** The packing error, when packing failed (the engine only sees a cut stream). */
  failure(): BerthError | undefined;
  /** Settles when packing has ended (done, failed or cancelled) and no file is open. */
  finished: Promise<void>;
}

/**
 * Reads `.dockerignore` like the docker CLI: one pattern a line, `#` lines
 * and blank lines skipped, a leading '/' dropped; the Dockerfile and the
 * ignore file itself are kept even when a pattern matches them.
 */
export async function readExcludes(root: string, dockerfile: string): Promise<string[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(`${root}/.dockerignore`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw hostError(error, root);
  }
  const patterns = text.split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.replace(/^(!?)\/+/, "$1"));
  if (patterns.length === 0) return [];
  return [...patterns, "!.dockerignore", `!${dockerfile}`];
}

/** Checks that the Dockerfile is a relative path inside the context and exists there. */
export async function checkDockerfile(root: string, dockerfile: string): Promise<void> {
  const parts = dockerfile.split("/");
  if (dockerfile.startsWith("/") || parts.some((p) => p === ".." || p === "")) {
    throw invalidInput("dockerfile", "must be a relative path inside the context, without '..'");
  }
  try {
    const info = await Deno.stat(`${root}/${dockerfile}`);
    if (!info.isFile) throw new Deno.errors.NotFound(dockerfile);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw invalidInput(
        "dockerfile",
        `names no file in the context (${dockerfile})`,
        "Give the Dockerfile's path relative to 'path'",
      );
    }
    throw hostError(error, root);
  }
}

/**
 * Packs `root` as a tar stream, skipping what the exclude patterns match.
 * With `pinned`, that path is sent with the pinned bytes as a regular file;
 * if the walk never reaches it (a parent turned into a symlink meanwhile),
 * packing fails rather than let the engine read something unchecked.
 */
export function packContext(root: string, excludes: string[], pinned?: PinnedFile): BuildContext {
  const pack = tar.pack();
  const stats: ContextStats = { files: 0, bytes: 0 };
  const matcher = excludes.length ? dockerignore().add(excludes) : undefined;
  const negations = excludes.some((p) => p.startsWith("!"));
  let failure: BerthError | undefined;
  let sentPinned = false;
  // Aborted when the reader (the engine request) goes away.
  const stop = new AbortController();

  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    names.sort();
    for (const name of names) {
      if (stop.signal.aborted) return;
      const rel = prefix ? `${prefix}/${name}` : name;
      const full = `${dir}/${name}`;
      const info = await Deno.lstat(full);
      if (rel === pinned?.path) {
        await addEntry(pack, { name: rel, type: "file", ...meta(info) }, pinned.bytes);
        sentPinned = true;
        continue;
      }
      const ignored = matcher?.ignores(rel) ?? false;
      if (info.isDirectory) {
        if (ignored && !negations) continue; // nothing below can come back
        if (!ignored) await addEntry(pack, { name: `${rel}/`, type: "directory", ...meta(info) });
        await walk(full, rel);
      } else if (ignored) {
        continue;
      } else if (info.isSymlink) {
        const linkname = await Deno.readLink(full);
        await addEntry(pack, { name: rel, type: "symlink", linkname, ...meta(info) });
      } else if (info.isFile) {
        await addFile(pack, full, rel, info, stop.signal);
        stats.files++;
        stats.bytes += info.size;
      } // sockets, fifos and devices are not build input
    }
  };

  const finished = (async () => {
    try {
      await walk(root, "");
      if (pinned && !sentPinned) {
        throw new BerthError("conflict", `The Dockerfile ${pinned.path} moved while packing`, {
          hint: "Build again once nothing writes into the context directory",
        });
      }
      pack.finalize();
    } catch (error) {
      if (stop.signal.aborted) return; // the reader went away: its own error tells why
      failure = isBerthError(error) ? error : hostError(error, root);
      pack.destroy(failure);
    }
  })();

  const chunks = pack[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const parts: Uint8Array[] = [];
      let size = 0;
      while (size < CHUNK_BYTES) {
        const { value, done } = await chunks.next();
        if (done) break;
        parts.push(value as Uint8Array);
        size += (value as Uint8Array).length;
      }
      // One piece needs no copy.
      if (size > 0) controller.enqueue(parts.length === 1 ? parts[0] : concatBytes(parts, size));
      if (size < CHUNK_BYTES) controller.close();
    },
    cancel() {
      stop.abort();
      pack.destroy();
    },
  });
  return { stream, stats, failure: () => failure, finished };
}

function meta(info: Deno.FileInfo): { mode: number; mtime: Date; uid: 0; gid: 0 } {
  return { mode: (info.mode ?? 0o644) & 0o7777, mtime: info.mtime ?? new Date(0), uid: 0, gid: 0 };
}

function addEntry(
  pack: tar.Pack,
  header: Parameters<tar.Pack["entry"]>[0],
  content?: Uint8Array,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (content) pack.entry({ ...header, size: content.length }, content, done);
    else pack.entry(header, done);
  });
}

/** Streams one file into the archive, waiting whenever the archive's buffer is full. */
async function addFile(
  pack: tar.Pack,
  full: string,
  rel: string,
  info: Deno.FileInfo,
  stop: AbortSignal,
): Promise<void> {
  let sink!: ReturnType<tar.Pack["entry"]>;
  // The executor runs at once, so `sink` is set before it is used.
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(
      { name: rel, type: "file", size: info.size, ...meta(info) },
      (error) => (error ? reject(error) : resolve()),
    );
  });
  done.catch(() => {}); // awaited below; a cancelled archive must not reject unobserved
  using file = await Deno.open(full, { read: true });
  const buffer = new Uint8Array(CHUNK_BYTES);
  let remaining = info.size;
  while (remaining > 0) {
    if (stop.aborted) throw new Error("The build context stream was cancelled");
    const n = await file.read(buffer);
    if (n === null) break;
    const piece = buffer.slice(0, Math.min(n, remaining));
    remaining -= piece.length;
    // Wait for room, or for the end of the archive when the engine stops reading.
    if (!sink.write(piece)) await drained(sink, stop);
  }
  if (remaining > 0) {
    throw new BerthError("conflict", `File '${rel}' shrank while the build context was packed`, {
      hint: "Build again once nothing writes into the context directory",
    });
  }
  sink.end(undefined);
  await done;
}

function drained(sink: ReturnType<tar.Pack["entry"]>, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve();
    const done = () => {
      sink.off("drain", done);
      stop.removeEventListener("abort", done);
      resolve();
    };
    sink.on("drain", done);
    stop.addEventListener("abort", done, { once: true });
  });
}

/** Turns a host file-system failure into an error that says what to do. */
export function hostError(error: unknown, path: string): BerthError {
  if (isBerthError(error)) return error;
  if (error instanceof Deno.errors.NotCapable) {
    return new BerthError(
      "permission_denied",
      `Deno's sandbox refused to read the build context ${path}`,
      {
        context: (error as Error).message,
        hint: allowReadHint(path),
        cause: error,
      },
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new BerthError("permission_denied", `Cannot read the build context ${path}`, {
      context: (error as Error).message,
      hint: "Make the directory readable by the user berth runs as",
      cause: error,
    });
  }
  return new BerthError("engine_error", `Cannot pack the build context ${path}`, {
    context: String((error as Error)?.message ?? error).slice(0, 300),
    hint: "Check the directory; files that vanish or change while packing break the build",
    cause: error,
  });
}
