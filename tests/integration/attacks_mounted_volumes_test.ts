/**
 * Host files read through a volume that already exists (suite
 * `attacks-mounted-volumes`): a volume made outside berth with the docker CLI
 * (`-o type=none -o o=bind -o device=/etc`, or an overlay `lowerdir=/etc`)
 * keeps its options, so mounting it by name reads the host's `/etc` although
 * berth refuses both the bind and such a volume create. Create, run and
 * compose (`external: true`, `name:` and the plain name), a swarm service and
 * a stack (on tests/testbed/swarm.sh's engine) are refused with
 * DKR-007, and `docker ps` shows that no container was made; a plain volume
 * still mounts.
 */

import assert from "node:assert/strict";
import type { ToolResult } from "../../src/interpreter/mod.ts";
import {
  call,
  cleanup,
  docker,
  errorCode,
  removeLabelled,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";

const SUITE = "attacks-mounted-volumes";
const LABEL = { "berth.test": SUITE };
await cleanup(SUITE);

const RUN = uniqueName("mv").toLowerCase();
const BIND_VOLUME = `${RUN}-etc`;
const PLAIN_VOLUME = `${RUN}-plain`;
const label = ["--label", `berth.test=${SUITE}`];
/** The CLI's arguments for a local volume bound to the host's /etc, made outside berth. */
const etcBindVolume = (name: string) => [
  "volume",
  "create",
  ...label,
  "-o",
  "type=none",
  "-o",
  "o=bind",
  "-o",
  "device=/etc",
  name,
];
await docker(...etcBindVolume(BIND_VOLUME));
await docker("volume", "create", ...label, PLAIN_VOLUME);

const app = await testApp({ allow: "create" });

async function containersOf(prefix: string): Promise<string> {
  return await docker("ps", "-a", "--filter", `name=${prefix}`, "--format", "{{.Names}}");
}

function refusedForVolume(result: ToolResult, what: string): void {
  assert.equal(errorCode(result), "DKR-007", `${what}: ${result.text}`);
  assert.match(result.text, new RegExp(`existing volume '${BIND_VOLUME}'`), what);
}

Deno.test("mounted volume attack: create and run of a bind volume made outside berth are refused", async () => {
  const forms: [string, Record<string, unknown>][] = [
    ["create", { volumes: [`${BIND_VOLUME}:/host`] }],
    ["create", { volumes: { [BIND_VOLUME]: { bind: "/host", mode: "ro" } } }],
    ["run", { volumes: [`${BIND_VOLUME}:/host:ro`], command: ["cat", "/host/hostname"] }],
  ];
  for (const [i, [tool, extra]] of forms.entries()) {
    const name = `${RUN}-c${i}`;
    const result = await call(app, `docker_${tool}_container`, {
      image: TEST_IMAGE,
      name,
      labels: LABEL,
      ...extra,
    });
    refusedForVolume(result, `${tool} ${JSON.stringify(extra)}`);
    assert.equal(await containersOf(name), "", `${name} was not created`);
  }
});

Deno.test("mounted volume attack: compose mounting a bind volume made outside berth is refused", async () => {
  const svc = `services:\n  a:\n    image: ${TEST_IMAGE}\n    command: [sleep, "60"]\n` +
    `    labels: { berth.test: ${SUITE} }\n`;
  const files = [
    `${svc}    volumes: ["v:/host"]\nvolumes:\n  v: { external: true, name: ${BIND_VOLUME} }\n`,
    `${svc}    volumes: ["${BIND_VOLUME}:/host"]\nvolumes:\n  ${BIND_VOLUME}: { external: true }\n`,
    `${svc}    volumes: ["v:/host"]\nvolumes:\n  v: { name: ${BIND_VOLUME} }\n`,
  ];
  for (const [i, yaml] of files.entries()) {
    const project = `${RUN}-p${i}`;
    try {
      const result = await call(app, "docker_compose_up", {
        project_name: project,
        compose_yaml: yaml,
      });
      refusedForVolume(result, yaml);
      assert.equal(await containersOf(project), "", `${project} made no container`);
    } finally {
      await removeLabelled(`com.docker.compose.project=${project}`);
    }
  }
});

Deno.test("mounted volume attack: a plain existing volume still mounts", async () => {
  const name = `${RUN}-ok`;
  const result = await call(app, "docker_create_container", {
    image: TEST_IMAGE,
    name,
    labels: LABEL,
    volumes: [`${PLAIN_VOLUME}:/data`],
  });
  assert.equal(errorCode(result), undefined, result.text);
  assert.equal(await containersOf(name), name);
  await cleanup(SUITE);
});

Deno.test("mounted volume attack: a swarm service and a stack mounting such a volume are refused", async () => {
  const host = "unix:///run/berth-swarm/docker.sock"; // tests/testbed/swarm.sh
  const sdocker = (...args: string[]) => docker("-H", host, ...args);
  const swarm = await testApp({ dockerHost: host, allow: "all" });
  const volume = `${RUN}-swetc`;
  const service = `${RUN}-sv`;
  const stack = `${RUN}st`;
  await sdocker(...etcBindVolume(volume));
  try {
    const created = await swarm.interpreter.call("docker_create_service", {
      name: service,
      image: "berth-test/busybox",
      command: ["sleep", "300"],
      labels: LABEL,
      mounts: [{ type: "volume", source: volume, target: "/host" }],
    }, { background: false });
    assert.equal(errorCode(created), "DKR-007", created.text);
    const deployed = await swarm.interpreter.call("docker_stack_deploy", {
      stack_name: stack,
      compose_yaml: `services:\n  a:\n    image: berth-test/busybox\n    command: sleep 300\n` +
        `    volumes: ["v:/host"]\nvolumes:\n  v: { external: true, name: ${volume} }\n`,
    }, { background: false });
    assert.equal(errorCode(deployed), "DKR-007", deployed.text);
    const services = await sdocker("service", "ls", "--format", "{{.Name}}");
    assert.ok(!services.split("\n").some((s) => s === service || s.startsWith(`${stack}_`)));
  } finally {
    await sdocker("volume", "rm", "-f", volume);
    swarm.engine.close();
  }
});
