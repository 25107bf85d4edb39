/**
 * Container write tools against the real engine (suite `cwrite`): every
 * create parameter, lifecycle actions, wait, run, remove and prune. Results
 * are checked with the docker CLI (`docker inspect`), not with berth's answer.
 */

import assert from "node:assert/strict";
import {
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

const SUITE = "cwrite";
const LABEL = { "berth.test": SUITE };

await cleanup(SUITE);
const app = await testApp({ allow: "all" });

/** `docker inspect --format` of one object. */
async function inspect(name: string, format: string): Promise<string> {
  return await docker("inspect", "--format", format, name);
}

/** The docker CLI's JSON, read field by field in assertions. */
// deno-lint-ignore no-explicit-any
type Loose = any;

/** `docker inspect` as JSON. */
async function inspectJson(name: string): Promise<Loose> {
  return JSON.parse(await docker("inspect", name))[0];
}

/** A host port nobody listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("cwrite: create with every parameter, as docker inspect sees it", async () => {
  const name = uniqueName("berth-cwrite-full");
  const network = uniqueName("berth-cwrite-net");
  const volume = uniqueName("berth-cwrite-vol");
  await docker("network", "create", "--label", `berth.test=${SUITE}`, network);
  await docker("volume", "create", "--label", `berth.test=${SUITE}`, volume);
  const hostDir = await Deno.makeTempDir({ prefix: "berth-cwrite-" });
  const port = freePort();
  try {
    const result = await callOk(app, "docker_create_container", {
      image: TEST_IMAGE,
      name,
      entrypoint: ["sh", "-c"],
      command: ["sleep 300"],
      environment: { GREETING: "hello world", COUNT: 3 },
      ports: { "80/tcp": `127.0.0.1:${port}`, "81": "127.0.0.1:" },
      volumes: [`${hostDir}:/data:ro`, `${volume}:/named`],
      network,
      restart_policy: { Name: "on-failure", MaximumRetryCount: 2 },
      mem_limit: "64m",
      mem_reservation: "32m",
      cpus: 0.5,
      labels: { ...LABEL, app: "full" },
      working_dir: "/tmp",
      user: "1000:1000",
      hostname: "berth-host",
      tty: true,
      healthcheck: { test: "true", interval: "10s", timeout: "2s", retries: 2, start_period: "1s" },
      start: true,
    });
    assert.equal(result.structured.name, name);
    assert.equal(result.structured.status, "running");
    assert.deepEqual(result.structured.warnings, []);

    const c = await inspectJson(name);
    assert.equal(c.Id, result.structured.container_id);
    assert.equal(c.State.Running, true);
    assert.deepEqual(c.Config.Entrypoint, ["sh", "-c"]);
    assert.deepEqual(c.Config.Cmd, ["sleep 300"]);
    assert.ok(c.Config.Env.includes("GREETING=hello world"));
    assert.ok(c.Config.Env.includes("COUNT=3"));
    assert.deepEqual(c.HostConfig.PortBindings["80/tcp"], [
      { HostIp: "127.0.0.1", HostPort: String(port) },
    ]);
    assert.deepEqual(c.HostConfig.PortBindings["81/tcp"], [{ HostIp: "127.0.0.1", HostPort: "" }]);
    const published = await docker("port", name, "80/tcp");
    assert.equal(published, `127.0.0.1:${port}`);
    const bind = c.Mounts.find((m: Loose) => m.Destination === "/data");
    assert.deepEqual([bind.Type, bind.Source, bind.RW], ["bind", hostDir, false]);
    const named = c.Mounts.find((m: Loose) => m.Destination === "/named");
    assert.deepEqual([named.Type, named.Name, named.RW], ["volume", volume, true]);
    assert.ok(network in c.NetworkSettings.Networks);
    assert.deepEqual(c.HostConfig.RestartPolicy, { Name: "on-failure", MaximumRetryCount: 2 });
    assert.equal(c.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(c.HostConfig.MemoryReservation, 32 * 1024 * 1024);
    assert.equal(c.HostConfig.NanoCpus, 500_000_000);
    assert.equal(c.Config.Labels.app, "full");
    assert.equal(c.Config.WorkingDir, "/tmp");
    assert.equal(c.Config.User, "1000:1000");
    assert.equal(c.Config.Hostname, "berth-host");
    assert.equal(c.Config.Tty, true);
    assert.deepEqual(c.Config.Healthcheck, {
      Test: ["CMD-SHELL", "true"],
      Interval: 10e9,
      Timeout: 2e9,
      StartPeriod: 1e9,
      Retries: 2,
    });
    assert.equal(c.HostConfig.Privileged, false);
    // The process really runs as the user asked for.
    assert.equal(await docker("exec", name, "id", "-u"), "1000");
  } finally {
    await docker("rm", "-f", "-v", name).catch(() => {});
    await docker("network", "rm", network).catch(() => {});
    await docker("volume", "rm", volume).catch(() => {});
    await Deno.remove(hostDir, { recursive: true });
  }
});

Deno.test("cwrite: auto-remove, a command string split like a shell, no start", async () => {
  const name = uniqueName("berth-cwrite-rm");
  const result = await callOk(app, "docker_create_container", {
    image: TEST_IMAGE,
    name,
    command: "sh -c 'echo \"a b\"; sleep 1'",
    remove: true,
    labels: LABEL,
  });
  assert.equal(result.structured.status, "created");
  assert.equal(await inspect(name, "{{.State.Status}}"), "created");
  assert.equal(await inspect(name, "{{.HostConfig.AutoRemove}}"), "true");
  assert.equal(
    await inspect(name, "{{json .Config.Cmd}}"),
    '["sh","-c","echo \\"a b\\"; sleep 1"]',
  );
});

Deno.test("cwrite: lifecycle actions change the state docker sees", async () => {
  const name = await runContainer(SUITE, { command: ["sleep", "300"] });
  const state = () => inspect(name, "{{.State.Status}}");

  let r = await callOk(app, "docker_stop_container", { container_id: name, timeout: 1 });
  assert.equal(r.structured.status, "exited");
  assert.equal(r.structured.changed, true);
  assert.equal(await state(), "exited");

  r = await callOk(app, "docker_stop_container", { container_id: name });
  assert.equal(r.structured.changed, false, "a 304 is success with nothing to do");
  assert.match(r.text, /already stopped.*304/);

  r = await call(app, "docker_pause_container", { container_id: name });
  assert.equal(errorCode(r), "DKR-010");
  assert.match(r.text, /start it first/i);

  r = await callOk(app, "docker_start_container", { container_id: name });
  assert.equal(r.structured.status, "running");
  assert.equal(await state(), "running");
  r = await callOk(app, "docker_start_container", { container_id: name });
  assert.equal(r.structured.changed, false);
  assert.match(r.text, /already running/);

  const startedAt = await inspect(name, "{{.State.StartedAt}}");
  r = await callOk(app, "docker_restart_container", { container_id: name, timeout: 1 });
  assert.equal(r.structured.status, "running");
  assert.notEqual(await inspect(name, "{{.State.StartedAt}}"), startedAt);

  r = await callOk(app, "docker_pause_container", { container_id: name });
  assert.equal(r.structured.status, "paused");
  assert.equal(await state(), "paused");
  r = await call(app, "docker_unpause_container", { container_id: name });
  assert.equal(r.structured.status, "running");
  assert.equal(await state(), "running");
  r = await call(app, "docker_unpause_container", { container_id: name });
  assert.equal(errorCode(r), "DKR-010", r.text);

  // PID 1 ignores signals it has no handler for: SIGUSR1 is sent, not a kill.
  r = await callOk(app, "docker_kill_container", { container_id: name, signal: "SIGUSR1" });
  assert.equal(r.structured.status, "running");
  assert.match(r.text, /sent SIGUSR1; status running/);
  r = await callOk(app, "docker_kill_container", { container_id: name, signal: "SIGKILL" });
  assert.equal(r.structured.status, "exited");
  assert.match(r.text, /killed; status exited/);
  assert.equal(await inspect(name, "{{.State.ExitCode}}"), "137");
  r = await call(app, "docker_kill_container", { container_id: name });
  assert.equal(errorCode(r), "DKR-010");

  r = await call(app, "docker_start_container", { container_id: "berth-cwrite-no-such" });
  assert.equal(errorCode(r), "DKR-002");
  r = await call(app, "docker_stop_container", { container_id: name, timeout: 600 });
  assert.equal(errorCode(r), "DKR-004", "a stop timeout beyond the call's deadline");
});

Deno.test("cwrite: with name lists, each lifecycle action answers the state it leaves", async () => {
  // Under lists a call resolves its container once, inspect included; the state read after the
  // action must be the engine's new one, not that first inspect's.
  const listed = await testApp({ allow: "all", allowContainers: ["berth-*"] });
  const name = await runContainer(SUITE, { command: ["sleep", "300"] });
  const steps: [string, Record<string, unknown>, string][] = [
    ["docker_stop_container", { timeout: 1 }, "exited"],
    ["docker_start_container", {}, "running"],
    ["docker_pause_container", {}, "paused"],
    ["docker_unpause_container", {}, "running"],
    ["docker_restart_container", { timeout: 1 }, "running"],
    ["docker_kill_container", {}, "exited"],
  ];
  for (const [tool, args, status] of steps) {
    const r = await callOk(listed, tool, { container_id: name, ...args });
    assert.equal(r.structured.status, status, `${tool}: ${r.text}`);
    assert.equal(await inspect(name, "{{.State.Status}}"), status, tool);
  }
  listed.close();
});

Deno.test("cwrite: pause and unpause answer the state they leave, every time in a row", async () => {
  // Docker 20.10 may record the paused state just after answering the pause: the
  // status must still be the new one, on every round, never a stale "running".
  const name = await runContainer(SUITE, { command: ["sleep", "300"] });
  for (let round = 0; round < 10; round++) {
    let r = await callOk(app, "docker_pause_container", { container_id: name });
    assert.match(r.text, /paused; status paused$/, `round ${round}`);
    assert.equal(r.structured.status, "paused");
    r = await callOk(app, "docker_unpause_container", { container_id: name });
    assert.match(r.text, /unpaused; status running$/, `round ${round}`);
    assert.equal(r.structured.status, "running");
  }
});

Deno.test("cwrite: wait answers the exit code, or DKR-008 when it is still running", async () => {
  const exiting = await runContainer(SUITE, { command: ["sh", "-c", "sleep 1; exit 7"] });
  const r = await callOk(app, "docker_wait_container", { container_id: exiting });
  assert.equal(r.structured.exit_code, 7);
  assert.equal(await inspect(exiting, "{{.State.ExitCode}}"), "7");

  const sleeping = await runContainer(SUITE, { command: ["sleep", "300"] });
  const timedOut = await call(app, "docker_wait_container", { container_id: sleeping, timeout: 1 });
  assert.equal(errorCode(timedOut), "DKR-008", timedOut.text);
  assert.match(timedOut.text, /still running/);
  assert.equal(await inspect(sleeping, "{{.State.Running}}"), "true");
});

Deno.test("cwrite: run with wait answers the exit code and the logs", async () => {
  const name = uniqueName("berth-cwrite-run");
  const r = await callOk(app, "docker_run_container", {
    image: TEST_IMAGE,
    name,
    command: "sh -c 'echo hi; echo oops >&2; exit 3'",
    labels: LABEL,
    wait: true,
  });
  assert.equal(r.structured.exit_code, 3);
  assert.equal(r.structured.status, "exited");
  assert.match(r.structured.logs as string, /^hi$/m);
  assert.match(r.structured.logs as string, /^oops$/m);
  assert.equal(await inspect(name, "{{.State.ExitCode}}"), "3");

  // remove + wait: the logs are read before berth removes the container.
  const gone = uniqueName("berth-cwrite-run-rm");
  const removed = await callOk(app, "docker_run_container", {
    image: TEST_IMAGE,
    name: gone,
    command: ["sh", "-c", "echo bye"],
    labels: LABEL,
    remove: true,
    wait: true,
  });
  assert.equal(removed.structured.exit_code, 0);
  assert.equal(removed.structured.logs, "bye");
  assert.match(removed.text, /\nLast 1 log line:\nbye$/);
  assert.equal(removed.structured.status, "removed");
  const silent = await callOk(app, "docker_run_container", {
    image: TEST_IMAGE,
    command: ["true"],
    labels: LABEL,
    remove: true,
    wait: true,
  });
  assert.equal(silent.structured.logs, "");
  assert.match(silent.text, /exited with code 0; status removed\nNo log output$/);
  await assert.rejects(docker("inspect", gone), /No such object/);

  const detached = await callOk(app, "docker_run_container", {
    image: TEST_IMAGE,
    command: ["sleep", "300"],
    labels: LABEL,
    ports: { "8080/tcp": "127.0.0.1:0" },
  });
  assert.equal(detached.structured.status, "running");
  assert.equal(detached.structured.exit_code, null);
  const id = detached.structured.container_id as string;
  assert.equal(await inspect(id, "{{.State.Running}}"), "true");
  // The random host port the engine picked, as docker port tells it.
  const picked = (await docker("port", id, "8080/tcp")).split("\n")[0].trim();
  assert.deepEqual(detached.structured.ports, [`${picked}->8080/tcp`]);
  assert.match(detached.text, new RegExp(`published ${picked.replaceAll(".", "\\.")}->8080/tcp`));
});

Deno.test("cwrite: what models send — JSON-encoded argv and policy, '/name', (?i) grep", async () => {
  const name = uniqueName("berth-cwrite-json");
  const run = await callOk(app, "docker_run_container", {
    image: TEST_IMAGE,
    name,
    command: '["sh", "-c", "echo hi; echo LINE 5"]',
    labels: LABEL,
    wait: true,
  });
  // The engine ran the argv, not one word "[sh,-c,…]".
  assert.equal(run.structured.exit_code, 0);
  assert.equal(run.structured.logs, "hi\nLINE 5");
  assert.deepEqual(JSON.parse(await inspect(name, "{{json .Config.Cmd}}")), [
    "sh",
    "-c",
    "echo hi; echo LINE 5",
  ]);

  // The name as inspect prints it, with its slash.
  const seen = await callOk(app, "docker_inspect_container", { container_id: `/${name}` });
  assert.equal((seen.structured.details as { Name: string }).Name, `/${name}`);
  const logs = await callOk(app, "docker_container_logs", {
    container_id: `/${name}`,
    grep: "(?i)line 5",
  });
  assert.equal(logs.structured.logs, "LINE 5");
  const bad = await call(app, "docker_container_logs", { container_id: name, grep: "(?i" });
  assert.equal(errorCode(bad), "DKR-004");
  assert.match(bad.text, /'grep' is not a valid regular expression: /);

  const created = uniqueName("berth-cwrite-json-create");
  await callOk(app, "docker_create_container", {
    image: TEST_IMAGE,
    name: created,
    entrypoint: '["sh", "-c"]',
    command: '["exit 0"]',
    restart_policy: '{"Name": "on-failure", "MaximumRetryCount": 2}',
    labels: LABEL,
  });
  const info = await inspectJson(created);
  assert.deepEqual(info.Config.Entrypoint, ["sh", "-c"]);
  assert.deepEqual(info.Config.Cmd, ["exit 0"]);
  assert.deepEqual(info.HostConfig.RestartPolicy, { Name: "on-failure", MaximumRetryCount: 2 });
});

Deno.test("cwrite: name in use, port in use, missing image, bad input", async () => {
  const taken = await runContainer(SUITE, { command: ["sleep", "300"] });
  let r = await call(app, "docker_create_container", {
    image: TEST_IMAGE,
    name: taken,
    labels: LABEL,
  });
  assert.equal(errorCode(r), "DKR-010");
  assert.match(r.text, /already in use/);

  const port = freePort();
  await runContainer(SUITE, { args: ["-p", `127.0.0.1:${port}:80`], command: ["sleep", "300"] });
  const name = uniqueName("berth-cwrite-port");
  r = await call(app, "docker_run_container", {
    image: TEST_IMAGE,
    name,
    command: ["sleep", "300"],
    ports: { "80/tcp": `127.0.0.1:${port}` },
    labels: LABEL,
  });
  assert.equal(errorCode(r), "DKR-006", r.text);
  await assert.rejects(
    docker("inspect", name),
    /No such object/,
    "the failed container is removed",
  );

  r = await call(app, "docker_create_container", {
    image: "berth-test/never-built:nope",
    labels: LABEL,
  });
  assert.equal(errorCode(r), "DKR-003");
  assert.match(r.text, /docker_pull_image/);

  r = await call(app, "docker_create_container", { image: TEST_IMAGE, ports: { "80/tcp": 70000 } });
  assert.equal(errorCode(r), "DKR-004");
  assert.match(r.text, /'ports\.80\/tcp'/);
  r = await call(app, "docker_create_container", { image: TEST_IMAGE, mem_limit: "lots" });
  assert.match(r.text, /'mem_limit'/);
});

Deno.test("cwrite: remove refuses a running container without force", async () => {
  const name = await runContainer(SUITE, { command: ["sleep", "300"] });
  let r = await call(app, "docker_remove_container", { container_id: name });
  assert.equal(errorCode(r), "DKR-010");
  assert.match(r.text, /Stop it first .* force: true/);
  assert.equal(await inspect(name, "{{.State.Running}}"), "true");

  r = await callOk(app, "docker_remove_container", {
    container_id: name,
    force: true,
    volumes: true,
  });
  assert.equal(r.structured.removed, true);
  await assert.rejects(docker("inspect", name), /No such object/);
  r = await call(app, "docker_remove_container", { container_id: name });
  assert.equal(errorCode(r), "DKR-002");
});

Deno.test("cwrite: prune removes the stopped containers its filters match", async () => {
  const batch = uniqueName("batch");
  const label = ["--label", `berth.prune=${batch}`];
  const stopped = await runContainer(SUITE, { args: label, command: ["true"] });
  const created = uniqueName("berth-cwrite-created");
  await docker("create", "--name", created, "--label", `berth.test=${SUITE}`, ...label, TEST_IMAGE);
  const running = await runContainer(SUITE, { args: label, command: ["sleep", "300"] });
  const kept = await runContainer(SUITE, {
    args: [...label, "--label", "keep=1"],
    command: ["true"],
  });
  await docker("wait", stopped, kept);
  const r = await callOk(app, "docker_prune_containers", {
    filters: { label: [`berth.test=${SUITE}`, `berth.prune=${batch}`], "label!": "keep" },
  });
  const deleted = r.structured.containers_deleted as string[];
  assert.equal(deleted.length, 2, r.text);
  await assert.rejects(docker("inspect", stopped), /No such object/);
  await assert.rejects(docker("inspect", created), /No such object/);
  assert.equal(await inspect(running, "{{.State.Running}}"), "true");
  assert.equal(await inspect(kept, "{{.State.Status}}"), "exited");
  const bad = await call(app, "docker_prune_containers", { filters: { name: "x" } });
  assert.equal(errorCode(bad), "DKR-004");
});

Deno.test("cwrite: on the default read-only app the write tools answer DKR-007", async () => {
  const readOnly = await testApp();
  const name = await runContainer(SUITE, { command: ["sleep", "300"] });
  try {
    for (
      const [tool, args] of [
        ["docker_start_container", { container_id: name }],
        ["docker_stop_container", { container_id: name }],
        ["docker_kill_container", { container_id: name }],
        ["docker_wait_container", { container_id: name }],
        ["docker_create_container", { image: TEST_IMAGE }],
        ["docker_run_container", { image: TEST_IMAGE }],
        ["docker_remove_container", { container_id: name, force: true }],
        ["docker_prune_containers", {}],
      ] as const
    ) {
      const r = await call(readOnly, tool, args);
      assert.equal(errorCode(r), "DKR-007", `${tool}: ${r.text}`);
    }
    assert.equal(await inspect(name, "{{.State.Running}}"), "true");
  } finally {
    readOnly.engine.close();
  }
});

Deno.test("cwrite: cleanup", async () => {
  await cleanup(SUITE);
  app.engine.close();
});
