/**
 * Ending an exec that ran out of time, and checking that it ended. The Engine
 * API has no exec kill, and closing the connection leaves the process running
 * (docs/security.md rule 7).
 *
 * Which processes are the exec's: the engine starts every exec as the leader
 * of a new session, so its processes are those of that session, with their
 * descendants (a child that called `setsid` stays a descendant), whatever
 * wraps them (`env -i`, `timeout`, `sh -c`, a forking child, a double fork).
 * berth finds them on the engine's side: `GET /exec/{id}/json` gives the
 * exec's host PID, which is its session id, and `GET /containers/{id}/top`
 * with `-o pid,ppid,sid,stat,etimes,args` lists the container's processes in
 * host PIDs. The environment marker (`BERTH_EXEC_ID=<hex>`, inherited by
 * children) adds what left both the session and the tree but kept its
 * environment (`setsid` forks and leaves an orphan adopted by init).
 *
 * Killing happens inside the container (the engine cannot signal one PID),
 * where PIDs are the container's: a helper exec (`sh`, run as root) lists
 * `/proc` (pid, ppid, session, state, start time, command line, marker).
 * Host PIDs wrap around and cannot be ranked, so each process of the exec is
 * matched by its command line and its age (within 2 s): a container process
 * that could equally be a process that is not the exec's is left alone. berth
 * sends SIGKILL to the whole set at once (again for what forked meanwhile),
 * then asks `top` again and reports what it saw: ended, or what remains.
 * The helper's scripts are berth's own, fixed text with PIDs it read and the
 * marker it made: the operator's exec guard does not judge them
 * (src/policy/own_exec.ts), so a rule `kill` or `sh` cannot stop the cleanup.
 *
 * Not reachable this way: a process that left both the session and the tree
 * (`setsid`, a double fork with `setsid`) and cleared its environment
 * (`env -i`); an image without `sh`. The error then says what is still
 * running, or that berth could not check. See docs/security.md.
 *
 * @module
 */

import { containers, exec } from "../engine/ops/mod.ts";
import type { EngineClient } from "../engine/client.ts";
import { demultiplex } from "../engine/streams.ts";
import { ownExecBody } from "../policy/own_exec.ts";

/** The environment variable that marks an exec's processes. */
export const EXEC_MARKER = "BERTH_EXEC_ID";

/** What {@link newExecMarker} makes. */
const MARKER = new RegExp(`^${EXEC_MARKER}=[0-9a-f]{32}$`);

/** How long berth tries to end a runaway exec. */
const KILL_TIMEOUT_MS = 5_000;
/** Rounds of list-match-kill: a process forked meanwhile is caught by the next one. */
const ROUNDS = 3;
/** Largest difference of a process's age seen from the host and from inside (seconds). */
const AGE_SLACK_S = 2;
/** Clock ticks per second of `/proc/<pid>/stat` start times (USER_HZ on every Linux). */
const USER_HZ = 100;

// Lists the container's processes as "pid ppid sid state marker start args"
// after a "self <pid>" and an "uptime <s>" line. $1 is the marker: given as an
// argument, so the helper's own environment does not carry it. No command
// substitution (the exec guard may refuse it): printf, then tr for the argv.
const LIST_SCRIPT = 'echo "self $$"; read -r up rest < /proc/uptime; echo "uptime $up"; ' +
  "for p in /proc/[0-9]*; do " +
  'read -r s < "$p/stat" 2>/dev/null || continue; r=${s##*) }; set -- "$1" $r; m=0; ' +
  'grep -q "$1" "$p/environ" 2>/dev/null && m=1; ' +
  'printf "%s %s %s %s %s %s " "${p#/proc/}" "$3" "$5" "$2" "$m" "${21}"; ' +
  'tr "\\0\\n" "  " < "$p/cmdline" 2>/dev/null; echo; done';

