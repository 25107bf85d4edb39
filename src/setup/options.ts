/**
 * The options of `berth setup` that shape the server's command line, as data:
 * which are passed on to `berth serve`, and what each needs Deno's sandbox to
 * grant. A new server option that needs a grant (another permission set, a
 * port to listen on) is one more entry here; the ways of running
 * (src/setup/ways.ts) turn grants into flags without knowing the options.
 *
 * @module
 */

import { BerthError, berthSetPaths, type PermissionSetName } from "../errors/mod.ts";
import { type ConfigFile, ConfigParserNeeded, parseConfigText } from "../config/file.ts";
import { contextStore, resolveContext } from "../config/contexts.ts";

/** What the sandbox must allow beyond its permission set. */
export interface Grants {
  /** Host paths berth reads (build contexts, compose files, copy sources, manifests, configs). */
  read: string[];
  /** Host paths berth writes (the audit log). */
  write: string[];
  /** The permission set of deno.json the server runs under. */
  permissionSet: PermissionSetName;
  /** True when berth talks to an engine over the network (a container then keeps one). */
  network: boolean;
}

/** One `berth setup` option that concerns the server. */
export interface SetupOption {
  /** The flag, spelled as `berth serve` spells it (`--read` is setup's own). */
  flag: string;
  /** Its value's placeholder in the help text. */
  value: string;
  /** The help text. */
  description: string;
  /** May be given more than once. */
  repeat?: boolean;
  /** Passed on to `berth serve`; false for a grant alone (`--read`). */
  serve: boolean;
  /** Its value is a host path, made absolute against the working directory. */
  path?: boolean;
  /** What the sandbox must grant for one value. */
  grants?: (value: string) => Partial<Grants>;
}

/**
 * What a docker host needs: an `ssh://` engine the berth-ssh set (which may run
 * ssh), a `unix://` socket outside the set its path, a tcp engine a network.
 */
function socketGrants(url: string): Partial<Grants> {
  if (url.startsWith("ssh://")) return { permissionSet: "berth-ssh", network: true };
  if (!url.startsWith("unix://")) return { network: true };
  const socket = url.slice("unix://".length);
  return berthSetPaths("read").includes(socket) ? {} : { read: [socket], write: [socket] };
}

/** Merges `more` into `into`, without repeating a path. */
function mergeGrants(into: Partial<Grants>, more: Partial<Grants>): Partial<Grants> {
  const read = [...new Set([...(into.read ?? []), ...(more.read ?? [])])];
  const write = [...new Set([...(into.write ?? []), ...(more.write ?? [])])];
  return {
    read,
    write,
    permissionSet: more.permissionSet ?? into.permissionSet,
    network: Boolean(into.network || more.network),
  };
}

/** The engine hosts a config file names: `docker.host`/`docker.socket` and each `engines.*.host`. */
function configHosts(config: ConfigFile): string[] {
  const hosts = [
    config.docker?.host ?? (config.docker?.socket ? `unix://${config.docker.socket}` : undefined),
    ...Object.values(config.engines ?? {}).map((engine) => engine.host),
  ];
  return hosts.filter((host): host is string => Boolean(host));
}

/**
 * What a config file needs besides itself: the sockets of the engines it names
 * (an engine at a socket outside the set would otherwise answer DKR-005 at its
 * first call), their TLS files outside /etc/berth, its audit log. A file setup
 * cannot read or parse grants only itself: `berth serve` then names the fault.
 */
function configGrants(file: string): Partial<Grants> {
  let config: ConfigFile;
  try {
    config = parseConfigText(Deno.readTextFileSync(file), file);
  } catch (error) {
    // A bug of the caller, not a fault of the file: never a silent "grant the file alone".
    if (error instanceof ConfigParserNeeded) throw error;
    return { read: [file] };
  }
  const setReads = berthSetPaths("read");
  const readable = (path: string) =>
    setReads.some((root) => path === root || path.startsWith(`${root}/`));
  const tlsFiles = [config.docker?.tls, ...Object.values(config.engines ?? {}).map((e) => e.tls)]
    .flatMap((tls) => Object.values(tls ?? {}))
    .filter((path): path is string => typeof path === "string" && !readable(path));
  let grants: Partial<Grants> = {
    read: [file, ...tlsFiles],
    write: config.audit_log ? [config.audit_log] : [],
  };
  for (const host of configHosts(config)) grants = mergeGrants(grants, socketGrants(host));
  return grants;
}

