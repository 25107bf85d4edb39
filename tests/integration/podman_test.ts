/**
 * Podman as an engine (README: Podman): berth's tools against the test bed's
 * `podman system service` (tests/testbed/podman.sh), with the podman CLI as
 * ground truth: read tools, lifecycle, create and run, exec, logs, events,
 * images, networks and volumes; where Podman's Docker-compatible API differs,
 * the answer says so instead of failing obscurely.
 */

import { images as imageOps } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import { createApp } from "../../src/app/mod.ts";
import { loadConfig } from "../../src/config/mod.ts";
import { isMissingRoute } from "../../src/engine/errors.ts";
import { errorCode, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

const SUITE = "podman";
const RUN = uniqueName("run");
const LABELS = { "berth.test": SUITE, "berth.run": RUN };

async function podman(...args: string[]): Promise<string> {
  const out = await new Deno.Command("podman", { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`podman ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

async function cleanup(): Promise<void> {
  const filter = `label=berth.run=${RUN}`;
  const ids = await podman("ps", "-aq", "--filter", filter);
  if (ids) await podman("rm", "-f", ...ids.split("\n"));
  const networks = await podman("network", "ls", "-q", "--filter", filter);
  if (networks) await podman("network", "rm", "-f", ...networks.split("\n"));
  const volumes = await podman("volume", "ls", "-q", "--filter", filter);
  if (volumes) await podman("volume", "rm", "-f", ...volumes.split("\n"));
}

async function podmanApp(): Promise<App> {
  const env = (name: string) => (name === "HOME" ? "/nonexistent" : undefined);
  return await createApp(
    loadConfig(
      { dockerHost: "unix:///run/podman/podman.sock", allow: "all", confirm: false },
      env,
    ),
  );
}

async function ok(app: App, tool: string, args: Record<string, unknown> = {}) {
  const result = await app.interpreter.call(tool, args, { background: false });
  assert.ok(!result.isError, `${tool}: ${result.text}`);
  return result;
}

const state = (name: string) => podman("inspect", "--format", "{{.State.Status}}", name);

Deno.test("podman: read tools, lifecycle, run, exec, logs and events match the podman CLI", async () => {
  const app = await podmanApp();
  const name = uniqueName("berth-pod");
  try {
    const info = await ok(app, "docker_system_info");
    assert.equal(info.structured.engine_kind, "podman");
    assert.match(info.text, /^Podman /);
    assert.equal(
      info.structured.server_version,
      await podman("version", "--format", "{{.Server.Version}}"),
    );

    await ok(app, "docker_run_container", {
      image: TEST_IMAGE,
      name,
      command: ["sh", "-c", "echo ready; exec sleep 300"],
      labels: LABELS,
    });
    const id = await podman("inspect", "--format", "{{.Id}}", name);
    const listed = await ok(app, "docker_list_containers", {
      filters: { label: [`berth.run=${RUN}`] },
    });
    assert.deepEqual((listed.structured.containers as { id: string }[]).map((c) => c.id), [id]);
    const details = await ok(app, "docker_inspect_container", { container_id: name });
    assert.equal((details.structured.details as { Id: string }).Id, id);

    const logs = await ok(app, "docker_container_logs", { container_id: name });
    assert.equal(await podman("logs", name), "ready");
    assert.match(logs.text, /\bready\b/);
    const top = await ok(app, "docker_container_top", { container_id: name });
    assert.match(top.text, /sleep 300/);
    const stats = await ok(app, "docker_container_stats", { container_id: name });
    assert.equal((stats.structured.stats as { name: string }[])[0].name, name);

    const exec = await ok(app, "docker_exec_command", {
      container_id: name,
      command: ["sh", "-c", "echo out; echo err >&2; exit 3"],
    });
    assert.equal(exec.structured.exit_code, 3);
    assert.match(exec.text, /out/);

    for (
      const [tool, want] of [
        ["docker_pause_container", "paused"],
        ["docker_unpause_container", "running"],
        ["docker_stop_container", "exited"],
        ["docker_start_container", "running"],
        ["docker_restart_container", "running"],
        ["docker_kill_container", "exited"],
      ] as const
    ) {
      await ok(app, tool, { container_id: name });
      assert.equal(await state(name), want, tool);
    }

    const events = await ok(app, "docker_events", {
      since: "5m",
      filters: { container: [name] },
    });
    assert.match(events.text, new RegExp(`container start ${name}`), events.text);

    await ok(app, "docker_remove_container", { container_id: name });
    assert.equal(await podman("ps", "-aq", "--filter", `name=^${name}$`), "");
  } finally {
    app.close();
    await cleanup();
  }
});

Deno.test("podman: create, images, networks and volumes match the podman CLI; disk usage and missing routes say how Podman differs", async () => {
  const app = await podmanApp();
  const name = uniqueName("berth-pod-c");
  const net = uniqueName("berth-pod-net");
  const vol = uniqueName("berth-pod-vol");
  const tag = `berth-test/busybox:${uniqueName("pod")}`;
  try {
    await ok(app, "docker_create_container", {
      image: TEST_IMAGE,
      name,
      command: ["sleep", "300"],
      labels: LABELS,
    });
    assert.equal(await state(name), "created");

    const images = await ok(app, "docker_list_images");
    assert.match(images.text, /localhost\/berth-test\/busybox:latest/);
    const image = await ok(app, "docker_inspect_image", { image: TEST_IMAGE });
    assert.match(image.text, /localhost\/berth-test\/busybox/);
    await ok(app, "docker_tag_image", { source_image: TEST_IMAGE, target_image: tag });
    assert.match(await podman("images", "--format", "{{.Repository}}:{{.Tag}}"), /busybox:pod/);
    await ok(app, "docker_remove_image", { image_id: tag });
    assert.doesNotMatch(
      await podman("images", "--format", "{{.Repository}}:{{.Tag}}"),
      new RegExp(tag.split(":")[1]),
    );

    // A pull from the test bed's HTTP registry (tests/testbed/podman.sh marks it insecure).
    const pulled = "127.0.0.1:5000/berth-test/busybox:latest";
    await ok(app, "docker_pull_image", { image: pulled });
    assert.match(
      await podman("images", "--format", "{{.Repository}}:{{.Tag}}"),
      /127\.0\.0\.1:5000/,
    );
    await ok(app, "docker_remove_image", { image_id: pulled });
    assert.doesNotMatch(
      await podman("images", "--format", "{{.Repository}}:{{.Tag}}"),
      /127\.0\.0\.1:5000/,
    );

    await ok(app, "docker_create_network", { name: net, labels: LABELS });
    assert.equal(await podman("network", "ls", "-q", "--filter", `name=^${net}$`), net);
    const network = await ok(app, "docker_inspect_network", { network_id: net });
    assert.match(network.text, new RegExp(net));
    await ok(app, "docker_remove_network", { network_id: net });
    assert.equal(await podman("network", "ls", "-q", "--filter", `name=^${net}$`), "");

    await ok(app, "docker_create_volume", { name: vol, labels: LABELS });
    assert.equal(
      await podman("volume", "inspect", "--format", "{{.Mountpoint}}", vol),
      ((await ok(app, "docker_inspect_volume", { volume_name: vol })).structured.details as {
        Mountpoint?: string;
      }).Mountpoint,
    );
    const volumes = await ok(app, "docker_list_volumes");
    assert.match(volumes.text, new RegExp(vol));
    await ok(app, "docker_remove_volume", { volume_name: vol });
    assert.equal(await podman("volume", "ls", "-q", "--filter", `name=^${vol}$`), "");

    // Podman gives no LayersSize: the image size is summed per image, and said so.
    const df = await ok(app, "docker_system_df");
    assert.ok((df.structured.images as { size_mb: number }).size_mb > 0);
    assert.match(df.text, /no shared layer size \(Podman/);

    // A route Podman lacks is named as such, not as a missing object.
    const missing = await app.engine.request(imageOps.buildPrune()).then(
      () => undefined,
      (error) => error,
    );
    assert.ok(isMissingRoute(missing), String(missing));
    assert.match(String(missing.message), /does not serve POST \/build\/prune/);

    // A name that is not there is DKR-002 as on Docker.
    const absent = await app.interpreter.call("docker_inspect_container", {
      container_id: uniqueName("berth-pod-none"),
    });
    assert.equal(errorCode(absent), "DKR-002");
  } finally {
    app.close();
    await cleanup();
  }
});