/** A fresh marker `BERTH_EXEC_ID=<32 hex>`. */
export function newExecMarker(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${EXEC_MARKER}=${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** One process as a process table shows it. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  sid: number;
  state: string;
  /** Seconds since it started. */
  age: number;
  /** Its command line, words joined by single spaces. */
  args: string;
  /** Carries the exec's marker (container view only). */
  marked?: boolean;
}

/** What the kill achieved, as checked afterwards. */
export interface KillOutcome {
  /** Processes (container PIDs) sent SIGKILL. */
  killed: number;
  /** The exec's processes `top` still shows afterwards (host PIDs). */
  remaining: ProcessRow[];
  /** Why berth could not end or check them, when it could not. */
  error?: string;
}

/**
 * Kills under way per container: one at a time, so one kill's helper execs
 * never appear in another's process tables and spoil its session mapping.
 */
const killing = new Map<string, Promise<unknown>>();

/** Ends every process of the exec (see the module comment) and checks with `top`. */
export async function killExec(
  engine: EngineClient,
  containerId: string,
  execId: string,
  marker: string,
): Promise<KillOutcome> {
  const before = killing.get(containerId) ?? Promise.resolve();
  const mine = before.then(() => killOnce(engine, containerId, execId, marker));
  const settled = mine.catch(() => {});
  killing.set(containerId, settled);
  try {
    return await mine;
  } finally {
    if (killing.get(containerId) === settled) killing.delete(containerId);
  }
}

async function killOnce(
  engine: EngineClient,
  containerId: string,
  execId: string,
  marker: string,
): Promise<KillOutcome> {
  const signal = AbortSignal.timeout(KILL_TIMEOUT_MS);
  const api = { engine, containerId, signal };
  let killed = 0;
  try {
    const { Pid: hostPid = 0 } = await engine.json<{ Pid?: number }>(
      exec.inspect(execId, { signal }),
    );
    for (let round = 0; round < ROUNDS; round++) {
      const host = await hostProcesses(api);
      const targets = hostPid ? hostTargets(host, hostPid) : [];
      const inside = await containerProcesses(api, marker);
      const pids = containerTargets(host, targets, inside);
      if (!pids.length) break;
      // PIDs are numbers berth read: written into the script, no "$@" for the exec guard to weigh.
      await runInContainer(api, `kill -KILL ${pids.join(" ")}`, []);
      killed += pids.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const remaining = hostPid ? hostTargets(await hostProcesses(api), hostPid) : [];
    return { killed, remaining };
  } catch (error) {
    return { killed, remaining: [], error: (error as Error)?.message ?? String(error) };
  }
}

interface Api {
  engine: EngineClient;
  containerId: string;
  signal: AbortSignal;
}

/** One command line as both tables can show it: words joined by single spaces. */
function words(args: string): string {
  return args.trim().split(/\s+/).join(" ");
}

/** The container's processes in host PIDs (`docker top -o pid,ppid,sid,stat,etimes,args`). */
async function hostProcesses({ engine, containerId, signal }: Api): Promise<ProcessRow[]> {
  const top = await engine.json<{ Processes?: string[][] }>(
    containers.top(containerId, { ps_args: "-o pid,ppid,sid,stat,etimes,args" }, { signal }),
  );
  return (top.Processes ?? []).map(([pid, ppid, sid, state, age, ...args]) => ({
    pid: Number(pid),
    ppid: Number(ppid),
    sid: Number(sid),
    state: state ?? "",
    age: Number(age),
    args: words(args.join(" ")),
  }));
}

/** The container's processes in its own PIDs, without the helper's. */
export function parseContainerList(out: string): ProcessRow[] {
  const [first, second, ...lines] = out.split("\n");
  const self = Number(/^self (\d+)$/.exec(first ?? "")?.[1]);
  const uptime = Number(/^uptime ([\d.]+)$/.exec(second ?? "")?.[1]);
  if (!self || !uptime) throw new Error(`the process list helper answered '${out.slice(0, 200)}'`);
  const rows: ProcessRow[] = [];
  for (const line of lines) {
    const match = /^(\d+) (\d+) (\d+) (\S+) ([01]) (\d+) (.*)$/.exec(line);
    if (!match) continue;
    const [, pid, ppid, sid, state, marked, start, args] = match;
    // The helper leads its own session: it and its children (grep, tr) are not the exec.
    if (Number(sid) === self) continue;
    rows.push({
      pid: Number(pid),
      ppid: Number(ppid),
      sid: Number(sid),
      state,
      age: uptime - Number(start) / USER_HZ,
      args: words(args),
      marked: marked === "1",
    });
  }
  return rows;
}

async function containerProcesses(api: Api, marker: string): Promise<ProcessRow[]> {
  // The helper runs unjudged by the exec guard: only a marker berth made goes into it.
  if (!MARKER.test(marker)) throw new Error(`'${marker.slice(0, 60)}' is not an exec marker`);
  return parseContainerList(
    await runInContainer(api, LIST_SCRIPT, [marker]),
  );
}

/** Live processes of session `sid` and their descendants (zombies are dead already). */
export function hostTargets(host: ProcessRow[], sid: number): ProcessRow[] {
  const live = host.filter((row) => !row.state.startsWith("Z"));
  const chosen = new Set(live.filter((row) => row.sid === sid).map((row) => row.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const row of live) {
      if (!chosen.has(row.pid) && chosen.has(row.ppid)) {
        chosen.add(row.pid);
        grew = true;
      }
    }
  }
  return live.filter((row) => chosen.has(row.pid));
}

/**
 * Container PIDs to kill: each live process whose command line and age match
 * one of the exec's processes in the host table and no other process there
 * (a twin started within {@link AGE_SLACK_S} of a process that is not the
 * exec's is left alone), and every process carrying the marker. Never PID 1.
 */
export function containerTargets(
  host: ProcessRow[],
  targets: ProcessRow[],
  inside: ProcessRow[],
): number[] {
  const targetPids = new Set(targets.map((row) => row.pid));
  const near = (a: ProcessRow, b: ProcessRow) =>
    a.args === b.args && Math.abs(a.age - b.age) <= AGE_SLACK_S;
  const pids = new Set<number>();
  for (const row of inside) {
    if (row.pid === 1 || row.state.startsWith("Z")) continue;
    const twins = host.filter((h) => !h.state.startsWith("Z") && near(h, row));
    const ours = twins.length > 0 && twins.every((h) => targetPids.has(h.pid));
    if (ours || row.marked) pids.add(row.pid);
  }
  return [...pids].sort((a, b) => a - b);
}

/** The last line of a helper's output: `berth-end <exit status>`. */
const END = /(?:^|\n)berth-end (\d+)\n$/;

/**
 * Runs a helper script as root in the container; answers its stdout, throws
 * when it fails. The script ends by printing `berth-end <status>`, and berth
 * stops reading there: after an exec whose output pipe an orphan still holds,
 * the engine closes the next exec's stream only seconds after it ended.
 */
async function runInContainer(
  { engine, containerId, signal }: Api,
  script: string,
  args: string[],
): Promise<string> {
  const { Id } = await engine.json<{ Id: string }>(containers.exec(
    containerId,
    // berth's own fixed script: not judged by the operator's exec guard (src/policy/own_exec.ts).
    ownExecBody(["sh", "-c", `${script}; echo "berth-end $?"`, "berth-helper", ...args], "0"),
    { signal },
  ));
  const response = await engine.request(exec.start(Id, { Detach: false, Tty: false }, { signal }));
  const out = { stdout: "", stderr: "" };
  const decoder = new TextDecoder();
  if (response.body) {
    for await (const chunk of demultiplex(response.body)) {
      out[chunk.stream] += decoder.decode(chunk.data, { stream: true });
      if (END.test(out.stdout)) break;
    }
  }
  const status = END.exec(out.stdout)?.[1];
  if (status === "0") return out.stdout.replace(END, "");
  const said = `${out.stderr} ${out.stdout}`.trim().slice(0, 300);
  throw new Error(
    `the helper '${script.slice(0, 40)}' in the container ${
      status === undefined ? "did not finish" : `exited with ${status}`
    }${said ? `: ${said}` : ""}`,
  );
}
