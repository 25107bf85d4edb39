/**
 * Advice for paths Deno's sandbox refuses. berth runs under the `berth`
 * permission set of deno.json (`-P=berth`); an `--allow-read` or
 * `--allow-write` flag next to it replaces the set's list for that permission
 * instead of extending it, so a flag naming only the new path would take the
 * engine socket and the manifests away. The flags given here repeat the set's
 * list, read from deno.json itself (a JSON import, bundled by `deno compile`
 * too), so they never drift from the set.
 *
 * Every such hint leads with `berth setup`, which prints a client
 * configuration that grants the path for whichever way berth was started
 * (README "Install"), then says how to add the grant by hand for this way.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };

/** A permission whose list a flag can extend (env lists variable names, not paths). */
export type PathPermission = "read" | "write" | "env";

/** A permission set of deno.json: `berth` for the server, `berth-setup` for `berth setup`. */
export type PermissionSetName = keyof typeof config.permissions;

/** How berth was started: each has its own way of granting a path (README "Install"). */
export type Via = "checkout" | "npx" | "image" | "binary";

/** Every way, in the order the README gives them. */
export const VIAS: readonly Via[] = ["binary", "npx", "image", "checkout"];

/**
 * The variable a launcher (the npm package's bin, the image's entrypoint) sets
 * to say how it started berth; the binary knows by itself, a checkout sets none.
 */
export const VIA_ENV = "BERTH_VIA";

/** The clients `berth setup` writes for (src/setup/clients.ts holds their formats). */
export const SETUP_CLIENTS = ["claude-desktop", "claude-code", "vscode", "cursor", "generic"];

/** Where the `berth` set's relative paths are anchored: the directory of deno.json. */
const CONFIG_DIR = new URL("../../", import.meta.url);

/** An environment variable, or undefined where the sandbox hides it. */
function envOrUndefined(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** How this berth was started: a compiled binary, a launcher's word, else a checkout. */
export function currentVia(): Via {
  if (Deno.build.standalone) return "binary";
  const said = envOrUndefined(VIA_ENV);
  return said && (VIAS as readonly string[]).includes(said) ? said as Via : "checkout";
}

/** The directory berth's files run from (deno.json, src/, manifest/), when they are files. */
export function berthRoot(): string | undefined {
  return CONFIG_DIR.protocol === "file:" && !Deno.build.standalone
    ? CONFIG_DIR.pathname.replace(/\/$/, "")
    : undefined;
}

/**
 * A permission set's paths for one permission, as a command line must give
 * them: relative entries (`./manifest`) are made absolute when berth runs from
 * files, because a flag resolves them against the working directory, which an
 * MCP client chooses. A compiled binary keeps them as written: it is rebuilt
 * from the repository root, where they resolve as the set means.
 */
export function berthSetPaths(
  permission: PathPermission,
  set: PermissionSetName = "berth",
): string[] {
  const entry = (config.permissions[set] as Record<string, unknown>)[permission];
  const paths = Array.isArray(entry) ? entry as string[] : [];
  if (permission === "env" || Deno.build.standalone || CONFIG_DIR.protocol !== "file:") {
    return [...paths];
  }
  return paths.map((p) => (p.startsWith("./") ? new URL(p, CONFIG_DIR).pathname : p))
    .map((p) => p.replace(/\/$/, ""));
}

/**
 * The flag that grants `paths` while keeping the set's list, e.g.
 * `--allow-read=/home/me/app,/work/berth/manifest,/var/run/docker.sock,…`.
 * The new paths come first so a reader sees what changed.
 */
export function allowFlag(permission: PathPermission, ...paths: string[]): string {
  return allowFlagOf("berth", permission, paths);
}

/** {@link allowFlag} for any permission set of deno.json. */
export function allowFlagOf(
  set: PermissionSetName,
  permission: PathPermission,
  paths: string[],
): string {
  const list = [...new Set([...paths, ...berthSetPaths(permission, set)])];
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

/** The `berth setup` option that grants each path permission (see src/setup/options.ts). */
const SETUP_FLAG: Record<"read" | "write", string> = { read: "--read", write: "--audit-log" };

/** The launcher flag (before `serve`) that grants each path permission under npx and the image. */
export const LAUNCHER_FLAG: Record<"read" | "write", string> = {
  read: "--read",
  write: "--write-path",
};

/** The `berth setup` line that prints a client configuration with these options' grants. */
export function setupHint(options: string): string {
  return `Run 'berth setup CLIENT ${options}' (CLIENT: ${SETUP_CLIENTS.join(", ")}) ` +
    `for a client configuration that grants it`;
}

/** `--read a --read b`: one flag per path. */
function flagsFor(flag: string, paths: string[]): string {
  return paths.map((p) => `${flag} ${p}`).join(" ");
}

/**
 * The fix for paths the sandbox refused, for the way berth runs: `berth
 * setup` first (it prints the whole client configuration), then the flag by
 * hand.
 */
export function grantHint(permission: "read" | "write", ...paths: string[]): string {
  return grantHintFor(SETUP_FLAG[permission], permission, paths);
}

/**
 * {@link grantHint} naming another `berth setup` option than `--read` or
 * `--audit-log`: one that also passes the path on (`--manifest DIR`), so the
 * printed configuration keeps what the user asked for.
 */
export function grantHintFor(
  setupFlag: string,
  permission: "read" | "write",
  paths: string[],
): string {
  const setup = setupHint(flagsFor(setupFlag, paths));
  const via = currentVia();
  if (via === "npx" || via === "image") {
    const flags = flagsFor(LAUNCHER_FLAG[permission], paths);
    const mount = via === "image" ? " and mount it into the container with -v" : "";
    return `${setup}; by hand: put ${flags} before 'serve' in the "args"${mount}`;
  }
  if (via === "binary") {
    return `${setup}; a compiled binary's permissions are fixed when it is built: build one ` +
      `that grants it with 'deno task compile ${flagsFor(LAUNCHER_FLAG[permission], paths)}'` +
      ` (README "Install")`;
  }
  return `${setup}; by hand: ${whereFlagsGo(allowFlag(permission, ...paths))}`;
}

/** The fix for a host path the sandbox would not let berth read. */
export function allowReadHint(path: string): string {
  return grantHint("read", path);
}
