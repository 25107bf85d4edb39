/**
 * Pure parts of the image, network and volume tools: reference splitting,
 * the registry auth header, progress aggregation, prune label matching,
 * bind detection and address checks.
 */

import { images, networks } from "../../src/engine/ops/mod.ts";
import { requestOf } from "../../src/engine/client.ts";
import type { AnyOperation } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import { bindsHostPath } from "../../src/tools/volumes/create_volume.ts";
import { isCidr, isIp } from "../../src/tools/networks/create_network.ts";
import {
  LayerProgress,
  progressLines,
  stripTerminalControl,
} from "../../src/docker/progress/layers.ts";
import { labelsMatch, postPrune, pruneVolumes } from "../../src/docker/prune.ts";
import type { EngineClient } from "../../src/engine/client.ts";
import { BerthError } from "../../src/errors/mod.ts";
import {
  namedReference,
  parseReference,
  registryAuth,
  registryAuthHeader,
  registryErrorType,
  registryHost,
  scrub,
} from "../../src/docker/registry/references.ts";
import type { Progress } from "../../src/interpreter/result.ts";

Deno.test("references: a registry port is never a tag; digests and defaults", () => {
  assert.deepEqual(parseReference("127.0.0.1:5000/team/app"), {
    name: "127.0.0.1:5000/team/app",
    digest: undefined,
  });
  assert.deepEqual(parseReference("host:5000/app:1.2"), {
    name: "host:5000/app",
    tag: "1.2",
    digest: undefined,
  });
  const digest = "sha256:" + "a".repeat(64);
  assert.deepEqual(parseReference(`app@${digest}`), { name: "app", digest });
  assert.deepEqual(namedReference("image", "nginx"), {
    name: "nginx",
    tag: "latest",
    digest: undefined,
  });
  assert.equal(namedReference("image", "nginx", "1.27").tag, "1.27");
  assert.throws(() => namedReference("image", "nginx:1", "2"), /'tag'/);
  assert.throws(() => namedReference("image", "a".repeat(64)), /'image'/);
  assert.throws(() => namedReference("image", "nginx", "bad tag"), /'tag'/);
  assert.equal(registryHost("127.0.0.1:5001/x/y"), "127.0.0.1:5001");
  assert.equal(registryHost("localhost/x"), "localhost");
  assert.equal(registryHost("team/app"), "docker.io");
});

Deno.test("auth header: padded base64url JSON the engine decodes; {} when anonymous", () => {
  assert.equal(registryAuthHeader(undefined, "app"), "e30=");
  const header = registryAuthHeader({ username: "u", password: "p?>~" }, "reg:5000/app");
  assert.ok(!/[+/]/.test(header));
  const json = atob(header.replaceAll("-", "+").replaceAll("_", "/"));
  assert.deepEqual(JSON.parse(json), {
    username: "u",
    password: "p?>~",
    serveraddress: "reg:5000",
  });
  assert.equal(scrub(`x ${header} p?>~ y`, ["p?>~", header]), "x ***REDACTED*** ***REDACTED*** y");
});

Deno.test("auth parameter: known keys only, strings only, values never in messages", () => {
  assert.deepEqual(registryAuth({ username: "u", password: "p" }), {
    username: "u",
    password: "p",
  });
  assert.equal(registryAuth(undefined), undefined);
  assert.throws(() => registryAuth({ token: "s3cr3t" }), (e: Error) => {
    assert.match(e.message, /'auth.token'/);
    assert.ok(!e.message.includes("s3cr3t"));
    return true;
  });
  assert.throws(
    () => registryAuth({ password: { nested: "s3cr3t" } }),
    /'auth.password' must be a string/,
  );
});

Deno.test("registry errors: unknown images and refused credentials are told apart", () => {
  assert.equal(
    registryErrorType("manifest for x:1 not found: manifest unknown"),
    "image_not_found",
  );
  assert.equal(
    registryErrorType("pull access denied for x, repository does not exist"),
    "image_not_found",
  );
  assert.equal(registryErrorType("no basic auth credentials"), "permission_denied");
  assert.equal(registryErrorType("unauthorized: authentication required"), "permission_denied");
  assert.equal(
    registryErrorType("requested access to the resource is denied"),
    "permission_denied",
  );
  assert.equal(registryErrorType("disk full"), undefined);
});

