/**
 * From the flags of `berth serve --http` to the options of the HTTP server,
 * failing closed: a non-loopback address without authentication, two kinds
 * of authentication at once, or a malformed limit stop berth before it listens.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { parseDuration } from "../../guard/formats.ts";
import type { Authenticator } from "./auth.ts";
import { OAuthVerifier } from "./oauth.ts";
import {
  commaList,
  defaultAllowedHosts,
  defaultAllowedOrigins,
  HTTP_DEFAULTS,
  type HttpOptions,
  isLoopback,
  parseListen,
} from "./options.ts";
import { loadTokenFile } from "./tokens.ts";

/** The flags of `berth serve` that concern HTTP. */
export interface HttpFlags {
  http?: string;
  tokenFile?: string;
  oauthIssuer?: string;
  oauthAudience?: string;
  oauthJwks?: string;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  maxBody?: string;
  rateLimit?: string;
  maxConcurrent?: string;
  sessionIdle?: string;
  maxSessions?: string;
}

function count(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) {
    throw new BerthError("invalid_input", `${flag} '${value}' is not a whole number`, {
      hint: `Give ${flag} as a number, e.g. ${flag} ${fallback} (0 turns the limit off)`,
    });
  }
  return Number(value);
}

function duration(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (!ms) {
    throw new BerthError("invalid_input", `${flag} '${value}' is not a duration`, {
      hint: `Give ${flag} like 30m, 1h or 90s`,
    });
  }
  return ms;
}

async function authenticator(flags: HttpFlags, hostname: string): Promise<Authenticator> {
  const oauth = flags.oauthIssuer !== undefined || flags.oauthAudience !== undefined;
  if (oauth && flags.tokenFile) {
    throw new BerthError("invalid_input", "--token-file and --oauth-issuer exclude each other", {
      hint: "Choose static tokens (--token-file) or OAuth (--oauth-issuer and --oauth-audience)",
    });
  }
  if (flags.tokenFile) return { kind: "tokens", entries: await loadTokenFile(flags.tokenFile) };
  if (oauth) {
    if (!flags.oauthIssuer || !flags.oauthAudience) {
      throw new BerthError(
        "invalid_input",
        "OAuth needs both --oauth-issuer and --oauth-audience",
        {
          hint: "Give --oauth-audience as berth's public URL, e.g. https://berth.example.com/mcp",
        },
      );
    }
    const verifier = await OAuthVerifier.create({
      issuer: flags.oauthIssuer,
      audience: flags.oauthAudience,
      jwksUri: flags.oauthJwks,
    });
    return { kind: "oauth", verifier };
  }
  if (!isLoopback(hostname)) {
    throw new BerthError(
      "invalid_input",
      `Refusing to serve ${hostname} without authentication: anyone who reaches it would drive Docker`,
      {
        hint:
          "Add --token-file FILE (lines name:token) or --oauth-issuer URL --oauth-audience URL, " +
          "or listen on 127.0.0.1",
      },
    );
  }
  return { kind: "none" };
}

/** The HTTP server's options and authenticator from the flags. */
export async function httpSettings(
  flags: HttpFlags & { http: string },
): Promise<HttpOptions & { auth: Authenticator }> {
  const { hostname, port } = parseListen(flags.http);
  const allowedHosts = [...defaultAllowedHosts(hostname, port), ...commaList(flags.allowedHosts)];
  const origins = commaList(flags.allowedOrigins).map((o) => o.replace(/\/$/, ""));
  return {
    hostname,
    port,
    allowedHosts,
    allowedOrigins: [...defaultAllowedOrigins(allowedHosts), ...origins],
    maxBodyBytes: count(flags.maxBody, "--max-body", HTTP_DEFAULTS.maxBodyBytes) ||
      HTTP_DEFAULTS.maxBodyBytes,
    rateLimit: count(flags.rateLimit, "--rate-limit", HTTP_DEFAULTS.rateLimit),
    maxConcurrent: count(flags.maxConcurrent, "--max-concurrent", HTTP_DEFAULTS.maxConcurrent),
    sessionIdleMs: duration(flags.sessionIdle, "--session-idle", HTTP_DEFAULTS.sessionIdleMs),
    maxSessions: count(flags.maxSessions, "--max-sessions", HTTP_DEFAULTS.maxSessions) ||
      HTTP_DEFAULTS.maxSessions,
    drainMs: HTTP_DEFAULTS.drainMs,
    auth: await authenticator(flags, hostname),
  };
}