/** An environment variable, or undefined where the sandbox hides it. */
function envOf(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * What a docker CLI context needs: its store (`$DOCKER_CONFIG/contexts`, which
 * the set cannot see) and its engine's socket. A context setup cannot resolve
 * grants the store alone: `berth serve` then names the fault.
 */
function contextGrants(name: string): Partial<Grants> {
  const store = contextStore(envOf);
  try {
    return mergeGrants({ read: [store] }, socketGrants(resolveContext(name, envOf).host));
  } catch {
    return { read: [store] };
  }
}

/** The options, in the order `berth setup --help` lists them. */
export const SETUP_OPTIONS: readonly SetupOption[] = [
  {
    flag: "--allow",
    value: "levels",
    description: "permission levels the server grants, comma list or all",
    serve: true,
  },
  {
    flag: "--read",
    value: "dir",
    description:
      "a host directory or file berth may read: build contexts, compose files, copy sources (repeatable)",
    repeat: true,
    serve: false,
    path: true,
    grants: (dir) => ({ read: [dir] }),
  },
  {
    flag: "--manifest",
    value: "dir",
    description: "extra manifest directory, loaded and readable (repeatable)",
    repeat: true,
    serve: true,
    path: true,
    grants: (dir) => ({ read: [dir] }),
  },
  {
    flag: "--config",
    value: "file",
    description:
      "berth's YAML or JSON config file, passed on and readable, with its engines' sockets",
    serve: true,
    path: true,
    grants: configGrants,
  },
  {
    flag: "--audit-log",
    value: "file",
    description: "JSON Lines audit log, passed on and writable",
    serve: true,
    path: true,
    grants: (file) => ({ write: [file] }),
  },
  {
    flag: "--docker-host",
    value: "url",
    description: "the engine: unix:///path, tcp://host:port or ssh://user@host",
    serve: true,
    grants: socketGrants,
  },
  {
    flag: "--context",
    value: "name",
    description: "a docker CLI context (docker context create): its store and engine granted",
    serve: true,
    grants: contextGrants,
  },
  {
    flag: "--toolsets",
    value: "list",
    description: "only these toolsets",
    serve: true,
  },
  {
    flag: "--log-level",
    value: "level",
    description: "stderr logging: error, warn, info, debug",
    serve: true,
  },
];

/** An option's key in commander's parsed options (`--audit-log` → `auditLog`). */
export function optionKey(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** What a `berth setup` run asks for: the `berth serve` arguments and the grants. */
export interface ServerPlan {
  /** Arguments after `serve`. */
  serveArgs: string[];
  grants: Grants;
}

/** Absolute, against the working directory; `~/` against HOME. */
function absolute(path: string, home: string | undefined): string {
  if (path.startsWith("~/") && home) return `${home}${path.slice(1)}`;
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return path.replace(/(.)\/$/, "$1");
  return `${Deno.cwd()}/${path}`.replace(/\/\.?\/?$/, "").replace(/\/\.\//g, "/");
}

/**
 * Deno splits `--allow-read=a,b` on commas and has no escape for one, so a
 * granted path holding a comma (`/src/a,/etc`, a directory `a,` with `etc`
 * in it) would grant `/etc` instead: such a path is refused.
 */
function refuseComma(flag: string, path: string): void {
  if (!path.includes(",")) return;
  throw new BerthError("invalid_input", `${flag} '${path}' holds a comma`, {
    hint: "Deno's --allow-read and --allow-write lists are split on commas, so this path " +
      "would grant other paths: rename it, or grant a parent directory without a comma",
  });
}

/**
 * The plan for parsed options (commander's keys): every option's value in
 * table order, paths made absolute, grants merged without repeats.
 */
export function planServer(
  options: Record<string, unknown>,
  home: string | undefined,
): ServerPlan {
  const serveArgs: string[] = [];
  const grants: Grants = { read: [], write: [], permissionSet: "berth", network: false };
  for (const option of SETUP_OPTIONS) {
    const given = options[optionKey(option.flag)];
    if (given === undefined) continue;
    const values = (Array.isArray(given) ? given : [given]).map(String)
      .map((v) => option.path ? absolute(v, home) : v);
    for (const value of values) {
      if (option.serve) serveArgs.push(option.flag, value);
      const more = option.grants?.(value) ?? {};
      for (const path of [...(more.read ?? []), ...(more.write ?? [])]) {
        refuseComma(option.flag, path);
      }
      grants.read.push(...(more.read ?? []).filter((p) => !grants.read.includes(p)));
      grants.write.push(...(more.write ?? []).filter((p) => !grants.write.includes(p)));
      if (more.permissionSet) grants.permissionSet = more.permissionSet;
      if (more.network) grants.network = true;
    }
  }
  return { serveArgs, grants };
}