Deno.test("layer progress: one number that only grows, totals from every layer", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "downloaded", 0);
  const a = "aaaaaaaaaaaa", b = "bbbbbbbbbbbb";
  progress.update({ status: "Pulling from team/app", id: "latest" });
  progress.update({ status: "Pulling fs layer", id: a });
  progress.update({ status: "Already exists", id: b });
  progress.update({ status: "Downloading", id: a, progressDetail: { current: 100, total: 1000 } });
  progress.update({ status: "Downloading", id: a, progressDetail: { current: 50, total: 1000 } }); // stale
  progress.update({ status: "Downloading", id: a, progressDetail: { current: 600, total: 1000 } });
  progress.update({ status: "Download complete", id: a });
  progress.update({ status: "Extracting", id: a, progressDetail: { current: 500, total: 1000 } });
  progress.update({ status: "Pull complete", id: a });
  progress.finish("Pulled team/app:latest");
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].progress > seen[i - 1].progress, JSON.stringify(seen));
  }
  const last = seen.at(-1)!;
  assert.equal(last.progress, last.total);
  assert.ok(seen.some((p) => p.message?.includes("1/2 layers")));
  assert.ok(seen.some((p) => (p.total ?? 0) >= 2000));
  const totals = progress.totals();
  assert.equal(totals.size, 1000);
  assert.equal(totals.done, 2);
});

Deno.test("layer progress: throttled between layer updates, never on completion", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "pushed", 60_000);
  const a = "aaaaaaaaaaaa";
  progress.update({ status: "Preparing", id: a });
  for (let i = 1; i <= 50; i++) {
    progress.update({ status: "Pushing", id: a, progressDetail: { current: i * 10, total: 500 } });
  }
  progress.update({ status: "Pushed", id: a });
  assert.ok(seen.length <= 3, `sent ${seen.length}`);
  assert.ok(seen.at(-1)!.message!.includes("Pushed"));
});

Deno.test("progress lines: terminal colours, cursor moves and titles are removed", async () => {
  assert.equal(stripTerminalControl("\u001b[91mboom\u001b[0m"), "boom");
  assert.equal(stripTerminalControl("a\u001b[2K\u001b[1A\rb\u0007\tc\n"), "a\rb\tc\n");
  assert.equal(stripTerminalControl("\u001b]0;title\u0007x \u001b(B\u001b"), "x ");
  const ndjson = [
    { stream: "\u001b[31mred\u001b[0m\n" },
    { status: "\u001b[1mPulling\u001b[22m", progress: "[=>  ]" },
    {
      error: "\u001b[91mfailed\u001b[0m",
      errorDetail: { code: 3, message: "\u001b[91mfailed\u001b[0m" },
    },
  ].map((line) => JSON.stringify(line) + "\n").join("");
  const lines = [];
  for await (const line of progressLines(new Blob([ndjson]).stream(), "test")) lines.push(line);
  assert.deepEqual(lines, [
    { stream: "red\n" },
    { status: "Pulling", progress: "[=>  ]" },
    { error: "failed", errorDetail: { code: 3, message: "failed" } },
  ]);
});

Deno.test("volume prune: label filters as the engine applies them", () => {
  const labels = { team: "web", tier: "db" };
  assert.ok(labelsMatch(labels, {}));
  assert.ok(labelsMatch(labels, { label: ["team", "tier=db"] }));
  assert.ok(!labelsMatch(labels, { label: ["team=api"] }));
  assert.ok(!labelsMatch(labels, { "label!": ["tier"] }));
  assert.ok(labelsMatch(labels, { "label!": ["tier=cache"] }));
});

Deno.test("volume options that bind a host path; network addresses", () => {
  assert.ok(bindsHostPath({ type: "none", o: "bind", device: "/" }));
  assert.ok(bindsHostPath({ o: "rbind,ro" }));
  assert.ok(bindsHostPath({ type: "bind" }));
  assert.ok(!bindsHostPath({ type: "tmpfs", device: "tmpfs", o: "size=100m" }));
  assert.ok(!bindsHostPath({ type: "nfs", o: "addr=10.0.0.1,binding=x" }));
  assert.ok(isCidr("10.10.0.0/24") && isCidr("fd00::/64"));
  assert.ok(!isCidr("10.10.0.0/33") && !isCidr("10.10.0.0") && !isCidr("300.1.1.1/8"));
  assert.ok(isIp("10.0.0.1") && !isIp("10.0.0.256") && !isIp("host"));
});

