/**
 * What pull, push, tag and build share: image references split the way the
 * engine's routes want them, registry credentials turned into the
 * `X-Registry-Auth` header (and kept out of every message), the policy's
 * image check, and the error types of registry failures.
 *
 * @module
 */

import { BerthError, type ErrorType, invalidInput, isBerthError } from "../../errors/mod.ts";
import type { Policy } from "../../policy/mod.ts";
import { IMAGE_REF } from "../../guard/formats.ts";
import { imageDenied } from "../../policy/enforce/mod.ts";

/** An image reference in parts: `name` keeps the registry host (`127.0.0.1:5000/team/app`). */
export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** True for an image ID (`sha256:…` or a bare hex prefix), which has no name to pull or push. */
export function isImageId(ref: string): boolean {
  return /^(?:sha256:)?[0-9a-f]{12,64}$/.test(ref) && !ref.includes("/");
}

/**
 * Splits `name[:tag][@digest]`. The tag is the part after the last ':' that
 * follows the last '/', so a registry port (`host:5000/app`) is never a tag.
 */
export function parseReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  }
  return { name: rest, digest };
}

/** Joins parts back into one reference. */
export function formatReference(ref: ImageReference): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/**
 * The reference a pull or push acts on: `image` plus an optional separate
 * `tag`, defaulting to `latest` (an empty tag would make the engine pull or
 * push every tag of the repository).
 */
export function namedReference(field: string, image: string, tag?: string): ImageReference {
  if (isImageId(image)) {
    throw invalidInput(field, "must be a repository name, not an image ID", "Pass name[:tag]");
  }
  const ref = parseReference(image);
  if (tag !== undefined) {
    if (ref.tag && ref.tag !== tag) {
      throw invalidInput(
        "tag",
        `conflicts with the tag in '${field}' (${ref.tag})`,
        "Give the tag once",
      );
    }
    if (ref.digest) throw invalidInput("tag", `cannot be combined with a digest in '${field}'`);
    ref.tag = tag;
  }
  if (!ref.tag && !ref.digest) ref.tag = "latest";
  if (!IMAGE_REF.test(formatReference(ref))) {
    throw invalidInput("tag", "must be letters, digits, '_', '.' or '-' (at most 128)");
  }
  return ref;
}

/** The registry host of a name, as the engine decides it (a first part with '.', ':' or localhost). */
export function registryHost(name: string): string {
  const slash = name.indexOf("/");
  const first = slash >= 0 ? name.slice(0, slash) : "";
  return /[.:]/.test(first) || first === "localhost" ? first : "docker.io";
}

/** Registry credentials as the tools take them. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
}

const AUTH_KEYS = ["username", "password", "serveraddress", "identitytoken"];

/**
 * Checks the `auth` parameter: only the known keys, each a string of sane
 * size. Messages name the key, never its value.
 */
export function registryAuth(value: unknown): RegistryAuth | undefined {
  if (value === undefined) return undefined;
  const auth: RegistryAuth = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!AUTH_KEYS.includes(key)) {
      throw invalidInput(`auth.${key}`, "is not known", `auth takes ${AUTH_KEYS.join(", ")}`);
    }
    if (typeof v !== "string" || v.length > 8192) {
      throw invalidInput(`auth.${key}`, "must be a string (at most 8192 characters)");
    }
    auth[key as keyof RegistryAuth] = v;
  }
  return auth;
}

/**
 * The `X-Registry-Auth` header: base64url (with padding, as the docker CLI
 * sends it) of the credentials' JSON; `{}` when there are none, which the
 * engine reads as anonymous.
 */
export function registryAuthHeader(auth: RegistryAuth | undefined, name: string): string {
  const payload: Record<string, string> = {};
  if (auth) {
    if (auth.username) payload.username = auth.username;
    if (auth.password) payload.password = auth.password;
    if (auth.identitytoken) payload.identitytoken = auth.identitytoken;
    payload.serveraddress = auth.serveraddress || registryHost(name);
  }
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}

