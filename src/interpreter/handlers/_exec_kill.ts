/**
 * Ending an exec that ran out of time. The Engine API has no exec kill, and
 * closing the connection leaves the process running (security-notes rule 7).
 * `GET /exec/{id}/json` gives only the host PID, which means nothing inside
 * the container's PID namespace, and killing one PID would orphan the
 * children of `sh -c` (the `sleep` in `sleep 100 | cat`).
 *
 * So every exec carries a random marker in its environment
 * (`BERTH_EXEC_ID=<hex>`), which its children inherit, and a second exec,
 * run as the same user (who may read their `/proc/<pid>/environ` without
 * extra capabilities), finds every process carrying the marker and sends
 * SIGKILL. This needs `sh`, `grep` and `kill` in the image (busybox, Debian,
 * Alpine …); where they are missing, the error says the process may still run.
 * `timeout(1)` wrapping was rejected: its options differ between busybox
 * versions and coreutils, and it signals only its direct child.
 *
 * @module
 */

import type { EngineClient } from "../../engine/client.ts";
import { demultiplex } from "../../engine/streams.ts";
import { containerPath } from "./_visible_container.ts";

/** The environment variable that marks an exec's processes. */
export const EXEC_MARKER = "BERTH_EXEC_ID";

/** How long berth tries to end a runaway exec. */
const KILL_TIMEOUT_MS = 5_000;

// $1 is the marker: given as an argument, so the killer's own environment
// does not carry it and it never matches itself.
const KILL_SCRIPT = 'k=""; for p in /proc/[0-9]*; do ' +
  'if grep -q "$1" "$p/environ" 2>/dev/null; then k="$k ${p#/proc/}"; fi; done; ' +
  'if [ -n "$k" ]; then kill -KILL $k; fi; echo "$k"';

/** A fresh marker `BERTH_EXEC_ID=<32 hex>`. */
export function newExecMarker(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${EXEC_MARKER}=${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** What the kill achieved. */
export interface KillOutcome {
  /** PIDs (in the container) that were sent SIGKILL. */
  pids: string[];
  /** Why the processes could not be ended, when they could not. */
  error?: string;
}

/** Kills every process of the container that carries `marker`, as `user`. */
export async function killMarked(
  engine: EngineClient,
  containerId: string,
  marker: string,
  user: string | undefined,
): Promise<KillOutcome> {
  const signal = AbortSignal.timeout(KILL_TIMEOUT_MS);
  try {
    const { Id } = await engine.json<{ Id: string }>({
      method: "POST",
      path: containerPath(containerId, "exec"),
      body: {
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        Cmd: ["sh", "-c", KILL_SCRIPT, "berth-kill", marker],
        ...(user ? { User: user } : {}),
      },
      signal,
    });
    const response = await engine.request({
      method: "POST",
      path: `/exec/${encodeURIComponent(Id)}/start`,
      body: { Detach: false, Tty: false },
      signal,
    });
    const out = { stdout: "", stderr: "" };
    const decoder = new TextDecoder();
    if (response.body) {
      for await (const chunk of demultiplex(response.body)) {
        out[chunk.stream] += decoder.decode(chunk.data, { stream: true });
      }
    }
    const pids = out.stdout.trim().split(/\s+/).filter(Boolean);
    const exit = await engine.json<{ ExitCode?: number | null }>({
      method: "GET",
      path: `/exec/${encodeURIComponent(Id)}/json`,
      signal,
    });
    if (exit.ExitCode === 0) return { pids };
    const said = `${out.stderr} ${out.stdout}`.trim().slice(0, 300);
    return {
      pids,
      error: `the kill helper exited with ${exit.ExitCode}${said ? `: ${said}` : ""}`,
    };
  } catch (error) {
    return { pids: [], error: (error as Error)?.message ?? String(error) };
  }
}
