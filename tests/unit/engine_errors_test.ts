/**
 * Engine failures → DKR codes, in the one place that maps them
 * (src/engine/errors.ts), with the engine's message kept.
 */

import assert from "node:assert/strict";
import {
  classify,
  engineError,
  engineMessage,
  unreachable,
  withoutRepeats,
} from "../../src/engine/errors.ts";
import { BerthError, ERROR_CODES, invalidInput } from "../../src/errors/mod.ts";
import { registryHint, streamError } from "../../src/docker/registry/references.ts";
import { parseDockerHost } from "../../src/config/endpoint.ts";
import { sandboxError } from "../../src/engine/docker_host.ts";

const body = (message: string) => JSON.stringify({ message });

Deno.test("engineError: statuses map to the catalogue's codes", () => {
  const cases: [number, string, string][] = [
    [400, "invalid reference format", "DKR-004"],
    [401, "unauthorized", "DKR-005"],
    [403, "forbidden", "DKR-005"],
    [404, "network web not found", "DKR-011"],
    [409, 'Conflict. The container name "/web" is already in use', "DKR-010"],
    [304, "container already started", "DKR-010"],
    [500, "something broke", "DKR-012"],
    [503, "unavailable", "DKR-012"],
  ];
  for (const [status, message, code] of cases) {
    const error = engineError(status, body(message), "GET /x");
    assert.ok(error instanceof BerthError);
    assert.equal(error.code, code, `${status} ${message}`);
    assert.equal(error.status, status);
    assert.equal(error.context, "GET /x");
  }
});

Deno.test("engineError: the message decides when it is more precise than the status", () => {
  const cases: [number, string, string][] = [
    [404, "No such container: web", "DKR-002"],
    [404, "No such image: nginx:nope", "DKR-003"],
    [500, "No such image: nginx:nope", "DKR-003"],
    [404, "pull access denied for nope, repository does not exist", "DKR-003"],
    [404, "manifest unknown", "DKR-003"],
    [
      500,
      "driver failed programming external connectivity on endpoint web: Bind for 0.0.0.0:8080 failed: port is already allocated",
      "DKR-006",
    ],
    [500, "listen tcp4 0.0.0.0:80: bind: address already in use", "DKR-006"],
    [409, "No such container: web", "DKR-002"],
  ];
  for (const [status, message, code] of cases) {
    assert.equal(engineError(status, body(message), "ctx").code, code, message);
  }
});

Deno.test("engineError: route overrides rename a status, but not a precise message", () => {
  const overrides = { 404: "container_not_found" as const, 409: "conflict" as const };
  assert.equal(engineError(404, body("page not found"), "c", overrides).code, "DKR-002");
  assert.equal(
    engineError(404, body("No such image: x"), "c", { 404: "container_not_found" }).code,
    "DKR-003",
  );
  assert.equal(classify(404, "not found", { 404: "image_not_found" }), "image_not_found");
  assert.equal(classify(500, "boom", { 404: "image_not_found" }), "engine_error");
});

Deno.test("engineError: the engine's message is kept, capitalised, without trailing period", () => {
  const error = engineError(404, body("no such container: web."), "GET /containers/web/json");
  assert.equal(error.message, "No such container: web");
  assert.match(error.toText(), /^Error: DKR-002 container_not_found: No such container: web \|/);
  assert.match(error.toText(), /\| Context: GET \/containers\/web\/json \| Fix: /);
  const payload = error.toPayload();
  assert.equal(payload.code, "DKR-002");
  assert.equal(payload.type, "container_not_found");
  assert.ok(payload.hint.length > 0);
});

Deno.test("engineError: a message that shows the bad value names the berth parameter", () => {
  const start = "POST /containers/0123/start";
  const cases: [number, string, string, string, RegExp][] = [
    [
      400,
      'OCI runtime create failed: unable to start container process: exec: "nope": ' +
      "executable file not found in $PATH: unknown",
      start,
      "command",
      /first word .* must be an executable in the image/,
    ],
    [500, 'exec: "/app/run": stat /app/run: no such file or directory', start, "command", /sh/],
    [400, "Invalid filter 'bogus'", "GET /containers/json", "filters", /"status": \["exited"\]/],
    [400, "Invalid filter 'status=bogus'", "GET /containers/json", "filters", /filter names/],
    [400, "Invalid signal: SIGBOGUS", "POST /containers/0123/kill", "signal", /SIGTERM/],
    [
      500,
      "Cannot kill container: 0123: The linux daemon does not support signal 99",
      "POST /containers/0123/kill",
      "signal",
      /SIGKILL/,
    ],
    [400, "invalid reference format", "POST /containers/create", "image", /name\[:tag\]/],
    [400, "invalid reference format", "POST /build", "tag", /myapp:1\.0/],
  ];
  for (const [status, message, route, parameter, hint] of cases) {
    const error = engineError(status, body(message), route, { 404: "container_not_found" });
    assert.equal(error.code, "DKR-004", message);
    assert.ok(error.message.startsWith(`Parameter '${parameter}' was refused: `), error.message);
    assert.ok(error.message.includes(message.slice(1)), "the engine's words are kept");
    assert.match(error.hint, hint);
    assert.equal(error.context, route);
  }
});

