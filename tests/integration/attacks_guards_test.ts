/**
 * Attacks on the guards, against the real engine (suite `attacks-guards`):
 * container escapes through create options (tools, compose files and the
 * engine client itself), blocked exec commands in every spelling, host paths
 * for copy and build, volume driver options, and the image lists (also for
 * the images a Dockerfile pulls in).
 *
 * Every refused attack is also checked for its absence of effect: no
 * container, volume or tag was created, the sentinel file is still there.
 */

import { type AnyOperation, containers, images as imageOps } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import type { ToolResult } from "../../src/interpreter/mod.ts";
import {
  call,
  callOk,
  cleanup,
  docker,
  errorCode,
  removeLabelled,
  runContainer,
  TEST_APP_IMAGE,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";
import { settle } from "../helpers/asserts.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

const SUITE = "attacks-guards";
const LABEL = { "berth.test": SUITE };
await cleanup(SUITE);

const open = await testApp({ allow: "all" });
const images = await testApp({
  allow: "all",
  allowImages: ["berth-test/*"],
  denyImages: ["berth-test/app*"],
});
// Deny only: image IDs must be resolved to their tags to be caught.
const denyOnly = await testApp({ allow: "all", denyImages: ["berth-test/app*"] });
const TARGET = await runContainer(SUITE);
await docker("exec", TARGET, "sh", "-c", "mkdir -p /data && echo keep > /data/sentinel");
const APP_IMAGE_ID = await docker("image", "inspect", "--format", "{{.Id}}", TEST_APP_IMAGE);

/** Number of attack cases this file runs. */
export let ATTACK_CASES = 0;

/** Asserts a refusal: DKR-007 (policy) or DKR-004 (the input itself is refused). */
function assertRefused(result: ToolResult, what: string, codes = ["DKR-007", "DKR-004"]): void {
  ATTACK_CASES++;
  assert.ok(codes.includes(errorCode(result) ?? "ok"), `${what} was not refused: ${result.text}`);
}

async function containerExists(name: string): Promise<boolean> {
  return (await docker("ps", "-a", "--filter", `name=^/${name}$`, "--format", "{{.Names}}")) !== "";
}

async function engineCall(app: App, op: AnyOperation): Promise<string> {
  try {
    await app.engine.json(op);
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const HOST_PATHS = [
  "/",
  "//",
  "/etc/..",
  "/etc/../",
  "/etc",
  "/etc/",
  "/root",
  "/root/.ssh",
  "/home/someone/.ssh",
  "/home/someone/.aws",
  "/home/someone/.kube",
  "/home/someone/.docker",
  "/home/someone/.gnupg",
  "/home/someone/.config/gcloud",
  "/var/run/docker.sock",
  "/run/docker.sock",
  "/run/../var/run/docker.sock",
  "/proc",
  "/sys",
  "/boot",
  "/dev",
  "/var",
  "/home",
];

Deno.test("attacks: create and run refuse sensitive bind mounts in every volume form", async () => {
  for (const tool of ["docker_create_container", "docker_run_container"]) {
    for (const path of HOST_PATHS) {
      const forms = [[`${path}:/host`], { [path]: { bind: "/host", mode: "ro" } }];
      for (const volumes of forms) {
        const name = uniqueName("berth-atk-bind");
        const result = await call(open, tool, {
          image: TEST_IMAGE,
          name,
          volumes,
          labels: LABEL,
          command: ["true"],
        });
        assertRefused(result, `${tool} ${JSON.stringify(volumes)}`);
        assert.equal(await containerExists(name), false, `${name} was created`);
      }
    }
  }
});

Deno.test("attacks: symlinks cannot smuggle a sensitive path past the host path rules", async () => {
  const dir = await Deno.makeTempDir({ prefix: "berth-atk-link-" });
  try {
    await Deno.symlink("/", `${dir}/root`);
    await Deno.symlink("/etc", `${dir}/etc`);
    await Deno.symlink("/var/run", `${dir}/run`);
    for (const source of [`${dir}/root`, `${dir}/etc`, `${dir}/run/docker.sock`, `${dir}/root/.`]) {
      const name = uniqueName("berth-atk-link");
      const result = await call(open, "docker_create_container", {
        image: TEST_IMAGE,
        name,
        volumes: [`${source}:/host`],
        labels: LABEL,
      });
      assertRefused(result, `bind through the symlink ${source}`);
      assert.equal(await containerExists(name), false);
    }
    ATTACK_CASES++;
    assert.equal(
      await engineCall(
        open,
        containers.create({
          Image: TEST_IMAGE,
          Labels: LABEL,
          HostConfig: { Mounts: [{ Type: "bind", Source: `${dir}/etc`, Target: "/h" }] },
        }),
      ),
      "DKR-007",
      "a bind Mount through a symlink, straight through the engine client",
    );
    const copy = await call(open, "docker_copy_to_container", {
      container_id: TARGET,
      path: "/data",
      source_path: `${dir}/etc/hostname`,
    });
    assertRefused(copy, "copy through a symlinked directory", ["DKR-007"]);
    const volume = await call(open, "docker_create_volume", {
      name: uniqueName("berth-atk-linkvol"),
      labels: LABEL,
      driver_opts: { type: "none", o: "bind", device: `${dir}/root` },
    });
    assertRefused(volume, "volume device through a symlink", ["DKR-007"]);

    // The chain: a container with an allowed bind plants a symlink to / in it; a second
    // container binding that symlink would get the host's root.
    const planter = await runContainer(SUITE, { args: ["-v", `${dir}:/work`] });
    await callOk(open, "docker_exec_command", {
      container_id: planter,
      command: ["ln", "-s", "/", "/work/escape"],
    });
    const name = uniqueName("berth-atk-chain");
    const chained = await call(open, "docker_run_container", {
      image: TEST_IMAGE,
      name,
      volumes: [`${dir}/escape:/host`],
      command: ["cat", "/host/etc/shadow"],
      labels: LABEL,
    });
    assertRefused(chained, "bind of a symlink planted by another container", ["DKR-007"]);
    assert.equal(await containerExists(name), false);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("attacks: create refuses host namespaces through the network parameter", async () => {
  const name = uniqueName("berth-atk-hostnet");
  const result = await call(open, "docker_create_container", {
    image: TEST_IMAGE,
    name,
    network: "host",
    labels: LABEL,
  });
  assertRefused(result, "network host", ["DKR-007"]);
  assert.equal(await containerExists(name), false);
});

Deno.test("attacks: the engine client itself refuses dangerous create bodies (a handler that forgets)", async () => {
  const bodies: Record<string, unknown>[] = [
    { HostConfig: { Privileged: true } },
    { HostConfig: { privileged: true } },
    { HostConfig: { Privileged: false, PRIVILEGED: true } },
    { Privileged: true },
    { HostConfig: { Binds: ["/:/host"] } },
    { Binds: ["//etc:/host"] },
    { HostConfig: { Mounts: [{ Type: "bind", Source: "/etc/..", Target: "/h" }] } },
    {
      HostConfig: {
        Mounts: [{ type: "bind", source: "/run/../var/run/docker.sock", target: "/s" }],
      },
    },
    {
      HostConfig: {
        Mounts: [{
          Type: "volume",
          Target: "/h",
          VolumeOptions: { DriverConfig: { Name: "local", Options: { o: "bind", device: "/" } } },
        }],
      },
    },
    { HostConfig: { PidMode: "host" } },
    { HostConfig: { IpcMode: "host" } },
    { HostConfig: { NetworkMode: "host" } },
    { HostConfig: { UTSMode: "host" } },
    { HostConfig: { UsernsMode: "host" } },
    { HostConfig: { CapAdd: ["SYS_ADMIN"] } },
    { HostConfig: { CapAdd: ["ALL"] } },
    { HostConfig: { Devices: [{ PathOnHost: "/dev/mem", PathInContainer: "/dev/mem" }] } },
    { HostConfig: { DeviceRequests: [{ Count: -1, Capabilities: [["gpu"]] }] } },
    { HostConfig: { SecurityOpt: ["seccomp=unconfined"] } },
    { HostConfig: { SecurityOpt: ["apparmor:unconfined"] } },
    { HostConfig: { SecurityOpt: ["label=disable"] } },
    { HostConfig: { SecurityOpt: ["systempaths=unconfined"] } },
    { HostConfig: { MaskedPaths: [], ReadonlyPaths: [] } },
    { HostConfig: { Sysctls: { "kernel.core_pattern": "|/tmp/x" } } },
    { HostConfig: { VolumesFrom: [TARGET] } },
  ];
  for (const extra of bodies) {
    const name = uniqueName("berth-atk-raw");
    ATTACK_CASES++;
    const outcome = await engineCall(
      open,
      containers.create({ Image: TEST_IMAGE, Labels: LABEL, ...extra }, { name }),
    );
    assert.equal(outcome, "DKR-007", JSON.stringify(extra));
    assert.equal(await containerExists(name), false, `${JSON.stringify(extra)} created ${name}`);
  }
  ATTACK_CASES++;
  const exec = await engineCall(open, containers.exec(TARGET, { Cmd: ["id"], Privileged: true }));
  assert.equal(exec, "DKR-007", "privileged exec");
  for (
    const [what, req] of [
      ["pull from a URL (fromSrc)", {
        ...imageOps.pull({ fromImage: "" }),
        query: { fromSrc: "http://x/a.tar", repo: "x" },
      }],
      [
        "build from a remote URL",
        imageOps.buildImage({ remote: "https://x/repo.git", t: "x" }, undefined),
      ],
    ] as const
  ) {
    ATTACK_CASES++;
    assert.equal(await engineCall(open, req), "DKR-007", what);
  }
});

/** Exec commands every spelling of which must be blocked by the default rules. */
const BLOCKED_EXEC: unknown[] = [
  ["rm", "-rf", "/data"],
  ["rm", "-r", "-f", "/data"],
  ["rm", "-fr", "/data"],
  ["rm", "--recursive", "--force", "/data"],
  ["/bin/rm", "-rf", "/data"],
  ["sh", "-c", "rm -rf /data"],
  ["/bin/sh", "-c", "rm -rf /data"],
  ["sh", "-c", "r''m -rf /data"],
  ["sh", "-c", "\\rm -rf /data"],
  ["sh", "-c", 'sh -c "rm -rf /data"'],
  ["sh", "-c", "echo $(rm -rf /data)"],
  ["sh", "-c", "$(echo rm) -rf /data"],
  ["sh", "-c", "eval 'rm -rf /data'"],
  ["env", "X=1", "rm", "-rf", "/data"],
  ["busybox", "rm", "-rf", "/data"],
  ["sh", "-c", "cd / && rm   -rf   data"],
  "rm -rf /data",
  "bash -c \"r''m -rf /data\"",
  "sh -c 'rm -r -f /data'",
  ["dd", "if=/dev/zero", "of=/data/sentinel"],
  ["sh", "-c", "echo x > /dev/sda"],
  // The path of a rule in other spellings of it: repeated slashes, '/./' segments.
  ["sh", "-c", "echo x > //dev//sda"],
  ["sh", "-c", "echo x >/./dev/./sda"],
  ["mkfs.ext4", "/dev/sda1"],
];

Deno.test("attacks: exec refuses blocked commands in every spelling, naming the rule", async () => {
  if (!open.interpreter.has("docker_exec_command")) return;
  for (const command of BLOCKED_EXEC) {
    const result = await call(open, "docker_exec_command", { container_id: TARGET, command });
    assertRefused(result, `exec ${JSON.stringify(command)}`, ["DKR-007"]);
    assert.match(result.text, /exec_safety rule '/);
  }
  assert.equal(await docker("exec", TARGET, "cat", "/data/sentinel"), "keep", "nothing ran");
  const fine = await callOk(open, "docker_exec_command", {
    container_id: TARGET,
    command: ["sh", "-c", "ls /data 2>/dev/null"],
  });
  assert.match(fine.text, /sentinel/);
});

Deno.test("attacks: copy and build refuse sensitive host paths", async () => {
  const paths = [
    "/",
    "//",
    "/etc",
    "/etc/..",
    "/root/.ssh",
    "/run/../var/run/docker.sock",
    "/proc",
  ];
  for (const source_path of paths) {
    if (!open.interpreter.has("docker_copy_to_container")) break;
    const result = await call(open, "docker_copy_to_container", {
      container_id: TARGET,
      path: "/data",
      source_path,
    });
    assertRefused(result, `copy from ${source_path}`, ["DKR-007", "DKR-004", "DKR-005"]);
  }
  for (const path of paths) {
    if (!open.interpreter.has("docker_build_image")) break;
    const tag = `berth-test/attacks-build-${Date.now()}:x`;
    const result = await call(open, "docker_build_image", { path, tag });
    assertRefused(result, `build from ${path}`, ["DKR-007", "DKR-004", "DKR-005"]);
  }
  assert.equal(await docker("exec", TARGET, "ls", "/data"), "sentinel", "nothing was copied");
});

Deno.test("attacks: a sensitive build context is refused by policy before berth reads it", async () => {
  if (!open.interpreter.has("docker_build_image")) return;
  // Missing (/root/.ssh on most hosts) or unreadable places are judged as given:
  // DKR-007, never a read error whose fix would be to open the place to berth.
  for (const path of ["/etc", "/root/.ssh", "/var/run", "/root/.ssh/nonexistent-berth"]) {
    const result = await call(open, "docker_build_image", { path, tag: "berth-test/atk-ctx:x" });
    assertRefused(result, `build from ${path}`, ["DKR-007"]);
    assert.doesNotMatch(result.text, /--allow-read/);
  }
});

Deno.test("attacks: volumes cannot point the local driver at a sensitive host path", async () => {
  for (const device of ["/", "/etc/..", "/var/run", "/root/.ssh"]) {
    const name = uniqueName("berth-atk-vol");
    const result = await call(open, "docker_create_volume", {
      name,
      labels: LABEL,
      driver_opts: { type: "none", o: "bind", device },
    });
    assertRefused(result, `volume device ${device}`);
    assert.equal(await docker("volume", "ls", "-q", "--filter", `name=^${name}$`), "");
  }
});

Deno.test("attacks: image lists hold for every spelling, IDs and every tool that uses an image", async () => {
  const denied = [
    TEST_APP_IMAGE,
    "berth-test/app",
    "docker.io/berth-test/app:latest",
    "BERTH-TEST/app",
    APP_IMAGE_ID,
    APP_IMAGE_ID.replace("sha256:", "").slice(0, 12),
  ];
  for (const image of denied) {
    const name = uniqueName("berth-atk-img");
    const result = await call(images, "docker_create_container", { image, name, labels: LABEL });
    assertRefused(result, `create from ${image}`);
    assert.equal(await containerExists(name), false);
    // The allow list covers berth-test/*: the refusal names the deny list, not the allow list.
    if (image === TEST_APP_IMAGE) assert.match(result.text, /the deny list refuses it/);
  }
  for (const image of [APP_IMAGE_ID, APP_IMAGE_ID.replace("sha256:", "").slice(0, 12)]) {
    const name = uniqueName("berth-atk-id");
    const result = await call(denyOnly, "docker_create_container", { image, name, labels: LABEL });
    assertRefused(result, `create from the denied image's ID ${image}`, ["DKR-007"]);
    assert.equal(await containerExists(name), false);
    assertRefused(
      await call(denyOnly, "docker_tag_image", {
        source_image: image,
        target_image: "x/laundered:1",
      }),
      "launder a denied image by its ID",
      ["DKR-007"],
    );
  }
  const outside = await call(images, "docker_pull_image", {
    image: "127.0.0.1:5000/berth-test/busybox",
  });
  assertRefused(outside, "pull outside the allow list", ["DKR-007"]);
  assertRefused(
    await call(images, "docker_pull_image", { image: "berth-test/app", tag: "latest" }),
    "pull a denied image",
    ["DKR-007"],
  );
  const evil = "berth-test/app:attacks-evil";
  assertRefused(
    await call(images, "docker_tag_image", { source_image: TEST_IMAGE, target_image: evil }),
    "tag into a denied name",
    ["DKR-007"],
  );
  assertRefused(
    await call(images, "docker_tag_image", {
      source_image: APP_IMAGE_ID,
      target_image: "berth-test/laundered:x",
    }),
    "launder a denied image through a tag",
    ["DKR-007"],
  );
  assertRefused(
    await call(images, "docker_push_image", { image: "berth-test/app", tag: "latest" }),
    "push a denied image",
    ["DKR-007"],
  );
  assertRefused(
    await call(images, "docker_remove_image", { image_id: TEST_APP_IMAGE }),
    "remove a denied image",
    ["DKR-007"],
  );
  assert.equal(await docker("images", "-q", evil), "", "no tag was made");
  assert.equal(await docker("images", "-q", "berth-test/laundered:x"), "");
  assert.equal(await docker("images", "-q", "x/laundered:1"), "");
});

/** Builds the Dockerfile `text` with `app`, from a fresh context; answers the result and the tag. */
async function buildFrom(
  app: App,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<{ result: ToolResult; tag: string }> {
  const dir = tempDirWith("berth-atk-from-", { Dockerfile: text });
  const tag = `berth-test/atk-from-${uniqueName("b")}:x`;
  try {
    const result = await call(app, "docker_build_image", {
      path: dir,
      tag,
      labels: LABEL,
      ...extra,
    });
    return { result, tag };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("attacks: a Dockerfile cannot pull a denied image in through FROM or COPY --from", async () => {
  if (!images.interpreter.has("docker_build_image")) return;
  const audit = await Deno.makeTempFile({ prefix: "berth-atk-from-audit-", suffix: ".jsonl" });
  const app = await testApp({
    allow: "all",
    allowImages: ["berth-test/*"],
    denyImages: ["berth-test/app*"],
    auditLog: audit,
  });
  // An allowed name, made outside berth, whose trigger pulls the denied image in.
  const ONBUILD_BASE = `berth-test/atk-onbuild-${uniqueName("b")}:x`;
  await dockerBuild(
    ONBUILD_BASE,
    `FROM ${TEST_IMAGE}\nLABEL berth.test=${SUITE}\nONBUILD COPY --from=berth-test/app /bin/true /x\n`,
  );
  try {
    const attacks: [string, string, Record<string, unknown>?][] = [
      ["a denied FROM", "FROM berth-test/app\nRUN true\n"],
      ["a denied FROM, lower case, long name", "from docker.io/berth-test/app:latest\n"],
      ["a FROM split by a continuation", "FROM berth-test/ap\\\np\nRUN true\n"],
      ["a FROM with --platform", "FROM --platform=linux/amd64 berth-test/app\nRUN true\n"],
      ["a FROM through a global ARG", "ARG BASE=berth-test/app\nFROM ${BASE}\nRUN true\n"],
      [
        "a FROM through a build arg",
        `ARG BASE=${TEST_IMAGE}\nFROM $BASE\nRUN true\n`,
        { buildargs: { BASE: "berth-test/app" } },
      ],
      ["a FROM through an ARG default", "ARG T\nFROM berth-test/${T:-app}\n"],
      ["a FROM berth cannot resolve", "FROM ${UNDECLARED:-berth-test/busybox}\n"],
      [
        "a second stage only",
        `FROM ${TEST_IMAGE} AS one\nRUN true\nFROM berth-test/app\nCOPY --from=one /bin/true /x\n`,
      ],
      ["COPY --from an image", `FROM ${TEST_IMAGE}\nCOPY --from=berth-test/app /bin/true /x\n`],
      [
        "an ONBUILD trigger that copies from a denied image later",
        `FROM ${TEST_IMAGE}\nONBUILD COPY --from=berth-test/app /bin/true /x\n`,
      ],
      [
        "an allowed local base whose ONBUILD trigger copies from a denied image",
        `FROM ${ONBUILD_BASE}\nRUN true\n`,
      ],
    ];
    for (const [what, text, extra] of attacks) {
      const { result, tag } = await buildFrom(app, text, extra);
      assertRefused(result, what, ["DKR-007"]);
      assert.match(result.text, /Dockerfile line \d+ \(/, `${what}: the line is named`);
      if (what.includes("ONBUILD")) assert.match(result.text, /ONBUILD|berth-test\/app/, what);
      assert.equal(await docker("images", "-q", tag), "", `${what} built ${tag}`);
    }
    const records = (await Deno.readTextFile(audit)).trim().split("\n").map((l) => JSON.parse(l));
    const denials = records.filter((r) =>
      r.tool === "docker_build_image" && r.outcome === "DKR-007"
    );
    assert.equal(denials.length, attacks.length, "every refusal is in the audit log");

    // Allowed bases (and a stage named like a denied image) still build.
    const fine = `FROM ${TEST_IMAGE} AS app\nRUN true\nFROM app\nCOPY --from=app /bin/true /x\n`;
    const { result, tag } = await buildFrom(app, fine);
    try {
      assert.equal(errorCode(result), undefined, result.text);
      assert.notEqual(await docker("images", "-q", tag), "");
    } finally {
      await docker("rmi", "-f", tag).catch(() => {});
    }
  } finally {
    await Deno.remove(audit).catch(() => {});
    await docker("rmi", "-f", ONBUILD_BASE).catch(() => {});
  }
});

/** Builds an image with the docker CLI from a Dockerfile given as text. */
async function dockerBuild(tag: string, dockerfile: string): Promise<void> {
  const dir = tempDirWith("berth-atk-onbuild-", { Dockerfile: dockerfile });
  try {
    await docker("build", "-q", "-t", tag, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("attacks: compose builds hold the image lists for FROM too", async () => {
  if (!images.interpreter.has("docker_compose_up")) return;
  const dir = tempDirWith("berth-atk-from-compose-", { Dockerfile: "FROM berth-test/app\n" });
  const project = `berth-atk-from-${Date.now().toString(36)}`;
  try {
    const yaml = `services:\n  evil:\n    build: {context: ${dir}}\n` +
      `    image: berth-test/atk-from-compose:${project}\n    labels: {berth.test: ${SUITE}}\n`;
    const result = await call(images, "docker_compose_up", {
      project_name: project,
      compose_yaml: yaml,
    });
    assertRefused(result, "compose build FROM a denied image", ["DKR-007"]);
    assert.match(result.text, /Dockerfile line 1/);
    assert.equal(await docker("images", "-q", `berth-test/atk-from-compose:${project}`), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
    // Like docker compose, up makes the project's network before the build is checked.
    await removeLabelled(`com.docker.compose.project=${project}`);
  }
});

Deno.test("attacks: compose files cannot escape either", async () => {
  if (!open.interpreter.has("docker_compose_up")) return;
  const services = [
    "volumes: ['/var/run/docker.sock:/var/run/docker.sock']",
    "volumes: ['/:/host']",
    "volumes: [{type: bind, source: /etc/.., target: /h}]",
    "privileged: true",
    "network_mode: host",
    "pid: host",
    "ipc: host",
    "cap_add: [SYS_ADMIN]",
    "devices: ['/dev/mem:/dev/mem']",
    "security_opt: ['seccomp:unconfined']",
  ];
  for (const [i, line] of services.entries()) {
    const project = `berth-atk-compose-${i}-${Date.now().toString(36)}`;
    const yaml = `services:\n  evil:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "60"]\n` +
      `    labels: {berth.test: ${SUITE}}\n    ${line}\n`;
    const result = await call(open, "docker_compose_up", {
      project_name: project,
      compose_yaml: yaml,
    });
    assertRefused(result, `compose ${line}`);
    assert.equal(
      await docker("ps", "-a", "-q", "--filter", `label=com.docker.compose.project=${project}`),
      "",
      `compose ${line} created a container`,
    );
  }
  const socket = `services:\n  evil:\n    image: ${TEST_IMAGE}\n    volumes:\n      - sock:/s\n` +
    `volumes:\n  sock:\n    driver_opts: {type: none, o: bind, device: /var/run}\n`;
  assertRefused(
    await call(open, "docker_compose_up", {
      project_name: `berth-atk-cv-${Date.now()}`,
      compose_yaml: socket,
    }),
    "compose volume bound to /var/run",
  );
});

Deno.test("attacks-guards: cleanup", async () => {
  await settle(() => cleanup(SUITE));
  console.log(`attacks: ${ATTACK_CASES} attack cases in attacks_guards_test.ts`);
});
