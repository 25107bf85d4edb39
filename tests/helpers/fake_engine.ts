/**
 * A fake Docker engine on a unix socket in /tmp, for fault injection: it
 * speaks just enough HTTP/1.1 to answer `/_ping`, `/version`,
 * `/containers/json` and `/containers/{id}/wait`, or misbehaves on purpose
 * (hangs, drips, resets, garbage, 500s). Tests that use it are named
 * "fake socket: …". Tests may set answers per route (`answers`). It records requests and the connections the client
 * abandoned (closed while an answer was still pending), which is how tests
 * prove that an aborted call really cancelled its socket request.
 *
 * @module
 */

/** How the fake answers. */
export type Behaviour =
  | "ok" // a proper answer
  | "hang" // accepts the request and never answers
  | "drip" // sends headers, then one body byte a second, for ever
  | "reset" // sends headers and half a body, then closes the connection
  | "close" // reads the request and closes the connection without a word
  | "garbage" // answers bytes that are not HTTP, then closes
  | "bad_json" // a 200 whose body is not JSON
  | "error500" // a 500 with an engine-style error message
  | "slow"; // a proper answer after `slowMs`

/** One request the fake received. */
export interface FakeRequest {
  method: string;
  path: string;
}

/** An answer for the "ok" behaviour. */
export interface FakeAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The fake engine. */
export class FakeEngine implements Disposable {
  readonly path: string;
  /** How requests other than `/_ping` are answered. */
  behaviour: Behaviour = "ok";
  /** How `/_ping` is answered (the version negotiation and the breaker's probe). */
  pingBehaviour: Behaviour = "ok";
  /** Delay of the "slow" behaviour. */
  slowMs = 2_000;
  /** What `GET /containers/json` lists. */
  containers: unknown[] = [];
  /**
   * Answers by route for the "ok" behaviour, keyed `"METHOD /path"` (path
   * without the version prefix), checked before the built-in routes. A string
   * body is sent as is (malformed or deeply nested JSON), bytes too (a
   * corrupt log frame).
   */
  readonly answers = new Map<string, FakeAnswer>();
  /** Every request received, in order. */
  readonly requests: FakeRequest[] = [];
  /** How many connections the client closed while an answer was pending. */
  abandoned = 0;
  /** The most requests left hanging at one moment ("hang"): what a client's in-flight bound caps. */
  mostHanging = 0;
  #hanging = 0;
  readonly #listener: Deno.Listener;
  readonly #conns = new Set<Deno.Conn>();
  #onAbandon: (() => void)[] = [];

  private constructor(path: string) {
    this.path = path;
    this.#listener = Deno.listen({ transport: "unix", path });
    this.#accept();
  }

  /** Starts a fake on a fresh socket path named after the test. */
  static start(name: string): FakeEngine {
    const path = `/tmp/berth-fake-${name}-${crypto.randomUUID().slice(0, 8)}.sock`;
    return new FakeEngine(path);
  }

  /** The `--docker-host` value that reaches this fake. */
  get dockerHost(): string {
    return `unix://${this.path}`;
  }

  /** Requests other than `/_ping`. */
  get calls(): FakeRequest[] {
    return this.requests.filter((r) => r.path !== "/_ping");
  }

