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
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { REPO, serverEnv, SPAWN_TEST } from "./_mcp.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";
import { cleanup, docker, TEST_IMAGE, uniqueName, waitFor } from "../helpers/mod.ts";

const SUITE = "pkg-image";
const IMAGE = "berth:local";

type Result = { isError?: boolean; content: { text?: string }[]; structuredContent?: unknown };

/** Runs a command to its end within `ms`; throws with its output when it fails. */
async function run(command: string, args: string[], ms: number): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    cwd: REPO,
    env: serverEnv(),
    stdin: "null",
    signal: AbortSignal.timeout(ms),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")}:\n${decode(out.stdout)}\n${decode(out.stderr)}`);
  }
  return decode(out.stdout);
}

Deno.test(
  "image: deno task image builds berth:local; the line berth setup prints serves over stdio",
  SPAWN_TEST,
  async () => {
    await run(Deno.execPath(), ["task", "image"], 420_000);
    // The image holds no tests/: its deno.json names only the workspace members it has,
    // so deno does not warn "Workspace member … not found" on every start.
    const version = await new Deno.Command("docker", {
      args: ["run", "--rm", "--network", "none", IMAGE, "--version"],
      stdin: "null",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const versionErr = new TextDecoder().decode(version.stderr);
    assert.ok(version.success, versionErr);
    assert.doesNotMatch(versionErr, /Workspace member/);
    const context = tempDirWith("berth-image-ctx-", {
      "Dockerfile": `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\n`,
      "hello.txt": "built by berth in a container\n",
    });
    // berth runs as uid 1993 in the container: a mounted dir must be readable by others,
    // as a project directory usually is (a temp dir is 0700).
    Deno.chmodSync(context, 0o755);
    const tag = `berth-test/${uniqueName("pkg-image")}:latest`;
    let client: Client | undefined;
    try {
      const printed = await run(Deno.execPath(), [
        "run",
        "-P=berth",
        "src/main.ts",
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
      ], 60_000);
      const { command, args } = JSON.parse(printed).mcpServers.berth;
      assert.equal(command, "docker");
      assert.deepEqual(args.slice(0, 3), ["run", "-i", "--rm"]);
      assert.ok(args.includes("/var/run/docker.sock:/var/run/docker.sock"), args.join(" "));
      assert.ok(args.includes(`${context}:${context}:ro`), "the granted dir is mounted read-only");
      // Our label, so the test bed can find a container left behind.
      args.splice(1, 0, "--label", `berth.test=${SUITE}`);

      const transport = new StdioClientTransport({
        command,
        args,
        env: serverEnv(),
        stderr: "pipe",
      });
      client = new Client({ name: "berth-image-e2e", version: "1.0.0" });
      await client.connect(transport, { timeout: 60_000 });

      const listed = await client.callTool({ name: "docker_list_containers" }) as Result;
      assert.ok(!listed.isError, listed.content[0]?.text);
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
      const plain = new Client({ name: "berth-image-plain", version: "1.0.0" });
      await plain.connect(
        new StdioClientTransport({
          command: "docker",
          args: [
            "run",
            "-i",
            "--rm",
            "--label",
            `berth.test=${SUITE}`,
            "-v",
            "/var/run/docker.sock:/var/run/docker.sock",
            IMAGE,
          ],
          env: serverEnv(),
          stderr: "pipe",
        }),
        { timeout: 60_000 },
      );
      try {
        const answer = await plain.callTool({ name: "docker_list_containers" }) as Result;
        assert.ok(!answer.isError, answer.content[0]?.text);
      } finally {
        await plain.close();
      }

      const built = await client.callTool({
        name: "docker_build_image",
        arguments: { path: context, tag, labels: { "berth.test": SUITE } },
      }) as Result;
      assert.ok(!built.isError, built.content[0]?.text);
      assert.match(await docker("image", "inspect", "--format", "{{.Id}}", tag), /^sha256:/);
    } finally {
      await client?.close();
      await cleanup(SUITE);
      await docker("rmi", "-f", tag).catch(() => {});
      Deno.removeSync(context, { recursive: true });
    }
  },
);
