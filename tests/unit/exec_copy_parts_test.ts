/**
 * The pure parts of the exec and copy tools: the tar round trip and its
 * limits, the exec output collector's per-stream caps, the copy name rules
 * and the handler timers.
 */

import assert from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";
import { cleanName } from "../../src/tools/exec/copy_to_container.ts";
import { entryPath, normalizePath } from "../../src/tools/exec/copy_from_container.ts";
import { OutputCollector, truncationNote } from "../../src/tools/exec/exec_command.ts";
import { newExecMarker } from "../../src/docker/exec_kill.ts";
import { packTar, readTar } from "../../src/docker/tar.ts";
import { startTimer, waitBudget } from "../../src/docker/timer.ts";

const text = (s: string) => new TextEncoder().encode(s);
const stream = (bytes: Uint8Array, chunk = bytes.length) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
      controller.close();
    },
  });

Deno.test("tar: entries survive a round trip", async () => {
  const archive = await packTar([
    { name: "conf", type: "directory", mode: 0o755 },
    { name: "conf/app.ini", type: "file", mode: 0o640, content: text("a=1\n") },
    { name: "link", type: "symlink", mode: 0o777, linkname: "conf/app.ini" },
    { name: "empty", type: "file", mode: 0o600 },
  ]);
  assert.equal(archive.length % 512, 0);
  const read = await readTar(stream(archive, 700), {
    maxBytes: 1 << 20,
    maxEntries: 10,
    keepBytes: 1024,
  });
  assert.equal(read.truncated, false);
  assert.deepEqual(
    read.entries.map((e) => [e.name, e.type, e.mode.toString(8), e.size, e.linkname]),
    [
      ["conf/", "directory", "755", 0, undefined],
      ["conf/app.ini", "file", "640", 4, undefined],
      ["link", "symlink", "777", 0, "conf/app.ini"],
      ["empty", "file", "600", 0, undefined],
    ],
  );
  assert.equal(new TextDecoder().decode(read.entries[1].content), "a=1\n");
});

Deno.test("tar: byte, entry and content limits cut the listing", async () => {
  const entries = Array.from({ length: 5 }, (_, i) => ({
    name: `f${i}`,
    type: "file" as const,
    mode: 0o644,
    content: new Uint8Array(2000).fill(65),
  }));
  const archive = await packTar(entries);
  const byBytes = await readTar(stream(archive), { maxBytes: 6000, maxEntries: 10, keepBytes: 1 });
  assert.equal(byBytes.truncated, true);
  assert.ok(byBytes.entries.length >= 1 && byBytes.entries.length < 5, `${byBytes.entries.length}`);
  assert.ok(byBytes.bytes <= 6000);
  const byCount = await readTar(stream(archive, 512), {
    maxBytes: 1 << 20,
    maxEntries: 2,
    keepBytes: 1,
  });
  assert.equal(byCount.truncated, true);
  assert.equal(byCount.entries.length, 2);
  const small = await readTar(stream(archive), {
    maxBytes: 1 << 20,
    maxEntries: 10,
    keepBytes: 100,
  });
  assert.ok(small.entries.every((e) => e.content === undefined), "large files keep no content");
});

Deno.test("exec output: each stream keeps its own first max characters", () => {
  const collector = new OutputCollector(5);
  collector.push({ stream: "stdout", data: text("abc") });
  collector.push({ stream: "stderr", data: text("E") });
  collector.push({ stream: "stdout", data: text("defgh") });
  assert.deepEqual(collector.result(), { stdout: "abcde", stderr: "E", truncated: true });
  assert.deepEqual(collector.dropped(), { stdout: 3, stderr: 0 }, "fgh dropped");
  collector.push({ stream: "stdout", data: text("€€") });
  assert.deepEqual(collector.dropped(), { stdout: 9, stderr: 0 }, "bytes, not characters");
  const whole = new OutputCollector(10);
  // A multi-byte character split across chunks is decoded whole.
  const euro = text("€");
  whole.push({ stream: "stdout", data: euro.slice(0, 1) });
  whole.push({ stream: "stdout", data: euro.slice(1) });
  assert.deepEqual(whole.result(), { stdout: "€", stderr: "", truncated: false });
  assert.deepEqual(whole.dropped(), { stdout: 0, stderr: 0 });
});

