/**
 * Image tools against the real engine and the local registries of the test
 * bed: build (multi-stage, build args, target, labels, .dockerignore, a
 * failing step), pull with progress, push with and without credentials,
 * tag, remove and prune. Every result is checked with the docker CLI.
 *
 * Every image carries `berth.test=images` and this run's `berth.run` label;
 * the last test removes them (and this run's containers) by label.
 */

import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import { BerthError } from "../../src/errors/mod.ts";
import type { Progress, ToolResult } from "../../src/interpreter/mod.ts";
import {
  AUTH_PASSWORD,
  AUTH_REGISTRY,
  AUTH_USER,
  cleanupRun,
  docker,
  errorCode,
  labelArgs,
  OPEN_REGISTRY,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

const SUITE = "images";
const RUN = uniqueName("run");
const REPO = `berth-test/${uniqueName(SUITE)}`;
const LABELS = { "berth.test": SUITE, "berth.run": RUN };
const AUTH = { username: AUTH_USER, password: AUTH_PASSWORD };
/** The header form of the credentials, which must never show up either. */
const AUTH_HEADER = btoa(
  JSON.stringify({ username: AUTH_USER, password: AUTH_PASSWORD, serveraddress: AUTH_REGISTRY }),
).replaceAll("+", "-").replaceAll("/", "_");

const app: App = await testApp({ allow: "all" });
/** Every result and progress message, to prove the credentials never appear. */
const seen: string[] = [];

async function run(
  tool: string,
  args: Record<string, unknown>,
  progress?: Progress[],
): Promise<ToolResult> {
  // Not an object literal: `background` is honoured where the interpreter knows it.
  const options = {
    background: false,
    onProgress: (p: Progress) => {
      progress?.push(p);
      seen.push(p.message ?? "");
    },
  };
  const result = await app.interpreter.call(tool, args, options);
  seen.push(result.text, JSON.stringify(result.structured));
  return result;
}

async function ok(tool: string, args: Record<string, unknown>, progress?: Progress[]) {
  const result = await run(tool, args, progress);
  if (result.isError) throw new Error(`${tool} failed: ${result.text}`);
  return result.structured;
}

/** Fails with both strings when `text` lacks `part`. */
function includes(text: string, part: string): void {
  assert.ok(
    text.includes(part),
    `expected ${JSON.stringify(part)} in ${JSON.stringify(text.slice(0, 2000))}`,
  );
}

async function exists(ref: string): Promise<boolean> {
  return await docker("image", "inspect", "--format", "{{.Id}}", ref).then(() => true, () => false);
}

/** A build context in a temp dir. */
function contextDir(files: Record<string, string>): string {
  return tempDirWith("berth-images-", files);
}

const MULTI_STAGE = `FROM ${TEST_IMAGE} AS base
ARG GREETING=none
COPY . /ctx/
RUN echo "$GREETING" > /greeting
FROM base AS final
RUN echo final > /stage
FROM base AS broken
RUN echo about to fail && exit 7
`;

const dirs: string[] = [];

Deno.test("images: build honours target, build args, labels and .dockerignore", async () => {
  const dir = contextDir({
    "Dockerfile": MULTI_STAGE,
    ".dockerignore": "# secrets stay home\nsecret.txt\n*.log\nignored-dir\n",
    "secret.txt": "do not send",
    "keep.txt": "keep me",
    "debug.log": "noise",
    "ignored-dir/inner.txt": "not sent",
    "sub/nested.log": "sent: *.log only matches the root",
  });
  dirs.push(dir);
  const progress: Progress[] = [];
  const out = await ok("docker_build_image", {
    path: dir,
    tag: `${REPO}:multi`,
    target: "final",
    buildargs: { GREETING: "hello-berth" },
    labels: { ...LABELS, "org.example.kind": "multi" },
  }, progress);
  assert.match(out.image_id as string, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(out.tags, [`${REPO}:multi`]);
  assert.deepEqual(out.status, "built");
  includes(out.log_tail as string, "Successfully tagged");
  // Steps came as progress, numbered and growing; the failing 'broken' stage was never reached.
  assert(progress.length >= 3, `progress notifications: ${progress.length}`);
  assert(progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress));
  assert(!progress.some((p) => p.message?.includes("exit 7")));

  const inspect = JSON.parse(await docker("image", "inspect", `${REPO}:multi`))[0];
  assert.deepEqual(inspect.Id, out.image_id);
  assert.deepEqual(inspect.Config.Labels["org.example.kind"], "multi");
  assert.deepEqual(inspect.Config.Labels["berth.run"], RUN);
  const listing = await docker(
    "run",
    "--rm",
    ...labelArgs(LABELS),
    `${REPO}:multi`,
    "sh",
    "-c",
    "ls -a /ctx /ctx/sub; cat /greeting /stage",
  );
  const files = listing.split(/\s+/);
  assert(
    files.includes("keep.txt") && files.includes("Dockerfile") && files.includes("nested.log"),
  );
  assert(!files.includes("secret.txt"), "ignored file was sent");
  assert(!files.includes("debug.log") && !files.includes("ignored-dir"), listing);
  includes(listing, "hello-berth");
  includes(listing, "final");
});

Deno.test("images: a failing build names the failing step and keeps the output tail", async () => {
  // One stage, labelled before the failing step: what the failed build leaves behind
  // (the LABEL step's image) carries this run's label and goes at cleanup.
  const dir = contextDir({
    "Dockerfile": `FROM ${TEST_IMAGE}\nLABEL berth.test=${SUITE} berth.run=${RUN}\n` +
      "RUN echo about to fail && exit 7\n",
    "keep.txt": "x",
  });
  dirs.push(dir);
  const result = await run("docker_build_image", {
    path: dir,
    tag: `${REPO}:broken`,
    labels: LABELS,
  });
  assert.deepEqual(errorCode(result), "DKR-012");
  const error = result.structured.error as { message: string; context: string };
  assert.match(error.message, /Step \d+\/\d+ : RUN echo about to fail && exit 7/);
  includes(error.message, "non-zero code: 7");
  includes(error.context, "about to fail");
  assert(!(await exists(`${REPO}:broken`)));

  // Bad input is named: no Dockerfile, a target that does not exist, a file as context.
  const missing = await run("docker_build_image", {
    path: dir,
    tag: `${REPO}:x`,
    dockerfile: "nope",
  });
  assert.deepEqual(errorCode(missing), "DKR-004");
  includes(missing.text, "'dockerfile'");
  const target = await run("docker_build_image", {
    path: dir,
    tag: `${REPO}:x`,
    target: "nosuchstage",
  });
  assert.deepEqual(errorCode(target), "DKR-004");
  const notDir = await run("docker_build_image", { path: `${dir}/keep.txt`, tag: `${REPO}:x` });
  assert.deepEqual(errorCode(notDir), "DKR-004");
  includes(notDir.text, "'path'");
});

Deno.test("images: a failing build's output comes back without terminal colour codes", async () => {
  const dir = contextDir({
    "Dockerfile": `FROM ${TEST_IMAGE}\nLABEL berth.test=${SUITE} berth.run=${RUN}\n` +
      "RUN printf '\\033[31mboom\\033[0m\\n' && exit 3\n",
  });
  dirs.push(dir);
  const result = await run("docker_build_image", {
    path: dir,
    tag: `${REPO}:ansi`,
    labels: LABELS,
  });
  assert.deepEqual(errorCode(result), "DKR-012");
  const error = result.structured.error as { message: string; context: string };
  includes(error.message, "non-zero code: 3");
  // The printed line is just the word: its colour codes are gone, not merely escaped.
  assert.ok(error.context.split("\n").includes("boom"), error.context);
  for (const text of [result.text, JSON.stringify(result.structured)]) {
    assert.ok(!text.includes("\u001b") && !text.includes("\\u001b"), `control codes kept: ${text}`);
  }
});

Deno.test("images: values of secret build args never come back, built or failed", async () => {
  const token = `npm-${RUN}`;
  const dir = contextDir({
    "Dockerfile": `FROM ${TEST_IMAGE}\nLABEL berth.test=${SUITE} berth.run=${RUN}\n` +
      "ARG NPM_TOKEN\nARG GREETING\n" +
      'RUN echo "installing with $NPM_TOKEN" && echo "greeting $GREETING"\n' +
      'ARG FAIL\nRUN test "$FAIL" != yes || (echo "failed with $NPM_TOKEN" && exit 4)\n',
  });
  dirs.push(dir);
  const progress: Progress[] = [];
  const built = await run("docker_build_image", {
    path: dir,
    tag: `${REPO}:buildargs`,
    buildargs: { NPM_TOKEN: token, GREETING: `hello-${RUN}` },
    labels: LABELS,
  }, progress);
  assert.equal(built.isError, false, built.text);
  const failed = await run("docker_build_image", {
    path: dir,
    tag: `${REPO}:buildargs-failed`,
    buildargs: { NPM_TOKEN: token, FAIL: "yes" },
    labels: LABELS,
    nocache: true,
  }, progress);
  assert.deepEqual(errorCode(failed), "DKR-012", failed.text);
  includes(built.structured.log_tail as string, "installing with ***REDACTED***");
  includes(built.structured.log_tail as string, `greeting hello-${RUN}`);
  for (
    const [what, text] of [
      ["build result", JSON.stringify(built)],
      ["failed build", JSON.stringify(failed)],
      ["progress", JSON.stringify(progress)],
    ]
  ) {
    assert.ok(!text.includes(token), `${what} leaked the build arg: ${text.slice(0, 2000)}`);
  }
});

Deno.test("images: a build gone on in the background keeps secret build args out of its status", async () => {
  const token = `npm-bg-${RUN}`;
  const dir = contextDir({
    "Dockerfile": `FROM ${TEST_IMAGE}\nLABEL berth.test=${SUITE} berth.run=${RUN}\n` +
      'ARG NPM_TOKEN\nRUN sleep 3 && echo "late with $NPM_TOKEN" && exit 4\n',
  });
  dirs.push(dir);
  const slow = await testApp({ allow: "all", longBudget: "1s" });
  try {
    const first = await slow.interpreter.call("docker_build_image", {
      path: dir,
      tag: `${REPO}:background`,
      buildargs: { NPM_TOKEN: token },
      labels: LABELS,
    });
    assert.equal(first.structured.status, "running", first.text);
    const status = await slow.interpreter.call("docker_operation_status", {
      operation_id: first.structured.operation_id,
      wait: 20,
    });
    assert.equal(status.structured.status, "failed", status.text);
    includes(status.text, "late with ***REDACTED***");
    const text = JSON.stringify(status);
    assert.ok(!text.includes(token), `the operation leaked the build arg: ${text.slice(0, 2000)}`);
  } finally {
    slow.engine.close();
  }
});

const OPEN_REF = `${OPEN_REGISTRY}/${REPO}:v1`;
const AUTH_REF = `${AUTH_REGISTRY}/${REPO}:v1`;
let payloadId = "";

Deno.test("images: pull from the open registry reports per-layer progress", async () => {
  // An image with a layer of its own (random bytes), pushed with the CLI and removed
  // locally, so that the pull really downloads something.
  const dir = contextDir({
    "Dockerfile": `FROM ${TEST_IMAGE}\nARG RUN_ID\nRUN echo $RUN_ID > /run-id && ` +
      "dd if=/dev/urandom of=/payload bs=1024 count=3072 2>/dev/null\n",
  });
  dirs.push(dir);
  const built = await ok("docker_build_image", {
    path: dir,
    tag: OPEN_REF,
    buildargs: { RUN_ID: RUN },
    labels: LABELS,
    nocache: true,
  });
  payloadId = built.image_id as string;
  await docker("push", OPEN_REF);
  await docker("rmi", OPEN_REF);
  assert(!(await exists(payloadId)), "the local copy is gone");

  const progress: Progress[] = [];
  const out = await ok(
    "docker_pull_image",
    { image: `${OPEN_REGISTRY}/${REPO}`, tag: "v1" },
    progress,
  );
  assert.deepEqual(out.image_id, payloadId);
  assert.deepEqual(out.status, "downloaded");
  assert((out.tags as string[]).includes(OPEN_REF));
  assert.deepEqual(await docker("image", "inspect", "--format", "{{.Id}}", OPEN_REF), payloadId);
  // One growing number for all layers, with a total once sizes are known.
  assert(progress.length >= 2, `progress notifications: ${progress.length}`);
  assert(progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress));
  assert(progress.some((p) => (p.total ?? 0) > 3_000_000), JSON.stringify(progress.slice(-3)));
  includes(progress.at(-1)!.message ?? "", "downloaded");

  // Pulling again changes nothing.
  assert.deepEqual((await ok("docker_pull_image", { image: OPEN_REF })).status, "up_to_date");
});

