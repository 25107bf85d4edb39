/**
 * The engine berth uses when nothing names one: the system Docker socket,
 * else the rootless sockets of the user berth runs as, the way the docker
 * CLI and podman's own remote client find theirs (`$XDG_RUNTIME_DIR/docker.sock`
 * for rootless Docker, `$XDG_RUNTIME_DIR/podman/podman.sock` for rootless
 * Podman), else rootful Podman's.
 *
 * @module
 */

import { DEFAULT_DOCKER_HOST } from "../engine/docker_host.ts";

/** True when a socket is there and the sandbox lets berth see it (injectable for tests). */
export type SocketCheck = (path: string) => boolean;

/** Looks for a socket without reading it; a path the sandbox hides counts as absent. */
export function socketPresent(path: string): boolean {
  try {
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return false;
    return Deno.statSync(path).isSocket === true;
  } catch {
    return false;
  }
}

/** The sockets tried in order when no host, context or config names an engine. */
export function candidateSockets(runtimeDir: string | undefined): string[] {
  const rootless = runtimeDir
    ? [`${runtimeDir}/docker.sock`, `${runtimeDir}/podman/podman.sock`]
    : [];
  return ["/var/run/docker.sock", ...rootless, "/run/podman/podman.sock"];
}

/**
 * The default engine: the first candidate socket that is there, as a
 * `unix://` host; the system Docker socket when none is (its error then says
 * what to do). `found` says whether it was one other than the system socket.
 */
export function discoverHost(
  runtimeDir: string | undefined,
  present: SocketCheck,
): { host: string; discovered?: string } {
  const [system, ...others] = candidateSockets(runtimeDir);
  if (present(system)) return { host: DEFAULT_DOCKER_HOST };
  const found = others.find(present);
  return found ? { host: `unix://${found}`, discovered: found } : { host: DEFAULT_DOCKER_HOST };
}
