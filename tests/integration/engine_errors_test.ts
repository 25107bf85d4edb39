/**
 * Engine refusals against the real engine (suite `engerr`): when the engine's
 * words show which value was wrong, the error names the berth parameter and
 * its fix; a message the engine wraps in itself is said once.
 */

import assert from "node:assert/strict";
import {
  AUTH_REGISTRY,
  AUTH_USER,
  call,
  callOk,
  cleanup,
  docker,
  errorCode,
  runContainer,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";
import type { ToolResult } from "../../src/interpreter/mod.ts";

const SUITE = "engerr";
const LABELS = { "berth.test": SUITE };

await cleanup(SUITE);
const app = await testApp({ allow: "all" });

/** The `{code, message, hint}` of an error result. */
function errorOf(result: ToolResult): { code: string; message: string; hint: string } {
  assert.equal(result.isError, true, result.text);
  return result.structured.error as { code: string; message: string; hint: string };
}

Deno.test("engerr: a filter the engine does not know names 'filters'", async () => {
  const error = errorOf(
    await call(app, "docker_list_containers", { filters: { status: ["sleepy"] } }),
  );
  assert.equal(error.code, "DKR-004");
  assert.match(error.message, /^Parameter 'filters' was refused: Invalid filter 'status=sleepy'/);
  assert.match(error.hint, /"status": \["exited"\]/);
});

Deno.test("engerr: a signal the engine does not know names 'signal'", async () => {
  const target = await runContainer(SUITE, { command: ["sleep", "300"] });
  for (const signal of ["SIGBOGUS", "99"]) {
    const result = await call(app, "docker_kill_container", { container_id: target, signal });
    const error = errorOf(result);
    assert.equal(error.code, "DKR-004", result.text);
    assert.match(error.message, /^Parameter 'signal' was refused: /);
    assert.ok(error.message.includes(signal.replace("SIG", "")), error.message);
    assert.match(error.hint, /SIGTERM/);
  }
});

Deno.test("engerr: a missing image is said once, though the engine says it twice", async () => {
  const image = "berth-test/never-built:nope";
  const result = await call(app, "docker_inspect_image", { image });
  assert.equal(errorCode(result), "DKR-003", result.text);
  assert.equal(errorOf(result).message, `No such image: ${image}`);
  assert.equal(result.text.split("No such image").length, 2, result.text);
});

Deno.test("engerr: a run whose command is missing names 'command' and removes its container, as it says", async () => {
  for (const extra of [{ wait: true }, {}, { remove: true }]) {
    const name = uniqueName("berth-engerr-run");
    const args = { image: TEST_IMAGE, name, command: ["no-such-binary"], labels: LABELS };
    const result = await call(app, "docker_run_container", { ...args, ...extra });
    const error = errorOf(result);
    assert.equal(error.code, "DKR-004", result.text);
    assert.match(
      error.message,
      new RegExp(`^Container ${name} \\([0-9a-f]{12}\\) did not start and was removed again: `),
    );
    assert.match(error.message, /Parameter 'command' was refused: .*"no-such-binary"/);
    assert.match(error.hint, /must be an executable in the image/);
    assert.match(error.hint, /docker_create_container and start it with docker_start_container/);
    await assert.rejects(docker("inspect", name), /No such object/, JSON.stringify(extra));

    // Nothing is left behind: the corrected call can take the same name.
    const fixed = await callOk(app, "docker_run_container", {
      ...args,
      command: ["true"],
      wait: true,
    });
    assert.equal(fixed.structured.exit_code, 0);
    await docker("rm", "-f", name);
  }
});

Deno.test("engerr: create then start keeps a container whose command is missing, for diagnose", async () => {
  const name = uniqueName("berth-engerr-kept");
  await callOk(app, "docker_create_container", {
    image: TEST_IMAGE,
    name,
    command: ["no-such-binary"],
    labels: LABELS,
  });
  const result = await call(app, "docker_start_container", { container_id: name });
  const error = errorOf(result);
  assert.equal(error.code, "DKR-004", result.text);
  assert.match(error.message, new RegExp(`^Container ${name} did not start: Parameter 'command'`));
  assert.match(error.hint, /The container stays as it was/);
  assert.equal(await docker("inspect", "--format", "{{.State.Status}}", name), "created");

  const diagnosis = await callOk(app, "docker_diagnose", { container_id: name });
  const findings = diagnosis.structured.findings as { rule: string }[];
  assert.ok(findings.some((f) => f.rule === "start_failed"), JSON.stringify(findings));
});

Deno.test("engerr: the built-in networks are conflicts whose hint says what to do, not socket advice", async () => {
  const before = await docker("network", "ls", "--format", "{{.Name}}");
  for (const network_id of ["bridge", "host", "none"]) {
    const error = errorOf(await call(app, "docker_remove_network", { network_id }));
    assert.equal(error.code, "DKR-010", error.message);
    assert.match(error.message, new RegExp(`^${network_id} is a pre-defined network`, "i"));
    assert.match(error.hint, /bridge, host and none are built into the engine/);
  }
  const taken = errorOf(await call(app, "docker_create_network", { name: "host" }));
  assert.equal(taken.code, "DKR-010", taken.message);
  assert.match(taken.hint, /give your network another name/);
  const name = uniqueName("berth-engerr-net");
  const second = errorOf(await call(app, "docker_create_network", { name, driver: "host" }));
  assert.equal(second.code, "DKR-010", second.message);
  assert.match(second.hint, /network: "host" or "none"/);
  for (const error of [taken, second]) assert.doesNotMatch(error.hint, /socket/);
  assert.equal(await docker("network", "ls", "--format", "{{.Name}}"), before);
});

Deno.test("engerr: a container on the host network cannot join another: DKR-010 saying recreate", async () => {
  const target = await runContainer(SUITE, {
    args: ["--network", "host"],
    command: ["sleep", "300"],
  });
  const error = errorOf(
    await call(app, "docker_connect_container", { container_id: target, network: "bridge" }),
  );
  assert.equal(error.code, "DKR-010", error.message);
  assert.match(error.hint, /recreate the container/);
});

Deno.test("engerr: copying into a read-only container says the path is read-only", async () => {
  const target = await runContainer(SUITE, { args: ["--read-only"], command: ["sleep", "300"] });
  const result = await call(app, "docker_copy_to_container", {
    container_id: target,
    path: "/tmp",
    files: [{ name: "x.txt", content: "x" }],
  });
  const error = errorOf(result);
  assert.equal(error.code, "DKR-005", result.text);
  assert.match(error.message, /read-only/);
  assert.match(error.hint, /use a writable path/);
});

Deno.test("engerr: a driver the engine does not have names 'driver'; a missing volume names docker_list_volumes", async () => {
  const name = uniqueName("berth-engerr-drv");
  // The engine looks for a missing plugin for 15 s: both calls wait at once.
  // Volume drivers other than local need the operator's allowlist first (docs/security.md).
  const drivers = await Deno.makeTempFile({ prefix: "berth-engerr-", suffix: ".yaml" });
  await Deno.writeTextFile(drivers, "permissions: { allowed_volume_drivers: [nosuchdriver] }\n");
  const allowing = await testApp({ allow: "all", config: drivers });
  await Deno.remove(drivers);
  const tools = ["docker_create_network", "docker_create_volume"];
  const results = await Promise.all(
    tools.map((tool) => call(allowing, tool, { name, driver: "nosuchdriver", labels: LABELS })),
  );
  for (const result of results) {
    const error = errorOf(result);
    assert.equal(error.code, "DKR-004", result.text);
    assert.match(error.message, /^Parameter 'driver' was refused: .*nosuchdriver/);
    assert.match(error.hint, /\(the default\)/);
  }
  for (const tool of ["docker_remove_volume", "docker_inspect_volume"]) {
    const error = errorOf(await call(app, tool, { volume_name: name }));
    assert.equal(error.code, "DKR-011");
    assert.match(error.hint, /docker_list_volumes/);
  }
  const network = errorOf(await call(app, "docker_remove_network", { network_id: name }));
  assert.equal(network.code, "DKR-011");
  assert.match(network.hint, /docker_list_networks/);
});

Deno.test("engerr: a run on a network that does not exist names 'network', not the container", async () => {
  const missing = uniqueName("berth-engerr-nonet");
  const result = await call(app, "docker_run_container", {
    image: TEST_IMAGE,
    network: missing,
    labels: LABELS,
  });
  const error = errorOf(result);
  assert.equal(error.code, "DKR-004", result.text);
  assert.match(error.message, new RegExp(`Parameter 'network' was refused: Network ${missing}`));
  assert.match(error.hint, /docker_create_network/);
});

Deno.test("engerr: a registry that wants credentials says pass auth when none were sent", async () => {
  const ref = `${AUTH_REGISTRY}/${uniqueName("berth-engerr")}:1`;
  await docker("tag", TEST_IMAGE, ref);
  try {
    for (const tool of ["docker_push_image", "docker_pull_image"]) {
      const none = errorOf(await call(app, tool, { image: ref }));
      assert.equal(none.code, "DKR-005", none.message);
      assert.match(none.hint, /none were sent: pass auth \{username, password\}/);
      assert.doesNotMatch(none.hint, /refused the credentials/);
      const wrong = errorOf(
        await call(app, tool, { image: ref, auth: { username: AUTH_USER, password: "wrong-pw" } }),
      );
      assert.equal(wrong.code, "DKR-005", wrong.message);
      assert.match(wrong.hint, /refused the credentials sent: check the username and password/);
    }
  } finally {
    await docker("rmi", ref);
  }
});

Deno.test("engerr: cleanup", async () => {
  await cleanup(SUITE);
  app.engine.close();
});
