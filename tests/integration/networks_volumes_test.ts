/**
 * Network, volume and system prune tools against the real engine, checked
 * with the docker CLI: an internal network whose members reach each other by
 * alias but nothing outside, connect/disconnect, removal conflicts, volumes
 * with data, prune with reclaimed space, and the policy hooks.
 *
 * Everything carries `berth.test=netvol` plus this run's `berth.run` label.
 */

import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import { BerthError } from "../../src/errors/mod.ts";
import type { ToolResult } from "../../src/interpreter/mod.ts";
import {
  cleanupRun,
  docker,
  errorCode,
  labelArgs,
  runContainer,
  TEST_APP_IMAGE,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";

const SUITE = "netvol";
const RUN = uniqueName("run");
const LABELS = { "berth.test": SUITE, "berth.run": RUN };
const app: App = await testApp({ allow: "all" });

/** Not an object literal: `background` is honoured where the interpreter knows it. */
const WAIT = { background: false };

async function run(
  tool: string,
  args: Record<string, unknown>,
  on: App = app,
): Promise<ToolResult> {
  return await on.interpreter.call(tool, args, WAIT);
}

async function ok(
  tool: string,
  args: Record<string, unknown>,
  on: App = app,
): Promise<Record<string, unknown>> {
  const result = await run(tool, args, on);
  if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
  return result.structured;
}

/** Runs a command in a container; answers its output, or the error text when it fails. */
async function execIn(
  container: string,
  ...command: string[]
): Promise<{ ok: boolean; out: string }> {
  try {
    return { ok: true, out: await docker("exec", container, ...command) };
  } catch (error) {
    return { ok: false, out: String((error as Error).message) };
  }
}

/**
 * An HTTP GET from inside a container with busybox nc (the static busybox's wget
 * crashes in its libc resolver; nc and ping do not).
 */
async function httpGet(container: string, host: string, port: number) {
  const request = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port}`;
  return await execIn(container, "sh", "-c", request);
}

function includes(text: string, part: string): void {
  assert.ok(text.includes(part), `expected ${JSON.stringify(part)} in ${JSON.stringify(text)}`);
}

/** Runs a host command (ip); throws with its stderr when it fails. */
async function host(...args: string[]): Promise<void> {
  const out = await new Deno.Command(args[0], {
    args: args.slice(1),
    stdout: "null",
    stderr: "piped",
  })
    .output();
  if (!out.success) throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/**
 * A host outside Docker: a network namespace on this machine behind a veth pair,
 * reachable from containers only through the engine's forwarding (as the internet
 * would be). Needs root, as the test bed does.
 */
async function outsideHost(): Promise<{ ip: string; remove: () => Promise<void> }> {
  const id = Math.random().toString(36).slice(2, 8);
  const ns = `berth-nv-${id}`;
  const net = `10.252.${Math.floor(Math.random() * 250)}`;
  const remove = () => host("ip", "netns", "del", ns).catch(() => {});
  try {
    await host("ip", "netns", "add", ns);
    await host("ip", "link", "add", `bnv${id}a`, "type", "veth", "peer", "name", `bnv${id}b`);
    await host("ip", "link", "set", `bnv${id}b`, "netns", ns);
    await host("ip", "addr", "add", `${net}.1/30`, "dev", `bnv${id}a`);
    await host("ip", "link", "set", `bnv${id}a`, "up");
    const inNs = (...args: string[]) => host("ip", "netns", "exec", ns, ...args);
    await inNs("ip", "addr", "add", `${net}.2/30`, "dev", `bnv${id}b`);
    await inNs("ip", "link", "set", `bnv${id}b`, "up");
    await inNs("ip", "route", "add", "default", "via", `${net}.1`);
    return { ip: `${net}.2`, remove };
  } catch (error) {
    await remove();
    await host("ip", "link", "del", `bnv${id}a`).catch(() => {});
    throw error;
  }
}

async function gone(kind: "network" | "volume", name: string): Promise<boolean> {
  return await docker(kind, "inspect", name).then(() => false, () => true);
}

/** Creates the internal network on a free random /24 (another suite may hold one). */
async function createInternal(
  name: string,
): Promise<{ out: Record<string, unknown>; prefix: string }> {
  for (let attempt = 0;; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
    const result = await run("docker_create_network", {
      name,
      internal: true,
      subnet: `${prefix}.0/24`,
      gateway: `${prefix}.1`,
      labels: LABELS,
    });
    if (!result.isError) return { out: result.structured, prefix };
    if (attempt >= 4 || !/overlap/i.test(result.text)) throw new Error(result.text);
  }
}

Deno.test("netvol: an internal network joins containers by alias and blocks outbound traffic", async () => {
  const internal = uniqueName("berth-netvol-int");
  const outer = uniqueName("berth-netvol-out");
  const { out: created, prefix } = await createInternal(internal);
  assert.equal(created.name, internal);
  assert.equal(created.driver, "bridge");
  assert.equal(created.internal, true);
  const inspect = JSON.parse(await docker("network", "inspect", internal))[0];
  assert.equal(inspect.Id, created.network_id);
  assert.equal(inspect.Internal, true);
  assert.equal(inspect.Labels["berth.run"], RUN);
  assert.equal(inspect.IPAM.Config[0].Subnet, `${prefix}.0/24`);
  await ok("docker_create_network", { name: outer, labels: LABELS });

  const client = await runContainer(SUITE, {
    args: ["--network", outer, "--label", `berth.run=${RUN}`],
  });
  const control = await runContainer(SUITE, {
    args: ["--network", outer, "--label", `berth.run=${RUN}`],
  });
  const server = uniqueName("berth-netvol-app");
  await docker(
    "run",
    "-d",
    "--name",
    server,
    ...labelArgs(LABELS),
    "--network",
    outer,
    TEST_APP_IMAGE,
  );

  const serverId = await docker("inspect", "--format", "{{.Id}}", server);
  const joined = await ok("docker_connect_container", { container_id: client, network: internal });
  assert.equal(joined.connected, true);
  assert.equal(joined.container_id, await docker("inspect", "--format", "{{.Id}}", client));
  assert.equal(joined.network, internal);
  await ok("docker_connect_container", {
    container_id: serverId.slice(0, 16), // an ID prefix: resolved by the engine, used in full
    network: created.network_id as string,
    aliases: ["app-alias"],
    ipv4_address: `${prefix}.50`,
  });
  const serverNet = JSON.parse(
    await docker(
      "inspect",
      "--format",
      `{{json (index .NetworkSettings.Networks "${internal}")}}`,
      server,
    ),
  );
  assert.equal(serverNet.IPAddress, `${prefix}.50`);
  assert.ok(serverNet.Aliases.includes("app-alias"), JSON.stringify(serverNet.Aliases));

  // Leave only the internal network on client and server.
  for (const c of [client, server]) {
    const left = await ok("docker_disconnect_container", { container_id: c, network: outer });
    assert.equal(left.disconnected, true);
  }
  assert.equal(
    await docker("inspect", "--format", "{{len .NetworkSettings.Networks}}", client),
    "1",
  );

  // Members reach each other by alias.
  const page = await httpGet(client, "app-alias", 8080);
  assert.ok(page.ok, page.out);
  includes(page.out, "hello from berth-test/app");

  // Outbound: a host outside Docker (a network namespace behind a veth pair, made here)
  // answers pings from the control container, whose normal network routes out, but not
  // from the client: the engine drops what leaves an internal network.
  const outside = await outsideHost();
  try {
    const fromControl = await execIn(control, "ping", "-c", "1", "-W", "2", outside.ip);
    assert.ok(fromControl.ok, `control could not reach ${outside.ip}: ${fromControl.out}`);
    const fromClient = await execIn(client, "ping", "-c", "1", "-W", "2", outside.ip);
    assert.ok(!fromClient.ok, `internal client reached ${outside.ip}: ${fromClient.out}`);
  } finally {
    await outside.remove();
  }

  // Errors: missing container (DKR-002), missing network (DKR-011), already attached and
  // network in use (DKR-010).
  assert.equal(
    errorCode(
      await run("docker_connect_container", { container_id: `nope-${RUN}`, network: internal }),
    ),
    "DKR-002",
  );
  assert.equal(
    errorCode(
      await run("docker_connect_container", { container_id: client, network: `nope-${RUN}` }),
    ),
    "DKR-011",
  );
  assert.equal(
    errorCode(await run("docker_connect_container", { container_id: client, network: internal })),
    "DKR-010",
  );
  assert.equal(
    errorCode(
      await run("docker_disconnect_container", { container_id: control, network: internal }),
    ),
    "DKR-010",
  );
  const busy = await run("docker_remove_network", { network_id: internal });
  assert.equal(errorCode(busy), "DKR-010");
  assert.ok(!(await gone("network", internal)));
  assert.equal(
    errorCode(
      await run("docker_connect_container", {
        container_id: client,
        network: internal,
        ipv4_address: "x",
      }),
    ),
    "DKR-004",
  );

  // A container the policy hides looks missing. Hiding is what name lists do, and with them the
  // policy engine resolves every container reference (filtersContainers), as in production.
  const policy = app.policy as unknown as Record<string, unknown>;
  const saved = policy.containerVisible;
  policy.containerVisible = (name: string) => name !== control;
  Object.defineProperty(policy, "filtersContainers", { value: true, configurable: true });
  try {
    const hidden = await run("docker_connect_container", {
      container_id: control,
      network: internal,
    });
    assert.equal(errorCode(hidden), "DKR-002");
  } finally {
    policy.containerVisible = saved;
    delete policy.filtersContainers;
  }

  const forced = await ok("docker_disconnect_container", {
    container_id: server,
    network: internal,
    force: true,
  });
  assert.equal(forced.disconnected, true);
  assert.equal(
    await docker("inspect", "--format", "{{len .NetworkSettings.Networks}}", server),
    "0",
  );
  await docker("rm", "-f", client, server, control);
  const removed = await ok("docker_remove_network", { network_id: internal });
  assert.deepEqual(removed, { network_id: created.network_id, removed: true });
  assert.ok(await gone("network", internal));
  assert.equal(errorCode(await run("docker_remove_network", { network_id: internal })), "DKR-011");
});

Deno.test("netvol: create network validation and prune", async () => {
  assert.equal(
    errorCode(await run("docker_create_network", { name: "x", subnet: "10.0.0.0/33" })),
    "DKR-004",
  );
  assert.equal(
    errorCode(await run("docker_create_network", { name: "x", gateway: "10.0.0.1" })),
    "DKR-004",
  );
  assert.equal(errorCode(await run("docker_create_network", { name: "../x" })), "DKR-004");
  const nested = await run("docker_create_network", { name: "x", labels: { a: { b: 1 } } });
  assert.equal(errorCode(nested), "DKR-004");
  includes(nested.text, "'labels.a'");
  const name = uniqueName("berth-netvol-dup");
  await ok("docker_create_network", { name, labels: LABELS });
  assert.equal(errorCode(await run("docker_create_network", { name, labels: LABELS })), "DKR-010");

  const pruneLabel = `berth.prune=${uniqueName("n")}`;
  const [key, value] = pruneLabel.split("=");
  const names = [uniqueName("berth-netvol-p1"), uniqueName("berth-netvol-p2")];
  for (const n of names) {
    await ok("docker_create_network", { name: n, labels: { ...LABELS, [key]: value } });
  }
  const pruned = await ok("docker_prune_networks", { filters: { label: [pruneLabel] } });
  assert.deepEqual([...(pruned.networks_deleted as string[])].sort(), [...names].sort());
  for (const n of names) assert.ok(await gone("network", n));
  assert.ok(!(await gone("network", name)), "networks without the label stay");
});

/** Runs a throwaway labelled container with `volume` at /data; answers its output. */
async function inVolume(volume: string, ...command: string[]): Promise<string> {
  return await docker(
    "run",
    "--rm",
    "--network",
    "none",
    ...labelArgs(LABELS),
    "-v",
    `${volume}:/data`,
    TEST_IMAGE,
    ...command,
  );
}

/** Fills a volume with `mb` MB through a throwaway container. */
async function fill(volume: string, mb: number): Promise<void> {
  await inVolume(volume, "dd", "if=/dev/zero", "of=/data/fill", "bs=1048576", `count=${mb}`);
}

Deno.test("netvol: volumes are created, refused while in use, removed", async () => {
  const name = uniqueName("berth-netvol-vol");
  const created = await ok("docker_create_volume", { name, labels: LABELS });
  const inspect = JSON.parse(await docker("volume", "inspect", name))[0];
  assert.equal(created.name, name);
  assert.equal(created.driver, "local");
  assert.equal(created.mountpoint, inspect.Mountpoint);
  assert.equal(inspect.Labels["berth.run"], RUN);

  const user = await docker(
    "create",
    ...labelArgs(LABELS),
    "-v",
    `${name}:/data`,
    "berth-test/busybox:latest",
  );
  const inUse = await run("docker_remove_volume", { volume_name: name });
  assert.equal(errorCode(inUse), "DKR-010");
  includes((inUse.structured.error as { hint: string }).hint, "containers");
  assert.ok(!(await gone("volume", name)));
  await docker("rm", user);
  assert.deepEqual(await ok("docker_remove_volume", { volume_name: name }), {
    volume_name: name,
    removed: true,
  });
  assert.ok(await gone("volume", name));
  assert.equal(errorCode(await run("docker_remove_volume", { volume_name: name })), "DKR-011");

  // A generated name.
  const anonymous = await ok("docker_create_volume", { labels: LABELS });
  assert.match(anonymous.name as string, /^[0-9a-f]{64}$/);
});

Deno.test("netvol: local bind volumes need the config's permission, then the host path policy", async () => {
  const dir = await Deno.makeTempDir({ prefix: "berth-netvol-" });
  await Deno.writeTextFile(`${dir}/from-host.txt`, "bound");
  const refused = uniqueName("berth-netvol-nobind");
  const byDefault = await run("docker_create_volume", {
    name: refused,
    labels: LABELS,
    driver_opts: { type: "none", o: "bind", device: dir },
  });
  assert.equal(errorCode(byDefault), "DKR-007", byDefault.text);
  assert.ok(await gone("volume", refused));
  const config = await Deno.makeTempFile({ prefix: "berth-netvol-", suffix: ".yaml" });
  await Deno.writeTextFile(config, "permissions: { allow_volume_driver_opts: true }\n");
  const binds = await testApp({ allow: "all", config });
  await Deno.remove(config);
  const policy = binds.policy as unknown as Record<string, unknown>;
  const saved = policy.checkHostPath;
  const asked: string[] = [];
  policy.checkHostPath = (path: string, purpose: string) => {
    asked.push(`${purpose} ${path}`);
    if (path === "/") throw new BerthError("denied_by_policy", "Host path '/' is not allowed");
  };
  try {
    const name = uniqueName("berth-netvol-bind");
    await ok("docker_create_volume", {
      name,
      labels: LABELS,
      driver_opts: { type: "none", o: "bind", device: dir },
    }, binds);
    // Checked as written and as resolved (the same path here: no symlink in it).
    assert.ok(asked.length > 0, "the device was checked");
    assert.deepEqual([...new Set(asked)], [`bind ${dir}`]);
    const seen = await inVolume(name, "cat", "/data/from-host.txt");
    assert.equal(seen, "bound");

    const root = uniqueName("berth-netvol-root");
    const denied = await run("docker_create_volume", {
      name: root,
      labels: LABELS,
      driver_opts: { type: "none", o: "bind,ro", device: "/" },
    }, binds);
    assert.equal(errorCode(denied), "DKR-007");
    assert.ok(await gone("volume", root));
    const noDevice = await run(
      "docker_create_volume",
      { name: root, driver_opts: { o: "bind" } },
      binds,
    );
    assert.equal(errorCode(noDevice), "DKR-004");
  } finally {
    policy.checkHostPath = saved;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("netvol: prune removes anonymous volumes, named ones only with all", async () => {
  const pruneLabel = uniqueName("v");
  const labels = { ...LABELS, "berth.prune": pruneLabel };
  const named = uniqueName("berth-netvol-named");
  await ok("docker_create_volume", { name: named, labels });
  const anonymous = (await ok("docker_create_volume", { labels })).name as string;
  await fill(named, 3);
  await fill(anonymous, 3);
  const filters = { label: [`berth.prune=${pruneLabel}`] };

  const first = await ok("docker_prune_volumes", { filters });
  assert.deepEqual(first.volumes_deleted, [anonymous]);
  assert.ok(
    (first.space_reclaimed_mb as number) >= 2.9,
    `reclaimed ${first.space_reclaimed_mb} MB`,
  );
  assert.ok(await gone("volume", anonymous));
  assert.ok(!(await gone("volume", named)), "named volumes stay without all");

  const second = await ok("docker_prune_volumes", { all: true, filters });
  assert.deepEqual(second.volumes_deleted, [named]);
  assert.ok(
    (second.space_reclaimed_mb as number) >= 2.9,
    `reclaimed ${second.space_reclaimed_mb} MB`,
  );
  assert.ok(await gone("volume", named));
  assert.equal(
    errorCode(await run("docker_prune_volumes", { filters: { until: "1h" } })),
    "DKR-004",
  );
});

Deno.test("netvol: system prune sums every kind and leaves unlabelled build cache alone", async () => {
  const sys = uniqueName("s");
  const label = `berth.prune=${sys}`;
  const container = await runContainer(SUITE, {
    args: ["--network", "none", "--label", label, "--label", `berth.run=${RUN}`],
    command: ["true"],
    detach: false,
  });
  const network = uniqueName("berth-netvol-sys");
  await ok("docker_create_network", { name: network, labels: { ...LABELS, "berth.prune": sys } });
  const volume = (await ok("docker_create_volume", { labels: { ...LABELS, "berth.prune": sys } }))
    .name as string;
  await fill(volume, 2);

  const out = await ok("docker_system_prune", { volumes: true, filters: { label: [label] } });
  const id = await docker("inspect", "--format", "{{.Id}}", container).catch(() => "");
  assert.equal(id, "", "the stopped container is gone");
  assert.equal((out.containers_deleted as string[]).length, 1);
  assert.deepEqual(out.networks_deleted, [network]);
  assert.deepEqual(out.volumes_deleted, [volume]);
  assert.deepEqual(out.build_cache_deleted, []);
  assert.ok(
    (await run("docker_system_prune", { filters: { label: [label] } })).text.includes(
      "build cache skipped",
    ),
  );
  assert.ok((out.space_reclaimed_mb as number) >= 1.9, `reclaimed ${out.space_reclaimed_mb} MB`);
  assert.ok(await gone("network", network) && await gone("volume", volume));

  const bad = await run("docker_system_prune", { volumes: true, filters: { until: "24h" } });
  assert.equal(errorCode(bad), "DKR-004");
});

Deno.test("netvol: cleanup", async () => {
  await cleanupRun(RUN);
  app.engine.close();
});