Deno.test("images: pull of a missing image is DKR-003, bad references DKR-004", async () => {
  const missing = await run("docker_pull_image", {
    image: `${OPEN_REGISTRY}/berth-test/no-such-image:nope`,
  });
  assert.deepEqual(errorCode(missing), "DKR-003");
  assert.deepEqual(
    errorCode(await run("docker_pull_image", { image: "sha256:" + "a".repeat(64) })),
    "DKR-004",
  );
  assert.deepEqual(
    errorCode(await run("docker_pull_image", { image: "x:1", tag: "2" })),
    "DKR-004",
  );
  assert.deepEqual(errorCode(await run("docker_pull_image", { image: "Bad/Ref" })), "DKR-004");
  // fromSrc (a daemon-side download) is not a parameter at all.
  assert.deepEqual(
    errorCode(await run("docker_pull_image", { image: "x", fromSrc: "http://x/y.tar" })),
    "DKR-004",
  );
});

let pushedDigest = "";

Deno.test("images: tag, then push to the auth registry with credentials and pull it back", async () => {
  const tagged = await ok("docker_tag_image", { source_image: OPEN_REF, target_image: AUTH_REF });
  assert.deepEqual(tagged, { source: OPEN_REF, target: AUTH_REF, status: "tagged" });
  assert.deepEqual(await docker("image", "inspect", "--format", "{{.Id}}", AUTH_REF), payloadId);

  const progress: Progress[] = [];
  const pushed = await ok("docker_push_image", { image: AUTH_REF, auth: AUTH }, progress);
  assert.deepEqual(pushed.image, AUTH_REF);
  assert.deepEqual(pushed.status, "pushed");
  assert.match(pushed.digest as string, /^sha256:[0-9a-f]{64}$/);
  pushedDigest = pushed.digest as string;
  assert(progress.length >= 1);

  await docker("rmi", AUTH_REF);
  assert(!(await exists(AUTH_REF)));
  const pulled = await ok("docker_pull_image", { image: AUTH_REF, auth: AUTH });
  assert.deepEqual(pulled.image_id, payloadId);
  const digests = await docker("image", "inspect", "--format", "{{json .RepoDigests}}", AUTH_REF);
  includes(digests, `${AUTH_REGISTRY}/${REPO}@${pushedDigest}`);
});

