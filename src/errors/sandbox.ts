/**
 * Advice for paths Deno's sandbox refuses. berth runs under the `berth`
 * permission set of deno.json (`-P=berth`); an `--allow-read` or
 * `--allow-write` flag next to it replaces the set's list for that permission
 * instead of extending it, so a flag naming only the new path would take the
 * engine socket and the manifests away. The flags given here repeat the set's
 * list, read from deno.json itself (a JSON import, bundled by `deno compile`
 * too), so they never drift from the set.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };

/** A permission whose list a flag can extend (env lists variable names, not paths). */
export type PathPermission = "read" | "write" | "env";

/** Where the `berth` set's relative paths are anchored: the directory of deno.json. */
const CONFIG_DIR = new URL("../../", import.meta.url);

/**
 * The `berth` set's paths for one permission, as a command line must give
 * them: relative entries (`./manifest`) are made absolute when berth runs from
 * files, because a flag resolves them against the working directory, which an
 * MCP client chooses. A compiled binary keeps them as written: it is rebuilt
 * from the repository root, where they resolve as the set means.
 */
export function berthSetPaths(permission: PathPermission): string[] {
  const paths: string[] = config.permissions.berth[permission];
  if (permission === "env" || Deno.build.standalone || CONFIG_DIR.protocol !== "file:") {
    return [...paths];
  }
  return paths.map((p) => (p.startsWith("./") ? new URL(p, CONFIG_DIR).pathname : p))
    .map((p) => p.replace(/\/$/, ""));
}

/**
 * The flag that grants `path` while keeping the set's list, e.g.
 * `--allow-read=/home/me/app,/work/berth/manifest,/var/run/docker.sock,…`.
 * The new path comes first so a reader sees what changed.
 */
export function allowFlag(permission: PathPermission, ...paths: string[]): string {
  const list = [...new Set([...paths, ...berthSetPaths(permission)])];
  return `--allow-${permission}=${list.join(",")}`;
}

/**
 * Where the flags go, and that they repeat the set's list. A compiled binary
 * fixed its permissions when it was built, so it must be built again.
 */
export function whereFlagsGo(flags: string): string {
  const replaces = /--allow-(read|write|env)=/.test(flags)
    ? "; an --allow-read, --allow-write or --allow-env flag replaces the berth set's list " +
      "instead of extending it, so it repeats the set's entries (add any you granted before too)"
    : "";
  if (Deno.build.standalone) {
    return `This binary's permissions were fixed when it was compiled: compile it again ` +
      `with -P=berth ${flags}, or run berth from source with them${replaces}`;
  }
  return `Add ${flags} after -P=berth in the deno run command (for an MCP client, in the ` +
    `"args" of its config)${replaces}`;
}

/** The fix for a host path the sandbox would not let berth read. */
export function allowReadHint(path: string): string {
  return whereFlagsGo(allowFlag("read", path));
}
