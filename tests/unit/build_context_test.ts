/**
 * The build context packer: what `.dockerignore` keeps out and lets back in,
 * how entries look (owners 0:0, symlinks stored, modes kept), and that a
 * cancelled stream closes its files.
 */

import assert from "node:assert/strict";
import * as tar from "tar-stream";
import { checkDockerfile, packContext, readExcludes } from "../../src/docker/build/context.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

/** A build context in a temp dir. */
function tree(files: Record<string, string>): string {
  return tempDirWith("berth-ctx-", files);
}

/** Unpacks an archive into name → header (and text for small files). */
async function entries(stream: ReadableStream<Uint8Array>) {
  const extract = tar.extract();
  const out = new Map<string, { type: string; uid: number; mode: number; linkname?: string }>();
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      out.set(h.name, {
        type: h.type,
        uid: h.uid,
        mode: h.mode,
        linkname: h.linkname ?? undefined,
      });
      entry.resume();
    }
  })();
  extract.end(bytes);
  await done;
  return out;
}

Deno.test("build context: .dockerignore like the docker CLI", async () => {
  const dir = tree({
    "Dockerfile": "FROM x",
    ".dockerignore": "# comment\n/secret.txt\n*.log\ncache/\n!cache/keep.txt\nDockerfile\n",
    "secret.txt": "s",
    "app.log": "l",
    "src/main.log": "sent: *.log matches the root only",
    "src/main.ts": "m",
    "cache/big.bin": "b",
    "cache/keep.txt": "k",
  });
  try {
    await Deno.chmod(`${dir}/src/main.ts`, 0o750);
    await Deno.symlink("main.ts", `${dir}/src/link`);
    const excludes = await readExcludes(dir, "Dockerfile");
    const got = await entries(packContext(dir, excludes).stream);
    const names = [...got.keys()].sort();
    assert.deepEqual(names, [
      ".dockerignore",
      "Dockerfile", // ignored by a pattern, sent all the same
      "cache/keep.txt", // an exception under an ignored directory
      "src/",
      "src/link",
      "src/main.log",
      "src/main.ts",
    ]);
    assert.equal(got.get("src/link")!.type, "symlink");
    assert.equal(got.get("src/link")!.linkname, "main.ts");
    assert.equal(got.get("src/main.ts")!.mode & 0o777, 0o750);
    assert.ok([...got.values()].every((e) => e.uid === 0));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build context: the Dockerfile must be a relative file inside the context", async () => {
  const dir = tree({ "Dockerfile": "FROM x", "sub/Other": "FROM y" });
  try {
    await checkDockerfile(dir, "Dockerfile");
    await checkDockerfile(dir, "sub/Other");
    await assert.rejects(checkDockerfile(dir, "../etc/passwd"), /'dockerfile'/);
    await assert.rejects(checkDockerfile(dir, "/etc/passwd"), /'dockerfile'/);
    await assert.rejects(checkDockerfile(dir, "sub"), /'dockerfile'/);
    await assert.rejects(checkDockerfile(dir, "missing"), /'dockerfile'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build context: a cancelled stream stops packing and closes its file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "berth-ctx-" });
  try {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(8 * 1024 * 1024));
    const packed = packContext(dir, []);
    const reader = packed.stream.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.length > 0);
    await reader.cancel();
    // The packer was waiting for room in the archive: it must notice and let go of the file.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      packed.finished.then(() => true),
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), 2000)),
    ]);
    clearTimeout(timer);
    assert.ok(ended, "packing still waits after the stream was cancelled");
    assert.equal(packed.failure(), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
