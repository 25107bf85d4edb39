/**
 * The Docker Engine API client: one object per engine, fetch over a unix
 * socket or TCP/TLS, API version negotiated once.
 *
 * @module
 */

import { parseEngineJson } from "./json.ts";
import { BerthError } from "../errors/mod.ts";
import { raceAbort } from "../guard/deadline.ts";
import { Limiter } from "../guard/limiter.ts";
import { retryIdempotent } from "../guard/retry.ts";
import {
  baseUrl,
  createHttpClient,
  describeEndpoint,
  type EngineEndpoint,
  sandboxError,
} from "./docker_host.ts";
import { engineError, type StatusOverrides, unreachable } from "./errors.ts";
import { SshTunnel } from "./ssh.ts";
import { StatsStreams, type StatsStreamsOptions } from "./stats_streams.ts";
import { readCapped } from "./streams.ts";
import {
  type AnyOperation,
  containers,
  type QueryValue,
  routeOf,
  system,
  unversioned,
} from "./ops/mod.ts";

/** The newest API version berth speaks; negotiation only goes down from here. */
export const MAX_API_VERSION = "1.47";
/** The oldest API version berth accepts (Docker 20.10). */
export const MIN_API_VERSION = "1.41";
/** Engine error bodies are read up to this size, as moby's client does. */
const MAX_ERROR_BODY = 1024 * 1024;
/** JSON bodies larger than this are refused rather than parsed. */
export const MAX_JSON_BODY = 32 * 1024 * 1024;
/**
 * Deadline of the shared version negotiation: it belongs to no single call,
 * so one caller's cancel cannot fail the others, and a hung `/_ping` cannot
 * keep it pending for ever.
 */
const NEGOTIATION_TIMEOUT_MS = 10_000;

export type { QueryValue };

/**
 * One request as the transport sends it, rendered from an operation
 * ({@link requestOf}). `path` is relative to the API version prefix.
 */
export interface EngineRequest {
  method: string;
  path: string;
  query?: Record<string, QueryValue>;
  /** A JSON value, raw bytes, or a stream (tar archives). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Route-specific renaming of statuses (404 → container_not_found …). */
  errors?: StatusOverrides;
  /** False for `/_ping` and other unversioned routes. */
  versioned?: boolean;
  /** Non-2xx statuses that mean success for this route (304 "already started"). */
  accept?: readonly number[];
}

/** The request an operation is sent as: its route rendered from its (resolved) target. */
export function requestOf(x: AnyOperation): EngineRequest {
  return {
    method: x.method,
    path: routeOf(x),
    query: x.query as Record<string, QueryValue> | undefined,
    body: x.body,
    headers: x.headers as Record<string, string> | undefined,
    signal: x.signal,
    errors: x.errors,
    accept: x.accept,
    ...(unversioned(x) ? { versioned: false } : {}),
  };
}

/** Options for {@link EngineClient}. */
export interface EngineClientOptions {
  endpoint: EngineEndpoint;
  /** Pins the API version (DOCKER_API_VERSION); skips negotiation. */
  apiVersion?: string;
  /** Bounds of the kept-open stats streams (src/engine/stats_streams.ts). */
  statsStreams?: StatsStreamsOptions;
  /** Told how long each request took until its answer's headers (for /metrics). */
  onResponse?: (ms: number) => void;
}

/** What {@link EngineClient.statsSample} is asked. */
export interface StatsSampleRequest {
  /** The container's full ID (streams are kept by it). */
  id: string;
  signal?: AbortSignal;
}

/** Compares dotted versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The Docker Engine API over Deno's fetch. */
export class EngineClient {
  readonly endpoint: EngineEndpoint;
  #client?: Deno.HttpClient;
  #base: string;
  /** An ssh engine's loopback tunnel, listening from the first request on. */
  readonly #tunnel?: SshTunnel;
  #pinned?: string;
  #negotiated?: Promise<string>;
  readonly #limiter = new Limiter();
  #streams?: StatsStreams;
  readonly #streamOptions?: StatsStreamsOptions;
  readonly #onResponse?: (ms: number) => void;

  constructor(options: EngineClientOptions) {
    this.endpoint = options.endpoint;
    this.#base = baseUrl(options.endpoint);
    this.#pinned = options.apiVersion;
    if (options.endpoint.kind === "ssh") {
      this.#tunnel = new SshTunnel(options.endpoint, describeEndpoint(options.endpoint));
    }
    this.#streamOptions = options.statsStreams;
    this.#onResponse = options.onResponse;
  }

