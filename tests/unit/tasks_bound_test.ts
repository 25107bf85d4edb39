import assert from "node:assert/strict";
import type { CallToolResult } from "@modelcontextprotocol/server";
import { MAX_RUNNING_TASKS, SessionTasks } from "../../src/server/tasks.ts";

Deno.test("tasks: a session runs at most MAX_RUNNING_TASKS at once (a task's call frees its HTTP slot at once)", async () => {
  const tasks = new SessionTasks();
  const ends: (() => void)[] = [];
  const run = () =>
    new Promise<CallToolResult>((resolve) => ends.push(() => resolve({ content: [] })));
  for (let i = 0; i < MAX_RUNNING_TASKS; i++) {
    assert.equal(tasks.full, false, `after ${i}`);
    tasks.start(1_000, run);
  }
  assert.equal(tasks.full, true);
  ends[0]();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(tasks.full, false);
  for (const end of ends) end();
});
