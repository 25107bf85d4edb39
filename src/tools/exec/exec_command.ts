/**
 * `docker_exec_command`: runs a command in a running container and answers
 * its exit code with stdout and stderr kept apart.
 *
 * - A string command runs through `sh -c` only when it uses shell syntax
 *   (pipes, redirects, globs, `&&`, `;`, `$`, quotes); otherwise it is split
 *   on whitespace and run directly. The policy checks the argv exactly as the
 *   container will run it.
 * - The exec is created with Tty false, so `POST /exec/{id}/start` (Detach
 *   false) answers 200 and streams the 8-byte framed output as the response
 *   body until the process ends; Deno's fetch reads it like any body.
 * - Each stream keeps at most `exec_safety.max_output` characters (default
 *   10,000); the rest is read and dropped so the process never blocks on a
 *   full pipe, and `truncated` and `dropped_bytes` (per stream) say so.
 * - `timeout` (seconds, default `exec_safety.timeout`) is bounded by the exec
 *   class deadline less a margin; when it passes berth stops waiting, ends
 *   the exec's processes however they are wrapped, checks with `top`, and
 *   says what it saw (see src/docker/exec_kill.ts). Never privileged.
 *
 * @module
 */

import { containers, exec } from "../../engine/ops/mod.ts";
import { demultiplex, type OutputChunk } from "../../engine/streams.ts";
import { BerthError, invalidInput } from "../../errors/mod.ts";
import { environmentList, USER_PATTERN } from "../../docker/container_spec/mod.ts";
import { execArgv } from "../../docker/shell_words.ts";
import { killExec, type KillOutcome, newExecMarker } from "../../docker/exec_kill.ts";
import { utf8Length } from "../../docker/log_window.ts";
import { seconds, startTimer, waitBudget } from "../../docker/timer.ts";
import { bareName, inspectVisibleContainer } from "../../docker/visible_container.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

/** Characters kept per stream when the configuration says nothing. */
export const DEFAULT_MAX_OUTPUT = 10_000;
/** Time kept after the exec's own timeout for killing it and answering. */
const KILL_MARGIN_MS = 6_000;

/** Output kept from one exec. */
export interface ExecOutput {
  stdout: string;
  stderr: string;
  truncated: boolean;
}

/** Bytes of each stream that were read and dropped. */
export interface DroppedBytes {
  stdout: number;
  stderr: number;
}

/** Keeps the first `max` characters of each stream and drains the rest. */
export class OutputCollector {
  readonly #max: number;
  readonly #text = { stdout: "", stderr: "" };
  readonly #received = { stdout: 0, stderr: 0 };
  readonly #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  #truncated = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** The per-stream character cap. */
  get max(): number {
    return this.#max;
  }

  /** Adds one demultiplexed chunk. */
  push(chunk: OutputChunk): void {
    this.#received[chunk.stream] += chunk.data.length;
    const room = this.#max - this.#text[chunk.stream].length;
    if (room <= 0) {
      // Full: the rest is only counted, never decoded.
      if (chunk.data.length) this.#truncated = true;
      return;
    }
    const decoded = this.#decoders[chunk.stream].decode(chunk.data, { stream: true });
    if (decoded.length > room) this.#truncated = true;
    this.#text[chunk.stream] += decoded.slice(0, room);
  }

