/**
 * Attacks with client patterns, against the real engine (suite
 * `attacks-patterns`): shapes that backtrack for minutes in JavaScript's
 * RegExp (`((a+))+$` against 44 `a` and a `!`, the freeze) sent as
 * the `grep` of container and compose logs. Each call must answer within its
 * deadline, and a `docker_version` sent meanwhile must not wait for it
 * (generous bound: this is a liveness check, not a benchmark).
 */

import assert from "node:assert/strict";
import type { ToolResult } from "../../src/interpreter/mod.ts";
import { call, cleanup, errorCode, runContainer, testApp, uniqueName } from "../helpers/mod.ts";

const SUITE = "attacks-patterns";
await cleanup(SUITE);

const DEADLINE_MS = 3000;
const app = await testApp({ allow: "read", timeout: [`read=${DEADLINE_MS}ms`] });
const EVIL_LINE = `${"a".repeat(44)}!`;
const PROJECT = uniqueName("berthpat").toLowerCase();

// 300 short evil lines, then 400 lines of 9,000 random `a`/`b` (cut to 8 KiB
// before matching), which defeat RE2's DFA: a costly pattern outlasts the
// deadline on them.
const SCRIPT = `for i in $(seq 300); do echo ${EVIL_LINE}; done; ` +
  `i=0; while [ $i -lt 400 ]; do head -c 4000 /dev/urandom | od -An -tu1 | tr -d ' \\n' | tr 0-9 ababababab | head -c 9000; echo; i=$((i+1)); done; ` +
  "echo done; sleep 3600";
const LOGGER = await runContainer(SUITE, {
  args: [
    "--network",
    "none",
    "--label",
    `com.docker.compose.project=${PROJECT}`,
    "--label",
    "com.docker.compose.service=noisy",
    "--label",
    "com.docker.compose.container-number=1",
  ],
  command: ["sh", "-c", SCRIPT],
});

// Wait until the whole log is written.
for (let i = 0; i < 100; i++) {
  const tail = await call(app, "docker_container_logs", { container_id: LOGGER, tail: 1 });
  if (tail.text.includes("done")) break;
  await new Promise((r) => setTimeout(r, 200));
}

/** Runs `work` while timing a docker_version sent 50 ms after it started. */
async function alongside(
  work: () => Promise<ToolResult>,
): Promise<{ result: ToolResult; ms: number; versionMs: number }> {
  const start = performance.now();
  const pending = work();
  await new Promise((r) => setTimeout(r, 50));
  const versionStart = performance.now();
  const version = await call(app, "docker_version");
  const versionMs = performance.now() - versionStart;
  assert.equal(errorCode(version), undefined, version.text);
  const result = await pending;
  return { result, ms: performance.now() - start, versionMs };
}

const SHAPES = [
  "((a+))+$",
  "(a|a)+$",
  "(a|aa)*b",
  "(.*a){20}",
  "(a*)*b",
  "(a+)+b",
  "([a-z]+)*!b",
  "(\\w+\\s?)*$x",
  "^(a|a?)+$",
  "(?i)(A+)+B",
];

for (const shape of SHAPES) {
  Deno.test(`pattern attack: container logs grep ${shape} answers in time, docker_version is not held up`, async () => {
    const { result, ms, versionMs } = await alongside(() =>
      call(app, "docker_container_logs", { container_id: LOGGER, tail: 100_000, grep: shape })
    );
    assert.ok(versionMs < 500, `docker_version took ${versionMs.toFixed(0)} ms`);
    assert.ok(ms < DEADLINE_MS + 2000, `the call took ${ms.toFixed(0)} ms`);
    const code = errorCode(result);
    assert.ok(code === undefined || code === "DKR-008", `${code}: ${result.text}`);
  });
}

Deno.test("pattern attack: the answer is right (no evil line matches ((a+))+$, each matches a+!)", async () => {
  const none = await call(app, "docker_container_logs", {
    container_id: LOGGER,
    tail: 100_000,
    grep: "((a+))+$",
  });
  assert.equal(errorCode(none), undefined, none.text);
  assert.equal(none.structured?.lines, 0);
  const all = await call(app, "docker_container_logs", {
    container_id: LOGGER,
    tail: 100_000,
    grep: "^(a+)+!$",
  });
  assert.equal(all.structured?.lines, 300, all.text.slice(0, 300));
});

Deno.test("pattern attack: a costly pattern over the long lines ends at the deadline, others go on", async () => {
  const { result, ms, versionMs } = await alongside(() =>
    call(app, "docker_container_logs", {
      container_id: LOGGER,
      tail: 100_000,
      grep: "(a|b)*a(a|b){60}$",
    })
  );
  assert.ok(versionMs < 500, `docker_version took ${versionMs.toFixed(0)} ms`);
  assert.ok(ms < DEADLINE_MS + 2000, `the call took ${ms.toFixed(0)} ms`);
  assert.equal(errorCode(result), "DKR-008", result.text);
});

Deno.test("pattern attack: compose logs grep goes through the same matcher", async () => {
  const { result, versionMs } = await alongside(() =>
    call(app, "docker_compose_logs", { project_name: PROJECT, tail: 5000, grep: "(a|a)+$" })
  );
  assert.ok(versionMs < 500, `docker_version took ${versionMs.toFixed(0)} ms`);
  assert.equal(errorCode(result), undefined, result.text);
  const big = await call(app, "docker_compose_logs", { project_name: PROJECT, grep: "(.*a){999}" });
  assert.equal(errorCode(big), "DKR-004");
  assert.match(big.text, /'grep' is too complex/);
});

Deno.test("pattern attack: an invalid pattern is DKR-004 naming grep, with RE2's reason", async () => {
  const result = await call(app, "docker_container_logs", {
    container_id: LOGGER,
    grep: "(?<=a)b",
  });
  assert.equal(errorCode(result), "DKR-004");
  assert.match(result.text, /Parameter 'grep' is not a valid regular expression: invalid named/);
});

Deno.test("pattern attack: cleanup", async () => {
  await cleanup(SUITE);
});
