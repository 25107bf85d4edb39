/**
 * The release workflow, read as a reviewer reads it (it cannot run here:
 * `deno compile` downloads denort): its compile step builds the entry point
 * and permission set the tests run, every asset is in SHA256SUMS and has a
 * provenance attestation, and the image is built on the official base.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { serveArgs } from "../e2e/_mcp.ts";
import { V8_FLAGS } from "../../src/setup/ways.ts";
import denoConfig from "../../deno.json" with { type: "json" };

const text = (path: string) => Deno.readTextFileSync(new URL(`../../${path}`, import.meta.url));

type Step = { name?: string; run?: string; uses?: string; with?: Record<string, string> };
type Job = { steps: Step[]; needs?: string | string[]; permissions?: Record<string, string> };
const WORKFLOW = parse(text(".github/workflows/release.yml")) as { jobs: Record<string, Job> };

/** The step of a job whose run or uses matches. */
function step(job: string, match: RegExp): Step {
  const found = WORKFLOW.jobs[job].steps.find((s) => match.test(s.run ?? s.uses ?? ""));
  assert.ok(found, `${job}: no step matching ${match}`);
  return found;
}

Deno.test("release: the binaries are compiled from the entry point and permission set the tests run", () => {
  step("build", /^bash \.github\/scripts\/compile\.sh$/);
  const compile = text(".github/scripts/compile.sh");
  const [, permissionSet, ...rest] = serveArgs();
  const entry = rest.find((a) => a.endsWith("main.js"))!;
  assert.match(compile, new RegExp(`\\n\\s+${permissionSet}\\s\\\\\\n`), permissionSet);
  assert.match(compile, new RegExp(`\\n\\s+${entry.replace(".", "\\.")}\\n`), entry);
  assert.match(compile, /--include manifest/, "the manifests are embedded");
  assert.match(denoConfig.tasks.start, new RegExp(`${permissionSet} ${V8_FLAGS} ${entry} serve`));
  assert.equal(denoConfig.tasks.compile, "bash .github/scripts/compile.sh");
});

Deno.test("release: every asset is summed and attested, and the release carries SHA256SUMS", () => {
  const jobs = WORKFLOW.jobs;
  const steps = jobs.build.steps;
  const sums = steps.indexOf(step("build", /sha256sum berth-\* >SHA256SUMS/));
  const attest = steps.indexOf(step("build", /attest-build-provenance/));
  assert.ok(sums < attest);
  assert.match(steps[attest].with!["subject-path"], /dist\/berth-\*/);
  assert.equal(jobs.build.permissions?.["id-token"], "write");
  assert.equal(jobs.build.permissions?.attestations, "write");
  const files = step("release", /action-gh-release/).with!.files;
  assert.match(files, /dist\/berth-\*/);
  assert.match(files, /dist\/SHA256SUMS/);
  step("image", /attest-build-provenance/);
  step("npm", /npm publish --provenance/);
});

Deno.test("release: the image builds on the Dockerfile's default, official Deno base", () => {
  const build = step("image", /docker\/build-push-action/);
  assert.doesNotMatch(build.with!["build-args"] ?? "", /DENO_IMAGE/);
  const base = /^ARG DENO_IMAGE=denoland\/deno:debian-(\d+\.\d+\.\d+)$/m.exec(text("Dockerfile"));
  assert.ok(base, "the official Debian-based Deno image, pinned");
  const npmDeno = JSON.parse(text("packaging/npm/package.json")).dependencies.deno;
  assert.equal(base[1], npmDeno, "the image and the npm package run the same deno");
  for (const job of Object.values(WORKFLOW.jobs)) {
    for (const s of job.steps) if (s.uses) assert.match(s.uses, /@v\d+$/, `${s.uses} is pinned`);
  }
});