Deno.test("images: the auth registry without credentials is DKR-005", async () => {
  const push = await run("docker_push_image", { image: AUTH_REF });
  assert.deepEqual(errorCode(push), "DKR-005");
  const pull = await run("docker_pull_image", { image: AUTH_REF });
  assert.deepEqual(errorCode(pull), "DKR-005");
  const wrong = await run("docker_pull_image", {
    image: AUTH_REF,
    auth: { username: AUTH_USER, password: "wrong-secret-value" },
  });
  assert.deepEqual(errorCode(wrong), "DKR-005");
  assert(!seen.join("\n").includes("wrong-secret-value"));
  // A push of something that is not there locally.
  const absent = await run("docker_push_image", {
    image: `${AUTH_REGISTRY}/berth-test/absent-${RUN}:v1`,
    auth: AUTH,
  });
  assert.deepEqual(errorCode(absent), "DKR-003");
});

Deno.test("images: credentials never appear in any result, error or progress message", () => {
  const all = seen.join("\n");
  assert(all.length > 0);
  assert(!all.includes(AUTH_PASSWORD), "password leaked");
  assert(!all.includes(AUTH_HEADER), "X-Registry-Auth leaked");
});

Deno.test("images: the audit log records the pull without the credentials", async () => {
  const log = await Deno.makeTempFile({ prefix: "berth-images-audit-", suffix: ".jsonl" });
  const audited = await testApp({ allow: "all", auditLog: log });
  try {
    const pulled = await audited.interpreter.call("docker_pull_image", {
      image: AUTH_REF,
      auth: AUTH,
    });
    assert.equal(pulled.isError, false, pulled.text);
    const text = await Deno.readTextFile(log);
    includes(text, "docker_pull_image");
    assert.ok(!text.includes(AUTH_PASSWORD) && !text.includes(AUTH_HEADER), text);
  } finally {
    audited.engine.close();
    await Deno.remove(log);
  }
});

