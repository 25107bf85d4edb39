/**
 * The README's systemd unit ("Serving a team over HTTP") as systemd would run
 * it: every path berth needs must be reachable under the unit's own hardening.
 * Deno keeps its cache in the home directory by default, which ProtectHome
 * hides, and ProtectSystem=strict leaves only the directories the unit names
 * writable (and ReadWritePaths= fails the start when the directory is missing).
 */

import assert from "node:assert/strict";
import denoConfig from "../../deno.json" with { type: "json" };

const README = new URL("../../README.md", import.meta.url);

/** The unit's `Key=value` lines (continuation lines joined), each key with all its values. */
function unit(): Map<string, string[]> {
  const text = Deno.readTextFileSync(README);
  const block = /```ini\n(# \/etc\/systemd\/system\/berth\.service\n[\s\S]*?)```/.exec(text);
  assert.ok(block, "the README has the berth.service unit in an ini block");
  const keys = new Map<string, string[]>();
  for (const line of block[1].replace(/\\\n\s*/g, " ").split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) keys.set(match[1], [...(keys.get(match[1]) ?? []), match[2]]);
  }
  return keys;
}

/** The value after `flag` in the unit's ExecStart. */
function execFlag(keys: Map<string, string[]>, flag: string): string | undefined {
  const words = (keys.get("ExecStart")?.[0] ?? "").split(/\s+/);
  const at = words.indexOf(flag);
  return at < 0 ? undefined : words[at + 1];
}

/** The directories systemd makes writable for the unit. */
function writable(keys: Map<string, string[]>): string[] {
  const made = (key: string, root: string) =>
    (keys.get(key) ?? []).flatMap((v) => v.split(/\s+/)).map((d) => `${root}/${d}`);
  return [
    ...made("CacheDirectory", "/var/cache"),
    ...made("StateDirectory", "/var/lib"),
    ...made("LogsDirectory", "/var/log"),
    ...(keys.get("ReadWritePaths") ?? []).flatMap((v) => v.split(/\s+/)),
  ];
}

const inside = (path: string, dirs: string[]) =>
  dirs.some((dir) => path === dir || path.startsWith(`${dir}/`));

Deno.test("README systemd unit: Deno's cache and the audit log are writable under its hardening", () => {
  const keys = unit();
  const env = (keys.get("Environment") ?? []).join(" ");
  if (keys.get("ProtectHome")?.[0] !== "false" && keys.has("ProtectHome")) {
    const denoDir = /(?:^|\s)DENO_DIR=(\S+)/.exec(env)?.[1];
    assert.ok(denoDir, "ProtectHome hides ~/.cache/deno: the unit must set DENO_DIR");
    if (keys.get("ProtectSystem")?.[0] === "strict") {
      assert.ok(inside(denoDir, writable(keys)), `DENO_DIR ${denoDir} is not writable`);
    }
  }
  const audit = execFlag(keys, "--audit-log");
  if (audit && keys.get("ProtectSystem")?.[0] === "strict") {
    assert.ok(inside(audit, writable(keys)), `the audit log ${audit} is not writable`);
  }
  // ReadWritePaths= of a directory that does not exist fails the start: prefer LogsDirectory=.
  assert.ok(!(keys.get("ReadWritePaths") ?? []).some((p) => inside(p, ["/var/log/berth"])));
});

Deno.test("README systemd unit: the berth set reads its token file and writes its audit log", () => {
  const keys = unit();
  const set = denoConfig.permissions.berth;
  const tokens = execFlag(keys, "--token-file");
  assert.ok(tokens && inside(tokens, set.read), `${tokens} is outside the berth set's reads`);
  const audit = execFlag(keys, "--audit-log");
  assert.ok(audit && inside(audit, set.write), `${audit} is outside the berth set's writes`);
});
