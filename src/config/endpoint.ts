/**
 * Parsing `DOCKER_HOST`-style URLs (`unix://`, `tcp://`, `https://`, `ssh://`
 * or a bare socket path) into the engine's address. Configuration, not
 * transport: a URL may carry credentials, and errors show it only through the
 * policy's redaction, which the engine below it never imports.
 *
 * @module
 */

import type { EngineEndpoint, SshOptions, TlsFiles } from "../engine/docker_host.ts";
import { BerthError } from "../errors/mod.ts";
import { REDACTED, redactText } from "../policy/redact.ts";

/**
 * A docker host as errors may show it: credentials in the URL (`user:pass@`,
 * or a bare token before `@`) never reach stderr or a log.
 */
export function shownHost(value: string): string {
  return redactText(value).replace(/(\/\/)[^/@\s]*@/, `$1${REDACTED}@`);
}

/** Parses `ssh://[user@]host[:port]`, as the docker CLI takes it (no password, no path). */
function parseSsh(raw: string, shown: string, ssh?: SshOptions): EngineEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BerthError("invalid_input", `Docker host '${shown}' is not a valid ssh:// URL`, {
      hint: "Write it as ssh://user@host or ssh://user@host:2222",
    });
  }
  if (url.password) {
    throw new BerthError("invalid_input", `Docker host '${shown}' carries a password`, {
      hint:
        "ssh engines authenticate with keys: give the key as ssh.identity_file, or use ssh-agent",
    });
  }
  if ((url.pathname && url.pathname !== "/") || url.search || url.hash) {
    throw new BerthError("invalid_input", `Docker host '${shown}' has a path or query`, {
      hint: "Write it as ssh://user@host[:port]; the remote engine is the remote docker CLI's",
    });
  }
  return {
    kind: "ssh",
    user: url.username ? decodeURIComponent(url.username) : undefined,
    host: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    ...ssh,
  };
}

/** Parses `unix:///path`, `tcp://host:port`, `ssh://user@host[:port]` (or a bare socket path). */
export function parseDockerHost(value: string, tls?: TlsFiles, ssh?: SshOptions): EngineEndpoint {
  const raw = value.trim();
  const shown = shownHost(value);
  if (raw.startsWith("ssh://")) return parseSsh(raw, shown, ssh);
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
    hint: "Use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host",
  });
}

/** The port written in a `scheme://[user@]host:port[/…]` URL, if any. */
function explicitPort(raw: string): number | undefined {
  const authority = raw.replace(/^[a-z]+:\/\//i, "").split(/[/?#]/)[0];
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const match = /:(\d+)$/.exec(hostPort);
  return match ? Number(match[1]) : undefined;
}
