/**
 * The flags berth names when Deno's sandbox refuses a path: they must keep the
 * whole `berth` set of deno.json, because a flag next to `-P=berth` replaces
 * the set's list instead of extending it.
 */

import assert from "node:assert/strict";
import config from "../../deno.json" with { type: "json" };
import { allowFlag, allowReadHint, berthSetPaths, grantHint } from "../../src/errors/mod.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The paths a `--allow-<permission>=a,b,c` flag in `text` grants. */
function granted(text: string, permission: "read" | "write"): string[] {
  const flag = new RegExp(`--allow-${permission}=(\\S+)`).exec(text);
  assert.ok(flag, `no --allow-${permission} in: ${text}`);
  return flag[1].split(",");
}

Deno.test("sandbox hint: berthSetPaths is deno.json's berth set, ./ made absolute", () => {
  const read = berthSetPaths("read");
  assert.equal(read.length, config.permissions.berth.read.length);
  assert.ok(read.includes(`${REPO}/manifest`), read.join(","));
  assert.ok(read.includes("/var/run/docker.sock"));
  assert.ok(read.every((p) => p.startsWith("/")), "no path left relative to the cwd");
  assert.deepEqual(berthSetPaths("write"), config.permissions.berth.write);
});

Deno.test("sandbox hint: --allow-read names the new path first, then the whole set", () => {
  const paths = granted(allowReadHint("/home/me/app"), "read");
  assert.equal(paths[0], "/home/me/app");
  assert.deepEqual(paths.slice(1), berthSetPaths("read"));
});

Deno.test("sandbox hint: names berth setup, then where the flag goes and that it replaces the set's list", () => {
  const hint = allowReadHint("/home/me/app");
  assert.match(hint, /^Run 'berth setup CLIENT --read \/home\/me\/app' \(CLIENT: claude-desktop, /);
  assert.match(hint, /by hand: Add --allow-read=\S+ after -P=berth in the deno run command/);
  assert.match(hint, /"args" of its config/);
  assert.match(hint, /replaces the berth set's list/);
  assert.doesNotMatch(hint, /\.$/, "hints end without a period");
});

Deno.test("sandbox hint: a path the set already holds is not repeated", () => {
  const paths = granted(allowFlag("write", "/var/log/berth"), "write");
  assert.equal(paths.filter((p) => p === "/var/log/berth").length, 1);
  assert.deepEqual(new Set(paths), new Set(berthSetPaths("write")));
});

Deno.test("sandbox hint: --allow-env keeps the set's variables after the new one", () => {
  const flag = allowFlag("env", "DOCKER_MCP_FALLBACK_KEY");
  const names = flag.replace(/^--allow-env=/, "").split(",");
  assert.equal(names[0], "DOCKER_MCP_FALLBACK_KEY");
  assert.deepEqual(names.slice(1), config.permissions.berth.env);
});

Deno.test("sandbox hint: under npx or the image the fix is a launcher flag before serve", () => {
  const before = Deno.env.get("BERTH_VIA");
  try {
    Deno.env.set("BERTH_VIA", "npx");
    let hint = allowReadHint("/srv/app");
    assert.match(hint, /by hand: put --read \/srv\/app before 'serve' in the "args"$/);
    assert.doesNotMatch(hint, /-P=berth/);
    Deno.env.set("BERTH_VIA", "image");
    hint = grantHint("write", "/srv/log/audit.jsonl");
    assert.match(hint, /berth setup CLIENT --audit-log \/srv\/log\/audit\.jsonl/);
    assert.match(hint, /--write-path \/srv\/log\/audit\.jsonl before 'serve'.* mount it/);
  } finally {
    if (before === undefined) Deno.env.delete("BERTH_VIA");
    else Deno.env.set("BERTH_VIA", before);
  }
});
