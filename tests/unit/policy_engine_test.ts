/**
 * Unit tests of the policy engine with a scripted engine underneath: what is
 * resolved, rewritten, filtered and refused, and that every request method of
 * the engine client passes through it.
 */

import { EngineClient, type EngineRequest, requestOf } from "../../src/engine/client.ts";
import { engineError } from "../../src/engine/errors.ts";
import {
  type AnyOperation,
  containers,
  images,
  networks,
  system,
  volumes,
} from "../../src/engine/ops/mod.ts";
import { filterDiskUsage } from "../../src/policy/enforce/list_filters.ts";
import { PolicyEngine } from "../../src/policy/enforce/policy_engine.ts";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import { assert, assertDenied, assertEquals } from "../helpers/asserts.ts";
import { BerthError } from "../../src/errors/mod.ts";

const WEB = { Id: "a".repeat(64), Name: "/web", Config: { Env: ["DB_PASSWORD=hunter2-long"] } };
const VAULT = { Id: "b".repeat(64), Name: "/vault" };
const NAMED_JSON = { Id: "c".repeat(64), Name: "/json" }; // a container may be called "json"
/** A visible container that shares the hidden vault's network, volumes and link. */
const PEER = {
  Id: "d".repeat(64),
  Name: "/webpeer",
  HostsPath: `/var/lib/docker/containers/${VAULT.Id}/hosts`,
  HostConfig: {
    NetworkMode: `container:${VAULT.Id}`,
    VolumesFrom: ["vault:ro", "web"],
    Links: ["/vault:/webpeer/v"],
  },
};
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
  #answer(op: AnyOperation): unknown {
    const req = requestOf(op);
    this.seen.push(req);
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(req.path);
    if (inspect) {
      const ref = decodeURIComponent(inspect[1]);
      const all = [WEB, VAULT, NAMED_JSON, PEER];
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
    if (req.path === "/images/committed/json") {
      return {
        RepoTags: ["committed:1"],
        Container: VAULT.Id,
        ContainerConfig: { Hostname: VAULT.Id.slice(0, 12), Env: ["A=1"] },
        Config: { Hostname: VAULT.Id.slice(0, 12), Cmd: ["sh"] },
      };
    }
    if (/^\/images\/.*\/json$/.test(req.path)) {
      throw engineError(404, JSON.stringify({ message: "No such image" }), "x", {
        404: "image_not_found",
      });
    }
    return {};
  }
  override request(op: AnyOperation): Promise<Response> {
    const req = requestOf(op);
    const data = this.#answer(op);
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
  override json<T>(req: AnyOperation): Promise<T> {
    return Promise.resolve(this.#answer(req) as T);
  }
  override text(req: AnyOperation): Promise<{ text: string; truncated: boolean }> {
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
  await engine.json(containers.stats("web"));
  assertEquals(base.seen.map((r) => r.path), ["/containers/web/stats"]);
  await engine.json(containers.top("web"));
  assertEquals(base.seen.map((r) => r.path).slice(1), [
    "/containers/web/json",
    "/containers/web/top",
  ]);
});

Deno.test("policy engine: with lists, references resolve to the full ID; hidden ones look missing", async () => {
  const { base, engine } = setup({ levels: ["read"], containers: { allow: [], deny: ["vault"] } });
  await engine.json(containers.top("web"));
  assertEquals(base.seen.map((r) => r.path), ["/containers/web/json", `/containers/${WEB.Id}/top`]);
  // A second route in the same call uses the cached resolution; an inspect is served from it.
  await engine.json(containers.inspect(WEB.Id));
  assertEquals(base.seen.length, 2);
  for (const ref of ["vault", VAULT.Id, VAULT.Id.slice(0, 12)]) {
    const error = await engine.json(containers.kill(ref))
      .catch((e) => e as BerthError);
    assert(error instanceof BerthError);
    assertEquals(error.code, "DKR-002");
    assertEquals(error.message, `No such container: ${ref}`);
  }
  assert(!base.seen.some((r) => r.path.includes("/kill")), "nothing reached the hidden container");
});

Deno.test("policy engine: odd targets are containers too (a container named json, attach/ws)", async () => {
  const { base, engine } = setup({
    levels: ["read"],
    containers: { allow: [], deny: ["vault", "json"] },
  });
  const ops = [
    containers.top("json"),
    containers.inspect("json"),
    { ...containers.inspect("vault"), name: "container.attach_ws" as const },
    containers.remove("json"),
  ];
  for (const op of ops) {
    assertEquals(await code(engine.json(op)), "DKR-002", op.name);
  }
  // A reference that is no name or ID at all answers like a missing container.
  assertEquals(await code(engine.json(containers.top("a/../b"))), "DKR-002");
  assert(
    !base.seen.some((r) => /\/(top|attach)/.test(r.path) || r.method === "DELETE"),
    "nothing reached a hidden container",
  );
  assertEquals(await code(engine.json(containers.list())), "ok", "the list");
});

Deno.test("policy engine: lists, networks, disk usage and events lose hidden containers", async () => {
  const { engine } = setup({ levels: ["read"], containers: { allow: [], deny: ["vault"] } });
  const list = await engine.json<{ Id: string }[]>(containers.list());
  assertEquals(list.map((c) => c.Id), [WEB.Id]);
  const net = await engine.json<{ Containers: Record<string, unknown> }>(
    networks.inspect("bridge"),
  );
  assertEquals(Object.keys(net.Containers), [WEB.Id]);
  const df = await engine.json<{ Containers: unknown[] }>(system.diskUsage());
  assertEquals(df.Containers.length, 1);
  const events = await (await engine.request(system.events())).text();
  assert(!events.includes(VAULT.Id), events);
  assertEquals(events.trim().split("\n").length, 2);
  const text = await engine.text(containers.list(), 1_000_000);
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
  await engine.json(system.diskUsage({ type: ["image"] }));
  assertEquals(base.seen.at(-1)?.query?.type, undefined);
});

Deno.test("policy engine: create, exec, volume, prune and image routes are guarded", async () => {
  const { engine } = setup({
    levels: ["create"],
    containers: { allow: ["web*"], deny: [] },
    images: { allow: [], deny: ["evil*"] },
    blockedCommands: ["rm -rf"],
  });
  const send = (op: AnyOperation) => code(engine.json(op));
  const create = (body: Record<string, unknown>, name?: string) =>
    send(containers.create(body, name === undefined ? {} : { name }));
  assertEquals(
    await create({ Image: "nginx", HostConfig: { Privileged: true } }, "web1"),
    "DKR-007",
  );
  assertEquals(await create({ Image: "nginx" }), "DKR-007", "an allow list needs a name");
  assertEquals(await create({ Image: "nginx" }, "other"), "DKR-007");
  assertEquals(await create({ Image: "nginx" }, "web1"), "ok");
  assertEquals(await create({ Image: "b".repeat(64) }, "web2"), "DKR-007", "an ID tagged evil");
  assertEquals(
    await create({ Image: "nginx", HostConfig: { NetworkMode: "container:vault" } }, "web3"),
    "DKR-002",
  );
  assertEquals(await send(containers.exec("web", { Cmd: ["sh", "-c", "rm -rf /"] })), "DKR-007");
  assertEquals(await send(containers.exec("web", { Cmd: ["id"], Privileged: true })), "DKR-007");
  assertEquals(await send(containers.prune()), "DKR-007");
  assertEquals(
    await send(volumes.create({ DriverOpts: { o: "bind", device: "/etc" } })),
    "DKR-007",
  );
  assertEquals(await send(images.pull({ fromImage: "evil", tag: "1" })), "DKR-007");
  const importUrl = { ...images.pull({ fromImage: "" }), query: { fromSrc: "http://x/a.tar" } };
  assertEquals(await send(importUrl), "DKR-007");
  assertEquals(await send(images.buildImage({ remote: "https://x/r.git" }, undefined)), "DKR-007");
  assertEquals(
    await send(images.buildImage({ cachefrom: JSON.stringify(["evil:1"]) }, undefined)),
    "DKR-007",
    "a denied cache source",
  );
  assertEquals(
    await send(images.buildImage({ cachefrom: "evil" }, undefined)),
    "DKR-007",
    "not a list",
  );
  assertEquals(
    await send(images.buildImage({ networkmode: "host" }, undefined)),
    "DKR-007",
    "a build on the host's network (its RUN steps are containers)",
  );
  assertEquals(
    await send(images.buildImage({ networkmode: "HOST" }, undefined)),
    "DKR-007",
    "in any case",
  );
  assertEquals(
    await send(images.buildImage({ networkmode: "container:vault" }, undefined)),
    "DKR-002",
    "a hidden container's network",
  );
  assertEquals(await send(images.buildImage({ networkmode: "bridge" }, undefined)), "ok");
  assertEquals(await send(images.tag("nginx", { repo: "evil", tag: "x" })), "DKR-007");
  assertEquals(await send(images.push("nginx", { tag: "1" })), "ok");
  assertEquals(await send(images.remove("evil:latest")), "DKR-007");
  assertEquals(await send(images.prune()), "ok", "prune is not an image reference");
  assertEquals(await send(networks.connect("n", { Container: "vault" })), "DKR-002");
});

Deno.test("policy engine: remembers secret build args and registry credentials, bypass or not", async () => {
  const auth = btoa(JSON.stringify({ username: "u", password: "reg-pass-123" }));
  const config = btoa(JSON.stringify({ "r.example": { password: "cfg-pass-123" } }));
  for (const bypass of [false, true]) {
    const { engine } = setup({ levels: ["read", "images"], bypass });
    await engine.json(containers.inspect("web"));
    await code(engine.request(images.buildImage(
      { buildargs: JSON.stringify({ NPM_TOKEN: "npm-tok-123", GREETING: "hello-there" }) },
      undefined,
      { headers: { "X-Registry-Config": config } },
    )));
    await code(engine.request(
      images.pull({ fromImage: "busybox" }, { headers: { "X-Registry-Auth": auth } }),
    ));
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
  await engine.json(containers.inspect("web"));
  await code(engine.json(containers.create({ Env: ["API_TOKEN=tok-123456"] })));
  assertEquals(engine.secretValues().sort(), ["hunter2-long", "tok-123456"]);
  const open = setup({ levels: [], bypass: true, containers: { allow: [], deny: ["*"] } }).engine;
  assertEquals(
    await code(
      open.json(containers.create({ Privileged: true })),
    ),
    "ok",
  );
  assertDenied(() => {
    throw new BerthError("denied_by_policy", "x");
  });
});

Deno.test("policy engine: with lists, an image inspect does not name the container it came from", async () => {
  const hidden = setup({ levels: ["read"], containers: { allow: ["web*"], deny: [] } }).engine;
  const seen = await hidden.json<Record<string, Record<string, unknown>>>(
    images.inspect("committed"),
  );
  assertEquals(seen.Container, undefined);
  assertEquals(seen.ContainerConfig, { Env: ["A=1"] });
  assertEquals(seen.Config, { Cmd: ["sh"] });
  assertEquals(seen.RepoTags, ["committed:1"] as unknown as Record<string, unknown>);
  const open = setup({ levels: ["read"] }).engine;
  const all = await open.json<Record<string, unknown>>(images.inspect("committed"));
  assertEquals(all.Container, VAULT.Id, "without lists nothing is hidden");
});

Deno.test("policy engine: after a change, an inspect asks the engine again, not the resolution's", async () => {
  const { base, engine } = setup({
    levels: ["lifecycle"],
    containers: { allow: ["web*"], deny: [] },
  });
  const inspects = () =>
    base.seen.filter((r) =>
      r.path === `/containers/${WEB.Id}/json` || r.path === "/containers/web/json"
    ).length;
  await engine.json(containers.inspect("web"));
  await engine.json(containers.inspect(WEB.Id));
  assertEquals(inspects(), 1, "before a change, the resolution's inspect answers");
  await (await engine.request(containers.stop("web"))).body?.cancel();
  await engine.json(containers.inspect(WEB.Id));
  assertEquals(inspects(), 2, "after it, the engine is asked: the state may have moved");
  assertEquals(base.seen.at(-1)!.path, `/containers/${WEB.Id}/json`, "by the resolved ID");
});

Deno.test("policy engine: with lists, a visible container's inspect writes the hidden ones it shares with <hidden>", async () => {
  const lists = { levels: ["read"] as ["read"], containers: { allow: ["web*"], deny: [] } };
  const seen = await setup(lists).engine.json<typeof PEER>(containers.inspect("webpeer"));
  assertEquals(seen.HostConfig.NetworkMode, "container:<hidden>");
  assertEquals(seen.HostConfig.VolumesFrom, ["<hidden>", "web"], "a visible one stays");
  assertEquals(seen.HostConfig.Links, ["<hidden>"]);
  assertEquals(seen.HostsPath, "/var/lib/docker/containers/<hidden>/hosts");
  assert(!JSON.stringify(seen).includes(VAULT.Id), "the hidden ID appears nowhere");
  const open = await setup({ levels: ["read"] }).engine.json<typeof PEER>(
    containers.inspect("webpeer"),
  );
  assertEquals(open.HostConfig.NetworkMode, `container:${VAULT.Id}`, "without lists, as it is");
});
