/**
 * The policy engine: an {@link EngineClient} that holds the policy at the one
 * place every engine operation passes, whoever sends it (route tools,
 * handlers, prompts, resources, compose, diagnose). Checks in handlers stay,
 * as a first line; this is the line that cannot be forgotten.
 *
 * Each operation is checked by its name (checks.ts: one required check per
 * operation), its target and its body, never by its URL:
 *
 * - An operation on a container (and a network connect's `Container`,
 *   `container:` namespace modes, `VolumesFrom`): the reference is resolved
 *   (inspect) once per call, decided on its canonical name and replaced by
 *   the full ID; a hidden container answers exactly like a missing one (DKR-002).
 * - Lists (containers, networks, disk usage, events): hidden containers are
 *   removed (and, from disk usage, what they add to counts).
 * - Create bodies, exec bodies, volume driver options: the guards.
 * - Images used by create, pull, build, tag, push, commit and remove: the image lists.
 * - Daemon-side fetches (`fromSrc`, a build's `remote`): refused.
 * - A call of a read-level tool may only read: any method but GET or HEAD is
 *   refused (DKR-007), bypass or not, whatever its manifest's route says.
 *
 * Without name lists nothing is resolved, so a call stays one request.
 *
 * @module
 */

import { EngineClient, MAX_JSON_BODY, type StatsSampleRequest } from "../../engine/client.ts";
import { parseEngineJson } from "../../engine/json.ts";
import { readCapped } from "../../engine/streams.ts";
import {
  type AnyOperation,
  containers,
  describeOperation,
  type OpName,
  unversioned,
  volumes,
} from "../../engine/ops/mod.ts";
import { BerthError } from "../../errors/mod.ts";
import { READ_METHODS } from "../../manifest/types.ts";
import type { Policy } from "../mod.ts";
import { CallSecrets, ContainerSecretCache } from "./call_secrets.ts";
import { check, type EnforceContext, type Guarded } from "./checks.ts";
import { denied, type VolumeInspect } from "./guards.ts";
import { primaryName } from "./list_filters.ts";
import {
  type ContainerResolver,
  imageDenied,
  imageUsable,
  type Resolution,
  resolveVisible,
} from "./resolve.ts";

/**
 * GET operations that are not reads of the engine's state (docs/security.md
 * rule 4): a container's whole filesystem or files (`docker export`, `docker
 * cp`, the exec level's), an image's layers (`docker save`), a process's
 * stdin (attach), a registry the engine is sent to ask (`docker manifest
 * inspect`: a daemon-side fetch from any host a reference names, loopback
 * included, like a pull's). A read-level call may not send them, and a read-level
 * manifest may not name them (src/interpreter/plan.ts), with the level to
 * declare instead.
 */
export const NOT_READ_LEVEL: ReadonlyMap<OpName, string> = new Map<OpName, string>([
  ["container.export", "exec"],
  ["container.archive_get", "exec"],
  ["container.attach_ws", "exec"],
  ["image.get", "images"],
  ["image.get_all", "images"],
  ["image.distribution", "images"],
]);

function tooLarge(op: AnyOperation, maxBytes: number): BerthError {
  return new BerthError("engine_error", `The engine's answer exceeds ${maxBytes} bytes`, {
    context: describeOperation(op),
    hint: "Narrow the request with filters or a limit",
  });
}

/** The level a change of each kind of object belongs to (docs/security.md rule 4). */
const CHANGE_LEVEL: Readonly<Record<string, string>> = {
  container: "lifecycle",
  exec: "exec",
  image: "images",
  volume: "volumes",
  network: "networks",
  system: "system",
  swarm: "swarm",
  service: "swarm",
  node: "swarm",
  task: "swarm",
  secret: "swarm",
  config: "swarm",
};

/** Container changes that are not lifecycle: making and removing (create), running a process (exec). */
const CONTAINER_CHANGE_LEVEL: Partial<Record<OpName, string>> = {
  "container.create": "create",
  "container.remove": "create",
  "container.prune": "create",
  "container.exec": "exec",
  "container.attach": "exec",
  "container.archive_put": "exec",
};

