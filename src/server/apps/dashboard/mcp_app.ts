/**
 * The view's side of the MCP Apps protocol (the `io.modelcontextprotocol/ui`
 * extension, spec 2026-01-26): JSON-RPC 2.0 over `postMessage` with the host
 * frame. It does what the dashboard needs: the `ui/initialize` handshake,
 * tool calls the host forwards to berth, the host's context and tool results,
 * size reports, and answers to `ping` and `ui/resource-teardown`.
 *
 * The extension's SDK (`App` of @modelcontextprotocol/ext-apps) speaks the same
 * protocol but brings the MCP SDK's Protocol class and zod into the page: 330
 * KB of the 338 KB it weighed (see docs/performance.md). The messages here are
 * typed with the SDK's own protocol types, imported as types only (nothing of
 * the package reaches the bundle), so a pinned version whose method names or
 * protocol version change fails `deno task check`; the dashboard's e2e test
 * drives this code against the SDK's own host side, AppBridge.
 *
 * @module
 */

import type {
  LATEST_PROTOCOL_VERSION,
  McpUiHostContext,
  McpUiHostContextChangedNotification,
  McpUiInitializedNotification,
  McpUiInitializeRequest,
  McpUiInitializeResult,
  McpUiResourceTeardownRequest,
  McpUiSizeChangedNotification,
  McpUiStyles,
  McpUiTheme,
  McpUiToolResultNotification,
} from "@modelcontextprotocol/ext-apps";
import type { CallToolRequest, CallToolResult, Implementation } from "@modelcontextprotocol/client";

const PROTOCOL_VERSION: typeof LATEST_PROTOCOL_VERSION = "2026-01-26";
const INITIALIZE: McpUiInitializeRequest["method"] = "ui/initialize";
const INITIALIZED: McpUiInitializedNotification["method"] = "ui/notifications/initialized";
const TOOL_RESULT: McpUiToolResultNotification["method"] = "ui/notifications/tool-result";
const CONTEXT_CHANGED: McpUiHostContextChangedNotification["method"] =
  "ui/notifications/host-context-changed";
const SIZE_CHANGED: McpUiSizeChangedNotification["method"] = "ui/notifications/size-changed";
const TEARDOWN: McpUiResourceTeardownRequest["method"] = "ui/resource-teardown";
const CALL_TOOL: CallToolRequest["method"] = "tools/call";
/** Requests from the host this view answers (with an empty result). */
const ANSWERED = new Set(["ping", TEARDOWN]);
/** The MCP SDK's default request timeout, after which it cancels the request. */
const REQUEST_TIMEOUT_MS = 60_000;
/** JSON-RPC's code for a method the receiver does not know. */
const METHOD_NOT_FOUND = -32601;

/** A JSON-RPC 2.0 message: a request, a notification or a response. */
interface Message {
  jsonrpc: "2.0";
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** A request of ours waiting for the host's answer. */
interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: number;
}

/** One view's connection to its host, as the SDK's `App` offers it. */
export class McpApp {
  #info: Implementation;
  #host: Window;
  #pending = new Map<number | string, Pending>();
  #nextId = 0;
  #context: McpUiHostContext | undefined;
  /** Called with the changed fields when the host's context changes. */
  onhostcontextchanged?: (changed: McpUiHostContext) => void;
  /** Called with the result of the tool call the view was opened for. */
  ontoolresult?: (result: CallToolResult) => void;

  /** A view named `info` in the frame whose parent is `host`. */
  constructor(info: Implementation, host: Window = globalThis.parent) {
    this.#info = info;
    this.#host = host;
  }

  /** Listens to the host, then shakes hands; rejects when the host refuses. */
  async connect(): Promise<void> {
    globalThis.addEventListener("message", (event: MessageEvent) => {
      // Only the host frame speaks for the host: any other window is ignored.
      if (event.source === this.#host) this.#receive(event.data);
    });
    const params: McpUiInitializeRequest["params"] = {
      appInfo: this.#info,
      appCapabilities: {},
      protocolVersion: PROTOCOL_VERSION,
    };
    const result = await this.#request(INITIALIZE, params) as McpUiInitializeResult;
    this.#context = result.hostContext;
    this.#send({ jsonrpc: "2.0", method: INITIALIZED });
    this.#reportSize();
  }

  /** The host's context as it stands (the handshake's, with every change merged in). */
  getHostContext(): McpUiHostContext | undefined {
    return this.#context;
  }

  /** Calls a server tool through the host; rejects with the host's error message. */
  async callServerTool(params: CallToolRequest["params"]): Promise<CallToolResult> {
    return await this.#request(CALL_TOOL, params) as CallToolResult;
  }

  #request(method: string, params: unknown): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        const reason = "Request timed out";
        this.#send({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: id, reason },
        });
        reject(new Error(reason));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      this.#send({ jsonrpc: "2.0", id, method, params });
    });
  }

  #send(message: Message): void {
    // The host's origin is opaque to a sandboxed view: the SDK posts to "*" as well.
    this.#host.postMessage(message, "*");
  }

  #receive(data: unknown): void {
    const message = data as Message | null;
    if (message?.jsonrpc !== "2.0") return;
    if (typeof message.method === "string") {
      if (message.id !== undefined) this.#answer(message.id, message.method);
      else this.#notified(message.method, message.params);
      return;
    }
    const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id!);
    clearTimeout(pending.timer);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  }

  /** Answers a host's request: `ping` and teardown with `{}`, anything else as unknown. */
  #answer(id: number | string, method: string): void {
    if (ANSWERED.has(method)) this.#send({ jsonrpc: "2.0", id, result: {} });
    else {
      this.#send({
        jsonrpc: "2.0",
        id,
        error: { code: METHOD_NOT_FOUND, message: "Method not found" },
      });
    }
  }

  #notified(method: string, params: unknown): void {
    if (method === TOOL_RESULT) this.ontoolresult?.(params as CallToolResult);
    if (method === CONTEXT_CHANGED) {
      const changed = params as McpUiHostContext;
      this.#context = { ...this.#context, ...changed };
      this.onhostcontextchanged?.(changed);
    }
  }

  /**
   * Tells the host the page's size whenever it changes, so the host sizes its
   * frame to the content (the SDK's `autoResize`, measured the same way).
   */
  #reportSize(): void {
    let scheduled = false;
    let width = 0;
    let height = 0;
    const measure = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        const root = document.documentElement;
        const previous = root.style.height;
        root.style.height = "max-content";
        const h = Math.ceil(root.getBoundingClientRect().height);
        root.style.height = previous;
        const w = Math.ceil(globalThis.innerWidth);
        if (w === width && h === height) return;
        [width, height] = [w, h];
        const params: McpUiSizeChangedNotification["params"] = { width, height };
        this.#send({ jsonrpc: "2.0", method: SIZE_CHANGED, params });
      });
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.documentElement);
    observer.observe(document.body);
  }
}

/** Follows the host's theme: `data-theme` and `color-scheme` on the root, as the SDK sets them. */
export function applyDocumentTheme(theme: McpUiTheme): void {
  const root = document.documentElement;
  root.setAttribute("data-theme", theme);
  root.style.colorScheme = theme;
}

/** Sets the host's CSS variables (`--color-background-primary` …) on the root. */
export function applyHostStyleVariables(variables: Partial<McpUiStyles>): void {
  for (const [name, value] of Object.entries(variables)) {
    if (value !== undefined) document.documentElement.style.setProperty(name, value);
  }
}
