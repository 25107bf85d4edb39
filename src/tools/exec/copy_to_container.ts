/**
 * `docker_copy_to_container`: writes files into a directory of a container
 * (`PUT /containers/{id}/archive`), from `files` given inline and/or a host
 * `source_path` (a file or a directory, copied under its own name as
 * `docker cp` does; symlinks are copied as symlinks, never followed; the
 * policy must allow the path, and Deno's sandbox must let berth read it).
 *
 * File names are relative to `path` and may not leave it: no `..`, no
 * absolute names. The directory must exist in the container. The archive is
 * built in memory, capped at {@link MAX_COPY_BYTES}.
 *
 * @module
 */

import { containers } from "../../engine/ops/mod.ts";
import { allowReadHint, BerthError, invalidInput } from "../../errors/mod.ts";
import { counted, formatBytes } from "../../guard/formats.ts";
import { Fields, isPlainObject } from "../../docker/container_spec/fields.ts";
import { type PackEntry, packTar } from "../../docker/tar.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import { realHostPath } from "../../policy/enforce/mod.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Bytes copied in one call at most. */
export const MAX_COPY_BYTES = 32 * 1024 * 1024;
/** Entries copied in one call at most. */
export const MAX_COPY_ENTRIES = 10_000;

const FILE_KEYS = ["name", "content", "mode", "encoding"];

/** A clean relative name: no empty, `.` or `..` segments, not absolute. */
export function cleanName(field: string, raw: string): string {
  const name = raw.replace(/^\.\//, "").replace(/\/+$/, "");
  const segments = name.split("/");
  if (
    !name || raw.startsWith("/") || name.includes("\0") || name.includes("\\") ||
    segments.some((s) => s === "" || s === "." || s === "..")
  ) {
    throw invalidInput(
      field,
      `'${raw}' must be a relative name inside 'path' (no '..', no leading '/')`,
      "Give names such as app.conf or conf/app.ini; choose the directory with 'path'",
    );
  }
  return name;
}

/** Base64 text → bytes; DKR-004 naming the field when it is not base64. */
function decodeBase64(field: string, text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw invalidInput(field, "is not valid base64");
  }
  return Uint8Array.from(atob(clean), (c) => c.charCodeAt(0));
}

/** A mode as 420, "644" or "0644". */
function parseMode(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0o7777) {
    return value;
  }
  if (typeof value === "string" && /^0?[0-7]{3,4}$/.test(value)) return parseInt(value, 8);
  throw invalidInput(field, 'must be an octal string such as "0644" or "755", or a number');
}

/** Entries from the `files` parameter, with their parent directories. */
function inlineEntries(files: unknown[]): PackEntry[] {
  const f: Fields = new Fields();
  const entries: PackEntry[] = [];
  files.forEach((file, i) => {
    const field = `files.${i}`;
    if (!isPlainObject(file)) f.fail(field, "must be {name, content, mode?, encoding?}");
    f.onlyKeys(field, file, FILE_KEYS);
    const name = cleanName(`${field}.name`, f.string(`${field}.name`, file.name ?? ""));
    const text = f.string(`${field}.content`, file.content ?? "", MAX_COPY_BYTES * 2);
    const encoding = file.encoding ?? "utf8";
    if (encoding !== "utf8" && encoding !== "base64") {
      f.fail(`${field}.encoding`, "must be utf8 or base64");
    }
    const content = encoding === "base64"
      ? decodeBase64(`${field}.content`, text)
      : new TextEncoder().encode(text);
    const mode = file.mode === undefined ? 0o644 : parseMode(`${field}.mode`, file.mode);
    entries.push({ name, type: "file", mode, content });
  });
  return entries;
}