  /** Where the engine is, for messages. */
  get description(): string {
    return describeEndpoint(this.endpoint);
  }

  /** The API version in use, negotiated from `/_ping` on first need. */
  apiVersion(signal?: AbortSignal): Promise<string> {
    if (this.#pinned) return Promise.resolve(this.#pinned);
    this.#negotiated ??= this.#negotiate().catch((error) => {
      this.#negotiated = undefined; // a daemon that was down may come back
      throw error;
    });
    // Each caller waits on the shared negotiation only as long as its own deadline.
    return signal ? raceAbort(this.#negotiated, signal) : this.#negotiated;
  }

  async #negotiate(): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(
        new BerthError(
          "timeout",
          `The engine did not answer /_ping within ${NEGOTIATION_TIMEOUT_MS / 1000}s`,
          { hint: "Check that the engine is running and answering (docker version)" },
        ),
      );
    }, NEGOTIATION_TIMEOUT_MS);
    let response: Response;
    try {
      response = await this.#requestOnce(requestOf(system.ping({ signal: controller.signal })));
      await response.body?.cancel();
    } finally {
      clearTimeout(timer);
    }
    const server = response.headers.get("api-version") ?? MIN_API_VERSION;
    if (compareVersions(server, MIN_API_VERSION) < 0) {
      throw new BerthError(
        "engine_error",
        `The engine speaks API ${server}, older than ${MIN_API_VERSION}`,
        {
          hint: "Upgrade Docker to 20.10 or newer",
        },
      );
    }
    return compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
  }

  /** Answers true when `/_ping` says OK. */
  async ping(signal?: AbortSignal): Promise<boolean> {
    const response = await this.request(system.ping({ signal }));
    return (await response.text()).trim() === "OK";
  }

  /**
   * Sends a request and returns the response when it succeeded (2xx). Any
   * other status becomes a {@link BerthError}; redirects are never followed.
   * A GET or HEAD that could not reach the engine is retried twice with
   * backoff within its deadline; other methods are never retried.
   */
  request(op: AnyOperation): Promise<Response> {
    const req = requestOf(op);
    return retryIdempotent(req.method, () => this.#requestOnce(req), req.signal);
  }

  async #requestOnce(req: EngineRequest): Promise<Response> {
    const url = await this.#url(req);
    const init: RequestInit & { client?: Deno.HttpClient } = {
      method: req.method,
      headers: { ...req.headers, ...this.#tunnel?.headers },
      redirect: "manual",
      signal: req.signal,
      client: this.#httpClient(),
    };
    if (req.body !== undefined) {
      if (req.body instanceof ReadableStream || req.body instanceof Uint8Array) {
        init.body = req.body as BodyInit;
      } else {
        init.body = JSON.stringify(req.body);
        (init.headers as Record<string, string>)["content-type"] = "application/json";
      }
    }
    let response: Response;
    try {
      // At most MAX_IN_FLIGHT requests wait on the engine at once (src/guard/limiter.ts).
      const release = await this.#limiter.acquire(req.signal);
      const sent = performance.now();
      try {
        response = await fetch(url, init);
        this.#onResponse?.(performance.now() - sent);
      } finally {
        release();
      }
    } catch (error) {
      throw this.#transportError(error, req);
    }
    if (response.status >= 200 && response.status < 300) return response;
    if (req.accept?.includes(response.status)) return response;
    const { text } = await this.#read(response, MAX_ERROR_BODY, req);
    if (response.status >= 300 && response.status < 400) {
      throw new BerthError(
        "engine_error",
        `The engine answered with a redirect (${response.status})`,
        {
          context: `${req.method} ${req.path}`,
          hint: "Berth never follows redirects; check the route in the manifest",
        },
      );
    }
    throw engineError(response.status, text, `${req.method} ${req.path}`, req.errors);
  }

  /**
   * Sends a request and parses its JSON body (capped). A GET whose body broke
   * off mid-way is sent again like one that could not connect.
   */
  json<T = unknown>(op: AnyOperation, maxBytes = MAX_JSON_BODY): Promise<T> {
    const req = requestOf(op);
    return retryIdempotent(req.method, async () => {
      const response = await this.#requestOnce(req);
      const { text, truncated } = await this.#read(response, maxBytes, req);
      if (truncated) {
        throw new BerthError("engine_error", `The engine's answer exceeds ${maxBytes} bytes`, {
          context: `${req.method} ${req.path}`,
          hint: "Narrow the request with filters or a limit",
        });
      }
      if (!text.trim()) return undefined as T;
      return parseEngineJson<T>(text, `${req.method} ${req.path}`);
    }, req.signal);
  }

  /** Sends a request and reads its body as text, keeping at most `maxBytes`. */
  text(op: AnyOperation, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
    const req = requestOf(op);
    return retryIdempotent(req.method, async () => {
      const response = await this.#requestOnce(req);
      const { text, truncated } = await this.#read(response, maxBytes, req);
      return { text, truncated };
    }, req.signal);
  }

  /** Reads a capped body; a connection that breaks (or a deadline) while reading is a DKR error. */
  async #read(response: Response, maxBytes: number, req: EngineRequest) {
    try {
      return await readCapped(response.body, maxBytes);
    } catch (error) {
      throw this.#transportError(error, req);
    }
  }

  /**
   * The latest stats frame of a running container, its CPU counters a pair
   * one engine tick apart, from a stream kept open while the container is
   * watched (src/engine/stats_streams.ts): a first look waits for the pair,
   * a repeated one answers at once. Undefined when the container is not
   * running (any more); a 404 is `container_not_found`.
   */
  statsSample(req: StatsSampleRequest): Promise<unknown | undefined> {
    this.#streams ??= new StatsStreams(
      (id, signal) =>
        this.request(
          containers.stats(id, { stream: true }, {
            signal,
            errors: { 404: "container_not_found" },
          }),
        ),
      this.#streamOptions,
    );
    return this.#streams.latest(req.id, req.signal);
  }

  /**
   * True when every operation sent through this client is checked by the
   * policy, its target resolved and judged, before it leaves (the policy
   * engine of src/policy/enforce/ says so; a plain client does not).
   */
  get checksTargets(): boolean {
    return false;
  }

  /** Stats streams open now. */
  get openStatsStreams(): number {
    return this.#streams?.size ?? 0;
  }

  /** Whether a container's stats stream is open now. */
  watchesStats(id: string): boolean {
    return this.#streams?.has(id) ?? false;
  }

  /** Closes a container's stats stream, if one is open (the container stopped). */
  forgetStats(id: string): void {
    this.#streams?.forget(id);
  }

  /** Closes the stats streams and releases the connection pool. */
  close(): void {
    this.#streams?.close();
    this.#client?.close();
    this.#client = undefined;
    this.#tunnel?.close();
  }

  #httpClient(): Deno.HttpClient {
    this.#client ??= createHttpClient(this.endpoint);
    return this.#client;
  }

  async #url(req: EngineRequest): Promise<string> {
    if (!req.path.startsWith("/")) throw new Error(`Engine path must start with '/': ${req.path}`);
    const prefix = req.versioned === false ? "" : `/v${await this.apiVersion(req.signal)}`;
    const expected = prefix + req.path;
    const url = new URL((this.#tunnel?.base() ?? this.#base) + expected);
    // fetch normalises `..`, `%2e` and strips tabs/newlines: if what is sent differs
    // from what was checked, refuse (docs/security.md rule 1).
    if (url.pathname !== expected || url.search || url.hash) {
      throw new BerthError("invalid_input", "A path parameter would change the engine route", {
        context: req.path,
        hint: "Names and IDs may only contain letters, digits, '_', '.' and '-'",
      });
    }
    // Built apart and set once: each change through url.searchParams re-parses the whole URL.
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
      else params.append(key, String(value));
    }
    const search = params.toString();
    if (search) url.search = search;
    return url.toString();
  }

  #transportError(error: unknown, req: EngineRequest): BerthError {
    if (error instanceof BerthError) return error;
    const reason = req.signal?.aborted ? req.signal.reason : undefined;
    if (reason instanceof BerthError) return reason;
    if (req.signal?.aborted) {
      return new BerthError("timeout", "The call was cancelled before the engine answered", {
        context: `${req.method} ${req.path}`,
        hint: "Call again when ready",
        cause: error,
      });
    }
    if (error instanceof Deno.errors.NotCapable) return sandboxError(error, this.endpoint);
    return unreachable(error, this.description);
  }
}