Deno.test("engineError: precise classes keep their codes; an unexplained 400 says where to look", () => {
  // An image that is missing stays DKR-003 even on a route where the table could apply.
  assert.equal(engineError(404, body("No such image: x"), "POST /build").code, "DKR-003");
  const vague = engineError(400, body("bad parameter"), "POST /containers/create");
  assert.equal(vague.code, "DKR-004");
  assert.equal(vague.message, "Bad parameter");
  assert.match(vague.hint, /its message above says which one/);
});

Deno.test("engineError: what the engine forbids for what an object is says what to do instead", () => {
  const cases: [number, string, string, string, RegExp][] = [
    [
      403,
      "bridge is a pre-defined network and cannot be removed",
      "DELETE /networks/75ca",
      "DKR-010",
      /bridge, host and none are built into the engine and cannot be removed/,
    ],
    [
      403,
      "operation is not permitted on predefined host network ",
      "POST /networks/create",
      "DKR-010",
      /give your network another name/,
    ],
    [
      403,
      'only one instance of "host" network is allowed',
      "POST /networks/create",
      "DKR-010",
      /network: "host" or "none"/,
    ],
    [
      400,
      "container cannot be disconnected from host network or connected to host network",
      "POST /networks/0123/connect",
      "DKR-010",
      /recreate the container/,
    ],
    [
      403,
      "authorization denied by plugin opa: container create is not allowed",
      "POST /containers/create",
      "DKR-005",
      /authorization plugin of the engine refused this call/,
    ],
    [
      500,
      "container rootfs is marked read-only",
      "PUT /containers/0123/archive",
      "DKR-005",
      /read-only in the container .* use a writable path/,
    ],
    [403, "forbidden", "POST /swarm/x", "DKR-005", /forbids this operation/],
  ];
  for (const [status, message, route, code, hint] of cases) {
    const error = engineError(status, body(message), route);
    assert.equal(error.code, code, message);
    assert.match(error.hint, hint, message);
    assert.doesNotMatch(error.hint, /socket/, "berth reached the engine: not a socket problem");
    assert.ok(!error.message.endsWith(" "), "the engine's trailing space is dropped");
  }
  // The read-only advice is about copying into a container, not any read-only file system.
  const mount = engineError(
    500,
    body("mkdir /x: read-only file system"),
    "POST /containers/c/start",
  );
  assert.equal(mount.code, "DKR-012");
});

Deno.test("unreachable: a socket berth may not open is DKR-005 with the socket advice", () => {
  const denied = new TypeError("fetch failed", {
    cause: new Error(
      "error sending request for url (http://192.0.2.1/_ping): client error (Connect): " +
        "Permission denied (os error 13)",
    ),
  });
  const error = unreachable(denied, "unix:///var/run/docker.sock");
  assert.equal(error.code, "DKR-005");
  assert.match(error.message, /may not connect to the engine at unix:\/\/\/var\/run\/docker\.sock/);
  assert.match(error.hint, /group docker/);
  const refused = new TypeError("fetch failed", {
    cause: new Error("client error (Connect): Connection refused (os error 111)"),
  });
  assert.equal(unreachable(refused).code, "DKR-001");
});

Deno.test("engineError: a missing object's hint names the tool that lists its kind", () => {
  const cases: [string, string, RegExp][] = [
    ["Get x: no such volume", "DELETE /volumes/x", /docker_list_volumes/],
    ["network x not found", "GET /networks/x", /docker_list_networks/],
    ["page not found", "GET /containers/x/json", /docker_list_containers \(all: true\)/],
    ["not found", "GET /images/x/json", /docker_list_images/],
  ];
  for (const [message, route, hint] of cases) {
    const error = engineError(404, body(message), route);
    assert.equal(error.code, "DKR-011", message);
    assert.match(error.hint, hint, route);
  }
  assert.match(engineError(404, body("x"), "GET /plugins/x").hint, /docker_list_volumes/);
});