Deno.test("prune: waits while the engine runs another prune of the same kind", async () => {
  let calls = 0;
  const engine = {
    json: () => {
      calls++;
      if (calls < 3) {
        return Promise.reject(new BerthError("conflict", "A prune operation is already running"));
      }
      return Promise.resolve({ NetworksDeleted: ["n1"] });
    },
  } as unknown as EngineClient;
  const signal = new AbortController().signal;
  const report = await postPrune({ engine, signal }, networks.prune());
  assert.deepEqual(report, { NetworksDeleted: ["n1"] });
  assert.equal(calls, 3);
  // Other conflicts are not waited for.
  const other = {
    json: () => Promise.reject(new BerthError("conflict", "Something else")),
  } as unknown as EngineClient;
  await assert.rejects(postPrune({ engine: other, signal }, images.prune()), /Something else/);
});

Deno.test("volume prune: all=true is a filter from API 1.42 on, never sent to older engines", async () => {
  const sent: string[] = [];
  const engineAt = (version: string) =>
    ({
      apiVersion: () => Promise.resolve(version),
      json: (op: AnyOperation) => {
        const req = requestOf(op);
        sent.push(`${version} ${req.path} ${req.query?.filters ?? ""}`);
        return Promise.resolve({ VolumesDeleted: ["v"], SpaceReclaimed: 1 });
      },
    }) as unknown as EngineClient;
  const signal = new AbortController().signal;
  const label = { label: ["k=v"] };
  await pruneVolumes({ engine: engineAt("1.43"), signal }, true, label);
  await pruneVolumes({ engine: engineAt("1.43"), signal }, false, label);
  await pruneVolumes({ engine: engineAt("1.41"), signal }, true, label);
  assert.deepEqual(sent, [
    `1.43 /volumes/prune {"label":["k=v"],"all":["true"]}`,
    `1.43 /volumes/prune {"label":["k=v"]}`,
    `1.41 /volumes/prune {"label":["k=v"]}`,
  ]);
  // 1.41 without all: berth lists dangling volumes and removes the anonymous ones itself.
  sent.length = 0;
  await pruneVolumes({ engine: engineAt("1.41"), signal }, false, label);
  assert.deepEqual(sent, [`1.41 /volumes {"dangling":["true"]}`]);
});

const MIB = 1024 * 1024;

Deno.test("layer progress: no total until every layer's size is known, then one that holds", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "downloaded", 0);
  const a = "aaaaaaaaaaaa", b = "bbbbbbbbbbbb";
  progress.update({ status: "Pulling fs layer", id: a });
  progress.update({ status: "Pulling fs layer", id: b });
  progress.update({
    status: "Downloading",
    id: a,
    progressDetail: { current: 10, total: 3 * MIB },
  });
  const early = seen.at(-1)!;
  assert.equal(early.total, undefined, "b's size is unknown: no total yet");
  assert.match(early.message!, /0\/2 layers, 10 B downloaded so far/);
  progress.update({ status: "Downloading", id: b, progressDetail: { current: 20, total: 512 } });
  const known = seen.filter((p) => p.total !== undefined);
  assert.ok(known.length > 0);
  progress.update({
    status: "Downloading",
    id: a,
    progressDetail: { current: MIB, total: 3 * MIB },
  });
  progress.update({ status: "Pull complete", id: b });
  progress.update({ status: "Pull complete", id: a });
  const totals = new Set(seen.filter((p) => p.total !== undefined).map((p) => p.total));
  assert.equal(totals.size, 1, `one total once sizes are known: ${[...totals]}`);
  assert.ok(seen.every((p) => !/\b0\/0 MB/.test(p.message ?? "")), JSON.stringify(seen));
});

Deno.test("layer progress: layers under 1 MB are counted in kB (decimal, as the docker CLI)", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "pushed", 0);
  const a = "aaaaaaaaaaaa";
  progress.update({ status: "Pushing", id: a, progressDetail: { current: 1024, total: 4096 } });
  assert.match(seen.at(-1)!.message!, /0\/1 layers, 1\.02 kB\/4\.1 kB pushed/);
});
