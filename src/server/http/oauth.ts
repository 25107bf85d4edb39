/**
 * berth as an OAuth 2.1 resource server: JWT access tokens verified against
 * the issuer's JWKS with `jose` (signature, issuer, audience bound to berth's
 * resource URL, expiry and not-before), scopes mapped to levels, and the
 * Protected Resource Metadata (RFC 9728) that a 401 points clients to.
 *
 * @module
 */

import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { BerthError } from "../../errors/mod.ts";
import type { Caller } from "../../interpreter/mod.ts";
import { type Level, LEVELS } from "../../manifest/types.ts";

/** The scope that grants every level. */
export const ALL_SCOPE = "docker:all";

/** The scopes berth understands: one per level, and docker:all. */
export const SCOPES = [...LEVELS.map((level) => `docker:${level}`), ALL_SCOPE];

/** Asymmetric algorithms only: `none` and shared-secret HMAC are never accepted. */
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
];

/** The levels granted by a token's scopes. */
export function levelsOfScopes(scopes: readonly string[]): Level[] {
  if (scopes.includes(ALL_SCOPE)) return [...LEVELS];
  return LEVELS.filter((level) => scopes.includes(`docker:${level}`));
}

/** The scopes of a JWT: `scope` (space separated) or `scp` (a list). */
export function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === "string") return payload.scope.split(" ").filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s) => typeof s === "string");
  return [];
}

/** Why a token was refused, for the WWW-Authenticate header. */
export class TokenRefused extends Error {
  constructor(readonly error: "invalid_token" | "insufficient_scope", message: string) {
    super(message);
  }
}

/** The OAuth settings. */
export interface OAuthOptions {
  issuer: string;
  /** berth's resource URL, e.g. https://berth.example.com/mcp: the audience tokens must carry. */
  audience: string;
  /** The JWKS URL; discovered from the issuer's metadata when absent. */
  jwksUri?: string;
}

/** Finds the issuer's jwks_uri in its RFC 8414 or OpenID metadata. */
async function discoverJwks(issuer: string): Promise<string> {
  const base = issuer.replace(/\/$/, "");
  for (
    const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]
  ) {
    try {
      const response = await fetch(`${base}${path}`, { redirect: "error" });
      if (!response.ok) {
        await response.body?.cancel();
        continue;
      }
      const metadata = await response.json();
      if (typeof metadata.jwks_uri === "string") return metadata.jwks_uri;
    } catch {
      // try the next document
    }
  }
  throw new BerthError("invalid_input", `The issuer ${issuer} publishes no jwks_uri`, {
    hint: "Check --oauth-issuer (its /.well-known/oauth-authorization-server must answer), " +
      "or give --oauth-jwks URL",
  });
}

/** Verifies access tokens for one issuer and audience. */
export class OAuthVerifier {
  readonly options: OAuthOptions;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  private constructor(options: OAuthOptions, jwksUri: string) {
    this.options = options;
    this.#jwks = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 30_000 });
  }

  /** Builds the verifier; discovers the JWKS at start so a wrong issuer stops berth early. */
  static async create(options: OAuthOptions): Promise<OAuthVerifier> {
    for (
      const [flag, value] of [["--oauth-issuer", options.issuer], [
        "--oauth-audience",
        options.audience,
      ]]
    ) {
      if (!URL.canParse(value)) {
        throw new BerthError("invalid_input", `${flag} '${value}' is not a URL`, {
          hint: `Give ${flag} as an absolute https URL`,
        });
      }
    }
    return new OAuthVerifier(options, options.jwksUri ?? await discoverJwks(options.issuer));
  }

  /** The caller of a valid token with at least one docker scope; throws TokenRefused otherwise. */
  async verify(token: string): Promise<Caller> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ["exp"],
        clockTolerance: 5,
      }));
    } catch (error) {
      throw new TokenRefused("invalid_token", (error as Error).message);
    }
    const levels = levelsOfScopes(scopesOf(payload));
    if (!levels.length) {
      throw new TokenRefused("insufficient_scope", "The token carries no docker:* scope");
    }
    // The caller's name binds sessions and signs the audit: a token naming nobody
    // would share one name with every other such token.
    const who = payload.sub ?? payload.client_id;
    if (typeof who !== "string" || !who) {
      throw new TokenRefused("invalid_token", "The token names no subject (sub or client_id)");
    }
    const name = who;
    return { name, allowsLevel: (level) => levels.includes(level) };
  }

  /** The URL of the Protected Resource Metadata for the audience (RFC 9728 §3.1). */
  get metadataUrl(): string {
    const url = new URL(this.options.audience);
    const path = url.pathname === "/" ? "" : url.pathname;
    return `${url.origin}/.well-known/oauth-protected-resource${path}`;
  }

  /** The Protected Resource Metadata document. */
  metadata(): Record<string, unknown> {
    return {
      resource: this.options.audience,
      authorization_servers: [this.options.issuer],
      scopes_supported: SCOPES,
      bearer_methods_supported: ["header"],
      resource_name: "berth",
    };
  }
}
