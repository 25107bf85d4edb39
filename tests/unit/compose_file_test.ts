/**
 * Compose files without an engine: interpolation, .env parsing, schema and
 * support checks (DKR-004 naming the key or variable), short syntaxes, and
 * the normalised model.
 */

import assert from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";
import {
  interpolateString,
  interpolateTree,
  parseDotenv,
} from "../../src/docker/compose/interpolate.ts";
import { projectFromSource } from "../../src/docker/compose/load.ts";
import type { ProjectModel } from "../../src/docker/compose/model.ts";
import { selectServices } from "../../src/docker/compose/select.ts";
import {
  parseGoDuration,
  parsePortString,
  parseVolumeString,
} from "../../src/docker/compose/syntax.ts";
import { castInterpolated, keyPath, unsupportedKeys } from "../../src/docker/compose/validate.ts";
import { LevelPolicy } from "../../src/policy/mod.ts";

const policy = new LevelPolicy(["read", "create"]);
const vars: Record<string, string> = { A: "a", EMPTY: "" };
const lookup = (name: string) => vars[name];

/** Loads inline YAML as `docker_compose_up` would. */
function load(
  yaml: string,
  args: Record<string, unknown> = {},
  directory?: string,
): Promise<ProjectModel> {
  return projectFromSource("demo", { text: yaml, directory, dotenv: {} }, args, policy);
}

/** Asserts a DKR-004 whose message contains every fragment. */
async function rejects(work: () => unknown, ...fragments: string[]): Promise<void> {
  await assert.rejects(async () => await work(), (error: unknown) => {
    assert.ok(error instanceof BerthError, String(error));
    assert.equal(error.code, "DKR-004", error.message);
    for (const f of fragments) assert.ok(error.message.includes(f), `${error.message} ∌ ${f}`);
    return true;
  });
}

Deno.test("interpolation: every operator, $$ and nesting", () => {
  const cases: [string, string][] = [
    ["${A}", "a"],
    ["$A-$A", "a-a"],
    ["${MISSING}", ""],
    ["${MISSING:-def}", "def"],
    ["${EMPTY:-def}", "def"],
    ["${EMPTY-def}", ""],
    ["${MISSING-def}", "def"],
    ["${A:+alt}", "alt"],
    ["${EMPTY:+alt}", ""],
    ["${EMPTY+alt}", "alt"],
    ["${MISSING:-${A}x}", "ax"],
    ["cost: $$5 and $${A}", "cost: $5 and ${A}"],
    ["no dollar", "no dollar"],
  ];
  for (const [input, want] of cases) {
    assert.equal(interpolateString(input, lookup, "x"), want, input);
  }
});

Deno.test("interpolation: ${X:?message} without X is DKR-004 naming X", async () => {
  await rejects(
    () => interpolateString("${X:?missing}", lookup, "services.web.image"),
    "'X'",
    "missing",
    "services.web.image",
  );
  await rejects(() => interpolateString("${EMPTY:?}", lookup, "k"), "'EMPTY'");
  assert.equal(interpolateString("${EMPTY?err}", lookup, "k"), "");
  await rejects(() => interpolateString("${A", lookup, "k"), "invalid interpolation");
  await rejects(() => interpolateString("$1", lookup, "k"), "invalid interpolation");
  await rejects(() => interpolateString("${A:x}", lookup, "k"), "invalid interpolation");
});

Deno.test("interpolation: values only, keys kept, casts where the schema wants numbers", () => {
  const tree = {
    services: { web: { ports: [{ target: 80, published: "${P}" }], "${A}": "${A}" } },
  };
  const out = interpolateTree(tree, (n) => (n === "P" ? "8080" : "a"), castInterpolated) as {
    services: { web: Record<string, unknown> & { ports: { published: unknown }[] } };
  };
  assert.equal(out.services.web.ports[0].published, 8080);
  assert.equal(out.services.web["${A}"], "a");
  assert.equal(castInterpolated("services.web.privileged", "true"), true);
  assert.equal(castInterpolated("services.web.image", "123"), "123");
});

