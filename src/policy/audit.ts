/**
 * The audit log: JSON Lines, one record per call that changes anything
 * (permission other than `read`) and per denial (DKR-007), written with one
 * unbuffered write on a file opened for append before the call returns, so a
 * crash right after a call never loses its record.
 *
 * Arguments are redacted ({@link redactArguments}); registry credentials never
 * reach the file.
 *
 * @module
 */

import { BerthError, grantHint } from "../errors/mod.ts";
import { redactArguments, redactText } from "./redact.ts";

/** One line of the audit log. */
export interface AuditRecord {
  /**
   * ISO 8601 time the record was written, so the log reads in time order even
   * when a background operation's final record follows later calls.
   */
  time: string;
  tool: string;
  /** The engine the call ran on, when several are configured. */
  engine?: string;
  /** Who called: the token name or JWT subject of an HTTP caller (absent over stdio). */
  principal?: string;
  /** The arguments as the client sent them, redacted. */
  arguments: unknown;
  /** What the call acted on, e.g. `container:web` (absent when it names nothing). */
  target?: string;
  /**
   * `ok`, `running` (went on in the background), `abandoned` (the server
   * exited before background work finished) or the DKR code of the error.
   */
  outcome: string;
  /** The error message, redacted, when the call failed. */
  error?: string;
  /** ISO 8601 time the call started (absent in records written by older callers). */
  started?: string;
  duration_ms: number;
}

/** Where audit records go. */
export interface AuditSink {
  write(record: AuditRecord): void;
  close(): void;
}

/** An audit log file, opened once for append. */
export class AuditLog implements AuditSink {
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  readonly path: string;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /** Opens (creating) the log for append; fails closed with advice when it cannot. */
  static open(path: string): AuditLog {
    try {
      const file = Deno.openSync(path, { append: true, create: true, mode: 0o600 });
      return new AuditLog(path, file);
    } catch (error) {
      const sandbox = error instanceof Deno.errors.NotCapable;
      throw new BerthError(
        sandbox ? "permission_denied" : "invalid_input",
        `Cannot open the audit log ${path}`,
        {
          context: (error as Error).message,
          hint: sandbox
            ? `${grantHint("write", path)}; or log under /var/log/berth, which the set allows`
            : "Check that the directory exists and is writable (--audit-log, BERTH_AUDIT_LOG or audit_log)",
        },
      );
    }
  }

  /** Appends one record: a single write of the whole line, retried until all bytes are out. */
  write(record: AuditRecord): void {
    const line = this.#encoder.encode(`${JSON.stringify(sanitize(record))}\n`);
    let written = 0;
    while (written < line.length) written += this.#file.writeSync(line.subarray(written));
  }

  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }
}

/** Redacts everything a record carries, whatever its caller passed. */
function sanitize(record: AuditRecord): AuditRecord {
  const out: AuditRecord = {
    time: record.time,
    tool: record.tool,
    arguments: redactArguments(record.arguments),
    outcome: record.outcome,
    duration_ms: Math.round(record.duration_ms),
  };
  if (record.target !== undefined) out.target = redactText(record.target);
  if (record.error !== undefined) out.error = redactText(record.error);
  // Keep the documented key order: time, tool, engine, principal, arguments, target, outcome,
  // error, started, duration_ms.
  return {
    time: out.time,
    tool: out.tool,
    ...(record.engine !== undefined ? { engine: redactText(record.engine) } : {}),
    ...(record.principal !== undefined ? { principal: redactText(record.principal) } : {}),
    arguments: out.arguments,
    ...(out.target !== undefined ? { target: out.target } : {}),
    outcome: out.outcome,
    ...(out.error !== undefined ? { error: out.error } : {}),
    ...(record.started !== undefined ? { started: record.started } : {}),
    duration_ms: out.duration_ms,
  };
}

/**
 * Whether a call belongs in the audit log: every call that may change
 * something, every denial, and every call that failed on a bug of berth's
 * (`internal_error`, then answered as a JSON-RPC internal error). `readOnly` is the tool's `isReadOnly` (a level
 * above read, or a route that is not a GET or HEAD whatever level it
 * declares, is not).
 */
export function shouldAudit(readOnly: boolean, outcome: string): boolean {
  return !readOnly || outcome === "DKR-007" || outcome === "internal_error";
}
