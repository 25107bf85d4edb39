/**
 * The real path of a host path a local engine will follow: bind sources,
 * volume devices, copy sources. The engine follows symlinks, and a container
 * with an allowed bind can plant one (`ln -sfn / /w/escape`) for the next
 * container to bind, so the real path is what the host path rules must judge
 * (docs/security.md, "Host paths").
 *
 * Fail closed: a path berth cannot resolve (the sandbox or the file system
 * refuses to let berth look, or a symlink on it leads nowhere) is refused,
 * with the grant that lets berth look. A path that does not exist yet (the
 * engine creates a missing bind source) resolves through its deepest existing
 * ancestor: the missing rest holds no symlink.
 *
 * @module
 */

import { allowReadHint, BerthError } from "../../errors/mod.ts";

function parentOf(path: string): string {
  const cut = path.replace(/\/+$/, "").lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}

function baseOf(path: string): string {
  return path.replace(/\/+$/, "").slice(path.replace(/\/+$/, "").lastIndexOf("/") + 1);
}

function unresolvable(path: string, purpose: string, error: unknown): BerthError {
  if (error instanceof Deno.errors.NotCapable) {
    return new BerthError(
      "permission_denied",
      `The ${purpose} ${path} cannot be checked: Deno's sandbox does not let berth resolve it to ` +
        "its real path, and a symlink there could lead anywhere on the host",
      { context: (error as Error).message, hint: allowReadHint(path), cause: error },
    );
  }
  return new BerthError(
    "permission_denied",
    `The ${purpose} ${path} cannot be checked: berth cannot resolve it to its real path ` +
      `(${(error as Error)?.name ?? "error"})`,
    {
      context: String((error as Error)?.message ?? error).slice(0, 300),
      hint: "Make the path readable by the user berth runs as, or bind another directory",
      cause: error,
    },
  );
}

/** Answers true when `path` itself is a symlink (lstat), false when absent. */
async function isDanglingLink(path: string, purpose: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isSymlink;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw unresolvable(path, purpose, error);
  }
}

/**
 * The real path of an absolute host path, for the host path rules; throws
 * `DKR-005` naming the grant when berth cannot resolve it, `DKR-007` for a
 * symlink that leads nowhere (the engine would create its target).
 */
export async function realHostPath(path: string, purpose = "bind source"): Promise<string> {
  const missing: string[] = [];
  let probe = path;
  for (;;) {
    try {
      const real = await Deno.realPath(probe);
      if (!missing.length) return real;
      return `${real.replace(/\/$/, "")}/${missing.reverse().join("/")}`;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw unresolvable(path, purpose, error);
      if (await isDanglingLink(probe, purpose)) {
        throw new BerthError(
          "denied_by_policy",
          `The ${purpose} ${path} passes through ${probe}, a symlink to a place that does not ` +
            "exist: the engine would create its target wherever it points",
          { hint: "Remove the symlink or bind its target directly" },
        );
      }
      if (probe === "/" || probe === parentOf(probe)) throw unresolvable(path, purpose, error);
      missing.push(baseOf(probe));
      probe = parentOf(probe);
    }
  }
}
