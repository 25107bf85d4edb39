/**
 * berth's own execs (src/policy/own_exec.ts): trusted by object, never by
 * text, frozen, and made only by the exec kill helper. That the exec guard
 * then lets the helper run, and still refuses its argv from a caller, is
 * proven against the real engine in tests/integration/exec_timeout_test.ts.
 */

import { isOwnExecBody, ownExecBody } from "../../src/policy/own_exec.ts";
import { assert, assertEquals, assertFalse, assertThrows } from "../helpers/asserts.ts";

const SRC = new URL("../../src/", import.meta.url);

Deno.test("own exec: only the very body ownExecBody made is berth's own, not a copy of it", () => {
  const body = ownExecBody(["sh", "-c", "kill -KILL 12", "berth-helper"], "0");
  assert(isOwnExecBody(body));
  assertEquals(body.Cmd, ["sh", "-c", "kill -KILL 12", "berth-helper"]);
  for (const copy of [structuredClone(body), JSON.parse(JSON.stringify(body)), { ...body }]) {
    assertFalse(isOwnExecBody(copy), JSON.stringify(copy));
  }
  for (const other of [undefined, null, "sh", body.Cmd]) assertFalse(isOwnExecBody(other));
});

Deno.test("own exec: the body and its argv cannot be changed once trusted", () => {
  const cmd = ["sh", "-c", "true"];
  const body = ownExecBody(cmd, "0");
  cmd[2] = "rm -rf /";
  assertEquals(body.Cmd[2], "true", "the argv is copied");
  assertThrows(() => (body.Cmd as string[]).push("x"), TypeError);
  assertThrows(() => (body as unknown as Record<string, unknown>).Cmd = ["rm"], TypeError);
  assertThrows(() => (body as unknown as Record<string, unknown>).Privileged = true, TypeError);
});

/** Every .ts file under src/, as a path relative to it. */
function sources(dir = SRC, prefix = ""): string[] {
  return [...Deno.readDirSync(dir)].flatMap((entry) =>
    entry.isDirectory
      ? sources(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`)
      : entry.name.endsWith(".ts")
      ? [`${prefix}${entry.name}`]
      : []
  );
}

Deno.test("own exec: only the exec kill helper makes berth's own exec bodies", () => {
  const makers = sources().filter((path) =>
    path !== "policy/own_exec.ts" &&
    /\bownExecBody\b/.test(Deno.readTextFileSync(new URL(path, SRC)))
  );
  assertEquals(makers, ["docker/exec_kill.ts"]);
});