Deno.test("images: tag errors, remove, in-use conflict", async () => {
  assert.deepEqual(
    errorCode(
      await run("docker_tag_image", { source_image: OPEN_REF, target_image: "a".repeat(64) }),
    ),
    "DKR-004",
  );
  assert.deepEqual(
    errorCode(
      await run("docker_tag_image", {
        source_image: `berth-test/none-${RUN}:x`,
        target_image: "x:y",
      }),
    ),
    "DKR-003",
  );
  // Removing one of several tags only untags.
  await ok("docker_tag_image", { source_image: OPEN_REF, target_image: `${REPO}:extra` });
  const untag = await ok("docker_remove_image", { image_id: `${REPO}:extra` });
  assert.deepEqual(untag.untagged, [`${REPO}:extra`]);
  assert.deepEqual(untag.deleted, []);
  assert(!(await exists(`${REPO}:extra`)));
  assert(await exists(OPEN_REF));

  // An image a container uses: DKR-010 with a hint, and the image stays.
  const user = await docker(
    "create",
    ...labelArgs(LABELS),
    payloadId,
    "true",
  );
  const inUse = await run("docker_remove_image", { image_id: payloadId });
  assert.deepEqual(errorCode(inUse), "DKR-010");
  includes((inUse.structured.error as { hint: string }).hint, "force");
  assert(await exists(payloadId));
  await docker("rm", user);

  const missing = await run("docker_remove_image", { image_id: `berth-test/none-${RUN}:x` });
  assert.deepEqual(errorCode(missing), "DKR-003");
});

