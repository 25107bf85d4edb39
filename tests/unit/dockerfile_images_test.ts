/**
 * The images a Dockerfile pulls in, read as the engine's parser reads them:
 * FROM in every spelling (case, continuations, flags, stages, scratch), ARG
 * substitution with global ARGs and build args, `COPY --from=<image>`, and
 * references berth refuses to guess. Then the check itself (DKR-007 naming
 * the line) and the pinned Dockerfile the context carries.
 */

import assert from "node:assert/strict";
import * as tar from "tar-stream";
import type { EngineClient } from "../../src/engine/client.ts";
import type { AnyOperation } from "../../src/engine/ops/mod.ts";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import { extractFlags, instructions } from "../../src/docker/build/dockerfile.ts";
import { dockerfileImages, triggerImages } from "../../src/docker/build/dockerfile_images.ts";
import { checkBaseImages } from "../../src/docker/build/bases.ts";
import { packContext } from "../../src/docker/build/context.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

/** The references a Dockerfile uses (a problem shows as `?<problem>`). */
function refs(source: string, buildArgs: Record<string, string> = {}): string[] {
  return dockerfileImages(source, buildArgs).map((u) => u.ref ?? `?${u.problem}`);
}

Deno.test("dockerfile: FROM in every spelling the parser accepts", () => {
  assert.deepEqual(refs("FROM alpine"), ["alpine"]);
  assert.deepEqual(refs("  from alpine:3.20\n"), ["alpine:3.20"]);
  assert.deepEqual(refs("FrOm\tdocker.io/library/alpine"), ["docker.io/library/alpine"]);
  assert.deepEqual(refs("FROM --platform=linux/amd64 evil/thing"), ["evil/thing"]);
  assert.deepEqual(refs("FROM --platform=$BUILDPLATFORM evil/thing AS b"), ["evil/thing"]);
  assert.deepEqual(refs('FROM --platform="linux/arm64" evil/thing'), ["evil/thing"]);
  assert.deepEqual(refs("FROM -- evil/thing"), ["evil/thing"]);
  assert.deepEqual(refs('FROM "evil/thing"'), ["evil/thing"]);
  assert.deepEqual(refs("FROM evil\\/thing"), ["evil/thing"]);
  assert.deepEqual(refs("FROM evil/thing@sha256:" + "a".repeat(64)), [
    "evil/thing@sha256:" + "a".repeat(64),
  ]);
  assert.deepEqual(refs("# FROM evil/thing\nRUN echo FROM evil/other\nFROM ok"), ["ok"]);
});

Deno.test("dockerfile: continuations join lines as they are, comments inside skipped", () => {
  assert.deepEqual(refs("FROM \\\n  evil/thing"), ["evil/thing"]);
  assert.deepEqual(refs("FROM ev\\\nil/thing"), ["evil/thing"]);
  assert.deepEqual(refs("FROM \\  \n# a comment\n\nevil/thing"), ["evil/thing"]);
  assert.deepEqual(refs("FR\\\nOM evil/thing"), ["evil/thing"]);
  assert.deepEqual(refs("FROM a\r\nFROM \\\r\nevil/thing\r\n"), ["a", "evil/thing"]);
  // The escape directive moves continuations to the backtick.
  assert.deepEqual(refs("# escape=`\nFROM ev`\nil/thing"), ["evil/thing"]);
  assert.deepEqual(refs("# syntax=x\n# escape=`\nFROM a\\\nFROM b"), ["a\\", "b"]);
  // A directive after an instruction is only a comment.
  assert.deepEqual(refs("FROM a\n# escape=`\nFROM ev\\\nil/thing"), ["a", "evil/thing"]);
  const { list } = instructions("\n\nFROM \\\n x\n\nRUN y");
  assert.deepEqual(list.map((i) => [i.line, i.keyword]), [[3, "from"], [6, "run"]]);
});

Deno.test("dockerfile: stages and scratch are not images", () => {
  const multi =
    "FROM golang AS Build\nFROM build\nFROM BUILD AS final\nFROM scratch\nFROM evil/thing";
  assert.deepEqual(refs(multi), ["golang", "evil/thing"]);
  // A stage only exists after its FROM: a name used earlier is an image.
  assert.deepEqual(refs("FROM later\nFROM x AS later"), ["later", "x"]);
  const lines = dockerfileImages("FROM alpine AS a\n\nFROM a\nFROM evil/thing AS b");
  assert.deepEqual(lines.map((u) => u.line), [1, 4]);
  assert.equal(lines[1].instruction, "FROM evil/thing AS b");
});

