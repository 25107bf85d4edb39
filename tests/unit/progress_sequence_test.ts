/**
 * The notification sequences of long tools, as a progress bar sees them:
 * each value larger than the last, one total from the first time one is
 * sent, and a final notification whose value is that total. Build steps and
 * compose up go through StepProgress, pull and push through LayerProgress.
 */

import assert from "node:assert/strict";
import { LayerProgress } from "../../src/docker/progress/layers.ts";
import { StepProgress } from "../../src/docker/progress/steps.ts";
import type { Progress } from "../../src/interpreter/result.ts";

/** Fails unless `seen` is a sequence a progress bar can trust. */
function assertTrustworthy(seen: Progress[]): void {
  const all = JSON.stringify(seen);
  assert.ok(seen.length > 0, "no notification");
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].progress > seen[i - 1].progress, `not increasing at ${i}: ${all}`);
  }
  const first = seen.findIndex((p) => p.total !== undefined);
  assert.ok(first >= 0, `never a total: ${all}`);
  const total = seen[first].total;
  for (const p of seen.slice(first)) assert.equal(p.total, total, `total changed: ${all}`);
  for (const p of seen) assert.ok(p.total === undefined || p.progress <= p.total, all);
  assert.equal(seen.at(-1)!.progress, total, `final is not the total: ${all}`);
}

Deno.test("build steps: 'Step N/M' is N-1 of M, the image M of M; the total never grows", () => {
  const seen: Progress[] = [];
  const steps = new StepProgress((p) => seen.push(p));
  for (let n = 1; n <= 8; n++) steps.at(n - 1, `Step ${n}/8 : RUN x`, 8);
  steps.at(7, "Step 8/8 : again"); // a repeated step line sends nothing
  steps.finish("Built app:1");
  assertTrustworthy(seen);
  assert.deepEqual(seen[0], { progress: 0, total: 8, message: "Step 1/8 : RUN x" });
  assert.deepEqual(seen.at(-1), { progress: 8, total: 8, message: "Built app:1" });
  assert.equal(seen.length, 9);
});

Deno.test("build steps: a build without step lines still ends at its total", () => {
  const seen: Progress[] = [];
  new StepProgress((p) => seen.push(p)).finish("Built app:1");
  assert.deepEqual(seen, [{ progress: 1, total: 1, message: "Built app:1" }]);
});

Deno.test("compose up: images then containers, nested pulls and waits inside their step, ends at the total", () => {
  const seen: Progress[] = [];
  const steps = new StepProgress((p) => seen.push(p), 4); // two services
  // db's image is pulled: the pull's own numbers (a total that is its own) fall inside step 0.
  const pull = new LayerProgress(steps.within(0, "db: "), "downloaded", 0);
  const a = "aaaaaaaaaaaa";
  pull.update({ status: "Pulling fs layer", id: a });
  pull.update({ status: "Downloading", id: a, progressDetail: { current: 10, total: 100 } });
  pull.update({ status: "Pull complete", id: a });
  pull.finish("Pulled db:1");
  steps.at(1, "db: image db:1 pulled");
  steps.at(2, "web: image web:1 present");
  // db's container, then web's, which waits for db (no total: each moves a share of the step).
  const db = steps.within(2, "db: ");
  db({ progress: 0, message: "bringing its container up to date" });
  steps.at(3, "db: created");
  const web = steps.within(3, "web: ");
  web({ progress: 0, message: "waiting for db (service_healthy)" });
  web({ progress: 0, message: "bringing its container up to date" });
  steps.at(4, "web: created"); // the last service's step is the finish's
  steps.finish("Project p is up: 2 services");
  assertTrustworthy(seen);
  assert.ok(seen.every((p) => p.total === 4), JSON.stringify(seen));
  assert.ok(seen.some((p) => p.message === "web: waiting for db (service_healthy)"));
  assert.ok(seen.filter((p) => p.progress < 1).every((p) => p.message!.startsWith("db: ")));
  assert.equal(seen.at(-1)!.message, "Project p is up: 2 services");
});

Deno.test("step progress: nested work never reaches the next step, however much it reports", () => {
  const seen: Progress[] = [];
  const steps = new StepProgress((p) => seen.push(p), 2);
  const nested = steps.within(0);
  for (let i = 0; i < 200; i++) nested({ progress: i, message: `tick ${i}` });
  nested({ progress: 5, total: 5, message: "nested done" });
  assert.ok(seen.every((p) => p.progress < 1), JSON.stringify(seen.slice(-3)));
  steps.at(1, "one");
  steps.finish("done");
  assertTrustworthy(seen);
});

const MB = 1_000_000;

Deno.test("pull: layers, sizes arriving late, extraction; one total, final is the total", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "downloaded", 0);
  const a = "aaaaaaaaaaaa", b = "bbbbbbbbbbbb", c = "cccccccccccc";
  progress.update({ status: "Pulling from team/app", id: "latest" });
  for (const id of [a, b, c]) progress.update({ status: "Pulling fs layer", id });
  progress.update({ status: "Already exists", id: c });
  progress.update({ status: "Downloading", id: a, progressDetail: { current: 1, total: 3 * MB } });
  progress.update({ status: "Downloading", id: b, progressDetail: { current: 1, total: 2 * MB } });
  progress.update({ status: "Downloading", id: a, progressDetail: { current: MB, total: 3 * MB } });
  progress.update({ status: "Download complete", id: a });
  progress.update({ status: "Download complete", id: b });
  progress.update({ status: "Extracting", id: a, progressDetail: { current: MB, total: 3 * MB } });
  progress.update({ status: "Pull complete", id: a });
  progress.update({ status: "Pull complete", id: b });
  progress.update({ status: "Digest: sha256:abc" });
  progress.update({ status: "Status: Downloaded newer image for team/app:latest" });
  progress.finish("Pulled team/app:latest (downloaded)");
  assertTrustworthy(seen);
  assert.equal(seen.at(-1)!.message, "Pulled team/app:latest (downloaded)");
});

Deno.test("push: every layer already there still ends with the total it announced", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "pushed", 0);
  progress.update({ status: "The push refers to repository [127.0.0.1:5000/app]" });
  progress.update({ status: "Preparing", id: "dddddddddddd" });
  progress.update({ status: "Layer already exists", id: "dddddddddddd" });
  progress.update({ status: "1: digest: sha256:abc size: 527" });
  progress.finish("Pushed 127.0.0.1:5000/app:1");
  assertTrustworthy(seen);
});

Deno.test("push: a layer named after the total was sent cannot move it", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "pushed", 0);
  const a = "aaaaaaaaaaaa", b = "bbbbbbbbbbbb";
  progress.update({ status: "Pushing", id: a, progressDetail: { current: 10, total: 3 * MB } });
  progress.update({ status: "Pushing", id: a, progressDetail: { current: MB, total: 3 * MB } });
  progress.update({ status: "Pushing", id: b, progressDetail: { current: 10, total: 5 * MB } });
  progress.update({ status: "Pushed", id: a });
  progress.update({ status: "Pushed", id: b });
  progress.finish("Pushed app:1");
  assertTrustworthy(seen);
});

Deno.test("push: bytes pushed are told in their own unit, kB while under 1 MB", () => {
  const seen: Progress[] = [];
  const progress = new LayerProgress((p) => seen.push(p), "pushed", 0);
  const a = "aaaaaaaaaaaa";
  progress.update({
    status: "Pushing",
    id: a,
    progressDetail: { current: 33_000, total: 3_100_000 },
  });
  assert.match(seen.at(-1)!.message!, /0\/1 layers, 33 kB\/3\.1 MB pushed/);
});
