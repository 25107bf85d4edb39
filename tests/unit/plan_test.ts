/**
 * Request planning with hostile identifiers: no value a client sends may
 * produce a URL for another engine route (docs/security.md rule 1). Checked at
 * three layers: input validation, path expansion, and the engine client's
 * final pathname assertion.
 */

import assert from "node:assert/strict";
import { EngineClient } from "../../src/engine/client.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { checkFormat, IMAGE_REF, NAME_OR_ID } from "../../src/guard/formats.ts";
import { InputValidator } from "../../src/interpreter/input.ts";
import { encodeFilters, pathArguments, planRequest } from "../../src/interpreter/plan.ts";
import { containers, images, routeOf } from "../../src/engine/ops/mod.ts";
import type { ToolSpec } from "../../src/manifest/types.ts";

const HOSTILE_IDS = [
  "../images/json",
  "..",
  ".",
  "%2e%2e",
  "%2E%2E/%2e%2e/info",
  "..%2f..%2fimages",
  "a/../../images/json",
  "a/b",
  "a?b",
  "a?all=1",
  "a#b",
  "a\nb",
  "a\r\nHost: evil",
  "a\tb",
  "a b",
  "a\\b",
  "a\0b",
  "",
  "-rf",
  "x".repeat(5000),
  "ünïcode",
  "容器",
  "a\u202eb",
  "a%00b",
  "a;b",
  "a:b",
];

/** `a/b` and `a:b` are fine image references (repository path, tag); not for other ids. */
function hostileFor(param: string): string[] {
  return param === "image" ? HOSTILE_IDS.filter((id) => id !== "a/b" && id !== "a:b") : HOSTILE_IDS;
}

function toolSpec(path: string, param: string, format: "name_or_id" | "image_ref"): ToolSpec {
  return {
    name: "probe_tool",
    title: "Probe",
    description: "A tool for tests",
    permission: "read",
    timeout: "read",
    toolset: "custom",
    input: { [param]: { type: "string", description: "The id", required: true, format } },
    request: { method: "GET", path },
    response: { kind: "json" },
    output: { schema: {} },
    source: "test",
  };
}

const containerTop = toolSpec("/containers/{container_id}/top", "container_id", "name_or_id");
const imageInspect = toolSpec("/images/{image}/json", "image", "image_ref");

/** What the URL parser (and so fetch) would actually send for a path. */
function sentPath(path: string): string {
  const url = new URL(`http://192.0.2.1/v1.41${path}`);
  return url.pathname + url.search + url.hash;
}

function assertDkr004(fn: () => unknown, name: string, value: string): void {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BerthError, `${JSON.stringify(value)}: ${error}`);
    assert.equal(error.code, "DKR-004");
    assert.match(error.message, new RegExp(`'${name}'`), "the message names the field");
    return;
  }
  assert.fail(`${JSON.stringify(value).slice(0, 60)} was accepted`);
}

for (
  const [spec, param, route] of [
    [containerTop, "container_id", /^\/v1\.41\/containers\/[A-Za-z0-9_.-]+\/top$/],
    [imageInspect, "image", /^\/v1\.41\/images\/[A-Za-z0-9_.:@/-]+\/json$/],
  ] as const
) {
  Deno.test(`plan ${spec.request!.path}: hostile ids are refused before any URL exists`, () => {
    for (const id of hostileFor(param)) {
      assertDkr004(() => planRequest(spec, { [param]: id }), param, id);
    }
  });

  Deno.test(`input ${spec.request!.path}: hostile ids fail validation naming the field`, () => {
    const validator = new InputValidator(spec.input);
    for (const id of hostileFor(param)) {
      assertDkr004(() => validator.parse({ [param]: id }), param, id);
    }
  });

  Deno.test(`plan ${spec.request!.path}: accepted ids stay on the route after URL parsing`, () => {
    const ids = param === "image"
      ? ["nginx", "nginx:1.27", "127.0.0.1:5000/a/b:tag", `name@sha256:${"a".repeat(64)}`]
      : ["web", "a1b2c3d4e5f6", "my_app.v2-1", "x".repeat(255)];
    for (const id of ids) {
      const path = routeOf(planRequest(spec, { [param]: id }));
      assert.match(sentPath(path), route, id);
      assert.equal(sentPath(path), `/v1.41${path}`, `${id} was rewritten`);
    }
  });
}