/**
 * The level a tool that sends this operation must declare: a permission
 * belongs to the route, not the method (docs/security.md rule 4), and levels
 * are separate grants, so a user's `lifecycle` tool over `POST
 * /volumes/create` or an exec would give what the operator did not grant.
 * Undefined for reads any level may send.
 */
export function levelOfOperation(name: OpName, method: string): string | undefined {
  if (READ_METHODS.has(method)) return NOT_READ_LEVEL.get(name);
  return CONTAINER_CHANGE_LEVEL[name] ?? CHANGE_LEVEL[name.split(".")[0]];
}

/** The refusal of an operation that would change the engine during a read-level call. */
function writeByReadTool(op: AnyOperation): BerthError {
  const level = NOT_READ_LEVEL.get(op.name);
  return denied(
    `A read-level tool may not send ${describeOperation(op)}: ` +
      (level ? `it reads more than the engine's state` : `it would change the engine`),
    `Declare the tool's permission as the level that fits its route (${
      level ?? "lifecycle, create, …"
    }), or use a built-in tool of that level`,
  );
}

/**
 * Container operations whose answer may quote the container's environment
 * without its keys (a process's argv, a log line, a file): before one is
 * sent, the call learns the container's secret values, lists or not.
 */
const OUTPUT_OPERATIONS: ReadonlySet<OpName> = new Set<OpName>([
  "container.top",
  "container.logs",
  "container.attach",
  "container.archive_stat",
  "container.archive_get",
  "container.archive_put",
  "container.export",
]);
/** A full container ID, the only key of the process-wide secret cache. */
const FULL_ID = /^[0-9a-f]{64}$/;

