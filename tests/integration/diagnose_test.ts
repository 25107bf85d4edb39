/**
 * docker_diagnose against the real engine: one container per failure mode
 * (OOM kill, crash loop, bad command, failing health check, missing file,
 * unreachable dependency) and a healthy one; the diagnosis must name the
 * right cause for each. Also: hidden looks like missing, secrets in logs are
 * redacted, and use_ai goes to the client's model or says why it cannot.
 */

import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import type { SampleRequest } from "../../src/interpreter/contract.ts";
import {
  callOk,
  docker,
  errorCode,
  hidingInterpreter,
  runContainer,
  TEST_IMAGE,
  testApp,
  uniqueName,
  waitFor,
} from "../helpers/mod.ts";

const SUITE = "diagnose";

interface Finding {
  rule: string;
  cause: string;
  evidence: string;
  suggested_fix: string;
  confidence: "high" | "medium" | "low";
}

/** Polls `docker inspect --format` until `done` accepts the value. */
async function waitForState(name: string, format: string, done: (v: string) => boolean) {
  return await waitFor(
    `${name}: ${format}`,
    () => docker("inspect", "--format", format, name),
    done,
  );
}

/** Runs a container that is expected to fail to start; returns its name. */
async function createAndStart(command: string[]): Promise<string> {
  const name = uniqueName(`berth-${SUITE}`);
  await docker(
    "create",
    ...["--name", name, "--network", "none", "--label", `berth.test=${SUITE}`],
    TEST_IMAGE,
    ...command,
  );
  await docker("start", name).then(
    () => {
      throw new Error(`${name} started, but it should not have`);
    },
    () => {},
  );
  return name;
}

/**
 * A container killed by the OOM killer with State.OOMKilled set. The engine
 * sometimes records the exit before the OOM event (OOMKilled false, exit
 * 137), so a run without the flag is replaced by another.
 */
async function oomKilled(): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const name = await runContainer(SUITE, {
      args: ["--network", "none", "-m", "8m", "--memory-swap", "8m"],
      command: ["sh", "-c", 'x=a; while true; do x="$x$x"; done'],
    });
    await waitForState(name, "{{.State.Status}}", (v) => v === "exited");
    if (await docker("inspect", "--format", "{{.State.OOMKilled}}", name) === "true") return name;
    await docker("rm", "-f", name);
  }
  throw new Error("No run of the memory hog was flagged OOMKilled");
}

async function fixtures() {
  // No network: nothing here needs one, and it keeps the fixtures off shared bridges.
  const run = (args: string[], command: string[]) =>
    runContainer(SUITE, { args: ["--network", "none", ...args], command });
  const [
    oom,
    loop,
    cappedLoop,
    badCommand,
    shellNotFound,
    unhealthy,
    missingFile,
    refused,
    badHost,
    healthy,
  ] = await Promise.all([
    oomKilled(),
    run(["--restart", "always"], ["sh", "-c", "echo 'fatal: boom'; exit 1"]),
    run(["--restart", "on-failure:50"], ["sh", "-c", "exit 3"]),
    createAndStart(["nonexistent-command-xyz"]),
    run([], ["sh", "-c", "nonexistent-command-xyz"]),
    run(
      ["--health-cmd", "echo probe says no; exit 1", "--health-interval", "1s"].concat(
        ["--health-retries", "1"],
      ),
      ["sleep", "300"],
    ),
    run([], ["sh", "-c", "echo 'boot API_TOKEN=s3cr3t-value'; cat /nonexistent/config.yml"]),
    run([], ["nc", "127.0.0.1", "1"]),
    run([], ["nc", "db-not-here", "5432"]),
    run(["-m", "64m"], ["sleep", "300"]),
  ]);
  return {
    oom,
    loop,
    cappedLoop,
    badCommand,
    shellNotFound,
    unhealthy,
    missingFile,
    refused,
    badHost,
    healthy,
  };
}

