/**
 * Progress notifications as an MCP client receives them over stdio: for
 * build, push, pull and compose up, every notification reaches the client
 * before the call's result (the SDK client reports one that comes later as
 * "a progress notification for an unknown token"), each value is larger
 * than the last, the total never changes once sent, and the last
 * notification's value is the total.
 *
 * The image carries `berth.test=e2e-progress` and this run's `berth.run`
 * label; the compose project's objects its project label. Both are removed
 * at the end.
 */

import assert from "node:assert/strict";
import {
  cleanupRun,
  defer,
  docker,
  OPEN_REGISTRY,
  removeLabelled,
  TEST_IMAGE,
  uniqueName,
} from "../helpers/mod.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { type CallResult, connect, readAlso, type Session, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "e2e-progress";
const RUN = uniqueName("run");
const TAG = `berth-test/${uniqueName("progress")}:1`;
const REMOTE = `${OPEN_REGISTRY}/${TAG}`;
const PROJECT = uniqueName("bprogress");

interface Notification {
  progress: number;
  total?: number;
  message?: string;
}

/** Calls a tool asking for progress; fails if a notification comes after the result. */
async function callWithProgress(
  session: Session,
  name: string,
  args: Record<string, unknown>,
): Promise<{ result: CallResult; seen: Notification[] }> {
  const seen: Notification[] = [];
  let answered = false;
  const late: Notification[] = [];
  const result = await session.client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p: Notification) => (answered ? late : seen).push(p),
    timeout: 120_000,
  }) as CallResult;
  answered = true;
  // Anything the server sent after the result would be read by now.
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (result.isError) throw new Error(`${name} failed: ${result.content[0]?.text}`);
  assert.deepEqual(late, [], `${name}: notifications after the result`);
  const unknown = session.errors.map(String).filter((e) => e.includes("unknown token"));
  assert.deepEqual(unknown, [], `${name}: the client got progress for a finished call`);
  return { result, seen };
}

/** Fails unless `seen` is a sequence a progress bar can trust. */
function assertTrustworthy(tool: string, seen: Notification[]): void {
  const all = `${tool}: ${JSON.stringify(seen)}`;
  assert.ok(seen.length > 0, `${tool}: no progress`);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].progress > seen[i - 1].progress, `not increasing at ${i}: ${all}`);
  }
  const first = seen.find((p) => p.total !== undefined);
  assert.ok(first, `never a total: ${all}`);
  for (const p of seen.slice(seen.indexOf(first))) assert.equal(p.total, first.total, all);
  assert.equal(seen.at(-1)!.progress, first.total, `the last is not the total: ${all}`);
}

const DOCKERFILE = `FROM ${TEST_IMAGE}
COPY hello.txt /hello.txt
RUN dd if=/dev/urandom of=/blob bs=1024 count=64 2>/dev/null && echo blob-written
HEALTHCHECK --interval=1s --timeout=2s --retries=5 CMD true
CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`;

const COMPOSE = `
services:
  db:
    image: ${REMOTE}
    pull_policy: always
    labels: { berth.test: ${SUITE} }
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    depends_on:
      db: { condition: service_healthy }
    labels: { berth.test: ${SUITE} }
`;

Deno.test(
  "e2e: long tools send all their progress before the result, ending at a total that held",
  SPAWN_TEST,
  async (t) => {
    using context = tempDir("berth-e2e-progress-", { "Dockerfile": DOCKERFILE, "hello.txt": "hi" });
    const dir = context.path;
    await using _cleanup = defer(async () => {
      await removeLabelled(`com.docker.compose.project=${PROJECT}`);
      await cleanupRun(RUN);
      for (const ref of [REMOTE, TAG]) await docker("rmi", "-f", ref).catch(() => {});
      const ids = await docker("images", "-q", "--filter", `label=berth.run=${RUN}`);
      if (ids) await docker("rmi", "-f", ...new Set(ids.split("\n")));
    });
    await using session = await connect(["--allow", "all"], { denoFlags: readAlso([dir]) });
    await t.step("build", async () => {
      const labels = { "berth.test": SUITE, "berth.run": RUN };
      const { seen, result } = await callWithProgress(session, "docker_build_image", {
        path: dir,
        tag: TAG,
        labels,
      });
      assertTrustworthy("build", seen);
      // Five Dockerfile steps and the builder's LABEL step per label.
      assert.equal(seen[0].total, 7, JSON.stringify(seen));
      assert.match(seen.at(-1)!.message ?? "", /^Built /);
      // The success text keeps what the steps printed, not the builder's bookkeeping.
      const text = result.content[0]?.text ?? "";
      assert.match(text, /\nLast output:\nblob-written$/);
      assert.doesNotMatch(text, /Successfully|Removing intermediate|--->/);
      assert.match(String(result.structuredContent?.log_tail), /Successfully tagged/);
      await docker("tag", TAG, REMOTE);
    });

    await t.step(
      "push, again and again (the final notification is the one that raced)",
      async () => {
        for (let i = 0; i < 5; i++) {
          const { seen } = await callWithProgress(session, "docker_push_image", {
            image: REMOTE,
          });
          assertTrustworthy("push", seen);
          assert.equal(seen.at(-1)!.message, `Pushed ${REMOTE}`);
        }
      },
    );

    await t.step("pull", async () => {
      await docker("rmi", REMOTE);
      const { seen } = await callWithProgress(session, "docker_pull_image", { image: REMOTE });
      assertTrustworthy("pull", seen);
      assert.match(seen.at(-1)!.message ?? "", /^Pulled /);
    });

    await t.step("compose up: a pull, a healthy wait, two containers", async () => {
      const { seen } = await callWithProgress(session, "docker_compose_up", {
        project_name: PROJECT,
        compose_yaml: COMPOSE,
      });
      assertTrustworthy("compose up", seen);
      assert.equal(seen[0].total, 4, JSON.stringify(seen)); // two images, two containers
      assert.ok(
        seen.some((p) => /^web: waiting for db/.test(p.message ?? "")),
        JSON.stringify(seen),
      );
      assert.match(seen.at(-1)!.message ?? "", /is up: 2 services/);
    });

    await t.step("nothing but JSON-RPC reached the client", () => {
      assert.deepEqual(session.errors.map(String), []);
    });
  },
);