Deno.test("images: prune dangling, then every unused image of this run", async () => {
  // Building one tag twice leaves the first image dangling.
  const dir = contextDir({ "Dockerfile": `FROM ${TEST_IMAGE}\nARG V\nRUN echo $V > /v\n` });
  dirs.push(dir);
  const first = await ok("docker_build_image", {
    path: dir,
    tag: `${REPO}:twice`,
    buildargs: { V: `one-${RUN}` },
    labels: LABELS,
  });
  await ok("docker_build_image", {
    path: dir,
    tag: `${REPO}:twice`,
    buildargs: { V: `two-${RUN}` },
    labels: LABELS,
  });
  assert.deepEqual(
    await docker("image", "inspect", "--format", "{{json .RepoTags}}", first.image_id as string),
    "[]",
  );

  const dangling = await ok("docker_prune_images", { filters: { label: [`berth.run=${RUN}`] } });
  assert(
    (dangling.images_deleted as string[]).includes(first.image_id as string),
    JSON.stringify(dangling),
  );
  assert(!(await exists(first.image_id as string)));
  assert(await exists(`${REPO}:twice`), "tagged images stay when only dangling ones go");

  const unusedResult = await run("docker_prune_images", {
    dangling: false,
    filters: { label: `berth.run=${RUN}` },
  });
  assert.ok(!unusedResult.isError, unusedResult.text);
  // The text names what went by its tags; the IDs are in the structure.
  assert.match(unusedResult.text, new RegExp(`\\nUntagged: .*${REPO}:twice`));
  const unused = unusedResult.structured;
  const deleted = unused.images_deleted as string[];
  assert(deleted.includes(payloadId), JSON.stringify(unused));
  assert((unused.space_reclaimed_mb as number) >= 2.9, `reclaimed ${unused.space_reclaimed_mb} MB`);
  assert(!(await exists(`${REPO}:twice`)) && !(await exists(OPEN_REF)));
  assert.deepEqual(await docker("images", "-q", "--filter", `label=berth.run=${RUN}`), "");

  const badFilter = await run("docker_prune_images", { filters: { dangerous: "x" } });
  assert.deepEqual(errorCode(badFilter), "DKR-004");
});

Deno.test("images: the policy is asked about references and the build context", async () => {
  const denied = new BerthError("denied_by_policy", "Host path refused by test policy");
  const asked: string[] = [];
  const policy = app.policy as unknown as Record<string, unknown>;
  const saved = { imageAllowed: policy.imageAllowed, checkHostPath: policy.checkHostPath };
  policy.imageAllowed = (ref: string) => {
    asked.push(`image ${ref}`);
    return !ref.includes("forbidden");
  };
  policy.checkHostPath = (path: string, purpose: string) => {
    asked.push(`${purpose} ${path}`);
    if (path.includes("berth-images-")) throw denied;
  };
  try {
    const pull = await run("docker_pull_image", { image: `${OPEN_REGISTRY}/forbidden/app` });
    assert.deepEqual(errorCode(pull), "DKR-007");
    const tag = await run("docker_tag_image", {
      source_image: TEST_IMAGE,
      target_image: "forbidden/x:1",
    });
    assert.deepEqual(errorCode(tag), "DKR-007");
    assert(!(await exists("forbidden/x:1")));
    const build = await run("docker_build_image", { path: dirs[0], tag: `${REPO}:policy` });
    assert.deepEqual(errorCode(build), "DKR-007");
    assert(
      asked.includes(`image ${REPO}:policy`) &&
        asked.includes(`build ${await Deno.realPath(dirs[0])}`),
    );
  } finally {
    Object.assign(policy, saved);
  }
});

Deno.test("images: cleanup", async () => {
  await cleanupRun(RUN);
  const ids = await docker("images", "-q", "--filter", `label=berth.run=${RUN}`);
  if (ids) await docker("rmi", "-f", ...new Set(ids.split("\n")));
  for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  app.engine.close();
});
