/**
 * The container image as users run it: `deno task image` builds the
 * Dockerfile as berth:local (on the test bed's local Deno base,
 * tests/testbed/deno_base.sh), `berth setup generic --via image --read DIR`
 * prints the `docker run -i --rm -v /var/run/docker.sock:…` line, and an MCP
 * client drives that container over stdio: it lists containers as the
 * non-root `deno` user, and builds an image from the mounted, granted DIR.
 * The plain `docker run -i --rm -v /var/run/docker.sock:… berth:local` answers too.
 *
 * Slow (an image build; its dependency layer is cached after the first run),
 * so every step is bounded.
 *
 * Suite label: `pkg-image`.
 */

import assert from "node:assert/strict";
import { callExpectingSuccess, run, runBerth, runOk, SPAWN_TEST, spawnClient } from "./_mcp.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { cleanup, defer, docker, TEST_IMAGE, uniqueName, waitFor } from "../helpers/mod.ts";

const SUITE = "pkg-image";
const IMAGE = "berth:local";

Deno.test(
  "image: deno task image builds berth:local; the line berth setup prints serves over stdio",
  SPAWN_TEST,
  async () => {
    await runOk(Deno.execPath(), ["task", "image"], { ms: 420_000 });
    // The image holds no tests/: its deno.json names only the workspace members it has,
    // so deno does not warn "Workspace member … not found" on every start.
    const version = await run("docker", ["run", "--rm", "--network", "none", IMAGE, "--version"], {
      ms: 60_000,
    });
    assert.ok(version.success, version.stderr);
    assert.doesNotMatch(version.stderr, /Workspace member/);
    using contextDir = tempDir("berth-image-ctx-", {
      "Dockerfile": `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\n`,
      "hello.txt": "built by berth in a container\n",
    });
    const context = contextDir.path;
    // berth runs as uid 1993 in the container: a mounted dir must be readable by others,
    // as a project directory usually is (a temp dir is 0700).
    Deno.chmodSync(context, 0o755);
    const tag = `berth-test/${uniqueName("pkg-image")}:latest`;
    await using _cleanup = defer(async () => {
      await cleanup(SUITE);
      await docker("rmi", "-f", tag).catch(() => {});
    });
    const printed = await runBerth([
      "setup",
      "generic",
      "--via",
      "image",
      "--image",
      IMAGE,
      "--read",
      context,
      "--allow",
      "images",
    ], { ms: 60_000 });
    assert.ok(printed.success, printed.stderr);
    const { command, args } = JSON.parse(printed.stdout).mcpServers.berth;
    assert.equal(command, "docker");
    assert.deepEqual(args.slice(0, 3), ["run", "-i", "--rm"]);
    assert.ok(args.includes("/var/run/docker.sock:/var/run/docker.sock"), args.join(" "));
    assert.ok(args.includes(`${context}:${context}:ro`), "the granted dir is mounted read-only");
    // Our label, so the test bed can find a container left behind.
    args.splice(1, 0, "--label", `berth.test=${SUITE}`);

    await using client = await spawnClient(command, args, {
      name: "berth-image-e2e",
      timeout: 60_000,
    });

    await callExpectingSuccess(client, "docker_list_containers");
    const id = await waitFor(
      "the berth container",
      () => docker("ps", "-q", "--filter", `label=berth.test=${SUITE}`),
      (ids) => ids.length > 0,
    );
    const users = await docker("top", id.split("\n")[0], "-o", "pid,uid,comm");
    assert.match(users, /^\s*\d+\s+1993\s+deno$/m, `berth runs as the deno user:\n${users}`);
    assert.doesNotMatch(users, /^\s*\d+\s+0\s+deno$/m, "never as root");

    // The Docker MCP Toolkit's own command line, as is (our label aside): no grant, no
    // --network none, the default command.
    {
      await using plain = await spawnClient("docker", [
        "run",
        "-i",
        "--rm",
        "--label",
        `berth.test=${SUITE}`,
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock",
        IMAGE,
      ], { name: "berth-image-plain", timeout: 60_000 });
      await callExpectingSuccess(plain, "docker_list_containers");
    }

    await callExpectingSuccess(client, "docker_build_image", {
      path: context,
      tag,
      labels: { "berth.test": SUITE },
    });
    assert.match(await docker("image", "inspect", "--format", "{{.Id}}", tag), /^sha256:/);
  },
);
