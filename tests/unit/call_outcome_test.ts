/**
 * The one-word outcome of a call, shared by the audit log and the CLI's
 * debug line.
 */

import { BerthError } from "../../src/errors/mod.ts";
import { callOutcome, errorResult, type ToolResult } from "../../src/interpreter/result.ts";
import { assertEquals } from "../helpers/asserts.ts";

const ok = (structured: Record<string, unknown>): ToolResult => ({
  structured,
  text: "",
  isError: false,
});

Deno.test("call outcome: DKR code, abandoned, running only when handed to the background, else ok", () => {
  assertEquals(callOutcome(errorResult(new BerthError("invalid_input", "bad"))), "DKR-004");
  assertEquals(callOutcome({ structured: {}, text: "", isError: true }), "error");
  assertEquals(
    callOutcome({
      structured: { status: "abandoned", error: new BerthError("timeout", "x").toPayload() },
      text: "",
      isError: true,
    }),
    "abandoned",
  );
  assertEquals(callOutcome(ok({ operation_id: "op-1", status: "running" })), "running");
  // docker_start_container answers the container's state: not background work.
  assertEquals(callOutcome(ok({ container_id: "c", status: "running" })), "ok");
  assertEquals(callOutcome(ok({ containers: [] })), "ok");
});
