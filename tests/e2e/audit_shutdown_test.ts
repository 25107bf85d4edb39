/**
 * The audit log of background operations when berth stops: berth spawned as
 * users run it, with --audit-log and a 1 s long budget, hands a
 * docker_wait_container on a sleeping container to the background; then the
 * client closes stdin, or berth gets SIGTERM or SIGINT. Each way the log ends
 * with a final `abandoned` record for the operation (written before the
 * process is gone), records read in time order, and the process exits.
 */

import assert from "node:assert/strict";
import { cleanup, defer, runContainer, waitFor } from "../helpers/mod.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { alsoAllowed, callTool, connect, type Session, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "e2e-audit-shutdown";

interface Line {
  time: string;
  started?: string;
  tool: string;
  outcome: string;
  error?: string;
  duration_ms: number;
}

function readLog(path: string): Line[] {
  const text = Deno.readTextFileSync(path).trim();
  return text ? text.split("\n").map((line) => JSON.parse(line)) : [];
}

/** True while a process of that id exists (Linux /proc). */
function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Ends the server the given way; for a signal, waits until the process is gone. */
async function stop(session: Session, how: "stdin" | Deno.Signal): Promise<void> {
  if (how === "stdin") {
    // The SDK transport closes the child's stdin first and waits for it to exit.
    await session.close();
    return;
  }
  Deno.kill(session.pid!, how);
  await waitFor("berth to exit", () => Promise.resolve(alive(session.pid!)), (up) => !up, 10_000);
  await session.close();
}

for (const how of ["stdin", "SIGTERM", "SIGINT"] as const) {
  Deno.test({
    name:
      `audit log: a background operation still running when berth stops (${how}) gets a final 'abandoned' record; records read in time order`,
    ...SPAWN_TEST,
    async fn() {
      using dir = tempDir("berth-audit-shutdown-");
      const log = `${dir.path}/audit.jsonl`;
      await using _cleanup = defer(() => cleanup(SUITE));
      await using session = await connect(
        ["--allow", "read,lifecycle", "--long-budget", "1s", "--audit-log", log],
        { denoFlags: alsoAllowed({ write: [log], read: [] }) },
      );
      const name = await runContainer(SUITE, { command: ["sleep", "120"] });
      const first = await callTool(session, "docker_wait_container", { container_id: name });
      assert.equal(first.structuredContent?.status, "running", first.content[0]?.text);
      assert.deepEqual(readLog(log).map((l) => l.outcome), ["running"]);

      await stop(session, how);
      assert.equal(alive(session.pid!), false, "berth exited");

      const lines = readLog(log);
      assert.deepEqual(lines.map((l) => [l.tool, l.outcome]), [
        ["docker_wait_container", "running"],
        ["docker_wait_container", "abandoned"],
      ], JSON.stringify(lines));
      const [running, final] = lines;
      assert.match(final.error!, /server exited before the operation finished/);
      assert.equal(final.started, running.started, "both records name the same start");
      assert.ok(Date.parse(final.time) >= Date.parse(running.time), "in time order");
      assert.ok(final.duration_ms >= 1_000, "the duration runs to the abandonment");
      assert.ok(
        Date.parse(final.time) - Date.parse(final.started!) >= final.duration_ms - 5,
        "time is when the record was written, after the start",
      );
    },
  });
}
