/**
 * Attacks through volume drivers and their options, against the real engine
 * (suite `attacks-volumes`): the overlay `lowerdir=/etc` (which let a
 * container read the host's /etc/shadow), `o=bind` of /, nfs and cifs to a
 * host, a disk device, a plugin driver; through docker_create_volume, a
 * compose top-level volume, and a create body's volume mount and
 * `VolumeDriver` sent straight to the engine client. Only a tmpfs passes by
 * default; the docker CLI confirms that no volume or container was made.
 */

import { containers } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import {
  call,
  callOk,
  cleanup,
  docker,
  errorCode,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";

const SUITE = "attacks-volumes";
const LABEL = { "berth.test": SUITE };
await cleanup(SUITE);

const app = await testApp({ allow: "all" });

const HOSTILE: Record<string, string>[] = [
  { type: "overlay", device: "overlay", o: "lowerdir=/etc:/tmp/berth-x/lower2" },
  {
    type: "overlay",
    device: "overlay",
    o: "lowerdir=/tmp/berth-x/l,upperdir=/tmp/u,workdir=/tmp/w",
  },
  { type: "none", o: "bind", device: "/" },
  { type: "none", o: "bind,ro", device: "/tmp" },
  { o: "rbind", device: "/etc" },
  { type: "nfs", o: "addr=127.0.0.1,rw", device: ":/export" },
  { type: "nfs4", o: "addr=127.0.0.1", device: ":/" },
  { type: "cifs", o: "addr=127.0.0.1,username=x", device: "//127.0.0.1/share" },
  { type: "ext4", device: "/dev/sda1" },
  { type: "btrfs", device: "/dev/vda" },
  { type: "tmpfs", device: "/etc" },
  { type: "tmpfs", device: "tmpfs", o: "size=1m,bind" },
  { type: "tmpfs", device: "tmpfs", o: "size=1m,lowerdir=/etc" },
  { type: "proc", device: "proc" },
  { type: "sysfs", device: "sysfs" },
  { Type: "overlay", device: "overlay", o: "lowerdir=/etc" },
];

async function volumeExists(name: string): Promise<boolean> {
  return (await docker("volume", "ls", "-q", "--filter", `name=^${name}$`)) !== "";
}

Deno.test("volume attack: docker_create_volume refuses every option but a tmpfs", async () => {
  for (const driver_opts of HOSTILE) {
    const name = uniqueName("berth-atkvol");
    const result = await call(app, "docker_create_volume", { name, labels: LABEL, driver_opts });
    assert.equal(errorCode(result), "DKR-007", `${JSON.stringify(driver_opts)}: ${result.text}`);
    assert.equal(await volumeExists(name), false, `${name} was created`);
  }
  const plugin = uniqueName("berth-atkvol-plugin");
  const result = await call(app, "docker_create_volume", {
    name: plugin,
    driver: "vieux/sshfs",
    labels: LABEL,
  });
  assert.equal(errorCode(result), "DKR-007", result.text);
  assert.match(result.text, /allowed_volume_drivers/);
  assert.equal(await volumeExists(plugin), false);
});

Deno.test("volume attack: a tmpfs volume and a plain local volume are still fine", async () => {
  const tmpfs = uniqueName("berth-atkvol-tmpfs");
  await callOk(app, "docker_create_volume", {
    name: tmpfs,
    labels: LABEL,
    driver_opts: { type: "tmpfs", device: "tmpfs", o: "size=16m,uid=1000,mode=0755" },
  });
  assert.equal(await volumeExists(tmpfs), true);
  const plain = uniqueName("berth-atkvol-plain");
  await callOk(app, "docker_create_volume", { name: plain, labels: LABEL });
  assert.equal(await volumeExists(plain), true);
});

Deno.test("volume attack: compose top-level volumes are held to the same rule", async () => {
  for (const opts of [HOSTILE[0], HOSTILE[2], HOSTILE[5]]) {
    const project = uniqueName("berth-atkvol-compose").toLowerCase();
    const optsYaml = Object.entries(opts).map(([k, v]) => `${k}: "${v}"`).join(", ");
    const yaml = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: [sleep, "60"]\n` +
      `    labels: {berth.test: ${SUITE}}\n    volumes: ["loot:/loot"]\n` +
      `volumes:\n  loot:\n    driver_opts: {${optsYaml}}\n    labels: {berth.test: ${SUITE}}\n`;
    const result = await call(app, "docker_compose_up", {
      project_name: project,
      compose_yaml: yaml,
    });
    assert.equal(errorCode(result), "DKR-007", `${optsYaml}: ${result.text}`);
    const label = `label=com.docker.compose.project=${project}`;
    assert.equal(await docker("volume", "ls", "-q", "--filter", label), "");
    assert.equal(await docker("ps", "-aq", "--filter", label), "");
  }
});

Deno.test("volume attack: a create body's volume mount or VolumeDriver cannot make such a volume", async () => {
  const volumes = [1, 2, 3].map(() => uniqueName("berth-atkvol-mount"));
  const bodies = [
    {
      Mounts: [{
        Type: "volume",
        Source: volumes[0],
        Target: "/loot",
        VolumeOptions: { DriverConfig: { Name: "local", Options: HOSTILE[0] } },
      }],
    },
    {
      Mounts: [{
        Type: "volume",
        Source: volumes[1],
        Target: "/loot",
        VolumeOptions: { DriverConfig: { Name: "vieux/sshfs" } },
      }],
    },
    { VolumeDriver: "vieux/sshfs", Binds: [`${volumes[2]}:/loot`] },
  ];
  for (const hostConfig of bodies) {
    const name = uniqueName("berth-atkvol-c");
    let code = "ok";
    try {
      await app.engine.json(
        containers.create({ Image: TEST_IMAGE, Labels: LABEL, HostConfig: hostConfig }, { name }),
      );
    } catch (error) {
      code = (error as { code?: string }).code ?? String(error);
    }
    assert.equal(code, "DKR-007", JSON.stringify(hostConfig));
    assert.equal(await docker("ps", "-aq", "--filter", `name=^/${name}$`), "");
  }
  // Volumes a mount creates carry no label: each is looked up by its own name.
  for (const volume of volumes) {
    assert.equal(await volumeExists(volume), false, `${volume} was made by a mount`);
  }
});

Deno.test("volume attack: cleanup", async () => {
  await cleanup(SUITE);
});
