/**
 * Records real engine answers and the results berth made of them, for
 * tests/unit/yaml_tools_test.ts: each call runs through the interpreter on
 * the real engine, and every answer the engine gave during it is kept beside
 * the final result (structured content and text). The unit test replays the
 * answers through the declarative shaping of the manifests and must get the
 * same result, byte for byte.
 *
 *   deno run -A tests/tools/record_shapes.ts [FIXTURE...]
 *
 * Record a fixture only while the code it proves the manifest against still
 * exists: recorded through the manifest itself, it proves nothing. Names
 * given record only those fixtures.
 *
 * Objects it makes carry `berth.test=yaml` and are removed at the end. The
 * podman_* fixtures were recorded the same way on the test bed's Podman
 * service (testApp's dockerHost unix:///run/podman/podman.sock), on objects
 * that were there.
 *
 * @module
 */

import { Interpreter } from "../../src/interpreter/mod.ts";
import { HANDLERS, SHAPERS } from "../../src/interpreter/mod.ts";
import type { EngineClient, EngineRequest } from "../../src/engine/client.ts";
import type { App } from "../../src/app/mod.ts";
import { docker, TEST_APP_IMAGE, TEST_IMAGE, testApp } from "../helpers/mod.ts";

const SUITE = "yaml";
const OUT = new URL("../fixtures/yaml_tools/", import.meta.url);

/** One engine answer seen during a call. */
interface Answer {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  answer: unknown;
}

/** An engine client that notes every JSON answer and the API version asked for. */
function recording(engine: EngineClient, log: Answer[], version: { value?: string }): EngineClient {
  const wrap = (target: EngineClient): EngineClient =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (typeof value !== "function") return value;
        if (prop === "scoped") {
          return (...a: unknown[]) =>
            wrap((value as (...a: unknown[]) => EngineClient).apply(t, a));
        }
        if (prop === "json") {
          return async (req: EngineRequest, ...rest: unknown[]) => {
            const answer = await value.call(t, req, ...rest);
            log.push({ method: req.method, path: req.path, query: clean(req.query), answer });
            return answer;
          };
        }
        if (prop === "request") {
          return async (req: EngineRequest, ...rest: unknown[]) => {
            const response: Response = await value.call(t, req, ...rest);
            log.push({ method: req.method, path: req.path, query: clean(req.query), answer: null });
            return response;
          };
        }
        if (prop === "apiVersion") {
          return async (...a: unknown[]) => (version.value = await value.apply(t, a));
        }
        return value.bind(t);
      },
    });
  return wrap(engine);
}

/** A container list cut to the keys docker_list_networks and docker_system_info read. */
function lean(list: unknown): unknown {
  return (list as Record<string, unknown>[]).map((c) => ({
    Id: c.Id,
    Names: c.Names,
    State: c.State,
    NetworkSettings: {
      Networks: Object.fromEntries(
        Object.entries(
          ((c.NetworkSettings as { Networks?: Record<string, { NetworkID?: string }> })
            ?.Networks) ?? {},
        ).map(([name, n]) => [name, { NetworkID: n.NetworkID }]),
      ),
    },
  }));
}

function clean(query?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!query) return undefined;
  const out = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? out : undefined;
}

const app = await testApp({ allow: "all" });
const only = new Set(Deno.args);

async function record(
  file: string,
  tool: string,
  args: Record<string, unknown>,
  on: App = app,
): Promise<void> {
  if (only.size && !only.has(file)) return;
  const answers: Answer[] = [];
  const version: { value?: string } = {};
  const interpreter = new Interpreter({
    tools: on.allTools,
    engine: recording(on.engine, answers, version),
    policy: on.policy,
    timeouts: on.config.timeouts,
    handlers: HANDLERS,
    shapers: SHAPERS,
  });
  const result = await interpreter.call(tool, args);
  if (result.isError) throw new Error(`${tool}: ${result.text}`);
  // The host's container list (other suites' too) is kept to what these tools read of it.
  if (tool === "docker_list_networks" || tool === "docker_system_info") {
    for (const a of answers) if (a.path === "/containers/json") a.answer = lean(a.answer);
  }
  const fixture = {
    tool,
    args,
    filters_containers: on.policy.filtersContainers,
    api_version: version.value,
    answers,
    structured: result.structured,
    text: result.text,
  };
  await Deno.writeTextFile(new URL(`${file}.json`, OUT), JSON.stringify(fixture, null, 2) + "\n");
  console.log(`recorded ${file}`);
}