  /** What was kept so far. */
  result(): ExecOutput {
    return { ...this.#text, truncated: this.#truncated };
  }

  /** Bytes read but not kept, per stream (received less the UTF-8 size of what was kept). */
  dropped(): DroppedBytes {
    const of = (s: "stdout" | "stderr") =>
      this.#truncated ? Math.max(0, this.#received[s] - utf8Length(this.#text[s])) : 0;
    return { stdout: of("stdout"), stderr: of("stderr") };
  }
}

/** The argv of the `command` parameter, checked. */
function commandArgv(command: unknown): string[] {
  if (typeof command === "string" && !command.trim()) {
    throw invalidInput("command", "must not be empty");
  }
  const argv = execArgv(command as string | string[]);
  if (argv.length === 0) throw invalidInput("command", "must not be empty");
  argv.forEach((word, i) => {
    if (word.includes("\0")) throw invalidInput(`command.${i}`, "must not contain NUL characters");
  });
  return argv;
}

/** The exec create body: allowlisted fields only, never Privileged. */
function execBody(ctx: HandlerContext, argv: string[], marker: string): Record<string, unknown> {
  const { workdir, user, environment } = ctx.args;
  if (typeof workdir === "string" && !workdir.startsWith("/")) {
    throw invalidInput("workdir", "must be an absolute path in the container");
  }
  if (typeof user === "string" && !USER_PATTERN.test(user)) {
    throw invalidInput("user", "must be a user or uid, optionally with :group or :gid");
  }
  const env = environment === undefined ? [] : environmentList(environment);
  return {
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Cmd: argv,
    Env: [...env, marker],
    ...(typeof workdir === "string" ? { WorkingDir: workdir } : {}),
    ...(typeof user === "string" ? { User: user } : {}),
  };
}

/** Runs the command and answers its exit code and output. */
export const execCommand: Handler = async (ctx) => {
  const info = await inspectVisibleContainer(ctx, ctx.args.container_id as string);
  const name = bareName(info.Name);
  if (info.State?.Running !== true || info.State?.Paused === true) {
    const state = info.State?.Status ?? "not running";
    throw new BerthError(
      "conflict",
      `Container ${name} is ${state}; exec needs a running container`,
      {
        hint: state === "paused"
          ? "Resume it with docker_unpause_container"
          : "Start it first with docker_start_container",
      },
    );
  }
  const argv = commandArgv(ctx.args.command);
  ctx.policy.checkExecCommand(argv);
  const marker = newExecMarker();
  const body = execBody(ctx, argv, marker);
  ctx.policy.checkExecOptions(body);
  const { Id: execId } = await ctx.engine.json<{ Id: string }>(containers.exec(info.Id, body, {
    signal: ctx.signal,
    errors: { 404: "container_not_found", 409: "conflict" },
  }));

  const requested = typeof ctx.args.timeout === "number"
    ? ctx.args.timeout * 1000
    : ctx.settings?.execTimeoutMs ?? ctx.policy.execLimits?.timeoutMs;
  const budget = waitBudget(ctx, requested, KILL_MARGIN_MS);
  const collector = new OutputCollector(
    ctx.settings?.execMaxOutput ?? ctx.policy.execLimits?.maxOutput ?? DEFAULT_MAX_OUTPUT,
  );
  const timer = startTimer(ctx.signal, budget);
  try {
    const response = await ctx.engine.request(
      exec.start(execId, { Detach: false, Tty: false }, { signal: timer.signal }),
    );
    if (response.body) {
      for await (const chunk of demultiplex(response.body)) collector.push(chunk);
    }
  } catch (error) {
    if (!timer.signal.aborted) throw error;
    // Out of time, or the client cancelled: stopping the wait is not enough.
    const killed = await killExec(ctx.engine, info.Id, execId, marker);
    if (timer.expired()) throw timedOut(name, budget, killed, collector.result());
    throw error;
  } finally {
    timer.dispose();
  }
  const exitCode = await execExitCode(ctx, execId);
  const output = collector.result();
  const dropped = collector.dropped();
  return {
    structured: { exit_code: exitCode, ...output, dropped_bytes: dropped },
    text: execText(name, exitCode, output, dropped, collector.max),
  };
};

/** The exit code, once the engine has recorded it. */
async function execExitCode(ctx: HandlerContext, execId: string): Promise<number | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const state = await ctx.engine.json<{ Running?: boolean; ExitCode?: number | null }>(
      exec.inspect(execId, { signal: ctx.signal }),
    );
    if (!state.Running) return state.ExitCode ?? null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

function timedOut(
  name: string,
  budget: number,
  killed: KillOutcome,
  output: ExecOutput,
): BerthError {
  const ended = killOutcomeText(killed);
  const partial = [
    output.stdout && `stdout: ${output.stdout.slice(-1000)}`,
    output.stderr && `stderr: ${output.stderr.slice(-1000)}`,
  ]
    .filter(Boolean).join(" | ");
  return new BerthError(
    "timeout",
    `The command in ${name} did not finish within ${seconds(budget)}; ${ended}`,
    {
      hint: "Pass a larger timeout (bounded by --timeout exec=<duration>), or start long jobs in " +
        "the background, e.g. with docker_run_container",
      context: partial || undefined,
    },
  );
}

/** What berth did to the runaway exec, as `top` showed afterwards. */
export function killOutcomeText(outcome: KillOutcome): string {
  const { killed, remaining, error } = outcome;
  const processes = (n: number) => `${n} process${n === 1 ? "" : "es"}`;
  if (error) return `berth could not end it (${error}); it may still be running`;
  if (remaining.length) {
    const left = remaining.slice(0, 5).map((p) => `${p.args.slice(0, 60)} (host PID ${p.pid})`)
      .join(", ");
    return `berth sent SIGKILL to ${processes(killed)}, but docker top still shows ` +
      `${processes(remaining.length)} of it running: ${left}`;
  }
  return killed === 0
    ? "it had ended by the time berth went to stop it (docker top shows none of its processes)"
    : `berth ended it: SIGKILL to ${processes(killed)}, and docker top shows none of them left`;
}

/** What the cap dropped, and what to do about it; empty when nothing was. */
export function truncationNote(dropped: DroppedBytes, max: number): string {
  const parts = (["stdout", "stderr"] as const)
    .filter((s) => dropped[s] > 0)
    .map((s) => `${dropped[s].toLocaleString("en-US")} bytes of ${s} dropped`);
  if (!parts.length) return "";
  return `; output cut: ${parts.join(", ")} (exec_safety.max_output keeps ` +
    `${max.toLocaleString("en-US")} characters per stream); redirect it to a file and read ` +
    "that with docker_copy_from_container, or narrow it with | tail or | grep";
}

function execText(
  name: string,
  exitCode: number | null,
  output: ExecOutput,
  dropped: DroppedBytes,
  max: number,
): string {
  const lines = [`Exit code ${exitCode ?? "unknown"} in ${name}${truncationNote(dropped, max)}`];
  if (output.stdout) lines.push("--- stdout ---", output.stdout.replace(/\n$/, ""));
  if (output.stderr) lines.push("--- stderr ---", output.stderr.replace(/\n$/, ""));
  if (!output.stdout && !output.stderr) lines.push("(no output)");
  return lines.join("\n");
}