Deno.test("engineError: a driver or network that does not exist names the parameter, not a listing", () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'plugin "nosuchdriver" not found',
      "POST /networks/create",
      "driver",
      /bridge \(the default\)/,
    ],
    [
      'create v: error looking up volume plugin nosuchdriver: plugin "nosuchdriver" not found',
      "POST /volumes/create",
      "driver",
      /local \(the default\)/,
    ],
    ["network nope not found", "POST /containers/0123/start", "network", /docker_create_network/],
  ];
  for (const [message, route, parameter, hint] of cases) {
    // The container routes rename 404 to DKR-002; a missing network is not a missing container.
    const overrides = route.startsWith("POST /containers/")
      ? { 404: "container_not_found" as const }
      : {};
    const error = engineError(404, body(message), route, overrides);
    assert.equal(error.code, "DKR-004", message);
    assert.ok(error.message.startsWith(`Parameter '${parameter}' was refused: `), error.message);
    assert.match(error.hint, hint);
  }
});

Deno.test("registryHint: a refusal says pass auth when none was sent, check it when some was", () => {
  const none = registryHint("permission_denied", "unauthorized: authentication required", false);
  assert.match(none ?? "", /none were sent: pass auth \{username, password\}/);
  const given = registryHint("permission_denied", "unauthorized: authentication required", true);
  assert.match(given ?? "", /refused the credentials sent: check the username and password/);
  // The engine's own words show that nothing was sent, whatever the caller knows.
  const words = registryHint("permission_denied", "no basic auth credentials", undefined);
  assert.match(words ?? "", /none were sent/);
  assert.match(registryHint("image_not_found", "manifest unknown", true) ?? "", /reference/);
  const error = streamError("no basic auth credentials", "push x", "engine_error", false);
  assert.equal(error.code, "DKR-005");
  assert.match(error.hint, /none were sent/);
});

Deno.test("engineError: a message the engine wrapped in itself is said once", () => {
  const cases: [string, string][] = [
    [
      "no such image: berth-test/nope:1: No such image: berth-test/nope:1",
      "No such image: berth-test/nope:1",
    ],
    [
      "manifest for 127.0.0.1:5000/nope:1 not found: manifest unknown: manifest unknown",
      "Manifest for 127.0.0.1:5000/nope:1 not found: manifest unknown",
    ],
    ["a: b: a: b: c", "A: b: c"],
    ["conflict: name in use: name in use by x", "Conflict: name in use: name in use by x"],
  ];
  for (const [engine, said] of cases) {
    assert.equal(engineError(404, body(engine), "GET /images/x/json").message, said);
  }
  assert.equal(withoutRepeats("x: ".repeat(500)), "x: ".repeat(500), "long bodies left alone");
});

Deno.test("engineMessage: JSON, plain text and empty bodies", () => {
  assert.equal(engineMessage('{"message":"boom"}'), "boom");
  assert.equal(engineMessage("  502 Bad Gateway\n"), "502 Bad Gateway");
  assert.equal(engineMessage('{"other":1}'), '{"other":1}');
  assert.equal(engineMessage(""), "(no message)");
  assert.equal(engineMessage("x".repeat(5000)).length, 2000);
});

Deno.test("errors: every type has a distinct DKR code and a hint", () => {
  const codes = Object.values(ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const type of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
    const error = new BerthError(type, "Something happened");
    assert.match(error.code, /^DKR-\d{3}$/);
    assert.ok(error.hint.length > 10, type);
    assert.ok(!error.toText().includes("undefined"), type);
  }
});

Deno.test("invalidInput: names the field, DKR-004", () => {
  const error = invalidInput("tail", "must be at least 0");
  assert.equal(error.code, "DKR-004");
  assert.equal(error.message, "Parameter 'tail' must be at least 0");
  assert.match(error.hint, /'tail'/);
});

Deno.test("sandbox refusal of an engine socket names both setup fixes: --docker-host and --config", () => {
  const error = sandboxError(
    new Deno.errors.NotCapable('Requires read access to "/srv/e.sock"'),
    parseDockerHost("unix:///srv/e.sock"),
  );
  assert.equal(error.code, "DKR-005");
  assert.match(error.hint ?? "", /berth setup CLIENT --docker-host unix:\/\/\/srv\/e\.sock/);
  assert.match(error.hint ?? "", /berth setup CLIENT --config FILE' grants its sockets/);
});
