/**
 * Engine refusals against the real engine (suite `engerr`): when the engine's
 * words show which value was wrong, the error names the berth parameter and
 * its fix; a message the engine wraps in itself is said once.
 */

import assert from "node:assert/strict";
import { call, cleanup, errorCode, runContainer, testApp } from "../helpers/mod.ts";
import type { ToolResult } from "../../src/interpreter/mod.ts";

const SUITE = "engerr";

await cleanup(SUITE);
const app = await testApp({ allow: "all" });

/** The `{code, message, hint}` of an error result. */
function errorOf(result: ToolResult): { code: string; message: string; hint: string } {
  assert.equal(result.isError, true, result.text);
  return result.structured.error as { code: string; message: string; hint: string };
}

Deno.test("engerr: a filter the engine does not know names 'filters'", async () => {
  const error = errorOf(
    await call(app, "docker_list_containers", { filters: { status: ["sleepy"] } }),
  );
  assert.equal(error.code, "DKR-004");
  assert.match(error.message, /^Parameter 'filters' was refused: Invalid filter 'status=sleepy'/);
  assert.match(error.hint, /"status": \["exited"\]/);
});

Deno.test("engerr: a signal the engine does not know names 'signal'", async () => {
  const target = await runContainer(SUITE, { command: ["sleep", "300"] });
  for (const signal of ["SIGBOGUS", "99"]) {
    const result = await call(app, "docker_kill_container", { container_id: target, signal });
    const error = errorOf(result);
    assert.equal(error.code, "DKR-004", result.text);
    assert.match(error.message, /^Parameter 'signal' was refused: /);
    assert.ok(error.message.includes(signal.replace("SIG", "")), error.message);
    assert.match(error.hint, /SIGTERM/);
  }
});

Deno.test("engerr: a missing image is said once, though the engine says it twice", async () => {
  const image = "berth-test/never-built:nope";
  const result = await call(app, "docker_inspect_image", { image });
  assert.equal(errorCode(result), "DKR-003", result.text);
  assert.equal(errorOf(result).message, `No such image: ${image}`);
  assert.equal(result.text.split("No such image").length, 2, result.text);
});

Deno.test("engerr: cleanup", async () => {
  await cleanup(SUITE);
  app.engine.close();
});
