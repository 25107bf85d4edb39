/**
 * The policy engine: an {@link EngineClient} that holds the policy at the one
 * place every engine request passes, whoever sends it (route tools, handlers,
 * prompts, resources). Checks in handlers stay, as a first line; this is the
 * line that cannot be forgotten.
 *
 * - Container routes (`/containers/{ref}/…`, a network connect's `Container`,
 *   `container:` namespace modes, `VolumesFrom`): the reference is resolved
 *   (inspect), decided on its canonical name and replaced by the full ID;
 *   a hidden container answers exactly like a missing one (DKR-002).
 * - Lists (`/containers/json`, `/networks`, `/system/df`, `/events`): hidden
 *   containers are removed (and, from disk usage, what they add to counts).
 * - Create bodies, exec bodies, volume driver options: the guards.
 * - Images used by create, pull, build, tag, push and remove: the image lists.
 * - Daemon-side fetches (`fromSrc`, `build?remote=`): refused.
 * - A call of a read-level tool may only read: any method but GET or HEAD is
 *   refused (DKR-007), bypass or not, whatever its manifest's route says.
 *
 * Without name lists nothing is resolved, so a call stays one request.
 *
 * @module
 */

import { EngineClient, type EngineRequest, type StatsSampleRequest } from "../engine/client.ts";
import type { Policy } from "../policy/mod.ts";
import { BerthError } from "../errors/mod.ts";
import { READ_METHODS } from "../manifest/types.ts";
import { field } from "../policy/create_guard.ts";
import { isOwnExecBody } from "../policy/own_exec.ts";
import { volumeOptionPaths } from "../policy/volume_options.ts";
import { CallSecrets, ContainerSecretCache } from "./call_secrets.ts";
import {
  checkRealHostPaths,
  denied,
  guardCreate,
  guardImages,
  guardNetworkMember,
  jsonBody,
  nameRefused,
  queryString,
  type RouteGuardContext,
  type VolumeInspect,
} from "./policy_routes.ts";
import { guardSwarm, isSwarmRoute } from "./policy_swarm.ts";
import {
  filterContainerList,
  filterDiskUsage,
  filterEventStream,
  filterNetworks,
  primaryName,
} from "./list_filters.ts";
import {
  type ContainerResolver,
  imageDenied,
  imageUsable,
  type Resolution,
  resolveVisible,
} from "./resolve.ts";

/** What a guarded request becomes. */
interface Guarded {
  req: EngineRequest;
  /** Rewrites the parsed answer (lists). */
  filter?: (data: unknown) => unknown;
  /** Filters a streamed answer (events). */
  stream?: (body: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
  /** An answer already in hand (the resolving inspect). */
  body?: string;
}

/** The refusal of a request that would change the engine during a read-level call. */
function writeByReadTool(req: EngineRequest): BerthError {
  return denied(
    `A read-level tool may not send ${req.method.toUpperCase()} ${req.path}: it would change the engine`,
    "Declare the tool's permission as the level that fits its route (lifecycle, create, …), " +
      "or use a built-in tool of that level",
  );
}

const CONTAINER_ROUTE = /^\/containers\/([^/]+)(\/.*)?$/;

/**
 * Container routes whose answer may quote the container's environment without
 * its keys (a process's argv, a log line, a file): before one is sent, the
 * call learns the container's secret values, lists or not.
 */
const OUTPUT_ROUTES = /^\/(top|logs|attach|archive|export)$/;
/** A full container ID, the only key of the process-wide secret cache. */
const FULL_ID = /^[0-9a-f]{64}$/;

/** The engine's own routes under /containers that name no container (a container may be called "json"). */
function containerCollectionRoute(method: string, segment: string, suffix?: string): boolean {
  if (suffix !== undefined) return false;
  return (method === "GET" && segment === "json") ||
    (method === "POST" && (segment === "create" || segment === "prune"));
}

/** Decodes a path segment; a malformed one is a bad reference, not a crash. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BerthError("invalid_input", "A path parameter is not validly encoded", {
      context: segment,
      hint: "Names and IDs may only contain letters, digits, '_', '.' and '-'",
    });
  }
}

export class PolicyEngine extends EngineClient implements ContainerResolver {
  readonly #base: EngineClient;
  readonly #policy: Policy;
  readonly #cache?: Map<string, Resolution>;
  /** Only a call's own engine keeps what it saw. */
  readonly #secrets?: CallSecrets;
  /** The call is of a read-level tool: only GET and HEAD go out. */
  readonly #readOnly: boolean;
  /** Secret values of containers by ID, shared by every call of this engine. */
  readonly #known: ContainerSecretCache;

