/**
 * Unit tests of the policy engine with a scripted engine underneath: what is
 * resolved, rewritten, filtered and refused, and that every request method of
 * the engine client passes through it.
 */

import {
  EngineClient,
  type EngineRequest,
  requestOf,
  type Sendable,
} from "../../src/engine/client.ts";
import { engineError } from "../../src/engine/errors.ts";
import { filterDiskUsage } from "../../src/policy/enforce/list_filters.ts";
import { PolicyEngine } from "../../src/policy/enforce/policy_engine.ts";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import { assert, assertDenied, assertEquals } from "../helpers/asserts.ts";
import { BerthError } from "../../src/errors/mod.ts";

const WEB = { Id: "a".repeat(64), Name: "/web", Config: { Env: ["DB_PASSWORD=hunter2-long"] } };
const VAULT = { Id: "b".repeat(64), Name: "/vault" };
const NAMED_JSON = { Id: "c".repeat(64), Name: "/json" }; // a container may be called "json"
const LIST = [
  { Id: WEB.Id, Names: ["/web"] },
  { Id: VAULT.Id, Names: ["/vault"] },
];

/** An engine that answers from a script and records what it was asked. */
class ScriptedEngine extends EngineClient {
  readonly seen: EngineRequest[] = [];
  constructor() {
    super({ endpoint: { kind: "unix", socketPath: "/nonexistent.sock" } });
  }
  #answer(sent: Sendable): unknown {
    const req = requestOf(sent);
    this.seen.push(req);
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(req.path);
    if (inspect) {
      const ref = decodeURIComponent(inspect[1]);
      const all = [WEB, VAULT, NAMED_JSON];
      const hit = all.find((c) => c.Id === ref || c.Name === `/${ref}`) ??
        all.find((c) => c.Id.startsWith(ref));
      if (!hit) {
        throw engineError(404, JSON.stringify({ message: `No such container: ${ref}` }), "x");
      }
      return hit;
    }
    if (req.path === "/containers/json") return LIST;
    if (req.path === "/networks/bridge") {
      return {
        Name: "bridge",
        Containers: { [WEB.Id]: { Name: "web" }, [VAULT.Id]: { Name: "vault" } },
      };
    }
    if (req.path === "/system/df") return { Containers: LIST, Images: [] };
    // Image inspects: the b… ID is tagged evil; other references are not local.
    if (/^\/images\/b+\/json$/.test(req.path)) return { RepoTags: ["evil:latest"] };
    if (/^\/images\/.*\/json$/.test(req.path)) {
      throw engineError(404, JSON.stringify({ message: "No such image" }), "x", {
        404: "image_not_found",
      });
    }
    return {};
  }
  override request(sent: Sendable): Promise<Response> {
    const req = requestOf(sent);
    const data = this.#answer(req);
    if (req.path === "/events") {
      const lines = [
        { Type: "container", Action: "start", Actor: { ID: WEB.Id, Attributes: { name: "web" } } },
        {
          Type: "container",
          Action: "start",
          Actor: { ID: VAULT.Id, Attributes: { name: "vault" } },
        },
        {
          Type: "network",
          Action: "connect",
          Actor: { ID: "n", Attributes: { container: VAULT.Id } },
        },
        {
          Type: "network",
          Action: "connect",
          Actor: { ID: "n", Attributes: { container: WEB.Id } },
        },
      ].map((e) => JSON.stringify(e)).join("\n");
      return Promise.resolve(new Response(lines));
    }
    return Promise.resolve(new Response(JSON.stringify(data)));
  }
  override json<T>(req: Sendable): Promise<T> {
    return Promise.resolve(this.#answer(req) as T);
  }
  override text(req: Sendable): Promise<{ text: string; truncated: boolean }> {
    return Promise.resolve({ text: JSON.stringify(this.#answer(req)), truncated: false });
  }
  override apiVersion(): Promise<string> {
    return Promise.resolve("1.41");
  }
}

function setup(options: ConstructorParameters<typeof ConfigPolicy>[0]) {
  const base = new ScriptedEngine();
  const policy = new ConfigPolicy(options);
  return { base, engine: new PolicyEngine(base, policy).scoped() };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (error) {
    return error instanceof BerthError ? error.code : String(error);
  }
}

Deno.test("policy engine: every request method of the engine client is guarded", () => {
  const methods = Object.getOwnPropertyNames(EngineClient.prototype).filter((m) =>
    m !== "constructor" &&
    typeof Object.getOwnPropertyDescriptor(EngineClient.prototype, m)?.value === "function"
  );
  assert(methods.includes("request") && methods.includes("json"));
  for (const method of methods) {
    assert(
      Object.hasOwn(PolicyEngine.prototype, method),
      `EngineClient.${method} is not overridden by PolicyEngine: requests could bypass the policy`,
    );
  }
});

Deno.test("policy engine: without lists, container routes pass untouched; one whose output may quote the environment learns its secrets first", async () => {
  const { base, engine } = setup({ levels: ["read"] });
  await engine.json({ method: "GET", path: "/containers/web/stats" });
  assertEquals(base.seen.map((r) => r.path), ["/containers/web/stats"]);
  await engine.json({ method: "GET", path: "/containers/web/top" });
  assertEquals(base.seen.map((r) => r.path).slice(1), [
    "/containers/web/json",
    "/containers/web/top",
  ]);
});

Deno.test("policy engine: with lists, references resolve to the full ID; hidden ones look missing", async () => {
  const { base, engine } = setup({ levels: ["read"], containers: { allow: [], deny: ["vault"] } });
  await engine.json({ method: "GET", path: "/containers/web/top" });
  assertEquals(base.seen.map((r) => r.path), ["/containers/web/json", `/containers/${WEB.Id}/top`]);
  // A second route in the same call uses the cached resolution; an inspect is served from it.
  await engine.json({ method: "GET", path: `/containers/${WEB.Id}/json` });
  assertEquals(base.seen.length, 2);
  for (const ref of ["vault", VAULT.Id, VAULT.Id.slice(0, 12)]) {
    const error = await engine.json({ method: "POST", path: `/containers/${ref}/kill` })
      .catch((e) => e as BerthError);
    assert(error instanceof BerthError);
    assertEquals(error.code, "DKR-002");
    assertEquals(error.message, `No such container: ${ref}`);
  }
  assert(!base.seen.some((r) => r.path.includes("/kill")), "nothing reached the hidden container");
});

Deno.test("policy engine: odd routes are container routes too (a container named json, attach/ws)", async () => {
  const { base, engine } = setup({
    levels: ["read"],
    containers: { allow: [], deny: ["vault", "json"] },
  });
  for (
    const path of ["/containers/json/top", "/containers/json/json", "/containers/vault/attach/ws"]
  ) {
    assertEquals(await code(engine.json({ method: "GET", path })), "DKR-002", path);
  }
  assertEquals(await code(engine.json({ method: "DELETE", path: "/containers/json" })), "DKR-002");
  assertEquals(
    await code(engine.json({ method: "GET", path: "/containers/%E0%A4%A/top" })),
    "DKR-004",
  );
  assert(
    !base.seen.some((r) => /\/(top|attach)/.test(r.path)),
    "nothing reached a hidden container",
  );
  assertEquals(
    await code(engine.json({ method: "GET", path: "/containers/json" })),
    "ok",
    "the list",
  );
});

Deno.test("policy engine: lists, networks, disk usage and events lose hidden containers", async () => {
  const { engine } = setup({ levels: ["read"], containers: { allow: [], deny: ["vault"] } });
  const list = await engine.json<{ Id: string }[]>({ method: "GET", path: "/containers/json" });
  assertEquals(list.map((c) => c.Id), [WEB.Id]);
  const net = await engine.json<{ Containers: Record<string, unknown> }>({
    method: "GET",
    path: "/networks/bridge",
  });
  assertEquals(Object.keys(net.Containers), [WEB.Id]);
  const df = await engine.json<{ Containers: unknown[] }>({ method: "GET", path: "/system/df" });
  assertEquals(df.Containers.length, 1);
  const events = await (await engine.request({ method: "GET", path: "/events" })).text();
  assert(!events.includes(VAULT.Id), events);
  assertEquals(events.trim().split("\n").length, 2);
  const text = await engine.text({ method: "GET", path: "/containers/json" }, 1_000_000);
  assert(!text.text.includes(VAULT.Id));
});

Deno.test("disk usage: image and volume counts lose what hidden containers add", async () => {
  const policy = new ConfigPolicy({ levels: ["read"], containers: { allow: [], deny: ["vault"] } });
  const volume = (Name: string) => ({ Type: "volume", Name });
  const df = {
    Containers: [
      { Names: ["/web"], ImageID: "i1", Mounts: [volume("shared")] },
      { Names: ["/vault"], ImageID: "i2", Mounts: [volume("secret"), volume("shared")] },
      { Names: ["/vault"], ImageID: "i1", Mounts: [volume("secret"), volume("secret")] },
    ],
    Images: [{ Id: "i1", Containers: 2 }, { Id: "i2", Containers: 1 }, {
      Id: "i3",
      Containers: -1,
    }],
    Volumes: [
      { Name: "shared", UsageData: { RefCount: 2, Size: 1 } },
      { Name: "secret", UsageData: { RefCount: 2, Size: 1 } },
      { Name: "other", UsageData: null },
    ],
  };
  const out = filterDiskUsage(policy, df) as typeof df;
  assertEquals(out.Containers.length, 1);
  assertEquals(out.Images.map((i) => i.Containers), [1, 0, -1]);
  assertEquals(out.Volumes.map((v) => v.UsageData?.RefCount), [1, 0, undefined]);
  const open = new ConfigPolicy({ levels: ["read"] });
  assert(filterDiskUsage(open, df) === df, "nothing hidden: the answer is untouched");
  // A request for some sections only still gets the container section the counts need.
  const { base, engine } = setup({ levels: ["read"], containers: { allow: [], deny: ["vault"] } });
  await engine.json({ method: "GET", path: "/system/df", query: { type: "image" } });
  assertEquals(base.seen.at(-1)?.query?.type, undefined);
});

Deno.test("policy engine: create, exec, volume, prune and image routes are guarded", async () => {
  const { engine } = setup({
    levels: ["create"],
    containers: { allow: ["web*"], deny: [] },
    images: { allow: [], deny: ["evil*"] },
    blockedCommands: ["rm -rf"],
  });
  const post = (path: string, body?: unknown, query?: Record<string, string>) =>
    code(engine.json({ method: "POST", path, body, query }));
  assertEquals(
    await post("/containers/create", { Image: "nginx", HostConfig: { Privileged: true } }, {
      name: "web1",
    }),
    "DKR-007",
  );
  assertEquals(
    await post("/containers/create", { Image: "nginx" }),
    "DKR-007",
    "an allow list needs a name",
  );
  assertEquals(await post("/containers/create", { Image: "nginx" }, { name: "other" }), "DKR-007");
  assertEquals(await post("/containers/create", { Image: "nginx" }, { name: "web1" }), "ok");
  assertEquals(
    await post("/containers/create", { Image: "b".repeat(64) }, { name: "web2" }),
    "DKR-007",
    "an ID tagged evil",
  );
  assertEquals(
    await post("/containers/create", {
      Image: "nginx",
      HostConfig: { NetworkMode: "container:vault" },
    }, { name: "web3" }),
    "DKR-002",
  );
  assertEquals(await post("/containers/web/exec", { Cmd: ["sh", "-c", "rm -rf /"] }), "DKR-007");
  assertEquals(await post("/containers/web/exec", { Cmd: ["id"], Privileged: true }), "DKR-007");
  assertEquals(await post("/containers/prune"), "DKR-007");
  assertEquals(
    await post("/volumes/create", { DriverOpts: { o: "bind", device: "/etc" } }),
    "DKR-007",
  );
  assertEquals(await post("/images/create", undefined, { fromImage: "evil", tag: "1" }), "DKR-007");
  assertEquals(await post("/images/create", undefined, { fromSrc: "http://x/a.tar" }), "DKR-007");
  assertEquals(await post("/build", undefined, { remote: "https://x/r.git" }), "DKR-007");
  assertEquals(
    await post("/build", undefined, { cachefrom: JSON.stringify(["evil:1"]) }),
    "DKR-007",
    "a denied cache source",
  );
  assertEquals(await post("/build", undefined, { cachefrom: "evil" }), "DKR-007", "not a list");
  assertEquals(await post("/images/nginx/tag", undefined, { repo: "evil", tag: "x" }), "DKR-007");
  assertEquals(await post("/images/nginx/push", undefined, { tag: "1" }), "ok");
  assertEquals(
    await code(engine.json({ method: "DELETE", path: "/images/evil:latest" })),
    "DKR-007",
  );
  assertEquals(await post("/images/prune"), "ok", "prune is not an image reference");
  assertEquals(await post(`/networks/n/connect`, { Container: "vault" }), "DKR-002");
});

Deno.test("policy engine: remembers secret build args and registry credentials, bypass or not", async () => {
  const auth = btoa(JSON.stringify({ username: "u", password: "reg-pass-123" }));
  const config = btoa(JSON.stringify({ "r.example": { password: "cfg-pass-123" } }));
  for (const bypass of [false, true]) {
    const { engine } = setup({ levels: ["read", "images"], bypass });
    await engine.json({ method: "GET", path: "/containers/web/json" });
    await code(engine.request({
      method: "POST",
      path: "/build",
      query: { buildargs: JSON.stringify({ NPM_TOKEN: "npm-tok-123", GREETING: "hello-there" }) },
      headers: { "X-Registry-Config": config },
    }));
    await code(engine.request({
      method: "POST",
      path: "/images/create",
      query: { fromImage: "busybox" },
      headers: { "X-Registry-Auth": auth },
    }));
    assertEquals(
      engine.secretValues().sort(),
      [
        auth,
        config,
        "cfg-pass-123",
        "hunter2-long",
        "npm-tok-123",
        "reg-pass-123",
      ].sort(),
      `bypass ${bypass}`,
    );
  }
});

Deno.test("policy engine: remembers the secret env values a call saw; bypass guards nothing", async () => {
  const { engine } = setup({ levels: ["read"] });
  await engine.json({ method: "GET", path: "/containers/web/json" });
  await code(
    engine.json({
      method: "POST",
      path: "/containers/create",
      body: { Env: ["API_TOKEN=tok-123456"] },
    }),
  );
  assertEquals(engine.secretValues().sort(), ["hunter2-long", "tok-123456"]);
  const open = setup({ levels: [], bypass: true, containers: { allow: [], deny: ["*"] } }).engine;
  assertEquals(
    await code(
      open.json({ method: "POST", path: "/containers/create", body: { Privileged: true } }),
    ),
    "ok",
  );
  assertDenied(() => {
    throw new BerthError("denied_by_policy", "x");
  });
});