  /** Resolves true once `count` abandoned connections were seen, false after `ms`. */
  waitAbandoned(count = 1, ms = 3_000): Promise<boolean> {
    if (this.abandoned >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      const check = () => {
        if (this.abandoned < count) return this.#onAbandon.push(check);
        clearTimeout(timer);
        resolve(true);
      };
      this.#onAbandon.push(check);
    });
  }

  /** Stops listening, closes every connection and removes the socket file. */
  close(): void {
    this.#listener.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    try {
      Deno.removeSync(this.path);
    } catch { /* gone */ }
  }

  /** {@link close}, for `using fake = FakeEngine.start(…)`. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        this.#serve(conn).catch(() => {}).finally(() => {
          this.#conns.delete(conn);
          try {
            conn.close();
          } catch { /* already closed */ }
        });
      }
    } catch { /* listener closed */ }
  }

  #markAbandoned(): void {
    this.abandoned++;
    const waiting = this.#onAbandon;
    this.#onAbandon = [];
    waiting.forEach((check) => check());
  }

  /** Serves requests on one connection until it closes (HTTP/1.1 keep-alive). */
  async #serve(conn: Deno.Conn): Promise<void> {
    let pending = "";
    const buf = new Uint8Array(64 * 1024);
    while (true) {
      let end: number;
      while ((end = pending.indexOf("\r\n\r\n")) < 0) {
        const n = await conn.read(buf);
        if (n === null) return;
        pending += decoder.decode(buf.subarray(0, n));
      }
      const head = pending.slice(0, end);
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      while (pending.length < end + 4 + length) {
        const n = await conn.read(buf);
        if (n === null) return;
        pending += decoder.decode(buf.subarray(0, n));
      }
      pending = pending.slice(end + 4 + length);
      const [method, target] = head.split("\r\n")[0].split(" ");
      const path = new URL(target, "http://192.0.2.1").pathname;
      this.requests.push({ method, path });
      const behaviour = path === "/_ping" ? this.pingBehaviour : this.behaviour;
      const keepOpen = await this.#answer(conn, behaviour, method, path, buf);
      if (!keepOpen) return;
    }
  }

  /** Answers one request; false when the connection is finished. */
  async #answer(
    conn: Deno.Conn,
    behaviour: Behaviour,
    method: string,
    path: string,
    buf: Uint8Array,
  ): Promise<boolean> {
    switch (behaviour) {
      case "hang": {
        // Never answer; the only way out is the client closing the connection.
        this.mostHanging = Math.max(this.mostHanging, ++this.#hanging);
        while ((await conn.read(buf)) !== null) { /* ignore */ }
        this.#hanging--;
        this.#markAbandoned();
        return false;
      }
      case "drip": {
        await write(
          conn,
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
            "Content-Length: 100000\r\n\r\n[",
        );
        try {
          while (true) {
            await new Promise((r) => setTimeout(r, 1000));
            await conn.write(encoder.encode(" "));
          }
        } catch {
          this.#markAbandoned(); // the write failed: the client is gone
        }
        return false;
      }
      case "reset":
        await write(
          conn,
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
            'Content-Length: 1000\r\n\r\n[{"Id": "abc',
        );
        return false;
      case "close":
        return false;
      case "garbage":
        await write(conn, "SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02\xff not http at all\r\n\r\n");
        return false;
      case "bad_json":
        return await respond(conn, 200, "{this is not json", {
          "Content-Type": "application/json",
        });
      case "error500":
        return await respond(conn, 500, { message: "fake engine failure" });
      case "slow":
        await new Promise((r) => setTimeout(r, this.slowMs));
        return await this.#ok(conn, method, path);
      case "ok":
        return await this.#ok(conn, method, path);
    }
  }

  async #ok(conn: Deno.Conn, method: string, path: string): Promise<boolean> {
    const answer = this.#route(method, path);
    return await respond(conn, answer.status ?? 200, answer.body, answer.headers);
  }

  #route(method: string, path: string): FakeAnswer {
    if (path === "/_ping") {
      return { body: "OK", headers: { "Api-Version": "1.41", "Content-Type": "text/plain" } };
    }
    const route = path.replace(/^\/v[\d.]+/, "");
    const set = this.answers.get(`${method} ${route}`);
    if (set) return set;
    if (method === "GET" && route === "/containers/json") return { body: this.containers };
    if (method === "GET" && route === "/version") return { body: VERSION };
    if (method === "POST" && /^\/containers\/[^/]+\/wait$/.test(route)) {
      return { body: { StatusCode: 0, Error: null } };
    }
    return { status: 404, body: { message: `page not found: ${method} ${route}` } };
  }
}

const VERSION = {
  Version: "20.10.99-fake",
  ApiVersion: "1.41",
  MinAPIVersion: "1.12",
  Os: "linux",
  Arch: "amd64",
  KernelVersion: "6.0.0-fake",
  GoVersion: "go1.21",
  Components: [{ Name: "Engine", Version: "20.10.99-fake" }],
};

async function write(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

async function respond(
  conn: Deno.Conn,
  status: number,
  body: unknown,
  headers: Record<string, string> = { "Content-Type": "application/json" },
): Promise<boolean> {
  const bytes = body instanceof Uint8Array
    ? body
    : encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
  const lines = [`HTTP/1.1 ${status} ${status === 200 ? "OK" : "Status"}`];
  for (const [key, value] of Object.entries(headers)) lines.push(`${key}: ${value}`);
  lines.push(`Content-Length: ${bytes.length}`, "", "");
  await write(conn, lines.join("\r\n"));
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
  return true;
}
