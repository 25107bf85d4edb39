/**
 * `ssh://` engines, the way the docker CLI reaches them: each connection is
 * `ssh … -- host docker system dial-stdio`, whose stdin and stdout carry the
 * Engine API to the remote daemon's socket.
 *
 * Deno's fetch speaks HTTP over TCP or a unix socket only, so berth listens
 * on 127.0.0.1 (a port the kernel picks) and joins each connection it accepts
 * to a new ssh process. Any local process could connect to that port, so a
 * connection is joined only when its first request carries this tunnel's
 * random token (a header the client sends on every request); any other is
 * closed unread. Running `ssh` needs the `berth-ssh` permission set
 * (docs/security.md#ssh-engines-the-berth-ssh-set); the default set cannot.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";

/** An `ssh://` engine's address and what the ssh client is given. */
export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
  identityFile?: string;
  knownHostsFile?: string;
  /** `-o` options. */
  options?: readonly string[];
}

/** The header that carries the tunnel's token. */
export const TUNNEL_HEADER = "x-berth-tunnel";
/** The largest first request head read before the token check. */
const MAX_HEAD = 64 * 1024;
/** What ssh may say on stderr that berth keeps for an error message. */
const MAX_STDERR = 4096;

/** The ssh command line for a target (docker CLI's, without a terminal or prompts). */
export function sshArgs(target: SshTarget): string[] {
  const args = ["-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15"];
  if (target.user) args.push("-l", target.user);
  if (target.port) args.push("-p", String(target.port));
  if (target.identityFile) args.push("-i", target.identityFile, "-o", "IdentitiesOnly=yes");
  if (target.knownHostsFile) args.push("-o", `UserKnownHostsFile=${target.knownHostsFile}`);
  for (const option of target.options ?? []) args.push("-o", option);
  args.push("--", target.host, "docker", "system", "dial-stdio");
  return args;
}

/** The refusal when the sandbox does not let berth run ssh. */
export function sshNotAllowed(description: string, cause?: unknown): BerthError {
  return new BerthError(
    "permission_denied",
    `Deno's sandbox does not let berth run ssh, which the engine at ${description} needs`,
    {
      context: cause ? String((cause as Error).message ?? cause) : undefined,
      hint: "Run berth with the berth-ssh permission set, which adds running ssh and nothing " +
        "else: deno run -P=berth-ssh src/main.ts serve (README: SSH engines)",
      cause,
    },
  );
}

/** True when the sandbox lets berth run `ssh`. */
function mayRunSsh(): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command: "ssh" }).state === "granted";
  } catch {
    return false;
  }
}

/** Finds the end of an HTTP request head (`\r\n\r\n`) in the first `n` bytes. */
function headEnd(buf: Uint8Array, n: number): number {
  for (let i = 3; i < n; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) return i + 1;
  }
  return -1;
}

/** A loopback listener that joins each authenticated connection to a new ssh process. */
export class SshTunnel {
  readonly #target: SshTarget;
  readonly #description: string;
  readonly #token = crypto.randomUUID();
  #listener?: Deno.TcpListener;
  readonly #children = new Set<Deno.ChildProcess>();
  readonly #conns = new Set<Deno.Conn>();

  constructor(target: SshTarget, description: string) {
    this.#target = target;
    this.#description = description;
  }

  /** The header every request through the tunnel must carry. */
  get headers(): Record<string, string> {
    return { [TUNNEL_HEADER]: this.#token };
  }

  /** The base URL of the tunnel, listening from the first call on. */
  base(): string {
    if (!this.#listener) {
      if (!mayRunSsh()) throw sshNotAllowed(this.#description);
      this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      this.#accept(this.#listener);
    }
    return `http://127.0.0.1:${this.#listener.addr.port}`;
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    try {
      for await (const conn of listener) {
        this.#conns.add(conn);
        this.#join(conn).catch(() => {}).finally(() => {
          this.#conns.delete(conn);
          try {
            conn.close();
          } catch { /* already closed */ }
        });
      }
    } catch {
      // the listener was closed
    }
  }

  /** Reads the first request head; joins the connection to ssh when it carries the token. */
  async #join(conn: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(MAX_HEAD);
    let n = 0;
    let end = -1;
    while (end < 0) {
      const read = await conn.read(buf.subarray(n));
      if (read === null || n + read >= MAX_HEAD) return;
      n += read;
      end = headEnd(buf, n);
    }
    const head = new TextDecoder().decode(buf.subarray(0, end));
    const token = head.split("\r\n").find((line) =>
      line.toLowerCase().startsWith(`${TUNNEL_HEADER}:`)
    );
    if (token?.slice(TUNNEL_HEADER.length + 1).trim() !== this.#token) return;
    await this.#pipe(conn, buf.subarray(0, n));
  }

  async #pipe(conn: Deno.Conn, first: Uint8Array): Promise<void> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command("ssh", {
        args: sshArgs(this.#target),
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      await answer(conn, 502, `berth could not start ssh: ${(error as Error).message}`);
      return;
    }
    this.#children.add(child);
    const stderr = collect(child.stderr);
    const writer = child.stdin.getWriter();
    await writer.write(first).catch(() => {});
    writer.releaseLock();
    let answered = false;
    const up = conn.readable.pipeTo(child.stdin).catch(() => {});
    const down = child.stdout.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          answered = true;
          controller.enqueue(chunk);
        },
      }),
    ).pipeTo(conn.writable, { preventClose: true }).catch(() => {});
    const status = await child.status;
    this.#children.delete(child);
    await down;
    if (!answered) {
      // ssh failed before the engine said anything: say why, as an HTTP answer
      // the client turns into an error naming the engine.
      const said = (await stderr).trim() || `ssh exited with code ${status.code}`;
      await answer(conn, 502, `The ssh connection to ${this.#description} failed: ${said}`);
    }
    void up;
  }

  /** Stops listening, ends every ssh process and connection. */
  close(): void {
    try {
      this.#listener?.close();
    } catch { /* already closed */ }
    this.#listener = undefined;
    for (const child of this.#children) {
      try {
        child.kill("SIGTERM");
      } catch { /* already ended */ }
    }
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}

/** Reads a stream to its end, keeping at most MAX_STDERR bytes. */
async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    if (text.length < MAX_STDERR) text += decoder.decode(chunk, { stream: true });
  }
  return text.slice(0, MAX_STDERR);
}

/** Writes a whole plain-text HTTP answer and ends the connection. */
async function answer(conn: Deno.Conn, status: number, message: string): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify({ message }));
  const head = `HTTP/1.1 ${status} Bad Gateway\r\ncontent-type: application/json\r\n` +
    `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  try {
    const writer = conn.writable.getWriter();
    await writer.write(new TextEncoder().encode(head));
    await writer.write(body);
    await writer.close();
  } catch { /* the client went away */ }
}