await Deno.mkdir(OUT, { recursive: true });
const label = ["--label", `berth.test=${SUITE}`];
const stamp = Date.now().toString(36);
const volume = `berth-yaml-vol-${stamp}`;
const network = `berth-yaml-net-${stamp}`;
const container = `berth-yaml-top-${stamp}`;
const image = `berth-yaml/img:${stamp}`;
try {
  await docker(
    "volume",
    "create",
    ...label,
    "--label",
    "team=web",
    "--opt",
    "type=tmpfs",
    "--opt",
    "device=tmpfs",
    "--opt",
    "o=size=1m",
    volume,
  );
  await docker(
    "network",
    "create",
    ...label,
    "--label",
    "tier=back",
    "--subnet",
    "10.213.0.0/24",
    "--gateway",
    "10.213.0.1",
    "--internal",
    network,
  );
  await docker(
    "run",
    "-d",
    "--name",
    container,
    ...label,
    "--network",
    network,
    "-v",
    `${volume}:/data`,
    TEST_IMAGE,
    "sh",
    "-c",
    "sleep 3600",
  );
  // An image with every part the inspect text shows: entrypoint with a space,
  // env (one secret), ports, workdir, user, volumes and eleven labels.
  const changes = [
    'ENTRYPOINT ["/bin/sh", "-c", "echo hi there"]',
    'CMD ["run", "fast"]',
    "ENV DB_PASSWORD=hunter2 MODE=prod",
    "EXPOSE 8080/tcp",
    "EXPOSE 53/udp",
    "WORKDIR /srv",
    "USER nobody",
    'VOLUME ["/cache"]',
    ...Array.from({ length: 11 }, (_, i) => `LABEL l${i}=v${i}`),
    `LABEL berth.test=${SUITE}`,
  ];
  await docker("commit", ...changes.flatMap((c) => ["--change", c]), container, image);

  await record("inspect_volume", "docker_inspect_volume", { volume_name: volume });
  await record("list_volumes", "docker_list_volumes", {
    filters: { label: `berth.test=${SUITE}` },
  });
  await record("list_volumes_empty", "docker_list_volumes", {
    filters: { label: "berth.test=nothing-has-this" },
  });
  await record("inspect_network", "docker_inspect_network", { network_id: network });
  await record("inspect_network_host", "docker_inspect_network", { network_id: "host" });
  await record("container_top", "docker_container_top", { container_id: container });
  await record("container_top_aux", "docker_container_top", {
    container_id: container,
    ps_args: "aux",
  });
  await record("image_history", "docker_image_history", { image: TEST_APP_IMAGE });
  await record("image_history_commit", "docker_image_history", { image });
  await record("inspect_image", "docker_inspect_image", { image });
  await record("inspect_image_busybox", "docker_inspect_image", { image: TEST_IMAGE });
  await record("list_containers", "docker_list_containers", {
    all: true,
    filters: { label: `berth.test=${SUITE}` },
  });
  await record("list_images", "docker_list_images", { name: "berth-test/*" });
  await record("version", "docker_version", {});
  await record("list_networks", "docker_list_networks", {
    filters: { label: `berth.test=${SUITE}` },
  });
  await record("list_networks_all", "docker_list_networks", {});
  await record("system_info", "docker_system_info", {});
  const hiding = await testApp({ allow: "all", denyContainers: ["berth-yaml-hidden-*"] });
  try {
    await docker(
      "run",
      "-d",
      "--name",
      `berth-yaml-hidden-${stamp}`,
      ...label,
      "--network",
      network,
      TEST_IMAGE,
      "sleep",
      "3600",
    );
    await record("list_networks_hiding", "docker_list_networks", {
      filters: { label: `berth.test=${SUITE}` },
    }, hiding);
    await record("system_info_hiding", "docker_system_info", {}, hiding);
  } finally {
    hiding.engine.close();
    await docker("rm", "-f", `berth-yaml-hidden-${stamp}`).catch(() => {});
  }
  // A second network with the container on it: disconnected, then removed.
  const spare = `berth-yaml-spare-${stamp}`;
  if (!only.size || only.has("disconnect_container") || only.has("remove_network")) {
    await docker("network", "create", ...label, spare);
    await docker("network", "connect", spare, container);
  }
  await record("disconnect_container", "docker_disconnect_container", {
    container_id: container,
    network: spare,
  });
  await record("remove_network", "docker_remove_network", { network_id: spare });
  await docker("network", "rm", spare).catch(() => {});
  await docker("tag", image, `${image}-second`);
  await record("remove_image_untag", "docker_remove_image", { image_id: `${image}-second` });
  await docker("rm", "-f", container);
  await record("remove_image", "docker_remove_image", { image_id: image });
  await record("remove_volume", "docker_remove_volume", { volume_name: volume, force: false });
} finally {
  await docker("rm", "-f", container).catch(() => {});
  await docker("rmi", "-f", image, `${image}-second`).catch(() => {});
  await docker("network", "rm", network).catch(() => {});
  await docker("volume", "rm", "-f", volume).catch(() => {});
  app.engine.close();
}