Deno.test("exec output: the truncation note says what was dropped and what to do", () => {
  assert.equal(truncationNote({ stdout: 0, stderr: 0 }, 10_000), "");
  const note = truncationNote({ stdout: 12_345, stderr: 7 }, 10_000);
  assert.match(note, /12,345 bytes of stdout dropped, 7 bytes of stderr dropped/);
  assert.match(note, /10,000 characters per stream/);
  assert.match(note, /redirect it to a file/);
});

Deno.test("copy names: relative names inside the directory only", () => {
  assert.equal(cleanName("f", "a.txt"), "a.txt");
  assert.equal(cleanName("f", "./conf/app.ini"), "conf/app.ini");
  assert.equal(cleanName("f", "dir/"), "dir");
  for (const bad of ["", "/etc/passwd", "../x", "a/../../b", "a//b", "a/./b", "a\\b", "a\0b"]) {
    assert.throws(() => cleanName("files.0.name", bad), (e: unknown) => {
      assert.ok(e instanceof BerthError);
      assert.equal(e.code, "DKR-004");
      assert.match(e.message, /'files\.0\.name'/);
      return true;
    }, JSON.stringify(bad));
  }
});

Deno.test("exec marker: random and environment-shaped", () => {
  const a = newExecMarker();
  assert.match(a, /^BERTH_EXEC_ID=[0-9a-f]{32}$/);
  assert.notEqual(a, newExecMarker());
});

Deno.test("timers: a handler's own wait ends before the class deadline", async () => {
  assert.equal(waitBudget({ deadlineMs: 30_000 }, undefined, 6_000), 24_000);
  assert.equal(waitBudget({ deadlineMs: 30_000 }, 5_000, 6_000), 5_000);
  assert.equal(waitBudget({ deadlineMs: 30_000 }, 60_000, 6_000), 24_000);
  assert.equal(waitBudget({ deadlineMs: 3_000 }, undefined, 6_000), 1_000);

  const own = startTimer(new AbortController().signal, 10);
  await new Promise((resolve) => own.signal.addEventListener("abort", resolve));
  assert.equal(own.expired(), true);
  own.dispose();

  const parent = new AbortController();
  const linked = startTimer(parent.signal, 60_000);
  parent.abort(new Error("client cancelled"));
  assert.equal(linked.signal.aborted, true);
  assert.equal(linked.expired(), false, "the call ended it, not the timer");
  linked.dispose();
});

Deno.test("copy from: archive entry names become absolute container paths for every request", () => {
  // [requested path, the names the engine's archive holds, the paths berth answers]
  const cases: [string, string[], string[]][] = [
    ["/data/in", ["in/", "in/hello.txt"], ["/data/in", "/data/in/hello.txt"]],
    ["/data/in/", ["in/", "in/hello.txt"], ["/data/in", "/data/in/hello.txt"]],
    ["/data/in/.", ["./", "./hello.txt"], ["/data/in", "/data/in/hello.txt"]],
    ["/data/in/..", ["data/", "data/in/hello.txt"], ["/data", "/data/in/hello.txt"]],
    ["/", ["/", "/bin/", "/bin/sh"], ["/", "/bin", "/bin/sh"]],
    ["/etc/hostname", ["hostname"], ["/etc/hostname"]],
    ["//etc//", ["etc/", "etc/passwd"], ["/etc", "/etc/passwd"]],
  ];
  for (const [path, names, expected] of cases) {
    const root = normalizePath(path);
    assert.deepEqual(names.map((n) => entryPath(root, n)), expected, path);
  }
  assert.equal(normalizePath("/a/../../b/./c/"), "/b/c");
});