/**
 * The engine client every call goes through: each operation is checked by
 * its name, target and body (checks.ts) before the client underneath sends
 * it, and answers of lists and streams are filtered.
 */
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
   * `readOnly`: refuse every operation that is not a GET or HEAD.
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
    if (!secrets || g.op.name !== "container.inspect") return g;
    // An answer in hand is the resolution's inspect: resolveContainer noted it already.
    if (g.answer !== undefined) return g;
    const filter = g.filter;
    const known = this.#known;
    const note = (data: unknown) => secrets.addValues(known.learn(data));
    return { ...g, filter: (data) => (note(data), filter ? filter(data) : data) };
  }

  /**
   * Before an operation whose answer may quote the container's environment
   * (`OUTPUT_OPERATIONS`), the call learns its secret values: from the
   * process-wide cache for a full ID, else from one inspect (a name may
   * have moved to another container since). A failed inspect is left to
   * the operation itself to report.
   */
  async #learnContainer(op: AnyOperation): Promise<void> {
    if (!this.#secrets || !OUTPUT_OPERATIONS.has(op.name) || op.target.kind !== "container") {
      return;
    }
    const ref = op.target.ref;
    const cached = FULL_ID.test(ref) ? this.#known.get(ref) : undefined;
    if (cached) return this.#secrets.addValues(cached);
    if (this.#cache?.has(ref)) return; // resolved this call: its inspect was noted
    try {
      const inspect = await this.#base.json(containers.inspect(ref, {}, { signal: op.signal }));
      this.#secrets.addValues(this.#known.learn(inspect));
    } catch {
      // The operation's own request says what is wrong with the container.
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

  /** The stats operation is checked like any container operation, then served by the shared streams. */
  override async statsSample(req: StatsSampleRequest): Promise<unknown | undefined> {
    const g = await this.#guard(
      containers.stats(req.id, { stream: true }, { signal: req.signal }),
    );
    const id = g.op.target.kind === "container" ? g.op.target.ref : req.id;
    return await this.#base.statsSample({ id, signal: req.signal });
  }

  /** Every operation passes its check (CHECKS, checks.ts) before it leaves. */
  override get checksTargets(): boolean {
    return true;
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

  override async request(op: AnyOperation): Promise<Response> {
    const g = await this.#guard(op);
    if (g.answer !== undefined) {
      return new Response(g.answer, { headers: { "content-type": "application/json" } });
    }
    const response = await this.#base.request(g.op);
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

  override async json<T = unknown>(op: AnyOperation, maxBytes?: number): Promise<T> {
    const g = await this.#guard(op);
    if (g.answer !== undefined) return JSON.parse(g.answer) as T;
    if (g.stream) {
      const { text, truncated } = await this.#streamed(g, maxBytes ?? MAX_JSON_BODY);
      if (truncated) throw tooLarge(op, maxBytes ?? MAX_JSON_BODY);
      return (text.trim() ? parseEngineJson<T>(text, describeOperation(op)) : undefined) as T;
    }
    const data = await this.#base.json<unknown>(g.op, maxBytes);
    return (g.filter ? g.filter(data) : data) as T;
  }

  override async text(
    op: AnyOperation,
    maxBytes: number,
  ): Promise<{ text: string; truncated: boolean }> {
    const g = await this.#guard(op);
    if (g.answer !== undefined) return { text: g.answer.slice(0, maxBytes), truncated: false };
    if (g.stream) return await this.#streamed(g, maxBytes);
    if (!g.filter) return await this.#base.text(g.op, maxBytes);
    const data = await this.#base.json<unknown>(g.op);
    const text = JSON.stringify(g.filter(data));
    return { text: text.slice(0, maxBytes), truncated: text.length > maxBytes };
  }

  /**
   * A streamed answer (events) read whole through its filter: a route tool
   * reads `GET /events` as text or JSON, and must not see what a stream
   * reader would not (hidden containers' events).
   */
  async #streamed(g: Guarded, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
    const response = await this.#base.request(g.op);
    try {
      return await readCapped(response.body && g.stream!(response.body), maxBytes);
    } catch (error) {
      // The call's deadline or cancellation says what ended the read.
      const reason = g.op.signal?.aborted ? g.op.signal.reason : undefined;
      throw reason instanceof BerthError ? reason : error;
    }
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

  async #guard(op: AnyOperation): Promise<Guarded> {
    // Before bypass: a read tool that writes is a wrong manifest, not an operator's choice.
    if (this.#readOnly && (!READ_METHODS.has(op.method) || NOT_READ_LEVEL.has(op.name))) {
      throw writeByReadTool(op);
    }
    this.#secrets?.addRequest(op);
    const bypass = this.#policy.bypass || unversioned(op);
    const g = this.#rememberAnswer(bypass ? { op } : await check(op, this.#context));
    await this.#learnContainer(g.op);
    if (!READ_METHODS.has(op.method)) this.#forgetResolutions();
    return g;
  }

  /**
   * An operation that changes the engine makes what this call saw of its
   * containers old: a later reference resolves again, with a fresh inspect,
   * instead of being answered with the one from before (a stop's "status
   * exited" must not come from the inspect made before it).
   */
  #forgetResolutions(): void {
    this.#cache?.clear();
  }

  /** What the checks use: this call's resolution, image checks and policy. */
  get #context(): EnforceContext {
    return {
      policy: this.#policy,
      base: this.#base,
      resolve: (ref, signal) => this.resolveContainer(ref, signal),
      checkImage: (ref, signal) => this.#checkImage(ref, signal),
      local: this.#base.endpoint.kind === "unix",
      inspectVolume: (name, signal) => this.#inspectVolume(name, signal),
      visibleIds: (signal) => this.#visibleIds(signal),
    };
  }

  async #inspectVolume(name: string, signal?: AbortSignal): Promise<VolumeInspect | undefined> {
    try {
      return await this.#base.json<VolumeInspect>(volumes.inspect(name, { signal }));
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

  async #visibleIds(signal?: AbortSignal): Promise<Set<string>> {
    const list = await this.#base.json<{ Id: string; Names?: string[] }[]>(
      containers.list({ all: true }, { signal }),
    );
    return new Set(
      (list ?? []).filter((c) => this.#policy.containerVisible(primaryName(c.Names))).map((c) =>
        c.Id
      ),
    );
  }
}
