/**
 * Host paths: what a bind mount, a copy source or a build context may name.
 *
 * Paths are normalised lexically first (`//`, `.`, `..`, trailing slashes,
 * Windows drive letters and backslashes), so `/etc/..`, `//` and
 * `/run/../var/run/docker.sock` are seen as `/`, `/` and
 * `/var/run/docker.sock`. Symlinks cannot be resolved here (the host may be
 * remote and berth may not read it): a symlink inside an allowed directory is
 * followed by the engine, which is why `permissions.allowed_host_paths` should
 * name directories whose contents the operator trusts.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";

/** Why a path is sensitive, for the error message. */
type Reason = "system" | "engine" | "home" | "credentials";

/** Host locations no container should see unless the operator names them. */
const SYSTEM_PATHS: [string, Reason][] = [
  ["/etc", "system"],
  ["/root", "home"],
  ["/proc", "system"],
  ["/sys", "system"],
  ["/boot", "system"],
  ["/dev", "system"],
  ["/bin", "system"],
  ["/sbin", "system"],
  ["/lib", "system"],
  ["/lib32", "system"],
  ["/lib64", "system"],
  ["/libx32", "system"],
  ["/usr", "system"],
  ["/run", "engine"],
  ["/var/run", "engine"],
  ["/var/lib", "engine"],
  ["/var/spool", "system"],
  ["/private", "system"], // macOS: /etc and /var live here
  ["/system", "system"],
  ["/library", "system"],
  ["/snap", "system"],
  ["c:/windows", "system"], // Windows engines (the drive root is above it, so refused too)
  ["c:/programdata", "engine"],
];

/** Directories under a home that hold credentials (matched anywhere in a path). */
export const CREDENTIAL_DIRS = [
  ".ssh",
  ".aws",
  ".azure",
  ".kube",
  ".docker",
  ".gnupg",
  ".config/gcloud",
  ".config/gh",
  ".password-store",
  ".netrc",
  ".git-credentials",
];

/** Parents of home directories: a home itself holds credentials. */
const HOME_PARENTS = ["/home", "/users"];

/** What a host path is used for. */
export type HostPathPurpose = "bind" | "copy" | "build";

/**
 * Normalises a host path lexically. Answers undefined for a path that is not
 * absolute (a volume name, or something the engine would reject).
 */
export function normalizeHostPath(path: string): string | undefined {
  let raw = path.replace(/\\/g, "/");
  let root = "/";
  const drive = /^([A-Za-z]):(\/|$)/.exec(raw);
  if (drive) {
    root = `${drive[1].toLowerCase()}:/`;
    raw = raw.slice(2);
  }
  if (!raw.startsWith("/")) return undefined;
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return root + parts.join("/");
}

/** True when `path` equals `root` or lies inside it (both normalised). */
export function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

function credentialHit(path: string): boolean {
  const lower = `${path.toLowerCase()}/`;
  return CREDENTIAL_DIRS.some((dir) => lower.includes(`/${dir}/`));
}

/** Why a normalised path is sensitive, or undefined. `home` is the user's home, if known. */
export function sensitiveReason(path: string, home?: string): Reason | undefined {
  const lower = path.toLowerCase();
  if (credentialHit(path)) return "credentials";
  for (const [item, reason] of SYSTEM_PATHS) {
    // Inside a sensitive place, or above one (mounting `/var` exposes `/var/run`).
    if (isInside(lower, item) || isInside(item, lower)) return reason;
  }
  const homes = home ? [normalizeHostPath(home)?.toLowerCase() ?? ""] : [];
  for (const parent of HOME_PARENTS) {
    if (lower === parent || (isInside(lower, parent) && lower.split("/").length <= 3)) {
      return "home";
    }
  }
  if (homes.some((h) => h && isInside(h, lower))) return "home";
  return undefined;
}

const REASONS: Record<Reason, string> = {
  system: "a system location of the host",
  engine: "engine or runtime state of the host (sockets, container data)",
  home: "a home directory, which holds credentials",
  credentials: "a credentials directory",
};

/** Host path rules built from the configuration. */
export class HostPathRules {
  readonly #roots: string[];
  readonly #home?: string;

  /** `roots`: `permissions.allowed_host_paths` (empty: anywhere not sensitive). */
  constructor(roots: readonly string[], home?: string) {
    this.#roots = roots.map((r) => normalizeHostPath(r)).filter((r): r is string => !!r);
    this.#home = home;
  }

  /** The reason a path is refused, or undefined when it is allowed. */
  problem(path: string): string | undefined {
    const normal = normalizeHostPath(path);
    if (!normal) return "is not an absolute host path";
    const roots = this.#roots.filter((r) => isInside(normal, r));
    if (this.#roots.length && !roots.length) {
      return "is outside permissions.allowed_host_paths";
    }
    const reason = sensitiveReason(normal, this.#home);
    if (!reason) return undefined;
    // The operator may open a sensitive place by naming it (or a place inside it) as a root;
    // credentials need a root that itself names the credentials directory.
    const opened = roots.some((r) =>
      reason === "credentials" ? credentialHit(r) : sensitiveReason(r, this.#home) !== undefined
    );
    return opened ? undefined : `is ${REASONS[reason]}`;
  }

  /** Throws DKR-007 when a host path may not be used. */
  check(path: string, purpose: HostPathPurpose): void {
    const problem = this.problem(path);
    if (!problem) return;
    const normal = normalizeHostPath(path);
    const shown = normal && normal !== path ? `'${path}' (${normal})` : `'${path}'`;
    const what = purpose === "bind"
      ? "Bind mount of host path"
      : purpose === "copy"
      ? "Host source path"
      : "Build context";
    throw new BerthError("denied_by_policy", `${what} ${shown} ${problem}`, {
      hint: this.#roots.length
        ? `Use a path inside ${this.#roots.join(", ")} (permissions.allowed_host_paths)`
        : "Use a project directory, or ask the operator to add it to permissions.allowed_host_paths",
    });
  }
}
