/**
 * berth's own execs: the helper that ends an exec that ran out of time
 * (src/docker/exec_kill.ts, docs/security.md rule 7) runs scripts berth
 * wrote, in a container the caller already execs in. The exec guard
 * (`exec_safety.blocked_commands`) is the operator's rule over callers'
 * commands: it must not stop berth's cleanup (a rule `kill` or `sh` would
 * leave the runaway process running), and berth's fixed scripts are not a
 * caller's text to be judged.
 *
 * Trust goes by object, never by text: an exec body is berth's own only when
 * it is the very frozen object {@link ownExecBody} made. A tool argument or a
 * manifest request that copies the helper's argv to the letter is a new
 * object, judged like any command. Only exec_kill.ts calls ownExecBody
 * (tests/unit/own_exec_test.ts holds that), with fixed script text, PIDs it
 * read and the marker berth made: nothing a caller wrote.
 *
 * @module
 */

const OWN = new WeakSet<object>();

/** An exec create body of berth's own helper (frozen, so no one can change it afterwards). */
export interface OwnExecBody {
  readonly AttachStdout: true;
  readonly AttachStderr: true;
  readonly Tty: false;
  readonly Cmd: readonly string[];
  readonly User: string;
}

/** The create body of one of berth's own helper execs, attached, as `user`. */
export function ownExecBody(cmd: readonly string[], user: string): OwnExecBody {
  const body: OwnExecBody = Object.freeze({
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Cmd: Object.freeze([...cmd]),
    User: user,
  });
  OWN.add(body);
  return body;
}

/** True only for a body {@link ownExecBody} made: the exec guard does not judge it. */
export function isOwnExecBody(body: unknown): boolean {
  return typeof body === "object" && body !== null && OWN.has(body);
}