Deno.test(".env: export, quotes, comments and escapes", async () => {
  const env = parseDotenv(
    [
      "# comment",
      "",
      "export A=1",
      "B = two words # trailing comment",
      'C="line\\nbreak # kept"',
      "D='single $x'",
      "E=",
      "F",
    ].join("\n"),
    ".env",
  );
  assert.deepEqual(env, { A: "1", B: "two words", C: "line\nbreak # kept", D: "single $x", E: "" });
  await rejects(() => parseDotenv("not a var=1", "/p/.env"), "/p/.env line 1");
});

Deno.test("schema: typo and wrong type are DKR-004 naming the key", async () => {
  await rejects(
    () => load("services:\n  web:\n    image: x\n    imagee: y\n"),
    "services.web.imagee",
  );
  await rejects(
    () => load("services:\n  web:\n    image: x\n    restart: [1]\n"),
    "services.web.restart",
  );
  await rejects(
    () => load("services:\n  web:\n    image: x\n    ports: [{target: nope}]\n"),
    "services.web.ports[0].target",
  );
  await rejects(() => load("services: [1, 2]\n"), "services");
  await rejects(() => load("services:\n  web: {image: x}\n  web: {image: y}\n"), "YAML");
});

Deno.test("support: keys berth cannot run are refused by name, all at once", async () => {
  await rejects(
    () => load("services:\n  web:\n    image: x\n    devices: ['/dev/sda']\n"),
    "services.web.devices",
  );
  const keys = unsupportedKeys({
    secrets: {},
    services: {
      web: {
        image: "x",
        links: ["db"],
        "x-custom": 1,
        build: { context: ".", cache_from: ["a"] },
        deploy: { replicas: 3, resources: { reservations: { devices: [] } } },
        volumes: [{ type: "npipe", source: "a", target: "b" }],
      },
    },
  });
  assert.deepEqual(keys.sort(), [
    "secrets",
    "services.web.build.cache_from",
    "services.web.deploy.replicas",
    "services.web.deploy.resources.reservations.devices",
    "services.web.links",
    "services.web.volumes[0].type",
  ]);
  assert.deepEqual(
    unsupportedKeys({ services: { web: { image: "x", deploy: { replicas: 1 } } } }),
    [],
  );
});

Deno.test("short syntaxes: ports, volumes, durations", async () => {
  assert.deepEqual(parsePortString("8080:80", "p"), {
    target: "80",
    published: "8080",
    host_ip: undefined,
    protocol: "tcp",
  });
  assert.deepEqual(parsePortString("127.0.0.1:53:53/udp", "p"), {
    target: "53",
    published: "53",
    host_ip: "127.0.0.1",
    protocol: "udp",
  });
  assert.deepEqual(parsePortString("[::1]::80", "p"), {
    target: "80",
    published: "",
    host_ip: "::1",
    protocol: "tcp",
  });
  assert.equal(parsePortString("9000-9001:80-81", "p").published, "9000-9001");
  await rejects(() => parsePortString("a:b", "services.web.ports[0]"), "services.web.ports[0]");
  assert.deepEqual(parseVolumeString("data:/data:ro", "v"), {
    type: "volume",
    source: "data",
    target: "/data",
    read_only: true,
  });
  assert.equal(parseVolumeString("./src:/src:rshared", "v").propagation, "rshared");
  assert.equal(parseVolumeString("/anon", "v").source, undefined);
  await rejects(
    () => parseVolumeString("a:/b:bogus", "services.x.volumes[0]"),
    "services.x.volumes[0]",
  );
  assert.equal(parseGoDuration("1m30s", "d"), 90e9);
  assert.equal(parseGoDuration("500ms", "d"), 5e8);
  await rejects(() => parseGoDuration("10 seconds", "services.x.healthcheck.interval"), "interval");
  assert.equal(keyPath("/services/web/ports/0", "target"), "services.web.ports[0].target");
});

