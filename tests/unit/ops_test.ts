/**
 * The operation table (src/engine/ops/): routes rendered from targets, each
 * target one segment (an image reference whole), manifest routes matched
 * segment by segment, and a manifest's declared target held to the route's.
 */

import {
  containers,
  encodeRef,
  images,
  matchRoute,
  networks,
  routeOf,
  ROUTES,
  swarm,
  system,
} from "../../src/engine/ops/mod.ts";
import { requestOf } from "../../src/engine/client.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { planRequest } from "../../src/interpreter/plan.ts";
import type { ToolSpec } from "../../src/manifest/types.ts";
import { assert, assertEquals } from "../helpers/asserts.ts";

Deno.test("ops: an operation renders its route from its target, query and body kept apart", () => {
  const logs = containers.logs("web", { tail: "10", timestamps: true, since: undefined });
  assertEquals(logs.name, "container.logs");
  assertEquals(logs.target, { kind: "container", ref: "web" });
  assertEquals(logs.query, { tail: "10", timestamps: true }, "undefined values are dropped");
  assertEquals(routeOf(logs), "/containers/web/logs");
  assertEquals(
    routeOf({ ...logs, target: { kind: "container", ref: "a".repeat(64) } }),
    `/containers/${"a".repeat(64)}/logs`,
  );
  const connect = networks.connect("front", { Container: "web" });
  assertEquals(requestOf(connect).body, { Container: "web" });
  assertEquals(requestOf(connect).path, "/networks/front/connect");
  assertEquals(requestOf(system.ping()).versioned, false, "/_ping is outside the version prefix");
  assertEquals(routeOf(swarm.listOp("services")), "/services");
});

Deno.test("ops: a name is one segment; an image reference keeps its slashes, tag and digest", () => {
  assertEquals(routeOf(containers.inspect("a/b?c#d")), "/containers/a%2Fb%3Fc%23d/json");
  const digest = `sha256:${"f".repeat(64)}`;
  assertEquals(
    routeOf(images.inspect(`127.0.0.1:5000/team/app:1.2@${digest}`)),
    `/images/127.0.0.1:5000/team/app:1.2@${digest}/json`,
  );
  assertEquals(encodeRef("image", "a b/c?d"), "a%20b/c%3Fd");
  assertEquals(encodeRef("volume", "a/b"), "a%2Fb");
});

Deno.test("ops: a target of the wrong kind is a bug, not a route", () => {
  let thrown = false;
  try {
    routeOf({ ...containers.inspect("web"), target: { kind: "image", ref: "web" } });
  } catch {
    thrown = true;
  }
  assert(thrown);
});

Deno.test("ops: manifest routes match segment by segment; a literal segment wins over the slot", () => {
  assertEquals(matchRoute("GET", "/containers/{id}/top"), { name: "container.top", param: "id" });
  assertEquals(matchRoute("get", "/containers/json"), { name: "container.list" });
  assertEquals(matchRoute("POST", "/containers/create"), { name: "container.create" });
  assertEquals(matchRoute("GET", "/containers/web/json"), {
    name: "container.inspect",
    literal: "web",
  });
  assertEquals(matchRoute("DELETE", "/images/{image_id}"), {
    name: "image.remove",
    param: "image_id",
  });
  assertEquals(matchRoute("GET", "/_ping"), { name: "system.ping" });
  for (
    const [method, path] of [
      ["GET", "/containers/{id}/top/extra"],
      ["PATCH", "/containers/{id}"],
      ["GET", "containers/json"],
      ["POST", "/plugins/pull"],
      ["GET", "/v1.41/containers/json"],
    ]
  ) {
    assertEquals(matchRoute(method, path), undefined, `${method} ${path}`);
  }
  // Every route of the table matches itself.
  for (const [name, route] of Object.entries(ROUTES)) {
    assertEquals(matchRoute(route.method, route.path)?.name, name);
  }
});

Deno.test("ops: a manifest's declared target must be the kind of the route's object", () => {
  const spec: ToolSpec = {
    name: "docker_probe",
    toolset: "custom",
    title: "Probe",
    description: "Probe",
    permission: "read",
    timeout: "read",
    input: { x: { type: "string", description: "X", required: true, format: "name_or_id" } },
    request: { method: "GET", path: "/containers/{x}/top", target: { image: "x" } },
    response: { kind: "json" },
    output: { schema: {} },
    source: "probe.yaml",
  };
  try {
    planRequest(spec, { x: "web" });
    assert(false, "a container route declared as an image was accepted");
  } catch (error) {
    assert(error instanceof BerthError);
    assertEquals(error.code, "DKR-004");
    assert(error.message.includes("request.target.image"), error.message);
  }
  const fixed = { ...spec, request: { ...spec.request!, target: { container: "x" } } };
  assertEquals(planRequest(fixed, { x: "web" }).target, { kind: "container", ref: "web" });
});