Deno.test("dockerfile: ARG substitution with global ARGs and build args", () => {
  assert.deepEqual(refs("ARG BASE=evil/thing\nFROM $BASE"), ["evil/thing"]);
  assert.deepEqual(refs("ARG BASE=evil/thing\nFROM ${BASE}"), ["evil/thing"]);
  assert.deepEqual(refs('ARG BASE="evil/thing"\nFROM ${BASE}'), ["evil/thing"]);
  assert.deepEqual(refs("ARG R=evil T\nFROM ${R}/thing:${T:-1.0}"), ["evil/thing:1.0"]);
  assert.deepEqual(refs("ARG A=evil B=${A}/thing\nFROM $B"), ["evil/thing"]);
  assert.deepEqual(refs("ARG S\nFROM busybox${S}"), ["busybox"]);
  assert.deepEqual(refs("ARG T=1\nFROM x:${T:+2}"), ["x:2"]);
  // Build args override declared ARGs only.
  assert.deepEqual(refs("ARG BASE=ok\nFROM $BASE", { BASE: "evil/thing" }), ["evil/thing"]);
  assert.deepEqual(refs("ARG T\nFROM evil/thing:${T:-x}", { T: "y" }), ["evil/thing:y"]);
  // An ARG declared after the first FROM is no meta arg.
  assert.match(refs("FROM a\nARG B=evil/thing\nFROM $B")[1], /^\?\$B is not an ARG/);
});

Deno.test("dockerfile: references berth cannot work out are reported, not guessed", () => {
  const cases: [string, Record<string, string>?][] = [
    ["FROM $BASE", { BASE: "evil/thing" }], // build arg without ARG: the engine ignores it
    ["FROM ${BASE}"],
    ["ARG X\nFROM ${X%%y}"],
    ["ARG X\nFROM ${X-y}"],
    ["ARG X\nFROM ${X:-'evil/thing'}"],
    ["ARG X=$UNDECLARED\nFROM $X"],
    ["ARG X\nFROM $X"], // empty after substitution
    ["FROM"],
    ["FROM 'evil/thing"],
    ["FROM évil/thing"],
    ["FROM --platform=x\u00a0evil/thing ok"],
    ["FROM $1"],
  ];
  for (const [source, args] of cases) {
    const uses = dockerfileImages(source, args);
    assert.equal(uses.length, 1, source);
    assert.equal(uses[0].ref, undefined, `${source} resolved to ${uses[0].ref}`);
    assert.ok(uses[0].problem, source);
  }
});

Deno.test("dockerfile: COPY --from an image is an image, from a finished stage is not", () => {
  const source = [
    "FROM alpine AS build",
    "COPY --from=evil/thing /a /b",
    "COPY --from=build /a /b", // the stage being read: the engine takes it for an image
    "FROM alpine AS final",
    "COPY --chown=1:1 --from=build /a /b",
    "COPY --from=0 /a /b",
    "COPY --from=1 /a /b",
    "COPY --from=$X /a /b",
    "COPY /from=evil /b",
  ].join("\n");
  assert.deepEqual(refs(source), [
    "alpine",
    "evil/thing",
    "build",
    "alpine",
    "1",
    "?it uses a variable or quotes",
  ]);
});

Deno.test("dockerfile: ONBUILD COPY --from is an image, whatever stages this file has", () => {
  const source = [
    "FROM alpine AS build",
    "onbuild COPY --from=evil/thing /a /b",
    "ONBUILD COPY --from=build /a /b", // a later build has no stage 'build' of this file
    "ONBUILD RUN true",
    "ONBUILD \\",
    "  COPY --from=other/img /a /b",
  ].join("\n");
  assert.deepEqual(refs(source), ["alpine", "evil/thing", "build", "other/img"]);
  const uses = dockerfileImages(source);
  assert.equal(uses[1].line, 2);
  assert.equal(uses[3].line, 5, "the trigger is named by its ONBUILD line");
});

Deno.test("dockerfile: a base image's triggers run with the stages before its FROM", () => {
  const source = "FROM alpine AS tools\nRUN true\nFROM team/base\n";
  const base = dockerfileImages(source).find((u) => u.ref === "team/base")!;
  assert.deepEqual(base.stages, ["tools"]);
  const triggers = [
    "COPY --from=tools /a /b",
    "COPY --from=evil/thing /a /b",
    "RUN make",
    "COPY --from=$X /a /b",
  ];
  const uses = triggerImages(triggers, base.stages!);
  assert.deepEqual(uses.map((u) => u.ref ?? `?${u.problem}`), [
    "evil/thing",
    "?it uses a variable or quotes",
  ]);
  assert.deepEqual(triggerImages(triggers, []).map((u) => u.ref).slice(0, 1), ["tools"]);
});

