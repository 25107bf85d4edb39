/**
 * Docker CLI contexts: the store `docker context create` writes
 * (`$DOCKER_CONFIG/contexts`, default `~/.docker/contexts`), read the way the
 * CLI reads it. `meta/<id>/meta.json` holds the context's name and its docker
 * endpoint; `tls/<id>/docker/` its `ca.pem`, `cert.pem` and `key.pem`.
 *
 * The store is found by scanning `meta/` for the name rather than hashing it,
 * so loading the config stays synchronous.
 *
 * @module
 */

import { DEFAULT_DOCKER_HOST, type TlsFiles } from "../engine/docker_host.ts";
import { allowReadHint, BerthError, setupHint } from "../errors/mod.ts";

/** Reads an environment variable (injectable for tests). */
type Env = (name: string) => string | undefined;

/** A context as berth uses it: where its engine is and the TLS files it needs. */
export interface DockerContext {
  name: string;
  host: string;
  tls?: TlsFiles;
  /** `SkipTLSVerify` of the context: berth refuses to honour it (see resolveContext). */
  skipTlsVerify: boolean;
}

/** The context store directory: `$DOCKER_CONFIG/contexts`, else `~/.docker/contexts`. */
export function contextStore(env: Env): string {
  const config = env("DOCKER_CONFIG") ?? `${env("HOME") ?? "/root"}/.docker`;
  return `${config.replace(/\/$/, "")}/contexts`;
}

/** The context the environment selects (`DOCKER_CONTEXT`), if any. */
export function contextFromEnv(env: Env): string | undefined {
  const name = env("DOCKER_CONTEXT")?.trim();
  return name ? name : undefined;
}

/**
 * The context `docker context use` chose (`currentContext` of
 * `$DOCKER_CONFIG/config.json`), when berth may read that file; the docker
 * CLI falls back to it when neither DOCKER_HOST nor DOCKER_CONTEXT is set.
 * A file the sandbox hides (a home directory, as usual) is passed over in
 * silence: berth then uses the default socket, as it always has.
 */
export function currentContext(env: Env, canRead: (path: string) => boolean): string | undefined {
  const path = `${contextStore(env).replace(/\/contexts$/, "")}/config.json`;
  if (!canRead(path)) return undefined;
  try {
    const name = JSON.parse(Deno.readTextFileSync(path))?.currentContext;
    return typeof name === "string" && name.trim() && name !== "default" ? name.trim() : undefined;
  } catch {
    return undefined; // absent or not JSON: the CLI would use the default context too
  }
}

function storeError(store: string, error: unknown, name: string): BerthError {
  if (error instanceof Deno.errors.NotCapable) {
    return new BerthError(
      "permission_denied",
      `Deno's sandbox cannot read the docker context store ${store} (context '${name}')`,
      {
        context: (error as Error).message,
        // setup --context grants the store and the context's socket at once.
        hint: `${setupHint(`--context ${name}`)}; or ${allowReadHint(store)}`,
        cause: error,
      },
    );
  }
  return new BerthError("invalid_input", `Docker context '${name}' was not found in ${store}`, {
    context: (error as Error)?.message,
    hint: "List the contexts with 'docker context ls'; set DOCKER_CONFIG when the store is " +
      "not under ~/.docker",
    cause: error,
  });
}

interface Meta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** The meta.json of the named context and its store id, by scanning the store. */
function findMeta(store: string, name: string): { id: string; meta: Meta } {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`${store}/meta`)];
  } catch (error) {
    throw storeError(store, error, name);
  }
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    let meta: Meta;
    try {
      meta = JSON.parse(Deno.readTextFileSync(`${store}/meta/${entry.name}/meta.json`));
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw storeError(store, error, name);
      continue; // not a context directory
    }
    if (meta?.Name === name) return { id: entry.name, meta };
  }
  throw storeError(store, new Deno.errors.NotFound(`no meta.json names '${name}'`), name);
}

/** The TLS files the context keeps, when it keeps any. */
function contextTls(store: string, id: string): TlsFiles | undefined {
  const dir = `${store}/tls/${id}/docker`;
  const tls: TlsFiles = {};
  for (const [key, file] of [["ca", "ca.pem"], ["cert", "cert.pem"], ["key", "key.pem"]]) {
    try {
      Deno.statSync(`${dir}/${file}`);
      tls[key as keyof TlsFiles] = `${dir}/${file}`;
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw storeError(store, error, id);
    }
  }
  return Object.keys(tls).length ? tls : undefined;
}

/**
 * Resolves a context name to its engine. `default` is the CLI's built-in
 * context: the default socket, as `docker context use default` means.
 */
export function resolveContext(name: string, env: Env): DockerContext {
  if (name === "default") return { name, host: DEFAULT_DOCKER_HOST, skipTlsVerify: false };
  const store = contextStore(env);
  const { id, meta } = findMeta(store, name);
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint?.Host) {
    throw new BerthError("invalid_input", `Docker context '${name}' has no docker endpoint`, {
      hint: `Give it one: docker context update ${name} --docker host=unix:///var/run/docker.sock`,
    });
  }
  if (endpoint.SkipTLSVerify) {
    // berth never talks to an engine whose certificate it cannot check.
    throw new BerthError(
      "invalid_input",
      `Docker context '${name}' sets skip-tls-verify, which berth does not honour`,
      {
        hint: `Give the context the engine's CA: docker context update ${name} ` +
          `--docker "host=${endpoint.Host},ca=/path/ca.pem,cert=/path/cert.pem,key=/path/key.pem"`,
      },
    );
  }
  return { name, host: endpoint.Host, tls: contextTls(store, id), skipTlsVerify: false };
}
