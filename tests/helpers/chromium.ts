/**
 * A headless Chromium (Debian's `chromium`) driven over the DevTools
 * protocol: just enough to open a page, read and click inside a frame, and
 * take screenshots, with no browser download and no driver package.
 *
 * @module
 */

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when Chromium is installed (the test bed installs it). */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** One page of a running headless Chromium. */
export class Browser implements AsyncDisposable {
  #process: Deno.ChildProcess;
  #socket: WebSocket;
  #profile: string;
  #next = 1;
  #pending = new Map<number, Pending>();

  private constructor(process: Deno.ChildProcess, socket: WebSocket, profile: string) {
    this.#process = process;
    this.#socket = socket;
    this.#profile = profile;
    socket.onmessage = (event) => this.#receive(JSON.parse(String(event.data)));
  }

  /** Starts Chromium with an empty profile and connects to its first page. */
  static async launch(width = 1100, height = 760): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "berth-chromium-" });
    const process = new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        // One process for every frame, so the app's sandboxed iframe is in the page's frame tree.
        "--disable-site-isolation-trials",
        "--disable-features=IsolateOrigins,site-per-process",
        `--user-data-dir=${profile}`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        `--window-size=${width},${height}`,
        "about:blank",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const port = await devToolsPort(profile);
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const page = targets.find((t) => t.type === "page")!;
    const socket = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const browser = new Browser(process, socket, profile);
    await browser.send("Page.enable");
    await browser.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return browser;
  }

  /** Sends one DevTools command; answers its result. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#next++;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  #receive(message: { id?: number; result?: Record<string, unknown>; error?: unknown }): void {
    if (message.id === undefined) return;
    const pending = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    if (!pending) return;
    if (message.error) pending.reject(new Error(JSON.stringify(message.error)));
    else pending.resolve(message.result ?? {});
  }

  /** Opens a URL and waits for its load event. */
  async open(url: string): Promise<void> {
    await this.send("Page.navigate", { url });
    await this.evaluate(
      "new Promise(r => document.readyState === 'complete' ? r() : addEventListener('load', r))",
    );
  }

  /** Evaluates an expression in the page (or in a frame's isolated world); answers its value. */
  async evaluate<T>(expression: string, contextId?: number): Promise<T> {
    const result = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
      ...(contextId === undefined ? {} : { contextId }),
    }) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (result.exceptionDetails) throw new Error(JSON.stringify(result.exceptionDetails));
    return result.result.value;
  }

  /**
   * Evaluates an expression inside the page's first child frame (the app's
   * iframe), in a fresh isolated world: it shares the frame's DOM, not its
   * scripts, so tests read and click what a person would. A fresh world each
   * time, because a navigation of the frame destroys the old one.
   */
  async evaluateInFrame<T>(expression: string): Promise<T> {
    return await this.evaluate<T>(expression, await this.#frameContext());
  }

  async #frameContext(): Promise<number> {
    const { frameTree } = await this.send("Page.getFrameTree") as {
      frameTree: { childFrames?: { frame: { id: string } }[] };
    };
    const child = frameTree.childFrames?.[0]?.frame.id;
    if (!child) throw new Error("the page has no child frame yet");
    const world = await this.send("Page.createIsolatedWorld", {
      frameId: child,
      worldName: "berth-test",
    }) as { executionContextId: number };
    return world.executionContextId;
  }

  /** Saves a PNG screenshot of the viewport. */
  async screenshot(path: string): Promise<void> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" }) as {
      data: string;
    };
    await Deno.writeFile(path, Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  }

  /** Ends Chromium and removes its profile. */
  async close(): Promise<void> {
    this.#socket.close();
    try {
      this.#process.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.#process.status;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }

  /** {@link close}, for `await using browser = await Browser.launch()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Waits for Chromium to write the DevTools port into its profile. */
async function devToolsPort(profile: string): Promise<number> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const text = await Deno.readTextFile(`${profile}/DevToolsActivePort`).catch(() => "");
    const port = Number(text.split("\n")[0]);
    if (port > 0) return port;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("Chromium did not open its DevTools port within 20 s");
}
