/**
 * The exec timeout ends the command however it is wrapped (suite
 * `escb-exec-timeout`): `env -i` (which drops berth's environment marker),
 * `timeout`, `sh -c` with a background child, `setsid` (which leaves the
 * session and the tree), a double fork, several at once. Ground truth is the
 * docker CLI: `docker top` shows none of the command's processes afterwards,
 * and berth's message says what it did only after checking. An operator's
 * exec guard that blocks `kill` and `sh` still lets berth's own kill helper
 * run, and only it.
 */

import assert from "node:assert/strict";
import { call, cleanup, docker, errorCode, runContainer, testApp } from "../helpers/mod.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

const SUITE = "escb-exec-timeout";

await cleanup(SUITE);
const app = await testApp({ allow: "all" });
const target = await runContainer(SUITE, { args: ["--network", "none"] });

/** Runs `command` with a 1 s timeout; asserts berth says it ended it and top agrees. */
async function timesOut(command: string, marks: string[], on = app): Promise<void> {
  const r = await call(on, "docker_exec_command", { container_id: target, command, timeout: 1 });
  assert.equal(errorCode(r), "DKR-008", r.text);
  assert.match(
    r.text,
    /berth ended it: SIGKILL to \d+ process(es)?, and docker top shows none/,
    r.text,
  );
  const top = await docker("top", target, "-o", "pid,args");
  for (const mark of marks) {
    assert.doesNotMatch(top, new RegExp(`sleep ${mark}`), `${command}\n${top}`);
  }
}

Deno.test("exec timeout: env -i sleep (no marker left) is ended, and docker top agrees", async () => {
  await timesOut("env -i sleep 3599", ["3599"]);
});

Deno.test("exec timeout: timeout(1), sh -c with a background child, and a double fork are ended", async () => {
  await timesOut("timeout 3000 sleep 3598", ["3598"]);
  await timesOut("sh -c 'sleep 3597 & sleep 3596'", ["3597", "3596"]);
  // The subshell exits at once: its sleep is an orphan adopted by init, still in the session.
  await timesOut("env -i sh -c '(env -i sleep 3595 &); sleep 3594'", ["3595", "3594"]);
});

Deno.test("exec timeout: setsid (a new session, adopted by init) is found by its environment marker", async () => {
  await timesOut("setsid sleep 3593", ["3593"]);
});

Deno.test("exec timeout: three runaway execs at once are each ended, and the container lives on", async () => {
  await Promise.all([
    timesOut("env -i sleep 3592", ["3592"]),
    timesOut("sh -c 'sleep 3591 & sleep 3590'", ["3591", "3590"]),
    timesOut("env -i sleep 3589", ["3589"]),
  ]);
  assert.equal(await docker("inspect", "-f", "{{.State.Running}}", target), "true");
});

Deno.test("exec timeout: an exec guard blocking kill and sh does not stop berth's own kill helper, and lets no caller through", async () => {
  const dir = tempDirWith("berth-exec-timeout-", {
    "config.yaml": "exec_safety: { blocked_commands: [kill, sh] }\n",
  });
  const guarded = await testApp({ allow: "all", config: `${dir}/config.yaml` });
  try {
    await timesOut("env -i sleep 3588", ["3588"], guarded);
    // The helper's argv typed by a caller, to the letter, is a caller's command: judged, refused.
    const helperArgv = ["sh", "-c", 'kill -KILL 1; echo "berth-end $?"', "berth-helper"];
    for (const command of [helperArgv, "kill -KILL 1"]) {
      const r = await call(guarded, "docker_exec_command", { container_id: target, command });
      assert.equal(errorCode(r), "DKR-007", r.text);
      assert.match(r.text, /exec_safety rule '(kill|sh)'/, r.text);
    }
    assert.equal(await docker("inspect", "-f", "{{.State.Running}}", target), "true");
  } finally {
    guarded.engine.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("exec timeout: cleanup", async () => {
  app.engine.close();
  await cleanup(SUITE);
});