Deno.test("model: a typical file normalises fully", async () => {
  const project = await load(
    `
name: ignored-by-berth
services:
  db:
    image: postgres:\${PG:-16}
    environment: [POSTGRES_PASSWORD=secret, FROM_CALL]
    healthcheck: { test: pg_isready, interval: 2s, retries: 5 }
    volumes: [data:/var/lib/postgresql/data, /srv/init:/docker-entrypoint-initdb.d:ro]
    networks: { back: { aliases: [database] } }
  web:
    image: nginx
    command: nginx -g 'daemon off;'
    depends_on: { db: { condition: service_healthy } }
    ports: ["8080:80"]
    restart: on-failure:3
    deploy: { resources: { limits: { cpus: "0.5", memory: 64m }, reservations: { cpus: "0.25" } } }
    extra_hosts: { host.internal: 10.0.0.1 }
    networks: [back, default]
networks:
  back: {}
  outside: { external: true, name: shared-net }
volumes:
  data: {}
`,
    { environment: { FROM_CALL: "yes" } },
  );
  const { db, web } = project.services;
  assert.equal(db.image, "postgres:16");
  assert.deepEqual(db.environment, { POSTGRES_PASSWORD: "secret", FROM_CALL: "yes" });
  assert.deepEqual(db.healthcheck, {
    test: ["CMD-SHELL", "pg_isready"],
    interval: 2e9,
    timeout: undefined,
    start_period: undefined,
    retries: 5,
  });
  assert.equal(db.volumes[1].source, "/srv/init");
  assert.deepEqual(web.command, ["nginx", "-g", "daemon off;"]);
  assert.deepEqual(web.depends_on, { db: { condition: "service_healthy" } });
  assert.deepEqual(web.restart, { name: "on-failure", maximum_retry_count: 3 });
  assert.equal(web.cpus, 0.5);
  assert.equal(web.mem_limit, 64 * 1024 * 1024);
  assert.deepEqual(web.extra_hosts, ["host.internal:10.0.0.1"]);
  assert.equal(project.networks.back.name, "demo_back");
  assert.equal(project.networks.default.name, "demo_default");
  assert.deepEqual(project.networks.outside, {
    ...project.networks.outside,
    name: "shared-net",
    external: true,
  });
  assert.equal(project.volumes.data.name, "demo_data");
  assert.ok(project.warnings.some((w) => w.includes("reservations.cpus")));
});

Deno.test("model: references and relative paths are checked", async () => {
  await rejects(
    () => load("services:\n  web:\n    image: x\n    networks: [nope]\n"),
    "services.web.networks.nope",
  );
  await rejects(
    () => load("services:\n  web:\n    image: x\n    depends_on: [db]\n"),
    "services.web.depends_on.db",
  );
  await rejects(
    () => load("services:\n  web:\n    image: x\n    volumes: ['cache:/c']\n"),
    "services.web.volumes[0]",
    "cache",
  );
  await rejects(
    () => load("services:\n  web:\n    image: x\n    volumes: ['./src:/src']\n"),
    "services.web.volumes[0]",
    "relative path",
  );
  const project = await load(
    "services:\n  web:\n    image: x\n    volumes: ['./src/../app:/app']\n",
    {},
    "/home/me/proj",
  );
  assert.equal(project.services.web.volumes[0].source, "/home/me/proj/app");
  await rejects(() => load("services:\n  web: {}\n"), "services.web", "image");
});

Deno.test("selection: profiles, subsets with dependencies, dependency order, cycles", async () => {
  const project = await load(`
services:
  web: { image: x, depends_on: [api] }
  api: { image: x, depends_on: [db] }
  db: { image: x }
  debug: { image: x, profiles: [dev] }
`);
  const names = (list: { name: string }[]) => list.map((s) => s.name);
  assert.deepEqual(names(selectServices(project, undefined)), ["db", "api", "web"]);
  assert.deepEqual(names(selectServices(project, undefined, ["dev"])), [
    "db",
    "api",
    "web",
    "debug",
  ]);
  assert.deepEqual(names(selectServices(project, ["api"])), ["db", "api"]);
  assert.deepEqual(names(selectServices(project, ["debug"])), ["debug"]);
  await rejects(() => selectServices(project, ["nope"]), "'services'", "nope");
  const cyclic = await load(
    "services:\n  a: { image: x, depends_on: [b] }\n  b: { image: x, depends_on: [a] }\n",
  );
  await rejects(() => selectServices(cyclic, undefined), "cycle");
});
