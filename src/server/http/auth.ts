/**
 * Who is calling over HTTP: nobody to check (loopback only), a static bearer
 * token, or an OAuth access token. A refusal is a 401 (or 403 for a token
 * without a docker scope) with the `WWW-Authenticate` challenge of RFC 6750;
 * with OAuth it names the Protected Resource Metadata.
 *
 * @module
 */

import type { Caller } from "../../interpreter/mod.ts";
import { type OAuthVerifier, TokenRefused } from "./oauth.ts";
import { matchToken, tokenCaller, type TokenEntry } from "./tokens.ts";

/** How requests authenticate. */
export type Authenticator =
  | { kind: "none" }
  | { kind: "tokens"; entries: readonly TokenEntry[] }
  | { kind: "oauth"; verifier: OAuthVerifier };

/** The caller of a loopback server without authentication: every level the server has. */
export const ANONYMOUS: Caller = { name: "anonymous", allowsLevel: () => true };

/** The bearer token of a request, if it has one. */
function bearerOf(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+([^\s]+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function challenge(auth: Authenticator, error?: string, description?: string): string {
  const parts = [`realm="berth"`];
  if (auth.kind === "oauth") {
    parts.push(`resource_metadata="${auth.verifier.metadataUrl}"`);
    parts.push(`scope="docker:read"`);
  }
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, "")}"`);
  return `Bearer ${parts.join(", ")}`;
}

function refuse(auth: Authenticator, status: number, error?: string, description?: string) {
  return new Response(JSON.stringify({ error: error ?? "unauthorized" }), {
    status,
    headers: {
      "content-type": "application/json",
      "www-authenticate": challenge(auth, error, description),
    },
  });
}

/** The caller of a request, or the response that refuses it. */
export async function authenticate(
  auth: Authenticator,
  request: Request,
): Promise<Caller | Response> {
  if (auth.kind === "none") return ANONYMOUS;
  const token = bearerOf(request);
  // No token: the bare challenge (RFC 6750 §3.1 has no error code for it).
  if (token === undefined) return refuse(auth, 401);
  if (auth.kind === "tokens") {
    const entry = await matchToken(auth.entries, token);
    return entry ? tokenCaller(entry) : refuse(auth, 401, "invalid_token", "Unknown token");
  }
  try {
    return await auth.verifier.verify(token);
  } catch (error) {
    if (!(error instanceof TokenRefused)) throw error;
    const status = error.error === "insufficient_scope" ? 403 : 401;
    // The reason stays generic: jose's words would help someone forging tokens.
    const said = status === 403 ? error.message : "The access token is not valid for berth";
    return refuse(auth, status, error.error, said);
  }
}