Deno.test("pathArguments: a value of the wrong type or an undeclared format is refused", () => {
  const input = containerTop.input;
  assertDkr004(
    () => pathArguments("/containers/{container_id}/top", {}, input),
    "container_id",
    "",
  );
  assertDkr004(
    () => pathArguments("/containers/{container_id}/top", { container_id: 5 }, input),
    "container_id",
    "5",
  );
  const unchecked = { id: { type: "string" as const, description: "No format" } };
  assertDkr004(() => pathArguments("/containers/{id}/top", { id: "web" }, unchecked), "id", "web");
});

Deno.test("planRequest: a route is matched to its operation; an unknown one is a manifest error", () => {
  const top = planRequest(containerTop, { container_id: "web" });
  assert.equal(top.name, "container.top");
  assert.deepEqual(top.target, { kind: "container", ref: "web" });
  const image = planRequest(imageInspect, { image: "127.0.0.1:5000/a/b:1" });
  assert.equal(image.name, "image.inspect");
  assert.deepEqual(image.target, { kind: "image", ref: "127.0.0.1:5000/a/b:1" });
  // A literal segment wins over the target slot: the list, not a container called "json".
  const list = planRequest({
    ...containerTop,
    request: { method: "GET", path: "/containers/json" },
  }, {});
  assert.equal(list.name, "container.list");
  const literal = planRequest(
    { ...containerTop, request: { method: "GET", path: "/containers/web/json" } },
    {},
  );
  assert.deepEqual([literal.name, literal.target], ["container.inspect", {
    kind: "container",
    ref: "web",
  }]);
  for (
    const [method, path] of [["GET", "/containers/{container_id}/nothing"], [
      "POST",
      "/containers/{container_id}/top",
    ], ["GET", "/plugins"]] as const
  ) {
    try {
      planRequest({ ...containerTop, request: { method, path } }, { container_id: "web" });
      assert.fail(`${method} ${path} was accepted`);
    } catch (error) {
      assert.ok(error instanceof BerthError);
      assert.equal(error.code, "DKR-004");
      assert.match(error.message, /request\.path: no Engine API operation/);
    }
  }
});

Deno.test("planRequest: query and body mappings and error overrides", () => {
  const spec: ToolSpec = {
    ...containerTop,
    permission: "lifecycle",
    input: {
      ...containerTop.input,
      all: { type: "boolean", description: "All" },
      filters: { type: "object", description: "Filters" },
      tags: { type: "array", description: "Tags" },
    },
    request: {
      method: "POST",
      path: "/containers/{container_id}/kill",
      query: {
        all: "all",
        filters: { from: "filters", encode: "filters" },
        tags: { from: "tags", encode: "csv" },
        fixed: { value: "1" },
        missing: "nothing",
      },
      body: { Labels: { from: "filters", encode: "json" } },
    },
    response: { kind: "json", errors: { 404: "container_not_found" } },
  };
  const plan = planRequest(spec, {
    container_id: "web",
    all: true,
    filters: { status: "exited", label: ["a=b", "c"] },
    tags: ["x", "y"],
  });
  assert.deepEqual(plan, {
    name: "container.kill",
    method: "POST",
    target: { kind: "container", ref: "web" },
    query: {
      all: true,
      filters: '{"status":["exited"],"label":["a=b","c"]}',
      tags: "x,y",
      fixed: "1",
    },
    body: { Labels: '{"status":"exited","label":["a=b","c"]}' },
    errors: { 404: "container_not_found" },
  });
});

