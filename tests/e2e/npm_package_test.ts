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
import {
  callExpectingSuccess,
  callTool,
  REPO,
  run,
  runOk,
  type Session,
  SPAWN_TEST,
  spawnClient,
} from "./_mcp.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import denoConfig from "../../deno.json" with { type: "json" };

/** Connects an MCP client to `npx --no -- berth-mcp ARGS` run in `dir` (`--` as setup prints it). */
function connectInstalled(dir: string, args: string[]): Promise<Session> {
  return spawnClient("npx", ["--no", "--", "berth-mcp", ...args], {
    cwd: dir,
    name: "berth-npm-e2e",
    timeout: 60_000,
  });
}

Deno.test(
  "npm package: packed, installed into an empty dir, served through npx to an MCP client",
  SPAWN_TEST,
  async () => {
    using outDir = tempDir("berth-npm-pack-");
    using installDir = tempDir("berth-npm-install-");
    using contextDir = tempDir("berth-npm-ctx-", { "README": "no Dockerfile here" });
    const [out, dir, context] = [outDir.path, installDir.path, contextDir.path];
    const tarball = (await runOk("bash", [`${REPO}/packaging/npm/pack.sh`, out], { ms: 60_000 }))
      .trim();
    assert.ok(tarball.endsWith(`/berth-mcp-${denoConfig.version}.tgz`), tarball);
    const listing = await runOk("tar", ["-tzf", tarball], { cwd: out, ms: 10_000 });
    for (const file of ["bin/berth.cjs", "deno.json", "deno.lock", "dist/bundle/main.js"]) {
      assert.match(listing, new RegExp(`^package/${file}$`, "m"), file);
    }
    // The bundle is what it runs: the sources and the build stamp stay home.
    assert.doesNotMatch(listing, /^package\/src\//m);
    assert.doesNotMatch(listing, /^package\/dist\/bundle\/\.inputs$/m);
    assert.match(listing, /^package\/manifest\/containers\/docker_list_containers\.yaml$/m);

    await runOk("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
      cwd: dir,
      ms: 240_000,
    });

    // The package ships no tests/: its deno.json names only the workspace members it has,
    // so deno does not warn "Workspace member … not found" on every start.
    const version = await run("npx", ["--no", "--", "berth-mcp", "--version"], {
      cwd: dir,
      ms: 60_000,
    });
    assert.ok(version.success, version.stderr);
    assert.doesNotMatch(version.stderr, /Workspace member/);

    const shippedLock = Deno.readTextFileSync(`${dir}/node_modules/berth-mcp/deno.lock`);
    await using client = await connectInstalled(dir, ["serve", "--allow", "images"]);
    const listed = await callExpectingSuccess(client, "docker_list_containers");
    // The shipped lock holds what berth's imports need, not the test-only packages Deno
    // would fetch on every first start, and serving does not rewrite it.
    const lock = Deno.readTextFileSync(`${dir}/node_modules/berth-mcp/deno.lock`);
    assert.doesNotMatch(lock, /@modelcontextprotocol\/conformance|"esbuild@/);
    assert.equal(lock, shippedLock, "the installed deno.lock was rewritten at start");
    assert.ok(Array.isArray((listed.structuredContent as { containers: unknown[] }).containers));

    // Without --read the context is out of the sandbox; the hint names the launcher flag.
    const refused = await callTool(client, "docker_build_image", {
      path: context,
      tag: "berth-test/npm-never:x",
    });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text!, new RegExp(`--read ${context} before 'serve'`));

    await using granted = await connectInstalled(dir, [
      "--read",
      context,
      "serve",
      "--allow",
      "images",
    ]);
    const read = await callTool(granted, "docker_build_image", {
      path: context,
      tag: "berth-test/npm-never:x",
    });
    // Readable now: the build stops at the missing Dockerfile, creating nothing.
    const error = (read.structuredContent as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "DKR-004", error.message);
    assert.match(error.message, /'dockerfile'/);

    // A path typed relative to where the user is, as a shell user would: granted, resolved there.
    using manifests = tempDir("berth-npm-man-", {
      "tool.yaml": Deno.readTextFileSync(`${REPO}/manifest/system/docker_version.yaml`)
        .replace("name: docker_version", "name: npm_relative_version"),
    });
    const parent = manifests.path.replace(/\/[^/]+$/, "");
    const base = manifests.path.slice(parent.length + 1);
    const launcher = `${dir}/node_modules/berth-mcp/bin/berth.cjs`;
    const validated = await run("node", [launcher, "--read", base, "validate", base], {
      cwd: parent,
      ms: 60_000,
    });
    assert.ok(validated.success, validated.stderr);
    assert.match(validated.stdout, /^ok: \d+ tools valid/);
  },
);
