/**
 * Where the engine lives: parsing `DOCKER_HOST`-style URLs and building the
 * Deno HTTP client that reaches it.
 *
 * @module
 */

import { allowFlag, BerthError, whereFlagsGo } from "../errors/mod.ts";
import { REDACTED, redactText } from "../policy/redact.ts";

/** TLS material for a `tcp://` engine. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** A parsed engine address. */
export type EngineEndpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls?: TlsFiles };

/** The socket berth uses when nothing else is configured. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * The host name used in URLs sent over a unix socket. Deno checks net
 * permission against it, so it must be a name that can never resolve.
 */
export const UNIX_URL_HOST = "docker.invalid";

/**
 * A docker host as errors may show it: credentials in the URL (`user:pass@`,
 * or a bare token before `@`) never reach stderr or a log.
 */
export function shownHost(value: string): string {
  return redactText(value).replace(/(\/\/)[^/@\s]*@/, `$1${REDACTED}@`);
}

/** Parses `unix:///path`, `tcp://host:port` (or a bare absolute socket path). */
export function parseDockerHost(value: string, tls?: TlsFiles): EngineEndpoint {
  const raw = value.trim();
  const shown = shownHost(value);
  if (raw.startsWith("/")) return { kind: "unix", socketPath: raw };
  if (raw.startsWith("unix://")) {
    const socketPath = raw.slice("unix://".length);
    if (!socketPath.startsWith("/")) {
      throw new BerthError(
        "invalid_input",
        `Docker host '${shown}' needs an absolute socket path`,
        {
          hint: "Write it as unix:///var/run/docker.sock",
        },
      );
    }
    return { kind: "unix", socketPath };
  }
  if (raw.startsWith("tcp://") || raw.startsWith("https://") || raw.startsWith("http://")) {
    let url: URL;
    try {
      url = new URL(raw.replace(/^tcp:/, "http:"));
    } catch {
      throw new BerthError("invalid_input", `Docker host '${shown}' is not a valid URL`, {
        hint: "Write it as tcp://host:2376",
      });
    }
    const useTls = raw.startsWith("https://") || tls !== undefined;
    // URL drops a port equal to its scheme's default (80 for http:, 443 for
    // https:), so `tcp://h:80` would read as "no port": take it from the text.
    const written = explicitPort(raw);
    const port = written ?? (useTls ? 2376 : 2375);
    return { kind: "tcp", host: url.hostname, port, tls };
  }
  throw new BerthError("invalid_input", `Docker host '${shown}' has an unsupported scheme`, {
    hint: "Use unix:///path/to/docker.sock or tcp://host:port",
  });
}

/** The port written in a `scheme://[user@]host:port[/…]` URL, if any. */
function explicitPort(raw: string): number | undefined {
  const authority = raw.replace(/^[a-z]+:\/\//i, "").split(/[/?#]/)[0];
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const match = /:(\d+)$/.exec(hostPort);
  return match ? Number(match[1]) : undefined;
}

/** The base URL requests are sent to, without a trailing slash. */
export function baseUrl(endpoint: EngineEndpoint): string {
  if (endpoint.kind === "unix") return `http://${UNIX_URL_HOST}`;
  const scheme = endpoint.tls ? "https" : "http";
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `${scheme}://${host}:${endpoint.port}`;
}

/** A short human description, for errors and logs. */
export function describeEndpoint(endpoint: EngineEndpoint): string {
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
        hint: `${whereFlagsGo(target)}; or use a socket path the berth set already allows`,
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