Deno.test("encodeFilters: values become arrays of strings; empty means none", () => {
  assert.equal(encodeFilters(undefined), undefined);
  assert.equal(encodeFilters({}), undefined);
  assert.equal(encodeFilters({ dangling: true }), '{"dangling":["true"]}');
  assert.equal(encodeFilters({ name: ["a", "b"] }), '{"name":["a","b"]}');
});

Deno.test("image references: valid forms", () => {
  for (
    const ref of [
      "nginx",
      "nginx:1.27",
      "library/nginx:latest",
      "127.0.0.1:5000/a/b:tag",
      "registry.example.com/team/app",
      "localhost:5000/app@sha256:" + "0123456789abcdef".repeat(4),
      `name@sha256:${"a".repeat(64)}`,
      `name:tag@sha256:${"b".repeat(64)}`,
      "[::1]:5000/app:v1",
      "sha256:" + "c".repeat(64),
      "0123456789ab",
      "my-app_1.x",
    ]
  ) {
    assert.ok(checkFormat("image_ref", ref), ref);
    assert.ok(IMAGE_REF.test(ref), ref);
  }
});

Deno.test("image references: invalid forms", () => {
  for (
    const ref of [
      "../x",
      "UPPER",
      "Nginx:latest",
      "a//b",
      "/nginx",
      "nginx/",
      "nginx:",
      "nginx:-tag",
      "nginx@sha256:short",
      "a b",
      "a?b",
      "a#b",
      "a\nb",
      "%2e%2e",
      "..",
      ".",
      "",
      "x:" + "t".repeat(200),
      "a".repeat(600),
    ]
  ) {
    assert.ok(!checkFormat("image_ref", ref), JSON.stringify(ref));
  }
});

Deno.test("names and IDs: one safe path segment", () => {
  for (const ok of ["web", "A1", "a.b_c-d", "0".repeat(64)]) assert.ok(NAME_OR_ID.test(ok), ok);
  for (const bad of [".", "..", ".hidden", "-x", "_x", "a/b", "a b", "", "x".repeat(256)]) {
    assert.ok(!NAME_OR_ID.test(bad), JSON.stringify(bad));
  }
});

// The client's last line of defence: whatever a handler builds, the URL sent
// must be exactly the path that was checked. The socket does not exist, so a
// path that passes the check ends in DKR-001, never in a request elsewhere.
const client = new EngineClient({
  endpoint: { kind: "unix", socketPath: "/nonexistent/berth-unit.sock" },
  apiVersion: "1.41",
});

Deno.test("EngineClient: a target that would change the route is refused before anything is sent", async () => {
  const hostile = [
    containers.inspect(".."),
    containers.inspect("."),
    images.inspect("a/../b"),
    images.inspect("./b"),
    images.inspect(".."),
  ];
  for (const op of hostile) {
    await assert.rejects(
      () => client.request(op),
      (error: unknown) => {
        assert.ok(error instanceof BerthError, `${JSON.stringify(op.target)}: ${error}`);
        assert.equal(error.code, "DKR-004", JSON.stringify(op.target));
        return true;
      },
    );
  }
});

Deno.test("EngineClient: any other target stays one segment of its route", async () => {
  const odd = ["%2e%2e", "a?b", "a#b", "a\nb", "a\tb", "a\\..\\info", "a b", "ünï", "a/b"];
  for (const ref of odd) {
    const route = routeOf(containers.inspect(ref));
    assert.equal(route, `/containers/${encodeURIComponent(ref)}/json`);
    assert.equal(sentPath(route), `/v1.41${route}`, JSON.stringify(ref));
    // Sent as rendered: it passes the client's check and then finds no socket (DKR-001).
    await assert.rejects(
      () => client.request(containers.inspect(ref)),
      (error: unknown) => error instanceof BerthError && error.code === "DKR-001",
    );
  }
});

Deno.test("EngineClient: a clean operation passes the check (then finds no socket: DKR-001)", async () => {
  await assert.rejects(
    () => client.request(containers.list({ all: true })),
    (error: unknown) => error instanceof BerthError && error.code === "DKR-001",
  );
});