/** The strings that must never reach a message: the password, token and the header itself. */
export function secretsOf(auth: RegistryAuth | undefined, header: string): string[] {
  const secrets = [auth?.password, auth?.identitytoken, header].filter((s): s is string =>
    typeof s === "string" && s.length >= 3
  );
  return secrets;
}

/** Replaces every secret in a text (engine messages may quote what they were sent). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***REDACTED***");
  return out;
}

/** A copy of an error with every secret removed from its message and context. */
export function scrubError(error: unknown, secrets: string[]): unknown {
  if (!isBerthError(error) || secrets.length === 0) return error;
  return new BerthError(error.type, scrub(error.message, secrets), {
    hint: error.hint,
    context: error.context ? scrub(error.context, secrets) : undefined,
    status: error.status,
  });
}

const NOT_FOUND =
  /manifest unknown|not found|does not exist|no such image|pull access denied|repository name not known/i;
const DENIED =
  /unauthorized|authentication required|no basic auth credentials|incorrect username or password|access.* denied|forbidden|denied:/i;

/** The error type of a registry failure message, or undefined when it is neither case. */
export function registryErrorType(message: string): ErrorType | undefined {
  if (NOT_FOUND.test(message)) return "image_not_found";
  if (DENIED.test(message)) return "permission_denied";
  return undefined;
}

/** Whether a call sent credentials: `undefined` when the caller cannot tell. */
export type CredentialsSent = boolean | undefined;

/** The engine's words when it sent no credentials at all. */
const NONE_SENT = /no basic auth credentials/i;

/**
 * The hint of a registry failure. A refusal says "pass auth" when no
 * credentials were sent and "check them" when some were: telling a caller
 * its credentials were refused when it sent none misleads.
 */
export function registryHint(
  type: ErrorType,
  message: string,
  sent: CredentialsSent,
): string | undefined {
  if (type === "image_not_found") {
    return "Check the reference (registry host, repository and tag) and that it was pushed";
  }
  if (type !== "permission_denied") return undefined;
  if (sent === false || NONE_SENT.test(message)) {
    return "The registry wants credentials and none were sent: pass auth " +
      "{username, password} for that registry";
  }
  if (sent) {
    return "The registry refused the credentials sent: check the username and password " +
      "given in auth, and give serveraddress when the registry is not the image's host";
  }
  return "The registry refused the call. Pass auth {username, password} valid for that registry";
}

/**
 * The engine answers registry failures of a pull with HTTP 500 and the
 * registry's words: re-type those (unauthorized → DKR-005, unknown → DKR-003)
 * and give a missing image the registry's hint rather than the local one.
 */
export function retypeRegistryError(error: unknown, sent?: CredentialsSent): unknown {
  if (!isBerthError(error)) return error;
  const retype = error.type === "engine_error" || error.type === "image_not_found";
  const type = retype ? registryErrorType(error.message) : undefined;
  if (!type) return error;
  return new BerthError(type, error.message, {
    hint: registryHint(type, error.message, sent),
    context: error.context,
    status: error.status,
  });
}

/** The error for a failure reported inside a progress stream (`error`/`errorDetail`). */
export function streamError(
  message: string,
  context: string,
  fallback: ErrorType = "engine_error",
  sent?: CredentialsSent,
): BerthError {
  const type = registryErrorType(message) ?? fallback;
  const text = message.charAt(0).toUpperCase() + message.slice(1).replace(/\.$/, "");
  return new BerthError(type, text, { context, hint: registryHint(type, message, sent) });
}

/** Throws DKR-007 when the policy's image lists refuse a reference. */
export function assertImageAllowed(policy: Policy, reference: string, field: string): void {
  if (!policy.imageAllowed(reference)) {
    throw imageDenied(reference, policy, ` (parameter '${field}')`);
  }
}
