/**
 * The secret values one call has seen, so that whatever leaves berth during
 * and after it (result, progress, model requests, audit record, prompt text)
 * is scrubbed of them where they appear without their key: a log line
 * `SECRET_KEY is abc123xyz`, a build step that prints `$NPM_TOKEN`.
 *
 * The policy engine of a call feeds it from every request and answer that
 * passes, whoever sends it, so no handler has to remember to.
 *
 * @module
 */

import type { AnyOperation } from "../../engine/ops/mod.ts";
import { field } from "../create_guard.ts";
import { credentialValues, secretValues } from "../redact.ts";
import { jsonBody, queryString } from "./guards.ts";

/** JSON text as a value; undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Secret values of one call: env values of secret keys, secret build args, registry credentials. */
export class CallSecrets {
  readonly #values = new Set<string>();

  /** What was seen so far. */
  values(): string[] {
    return [...this.#values];
  }

  /** The secret values of an environment (`["K=v"]` or `{K: v}`). */
  addEnv(env: unknown): void {
    for (const value of secretValues(env)) this.#values.add(value);
  }

  /** The environment of a container inspect (`Config.Env`). */
  addInspect(data: unknown): void {
    this.addEnv((data as { Config?: { Env?: unknown } } | undefined)?.Config?.Env);
  }

  /** Values learned elsewhere (a {@link ContainerSecretCache}). */
  addValues(values: readonly string[]): void {
    for (const value of values) this.#values.add(value);
  }

  /**
   * What an operation carries to the engine: the env of create and exec
   * bodies, build args (`image.build`'s `buildargs`, compose builds too), and
   * registry credentials (`X-Registry-Auth`, `X-Registry-Config`) with the
   * header itself.
   */
  addRequest(op: AnyOperation): void {
    const body = jsonBody(op);
    if (body) this.addEnv(field(body, "Env"));
    // A swarm secret's value (base64 in the body): scrubbed wherever it shows up, whatever its length.
    const data = body && op.name === "secret.create" ? field(body, "Data") : undefined;
    if (typeof data === "string" && data) {
      this.#values.add(data);
      const text = decodeBase64(data);
      if (text) this.#values.add(text);
    }
    const buildargs = op.name === "image.build" ? queryString(op, "buildargs") : undefined;
    if (buildargs) this.addEnv(parseJson(buildargs));
    for (const [name, value] of Object.entries(op.headers ?? {})) {
      if (!/^x-registry-(auth|config)$/i.test(name) || !value) continue;
      this.#values.add(value);
      for (const secret of credentialValues(parseJson(decodeBase64(value)))) {
        this.#values.add(secret);
      }
    }
  }
}

/** Containers whose secret values are kept, most recently used last. */
const CONTAINER_CACHE_SIZE = 256;

/**
 * The secret env values of containers, by full ID, for every call of the
 * process: a container's environment never changes after it is created, so a
 * value learned once holds for its whole life. Bounded: the least recently
 * used container is forgotten first (and learned again by one inspect).
 */
export class ContainerSecretCache {
  readonly #byId = new Map<string, string[]>();

  /** The values of a container, when known (marks it recently used). */
  get(id: string): string[] | undefined {
    const values = this.#byId.get(id);
    if (values) {
      this.#byId.delete(id);
      this.#byId.set(id, values);
    }
    return values;
  }

  /** Remembers a container's values from its inspect; answers them. */
  learn(inspect: unknown): string[] {
    const data = inspect as { Id?: unknown; Config?: { Env?: unknown } } | undefined;
    const values = secretValues(data?.Config?.Env);
    if (typeof data?.Id !== "string") return values;
    this.#byId.delete(data.Id);
    this.#byId.set(data.Id, values);
    if (this.#byId.size > CONTAINER_CACHE_SIZE) this.#byId.delete(this.#byId.keys().next().value!);
    return values;
  }

  /** Containers known (for tests of the bound). */
  get size(): number {
    return this.#byId.size;
  }
}

/** Base64 or base64url (registry auth headers) as text; empty when it is neither. */
function decodeBase64(value: string): string {
  try {
    const binary = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
}
