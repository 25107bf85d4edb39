/**
 * The npm package as a new user gets it: `packaging/npm/pack.sh` makes the
 * tarball `npm publish` would upload, `npm install` puts it into an empty
 * directory, and an MCP client starts the installed `berth-mcp serve` (through
 * npx, as a client configuration does) and lists containers on the test
 * engine. The launcher's `--read DIR` lets the sandbox read a build context.
 *
 * Slow (npm install of the pinned deno, about 90 MB, from npm's cache), so
 * every step is bounded.
 *
 * Suite label: `pkg-npm` (it creates no engine objects).
 */

import assert from "node:assert/strict";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { REPO, serverEnv, SPAWN_TEST } from "./_mcp.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";
import denoConfig from "../../deno.json" with { type: "json" };

type Result = { isError?: boolean; content: { text?: string }[]; structuredContent?: unknown };

/** Runs a command to its end within `ms`; throws with its output when it fails. */
async function run(command: string, args: string[], cwd: string, ms: number): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    signal: AbortSignal.timeout(ms),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** Connects an MCP client to `npx --no -- berth-mcp ARGS` run in `dir` (`--` as setup prints it). */
async function connectInstalled(dir: string, args: string[]): Promise<Client> {
  const transport = new StdioClientTransport({
    command: "npx",
    args: ["--no", "--", "berth-mcp", ...args],
    cwd: dir,
    env: serverEnv(),
    stderr: "pipe",
  });
  const client = new Client({ name: "berth-npm-e2e", version: "1.0.0" });
  await client.connect(transport, { timeout: 60_000 });
  return client;
}

Deno.test(
  "npm package: packed, installed into an empty dir, served through npx to an MCP client",
  SPAWN_TEST,
  async () => {
    const out = Deno.makeTempDirSync({ prefix: "berth-npm-pack-" });
    const dir = Deno.makeTempDirSync({ prefix: "berth-npm-install-" });
    const context = tempDirWith("berth-npm-ctx-", { "README": "no Dockerfile here" });
    const clients: Client[] = [];
    try {
      const tarball = (await run("bash", [`${REPO}/packaging/npm/pack.sh`, out], REPO, 60_000))
        .trim();
      assert.ok(tarball.endsWith(`/berth-mcp-${denoConfig.version}.tgz`), tarball);
      const listing = await run("tar", ["-tzf", tarball], out, 10_000);
      for (const file of ["bin/berth.cjs", "deno.json", "deno.lock", "src/main.ts"]) {
        assert.match(listing, new RegExp(`^package/${file}$`, "m"), file);
      }
      assert.match(listing, /^package\/manifest\/containers\/docker_list_containers\.yaml$/m);

      await run(
        "npm",
        ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball],
        dir,
        240_000,
      );

      // The package ships no tests/: its deno.json names only the workspace members it has,
      // so deno does not warn "Workspace member … not found" on every start.
      const version = await new Deno.Command("npx", {
        args: ["--no", "--", "berth-mcp", "--version"],
        cwd: dir,
        env: serverEnv(),
        stdin: "null",
        signal: AbortSignal.timeout(60_000),
      }).output();
      const versionErr = new TextDecoder().decode(version.stderr);
      assert.ok(version.success, versionErr);
      assert.doesNotMatch(versionErr, /Workspace member/);

      const shippedLock = Deno.readTextFileSync(`${dir}/node_modules/berth-mcp/deno.lock`);
      const client = await connectInstalled(dir, ["serve", "--allow", "images"]);
      clients.push(client);
      const listed = await client.callTool({ name: "docker_list_containers" }) as Result;
      assert.ok(!listed.isError, listed.content[0]?.text);
      // The shipped lock holds what berth's imports need, not the test-only packages Deno
      // would fetch on every first start, and serving does not rewrite it.
      const lock = Deno.readTextFileSync(`${dir}/node_modules/berth-mcp/deno.lock`);
      assert.doesNotMatch(lock, /@modelcontextprotocol\/conformance|"esbuild@/);
      assert.equal(lock, shippedLock, "the installed deno.lock was rewritten at start");
      assert.ok(Array.isArray((listed.structuredContent as { containers: unknown[] }).containers));

      // Without --read the context is out of the sandbox; the hint names the launcher flag.
      const refused = await client.callTool({
        name: "docker_build_image",
        arguments: { path: context, tag: "berth-test/npm-never:x" },
      }) as Result;
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text!, new RegExp(`--read ${context} before 'serve'`));

      const granted = await connectInstalled(dir, [
        "--read",
        context,
        "serve",
        "--allow",
        "images",
      ]);
      clients.push(granted);
      const read = await granted.callTool({
        name: "docker_build_image",
        arguments: { path: context, tag: "berth-test/npm-never:x" },
      }) as Result;
      // Readable now: the build stops at the missing Dockerfile, creating nothing.
      const error = (read.structuredContent as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "DKR-004", error.message);
      assert.match(error.message, /'dockerfile'/);
    } finally {
      for (const client of clients) await client.close();
      for (const path of [out, dir, context]) Deno.removeSync(path, { recursive: true });
    }
  },
);