  /**
   * `cache`: remember resolutions (one call's scope only, never process-wide);
   * `readOnly`: refuse every request that is not a GET or HEAD.
   */
  constructor(
    base: EngineClient,
    policy: Policy,
    cache = false,
    readOnly = false,
    known = new ContainerSecretCache(),
  ) {
    super({ endpoint: base.endpoint });
    this.#base = base;
    this.#policy = policy;
    this.#readOnly = readOnly;
    this.#known = known;
    if (cache) {
      this.#cache = new Map();
      this.#secrets = new CallSecrets();
    }
  }

  /**
   * A view for one call: same engine and policy, its own resolution cache;
   * `readOnly` for a call of a read-level tool.
   */
  scoped(options: { readOnly?: boolean } = {}): PolicyEngine {
    return new PolicyEngine(
      this.#base,
      this.#policy,
      true,
      options.readOnly ?? false,
      this.#known,
    );
  }

  /**
   * Secret values seen during this call (see call_secrets.ts): env values of
   * secret keys (container inspects, create and exec bodies), secret build
   * args, registry credentials. Kept whatever the policy, bypass included.
   */
  secretValues(): string[] {
    return this.#secrets?.values() ?? [];
  }

  /** Notes the env of a container inspect the engine answers. */
  #rememberAnswer(g: Guarded): Guarded {
    const secrets = this.#secrets;
    const route = CONTAINER_ROUTE.exec(g.req.path);
    if (!secrets || g.req.method !== "GET" || route?.[2] !== "/json") return g;
    // An answer in hand is the resolution's inspect: resolveContainer noted it already.
    if (g.body !== undefined) return g;
    const filter = g.filter;
    const known = this.#known;
    const note = (data: unknown) => secrets.addValues(known.learn(data));
    return { ...g, filter: (data) => (note(data), filter ? filter(data) : data) };
  }

  /**
   * Before a route whose answer may quote the container's environment
   * (`OUTPUT_ROUTES`), the call learns its secret values: from the
   * process-wide cache for a full ID, else from one inspect (a name may
   * have moved to another container since). A failed inspect is left to
   * the route itself to report.
   */
  async #learnContainer(g: Guarded, signal?: AbortSignal): Promise<void> {
    const route = CONTAINER_ROUTE.exec(g.req.path);
    if (!this.#secrets || !route || !OUTPUT_ROUTES.test(route[2] ?? "")) return;
    const ref = decodeSegment(route[1]);
    const cached = FULL_ID.test(ref) ? this.#known.get(ref) : undefined;
    if (cached) return this.#secrets.addValues(cached);
    if (this.#cache?.has(ref)) return; // resolved this call: its inspect was noted
    try {
      const inspect = await this.#base.json({
        method: "GET",
        path: `/containers/${encodeURIComponent(ref)}/json`,
        signal,
      });
      this.#secrets.addValues(this.#known.learn(inspect));
    } catch {
      // The route's own request says what is wrong with the container.
    }
  }

  /** The unguarded client underneath. */
  get base(): EngineClient {
    return this.#base;
  }

  override apiVersion(signal?: AbortSignal): Promise<string> {
    return this.#base.apiVersion(signal);
  }

  override ping(signal?: AbortSignal): Promise<boolean> {
    return this.#base.ping(signal);
  }

  override close(): void {
    this.#base.close();
  }

  /** The stats route is checked like any container route, then served by the shared streams. */
  override async statsSample(req: StatsSampleRequest): Promise<unknown | undefined> {
    const g = await this.#guard({
      method: "GET",
      path: `/containers/${encodeURIComponent(req.id)}/stats`,
      query: { stream: true },
      signal: req.signal,
    });
    const id = decodeSegment(CONTAINER_ROUTE.exec(g.req.path)![1]);
    return await this.#base.statsSample({ id, signal: req.signal });
  }

  override get openStatsStreams(): number {
    return this.#base.openStatsStreams;
  }

  override watchesStats(id: string): boolean {
    return this.#base.watchesStats(id);
  }

  override forgetStats(id: string): void {
    this.#base.forgetStats(id);
  }

  override async request(req: EngineRequest): Promise<Response> {
    const g = await this.#guard(req);
    if (g.body !== undefined) {
      return new Response(g.body, { headers: { "content-type": "application/json" } });
    }
    const response = await this.#base.request(g.req);
    if (g.stream && response.body) {
      return new Response(g.stream(response.body), {
        status: response.status,
        headers: response.headers,
      });
    }
    if (!g.filter) return response;
    const data = await response.json();
    return new Response(JSON.stringify(g.filter(data)), {
      status: response.status,
      headers: response.headers,
    });
  }

  override async json<T = unknown>(req: EngineRequest, maxBytes?: number): Promise<T> {
    const g = await this.#guard(req);
    if (g.body !== undefined) return JSON.parse(g.body) as T;
    const data = await this.#base.json<unknown>(g.req, maxBytes);
    return (g.filter ? g.filter(data) : data) as T;
  }

  override async text(
    req: EngineRequest,
    maxBytes: number,
  ): Promise<{ text: string; truncated: boolean }> {
    const g = await this.#guard(req);
    if (g.body !== undefined) return { text: g.body.slice(0, maxBytes), truncated: false };
    if (!g.filter) return await this.#base.text(g.req, maxBytes);
    const data = await this.#base.json<unknown>(g.req);
    const text = JSON.stringify(g.filter(data));
    return { text: text.slice(0, maxBytes), truncated: text.length > maxBytes };
  }

  /** Resolves a container reference among the visible ones (cached for the call). */
  async resolveContainer(ref: string, signal?: AbortSignal): Promise<Resolution> {
    const hit = this.#cache?.get(ref);
    if (hit) return hit;
    const resolved = await resolveVisible(this.#base, this.#policy, ref, signal);
    if (resolved.inspect) this.#secrets?.addValues(this.#known.learn(JSON.parse(resolved.inspect)));
    this.#cache?.set(ref, resolved);
    this.#cache?.set(resolved.id, resolved);
    return resolved;
  }

  async #guard(req: EngineRequest): Promise<Guarded> {
    // Before bypass: a read tool that writes is a wrong manifest, not an operator's choice.
    if (this.#readOnly && !READ_METHODS.has(req.method.toUpperCase())) throw writeByReadTool(req);
    this.#secrets?.addRequest(req);
    const bypass = this.#policy.bypass || req.versioned === false;
    const g = this.#rememberAnswer(bypass ? { req } : await this.#check(req));
    await this.#learnContainer(g, req.signal);
    return g;
  }

  /** The policy's checks and rewrites of one request. */
  async #check(req: EngineRequest): Promise<Guarded> {
    const policy = this.#policy;
    const hides = policy.filtersContainers;
    const { method, path } = req;
    const route = CONTAINER_ROUTE.exec(path);
    if (route && !containerCollectionRoute(method, route[1], route[2])) {
      return await this.#containerRoute(req, route);
    }
    if (method === "GET" && path === "/containers/json" && hides) return this.#containerList(req);
    if (method === "POST" && path === "/containers/create") {
      return { req: await guardCreate(this.#routes, req) };
    }
    if (method === "POST" && path === "/containers/prune" && hides) {
      throw denied(
        "Pruning containers is not available while container name lists are set",
        "It would remove containers berth does not show; remove containers by name instead",
      );
    }
    if (method === "POST" && /^\/networks\/[^/]+\/(connect|disconnect)$/.test(path)) {
      return { req: await guardNetworkMember(this.#routes, req) };
    }
    if (method === "GET" && /^\/networks(\/[^/]+)?$/.test(path) && hides) {
      return { req, filter: (d) => filterNetworks(policy, d) };
    }
    if (method === "GET" && path === "/system/df" && hides) {
      // All sections: the counts can only be corrected with the container section at hand.
      const query = { ...req.query, type: undefined };
      return { req: { ...req, query }, filter: (d) => filterDiskUsage(policy, d) };
    }
    if (method === "GET" && path === "/events" && hides) {
      return {
        req,
        stream: (body) => filterEventStream(policy, body, () => this.#visibleIds(req)),
      };
    }
    if (isSwarmRoute(path)) return await guardSwarm(this.#routes, this.#base, req);
    if (method === "POST" && path === "/volumes/create") {
      const body = jsonBody(req);
      if (body) policy.checkVolumeBody(body);
      const options = body ? field(body, "DriverOpts") : undefined;
      if (!policy.bypass && options && typeof options === "object") {
        await checkRealHostPaths(
          this.#routes,
          volumeOptionPaths(options as Record<string, string>),
        );
      }
      return { req };
    }
    return { req: await guardImages(this.#routes, req) };
  }

  async #containerRoute(req: EngineRequest, route: RegExpExecArray): Promise<Guarded> {
    const policy = this.#policy;
    const suffix = route[2] ?? "";
    let target = decodeSegment(route[1]);
    let inspect: string | undefined;
    if (policy.filtersContainers) {
      const resolved = await this.resolveContainer(target, req.signal);
      target = resolved.id;
      inspect = resolved.inspect;
      if (suffix === "/rename") {
        const name = queryString(req, "name") ?? "";
        if (!policy.containerVisible(name)) throw nameRefused(policy, name);
      }
    }
    const body = jsonBody(req);
    if (req.method === "POST" && suffix === "/exec" && body) {
      const cmd = field(body, "Cmd");
      // berth's own kill helper is not a caller's command (src/policy/own_exec.ts).
      if (!isOwnExecBody(body)) {
        policy.checkExecCommand(Array.isArray(cmd) ? cmd.map(String) : cmd ? [String(cmd)] : []);
      }
      policy.checkExecOptions(body);
    }
    const rewritten = { ...req, path: `/containers/${encodeURIComponent(target)}${suffix}` };
    const plainInspect = req.method === "GET" && suffix === "/json" &&
      !Object.values(req.query ?? {}).some((v) => v !== undefined && v !== false);
    // The inspect of the resolution answers a plain inspect: one request, not two.
    if (plainInspect && inspect !== undefined) return { req: rewritten, body: inspect };
    return { req: rewritten };
  }

  #containerList(req: EngineRequest): Guarded {
    // Ask for all matching containers, drop the hidden ones, then apply the limit.
    const limit = Number(req.query?.limit ?? 0);
    const query = { ...req.query, limit: undefined };
    return {
      req: { ...req, query },
      filter: (data) => {
        const kept = filterContainerList(this.#policy, data);
        return Array.isArray(kept) && limit > 0 ? kept.slice(0, limit) : kept;
      },
    };
  }

  /** What the route guards use: this call's resolution, image checks and policy. */
  get #routes(): RouteGuardContext {
    return {
      policy: this.#policy,
      resolve: (ref, signal) => this.resolveContainer(ref, signal),
      checkImage: (ref, signal) => this.#checkImage(ref, signal),
      local: this.#base.endpoint.kind === "unix",
      inspectVolume: (name, signal) => this.#inspectVolume(name, signal),
    };
  }

  async #inspectVolume(name: string, signal?: AbortSignal): Promise<VolumeInspect | undefined> {
    try {
      return await this.#base.json<VolumeInspect>({
        method: "GET",
        path: `/volumes/${encodeURIComponent(name)}`,
        signal,
      });
    } catch (error) {
      if (error instanceof BerthError && error.status === 404) return undefined;
      throw error;
    }
  }

  async #checkImage(ref: string, signal?: AbortSignal): Promise<void> {
    if (!(await imageUsable(this.#base, this.#policy, ref, signal))) {
      throw imageDenied(ref, this.#policy);
    }
  }

  async #visibleIds(req: EngineRequest): Promise<Set<string>> {
    const list = await this.#base.json<{ Id: string; Names?: string[] }[]>({
      method: "GET",
      path: "/containers/json",
      query: { all: true },
      signal: req.signal,
    });
    return new Set(
      (list ?? []).filter((c) => this.#policy.containerVisible(primaryName(c.Names))).map((c) =>
        c.Id
      ),
    );
  }
}
