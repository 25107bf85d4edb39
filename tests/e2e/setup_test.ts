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
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { REPO, serverEnv, SPAWN_TEST } from "./_mcp.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";
import { cleanup, docker, runContainer, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";

const SUITE = "pkg-setup";

/** Splits a line as a POSIX shell does for plain and single-quoted words. */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  for (const match of line.trim().matchAll(/(?:[^\s']+|'[^']*')+/g)) {
    words.push(match[0].replace(/'([^']*)'/g, "$1"));
  }
  return words;
}

/** `berth setup ARGS` under -P=berth, from `cwd`, as a user types it. */
async function berthSetup(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-P=berth", `${REPO}/src/main.ts`, "setup", ...args],
    cwd,
    env: serverEnv(),
    clearEnv: true,
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

type Result = { isError?: boolean; content: { text?: string }[]; structuredContent?: unknown };

Deno.test(
  "setup: claude-code --read DIR, run as printed, builds from DIR and still cannot read /etc/shadow",
  SPAWN_TEST,
  async () => {
    const context = tempDirWith("berth-setup-ctx-", {
      "Dockerfile": `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\n`,
      "hello.txt": "built through berth setup\n",
    });
    const elsewhere = Deno.makeTempDirSync({ prefix: "berth-setup-cwd-" });
    const tag = `berth-test/${uniqueName("pkg-setup")}:latest`;
    let client: Client | undefined;
    try {
      const out = await berthSetup(
        elsewhere,
        "claude-code",
        "--read",
        context,
        "--allow",
        "images,exec",
      );
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.split("\n").filter(Boolean).length, 1, "one line on stdout");
      const words = shellSplit(out.stdout);
      assert.deepEqual(words.slice(0, 4), ["claude", "mcp", "add", "berth"]);
      const [command, ...args] = words.slice(words.indexOf("--") + 1);

      const transport = new StdioClientTransport({
        command,
        args,
        cwd: elsewhere,
        env: serverEnv(),
        stderr: "pipe",
      });
      client = new Client({ name: "berth-setup-e2e", version: "1.0.0" });
      await client.connect(transport);

      const built = await client.callTool({
        name: "docker_build_image",
        arguments: { path: context, tag, labels: { "berth.test": SUITE } },
      }) as Result;
      assert.ok(!built.isError, built.content[0]?.text);
      assert.match(await docker("image", "inspect", "--format", "{{.Id}}", tag), /^sha256:/);

      const container = await runContainer(SUITE);
      const copied = await client.callTool({
        name: "docker_copy_to_container",
        arguments: { container_id: container, path: "/tmp", source_path: "/etc/shadow" },
      }) as Result;
      assert.ok(copied.isError, "copying /etc/shadow must be refused");
      const code = (copied.structuredContent as { error: { code: string } }).error.code;
      assert.ok(["DKR-005", "DKR-007"].includes(code), copied.content[0]?.text);
      const inside = await docker("exec", container, "ls", "/tmp");
      assert.doesNotMatch(inside, /shadow/);
    } finally {
      await client?.close();
      await cleanup(SUITE);
      await docker("rmi", "-f", tag).catch(() => {});
      Deno.removeSync(context, { recursive: true });
      Deno.removeSync(elsewhere, { recursive: true });
    }
  },
);
