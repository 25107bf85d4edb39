/**
 * Long operations as MCP tasks (protocol 2025-11-25), for clients that
 * declare `tasks.requests.tools.call`: a `tools/call` with `params.task` on a
 * long tool (pull, build, push, compose up: timeout class `long` or
 * `compose`, never one that asks for confirmation) answers at once with a
 * task; `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` follow
 * it. Other clients keep `status: running` and `docker_operation_status`.
 * Tasks belong to the session (one MCP server) that created them.
 *
 * @module
 */

import type { CallToolResult, Server, Tool } from "@modelcontextprotocol/server";
import { z } from "zod";
import { needsConfirmation } from "../interpreter/call_guard.ts";
import type { ToolSpec } from "../manifest/types.ts";
import { wireError } from "./errors.ts";

/** How often clients are told to poll, in ms. */
const POLL_MS = 1_000;
/** How long a finished task is kept when the client asked for no ttl. */
const DEFAULT_TTL_MS = 10 * 60_000;
/** Most tasks a session keeps. */
const MAX_TASKS = 100;
/**
 * Most tasks a session runs at once. A task's tools/call answers at once, so
 * the HTTP limit on calls in flight (--max-concurrent) no longer holds it:
 * without this, one session could start builds and pulls without end.
 */
export const MAX_RUNNING_TASKS = 16;

type Status = "working" | "completed" | "failed" | "cancelled";

/** A task as `tasks/get` answers it. */
export interface Task {
  taskId: string;
  status: Status;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttl: number;
  pollInterval: number;
}

interface Entry {
  task: Task;
  controller: AbortController;
  done: Promise<CallToolResult>;
}

/** True for a tool that may run as a task. */
export function taskTool(spec: ToolSpec): boolean {
  return (spec.timeout === "long" || spec.timeout === "compose") && !needsConfirmation(spec);
}

/** A tools/list entry marked as a task tool. */
export function withTaskSupport(tool: Tool): Tool {
  return { ...tool, execution: { ...tool.execution, taskSupport: "optional" } };
}

/**
 * The answer to a task-augmented `tools/call`. The v2 SDK checks every
 * tools/call answer as a CallToolResult and refuses one with `task` but no
 * `content`, so an empty `content` travels beside the task; a client that
 * asked for a task reads `task`.
 */
export function createTaskResult(task: Task): CallToolResult {
  return { task: { ...task }, content: [] } as CallToolResult;
}

/** The tasks of one session. */
export class SessionTasks {
  readonly #tasks = new Map<string, Entry>();

  /** True when the session runs {@link MAX_RUNNING_TASKS} tasks already. */
  get full(): boolean {
    let running = 0;
    for (const { task } of this.#tasks.values()) if (task.status === "working") running++;
    return running >= MAX_RUNNING_TASKS;
  }

  /** Starts `run` as a task; answers the task at once. */
  start(ttl: number | undefined, run: (signal: AbortSignal) => Promise<CallToolResult>): Task {
    if (this.#tasks.size >= MAX_TASKS) this.#dropOldestFinished();
    const now = new Date().toISOString();
    const task: Task = {
      taskId: crypto.randomUUID(),
      status: "working",
      createdAt: now,
      lastUpdatedAt: now,
      ttl: ttl ?? DEFAULT_TTL_MS,
      pollInterval: POLL_MS,
    };
    const controller = new AbortController();
    const settle = (status: Status, message?: string) => {
      if (task.status === "working") task.status = status;
      if (message) task.statusMessage = message;
      task.lastUpdatedAt = new Date().toISOString();
      // Deno answers a number; the SDK's Node types make the checker expect a Timeout.
      const timer = setTimeout(() => this.#tasks.delete(task.taskId), task.ttl) as unknown;
      Deno.unrefTimer(timer as number);
    };
    const done = run(controller.signal).then((result) => {
      settle(result.isError ? "failed" : "completed");
      return result;
    }, (error) => {
      settle("failed", (error as Error)?.message);
      throw error;
    });
    done.catch(() => {}); // read by tasks/result; not an unhandled rejection
    this.#tasks.set(task.taskId, { task, controller, done });
    return task;
  }

  #dropOldestFinished(): void {
    for (const [id, entry] of this.#tasks) {
      if (entry.task.status !== "working") {
        this.#tasks.delete(id);
        return;
      }
    }
  }

  #entry(taskId: string): Entry {
    const entry = this.#tasks.get(taskId);
    if (!entry) throw wireError(-32602, `Task '${taskId}' is not known`);
    return entry;
  }

  /**
   * Registers tasks/get, tasks/result, tasks/list and tasks/cancel. The SDK
   * serves these 2025-11-25 methods but leaves them out of its method types,
   * so they are registered with their parameter schema.
   */
  register(server: Server): void {
    const byId = { params: z.looseObject({ taskId: z.string() }) };
    const paged = { params: z.looseObject({ cursor: z.string().optional() }) };
    server.setRequestHandler("tasks/get", byId, ({ taskId }) => ({ ...this.#entry(taskId).task }));
    server.setRequestHandler("tasks/result", byId, async ({ taskId }) => {
      const entry = this.#entry(taskId);
      const result = await entry.done;
      return {
        ...result,
        _meta: { "io.modelcontextprotocol/related-task": { taskId: entry.task.taskId } },
      };
    });
    server.setRequestHandler("tasks/list", paged, () => ({
      tasks: [...this.#tasks.values()].map((e) => ({ ...e.task })),
    }));
    server.setRequestHandler("tasks/cancel", byId, ({ taskId }) => {
      const entry = this.#entry(taskId);
      if (entry.task.status !== "working") {
        throw wireError(-32602, `Task '${entry.task.taskId}' has already ${entry.task.status}`);
      }
      entry.task.status = "cancelled";
      entry.task.lastUpdatedAt = new Date().toISOString();
      entry.controller.abort();
      return { ...entry.task };
    });
  }

  /** Aborts every task still working (the session ends). */
  abortAll(): void {
    for (const entry of this.#tasks.values()) entry.controller.abort();
  }
}
