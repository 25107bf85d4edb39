/**
 * docker_container_logs by a name read before (suite `logs-guess`): the logs
 * are asked for on the full ID the name named last, alongside the inspect
 * that resolves it again, and that answer is read only when the inspect
 * names the same ID (docs/performance.md). When the name has moved to
 * another container (with another TTY setting) the answer is that
 * container's, decoded by its own Config.Tty; `docker logs` is the ground
 * truth. A secret the container holds is scrubbed from a repeated read too.
 */

import assert from "node:assert/strict";
import { call, cleanup, docker, runContainer, testApp, uniqueName } from "../helpers/mod.ts";
import { REDACTED } from "../../src/policy/redact.ts";

const SUITE = "logs-guess";

/** Runs a container that prints `line` (and its secret) once, then waits; answers its name. */
async function printer(name: string, line: string, tty: boolean): Promise<string> {
  await runContainer(SUITE, {
    name,
    args: ["--network", "none", "-e", "API_TOKEN=tok-guess-5a7e", ...(tty ? ["-t"] : [])],
    command: ["sh", "-c", `echo ${line}; echo token is $API_TOKEN; sleep 3600`],
  });
  for (let i = 0; i < 50 && !(await docker("logs", name)).includes("token is"); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return name;
}

Deno.test("logs: a name that moved to another container answers that container's log", async () => {
  await cleanup(SUITE);
  const app = await testApp({});
  try {
    const name = await printer(uniqueName("berth-logs-guess"), "from-a-line", false);
    const logs = async () => {
      const r = await call(app, "docker_container_logs", { container_id: name, tail: 10 });
      assert.equal(r.isError, false, r.text);
      return r.structured.logs as string;
    };
    for (let i = 0; i < 3; i++) {
      // First read, then reads on the remembered ID: the same lines, the secret scrubbed.
      assert.equal(await logs(), `from-a-line\ntoken is ${REDACTED}`);
    }

    // The name now names a container with a TTY: its lines, decoded as a TTY's.
    await docker("rename", name, `${name}-old`);
    await printer(name, "from-b-line", true);
    const b = await logs();
    assert.equal(b, `from-b-line\ntoken is ${REDACTED}`);
    const truth = (await docker("logs", name)).replaceAll("\r", "").trim();
    assert.equal(b.replace(REDACTED, "tok-guess-5a7e"), truth);

    // And once more, after that container is removed and the name made again without one.
    await docker("rm", "-f", name);
    await printer(name, "from-c-line", false);
    assert.equal(await logs(), `from-c-line\ntoken is ${REDACTED}`);
  } finally {
    app.engine.close();
    await cleanup(SUITE);
  }
});