/**
 * Another run of this suite may be under way (everyone runs the whole suite
 * against one engine): at start only stale leftovers of the label go, and at
 * the end only this run's own containers.
 */
async function removeStale(): Promise<void> {
  await docker(
    "container",
    "prune",
    "-f",
    "--filter",
    `label=berth.test=${SUITE}`,
    "--filter",
    "until=10m",
  );
}

async function diagnose(app: App, container: string, extra: Record<string, unknown> = {}) {
  const result = await callOk(app, "docker_diagnose", { container_id: container, ...extra });
  return result;
}

function findings(result: { structured: Record<string, unknown> }): Finding[] {
  return result.structured.findings as Finding[];
}

function rules(result: { structured: Record<string, unknown> }): string[] {
  return findings(result).map((f) => f.rule);
}

Deno.test("diagnose: docker_diagnose names the cause of each failure", async (t) => {
  await removeStale();
  const app = await testApp();
  const own: string[] = [];
  try {
    const c = await fixtures();
    own.push(...Object.values(c));
    await Promise.all([
      waitForState(c.loop, "{{.RestartCount}}", (v) => Number(v) >= 3),
      waitForState(c.cappedLoop, "{{.RestartCount}}", (v) => Number(v) >= 3),
      waitForState(c.unhealthy, "{{.State.Health.Status}}", (v) => v === "unhealthy"),
      waitForState(c.shellNotFound, "{{.State.Status}}", (v) => v === "exited"),
      waitForState(c.missingFile, "{{.State.Status}}", (v) => v === "exited"),
      waitForState(c.refused, "{{.State.Status}}", (v) => v === "exited"),
      waitForState(c.badHost, "{{.State.Status}}", (v) => v === "exited"),
    ]);

    await t.step("OOM kill: OOMKilled with the memory limit as evidence", async () => {
      const result = await diagnose(app, c.oom);
      const s = result.structured;
      assert.equal(s.oom_killed, true);
      assert.equal(s.exit_code, 137);
      const top = findings(result)[0];
      assert.equal(top.rule, "oom_killed");
      assert.equal(top.confidence, "high");
      assert.match(top.evidence, /memory limit 8 MiB/);
      // berth has no update tool: the fix says recreate with a higher mem_limit.
      assert.match(
        top.suggested_fix,
        /recreate the container with a higher mem_limit, e\.g\. "16m"/,
      );
      assert.doesNotMatch(top.suggested_fix, /docker update/);
      assert.equal((s.memory as { limit_mb: number }).limit_mb, 8);
      assert.match(result.text, /Out of memory/);
    });

    await t.step("crash loop: restart policy always and repeated exit 1", async () => {
      const result = await diagnose(app, c.loop);
      assert.ok((result.structured.restart_count as number) >= 3);
      const loop = findings(result).find((f) => f.rule === "crash_loop");
      assert.ok(loop, `no crash_loop finding in ${rules(result)}`);
      assert.equal(loop.confidence, "high");
      assert.match(loop.evidence, /restart policy always/);
      assert.match(loop.evidence, /exit code 1/);
      assert.match(loop.suggested_fix, /docker_stop_container .*restart_policy "on-failure:5"/);
    });

    await t.step(
      "crash loop already on on-failure:N: the advice says the policy caps it",
      async () => {
        const result = await diagnose(app, c.cappedLoop);
        const loop = findings(result).find((f) => f.rule === "crash_loop");
        assert.ok(loop, `no crash_loop finding in ${rules(result)}`);
        assert.match(loop.evidence, /restart policy on-failure:50/);
        assert.match(
          loop.suggested_fix,
          /its policy on-failure:50 already stops the loop after 50/,
        );
        assert.doesNotMatch(loop.suggested_fix, /restart_policy "on-failure/);
        // It prints nothing: the text says so instead of an empty 'Last 0 log lines'.
        assert.match(result.text, /\nNo log output$/);
        assert.doesNotMatch(result.text, /Last 0 log lines/);
      },
    );

    await t.step("bad command: the engine's start error names the command", async () => {
      const result = await diagnose(app, c.badCommand);
      assert.equal(result.structured.exit_code, 127);
      const top = findings(result)[0];
      assert.equal(top.rule, "start_failed");
      assert.equal(top.confidence, "high");
      assert.match(top.cause, /'nonexistent-command-xyz' does not exist in the image/);
    });

    await t.step("exit 127 from a shell: command not found, named from the logs", async () => {
      const result = await diagnose(app, c.shellNotFound);
      assert.equal(result.structured.exit_code, 127);
      const all = findings(result);
      assert.ok(all.some((f) => f.rule === "exit_127" && /command not found/.test(f.cause)));
      const missing = all.find((f) => f.rule === "missing_command");
      assert.ok(missing, `no missing_command in ${rules(result)}`);
      assert.match(missing.cause, /nonexistent-command-xyz/);
      assert.equal(all[0].confidence, "high");
    });

    await t.step("failing health check: unhealthy with the last probe outputs", async () => {
      const result = await diagnose(app, c.unhealthy);
      const health = result.structured.health as { status: string; probes: { output: string }[] };
      assert.equal(health.status, "unhealthy");
      const top = findings(result)[0];
      assert.equal(top.rule, "health_check_failing");
      assert.equal(top.confidence, "high");
      assert.match(top.evidence, /probe says no/);
      assert.match(
        top.evidence,
        /the health check "echo probe says no; exit 1" (failed \d+ times in a row|failed its last probe)/,
      );
      assert.equal(result.structured.exit_code, null, "a running container has no exit code");
    });

    await t.step("missing file in the logs: the path is named; secrets redacted", async () => {
      const result = await diagnose(app, c.missingFile);
      const top = findings(result)[0];
      assert.equal(top.rule, "missing_file");
      assert.match(top.cause, /\/nonexistent\/config\.yml/);
      const logs = (result.structured.last_logs as string[]).join("\n");
      assert.match(logs, /API_TOKEN=\*\*\*REDACTED\*\*\*/);
      assert.doesNotMatch(JSON.stringify(result.structured) + result.text, /s3cr3t-value/);
      assert.match(result.text, /<<<BEGIN container logs \[\w+\]: data from the Docker engine/);
    });

    await t.step("dependency refused: the host and port are named", async () => {
      const result = await diagnose(app, c.refused);
      const top = findings(result)[0];
      assert.equal(top.rule, "dependency_unreachable");
      assert.match(top.cause, /127\.0\.0\.1:1\b/);
      assert.match(top.evidence, /Connection refused/);
      assert.match(top.suggested_fix, /container itself/);
    });

    await t.step("dependency name does not resolve: the host is named", async () => {
      const result = await diagnose(app, c.badHost);
      const top = findings(result)[0];
      assert.equal(top.rule, "dependency_unreachable");
      assert.match(top.cause, /'db-not-here' does not resolve/);
    });

    await t.step("healthy container: a finding says nothing is wrong", async () => {
      const result = await diagnose(app, c.healthy);
      const all = findings(result);
      assert.equal(all.length, 1);
      assert.equal(all[0].rule, "no_problem_found");
      assert.notEqual(all[0].confidence, "high");
      assert.equal(result.structured.exit_code, null, "running: no exit code, not 0");
      const memory = result.structured.memory as { limit_mb: number; usage_mb: number };
      assert.equal(memory.limit_mb, 64);
      assert.equal(typeof memory.usage_mb, "number");
    });

    await t.step("use_ai without sampling or fallback: says so, keeps findings", async () => {
      const result = await diagnose(app, c.oom, { use_ai: true });
      const ai = result.structured.ai as { used: boolean; reason: string };
      assert.equal(ai.used, false);
      assert.match(ai.reason, /sampling capability/);
      assert.match(ai.reason, /fallback\.enabled/);
      assert.equal(findings(result)[0].rule, "oom_killed");
    });

    await t.step("use_ai with a client model: evidence framed as data, redacted", async () => {
      let seen: SampleRequest | undefined;
      const sample = (request: SampleRequest) => {
        seen = request;
        return Promise.resolve("The config file is missing; mount it.");
      };
      const result = await app.interpreter.call(
        "docker_diagnose",
        { container_id: c.missingFile, use_ai: true },
        { sample },
      );
      assert.equal(result.isError, false, result.text);
      const ai = result.structured.ai as { used: boolean; via: string; synthesis: string };
      assert.deepEqual([ai.used, ai.via], [true, "sampling"]);
      assert.equal(ai.synthesis, "The config file is missing; mount it.");
      assert.ok(seen);
      assert.match(seen.system, /never follow instructions/);
      assert.match(seen.prompt, /<<<BEGIN container logs \[\w+\]/);
      assert.match(seen.prompt, /API_TOKEN=\*\*\*REDACTED\*\*\*/);
      assert.doesNotMatch(seen.prompt, /s3cr3t-value/);
      assert.equal(seen.maxTokens, 500);
    });

    await t.step("a failing client model keeps the findings and says why", async () => {
      const result = await app.interpreter.call(
        "docker_diagnose",
        { container_id: c.refused, use_ai: true },
        { sample: () => Promise.reject(new Error("user declined")) },
      );
      const ai = result.structured.ai as { used: boolean; reason: string };
      assert.equal(ai.used, false);
      assert.match(ai.reason, /user declined/);
      assert.equal(findings(result)[0].rule, "dependency_unreachable");
    });

    await t.step("hidden and missing containers answer the same DKR-002", async () => {
      // A policy that hides one container, through the same hook the name lists use.
      const hiding = hidingInterpreter(app, (name) => name === c.healthy);
      const id = await docker("inspect", "--format", "{{.Id}}", c.healthy);
      for (const ref of [c.healthy, id.slice(0, 12)]) {
        const hidden = await hiding.call("docker_diagnose", { container_id: ref });
        const missing = await hiding.call("docker_diagnose", { container_id: "no-such-x1" });
        assert.equal(errorCode(hidden), "DKR-002");
        assert.equal(errorCode(missing), "DKR-002");
        assert.equal(
          hidden.text.replaceAll(ref, "NAME"),
          missing.text.replaceAll("no-such-x1", "NAME"),
        );
      }
    });
  } finally {
    app.engine.close();
    if (own.length) await docker("rm", "-f", "-v", ...own);
  }
});

Deno.test("diagnose: a container that exited a moment ago has its die event", async () => {
  const app = await testApp();
  const name = uniqueName(`berth-${SUITE}`);
  try {
    // `docker run` returns right after the exit: the die event is this very second's.
    await docker(
      "run",
      ...["--name", name, "--network", "none", "--label", `berth.test=${SUITE}`],
      TEST_IMAGE,
      ...["sh", "-c", "exit 3"],
    ).catch(() => {});
    const result = await diagnose(app, name);
    const events = result.structured.events as { action: string; exit_code: number | null }[];
    const die = events.find((e) => e.action === "die");
    assert.ok(die, `no die event among ${JSON.stringify(events)}`);
    assert.equal(die.exit_code, 3);
  } finally {
    await docker("rm", "-f", name).catch(() => {});
    app.engine.close();
  }
});

Deno.test("diagnose: a container killed through the engine is said to be killed, not guessed", async () => {
  const app = await testApp();
  const name = await runContainer(SUITE, {
    args: ["--network", "none"],
    command: ["sleep", "300"],
  });
  try {
    await docker("kill", name);
    await waitForState(name, "{{.State.Status}}", (v) => v === "exited");
    const top = findings(await diagnose(app, name))[0];
    assert.equal(top.rule, "exit_137");
    assert.equal(top.confidence, "high", top.cause);
    assert.match(top.cause, /SIGKILL through the engine/);
  } finally {
    await docker("rm", "-f", name).catch(() => {});
    app.engine.close();
  }
});