Deno.test("dockerfile: flags are read like the parser's extractBuilderFlags", () => {
  assert.deepEqual(extractFlags('--a=1 --b="x y" rest of it'), {
    flags: ["a=1", "b=x y"].map((f) => `--${f}`),
    rest: "rest of it",
  });
  assert.deepEqual(extractFlags("--a=\\ b c"), { flags: ["--a= b"], rest: "c" });
  assert.deepEqual(extractFlags("-- --not-a-flag"), { flags: [], rest: " --not-a-flag" });
  assert.throws(() => extractFlags("--a=é b"), /non-ASCII/);
});

/** The policy of a session with image lists, and a context for checkBaseImages. */
function listed(deny: string[], allow: string[] = []) {
  const policy = new ConfigPolicy({ levels: ["images"], images: { allow, deny } });
  // Base images are inspected (for their tags and ONBUILD triggers): each is
  // local, tagged as written, with no triggers.
  const engine = {
    json: (op: AnyOperation) =>
      Promise.resolve({
        RepoTags: [op.target.kind === "image" ? op.target.ref : ""],
        Config: { OnBuild: null },
      }),
  };
  return {
    policy,
    engine: engine as unknown as EngineClient,
    signal: new AbortController().signal,
  };
}

Deno.test("build check: a denied base image is DKR-007 naming the line", async () => {
  const dir = tempDirWith("berth-bases-", {
    "Dockerfile": "FROM busybox AS b\nARG X\nFROM --platform=linux/amd64 \\\n  evil/thing\n",
    "ok/Dockerfile": "FROM docker.io/library/busybox:latest\nFROM scratch\n",
  });
  try {
    const ctx = listed(["evil/*"]);
    await assert.rejects(checkBaseImages(ctx, dir, "Dockerfile"), (e: Error & { code: string }) => {
      assert.equal(e.code, "DKR-007");
      assert.match(e.message, /^Dockerfile line 3 \(FROM --platform=linux\/amd64 +evil\/thing\)/);
      assert.match(e.message, /Image 'evil\/thing' is not allowed by the image lists/);
      return true;
    });
    const pinned = await checkBaseImages(ctx, dir, "ok/Dockerfile");
    assert.equal(
      new TextDecoder().decode(pinned?.bytes),
      "FROM docker.io/library/busybox:latest\nFROM scratch\n",
    );
    // An allow list written for the short name covers the long one.
    assert.ok(await checkBaseImages(listed([], ["busybox"]), dir, "ok/Dockerfile"));
    await assert.rejects(
      checkBaseImages(listed([], ["busybox"]), dir, "Dockerfile"),
      /line 3 .*not allowed/,
    );
    await assert.rejects(
      checkBaseImages(ctx, dir, "Dockerfile", { X: "1" }),
      /line 3/,
      "build args change nothing for a literal name",
    );
    // No image lists: nothing is read, nothing is pinned.
    const open = { ...ctx, policy: new ConfigPolicy({ levels: ["images"] }) };
    assert.equal(await checkBaseImages(open, dir, "Dockerfile"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build check: unresolvable references and symlinked Dockerfiles are refused", async () => {
  const dir = tempDirWith("berth-bases-", {
    "Dockerfile": "FROM ${BASE}\n",
    "real/Dockerfile": "FROM evil/thing\n",
  });
  try {
    const ctx = listed(["evil/*"]);
    await assert.rejects(checkBaseImages(ctx, dir, "Dockerfile"), /DKR|cannot tell which image/);
    await Deno.symlink("real/Dockerfile", `${dir}/Linked`);
    await Deno.symlink("real", `${dir}/linkdir`);
    await assert.rejects(checkBaseImages(ctx, dir, "Linked"), /symbolic link/);
    await assert.rejects(checkBaseImages(ctx, dir, "linkdir/Dockerfile"), /symbolic link/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The files of an archive: name → text. */
async function files(stream: ReadableStream<Uint8Array>): Promise<Map<string, string>> {
  const extract = tar.extract();
  const out = new Map<string, string>();
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  const done = (async () => {
    for await (const entry of extract) {
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of entry) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
      }
      out.set(entry.header.name, text + decoder.decode());
    }
  })();
  extract.end(bytes);
  await done;
  return out;
}

Deno.test("build check: the context carries the Dockerfile berth checked, or fails", async () => {
  const dir = tempDirWith("berth-pin-", { "Dockerfile": "FROM evil/thing\n", "a.txt": "a" });
  try {
    const pinned = { path: "Dockerfile", bytes: new TextEncoder().encode("FROM checked\n") };
    const got = await files(packContext(dir, [], pinned).stream);
    assert.equal(got.get("Dockerfile"), "FROM checked\n");
    assert.equal(got.get("a.txt"), "a");
    // The path was swapped for something the walk never reaches: packing fails.
    const packed = packContext(dir, [], { path: "gone/Dockerfile", bytes: pinned.bytes });
    await assert.rejects(new Response(packed.stream).arrayBuffer());
    await packed.finished;
    assert.match(packed.failure()?.message ?? "", /moved while packing/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
