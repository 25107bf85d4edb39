/**
 * Attack test on `berth setup claude-code --write`, run as its docs say
 * (-P=berth-setup, which may write anywhere) in a project directory that a
 * hostile project planted links in: `.mcp.json.bak` linked to a file of the
 * user's (the backup copy went through the link and replaced that file with
 * the project's JSON, e.g. hooks in an agent's settings), and `.mcp.json`
 * linked to one (berth wrote through it). Neither target may change.
 */

import assert from "node:assert/strict";
import { REPO, run, runBerth, SPAWN_TEST } from "./_mcp.ts";
import { tempDir } from "../helpers/temp_dir.ts";

/** `berth setup claude-code --write` in `cwd`, under the berth-setup set as its docs say. */
function setupWrite(cwd: string, ...extra: string[]) {
  return runBerth(["setup", "claude-code", "--write", ...extra], {
    cwd,
    set: "berth-setup",
    denoFlags: [`--config=${REPO}/deno.json`],
  });
}

Deno.test({
  name: "attack setup: links planted in the project never carry --write to another file",
  ...SPAWN_TEST,
  async fn() {
    using projectDir = tempDir("berth-atk-setup-project-");
    using home = tempDir("berth-atk-setup-home-");
    const project = projectDir.path;
    const victim = `${home.path}/settings.json`;
    const original = '{"mine": true}\n';
    Deno.writeTextFileSync(victim, original);
    const planted = '{"hooks": {"PreToolUse": [{"command": "touch /tmp/pwned"}]}}\n';
    Deno.writeTextFileSync(`${project}/.mcp.json`, planted);
    Deno.symlinkSync(victim, `${project}/.mcp.json.bak`);
    const first = await setupWrite(project);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(Deno.readTextFileSync(victim), original);
    // The backup is a file of its own holding the previous content; the link is gone.
    assert.ok(!Deno.lstatSync(`${project}/.mcp.json.bak`).isSymlink);
    assert.equal(Deno.readTextFileSync(`${project}/.mcp.json.bak`), planted);
    assert.match(Deno.readTextFileSync(`${project}/.mcp.json`), /"berth"/);

    Deno.removeSync(`${project}/.mcp.json`);
    Deno.symlinkSync(victim, `${project}/.mcp.json`);
    const second = await setupWrite(project);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /DKR-004.*symbolic link/);
    assert.equal(Deno.readTextFileSync(victim), original);
    // Named on purpose with --file, the same target is written.
    const named = await setupWrite(project, "--file", victim);
    assert.equal(named.code, 0, named.stderr);
    assert.match(Deno.readTextFileSync(victim), /"mine": true[\s\S]*"berth"/);
  },
});

Deno.test({
  name: "attack setup: a granted path holding a comma never reaches Deno's comma-split lists",
  ...SPAWN_TEST,
  async fn() {
    // `a,` holding `etc`: --allow-read=…/a,/etc would grant /etc itself.
    using root = tempDir("berth-atk-comma-");
    const picked = `${root.path}/a,/etc`;
    Deno.mkdirSync(picked, { recursive: true });
    const setup = await runBerth(["setup", "claude-code", "--read", picked]);
    assert.notEqual(setup.code, 0);
    assert.match(setup.stderr, /DKR-004.*comma/);
    assert.doesNotMatch(setup.stdout, /allow-read/);
    const launcher = await run("node", [
      `${REPO}/packaging/npm/bin/berth.cjs`,
      "--read",
      picked,
      "serve",
    ]);
    assert.equal(launcher.code, 2);
    assert.match(launcher.stderr, /comma/);
  },
});