/** Reads a host file or directory tree into entries (symlinks not followed). */
async function hostEntries(source: string): Promise<PackEntry[]> {
  const base = source.replace(/\/+$/, "").split("/").pop() || "root";
  const entries: PackEntry[] = [];
  let bytes = 0;
  const visit = async (path: string, name: string) => {
    if (entries.length >= MAX_COPY_ENTRIES) {
      throw invalidInput("source_path", `holds more than ${MAX_COPY_ENTRIES} entries`);
    }
    const info = await Deno.lstat(path);
    const mode = (info.mode ?? 0o644) & 0o7777;
    const mtime = info.mtime ?? undefined;
    if (info.isSymlink) {
      entries.push({ name, type: "symlink", mode, linkname: await Deno.readLink(path), mtime });
    } else if (info.isDirectory) {
      entries.push({ name, type: "directory", mode, mtime });
      const children = [];
      for await (const child of Deno.readDir(path)) children.push(child.name);
      for (const child of children.sort()) await visit(`${path}/${child}`, `${name}/${child}`);
    } else if (info.isFile) {
      bytes += info.size;
      if (bytes > MAX_COPY_BYTES) {
        throw invalidInput("source_path", `holds more than ${formatBytes(MAX_COPY_BYTES)}`);
      }
      entries.push({ name, type: "file", mode, content: await Deno.readFile(path), mtime });
    } // sockets, devices and FIFOs are skipped
  };
  try {
    await visit(source, base);
  } catch (error) {
    throw hostReadError(error, source);
  }
  return entries;
}

function hostReadError(error: unknown, source: string): unknown {
  if (error instanceof Deno.errors.NotCapable) {
    return new BerthError("permission_denied", `Deno's sandbox refused to read ${source}`, {
      context: String((error as Error).message),
      hint: `${allowReadHint(source)}; or pass the files inline with 'files'`,
      cause: error,
    });
  }
  if (error instanceof Deno.errors.NotFound) {
    return invalidInput("source_path", `'${source}' does not exist on the host`);
  }
  return error;
}

/** Adds the parent directories of nested names, so the archive is complete. */
function withParents(entries: PackEntry[]): PackEntry[] {
  const names = new Set(entries.map((e) => e.name));
  const parents: PackEntry[] = [];
  for (const entry of entries) {
    const segments = entry.name.split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join("/");
      if (!names.has(dir)) {
        names.add(dir);
        parents.push({ name: dir, type: "directory", mode: 0o755 });
      }
    }
  }
  return [...parents, ...entries];
}

/** Copies files into a container directory. */
export const copyToContainer: Handler = async (ctx) => {
  const { path, files, source_path: source } = ctx.args as {
    path: string;
    files?: unknown[];
    source_path?: string;
  };
  if (!path.startsWith("/") || path.includes("\0")) {
    throw invalidInput("path", "must be an absolute directory path in the container");
  }
  if (!files?.length && source === undefined) {
    throw invalidInput(
      "files",
      "or 'source_path' must be given",
      "Pass files inline, a host path, or both",
    );
  }
  if (source !== undefined && (!source.startsWith("/") || source.split("/").includes(".."))) {
    throw invalidInput("source_path", "must be an absolute host path without '..'");
  }
  const info = await inspectVisibleContainer(ctx, ctx.args.container_id as string);
  const entries = inlineEntries(files ?? []);
  if (source !== undefined) {
    ctx.policy.checkHostPath(source, "copy");
    // A symlinked directory on the way (/tmp/link/x, link -> /etc) is followed when reading:
    // the real path must pass too, and a path berth cannot resolve is refused.
    ctx.policy.checkHostPath(await realHostPath(source, "copy source"), "copy");
    entries.push(...await hostEntries(source));
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) throw invalidInput("files", `name '${entry.name}' appears twice`);
    seen.add(entry.name);
  }
  const total = entries.reduce((n, e) => n + (e.content?.length ?? 0), 0);
  if (total > MAX_COPY_BYTES) {
    throw invalidInput("files", `add up to more than ${formatBytes(MAX_COPY_BYTES)}`);
  }
  const archive = await packTar(withParents(entries));
  const response = await ctx.engine.request(containers.archivePut(info.Id, { path }, archive, {
    headers: { "content-type": "application/x-tar" },
    signal: ctx.signal,
    errors: { 404: "not_found", 403: "permission_denied" },
  })).catch((error) => {
    if (error instanceof BerthError && error.type === "not_found") {
      throw new BerthError("not_found", error.message, {
        hint: `Create the directory first, e.g. docker_exec_command with "mkdir -p ${path}"`,
        context: error.context,
      });
    }
    throw error;
  });
  await response.body?.cancel();
  const copied = entries.map((e) => (e.type === "directory" ? `${e.name}/` : e.name));
  const name = bareName(info.Name);
  return {
    structured: { container_id: info.Id, path, copied },
    text:
      `Copied ${counted(copied.length, "entries")} (${formatBytes(total)}) into ${name}:${path}: ` +
      copied.slice(0, 50).join(", ") + (copied.length > 50 ? ", …" : ""),
  };
};
