/**
 * `berth setup claude-code --read DIR`, run as a user runs it, from another
 * directory: its one printed line is split as a shell splits it, the server
 * command after `--` is started as Claude Code would start it, and an MCP
 * client builds an image from DIR through it. The same server still cannot
 * read /etc/shadow.
 *
 * Suite label: `pkg-setup`.
 */

import assert from "node:assert/strict";
import {
  callExpectingSuccess,
  callTool,
  codeOf,
  runBerth,
  SPAWN_TEST,
  spawnClient,
} from "./_mcp.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { cleanup, defer, docker, runContainer, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";

const SUITE = "pkg-setup";

/** Splits a line as a POSIX shell does for plain and single-quoted words. */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  for (const match of line.trim().matchAll(/(?:[^\s']+|'[^']*')+/g)) {
    words.push(match[0].replace(/'([^']*)'/g, "$1"));
  }
  return words;
}

Deno.test(
  "setup: claude-code --read DIR, run as printed, builds from DIR and still cannot read /etc/shadow",
  SPAWN_TEST,
  async () => {
    using contextDir = tempDir("berth-setup-ctx-", {
      "Dockerfile": `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\n`,
      "hello.txt": "built through berth setup\n",
    });
    using elsewhere = tempDir("berth-setup-cwd-");
    const context = contextDir.path;
    const tag = `berth-test/${uniqueName("pkg-setup")}:latest`;
    await using _cleanup = defer(async () => {
      await cleanup(SUITE);
      await docker("rmi", "-f", tag).catch(() => {});
    });
    // `berth setup` under -P=berth, from another directory, as a user types it.
    const out = await runBerth(
      ["setup", "claude-code", "--read", context, "--allow", "images,exec"],
      { cwd: elsewhere.path },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.split("\n").filter(Boolean).length, 1, "one line on stdout");
    const words = shellSplit(out.stdout);
    assert.deepEqual(words.slice(0, 4), ["claude", "mcp", "add", "berth"]);
    const [command, ...args] = words.slice(words.indexOf("--") + 1);

    await using client = await spawnClient(command, args, {
      cwd: elsewhere.path,
      name: "berth-setup-e2e",
    });

    await callExpectingSuccess(client, "docker_build_image", {
      path: context,
      tag,
      labels: { "berth.test": SUITE },
    });
    assert.match(await docker("image", "inspect", "--format", "{{.Id}}", tag), /^sha256:/);

    const container = await runContainer(SUITE);
    const copied = await callTool(client, "docker_copy_to_container", {
      container_id: container,
      path: "/tmp",
      source_path: "/etc/shadow",
    });
    assert.ok(copied.isError, "copying /etc/shadow must be refused");
    assert.ok(["DKR-005", "DKR-007"].includes(codeOf(copied)!), copied.content[0]?.text);
    const inside = await docker("exec", container, "ls", "/tmp");
    assert.doesNotMatch(inside, /shadow/);
  },
);
