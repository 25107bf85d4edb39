/**
 * Where the engine lives: the parsed address of an engine (parsed from
 * `DOCKER_HOST`-style URLs by src/config/endpoint.ts) and the Deno HTTP client
 * that reaches it.
 *
 * @module
 */

import { allowFlag, BerthError, setupHint, whereFlagsGo } from "../errors/mod.ts";
import { sshNotAllowed, type SshTarget } from "./ssh.ts";

/** TLS material for a `tcp://` engine. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** A parsed engine address. */
export type EngineEndpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls?: TlsFiles }
  | ({ kind: "ssh" } & SshTarget);

/** What an `ssh://` engine passes to the ssh client, besides its address. */
export type SshOptions = Pick<SshTarget, "identityFile" | "knownHostsFile" | "options">;

/** The socket berth uses when nothing else is configured. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * The host used in URLs sent over a unix socket. Deno checks net permission
 * against it, so it must be a host nothing can reach: TEST-NET-1 (RFC 5737),
 * reserved for documentation. An IP literal, not a name: Deno looks a name up
 * on every new connection even when the connection goes to a unix socket, and
 * a name that cannot resolve (`docker.invalid`) cost a failed DNS query per
 * connection, serialised: 50 parallel stats requests reached the engine about
 * two dozen a second (docs/performance.md).
 */
export const UNIX_URL_HOST = "192.0.2.1";

/** The base URL requests are sent to, without a trailing slash. */
export function baseUrl(endpoint: EngineEndpoint): string {
  if (endpoint.kind === "unix") return `http://${UNIX_URL_HOST}`;
  // An ssh engine is reached through its tunnel's loopback port (src/engine/ssh.ts).
  if (endpoint.kind === "ssh") return "http://127.0.0.1";
  const scheme = endpoint.tls ? "https" : "http";
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `${scheme}://${host}:${endpoint.port}`;
}

/** A short human description, for errors and logs. */
export function describeEndpoint(endpoint: EngineEndpoint): string {
  if (endpoint.kind === "ssh") {
    const user = endpoint.user ? `${endpoint.user}@` : "";
    return `ssh://${user}${endpoint.host}${endpoint.port ? `:${endpoint.port}` : ""}`;
  }
  return endpoint.kind === "unix"
    ? `unix://${endpoint.socketPath}`
    : `tcp://${endpoint.host}:${endpoint.port}${endpoint.tls ? " (TLS)" : ""}`;
}

/**
 * Builds the Deno HTTP client for an endpoint. A refusal by Deno's sandbox
 * becomes an error that names the permission and how to grant it.
 */
export function createHttpClient(endpoint: EngineEndpoint): Deno.HttpClient {
  try {
    if (endpoint.kind === "unix") {
      return Deno.createHttpClient({ proxy: { transport: "unix", path: endpoint.socketPath } });
    }
    if (endpoint.kind === "ssh") return Deno.createHttpClient({});
    if (!endpoint.tls) return Deno.createHttpClient({});
    const read = (path?: string) => (path ? Deno.readTextFileSync(path) : undefined);
    const caCerts = endpoint.tls.ca ? [read(endpoint.tls.ca)!] : undefined;
    const cert = read(endpoint.tls.cert);
    const key = read(endpoint.tls.key);
    return Deno.createHttpClient(cert && key ? { caCerts, cert, key } : { caCerts });
  } catch (error) {
    throw sandboxError(error, endpoint);
  }
}

/** Turns Deno's `NotCapable` into advice naming the flag to add. */
export function sandboxError(error: unknown, endpoint: EngineEndpoint): BerthError {
  if (error instanceof Deno.errors.NotCapable) {
    if (endpoint.kind === "ssh") return sshNotAllowed(describeEndpoint(endpoint), error);
    const target = endpoint.kind === "unix"
      ? `${allowFlag("read", endpoint.socketPath)} ${allowFlag("write", endpoint.socketPath)} ` +
        `--allow-net=unix:${endpoint.socketPath},${UNIX_URL_HOST}`
      : /read access/.test(error.message) // the TLS files, not the host
      ? allowFlag("read", ...Object.values(endpoint.tls ?? {}).filter(Boolean))
      : `--allow-net=${endpoint.host}:${endpoint.port}`;
    return new BerthError(
      "permission_denied",
      `Deno's sandbox refused access to the engine at ${describeEndpoint(endpoint)}`,
      {
        context: error.message,
        hint: `${
          endpoint.kind === "unix"
            ? `${setupHint(`--docker-host unix://${endpoint.socketPath}`)} (for an engine ` +
              `of a config file, 'berth setup CLIENT --config FILE' grants its sockets); by hand: `
            : ""
        }${whereFlagsGo(target)}; or use a socket path the berth set already allows`,
        cause: error,
      },
    );
  }
  if (error instanceof Deno.errors.NotFound) {
    return new BerthError("invalid_input", `A TLS file was not found`, {
      context: String((error as Error).message),
      hint: "DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem",
      cause: error,
    });
  }
  return new BerthError("daemon_unreachable", `Cannot reach ${describeEndpoint(endpoint)}`, {
    context: String((error as Error)?.message ?? error),
    cause: error,
  });
}
